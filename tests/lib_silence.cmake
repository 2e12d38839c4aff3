cmake_minimum_required(VERSION 3.21)
# lib_silence (ctest label `lib_silence`): the library never prints, exits or aborts
# (STYLE.md §4, DESIGN.md "Library modules"). Lists the undefined symbols of the built
# library with nm and fails if any of them is a way to print to the terminal, exit or abort.
# Run with cmake -P; variables:
#   LIB          path of the library ($<TARGET_FILE:dupstrip>)
#   NM           nm to use (CMAKE_NM)
#   ALLOW_ABORT  ON in Debug / DUPSTRIP_DEV_CHECKS builds, where DUPSTRIP_ASSERT may abort
#
# Only *undefined* symbols count: they are what the library's own code calls. libstdc++'s inline
# code does not reference abort/exit in a normal build (std::terminate is allowed: it is how
# a noexcept violation ends, and is not something the library calls on purpose).
if(NOT LIB OR NOT EXISTS "${LIB}")
  message(FATAL_ERROR "lib_silence: library '${LIB}' not found")
endif()
if(NOT NM)
  set(NM nm)
endif()

execute_process(COMMAND "${NM}" -A -C -u "${LIB}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "lib_silence: ${NM} failed on ${LIB} (${rc}): ${err}")
endif()

# Demangled names, compared whole. C functions and objects...
set(forbidden
  exit _exit _Exit quick_exit at_quick_exit abort
  printf vprintf puts putchar perror
  stdout stderr
  # ... and the C++ standard streams.
  std::cout std::cerr std::clog std::wcout std::wcerr std::wclog)
if(ALLOW_ABORT)
  list(REMOVE_ITEM forbidden abort)
else()
  # assert() (NDEBUG not defined) prints and aborts.
  list(APPEND forbidden __assert_fail)
endif()
# fmt's print to stdout: fmt::vprint(string_view, format_args) (the FILE* overload is fine,
# the library may write files it was given).
set(forbidden_regex "^fmt::v[0-9]+::vprint\\(fmt::")

string(REPLACE "\n" ";" lines "${out}")
set(count 0)
set(bad "")
foreach(line IN LISTS lines)
  # "libdupstrip.a:hash.cpp.o:                 U XXH3_64bits" (symbol may carry @VERSION in a .so)
  if(NOT line MATCHES "^(.*): +U (.+)$")
    continue()
  endif()
  set(where "${CMAKE_MATCH_1}")
  set(sym "${CMAKE_MATCH_2}")
  string(REGEX REPLACE "@.*$" "" sym "${sym}")
  math(EXPR count "${count} + 1")
  if(sym IN_LIST forbidden OR sym MATCHES "${forbidden_regex}")
    string(APPEND bad "  ${where}: ${sym}\n")
  endif()
endforeach()

if(count EQUAL 0)
  message(FATAL_ERROR "lib_silence: no undefined symbols listed for ${LIB}; is nm working?\n${out}")
endif()
if(bad)
  message(FATAL_ERROR "lib_silence: the library must not print, exit or abort, but references:\n${bad}"
                      "Report errors to the caller instead (STYLE.md §4).")
endif()
message(STATUS "lib_silence: ${count} undefined symbol references checked in ${LIB}, none forbidden")

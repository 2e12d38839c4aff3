cmake_minimum_required(VERSION 3.21)
# ctest driver for tests/install (label `install`), run with cmake -P:
#   1. cmake --install BUILD_DIR --prefix WORK_DIR/prefix
#   2. check the installed tree: public headers only, package config files present
#   3. configure, build and run the consumer in tests/install against that prefix
# Variables: BUILD_DIR, CONSUMER_DIR, WORK_DIR, PUBLIC_INCLUDE_DIR, GENERATOR, CXX_COMPILER,
#            BUILD_TYPE, EXPECTED_VERSION, SANITIZE (may be empty), CHECK_CLI (ON/OFF).
foreach(v BUILD_DIR CONSUMER_DIR WORK_DIR PUBLIC_INCLUDE_DIR GENERATOR CXX_COMPILER EXPECTED_VERSION)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "run_install_test.cmake: ${v} is not set")
  endif()
endforeach()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${step} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "install test: ${step}: ok")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

set(config_args)
if(BUILD_TYPE)
  set(config_args --config "${BUILD_TYPE}")
endif()
run("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}" ${config_args})

# Installed headers: exactly the public ones plus the generated version.hpp and export.hpp.
file(GLOB public RELATIVE "${PUBLIC_INCLUDE_DIR}/dupstrip" "${PUBLIC_INCLUDE_DIR}/dupstrip/*.hpp")
list(APPEND public version.hpp export.hpp)
file(GLOB_RECURSE installed RELATIVE "${prefix}/include/dupstrip" "${prefix}/include/dupstrip/*")
foreach(f IN LISTS installed)
  if(NOT f IN_LIST public)
    message(FATAL_ERROR "install test: ${prefix}/include/dupstrip/${f} is installed but is not a public header")
  endif()
endforeach()
foreach(f error.hpp version.hpp export.hpp)
  if(NOT EXISTS "${prefix}/include/dupstrip/${f}")
    message(FATAL_ERROR "install test: include/dupstrip/${f} is not installed")
  endif()
endforeach()
file(GLOB_RECURSE configs "${prefix}/*/dupstripConfig.cmake")
file(GLOB_RECURSE versions "${prefix}/*/dupstripConfigVersion.cmake")
if(NOT configs OR NOT versions)
  message(FATAL_ERROR "install test: dupstripConfig.cmake / dupstripConfigVersion.cmake not installed")
endif()
if(CHECK_CLI AND NOT EXISTS "${prefix}/bin/dupstrip")
  message(FATAL_ERROR "install test: bin/dupstrip is not installed")
endif()

# The consumer. A sanitized static library needs the sanitizer runtime in the consumer too.
set(consumer_args
  -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_PREFIX_PATH=${prefix}"
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  "-DDUPSTRIP_EXPECTED_VERSION=${EXPECTED_VERSION}"
  "-DDUPSTRIP_EXPECTED_PREFIX=${prefix}")
if(BUILD_TYPE)
  list(APPEND consumer_args "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")
endif()
if(SANITIZE)
  string(REPLACE ";" "," san "${SANITIZE}")
  list(APPEND consumer_args "-DCMAKE_CXX_FLAGS=-fsanitize=${san}")
endif()
run("configure consumer" "${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${WORK_DIR}/build" ${consumer_args})
run("build consumer" "${CMAKE_COMMAND}" --build "${WORK_DIR}/build" ${config_args})

set(exe "${WORK_DIR}/build/consumer")
if(NOT EXISTS "${exe}" AND BUILD_TYPE)
  set(exe "${WORK_DIR}/build/${BUILD_TYPE}/consumer")
endif()
run("run consumer" "${exe}")
message("${last_output}")

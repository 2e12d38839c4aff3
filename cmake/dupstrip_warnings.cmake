# Warning flags as an INTERFACE target, linked as $<BUILD_INTERFACE:...> so that they reach
# our own targets but never consumers or the export set.
add_library(dupstrip_warnings INTERFACE)
target_compile_options(dupstrip_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
  -Wnon-virtual-dtor -Wcast-align -Wnull-dereference -Wformat=2)
if(DUPSTRIP_WERROR)
  target_compile_options(dupstrip_warnings INTERFACE -Werror)
endif()
if(DUPSTRIP_SANITIZE)
  target_link_libraries(dupstrip_warnings INTERFACE dupstrip_sanitize_flags)
endif()
install(TARGETS dupstrip_warnings EXPORT dupstripTargets)

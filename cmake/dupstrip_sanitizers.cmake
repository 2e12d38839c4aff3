# DUPSTRIP_SANITIZE=address,undefined | thread: flags on an internal INTERFACE target that the
# warnings target forwards, so every target of ours (library, CLI, tests) is instrumented alike.
add_library(dupstrip_sanitize_flags INTERFACE)
if(DUPSTRIP_SANITIZE)
  string(REPLACE ";" "," _dupstrip_san "${DUPSTRIP_SANITIZE}")
  target_compile_options(dupstrip_sanitize_flags INTERFACE
    -fsanitize=${_dupstrip_san} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(dupstrip_sanitize_flags INTERFACE -fsanitize=${_dupstrip_san})
endif()
install(TARGETS dupstrip_sanitize_flags EXPORT dupstripTargets)

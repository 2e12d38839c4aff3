// Consumer of an installed dupstrip: includes public headers only and links dupstrip::dupstrip.
// Prints one line per check and returns non-zero if any check fails.
#include <dupstrip/error.hpp>
#include <dupstrip/version.hpp>

#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

int main() {
  int failures = 0;
  auto check = [&failures](bool ok, const char* what) {
    std::printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (!ok) ++failures;
  };

  check(std::strcmp(dupstrip::header_version, DUPSTRIP_VERSION_STRING) == 0,
        "header_version matches DUPSTRIP_VERSION_STRING");
  check(std::strcmp(dupstrip::error_category().name(), "dupstrip") == 0,
        "error_category().name() is \"dupstrip\"");

  const std::error_code ec = dupstrip::errc::invalid_utf8;  // via is_error_code_enum
  check(ec.category() == dupstrip::error_category() && !ec.message().empty(),
        "errc converts to an error_code with a message");

  dupstrip::result<int> r = dupstrip::errc::binary_file;
  check(!r.has_value() && r.error() == dupstrip::errc::binary_file, "result<T> holds an error");

  std::printf("dupstrip %s (rev %s)\n", DUPSTRIP_VERSION_STRING, DUPSTRIP_GIT_REV);
  return failures == 0 ? 0 : 1;
}

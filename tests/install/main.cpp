// Consumer of an installed dupstrip: includes public headers only and links dupstrip::dupstrip.
// Prints one line per check and returns non-zero if any check fails.
#include <dupstrip/error.hpp>
#include <dupstrip/minhash.hpp>
#include <dupstrip/version.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

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

  // MinHash end to end: an identical set estimates 1, a disjoint one close to 0.
  std::vector<std::uint64_t> a, b;
  for (std::uint64_t i = 0; i < 200; ++i) {
    a.push_back(i * 0x9E3779B97F4A7C15ULL);
    b.push_back((i + 1000) * 0x9E3779B97F4A7C15ULL);
  }
  const dupstrip::minhasher mh;  // default options
  const auto sa = mh.compute(a);
  const auto sa2 = mh.compute(a);
  const auto sb = mh.compute(b);
  check(sa.size() == mh.num_perm() && dupstrip::estimate_jaccard(sa, sa2) == 1.0,
        "estimate_jaccard of identical sets is 1");
  check(dupstrip::estimate_jaccard(sa, sb) < 0.2, "estimate_jaccard of disjoint sets is near 0");

  std::printf("dupstrip %s (rev %s)\n", DUPSTRIP_VERSION_STRING, DUPSTRIP_GIT_REV);
  return failures == 0 ? 0 : 1;
}

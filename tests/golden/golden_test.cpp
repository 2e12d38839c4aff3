// Golden vectors: recomputes every record of tests/golden/vectors.txt (written by
// make_golden.cpp) and compares. A mismatch means persisted signatures would change meaning:
// that is a format change, so bump signature_format_version and regenerate the vectors on
// purpose (see make_golden.cpp for how).
#include <dupstrip/lsh.hpp>
#include <dupstrip/minhash.hpp>
#include <dupstrip/shingle.hpp>
#include <dupstrip/text.hpp>
#include <dupstrip/version.hpp>

#include "dupstrip/hash.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr const char* bump_message =
    "golden vector mismatch: the token/shingle/signature/band-key chain changed. If this is "
    "intended, bump dupstrip::signature_format_version (include/dupstrip/version.hpp.in), "
    "update doc/algorithm.md and regenerate tests/golden/vectors.txt with make_golden.cpp";

std::uint64_t read_hex(std::istringstream& in) {
  std::string s;
  in >> s;
  REQUIRE_FALSE(s.empty());
  return std::stoull(s, nullptr, 16);
}

std::vector<std::uint64_t> read_list(std::istringstream& in) {
  const auto n = read_hex(in);
  std::vector<std::uint64_t> v(n);
  for (auto& x : v) x = read_hex(in);
  return v;
}

std::vector<std::uint32_t> read_u32s(std::istringstream& in, std::uint64_t n) {
  std::vector<std::uint32_t> v(n);
  for (auto& x : v) x = static_cast<std::uint32_t>(read_hex(in));
  return v;
}

std::string unhex(const std::string& s) {
  if (s == "-") return {};
  std::string out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(s.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace

TEST_CASE("golden vectors", "[golden]") {
  const std::string path = std::string(DUPSTRIP_GOLDEN_DIR) + "/vectors.txt";
  std::ifstream file(path);
  REQUIRE(file.good());
  std::string line;
  int counts[4] = {0, 0, 0, 0};
  int line_no = 0;
  while (std::getline(file, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    INFO(path << ":" << line_no);
    INFO(bump_message);
    std::istringstream in(line);
    std::string kind;
    in >> kind;
    if (kind == "token") {
      std::string bytes;
      in >> bytes;
      const std::string tok = unhex(bytes);
      const auto want = read_hex(in);
      CHECK(dupstrip::token_hash(tok) == want);
      CHECK(dupstrip::detail::xxh3_64(tok) == want);  // token_hash is XXH3-64, seed 0
      ++counts[0];
    } else if (kind == "shingle") {
      const auto k = static_cast<std::uint32_t>(read_hex(in));
      const auto toks = read_list(in);
      const auto want = read_list(in);
      std::vector<std::uint64_t> got;
      dupstrip::shingle_hashes(toks, k, got);
      CHECK(got == want);
      ++counts[1];
    } else if (kind == "signature") {
      std::string scheme;
      in >> scheme;
      dupstrip::minhash_options o;
      o.scheme = scheme == "k_hash" ? dupstrip::minhash_scheme::k_hash
                                    : dupstrip::minhash_scheme::one_permutation;
      o.seed = read_hex(in);
      o.num_perm = static_cast<std::uint32_t>(read_hex(in));
      const auto shingles = read_list(in);
      const auto want = read_u32s(in, o.num_perm);
      CHECK(dupstrip::minhasher(o).compute(shingles) == want);
      ++counts[2];
    } else if (kind == "band_key") {
      const auto bands = static_cast<std::uint32_t>(read_hex(in));
      const auto rows = static_cast<std::uint32_t>(read_hex(in));
      const auto k = read_hex(in);
      const auto sig = read_u32s(in, k);
      for (std::uint32_t b = 0; b < bands; ++b) {
        INFO("band " << b);
        CHECK(dupstrip::band_key(sig, b, rows) == read_hex(in));
      }
      ++counts[3];
    } else {
      FAIL("unknown record kind '" << kind << "'");
    }
  }
  // Every kind of record is present (a truncated file must not pass silently).
  CHECK(counts[0] == 8);
  CHECK(counts[1] == 7);
  CHECK(counts[2] == 5);
  CHECK(counts[3] == 2);
}

TEST_CASE("golden vectors were written for this signature_format_version", "[golden]") {
  std::ifstream file(std::string(DUPSTRIP_GOLDEN_DIR) + "/vectors.txt");
  std::string first;
  std::getline(file, first);
  INFO(bump_message);
  CHECK(first == "# dupstrip golden vectors, signature_format_version " +
                     std::to_string(dupstrip::signature_format_version));
}

// Unit tests of include/dupstrip/shingle.hpp: the rolling hash against its from-scratch oracle,
// the shingle count rules, and the configuration errors.
#include <dupstrip/error.hpp>
#include <dupstrip/shingle.hpp>

#include "dupstrip/hash.hpp"
#include "dupstrip/mix_many.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace {

std::vector<std::uint64_t> random_tokens(std::mt19937_64& rng, std::size_t n, std::uint64_t vocab) {
  std::vector<std::uint64_t> t(n);
  // vocab == 0: full 64-bit values; otherwise a small vocabulary, so windows repeat.
  for (auto& x : t) x = vocab == 0 ? rng() : rng() % vocab;
  return t;
}

}  // namespace

TEST_CASE("rolling shingle hash equals the from-scratch hash at every window", "[unit][shingle]") {
  const std::uint64_t seed = 0x5eed0001;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  for (const std::uint32_t k : {1U, 2U, 3U, 5U, 8U, 13U, 64U}) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{4}, std::size_t{63}, std::size_t{64},
                                std::size_t{65}, std::size_t{300}}) {
      for (const std::uint64_t vocab : {std::uint64_t{0}, std::uint64_t{7}}) {
        INFO("k=" << k << " n=" << n << " vocab=" << vocab);
        const auto tokens = random_tokens(rng, n, vocab);
        std::vector<std::uint64_t> out;
        dupstrip::shingle_hashes(tokens, k, out);
        const std::span<const std::uint64_t> all(tokens);
        if (n < k) {
          REQUIRE(out.size() == 1);
          CHECK(out[0] == dupstrip::shingle_hash(all));
        } else {
          REQUIRE(out.size() == n - k + 1);
          for (std::size_t i = 0; i < out.size(); ++i) {
            INFO("window " << i);
            REQUIRE(out[i] == dupstrip::shingle_hash(all.subspan(i, k)));
          }
        }
      }
    }
  }
}

TEST_CASE("shingle count rules", "[unit][shingle]") {
  std::vector<std::uint64_t> out;
  SECTION("no tokens, no shingles") {
    dupstrip::shingle_hashes({}, 5, out);
    CHECK(out.empty());
  }
  SECTION("fewer tokens than k give exactly one shingle") {
    const std::vector<std::uint64_t> t{1, 2, 3};
    dupstrip::shingle_hashes(t, 5, out);
    CHECK(out.size() == 1);
  }
  SECTION("n >= k gives n - k + 1 shingles") {
    const std::vector<std::uint64_t> t(10, 42);
    dupstrip::shingle_hashes(t, 5, out);
    CHECK(out.size() == 6);
    CHECK(std::set<std::uint64_t>(out.begin(), out.end()).size() == 1);  // identical windows
  }
  SECTION("values are appended, never overwritten") {
    out = {7, 8};
    const std::vector<std::uint64_t> t{1, 2, 3, 4};
    dupstrip::shingle_hashes(t, 2, out);
    REQUIRE(out.size() == 5);
    CHECK(out[0] == 7);
    CHECK(out[1] == 8);
  }
}

TEST_CASE("shingle hashes separate length, order and content", "[unit][shingle]") {
  const std::vector<std::uint64_t> ab{1, 2};
  const std::vector<std::uint64_t> ba{2, 1};
  const std::vector<std::uint64_t> ab0{1, 2, 0};
  const std::vector<std::uint64_t> zero1{0};
  const std::vector<std::uint64_t> zero2{0, 0};
  CHECK(dupstrip::shingle_hash(ab) != dupstrip::shingle_hash(ba));
  CHECK(dupstrip::shingle_hash(ab) != dupstrip::shingle_hash(ab0));  // H(1,2,0) = B*H(1,2)
  CHECK(dupstrip::shingle_hash(zero1) != dupstrip::shingle_hash(zero2));  // H = 0 for both
  // A document shorter than k and the same tokens as a full window of another k differ only
  // through the length: the short-document shingle is the hash of the whole sequence.
  std::vector<std::uint64_t> out3;
  std::vector<std::uint64_t> out2;
  dupstrip::shingle_hashes(ab, 3, out3);
  dupstrip::shingle_hashes(ab, 2, out2);
  CHECK(out3 == out2);
}

TEST_CASE("shingle configuration errors", "[unit][shingle][error]") {
  dupstrip::shingle_options o;
  CHECK_NOTHROW(o.validate());
  o.size = 1;
  CHECK_NOTHROW(o.validate());
  o.size = 64;
  CHECK_NOTHROW(o.validate());
  SECTION("size 0") {
    o.size = 0;
    REQUIRE_THROWS_AS(o.validate(), dupstrip::config_error);
    REQUIRE_THROWS_WITH(o.validate(), "shingle size must be in 1..64 (got 0)");
  }
  SECTION("size 65") {
    o.size = 65;
    REQUIRE_THROWS_AS(o.validate(), dupstrip::config_error);
    REQUIRE_THROWS_WITH(o.validate(), "shingle size must be in 1..64 (got 65)");
  }
  SECTION("shingle_hashes with k = 0") {
    std::vector<std::uint64_t> out;
    const std::vector<std::uint64_t> t{1, 2};
    REQUIRE_THROWS_AS(dupstrip::shingle_hashes(t, 0, out), dupstrip::config_error);
  }
}

TEST_CASE("mix64 over arrays gives mix64 of every value, at every length and offset", "[unit][shingle]") {
  // The vector kernel takes eight values at a time and leaves the tail to the scalar loop.
  std::mt19937_64 rng(11);
  std::vector<std::uint64_t> in(200);
  for (std::uint64_t& v : in) v = rng();
  in[3] = 0;
  in[4] = ~std::uint64_t{0};
  for (std::size_t off = 0; off < 9; ++off) {
    for (std::size_t n = 0; n + off <= 120; ++n) {
      const std::uint64_t salt = rng();
      std::vector<std::uint64_t> out(n + 2, 7);
      dupstrip::detail::mix64_xor_into(in.data() + off, out.data() + 1, n, salt);
      REQUIRE(out[0] == 7);
      REQUIRE(out[n + 1] == 7);
      for (std::size_t i = 0; i < n; ++i) REQUIRE(out[i + 1] == dupstrip::detail::mix64(in[off + i] ^ salt));
      std::vector<std::uint64_t> same(in.begin() + static_cast<std::ptrdiff_t>(off),
                                      in.begin() + static_cast<std::ptrdiff_t>(off + n));
      dupstrip::detail::mix64_xor_all(same.data(), n, salt);
      REQUIRE(std::equal(same.begin(), same.end(), out.begin() + 1));
    }
  }
}

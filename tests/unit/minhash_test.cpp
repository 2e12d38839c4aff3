// Unit tests of include/dupstrip/minhash.hpp: exact properties of signatures (set semantics,
// mergeability, empty sets, densification) and the configuration errors. The statistical
// properties live in tests/statistical/minhash_stat_test.cpp.
#include <dupstrip/error.hpp>
#include <dupstrip/minhash.hpp>

#include "dupstrip/hash.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace {

std::vector<std::uint64_t> mixed_range(std::uint64_t lo, std::uint64_t hi) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = lo; i < hi; ++i) v.push_back(dupstrip::detail::mix64(i));
  return v;
}

dupstrip::minhash_options opts(dupstrip::minhash_scheme scheme, std::uint32_t k = 128) {
  dupstrip::minhash_options o;
  o.num_perm = k;
  o.scheme = scheme;
  return o;
}

}  // namespace

TEST_CASE("signatures depend on the set only", "[unit][minhash]") {
  const auto scheme = GENERATE(dupstrip::minhash_scheme::k_hash,
                               dupstrip::minhash_scheme::one_permutation);
  INFO("scheme=" << static_cast<int>(scheme));
  const dupstrip::minhasher mh(opts(scheme));
  const std::uint64_t seed = 0x5eed0002;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  auto set = mixed_range(0, 500);
  const auto sig = mh.compute(set);
  REQUIRE(sig.size() == 128);
  SECTION("identical sets give identical signatures") {
    CHECK(dupstrip::minhasher(opts(scheme)).compute(set) == sig);
    CHECK(dupstrip::estimate_jaccard(sig, sig) == 1.0);
  }
  SECTION("order does not matter") {
    std::shuffle(set.begin(), set.end(), rng);
    CHECK(mh.compute(set) == sig);
  }
  SECTION("duplicates do not matter") {
    auto dup = set;
    dup.insert(dup.end(), set.begin(), set.begin() + 100);
    std::shuffle(dup.begin(), dup.end(), rng);
    CHECK(mh.compute(dup) == sig);
  }
  SECTION("a different seed gives a different signature") {
    auto o = opts(scheme);
    o.seed ^= 1;
    CHECK(dupstrip::minhasher(o).compute(set) != sig);
  }
  SECTION("no empty slot for a non-empty set") {
    CHECK(std::count(sig.begin(), sig.end(), dupstrip::empty_slot) == 0);
  }
}

TEST_CASE("empty set gives all empty slots", "[unit][minhash]") {
  const auto scheme = GENERATE(dupstrip::minhash_scheme::k_hash,
                               dupstrip::minhash_scheme::one_permutation);
  const dupstrip::minhasher mh(opts(scheme, 64));
  const auto sig = mh.compute({});
  CHECK(sig == std::vector<std::uint32_t>(64, dupstrip::empty_slot));
}

TEST_CASE("k_hash: update() of the parts equals compute() of the union", "[unit][minhash]") {
  const dupstrip::minhasher mh(opts(dupstrip::minhash_scheme::k_hash));
  const auto all = mixed_range(0, 1000);
  const std::span<const std::uint64_t> s(all);
  std::vector<std::uint32_t> merged(128, dupstrip::empty_slot);
  mh.update(s.subspan(0, 333), merged);
  mh.update(s.subspan(333), merged);
  CHECK(merged == mh.compute(all));
  // Signature of a union is the slot-wise minimum of the signatures.
  const auto a = mh.compute(s.subspan(0, 600));
  const auto b = mh.compute(s.subspan(400));
  std::vector<std::uint32_t> m(128);
  for (std::size_t i = 0; i < 128; ++i) m[i] = std::min(a[i], b[i]);
  CHECK(m == mh.compute(all));
}

TEST_CASE("k_hash: a shorter signature is a prefix of a longer one", "[unit][minhash]") {
  const auto set = mixed_range(0, 200);
  const auto s64 = dupstrip::minhasher(opts(dupstrip::minhash_scheme::k_hash, 64)).compute(set);
  const auto s128 = dupstrip::minhasher(opts(dupstrip::minhash_scheme::k_hash, 128)).compute(set);
  CHECK(std::equal(s64.begin(), s64.end(), s128.begin()));
}

TEST_CASE("one_permutation densifies small sets", "[unit][minhash]") {
  const dupstrip::minhasher mh(opts(dupstrip::minhash_scheme::one_permutation));
  for (std::uint64_t n : {1U, 2U, 3U, 10U}) {
    INFO("n=" << n);
    const auto set = mixed_range(0, n);
    const auto sig = mh.compute(set);
    CHECK(std::count(sig.begin(), sig.end(), dupstrip::empty_slot) == 0);
    // Densification is deterministic and still a function of the set.
    auto rev = set;
    std::reverse(rev.begin(), rev.end());
    CHECK(mh.compute(rev) == sig);
  }
  // A one-element set: every slot holds the element's value or a value borrowed from it.
  const auto one = mh.compute(mixed_range(7, 8));
  CHECK(dupstrip::estimate_jaccard(one, mh.compute(mixed_range(7, 8))) == 1.0);
  CHECK(dupstrip::estimate_jaccard(one, mh.compute(mixed_range(8, 9))) < 0.1);
}

TEST_CASE("estimate_jaccard basics", "[unit][minhash]") {
  const std::vector<std::uint32_t> a{1, 2, 3, 4};
  const std::vector<std::uint32_t> b{1, 2, 0, 0};
  const std::vector<std::uint32_t> c{9, 9, 9, 9};
  CHECK(dupstrip::estimate_jaccard(a, a) == 1.0);
  CHECK(dupstrip::estimate_jaccard(a, b) == 0.5);
  CHECK(dupstrip::estimate_jaccard(b, a) == 0.5);
  CHECK(dupstrip::estimate_jaccard(a, c) == 0.0);
  const dupstrip::minhasher mh;
  const auto x = mh.compute(mixed_range(0, 1000));
  const auto y = mh.compute(mixed_range(10000, 11000));
  CHECK(dupstrip::estimate_jaccard(x, y) < 0.05);
}

TEST_CASE("minhash configuration errors", "[unit][minhash][error]") {
  dupstrip::minhash_options o;
  CHECK_NOTHROW(o.validate());
  SECTION("num_perm 0") {
    o.num_perm = 0;
    REQUIRE_THROWS_AS(o.validate(), dupstrip::config_error);
    REQUIRE_THROWS_WITH(o.validate(), "num_perm must be in 1..4096 (got 0)");
    REQUIRE_THROWS_AS(dupstrip::minhasher(o), dupstrip::config_error);
  }
  SECTION("num_perm 4097") {
    o.num_perm = 4097;
    REQUIRE_THROWS_WITH(o.validate(), "num_perm must be in 1..4096 (got 4097)");
  }
  SECTION("limits are accepted") {
    o.num_perm = 1;
    CHECK_NOTHROW(dupstrip::minhasher(o));
    o.num_perm = 4096;
    o.scheme = dupstrip::minhash_scheme::one_permutation;
    const dupstrip::minhasher mh(o);
    CHECK(mh.compute(mixed_range(0, 3)).size() == 4096);
  }
  SECTION("update() with one_permutation") {
    o.scheme = dupstrip::minhash_scheme::one_permutation;
    const dupstrip::minhasher mh(o);
    std::vector<std::uint32_t> sig(o.num_perm, dupstrip::empty_slot);
    const std::vector<std::uint64_t> x{1, 2};
    REQUIRE_THROWS_AS(mh.update(x, sig), dupstrip::config_error);
  }
  SECTION("wrong output size") {
    const dupstrip::minhasher mh(o);
    std::vector<std::uint32_t> sig(5);
    const std::vector<std::uint64_t> x{1, 2};
    REQUIRE_THROWS_AS(mh.compute(x, sig), dupstrip::config_error);
    REQUIRE_THROWS_WITH(mh.compute(x, sig), "signature buffer has 5 slots, num_perm is 128");
  }
}

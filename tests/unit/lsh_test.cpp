// Unit tests of include/dupstrip/lsh.hpp: parameter search, band keys, union-find, clustering
// (verification, huge buckets, determinism over jobs and input order) and lsh_index.
#include <dupstrip/error.hpp>
#include <dupstrip/lsh.hpp>
#include <dupstrip/minhash.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <vector>

namespace {

constexpr std::uint32_t K = 128;

std::uint32_t r32(std::mt19937_64& rng) { return static_cast<std::uint32_t>(rng() >> 32); }

std::vector<std::uint32_t> random_sig(std::mt19937_64& rng) {
  std::vector<std::uint32_t> s(K);
  for (auto& x : s) x = r32(rng);
  return s;
}

/// Copy of `s` with `count` slots from `first` replaced by random values.
std::vector<std::uint32_t> mutate(std::vector<std::uint32_t> s, std::size_t first, std::size_t count,
                                  std::mt19937_64& rng) {
  for (std::size_t i = first; i < first + count; ++i) s[i] = r32(rng);
  return s;
}

void put(std::vector<std::uint32_t>& flat, std::size_t doc, const std::vector<std::uint32_t>& s) {
  std::copy(s.begin(), s.end(), flat.begin() + static_cast<std::ptrdiff_t>(doc * K));
}

}  // namespace

TEST_CASE("candidate_probability is the S-curve", "[unit][lsh]") {
  const dupstrip::lsh_params p{16, 8};
  CHECK(dupstrip::candidate_probability(0.0, p) == 0.0);
  CHECK(dupstrip::candidate_probability(1.0, p) == 1.0);
  CHECK(dupstrip::candidate_probability(0.5, p) ==
        Approx(1.0 - std::pow(1.0 - std::pow(0.5, 8), 16)));
  CHECK(dupstrip::candidate_probability(0.3, p) < dupstrip::candidate_probability(0.7, p));
}

TEST_CASE("optimal_lsh_params", "[unit][lsh]") {
  const auto p = dupstrip::optimal_lsh_params(0.8, 128);
  INFO("b=" << p.bands << " r=" << p.rows);
  CHECK(p.bands * p.rows <= 128);
  CHECK(p.bands * p.rows >= 100);
  const double t = std::pow(1.0 / p.bands, 1.0 / p.rows);
  CHECK(t == Approx(0.8).margin(0.06));
  CHECK(dupstrip::optimal_lsh_params(0.8, 128) == p);  // deterministic
  // Lower thresholds need fewer rows per band.
  CHECK(dupstrip::optimal_lsh_params(0.5, 128).rows < p.rows);
  // Weighting false negatives up lowers the effective threshold.
  const auto q = dupstrip::optimal_lsh_params(0.8, 128, 0.1, 0.9);
  CHECK(std::pow(1.0 / q.bands, 1.0 / q.rows) < t);
  CHECK(dupstrip::optimal_lsh_params(0.5, 1) == dupstrip::lsh_params{1, 1});
  SECTION("errors") {
    REQUIRE_THROWS_AS(dupstrip::optimal_lsh_params(0.0, 128), dupstrip::config_error);
    REQUIRE_THROWS_AS(dupstrip::optimal_lsh_params(1.0, 128), dupstrip::config_error);
    REQUIRE_THROWS_AS(dupstrip::optimal_lsh_params(0.5, 0), dupstrip::config_error);
    REQUIRE_THROWS_WITH(dupstrip::optimal_lsh_params(0.5, 0), "num_perm must be at least 1 (got 0)");
    REQUIRE_THROWS_AS(dupstrip::optimal_lsh_params(0.5, 128, -1.0, 1.0), dupstrip::config_error);
  }
}

TEST_CASE("band_key", "[unit][lsh]") {
  std::vector<std::uint32_t> s(K, 7);  // every band has the same rows
  const auto k0 = dupstrip::band_key(s, 0, 8);
  CHECK(k0 != dupstrip::band_key(s, 1, 8));  // band index mixed in
  CHECK(dupstrip::band_key(s, 1, 8) != dupstrip::band_key(s, 2, 8));
  auto t = s;
  t[8] = 8;  // row 0 of band 1
  CHECK(dupstrip::band_key(t, 0, 8) == k0);
  CHECK(dupstrip::band_key(t, 1, 8) != dupstrip::band_key(s, 1, 8));
}

TEST_CASE("union_find representative is the smallest member", "[unit][lsh]") {
  const std::uint64_t seed = 0x5eed0003;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  dupstrip::union_find uf(100);
  CHECK(uf.size() == 100);
  CHECK(uf.find(42) == 42);
  CHECK(uf.unite(10, 3));
  CHECK_FALSE(uf.unite(3, 10));
  CHECK(uf.find(10) == 3);
  CHECK(uf.unite(50, 99));
  CHECK(uf.unite(99, 10));
  CHECK(uf.find(50) == 3);
  CHECK(uf.find(99) == 3);
  // Random unions in two different orders give the same representatives, which are minima.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (int i = 0; i < 300; ++i) {
    pairs.emplace_back(static_cast<std::uint32_t>(rng() % 1000), static_cast<std::uint32_t>(rng() % 1000));
  }
  dupstrip::union_find a(1000);
  dupstrip::union_find b(1000);
  for (const auto& [x, y] : pairs) a.unite(x, y);
  std::shuffle(pairs.begin(), pairs.end(), rng);
  for (const auto& [x, y] : pairs) b.unite(y, x);
  for (std::uint32_t i = 0; i < 1000; ++i) {
    REQUIRE(a.find(i) == b.find(i));
    REQUIRE(a.find(i) <= i);
  }
  uf.reset(5);
  CHECK(uf.size() == 5);
  CHECK(uf.find(4) == 4);
}

TEST_CASE("cluster_signatures joins near-duplicates and verifies every link", "[unit][lsh]") {
  const std::uint64_t seed = 0x5eed0004;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  dupstrip::cluster_options o;
  o.threshold = 0.7;
  o.params = {16, 8};

  SECTION("near-duplicates join, unrelated stay apart, inactive stay singletons") {
    std::vector<std::uint32_t> flat(6 * K);
    const auto a = random_sig(rng);
    put(flat, 0, random_sig(rng));
    put(flat, 1, a);
    put(flat, 2, random_sig(rng));
    put(flat, 3, mutate(a, 0, 20, rng));  // J ~ 0.84 with 1
    put(flat, 4, a);                       // identical to 1, but inactive
    put(flat, 5, mutate(a, 60, 50, rng));  // J ~ 0.6 with 1 and 3: below threshold
    const std::vector<std::uint8_t> active{1, 1, 1, 1, 0, 1};
    const auto c = dupstrip::cluster_signatures(flat, K, o, active);
    CHECK(c == std::vector<std::uint32_t>{0, 1, 2, 1, 4, 5});
  }

  SECTION("a chain through a huge bucket glues nothing unrelated") {
    // A ~ B ~ C (C not directly similar to A); A, C and 3000 unrelated documents share band 0.
    const std::size_t n = 3003;
    std::vector<std::uint32_t> flat(n * K);
    const auto a = random_sig(rng);
    const auto b = mutate(a, 100, 12, rng);  // A-B: 116/128
    const auto c = mutate(b, 40, 30, rng);   // B-C: 98/128, A-C: ~86/128 < 0.7
    const std::size_t ia = 2000, ib = 1500, ic = 3002;
    for (std::size_t d = 0; d < n; ++d) {
      auto s = random_sig(rng);
      std::copy(a.begin(), a.begin() + 8, s.begin());  // same band 0 as A
      put(flat, d, s);
    }
    put(flat, ia, a);
    put(flat, ib, b);
    put(flat, ic, c);
    o.max_bucket_checks = 8;
    const auto cl = dupstrip::cluster_signatures(flat, K, o);
    CHECK(cl[ia] == ib);
    CHECK(cl[ib] == ib);
    CHECK(cl[ic] == ib);
    std::size_t glued = 0;
    for (std::size_t d = 0; d < n; ++d) {
      if (d != ia && d != ib && d != ic && cl[d] != d) ++glued;
    }
    CHECK(glued == 0);
  }

  SECTION("errors") {
    std::vector<std::uint32_t> flat(2 * K);
    REQUIRE_THROWS_AS(dupstrip::cluster_signatures(flat, 0, o), dupstrip::config_error);
    REQUIRE_THROWS_AS(dupstrip::cluster_signatures(flat, 100, o), dupstrip::config_error);
    const std::vector<std::uint8_t> bad_active{1};
    REQUIRE_THROWS_AS(dupstrip::cluster_signatures(flat, K, o, bad_active), dupstrip::config_error);
    o.params = {17, 8};
    REQUIRE_THROWS_WITH(dupstrip::cluster_signatures(flat, K, o),
                        "LSH needs bands >= 1, rows >= 1 and bands * rows <= num_perm (got 17 x 8 "
                        "for 128 permutations)");
    o.params = {};
    o.threshold = 0.0;
    REQUIRE_THROWS_AS(dupstrip::cluster_signatures(flat, K, o), dupstrip::config_error);
    o.threshold = 0.8;
    o.max_bucket_checks = 0;
    REQUIRE_THROWS_AS(dupstrip::cluster_signatures(flat, K, o), dupstrip::config_error);
  }
}

TEST_CASE("cluster_signatures is independent of jobs and input order", "[unit][lsh]") {
  const std::uint64_t seed = 0x5eed0005;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  // 300 groups of 1..6 near-duplicates (each a random mutation of the group's base) + noise.
  std::vector<std::vector<std::uint32_t>> sigs;
  for (int g = 0; g < 300; ++g) {
    const auto base = random_sig(rng);
    const auto size = 1 + rng() % 6;
    for (std::uint64_t i = 0; i < size; ++i) {
      sigs.push_back(mutate(base, rng() % 100, rng() % 25, rng));
    }
  }
  const std::size_t n = sigs.size();
  auto flatten = [&](const std::vector<std::size_t>& order) {
    std::vector<std::uint32_t> flat(n * K);
    for (std::size_t i = 0; i < n; ++i) put(flat, i, sigs[order[i]]);
    return flat;
  };
  std::vector<std::size_t> identity(n);
  std::iota(identity.begin(), identity.end(), std::size_t{0});
  dupstrip::cluster_options o;
  o.threshold = 0.75;
  const auto flat = flatten(identity);
  o.jobs = 1;
  const auto c1 = dupstrip::cluster_signatures(flat, K, o);
  o.jobs = 4;
  CHECK(dupstrip::cluster_signatures(flat, K, o) == c1);
  o.jobs = 0;
  CHECK(dupstrip::cluster_signatures(flat, K, o) == c1);
  std::size_t joined = 0;
  for (std::size_t i = 0; i < n; ++i) joined += c1[i] != i ? 1U : 0U;
  CHECK(joined > n / 3);  // plenty of real clusters

  // Shuffle, cluster, map back: the same partition (labels differ, so compare pairwise via
  // canonical labels = smallest original index in the cluster).
  auto order = identity;
  std::shuffle(order.begin(), order.end(), rng);
  o.jobs = 3;
  const auto c2 = dupstrip::cluster_signatures(flatten(order), K, o);
  std::vector<std::size_t> canon2(n, n);  // cluster label in shuffled space -> min original idx
  for (std::size_t i = 0; i < n; ++i) canon2[c2[i]] = std::min(canon2[c2[i]], order[i]);
  std::vector<std::size_t> mapped(n);
  for (std::size_t i = 0; i < n; ++i) mapped[order[i]] = canon2[c2[i]];
  for (std::size_t i = 0; i < n; ++i) REQUIRE(mapped[i] == c1[i]);
}

TEST_CASE("a huge bucket of unrelated documents is not quadratic", "[unit][lsh]") {
  const std::uint64_t seed = 0x5eed0006;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  const std::size_t n = 5000;
  std::vector<std::uint32_t> flat(n * K);
  const auto first = random_sig(rng);
  for (std::size_t d = 0; d < n; ++d) {
    auto s = random_sig(rng);
    std::copy(first.begin(), first.begin() + 8, s.begin());
    put(flat, d, s);
  }
  dupstrip::cluster_options o;
  o.params = {16, 8};
  const auto t0 = std::chrono::steady_clock::now();
  const auto c = dupstrip::cluster_signatures(flat, K, o);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (std::size_t d = 0; d < n; ++d) REQUIRE(c[d] == d);
  // 5000 * 32 checks of 128 slots: milliseconds; the quadratic 12.5 M checks would take seconds
  // (the bound is loose for sanitizer builds).
  CHECK(secs < 2.0);
}

TEST_CASE("identical documents cluster at threshold 1", "[unit][lsh]") {
  std::mt19937_64 rng(7);
  const auto a = random_sig(rng);
  std::vector<std::uint32_t> flat(3 * K);
  put(flat, 0, random_sig(rng));
  put(flat, 1, a);
  put(flat, 2, a);
  dupstrip::cluster_options o;
  o.threshold = 1.0;
  CHECK(dupstrip::cluster_signatures(flat, K, o) == std::vector<std::uint32_t>{0, 1, 1});
}

TEST_CASE("lsh_index insert and query", "[unit][lsh]") {
  std::mt19937_64 rng(8);
  dupstrip::lsh_index idx(K, {16, 8});
  const auto a = random_sig(rng);
  const auto b = random_sig(rng);
  idx.insert(5, a);
  idx.insert(9, mutate(a, 0, 64, rng));  // shares bands 8..15 with a
  idx.insert(2, b);
  idx.insert(5, a);  // duplicate insert
  CHECK(idx.size() == 4);
  CHECK(idx.query(a) == std::vector<std::uint32_t>{5, 9});
  CHECK(idx.query(b) == std::vector<std::uint32_t>{2});
  CHECK(idx.query(random_sig(rng)).empty());
  SECTION("errors") {
    REQUIRE_THROWS_AS(dupstrip::lsh_index(K, {0, 8}), dupstrip::config_error);
    REQUIRE_THROWS_AS(dupstrip::lsh_index(K, {16, 9}), dupstrip::config_error);
    const std::vector<std::uint32_t> short_sig(10);
    REQUIRE_THROWS_AS(idx.insert(1, short_sig), dupstrip::config_error);
    REQUIRE_THROWS_AS(idx.query(short_sig), dupstrip::config_error);
  }
}

TEST_CASE("cluster_signatures: with a visit order, a huge bucket gives the same clusters in any input order",
          "[unit][lsh]") {
  const std::uint64_t seed = 0x5eed0006;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  // 400 documents in one band-0 bucket: 100 pairs of copies and 200 unrelated ones, with a
  // verification budget of 2 comparisons per member, so which pairs are found depends on the
  // order in which the bucket visits its members.
  std::vector<std::vector<std::uint32_t>> sigs;
  const auto shared = random_sig(rng);
  for (int k = 0; k < 300; ++k) {
    auto s = random_sig(rng);
    std::copy(shared.begin(), shared.begin() + 8, s.begin());
    sigs.push_back(s);
    if (k < 100) {
      // A copy that differs in one slot of every other band (J = 113/128): found only
      // through band 0, the crowded bucket.
      auto copy = s;
      for (std::size_t b = 1; b < 16; ++b) copy[b * 8] ^= 0x9E3779B9u;
      sigs.push_back(copy);
    }
  }
  dupstrip::cluster_options o;
  o.threshold = 0.7;
  o.params = {16, 8};
  o.max_bucket_checks = 2;
  // Clusters as sets of original ids ("names"), for the documents given in `perm` order.
  auto clusters_of = [&](const std::vector<std::size_t>& perm, bool with_order) {
    std::vector<std::uint32_t> flat(perm.size() * K);
    std::vector<std::uint32_t> visit(perm.size());
    for (std::size_t d = 0; d < perm.size(); ++d) {
      put(flat, d, sigs[perm[d]]);
      visit[d] = static_cast<std::uint32_t>(perm[d]);  // name order: the original id
    }
    if (with_order) o.visit_order = visit;
    else o.visit_order = {};
    const auto root = dupstrip::cluster_signatures(flat, K, o);
    std::map<std::uint32_t, std::set<std::size_t>> by_root;
    for (std::size_t d = 0; d < perm.size(); ++d) by_root[root[d]].insert(perm[d]);
    std::set<std::set<std::size_t>> out;
    for (auto& [r, members] : by_root) out.insert(members);
    return out;
  };
  std::vector<std::size_t> perm(sigs.size());
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  const auto reference = clusters_of(perm, true);
  bool order_mattered = false;
  for (int round = 0; round < 3; ++round) {
    std::shuffle(perm.begin(), perm.end(), rng);
    CHECK(clusters_of(perm, true) == reference);
    order_mattered = order_mattered || clusters_of(perm, false) != reference;
  }
  CHECK(order_mattered);  // the budget does bite: without a visit order, results move
  std::vector<std::uint32_t> bad(sigs.size(), 0);
  o.visit_order = bad;
  std::vector<std::uint32_t> flat(sigs.size() * K);
  CHECK_THROWS_AS(dupstrip::cluster_signatures(flat, K, o), dupstrip::config_error);
}

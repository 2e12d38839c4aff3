// Statistical properties of LSH banding (STYLE.md §7): over N independent pairs of exact
// Jaccard J, the number of pairs sharing at least one band follows Binomial(N, 1-(1-J^r)^b).
// Uses k_hash signatures, whose slots are independent given the sets; one_permutation slots are
// not (bins partition the union), so the formula is only approximate for it and not tested.
#include <dupstrip/lsh.hpp>
#include <dupstrip/minhash.hpp>

#include "dupstrip/hash.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

TEST_CASE("LSH candidate rate follows the S-curve", "[statistical][lsh]") {
  constexpr std::uint32_t k = 128;
  constexpr int pairs = 500;
  const dupstrip::minhasher mh;  // k_hash, 128
  const std::uint64_t seed = 0x5eed2001;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> a;
  std::vector<std::uint64_t> b;
  std::vector<std::uint32_t> sa(k);
  std::vector<std::uint32_t> sb(k);
  constexpr std::uint64_t u = 200;  // |A ∪ B|; J = m / u, n = (u + m) / 2
  for (const dupstrip::lsh_params p : {dupstrip::lsh_params{16, 8}, dupstrip::lsh_params{9, 13},
                                       dupstrip::lsh_params{32, 4}}) {
    for (const std::uint64_t m : {40U, 80U, 100U, 120U, 140U, 160U, 180U}) {
      const std::uint64_t n = (u + m) / 2;
      const double j = static_cast<double>(m) / static_cast<double>(u);
      int candidates = 0;
      for (int t = 0; t < pairs; ++t) {
        const std::uint64_t salt = rng();
        a.clear();
        b.clear();
        for (std::uint64_t i = 0; i < n; ++i) a.push_back(dupstrip::detail::mix64(i ^ salt));
        for (std::uint64_t i = n - m; i < 2 * n - m; ++i) b.push_back(dupstrip::detail::mix64(i ^ salt));
        mh.compute(a, sa);
        mh.compute(b, sb);
        bool hit = false;
        for (std::uint32_t band = 0; band < p.bands && !hit; ++band) {
          hit = dupstrip::band_key(sa, band, p.rows) == dupstrip::band_key(sb, band, p.rows);
        }
        candidates += hit ? 1 : 0;
      }
      const double prob = dupstrip::candidate_probability(j, p);
      const double expected = pairs * prob;
      const double sd = std::sqrt(pairs * prob * (1 - prob));
      INFO("b=" << p.bands << " r=" << p.rows << " J=" << j << " candidates=" << candidates
                << " expected=" << expected << " sd=" << sd);
      // 4 binomial standard deviations; +0.5 covers the discreteness when prob is ~0 or ~1.
      CHECK(std::abs(candidates - expected) <= 4 * sd + 0.5);
    }
  }
}

TEST_CASE("identical signatures are always candidates", "[statistical][lsh]") {
  const dupstrip::minhasher mh;
  std::mt19937_64 rng(0x5eed2002);
  dupstrip::lsh_index idx(128, dupstrip::optimal_lsh_params(0.9, 128));
  std::vector<std::uint64_t> set(300);
  for (std::uint32_t id = 0; id < 200; ++id) {
    for (auto& x : set) x = rng();
    const auto s = mh.compute(set);
    idx.insert(id, s);
    const auto q = idx.query(s);
    REQUIRE(std::find(q.begin(), q.end(), id) != q.end());
  }
}

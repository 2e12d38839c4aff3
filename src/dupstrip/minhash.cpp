// MinHash: summarises a document's set of shingle hashes by K small integers such that the
// fraction of equal slots between two signatures estimates the Jaccard similarity of the sets.
// shingle.cpp produces the (already well mixed) 64-bit shingle hashes; lsh.cpp bands the
// signatures into candidate pairs and verifies them with estimate_jaccard(). The hash family,
// the seed derivation and the one-permutation densification rule are normative
// (doc/algorithm.md, "MinHash"): changing them changes every signature and needs a
// signature_format_version bump (tests/golden fails first).
#include <dupstrip/minhash.hpp>

#include <dupstrip/error.hpp>

#include "dupstrip/hash.hpp"
#include "dupstrip/mix_many.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <string>
#include <vector>

namespace dupstrip {
namespace {

constexpr std::uint32_t max_num_perm = 4096;

/// h_i(x) = upper 32 bits of (a_i * x + b_i) mod 2^64: Dietzfelbinger's multiply-add-shift.
/// x is already avalanche-mixed (shingle_hashes finalises with mix64), so the high bits of the
/// product, which depend on every bit of x, are close to uniform and independent across i.
constexpr std::uint32_t k_hash_value(std::uint64_t a, std::uint64_t b, std::uint64_t x) noexcept {
  return static_cast<std::uint32_t>((a * x + b) >> 32);
}

constexpr std::uint32_t min32(std::uint32_t a, std::uint32_t b) noexcept { return b < a ? b : a; }

/// out[i] = min(out[i], h_i(x)) over all shingles. Four shingles per pass over the slots:
/// a_i, b_i and out[i] are loaded once per four products, which is 25% faster than one
/// shingle per pass with gcc 12 -O2 on x86-64. The inner loop is branch-free over contiguous
/// arrays, so it vectorises where 64-bit vector multiplies exist (gcc -O3 with AVX2 doubles
/// the throughput); gcc's -O2 "very cheap" cost model leaves it scalar (see the report in
/// doc/algorithm_fingerprint.md, "Performance notes").
void k_hash_kernel(const std::uint64_t* __restrict mul, const std::uint64_t* __restrict add,
                   std::uint32_t* __restrict out, std::uint32_t k,
                   std::span<const std::uint64_t> xs) noexcept {
  const std::size_t n = xs.size();
  std::size_t s = 0;
  for (; s + 4 <= n; s += 4) {
    const std::uint64_t x0 = xs[s];
    const std::uint64_t x1 = xs[s + 1];
    const std::uint64_t x2 = xs[s + 2];
    const std::uint64_t x3 = xs[s + 3];
    for (std::uint32_t i = 0; i < k; ++i) {
      const std::uint64_t a = mul[i];
      const std::uint64_t b = add[i];
      const std::uint32_t m = min32(min32(k_hash_value(a, b, x0), k_hash_value(a, b, x1)),
                                    min32(k_hash_value(a, b, x2), k_hash_value(a, b, x3)));
      out[i] = min32(out[i], m);
    }
  }
  for (; s < n; ++s) {
    const std::uint64_t x = xs[s];
    for (std::uint32_t i = 0; i < k; ++i) out[i] = min32(out[i], k_hash_value(mul[i], add[i], x));
  }
}

/// Value given to an empty bin that borrows from the non-empty bin `d` places to its right
/// (one_permutation densification): mix64 of (donor value, distance), truncated to 32 bits.
/// Including d keeps borrowed values distinct from the donor's own value.
constexpr std::uint32_t densified_value(std::uint32_t donor, std::uint32_t d) noexcept {
  return static_cast<std::uint32_t>(detail::mix64((std::uint64_t{donor} << 32) | d));
}

void check_size(std::size_t got, std::uint32_t want) {
  if (got != want) {
    throw config_error("signature buffer has " + std::to_string(got) + " slots, num_perm is " +
                       std::to_string(want));
  }
}

}  // namespace

void minhash_options::validate() const {
  if (num_perm == 0 || num_perm > max_num_perm) {
    throw config_error("num_perm must be in 1.." + std::to_string(max_num_perm) + " (got " +
                       std::to_string(num_perm) + ")");
  }
  if (scheme != minhash_scheme::k_hash && scheme != minhash_scheme::one_permutation) {
    throw config_error("unknown minhash scheme");
  }
}

minhasher::minhasher(const minhash_options& options) : options_(options), num_perm_(0) {
  options_.validate();
  num_perm_ = options_.num_perm;
  // Seed derivation (normative): one splitmix64 stream from the master seed.
  //   k_hash:          for i = 0..K-1: a_i = next() | 1, b_i = next()   (a_i odd)
  //   one_permutation: s = next(); the one hash is g(x) = mix64(x ^ s)
  // The k_hash stream is a prefix property: the first K' functions of a K-function minhasher
  // are those of a K'-function minhasher with the same seed.
  std::uint64_t state = options_.seed;
  if (options_.scheme == minhash_scheme::k_hash) {
    mul_.resize(num_perm_);
    add_.resize(num_perm_);
    for (std::uint32_t i = 0; i < num_perm_; ++i) {
      mul_[i] = detail::splitmix64(state) | 1U;
      add_[i] = detail::splitmix64(state);
    }
  } else {
    add_.assign(1, detail::splitmix64(state));
  }
}

void minhasher::compute(std::span<const std::uint64_t> shingles,
                        std::span<std::uint32_t> out) const {
  check_size(out.size(), num_perm_);
  std::fill(out.begin(), out.end(), empty_slot);
  if (options_.scheme == minhash_scheme::k_hash) {
    k_hash_kernel(mul_.data(), add_.data(), out.data(), num_perm_, shingles);
    return;
  }

  // one_permutation: g(x) = mix64(x ^ s); bin = (hi32(g) * K) >> 32 (the high bits choose the
  // bin, uniformly for any K), value = lo32(g); each bin keeps its minimum value.
  if (shingles.empty()) return;
  const std::uint64_t s = add_[0];
  const std::uint32_t k = num_perm_;
  std::array<std::uint64_t, max_num_perm / 64> filled;  // bit j: bin j got a shingle
  const std::uint32_t words = (k + 63) / 64;
  std::fill_n(filled.begin(), words, std::uint64_t{0});
  // g for every shingle first (mix64_xor_into vectorises it where it can), then the bins.
  thread_local std::vector<std::uint64_t> mixed;
  if (mixed.size() < shingles.size()) mixed.resize(shingles.size());
  detail::mix64_xor_into(shingles.data(), mixed.data(), shingles.size(), s);
  for (std::size_t i = 0; i < shingles.size(); ++i) {
    const std::uint64_t g = mixed[i];
    const auto bin = static_cast<std::uint32_t>(((g >> 32) * k) >> 32);
    const auto v = static_cast<std::uint32_t>(g);
    out[bin] = min32(out[bin], v);
    filled[bin / 64] |= std::uint64_t{1} << (bin % 64);
  }
  auto is_filled = [&](std::uint32_t j) { return ((filled[j / 64] >> (j % 64)) & 1U) != 0; };
  // Densification by rotation (Shrivastava & Li 2014): an empty bin j takes the value of the
  // first non-empty bin to its right, circularly, at distance d >= 1, as
  // densified_value(value, d). Distances are measured on the bins filled by shingles, never on
  // bins filled by densification. Walking from the right, `next` is the nearest filled bin to
  // the right in unrolled positions: the first filled bin plus K until a filled bin is passed.
  std::uint32_t first = 0;
  for (std::uint32_t w = 0; w < words; ++w) {
    if (filled[w] != 0) {
      first = w * 64 + static_cast<std::uint32_t>(std::countr_zero(filled[w]));
      break;
    }
  }
  std::uint32_t next = first + k;
  for (std::uint32_t j = k; j-- > 0;) {
    if (is_filled(j)) {
      next = j;
    } else {
      out[j] = densified_value(out[next < k ? next : next - k], next - j);
    }
  }
}

std::vector<std::uint32_t> minhasher::compute(std::span<const std::uint64_t> shingles) const {
  std::vector<std::uint32_t> out(num_perm_);
  compute(shingles, out);
  return out;
}

void minhasher::update(std::span<const std::uint64_t> shingles,
                       std::span<std::uint32_t> out) const {
  if (options_.scheme != minhash_scheme::k_hash) {
    throw config_error("minhasher::update needs the k_hash scheme (one_permutation signatures "
                       "are densified and cannot be merged)");
  }
  check_size(out.size(), num_perm_);
  k_hash_kernel(mul_.data(), add_.data(), out.data(), num_perm_, shingles);
}

double estimate_jaccard(std::span<const std::uint32_t> a,
                        std::span<const std::uint32_t> b) noexcept {
  const std::size_t n = std::min(a.size(), b.size());
  if (n == 0) return 0.0;
  std::size_t equal = 0;
  for (std::size_t i = 0; i < n; ++i) equal += a[i] == b[i] ? 1U : 0U;
  return static_cast<double>(equal) / static_cast<double>(n);
}

}  // namespace dupstrip

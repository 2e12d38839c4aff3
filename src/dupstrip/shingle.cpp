// Shingling: turns a document's token hashes into the set of hashes of its k-token windows,
// the set MinHash summarises. It sits between text.cpp (tokens -> 64-bit token hashes) and
// minhash.cpp (set of 64-bit shingle hashes -> signature). The rolling hash makes every window
// O(1) regardless of k; shingle_hash() recomputes one window from scratch and is the oracle the
// tests compare the rolling values against. The constants are normative (doc/algorithm.md,
// "Shingles"): changing any of them changes every signature and needs a
// signature_format_version bump (tests/golden fails first).
#include <dupstrip/shingle.hpp>

#include <dupstrip/error.hpp>

#include "dupstrip/mix_many.hpp"
#include "dupstrip/shingle_kernel.hpp"

#include <string>

namespace dupstrip {

void shingle_options::validate() const {
  if (size == 0 || size > detail::max_shingle_size) {
    throw config_error("shingle size must be in 1.." + std::to_string(detail::max_shingle_size) +
                       " (got " + std::to_string(size) + ")");
  }
}

void shingle_hashes(std::span<const std::uint64_t> token_hashes, std::uint32_t k,
                    std::vector<std::uint64_t>& out) {
  if (k == 0) throw config_error("shingle size must be at least 1 (got 0)");
  const std::size_t n = token_hashes.size();
  if (n == 0) return;
  if (n < k) {
    // A document shorter than one window still gets one shingle: the whole sequence, whose
    // length-dependent finaliser keeps it distinct from any full-length window.
    out.push_back(shingle_hash(token_hashes));
    return;
  }
  const std::uint64_t top = detail::shingle_base_pow(k - 1);  // B^(k-1): weight of the outgoing token

  // The polynomial values first, then their finaliser over the whole range at once (it is
  // shingle_finalise(h, k) = mix64(h ^ k * salt): mix64_xor_all vectorises it where it can).
  const std::size_t from = out.size();
  out.resize(from + (n - k + 1));
  std::uint64_t* const w = out.data() + from;
  std::uint64_t h = 0;
  for (std::size_t i = 0; i < k; ++i) h = h * detail::shingle_base + token_hashes[i];
  w[0] = h;
  for (std::size_t i = k; i < n; ++i) {
    // Drop the oldest term (weight B^(k-1)), shift the rest up one power, add the new token.
    h = (h - token_hashes[i - k] * top) * detail::shingle_base + token_hashes[i];
    w[i - k + 1] = h;
  }
  detail::mix64_xor_all(w, n - k + 1, std::uint64_t{k} * detail::shingle_length_salt);
}

std::uint64_t shingle_hash(std::span<const std::uint64_t> window) noexcept {
  std::uint64_t h = 0;
  for (const std::uint64_t t : window) h = h * detail::shingle_base + t;  // Horner's rule
  return detail::shingle_finalise(h, window.size());
}

}  // namespace dupstrip

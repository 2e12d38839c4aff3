/// @file minhash.hpp
/// @brief MinHash signatures and the Jaccard estimate.
#pragma once

#include <dupstrip/export.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace dupstrip {

/// How the K signature values are produced.
enum class minhash_scheme : std::uint8_t {
  k_hash,          ///< K independent hash functions (seeds derived from the master seed)
  one_permutation  ///< one hash, K bins, densified by rotation (Shrivastava 2017)
};

/// MinHash options.
struct minhash_options {
  std::uint32_t num_perm = 128;                 ///< signature length K, 1..4096
  std::uint64_t seed = 0x64757073747269ULL;     ///< master seed ("dupstri"); per-function seeds derive from it
  minhash_scheme scheme = minhash_scheme::k_hash;
  /// Throws config_error on num_perm outside 1..4096.
  void validate() const;
};

/// Value of every signature slot of an empty set.
inline constexpr std::uint32_t empty_slot = 0xFFFFFFFFu;

/// Computes MinHash signatures of sets of 64-bit shingle hashes.
/// @threadsafety const member functions may be called concurrently.
class DUPSTRIP_EXPORT minhasher {
 public:
  /// @throws config_error when options are invalid.
  explicit minhasher(const minhash_options& options = {});

  [[nodiscard]] std::uint32_t num_perm() const noexcept { return num_perm_; }
  [[nodiscard]] const minhash_options& options() const noexcept { return options_; }

  /// Overwrites `out` (size num_perm()) with the signature of the set `shingles`
  /// (duplicates in `shingles` do not matter). An empty set gives all `empty_slot`.
  void compute(std::span<const std::uint64_t> shingles, std::span<std::uint32_t> out) const;
  /// Convenience overload returning a new vector.
  [[nodiscard]] std::vector<std::uint32_t> compute(std::span<const std::uint64_t> shingles) const;
  /// Merges the shingles into an existing signature: out[i] = min(out[i], h_i(x)). The
  /// signature of a union is the slot-wise minimum of the signatures. (k_hash scheme only;
  /// one_permutation must be computed in one call because densification is not mergeable.)
  void update(std::span<const std::uint64_t> shingles, std::span<std::uint32_t> out) const;

 private:
  minhash_options options_;
  std::uint32_t num_perm_;
  std::vector<std::uint64_t> mul_;  // per-function odd multipliers
  std::vector<std::uint64_t> add_;  // per-function offsets
};

/// Fraction of equal slots: the unbiased MinHash estimate of the Jaccard similarity.
/// Two empty-set signatures compare as 1.0 (all slots are empty_slot); callers that must treat
/// empty documents apart check for them first. Returns 0.0 for empty spans.
/// @pre a.size() == b.size() > 0.
[[nodiscard]] DUPSTRIP_EXPORT double estimate_jaccard(std::span<const std::uint32_t> a,
                                                      std::span<const std::uint32_t> b) noexcept;

}  // namespace dupstrip

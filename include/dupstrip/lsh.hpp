/// @file lsh.hpp
/// @brief LSH banding, candidate generation and union-find clustering with verification.
#pragma once

#include <dupstrip/export.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dupstrip {

/// b bands of r rows; b * r <= num_perm (the remaining slots are unused by banding).
struct lsh_params {
  std::uint32_t bands = 0;
  std::uint32_t rows = 0;
  friend bool operator==(const lsh_params&, const lsh_params&) = default;
};

/// Probability that a pair of Jaccard similarity `j` shares at least one band:
/// 1 - (1 - j^r)^b.
[[nodiscard]] DUPSTRIP_EXPORT double candidate_probability(double j, lsh_params p) noexcept;

/// Chooses (b, r) with b * r <= num_perm minimising
/// fp_weight * integral_0^t P(j) dj + fn_weight * integral_t^1 (1 - P(j)) dj
/// (the usual optimal-parameter search). Each integral uses the composite Simpson rule with
/// 1000 intervals. Deterministic; errors within 1e-12 are ties, which go to the larger b*r,
/// then to the larger b. Costs O(num_perm * log(num_perm) * 2000) flops: ~1 ms for 128.
/// @throws config_error when threshold is outside (0, 1), num_perm == 0, or a weight is
/// negative or not finite.
[[nodiscard]] DUPSTRIP_EXPORT lsh_params optimal_lsh_params(double threshold,
                                                            std::uint32_t num_perm,
                                                            double fp_weight = 0.5,
                                                            double fn_weight = 0.5);

/// 64-bit key of band `band` (rows band*r .. band*r + r - 1) of a signature; the band index is
/// mixed in so equal rows in different bands never collide: XXH3-64 of the r rows as
/// little-endian bytes, seeded with `band`. Returns 0 when the band lies outside `signature`.
[[nodiscard]] DUPSTRIP_EXPORT std::uint64_t band_key(std::span<const std::uint32_t> signature,
                                                     std::uint32_t band,
                                                     std::uint32_t rows) noexcept;

/// Disjoint sets over 0..n-1 whose representative is always the smallest member, so that the
/// result of a series of unions does not depend on their order.
class DUPSTRIP_EXPORT union_find {
 public:
  explicit union_find(std::size_t n = 0);
  void reset(std::size_t n);
  [[nodiscard]] std::size_t size() const noexcept { return parent_.size(); }
  /// Representative (smallest member) of x's set; path halving.
  std::uint32_t find(std::uint32_t x) noexcept;
  /// Joins the sets of a and b; returns true when they were different.
  bool unite(std::uint32_t a, std::uint32_t b) noexcept;

 private:
  std::vector<std::uint32_t> parent_;
};

/// Options of cluster_signatures().
struct cluster_options {
  double threshold = 0.8;  ///< link a candidate pair only when estimate_jaccard >= threshold
  lsh_params params{};     ///< bands/rows; {0,0} means optimal_lsh_params(threshold, num_perm)
  /// In one bucket, a member is verified against at most this many earlier members that are
  /// not already in its cluster, so that a huge bucket of unrelated documents costs
  /// O(size * max_bucket_checks), not O(size^2).
  std::uint32_t max_bucket_checks = 32;
  /// Threads for band keys and bucket sorting (0: hardware_concurrency()); verification runs
  /// in a fixed sequential order, so the result does not depend on it.
  unsigned jobs = 1;
  /// Bytes the band keys may take at once (16 per document and band): bands are keyed in
  /// passes of as many bands as fit, at least one. The result does not depend on it.
  std::size_t key_memory = std::size_t{32} << 20;
  /// The order in which a bucket visits its members: visit_order[d] is document d's position
  /// (a permutation of 0..n-1). Empty: document order. Only matters when a member exhausts
  /// max_bucket_checks; a caller whose documents have names passes their name order, so that
  /// the clusters do not depend on the order of the input even then.
  std::span<const std::uint32_t> visit_order{};
};

/// Reads the signatures of documents [first, first + count) into `out` (count * num_perm
/// slots). Called from several threads at once (on distinct ranges).
using signature_reader =
    std::function<void(std::uint32_t first, std::uint32_t count, std::span<std::uint32_t> out)>;

/// Clusters documents by MinHash similarity: candidates are pairs sharing a band, every
/// candidate is verified by its estimated Jaccard against the threshold (a bare bucket
/// collision never links), verified pairs are joined with union-find.
/// @param signatures n * num_perm values, document i at [i*num_perm, (i+1)*num_perm).
/// @param active     optional, n flags; inactive documents (e.g. empty) stay singletons.
/// Buckets are processed band by band, in key order, each in document order; when no bucket
/// exhausts max_bucket_checks the clusters are exactly the connected components of the
/// verified candidate graph, hence independent of document order too.
/// With params {0,0} and threshold 1, the layout is one band of num_perm rows (exact matches).
/// @return for each document the smallest document index of its cluster.
/// @throws config_error on inconsistent sizes or parameters (threshold outside (0, 1],
/// max_bucket_checks == 0, bands * rows > num_perm, active.size() not 0 or n).
/// @complexity O(n * b) band keys, O(n * b log n) sorting, and per bucket member at most
/// max_bucket_checks signature comparisons; memory 16 * n * b bytes for the keys.
[[nodiscard]] DUPSTRIP_EXPORT std::vector<std::uint32_t> cluster_signatures(
    std::span<const std::uint32_t> signatures, std::uint32_t num_perm,
    const cluster_options& options, std::span<const std::uint8_t> active = {});

/// The same clustering over signatures that are not in memory (a run's temporary file): reads
/// them in passes of options.key_memory, and again one by one for verification. Same result
/// as the overload above on the same signatures.
[[nodiscard]] DUPSTRIP_EXPORT std::vector<std::uint32_t> cluster_signatures(
    std::size_t n, std::uint32_t num_perm, const signature_reader& read, const cluster_options& options,
    std::span<const std::uint8_t> active = {});

/// An incremental LSH index: insert signatures with ids, query candidates.
/// @threadsafety query() may be called concurrently; insert() must not run concurrently with
/// anything else on the same index.
class DUPSTRIP_EXPORT lsh_index {
 public:
  /// @throws config_error when bands * rows > num_perm or either is 0.
  lsh_index(std::uint32_t num_perm, lsh_params params);
  /// Adds a signature (size num_perm) under `id`. Inserting the same id twice is harmless.
  /// @throws config_error when signature.size() != num_perm.
  void insert(std::uint32_t id, std::span<const std::uint32_t> signature);
  /// Ids sharing at least one band with `signature`, sorted, without duplicates.
  /// @throws config_error when signature.size() != num_perm.
  [[nodiscard]] std::vector<std::uint32_t> query(std::span<const std::uint32_t> signature) const;
  /// Number of insert() calls.
  [[nodiscard]] std::size_t size() const noexcept { return count_; }

 private:
  std::uint32_t num_perm_;
  lsh_params params_;
  std::size_t count_ = 0;
  // one hash table per band: band key -> ids in insertion order
  std::vector<std::unordered_map<std::uint64_t, std::vector<std::uint32_t>>> tables_;
};

}  // namespace dupstrip

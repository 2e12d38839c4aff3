// Locality-sensitive hashing: turns MinHash signatures (minhash.cpp) into near-duplicate
// clusters without comparing all pairs. Signatures are cut into b bands of r rows; documents
// sharing a band key are candidates; every candidate pair is verified by its estimated Jaccard
// (a bucket collision alone never links) and verified pairs are joined with a union-find whose
// representative is the smallest document index. The pipeline calls cluster_signatures() once
// per run; lsh_index serves incremental use (query a new document against a corpus).
//
// Determinism: band keys and bucket sorting run on `jobs` threads, but buckets are then
// processed sequentially in (band, key, document) order, so the union-find sees the same
// sequence of unions whatever the number of threads. When no bucket hits max_bucket_checks,
// the clusters are exactly the connected components of the verified candidate graph and so
// also independent of document order.
#include <dupstrip/lsh.hpp>

#include <dupstrip/error.hpp>
#include <dupstrip/minhash.hpp>

#include "dupstrip/hash.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <string>
#include <thread>

namespace dupstrip {
namespace {

/// Intervals of the composite Simpson rule used by optimal_lsh_params, per integral (even).
constexpr int integration_steps = 1000;
/// Two parameter choices whose weighted errors differ by no more than this are tied (absorbs
/// last-ulp differences between libm implementations, so the choice is portable).
constexpr double tie_tolerance = 1e-12;

void check_params(lsh_params p, std::uint32_t num_perm) {
  if (p.bands == 0 || p.rows == 0 ||
      std::uint64_t{p.bands} * std::uint64_t{p.rows} > std::uint64_t{num_perm}) {
    throw config_error("LSH needs bands >= 1, rows >= 1 and bands * rows <= num_perm (got " +
                       std::to_string(p.bands) + " x " + std::to_string(p.rows) + " for " +
                       std::to_string(num_perm) + " permutations)");
  }
}

unsigned effective_jobs(unsigned jobs) {
  if (jobs != 0) return jobs;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

/// Runs fn(t) for t in 0..jobs-1, on jobs-1 extra threads plus the calling thread. The first
/// exception (a signature reader's I/O error) is rethrown once every thread has stopped.
template <class Fn>
void run_parallel(unsigned jobs, Fn&& fn) {
  if (jobs <= 1) {
    fn(0U);
    return;
  }
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto guarded = [&](unsigned t) {
    try {
      fn(t);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> threads;
    threads.reserve(jobs - 1);
    for (unsigned t = 1; t < jobs; ++t) threads.emplace_back([&guarded, t] { guarded(t); });
    guarded(0U);
  }  // jthreads join here
  if (failure) std::rethrow_exception(failure);
}

/// The clusters met so far in one bucket: a root (refreshed lazily) and the bucket members
/// that joined it, in document order.
struct bucket_cluster {
  std::uint32_t root;
  std::vector<std::uint32_t> members;
  bool alive = true;
};

}  // namespace

// ------------------------------------------------------------------------ parameters

double candidate_probability(double j, lsh_params p) noexcept {
  if (p.bands == 0 || p.rows == 0) return 0.0;
  j = std::clamp(j, 0.0, 1.0);
  return 1.0 - std::pow(1.0 - std::pow(j, static_cast<double>(p.rows)),
                        static_cast<double>(p.bands));
}

lsh_params optimal_lsh_params(double threshold, std::uint32_t num_perm, double fp_weight,
                              double fn_weight) {
  if (!(threshold > 0.0 && threshold < 1.0)) {
    throw config_error("LSH threshold must be in (0, 1) (got " + std::to_string(threshold) + ")");
  }
  if (num_perm == 0) throw config_error("num_perm must be at least 1 (got 0)");
  if (!(fp_weight >= 0.0) || !(fn_weight >= 0.0) || !std::isfinite(fp_weight) ||
      !std::isfinite(fn_weight)) {
    throw config_error("LSH error weights must be finite and non-negative");
  }

  // Simpson grids: points j on [0, t] (false positives) and [t, 1] (false negatives), each
  // with its Simpson weight (1, 4, 2, 4, ..., 4, 1) * h / 3.
  constexpr int points = integration_steps + 1;
  std::array<double, 2 * points> grid{};
  std::array<double, 2 * points> weight{};
  const double h_fp = threshold / integration_steps;
  const double h_fn = (1.0 - threshold) / integration_steps;
  for (int k = 0; k < points; ++k) {
    const double w = (k == 0 || k == integration_steps) ? 1.0 : (k % 2 == 1 ? 4.0 : 2.0);
    const auto i = static_cast<std::size_t>(k);
    grid[i] = h_fp * k;
    weight[i] = w * h_fp / 3.0;
    grid[points + i] = k == integration_steps ? 1.0 : threshold + h_fn * k;
    weight[points + i] = w * h_fn / 3.0;
  }

  // P(j) = 1 - (1 - j^r)^b. For a fixed r, miss[i] = (1 - j_i^r)^b is kept for b = 1, 2, ...
  // by one multiplication per grid point and step of b, so the whole search is a few
  // multiply-adds per (b, r) pair and grid point (vectorisable), not a pow(); j_i^r itself is
  // one multiplication per step of r (its rounding, under 1e-13 relative for r <= 1,000, is far
  // inside the tie tolerance).
  std::array<double, 2 * points> power{};
  std::array<double, 2 * points> base{};
  std::array<double, 2 * points> miss{};
  power.fill(1.0);
  lsh_params best{};
  double best_err = std::numeric_limits<double>::infinity();
  for (std::uint32_t r = 1; r <= num_perm; ++r) {
    for (std::size_t i = 0; i < grid.size(); ++i) {
      power[i] *= grid[i];
      base[i] = 1.0 - power[i];
      miss[i] = 1.0;
    }
    for (std::uint32_t b = 1; std::uint64_t{b} * r <= num_perm; ++b) {
      double fp = 0.0;
      double fn = 0.0;
      for (std::size_t i = 0; i < points; ++i) {
        miss[i] *= base[i];
        fp += weight[i] * (1.0 - miss[i]);
      }
      for (std::size_t i = points; i < grid.size(); ++i) {
        miss[i] *= base[i];
        fn += weight[i] * miss[i];
      }
      const double err = fp_weight * fp + fn_weight * fn;
      const std::uint64_t prod = std::uint64_t{b} * r;
      const std::uint64_t best_prod = std::uint64_t{best.bands} * best.rows;
      const bool better = err < best_err - tie_tolerance;
      const bool tie = !better && err <= best_err + tie_tolerance;
      // Ties: the larger b * r, then the larger b.
      if (better || (tie && (prod > best_prod || (prod == best_prod && b > best.bands)))) {
        best = {b, r};
        if (better) best_err = err;
      }
    }
  }
  return best;
}

// ------------------------------------------------------------------------ band keys

std::uint64_t band_key(std::span<const std::uint32_t> signature, std::uint32_t band,
                       std::uint32_t rows) noexcept {
  const std::size_t first = std::size_t{band} * rows;
  if (rows == 0 || first + rows > signature.size()) return 0;
  const std::uint32_t* p = signature.data() + first;
  // The bytes hashed are the rows in little-endian order (normative), so keys are portable.
  if constexpr (std::endian::native == std::endian::little) {
    return detail::xxh3_64(p, std::size_t{rows} * sizeof(std::uint32_t), band);
  } else {
    std::array<unsigned char, 4096 * sizeof(std::uint32_t)> bytes{};
    const std::size_t n = std::min<std::size_t>(rows, 4096);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < 4; ++k) {
        bytes[4 * i + k] = static_cast<unsigned char>(p[i] >> (8 * k));
      }
    }
    return detail::xxh3_64(bytes.data(), 4 * n, band);
  }
}

// ------------------------------------------------------------------------ union-find

union_find::union_find(std::size_t n) { reset(n); }

void union_find::reset(std::size_t n) {
  if (n > std::numeric_limits<std::uint32_t>::max()) {
    throw config_error("union_find holds at most 2^32 - 1 elements");
  }
  parent_.resize(n);
  for (std::size_t i = 0; i < n; ++i) parent_[i] = static_cast<std::uint32_t>(i);
}

std::uint32_t union_find::find(std::uint32_t x) noexcept {
  while (parent_[x] != x) {
    parent_[x] = parent_[parent_[x]];  // path halving
    x = parent_[x];
  }
  return x;
}

bool union_find::unite(std::uint32_t a, std::uint32_t b) noexcept {
  a = find(a);
  b = find(b);
  if (a == b) return false;
  // The larger root always goes under the smaller one, so every root is its set's minimum.
  if (a < b) {
    parent_[b] = a;
  } else {
    parent_[a] = b;
  }
  return true;
}

// ------------------------------------------------------------------------ clustering

namespace {

// Both overloads: signatures come from `read` or, when `direct` is not null, from memory
// (then neither the verification cache nor block copies are needed).
std::vector<std::uint32_t> cluster_impl(std::size_t n_docs, std::uint32_t num_perm, const signature_reader* read,
                                        const std::uint32_t* direct, const cluster_options& options,
                                        std::span<const std::uint8_t> active);

}  // namespace

std::vector<std::uint32_t> cluster_signatures(std::span<const std::uint32_t> signatures,
                                              std::uint32_t num_perm,
                                              const cluster_options& options,
                                              std::span<const std::uint8_t> active) {
  if (num_perm == 0) throw config_error("num_perm must be at least 1 (got 0)");
  if (signatures.size() % num_perm != 0) {
    throw config_error("signature array size " + std::to_string(signatures.size()) +
                       " is not a multiple of num_perm " + std::to_string(num_perm));
  }
  return cluster_impl(signatures.size() / num_perm, num_perm, nullptr, signatures.data(), options, active);
}

std::vector<std::uint32_t> cluster_signatures(std::size_t n_docs, std::uint32_t num_perm,
                                              const signature_reader& read,
                                              const cluster_options& options,
                                              std::span<const std::uint8_t> active) {
  return cluster_impl(n_docs, num_perm, &read, nullptr, options, active);
}

namespace {

std::vector<std::uint32_t> cluster_impl(std::size_t n_docs, std::uint32_t num_perm, const signature_reader* read,
                                        const std::uint32_t* direct, const cluster_options& options,
                                        std::span<const std::uint8_t> active) {
  if (num_perm == 0) throw config_error("num_perm must be at least 1 (got 0)");
  if (n_docs > std::numeric_limits<std::uint32_t>::max()) {
    throw config_error("cluster_signatures handles at most 2^32 - 1 documents");
  }
  const auto n = static_cast<std::uint32_t>(n_docs);
  if (!active.empty() && active.size() != n) {
    throw config_error("active flags: " + std::to_string(active.size()) + " for " +
                       std::to_string(n) + " documents");
  }
  if (!(options.threshold > 0.0 && options.threshold <= 1.0)) {
    throw config_error("similarity threshold must be in (0, 1] (got " +
                       std::to_string(options.threshold) + ")");
  }
  if (options.max_bucket_checks == 0) throw config_error("max_bucket_checks must be at least 1");
  lsh_params params = options.params;
  if (params == lsh_params{}) {
    // Threshold 1 asks for exact signature matches: one band of all rows finds exactly those.
    params = options.threshold < 1.0 ? optimal_lsh_params(options.threshold, num_perm)
                                     : lsh_params{1, num_perm};
  }
  check_params(params, num_perm);
  const bool reordered = !options.visit_order.empty();
  if (reordered && options.visit_order.size() != n) throw config_error("visit_order must have one entry per document");
  std::vector<std::uint32_t> doc_at;  // the document at each visiting position
  if (reordered) {
    doc_at.assign(n, std::numeric_limits<std::uint32_t>::max());
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t p = options.visit_order[i];
      if (p >= n || doc_at[p] != std::numeric_limits<std::uint32_t>::max())
        throw config_error("visit_order must be a permutation");
      doc_at[p] = i;
    }
  }

  std::vector<std::uint32_t> docs;
  docs.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (active.empty() || active[i] != 0) docs.push_back(i);
  }

  // Verification reads signatures one at a time, through a small direct-mapped cache (a
  // bucket compares each member with a few recent members).
  constexpr std::size_t cache_slots = 256;
  std::vector<std::uint32_t> cache(direct != nullptr ? 0 : cache_slots * num_perm);
  std::vector<std::uint32_t> cached(direct != nullptr ? 0 : cache_slots, std::numeric_limits<std::uint32_t>::max());
  auto sig = [&](std::uint32_t d) {
    if (direct != nullptr) return std::span<const std::uint32_t>(direct + std::size_t{d} * num_perm, num_perm);
    const std::size_t slot = d % cache_slots;
    const std::span<std::uint32_t> s(cache.data() + slot * num_perm, num_perm);
    if (cached[slot] != d) {
      (*read)(d, 1, s);
      cached[slot] = d;
    }
    return std::span<const std::uint32_t>(s);
  };

  const unsigned jobs = std::max(1U, std::min<unsigned>(effective_jobs(options.jobs),
                                                        static_cast<unsigned>(std::min<std::size_t>(
                                                            docs.size() / 256 + 1, 1024))));
  using entry = std::pair<std::uint64_t, std::uint32_t>;
  const std::size_t per_band = std::max<std::size_t>(1, docs.size()) * sizeof(entry);
  const auto pass_bands = static_cast<std::uint32_t>(
      std::clamp<std::size_t>(options.key_memory / per_band, 1, params.bands));
  std::vector<std::vector<entry>> bands(std::min(pass_bands, params.bands));
  union_find uf(n);
  std::vector<bucket_cluster> clusters;
  for (std::uint32_t b0 = 0; b0 < params.bands; b0 += pass_bands) {
    const std::uint32_t nb = std::min(pass_bands, params.bands - b0);
    // 1. (key, doc) pairs of bands [b0, b0 + nb), documents split into contiguous ranges
    //    across threads, their signatures read in blocks of consecutive documents.
    for (std::uint32_t b = 0; b < nb; ++b) bands[b].resize(docs.size());
    run_parallel(jobs, [&](unsigned t) {
      const std::size_t lo = docs.size() * t / jobs;
      const std::size_t hi = docs.size() * (t + 1) / jobs;
      constexpr std::size_t block = 1024;
      std::vector<std::uint32_t> buf;
      for (std::size_t i = lo; i < hi;) {
        const std::uint32_t first = docs[i];
        const std::uint32_t span_docs = std::min<std::uint32_t>(
            static_cast<std::uint32_t>(block), docs[hi - 1] - first + 1);
        const std::uint32_t* at = nullptr;
        if (direct != nullptr) {
          at = direct + std::size_t{first} * num_perm;
        } else {
          buf.resize(std::size_t{span_docs} * num_perm);
          (*read)(first, span_docs, buf);
          at = buf.data();
        }
        for (; i < hi && docs[i] < first + span_docs; ++i) {
          const std::span<const std::uint32_t> s(at + std::size_t{docs[i] - first} * num_perm, num_perm);
          const std::uint32_t visit = reordered ? options.visit_order[docs[i]] : docs[i];
          for (std::uint32_t b = 0; b < nb; ++b) bands[b][i] = {band_key(s, b0 + b, params.rows), visit};
        }
      }
    });
    // 2. Sort every band by (key, visiting position): a bucket is a run of equal keys, in
    //    visiting order (document order unless visit_order says otherwise).
    const unsigned sort_jobs = std::min(jobs, nb);
    run_parallel(sort_jobs, [&](unsigned t) {
      for (std::uint32_t b = t; b < nb; b += sort_jobs) std::sort(bands[b].begin(), bands[b].end());
    });

    // 3. Verify buckets sequentially, band by band, in key order. In a bucket, each member (in
    //    document order) is compared with earlier members of the clusters met so far in this
    //    bucket, most recent cluster first and most recent member first; members of its own
    //    cluster are skipped for free, and at most max_bucket_checks comparisons are spent.
    //    Comparing with one cluster stops at its first verified member.
    for (std::uint32_t bi = 0; bi < nb; ++bi) {
      const std::vector<entry>& band = bands[bi];
      for (std::size_t lo = 0; lo < band.size();) {
        std::size_t hi = lo + 1;
        while (hi < band.size() && band[hi].first == band[lo].first) ++hi;
        if (hi - lo >= 2) {
          clusters.clear();
          for (std::size_t m = lo; m < hi; ++m) {
            const std::uint32_t doc = reordered ? doc_at[band[m].second] : band[m].second;
            std::size_t joined = clusters.size();  // index of the cluster `doc` belongs to
            std::uint32_t checks = 0;
            bool merged = false;
            for (std::size_t c = clusters.size(); c-- > 0;) {
              bucket_cluster& cl = clusters[c];
              if (!cl.alive) continue;
              cl.root = uf.find(cl.root);
              if (cl.root == uf.find(doc)) {
                if (joined == clusters.size()) {
                  joined = c;
                } else {
                  merged = true;
                  clusters[joined].members.insert(clusters[joined].members.end(), cl.members.begin(),
                                                  cl.members.end());
                  cl.alive = false;
                }
                continue;
              }
              if (checks >= options.max_bucket_checks) continue;  // still look for own cluster
              for (std::size_t k = cl.members.size(); k-- > 0 && checks < options.max_bucket_checks;) {
                ++checks;
                const std::uint32_t other = cl.members[k];
                // Both signatures must be in the cache at once: distinct slots, or copy one.
                bool similar = false;
                if (direct != nullptr || doc % cache_slots != other % cache_slots) {
                  similar = estimate_jaccard(sig(doc), sig(other)) >= options.threshold;
                } else {
                  const std::vector<std::uint32_t> mine(sig(doc).begin(), sig(doc).end());
                  similar = estimate_jaccard(mine, sig(other)) >= options.threshold;
                }
                if (similar) {
                  uf.unite(doc, other);
                  if (joined == clusters.size()) {
                    joined = c;
                  } else {
                    merged = true;
                    clusters[joined].members.insert(clusters[joined].members.end(),
                                                    cl.members.begin(), cl.members.end());
                    cl.alive = false;
                  }
                  break;
                }
              }
            }
            if (joined == clusters.size()) {
              clusters.push_back({uf.find(doc), {doc}, true});
            } else {
              clusters[joined].members.push_back(doc);
            }
            if (merged) {
              std::erase_if(clusters, [](const bucket_cluster& cl) { return !cl.alive; });
            }
          }
        }
        lo = hi;
      }
    }
  }

  std::vector<std::uint32_t> result(n);
  for (std::uint32_t i = 0; i < n; ++i) result[i] = uf.find(i);
  return result;
}

}  // namespace

// ------------------------------------------------------------------------ lsh_index

lsh_index::lsh_index(std::uint32_t num_perm, lsh_params params)
    : num_perm_(num_perm), params_(params) {
  check_params(params_, num_perm_);
  tables_.resize(params_.bands);
}

void lsh_index::insert(std::uint32_t id, std::span<const std::uint32_t> signature) {
  if (signature.size() != num_perm_) {
    throw config_error("signature has " + std::to_string(signature.size()) +
                       " slots, the index expects " + std::to_string(num_perm_));
  }
  for (std::uint32_t b = 0; b < params_.bands; ++b) {
    tables_[b][band_key(signature, b, params_.rows)].push_back(id);
  }
  ++count_;
}

std::vector<std::uint32_t> lsh_index::query(std::span<const std::uint32_t> signature) const {
  if (signature.size() != num_perm_) {
    throw config_error("signature has " + std::to_string(signature.size()) +
                       " slots, the index expects " + std::to_string(num_perm_));
  }
  std::vector<std::uint32_t> ids;
  for (std::uint32_t b = 0; b < params_.bands; ++b) {
    const auto it = tables_[b].find(band_key(signature, b, params_.rows));
    if (it != tables_[b].end()) ids.insert(ids.end(), it->second.begin(), it->second.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace dupstrip

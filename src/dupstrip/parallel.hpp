// A minimal deterministic parallel loop: indices are handed out in chunks from an atomic counter
// and every result is stored at its own index, so the outcome never depends on the number of
// threads or on scheduling. No global lock: threads share only the counter.
//
// The threads come from a pool kept for the life of the process, lent to one loop at a time: a
// run makes hundreds of loops (one per chunk of documents and per phase), and a thread started
// per loop paid each time for its creation, for its stack's pages (given back when it ended) and
// for its thread-local buffers (the JSON parser's, the tokeniser's), built again from nothing.
// A loop that finds the pool lent (a loop inside a loop's body, or one on a helper thread while
// the main thread's loop runs) starts its own threads, as every loop did before.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dupstrip::detail {

/// The process's pool of loop threads (see the top of this file).
class worker_pool {
 public:
  /// Runs task(w) for every w in [1, helpers] on pool threads (started when first needed) and
  /// returns once all have returned; the caller runs its own share (worker 0) in `own` meanwhile.
  /// Returns false, running nothing, when the pool is lent to another loop. `task` must not throw.
  static bool run(unsigned helpers, const std::function<void(unsigned)>& task, const std::function<void()>& own);
};

/// Resolves a jobs option: 0 means hardware concurrency (1 when unknown).
inline unsigned resolve_jobs(unsigned jobs) noexcept {
  if (jobs != 0) return jobs;
  const unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : hc;
}

/// Calls body(worker, i) for every i in [0, n), with `jobs` threads (worker in [0, jobs)).
/// The first exception thrown by a body is rethrown after all threads stop.
template <class Body>
void parallel_for(std::size_t n, unsigned jobs, std::size_t chunk, Body&& body) {
  jobs = static_cast<unsigned>(std::min<std::size_t>(resolve_jobs(jobs), std::max<std::size_t>(n, 1)));
  if (jobs <= 1) {
    for (std::size_t i = 0; i < n; ++i) body(0U, i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&](unsigned worker) {
    try {
      for (;;) {
        const std::size_t start = next.fetch_add(chunk);
        if (start >= n) break;
        const std::size_t stop = std::min(n, start + chunk);
        for (std::size_t i = start; i < stop; ++i) body(worker, i);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next.store(n);
    }
  };
  const std::function<void(unsigned)> task = work;
  if (!worker_pool::run(jobs - 1, task, [&] { work(0); })) {
    std::vector<std::thread> threads;
    threads.reserve(jobs - 1);
    for (unsigned w = 1; w < jobs; ++w) threads.emplace_back(work, w);
    work(0);
    for (auto& t : threads) t.join();
  }
  if (failure) std::rethrow_exception(failure);
}

/// Sorts `keys` (hash values: their top bytes about evenly spread) into ascending order with
/// `jobs` threads: one pass moves each key in place into the bucket of its top byte, then the 256
/// buckets are sorted in parallel. Small inputs and one job sort on the calling thread. The
/// result is std::sort's; skewed keys only make it less parallel.
void sort_keys(std::vector<std::uint64_t>& keys, unsigned jobs);

}  // namespace dupstrip::detail

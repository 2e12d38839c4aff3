// A minimal deterministic parallel loop: indices are handed out in chunks from an atomic counter
// and every result is stored at its own index, so the outcome never depends on the number of
// threads or on scheduling. No global lock: threads share only the counter.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace dupstrip::detail {

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
  std::vector<std::thread> threads;
  threads.reserve(jobs - 1);
  for (unsigned w = 1; w < jobs; ++w) threads.emplace_back(work, w);
  work(0);
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace dupstrip::detail

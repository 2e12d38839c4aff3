#include "dupstrip/parallel.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <new>

namespace dupstrip::detail {

namespace {

// Pool threads wait for a new generation (one per loop); those numbered up to the loop's helper
// count run its task once, and the last to finish wakes the loop's caller. The caller holds the
// pool (`lent`) from the start of its loop to the end, so one generation ends before the next
// begins, and every helper of a generation runs it exactly once.
//
// fork(): only the forking thread lives on in a child, so the child's pool has no threads,
// and a mutex or condition variable that one of them was using may be left mid-change. The
// fork handlers take the pool's mutex around the fork (no pool thread is inside it then), and
// the child starts from an empty pool: the thread handles abandoned (they name threads of the
// parent: never joined), the mutex and condition variables made anew. Without this a child of
// a process that ran a loop (a Python worker forked after a scan) would wait forever in its
// first loop.
class pool_state {
 public:
  pool_state() {
    instance_ = this;
    pthread_atfork(&before_fork, &after_fork_in_parent, &after_fork_in_child);
  }

  ~pool_state() {
    {
      const std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
      instance_ = nullptr;  // a fork during the process's exit finds no pool
    }
    work_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  bool run(unsigned helpers, const std::function<void(unsigned)>& task, const std::function<void()>& own) {
    bool expected = false;
    if (!lent_.compare_exchange_strong(expected, true, std::memory_order_acquire)) return false;
    {
      std::unique_lock<std::mutex> lock(m_);
      try {
        while (threads_.size() < helpers) {
          const auto w = static_cast<unsigned>(threads_.size() + 1);
          threads_.emplace_back([this, w] { serve(w); });
        }
      } catch (...) {  // no thread could be started: the loop starts its own (which may fail)
        lock.unlock();
        lent_.store(false, std::memory_order_release);
        return false;
      }
      task_ = &task;
      helpers_ = helpers;
      running_ = helpers;
      ++generation_;
    }
    work_.notify_all();
    own();
    {
      std::unique_lock<std::mutex> lock(m_);
      done_.wait(lock, [this] { return running_ == 0; });
      task_ = nullptr;
    }
    lent_.store(false, std::memory_order_release);
    return true;
  }

 private:
  void serve(unsigned w) {
    std::uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      work_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      if (w > helpers_) continue;
      const std::function<void(unsigned)>* task = task_;
      lock.unlock();
      (*task)(w);
      lock.lock();
      if (--running_ == 0) done_.notify_one();
    }
  }

  static void before_fork() {
    if (instance_ != nullptr) instance_->m_.lock();
  }
  static void after_fork_in_parent() {
    if (instance_ != nullptr) instance_->m_.unlock();
  }
  static void after_fork_in_child() {
    if (instance_ == nullptr) return;
    pool_state& p = *instance_;
    new (&p.m_) std::mutex();  // the forking thread's lock goes with the old one
    new (&p.work_) std::condition_variable();
    new (&p.done_) std::condition_variable();
    // Never destroyed on purpose: destroying a joinable handle would end the process.
    abandoned_ = new std::vector<std::thread>(std::move(p.threads_));
    p.task_ = nullptr;
    p.helpers_ = 0;
    p.running_ = 0;
    p.lent_.store(false);
  }

  inline static pool_state* instance_ = nullptr;
  inline static std::vector<std::thread>* abandoned_ = nullptr;  // a child's parent's threads
  std::atomic<bool> lent_{false};
  std::mutex m_;
  std::condition_variable work_;
  std::condition_variable done_;
  std::vector<std::thread> threads_;
  const std::function<void(unsigned)>* task_ = nullptr;
  unsigned helpers_ = 0;
  unsigned running_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
};

}  // namespace

bool worker_pool::run(unsigned helpers, const std::function<void(unsigned)>& task, const std::function<void()>& own) {
  static pool_state pool;
  return pool.run(helpers, task, own);
}

void sort_keys(std::vector<std::uint64_t>& keys, unsigned jobs) {
  constexpr std::size_t min_parallel = std::size_t{1} << 16;  // below this, threads cost more
  jobs = resolve_jobs(jobs);
  if (jobs <= 1 || keys.size() < min_parallel) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  auto bucket = [](std::uint64_t k) { return static_cast<unsigned>(k >> 56U); };
  std::array<std::size_t, 257> start{};
  for (const std::uint64_t k : keys) ++start[bucket(k) + 1];
  for (unsigned b = 0; b < 256; ++b) start[b + 1] += start[b];
  // In place: each bucket's next free slot takes the key that belongs there, and the key it
  // displaces moves on to its own bucket, until a key of the bucket being filled comes back.
  std::array<std::size_t, 256> next{};
  std::copy(start.begin(), start.end() - 1, next.begin());
  for (unsigned b = 0; b < 256; ++b) {
    while (next[b] < start[b + 1]) {
      std::uint64_t k = keys[next[b]];
      for (unsigned t = bucket(k); t != b; t = bucket(k)) std::swap(k, keys[next[t]++]);
      keys[next[b]++] = k;
    }
  }
  parallel_for(256, jobs, 1, [&](unsigned, std::size_t b) {
    std::sort(keys.begin() + static_cast<std::ptrdiff_t>(start[b]), keys.begin() + static_cast<std::ptrdiff_t>(start[b + 1]));
  });
}

}  // namespace dupstrip::detail

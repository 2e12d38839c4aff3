#include "dupstrip/parallel.hpp"

#include <condition_variable>
#include <cstdint>

namespace dupstrip::detail {

namespace {

// Pool threads wait for a new generation (one per loop); those numbered up to the loop's helper
// count run its task once, and the last to finish wakes the loop's caller. The caller holds the
// pool (`lent`) from the start of its loop to the end, so one generation ends before the next
// begins, and every helper of a generation runs it exactly once.
class pool_state {
 public:
  ~pool_state() {
    {
      const std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
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

}  // namespace dupstrip::detail

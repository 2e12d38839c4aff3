// A single updating progress line on stderr, only on a terminal (or with --progress=always),
// redrawn at most ten times a second and cleared at the end.
#pragma once

#include <dupstrip/run.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace dupstrip::cli {

class progress_line final : public run_progress {
 public:
  explicit progress_line(bool enabled);
  ~progress_line() override;
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;
  /// The callback to hand to the library (thread-safe, cheap when not drawing).
  [[nodiscard]] progress_callback callback() override;
  void finish() override;

 private:
  void update(const progress_info& p);
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<std::int64_t> last_draw_ns_{0};
  std::mutex draw_;
  bool drawn_ = false;
};

}  // namespace dupstrip::cli

// Progress on a terminal: documents, MB, docs/s, MB/s, phase and an ETA for the phase.
#include "progress.hpp"

#include "messages.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace dupstrip::cli {

progress_line::progress_line(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

progress_line::~progress_line() { finish(); }

progress_callback progress_line::callback() {
  if (!enabled_) return {};
  return [this](const progress_info& p) { update(p); };
}

void progress_line::update(const progress_info& p) {
  const auto now = std::chrono::steady_clock::now();
  const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - start_).count();
  std::int64_t last = last_draw_ns_.load(std::memory_order_relaxed);
  const bool final_one = p.docs_total != 0 && p.docs_done == p.docs_total;
  if (!final_one && ns - last < 100'000'000) return;  // at most ~10 redraws a second
  if (!last_draw_ns_.compare_exchange_strong(last, ns)) return;
  std::unique_lock<std::mutex> lock(draw_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  const double secs = static_cast<double>(ns) / 1e9;
  const double mb = static_cast<double>(p.bytes_done) / 1e6;
  const double rate = secs > 0 ? static_cast<double>(p.docs_done) / secs : 0.0;
  const double mbps = secs > 0 ? mb / secs : 0.0;
  std::lock_guard<std::mutex> out(messages::get().lock());
  if (p.docs_total == 0) {  // indexing a stream: the total is not known yet
    fmt::print(stderr, "\r\033[K{}: {} docs, {:.1f} MB, {:.0f} docs/s, {:.1f} MB/s", p.phase, p.docs_done, mb, rate,
               mbps);
  } else {
    const double eta = rate > 0 ? static_cast<double>(p.docs_total - p.docs_done) / rate : 0.0;
    fmt::print(stderr, "\r\033[K{}: {}/{} docs, {:.1f} MB, {:.0f} docs/s, {:.1f} MB/s, ETA {:.0f}s", p.phase,
               p.docs_done, p.docs_total, mb, rate, mbps, eta);
  }
  std::fflush(stderr);
  drawn_ = true;
  messages::get().set_progress_line(true);
}

void progress_line::finish() {
  if (!enabled_ || !drawn_) return;
  std::lock_guard<std::mutex> lock(draw_);
  std::lock_guard<std::mutex> out(messages::get().lock());
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
  messages::get().set_progress_line(false);
}

}  // namespace dupstrip::cli

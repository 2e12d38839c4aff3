// stderr diagnostics of the CLI, one place for the "dupstrip: PATH: reason" format, a lock so
// lines never interleave under --jobs, and the "errored" flag that turns into exit code 1.
#pragma once

#include <dupstrip/run.hpp>

#include <fmt/format.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string_view>
#include <system_error>

namespace dupstrip::cli {

enum class verbosity { quiet = 0, normal = 1, verbose = 2 };

// It is also where the library's run diagnostics (run.hpp) are printed.
class messages final : public run_messages {
 public:
  static messages& get();
  void set_verbosity(verbosity v) { level_ = v; }
  [[nodiscard]] verbosity level() const { return level_; }
  /// An input that was skipped: prints and remembers that the run is incomplete (exit 1).
  void input_error(std::string_view path, std::string_view reason);
  void input_error(std::string_view path, std::string_view reason, std::error_code) override {
    input_error(path, reason);
  }
  /// A fatal or usage error (the caller returns 2).
  void error(std::string_view text);
  void error(std::string_view text, std::string_view, std::error_code) override { error(text); }
  /// A warning (not with --quiet).
  void warning(std::string_view text) override;
  /// Informational line (only with -v).
  void info(std::string_view text) override;
  /// Summary lines (not with --quiet).
  void note(std::string_view text);
  [[nodiscard]] bool errored() const { return errored_.load(); }
  std::mutex& lock() { return mutex_; }
  /// Set by the progress line: a message must first clear it.
  void set_progress_line(bool on) { progress_line_ = on; }

 private:
  void emit(std::string_view text);
  std::mutex mutex_;
  std::atomic<bool> errored_{false};
  verbosity level_ = verbosity::normal;
  bool progress_line_ = false;
};

}  // namespace dupstrip::cli

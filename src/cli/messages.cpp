// All of the CLI's stderr text goes through here (STYLE.md §4): "dupstrip: <path>: <reason>",
// guarded by one mutex so that lines from worker threads never interleave with each other or
// with the progress line.
#include "messages.hpp"

namespace dupstrip::cli {

messages& messages::get() {
  static messages instance;
  return instance;
}

void messages::emit(std::string_view text) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (progress_line_) std::fputs("\r\033[K", stderr);
  fmt::print(stderr, "{}\n", text);
}

void messages::input_error(std::string_view path, std::string_view reason) {
  errored_.store(true);
  if (level_ >= verbosity::quiet) emit(fmt::format("dupstrip: {}: {}", path, reason));
}

void messages::error(std::string_view text) { emit(fmt::format("dupstrip: {}", text)); }

void messages::warning(std::string_view text) {
  if (level_ >= verbosity::normal) emit(fmt::format("dupstrip: warning: {}", text));
}

void messages::info(std::string_view text) {
  if (level_ >= verbosity::verbose) emit(fmt::format("dupstrip: {}", text));
}

void messages::note(std::string_view text) {
  if (level_ >= verbosity::normal) emit(text);
}

}  // namespace dupstrip::cli

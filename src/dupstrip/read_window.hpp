// Internal: a thread's read-ahead window over a file that is read in runs of consecutive entries
// (JSONL records, removal lists). Each pass of a run reads its entries in index order on each
// thread, so a thread that reads entry i right after entry i - 1 can fetch the entries after it
// with the same call, and later reads copy from the window instead of calling pread again. The
// owner of an entry (the source or table: a serial unique in the process) decides how far a
// window may reach and guarantees that the bytes in it cannot change; the window only keeps them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace dupstrip::detail {

/// A serial for a new owner of windows (never 0).
inline std::uint64_t new_window_owner() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1);
}

class read_window {
 public:
  /// Notes that this thread reads entry i of `owner`. Returns whether the read follows the
  /// thread's last one (i == last + 1: read ahead). A read at or before the last one starts a
  /// new pass: the window is dropped, so each pass reads the bytes as they are then.
  bool note_read(std::uint64_t owner, std::size_t i) noexcept {
    const bool same = last_owner_ == owner;
    const bool follows = same && i == last_ + 1;
    if (same && owner_ == owner && i <= last_) owner_ = 0;
    last_owner_ = owner;
    last_ = i;
    return follows;
  }
  /// Bytes [at, at + n) of file `file` of `owner` when the window holds them, else nullptr.
  [[nodiscard]] const unsigned char* find(std::uint64_t owner, std::uint32_t file, std::uint64_t at,
                                          std::uint64_t n) const noexcept {
    if (owner_ != owner || file_ != file || at < begin_ || at + n > end_) return nullptr;
    return bytes_.data() + (at - begin_);
  }
  /// Refills the window with bytes [at, at + want) through read(buffer, want), which returns
  /// the bytes it got (fewer at the end of a file) or a negative value on an error. Returns
  /// the window's bytes (at least `want` of them readable), or nullptr on an error; the window
  /// holds what was read.
  template <class Read>
  const unsigned char* fill(std::uint64_t owner, std::uint32_t file, std::uint64_t at, std::size_t want, Read&& read) {
    if (bytes_.size() < want) bytes_.resize(want);
    owner_ = 0;  // nothing valid until the read is done
    const auto got = read(bytes_.data(), want);
    if (got < 0) return nullptr;
    owner_ = owner;
    file_ = file;
    begin_ = at;
    end_ = at + static_cast<std::uint64_t>(got);
    return bytes_.data();
  }
  /// Bytes the last fill() got.
  [[nodiscard]] std::uint64_t held() const noexcept { return end_ - begin_; }

 private:
  std::uint64_t owner_ = 0;       // whose bytes the window holds; 0: none
  std::uint64_t last_owner_ = 0;  // the entry this thread read last: its owner...
  std::size_t last_ = 0;          // ...and its index
  std::uint32_t file_ = 0;        // the owner's file (a JSONL source has one per input)
  std::uint64_t begin_ = 0;       // file offsets of the bytes held
  std::uint64_t end_ = 0;
  std::vector<unsigned char> bytes_;
};

}  // namespace dupstrip::detail

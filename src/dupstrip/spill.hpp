// Internal: a temporary file that holds a run's fingerprints out of memory.
//
// A run keeps per document only a few counters in memory; line records,
// signatures and removed ranges go to spill files and are read back when a step
// needs them. The file is unlinked as soon as it is created, so it disappears
// with the process however the process ends (a crash, SIGKILL), and is never
// visible to other programs. Reads and writes at distinct offsets may run
// concurrently (pread/pwrite); append() reserves its range atomically.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace dupstrip::detail {

/// The folder for temporary files: `dir` when not empty, else $TMPDIR, else
/// /tmp.
std::filesystem::path temp_folder(const std::string& dir);

class spill_file {
 public:
  /// Creates an anonymous file in `dir` (see temp_folder()).
  /// @throws std::system_error naming the folder when it cannot be created.
  explicit spill_file(const std::string& dir);
  ~spill_file();
  spill_file(const spill_file&) = delete;
  spill_file& operator=(const spill_file&) = delete;

  /// Writes n bytes at the end; returns their offset. Thread-safe.
  std::uint64_t append(const void* data, std::size_t n);
  /// Writes n bytes at `offset` (which may be past the end: the gap reads as
  /// zeros).
  void write_at(std::uint64_t offset, const void* data, std::size_t n);
  /// Makes the file at least `size` bytes long (the new bytes read as zeros).
  void grow_to(std::uint64_t size);
  /// Reads n bytes at `offset`. @throws std::system_error when they cannot be
  /// read.
  void read_at(std::uint64_t offset, void* data, std::size_t n) const;
  /// Bytes appended so far (write_at() beyond them does not count).
  [[nodiscard]] std::uint64_t appended() const noexcept { return end_.load(); }

 private:
  int fd_ = -1;
  std::string where_;  // the folder, for messages
  std::atomic<std::uint64_t> end_{0};
  [[noreturn]] void fail(const char* what) const;
};

}  // namespace dupstrip::detail

/// @file io.hpp
/// @brief Folder walking, bounded file reading and atomic output files.
///
/// Input is never modified: the only writes dupstrip makes are new files under OUTPUT and the
/// report, each written to a temporary in the same folder and renamed into place when complete.
#pragma once

#include <dupstrip/error.hpp>
#include <dupstrip/export.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace dupstrip {

/// Compression of a file, chosen by its name (compression_for): input is decompressed on
/// reading, output compressed on writing.
enum class compression : std::uint8_t {
  none,
  gzip,  ///< ".gz" (zlib; concatenated members are read one after another)
  zstd   ///< ".zst" (libzstd; several frames are read one after another)
};

/// The compression a file name asks for: ".gz" gzip, ".zst" zstd, anything else none.
[[nodiscard]] DUPSTRIP_EXPORT compression compression_for(std::string_view name) noexcept;

/// A regular file found under a walked folder.
struct input_file {
  std::string relative;          ///< path below the root, '/'-separated, bytes as on disk
  std::filesystem::path path;    ///< full path to open
};

/// Something the walk passed over, with the reason (for a "dupstrip: PATH: reason" message).
struct walk_issue {
  std::string path;
  std::error_code error;
};

/// Result of walk_folder(): regular files sorted by relative path (bytewise), and issues.
struct walk_result {
  std::vector<input_file> files;
  std::vector<walk_issue> issues;
};

/// Files to read as documents, packed in two buffers: per file its relative name (its name
/// under OUTPUT and in reports) and the path to open, which is `root / relative` when the list
/// has a root. About 8 bytes per file plus its name, where a vector of input_file costs ~200.
class DUPSTRIP_EXPORT file_list {
 public:
  file_list() = default;  ///< each file is added with its path
  /// Paths are `root / relative`.
  explicit file_list(std::filesystem::path root) : root_(std::move(root)), rooted_(true) {}
  /// Adds a file of a list with a root. @throws std::logic_error on a list without one
  void add(std::string_view relative);
  /// Adds a file with its path. @throws std::logic_error on a list with a root
  void add(std::string_view relative, std::string_view path);
  [[nodiscard]] std::size_t size() const noexcept { return name_end_.size(); }
  [[nodiscard]] bool empty() const noexcept { return name_end_.empty(); }
  [[nodiscard]] std::string_view relative(std::size_t i) const;
  [[nodiscard]] std::filesystem::path path(std::size_t i) const;
  /// Whether paths are `root() / relative`.
  [[nodiscard]] bool rooted() const noexcept { return rooted_; }
  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }
  /// Orders the files bytewise by relative name (equal names keep their order).
  void sort_by_relative();
  /// Returns the unused capacity of the buffers.
  void shrink_to_fit();

 private:
  std::filesystem::path root_;
  bool rooted_ = false;
  std::string names_;
  std::vector<std::uint64_t> name_end_;
  std::string paths_;  // without a root
  std::vector<std::uint64_t> path_end_;
};

/// Walks `root` like walk_folder(), into a packed list (what `clean` uses: a million files
/// take ~60 MB instead of ~250 MB). Issues are appended to `issues`.
[[nodiscard]] DUPSTRIP_EXPORT file_list walk_files(const std::filesystem::path& root,
                                                   std::vector<walk_issue>& issues);

/// Walks `root` recursively. Symbolic links are not followed (a link is reported and skipped),
/// FIFOs, sockets and devices are reported and skipped, unreadable folders are reported and the
/// walk goes on. The order of `files` is the bytewise order of their relative paths, and issues
/// come in the bytewise order of their paths, so neither depends on the file system.
[[nodiscard]] DUPSTRIP_EXPORT walk_result walk_folder(const std::filesystem::path& root);

/// Reads a whole regular file, decompressing it when `c` says so. Errors: errno codes (ENOENT
/// for a file that vanished, EACCES...), errc::too_large above `max_bytes` (of decompressed
/// bytes), errc::not_regular_file, errc::bad_compressed_data.
[[nodiscard]] DUPSTRIP_EXPORT result<std::string> read_file(const std::filesystem::path& path,
                                                            std::uint64_t max_bytes,
                                                            compression c = compression::none);

/// Writes `pieces` one after another to a temporary file beside `target`, flushes it and renames
/// it onto `target`; creates missing parent folders. On any failure the temporary is removed and
/// `target` is untouched. The bytes are compressed as `c` says. Returns the error, or an empty
/// code.
DUPSTRIP_EXPORT std::error_code write_file_atomic(const std::filesystem::path& target,
                                                  std::span<const std::string_view> pieces,
                                                  compression c = compression::none);

namespace detail {
class compressor;
}

/// An existing folder that output files are written into, opened once: each file's name is
/// then resolved from the folder, not from the root of the file system.
class DUPSTRIP_EXPORT output_folder {
 public:
  explicit output_folder(std::filesystem::path path);
  output_folder(const output_folder&) = delete;
  output_folder& operator=(const output_folder&) = delete;
  ~output_folder();
  /// Set when the folder cannot be opened; every write() then returns it.
  [[nodiscard]] std::error_code error() const noexcept { return error_; }
  /// write_file_atomic() of `relative` under the folder (missing subfolders are made).
  /// Thread-safe.
  std::error_code write(std::string_view relative, std::span<const std::string_view> pieces,
                        compression c = compression::none) const;

 private:
  friend class atomic_file;
  std::filesystem::path path_;
  int fd_ = -1;
  std::error_code error_;
};

/// An output file being written: a temporary in the target's folder that becomes the target
/// only on commit(). Destroying it uncommitted removes the temporary.
class DUPSTRIP_EXPORT atomic_file {
 public:
  /// Opens the temporary; check error() before writing. Bytes written are compressed as `c`
  /// says (the file holds the compressed stream).
  explicit atomic_file(std::filesystem::path target, compression c = compression::none);
  /// The target is `relative` under `folder` (which must outlive this object).
  atomic_file(const output_folder& folder, std::string_view relative, compression c = compression::none);
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;
  ~atomic_file();

  [[nodiscard]] std::error_code error() const noexcept { return error_; }
  /// Appends bytes (buffered); errors are remembered and returned by commit().
  void write(std::string_view bytes);
  /// Flushes and renames onto the target. Returns the first error of the whole life.
  std::error_code commit();

 private:
  atomic_file(int dir_fd, const std::filesystem::path& dir_path, std::filesystem::path target, compression c);
  std::filesystem::path target_;  // relative to dir_fd_
  std::filesystem::path temp_;    // relative to dir_fd_
  int dir_fd_;                    // AT_FDCWD, or the output_folder's descriptor
  int fd_ = -1;
  std::string buffer_;
  std::error_code error_;
  bool committed_ = false;
  std::unique_ptr<detail::compressor> compressor_;
  int slot_ = -1;  // entry in the registry of pending temporaries (remove_pending_temporaries)
  void flush_buffer();
  void append_raw(std::string_view bytes);
};

/// Removes the temporary file of every atomic_file of this process that is not committed yet,
/// for a clean exit on SIGINT or SIGTERM: call it from a normal thread (e.g. one that waits for
/// the signals with sigwait), then end the process. From the call on, creating an atomic_file
/// blocks forever, so no temporary can appear behind the cleanup. Complete outputs are never
/// touched. Not async-signal-safe (it takes a lock).
DUPSTRIP_EXPORT void remove_pending_temporaries() noexcept;

/// Creates a temporary file in `dir` (empty: $TMPDIR, else /tmp) for reading and writing and
/// unlinks it at once, so that it disappears with its last descriptor however the process
/// ends. Returns the descriptor (the caller closes it), or -1 with `ec` set.
[[nodiscard]] DUPSTRIP_EXPORT int open_unlinked_temporary(const std::filesystem::path& dir, std::error_code& ec);

/// True when `inner` is `outer` or lies below it, after resolving both (existing prefixes are
/// canonicalised, so "a/../b" and symbolic links do not fool it).
[[nodiscard]] DUPSTRIP_EXPORT bool path_is_within(const std::filesystem::path& inner,
                                                  const std::filesystem::path& outer);

}  // namespace dupstrip

#include <dupstrip/pipeline.hpp>

namespace dupstrip {

/// How documents are grouped for boilerplate counting.
enum class group_policy : std::uint8_t {
  folder,  ///< by the top-level folder under INPUT (one site per folder); files at the top: group ""
  none,    ///< the whole corpus is one group
  parent   ///< by the folder holding the file (for paths listed with --files-from)
};

/// A folder of text files as a document_source: documents in walk order (bytewise by relative
/// path), named by their relative path. Files named *.gz or *.zst are decompressed on reading
/// (their size bound applies to the decompressed bytes).
class DUPSTRIP_EXPORT folder_source final : public document_source {
 public:
  folder_source(file_list files, group_policy groups, std::uint64_t max_bytes);
  folder_source(const std::vector<input_file>& files, group_policy groups, std::uint64_t max_bytes);
  folder_source(const folder_source&) = delete;
  folder_source& operator=(const folder_source&) = delete;
  ~folder_source() override;
  [[nodiscard]] std::size_t size() const override { return files_.size(); }
  [[nodiscard]] std::string_view name(std::size_t i) const override;
  [[nodiscard]] std::string_view group(std::size_t i) const override;
  [[nodiscard]] result<std::string> read(std::size_t i) const override;
  /// The path to open (as given or walked).
  [[nodiscard]] std::filesystem::path path(std::size_t i) const { return files_.path(i); }
  [[nodiscard]] input_file file(std::size_t i) const { return {std::string(name(i)), path(i)}; }

 private:
  file_list files_;
  group_policy groups_;
  std::uint64_t max_bytes_;
  int root_fd_ = -1;  // the root folder of a rooted list, opened once
};

}  // namespace dupstrip

// File-system side of the library: walking INPUT deterministically, reading one file with a size
// bound, and writing outputs atomically (temporary + rename) so that a crash or a full disk
// never leaves a truncated file where a complete one is expected.
#include "dupstrip/io.hpp"

#include "dupstrip/compress.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <shared_mutex>
#include <stdexcept>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace dupstrip {
namespace fs = std::filesystem;

namespace {

std::error_code errno_code() { return {errno, std::generic_category()}; }

std::string temp_name(const fs::path& target) {
  static std::atomic<std::uint64_t> counter{0};
  static const std::string pid = std::to_string(::getpid());
  return "." + target.filename().string() + ".dupstrip-tmp-" + pid + "-" +
         std::to_string(counter.fetch_add(1));
}

// Registry of uncommitted temporaries: a fixed table of atomic pointers to heap copies of the
// paths. Creating a temporary (open + register) holds `temp_guard` shared; cleaning up holds it
// exclusively and never gives it back, so once cleanup has started no new temporary can appear
// and none that is being created can be missed. A full table only means that a temporary is not
// removed by the cleanup (it stays recognisable by its name).
constexpr std::size_t max_pending = 4096;
std::atomic<char*> pending[max_pending];
std::shared_mutex temp_guard;

int register_pending(const fs::path& p) {
  const std::string& s = p.native();
  char* copy = new char[s.size() + 1];
  std::memcpy(copy, s.c_str(), s.size() + 1);
  for (std::size_t i = 0; i < max_pending; ++i) {
    char* expected = nullptr;
    if (pending[i].compare_exchange_strong(expected, copy)) return static_cast<int>(i);
  }
  delete[] copy;
  return -1;
}

void unregister_pending(int slot) {
  if (slot < 0) return;
  delete[] pending[static_cast<std::size_t>(slot)].exchange(nullptr);
}

}  // namespace

void remove_pending_temporaries() noexcept {
  temp_guard.lock();  // held until the process ends: no temporary is created after this
  for (auto& slot : pending) {
    if (char* p = slot.exchange(nullptr)) ::unlink(p);  // the copy is left: the process is ending
  }
}

void file_list::add(std::string_view relative) {
  if (!rooted_) throw std::logic_error("file_list::add: this list takes a path with each file");
  names_ += relative;
  name_end_.push_back(names_.size());
}

void file_list::add(std::string_view relative, std::string_view path) {
  if (rooted_) throw std::logic_error("file_list::add: this list makes paths from its root");
  names_ += relative;
  name_end_.push_back(names_.size());
  paths_ += path;
  path_end_.push_back(paths_.size());
}

std::string_view file_list::relative(std::size_t i) const {
  const std::uint64_t b = i == 0 ? 0 : name_end_[i - 1];
  return std::string_view(names_).substr(b, name_end_[i] - b);
}

fs::path file_list::path(std::size_t i) const {
  if (rooted_) return root_ / std::string(relative(i));
  const std::uint64_t b = i == 0 ? 0 : path_end_[i - 1];
  return std::string(std::string_view(paths_).substr(b, path_end_[i] - b));
}

void file_list::sort_by_relative() {
  std::vector<std::uint32_t> order(size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return relative(a) < relative(b); });
  file_list sorted = rooted_ ? file_list(root_) : file_list();
  sorted.names_.reserve(names_.size());
  sorted.name_end_.reserve(name_end_.size());
  sorted.paths_.reserve(paths_.size());
  sorted.path_end_.reserve(path_end_.size());
  for (const std::uint32_t i : order) {
    if (rooted_) {
      sorted.add(relative(i));
    } else {
      const std::uint64_t b = i == 0 ? 0 : path_end_[i - 1];
      sorted.add(relative(i), std::string_view(paths_).substr(b, path_end_[i] - b));
    }
  }
  *this = std::move(sorted);
}

void file_list::shrink_to_fit() {
  names_.shrink_to_fit();
  name_end_.shrink_to_fit();
  paths_.shrink_to_fit();
  path_end_.shrink_to_fit();
}

file_list walk_files(const fs::path& root, std::vector<walk_issue>& issues) {
  // readdir with the entry types it returns (a stat only where the file system gives none),
  // folders opened relative to the root: no stat per file and no full path per lookup. Folders
  // wait on a stack by name, not by descriptor, so a folder of many folders opens one at a time.
  file_list out(root);
  const std::size_t first_issue = issues.size();
  auto report = [&](std::string_view rel, std::error_code ec) {
    issues.push_back({rel.empty() ? root.string() : (root / std::string(rel)).string(), ec});
  };
  const int root_fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) {
    report({}, errno_code());
    return out;
  }
  std::vector<std::string> folders{std::string()};  // relative names, "" for the root
  std::string rel;
  while (!folders.empty()) {
    const std::string folder = std::move(folders.back());
    folders.pop_back();
    const int fd = folder.empty() ? ::dup(root_fd)
                                  : ::openat(root_fd, folder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR* dir = fd < 0 ? nullptr : ::fdopendir(fd);
    if (dir == nullptr) {
      report(folder, errno_code());  // an unreadable folder: reported, skipped
      if (fd >= 0) ::close(fd);
      continue;
    }
    for (;;) {
      errno = 0;
      const dirent* e = ::readdir(dir);
      if (e == nullptr) {
        if (errno != 0) report(folder, errno_code());
        break;
      }
      const std::string_view name(e->d_name);
      if (name == "." || name == "..") continue;
      rel.assign(folder);
      if (!rel.empty()) rel += '/';
      rel += name;
      unsigned char type = e->d_type;
      if (type == DT_UNKNOWN) {
        struct stat st {};
        if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
          report(rel, errno_code());
          continue;
        }
        type = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : DT_UNKNOWN;
      }
      if (type == DT_REG) {
        out.add(rel);
      } else if (type == DT_DIR) {
        folders.push_back(rel);
      } else {
        report(rel, make_error_code(errc::not_regular_file));  // links, FIFOs, sockets, devices
      }
    }
    ::closedir(dir);
  }
  ::close(root_fd);
  // Issues in path order, like the files: readdir order differs between copies of a folder.
  std::sort(issues.begin() + static_cast<std::ptrdiff_t>(first_issue), issues.end(),
            [](const walk_issue& x, const walk_issue& y) { return x.path < y.path; });
  out.sort_by_relative();
  out.shrink_to_fit();
  return out;
}

walk_result walk_folder(const fs::path& root) {
  walk_result out;
  const file_list files = walk_files(root, out.issues);
  out.files.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) out.files.push_back({std::string(files.relative(i)), files.path(i)});
  return out;
}

namespace {

// Reads a compressed regular file through the decompressor, bounded by max_bytes of output.
result<std::string> read_compressed(int fd, std::uint64_t max_bytes, compression c) {
  detail::decompressor dec(c);
  std::string data;
  std::string chunk(1U << 16, '\0');
  const detail::byte_sink sink = [&](std::string_view out) -> std::error_code {
    if (data.size() + out.size() > max_bytes) return make_error_code(errc::too_large);
    data.append(out);
    return {};
  };
  for (;;) {
    const ssize_t r = ::read(fd, chunk.data(), chunk.size());
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno_code();
    }
    if (r == 0) break;
    if (auto ec = dec.feed(std::string_view(chunk.data(), static_cast<std::size_t>(r)), sink)) return ec;
  }
  if (auto ec = dec.finish()) return ec;
  return data;
}

}  // namespace

namespace {

result<std::string> read_file_at(int dir_fd, const char* path, std::uint64_t max_bytes, compression c) {
  const int fd = ::openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return errno_code();
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const auto ec = errno_code();
    ::close(fd);
    return ec;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return errc::not_regular_file;
  }
  if (c != compression::none) {
    auto out = read_compressed(fd, max_bytes, c);
    ::close(fd);
    return out;
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return errc::too_large;
  }
  std::string data;
  // One byte more than the size: the read that finds the end then needs no larger buffer.
  data.resize(static_cast<std::size_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size) + 1,
                                                                max_bytes + 1)));
  std::size_t got = 0;
  for (;;) {
    if (got == data.size()) {
      // The file may have grown since fstat: read on in chunks, within the bound.
      if (data.size() >= max_bytes + 1) break;
      data.resize(std::min<std::uint64_t>(data.size() + 65536, max_bytes + 1));
    }
    const ssize_t r = ::read(fd, data.data() + got, data.size() - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      const auto ec = errno_code();
      ::close(fd);
      return ec;
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
    // All the bytes fstat announced, in a read that asked for one more: that is the end (a
    // regular file reads short only there), so no second read to find it.
    if (got == static_cast<std::uint64_t>(st.st_size) && got < data.size()) break;
  }
  ::close(fd);
  data.resize(got);
  if (got > max_bytes) return errc::too_large;
  return data;
}

}  // namespace

result<std::string> read_file(const fs::path& path, std::uint64_t max_bytes, compression c) {
  return read_file_at(AT_FDCWD, path.c_str(), max_bytes, c);
}

atomic_file::atomic_file(fs::path target, compression c) : atomic_file(AT_FDCWD, fs::path(), std::move(target), c) {}

atomic_file::atomic_file(const output_folder& folder, std::string_view relative, compression c)
    : atomic_file(folder.fd_, folder.path_, fs::path(relative), c) {}

atomic_file::atomic_file(int dir_fd, const fs::path& dir_path, fs::path target, compression c)
    : target_(std::move(target)), dir_fd_(dir_fd) {
  if (c != compression::none) compressor_ = std::make_unique<detail::compressor>(c);
  const fs::path dir = target_.parent_path();
  temp_ = (dir.empty() ? fs::path(".") : dir) / temp_name(target_);
  const std::shared_lock<std::shared_mutex> creating(temp_guard);
  fd_ = ::openat(dir_fd_, temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0 && errno == ENOENT && !dir.empty()) {
    // The folder is missing (the first file of a folder): make it, then try again. Trying
    // first saves a stat per file.
    std::error_code ec;
    fs::create_directories(dir_path / dir, ec);
    if (ec) {
      error_ = ec;
      return;
    }
    fd_ = ::openat(dir_fd_, temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  }
  if (fd_ < 0) {
    error_ = errno_code();
  } else {
    slot_ = register_pending(dir_path / temp_);
  }
}

atomic_file::~atomic_file() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlinkat(dir_fd_, temp_.c_str(), 0);
  unregister_pending(slot_);
}

void atomic_file::flush_buffer() {
  std::size_t off = 0;
  while (!error_ && off < buffer_.size()) {
    const ssize_t w = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      error_ = errno_code();
      break;
    }
    off += static_cast<std::size_t>(w);
  }
  buffer_.clear();
}

void atomic_file::append_raw(std::string_view bytes) {
  buffer_.append(bytes);
  if (buffer_.size() >= (1U << 20)) flush_buffer();
}

void atomic_file::write(std::string_view bytes) {
  if (error_) return;
  if (!compressor_) {
    append_raw(bytes);
    return;
  }
  const std::error_code ec = compressor_->write(bytes, [this](std::string_view out) {
    append_raw(out);
    return error_;
  });
  if (ec && !error_) error_ = ec;
}

std::error_code atomic_file::commit() {
  if (committed_) return error_;
  if (compressor_ && !error_) {
    const std::error_code ec = compressor_->finish([this](std::string_view out) {
      append_raw(out);
      return error_;
    });
    if (ec && !error_) error_ = ec;
  }
  if (!error_) flush_buffer();
  // No fsync: rename() already makes the file appear complete or not at all to every reader,
  // which is the guarantee against a killed run; durability across power loss is the file
  // system's job, and an fsync per output file would cost more than the cleaning itself.
  if (fd_ >= 0 && ::close(fd_) != 0 && !error_) error_ = errno_code();
  fd_ = -1;
  if (!error_ && ::renameat(dir_fd_, temp_.c_str(), dir_fd_, target_.c_str()) != 0) error_ = errno_code();
  if (!error_) {
    committed_ = true;
    unregister_pending(slot_);
    slot_ = -1;
  }
  return error_;
}

std::error_code write_file_atomic(const fs::path& target, std::span<const std::string_view> pieces,
                                  compression c) {
  atomic_file file(target, c);
  if (file.error()) return file.error();
  for (std::string_view p : pieces) file.write(p);
  return file.commit();
}

output_folder::output_folder(fs::path path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) error_ = errno_code();
}

output_folder::~output_folder() {
  if (fd_ >= 0) ::close(fd_);
}

std::error_code output_folder::write(std::string_view relative, std::span<const std::string_view> pieces,
                                     compression c) const {
  if (error_) return error_;
  atomic_file file(*this, relative, c);
  if (file.error()) return file.error();
  for (std::string_view p : pieces) file.write(p);
  return file.commit();
}

bool path_is_within(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(fs::absolute(inner, ec), ec);
  const fs::path b = fs::weakly_canonical(fs::absolute(outer, ec), ec);
  auto ai = a.begin();
  for (auto bi = b.begin(); bi != b.end(); ++bi, ++ai) {
    if (bi->empty()) continue;  // a trailing separator
    if (ai == a.end() || *ai != *bi) return false;
  }
  return true;
}

int open_unlinked_temporary(const fs::path& dir_option, std::error_code& ec) {
  fs::path dir = dir_option;
  if (dir.empty()) {
    const char* t = std::getenv("TMPDIR");
    dir = (t != nullptr && *t != '\0') ? fs::path(t) : fs::path("/tmp");
  }
  std::string templ = (dir / "dupstrip-spool-XXXXXX").string();
  const int fd = ::mkstemp(templ.data());
  if (fd < 0) {
    ec = errno_code();
    return -1;
  }
  // Unlinked at once: the data lives as long as the descriptor, and nothing is left behind
  // however the process ends.
  ::unlink(templ.c_str());
  return fd;
}

}  // namespace dupstrip

namespace dupstrip {

folder_source::folder_source(file_list files, group_policy groups, std::uint64_t max_bytes)
    : files_(std::move(files)), groups_(groups), max_bytes_(max_bytes) {
  files_.shrink_to_fit();
  // Files under a root are opened relative to it: the kernel then resolves only the relative
  // part of each name. Without the root (unreadable now), paths are opened whole and the
  // errors come per file.
  if (files_.rooted()) root_fd_ = ::open(files_.root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

folder_source::~folder_source() {
  if (root_fd_ >= 0) ::close(root_fd_);
}

namespace {
file_list listed(const std::vector<input_file>& files) {
  file_list out;
  for (const input_file& f : files) out.add(f.relative, f.path.native());
  return out;
}
}  // namespace

folder_source::folder_source(const std::vector<input_file>& files, group_policy groups, std::uint64_t max_bytes)
    : folder_source(listed(files), groups, max_bytes) {}

std::string_view folder_source::name(std::size_t i) const { return files_.relative(i); }

std::string_view folder_source::group(std::size_t i) const {
  if (groups_ == group_policy::none) return {};
  const std::string_view rel = name(i);
  if (groups_ == group_policy::parent) {
    const std::size_t last = rel.rfind('/');
    return last == std::string_view::npos ? std::string_view{} : rel.substr(0, last == 0 ? 1 : last);
  }
  const std::size_t slash = rel.find('/');
  return slash == std::string_view::npos ? std::string_view{} : rel.substr(0, slash);
}

result<std::string> folder_source::read(std::size_t i) const {
  if (root_fd_ >= 0) {
    const std::string relative(name(i));
    return read_file_at(root_fd_, relative.c_str(), max_bytes_, compression_for(relative));
  }
  return read_file(path(i), max_bytes_, compression_for(name(i)));
}

}  // namespace dupstrip

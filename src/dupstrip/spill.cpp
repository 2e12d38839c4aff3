#include "dupstrip/spill.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <vector>

namespace dupstrip::detail {

std::filesystem::path temp_folder(const std::string& dir) {
  if (!dir.empty()) return dir;
  if (const char* t = std::getenv("TMPDIR"); t != nullptr && *t != '\0') return t;
  return "/tmp";
}

spill_file::spill_file(const std::string& dir) : where_(temp_folder(dir).string()) {
#ifdef O_TMPFILE
  fd_ = ::open(where_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (fd_ < 0) {  // file systems without O_TMPFILE: create, then unlink at once
    std::string name = where_ + "/.dupstrip-spill-XXXXXX";
    std::vector<char> buf(name.begin(), name.end());
    buf.push_back('\0');
    fd_ = ::mkstemp(buf.data());
    if (fd_ >= 0) ::unlink(buf.data());
  }
  if (fd_ < 0) fail("cannot create a temporary file");
}

spill_file::~spill_file() {
  if (fd_ >= 0) ::close(fd_);
}

void spill_file::fail(const char* what) const {
  throw std::system_error(errno, std::generic_category(),
                          std::string(what) + " in " + where_ + " (set --temp-dir or TMPDIR)");
}

std::uint64_t spill_file::append(const void* data, std::size_t n) {
  const std::uint64_t at = end_.fetch_add(n);
  write_at(at, data, n);
  return at;
}

void spill_file::write_at(std::uint64_t offset, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::pwrite(fd_, p, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      fail("cannot write a temporary file");
    }
    if (w == 0) {
      errno = ENOSPC;
      fail("cannot write a temporary file");
    }
    p += w;
    n -= static_cast<std::size_t>(w);
    offset += static_cast<std::uint64_t>(w);
  }
}

void spill_file::grow_to(std::uint64_t size) {
  while (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
    if (errno != EINTR) fail("cannot grow a temporary file");
}

void spill_file::read_at(std::uint64_t offset, void* data, std::size_t n) const {
  auto* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      fail("cannot read a temporary file");
    }
    if (r == 0) {
      errno = EIO;
      fail("a temporary file is shorter than written");
    }
    p += r;
    n -= static_cast<std::size_t>(r);
    offset += static_cast<std::uint64_t>(r);
  }
}

}  // namespace dupstrip::detail

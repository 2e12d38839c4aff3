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

namespace {

// Runs `call(p, n, offset)` (pread or pwrite) until n bytes are done; retries on EINTR. Returns
// errno's reason on failure: the call's, or `at_zero` when it transferred nothing.
template <class Call>
bool transfer(Call&& call, char* p, std::size_t n, std::uint64_t offset, int at_zero) {
  while (n > 0) {
    const ssize_t r = call(p, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (r == 0) {
      errno = at_zero;
      return false;
    }
    p += r;
    n -= static_cast<std::size_t>(r);
    offset += static_cast<std::uint64_t>(r);
  }
  return true;
}

}  // namespace

void spill_file::write_at(std::uint64_t offset, const void* data, std::size_t n) {
  const auto write = [this](char* p, std::size_t k, off_t at) { return ::pwrite(fd_, p, k, at); };
  // pwrite does not write through p; the cast only lets both directions share transfer().
  if (!transfer(write, const_cast<char*>(static_cast<const char*>(data)), n, offset, ENOSPC))
    fail("cannot write a temporary file");
}

void spill_file::grow_to(std::uint64_t size) {
  while (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
    if (errno != EINTR) fail("cannot grow a temporary file");
}

void spill_file::read_at(std::uint64_t offset, void* data, std::size_t n) const {
  const auto read = [this](char* p, std::size_t k, off_t at) { return ::pread(fd_, p, k, at); };
  if (!transfer(read, static_cast<char*>(data), n, offset, EIO)) fail("cannot read a temporary file");
}

}  // namespace dupstrip::detail

// dupstrip_io_floor: the file-system work that `dupstrip clean` cannot avoid, timed alone, so
// that bench/e2e.sh can report how far above it the cleaner runs. It walks INPUT, reads every
// file READS times (clean reads a document in its scan, in its content step and when it writes
// it) and writes each one once to OUTPUT the way clean does (a temporary in the target folder,
// then rename), on JOBS threads. No text is looked at.
//   dupstrip_io_floor INPUT OUTPUT [JOBS] [READS]     (defaults: 2 threads, 3 reads)
// Prints: files, bytes read, seconds.
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "dupstrip_io_floor: %s: %s\n", what.c_str(), std::generic_category().message(errno).c_str());
  std::exit(2);
}

// Reads a whole file into `buf` (open, fstat, read, close: what read_file does); returns its size.
std::size_t read_whole(int dir_fd, const std::string& rel, std::string& buf) {
  const int fd = ::openat(dir_fd, rel.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("open " + rel);
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail("stat " + rel);
  buf.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t got = 0;
  for (;;) {
    const ssize_t r = ::read(fd, buf.data() + got, buf.size() - got);
    if (r < 0) fail("read " + rel);
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
    if (got == static_cast<std::size_t>(st.st_size)) break;
  }
  ::close(fd);
  return got;
}

void write_atomic(int dir_fd, const std::string& rel, const std::string& buf, std::size_t n) {
  const std::string temp = rel + ".io-floor-tmp";
  const int fd = ::openat(dir_fd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail("create " + temp);
  for (std::size_t off = 0; off < n;) {
    const ssize_t w = ::write(fd, buf.data() + off, n - off);
    if (w < 0) fail("write " + temp);
    off += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0) fail("close " + temp);
  if (::renameat(dir_fd, temp.c_str(), dir_fd, rel.c_str()) != 0) fail("rename " + temp);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: dupstrip_io_floor INPUT OUTPUT [JOBS] [READS]\n");
    return 2;
  }
  const fs::path in = argv[1];
  const fs::path out = argv[2];
  const unsigned jobs = argc > 3 ? static_cast<unsigned>(std::max(1, std::atoi(argv[3]))) : 2U;
  const int reads = argc > 4 ? std::max(1, std::atoi(argv[4])) : 3;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(in)) {
    const fs::path rel = e.path().lexically_relative(in);
    if (e.is_directory()) fs::create_directories(out / rel);
    if (e.is_regular_file()) files.push_back(rel.string());
  }
  const int in_fd = ::open(in.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const int out_fd = ::open(out.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (in_fd < 0 || out_fd < 0) fail("open folders");
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> bytes{0};
  auto work = [&] {
    std::string buf;
    for (std::size_t i; (i = next.fetch_add(1)) < files.size();) {
      std::size_t n = 0;
      for (int r = 0; r < reads; ++r) n = read_whole(in_fd, files[i], buf);
      bytes += std::uint64_t{n} * static_cast<std::uint64_t>(reads);
      write_atomic(out_fd, files[i], buf, n);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned j = 0; j < jobs; ++j) pool.emplace_back(work);
  for (std::thread& t : pool) t.join();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%zu %llu %.3f\n", files.size(), static_cast<unsigned long long>(bytes.load()), secs);
  return 0;
}

// Slow hostile runs of the binary at scale: a folder of 100,000 files and one 200 MB file.
// Built as dupstrip_slow_tests with the ctest label `slow`, which tests/run_all.sh leaves out;
// run them with `ctest --test-dir build -L slow` (or ./build/tests/dupstrip_slow_tests).
// The data is generated in a temporary folder, removed at the end; each case prints its time.
#include "support/corpus.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <sys/wait.h>

namespace fs = std::filesystem;
using dupstrip_test::read_text;

namespace {

// Invented words from a seeded xorshift: lines of random words repeat neither across files
// nor inside one, so nothing is boilerplate, repeated or near-duplicate and every byte is kept.
class words {
 public:
  explicit words(std::uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  std::uint64_t next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  void word(std::string& out) {
    static const char* const syl[] = {"ka", "lo", "mer", "ti", "van", "su", "re", "dol", "pi", "na",
                                      "gor", "e", "lim", "tas", "u", "bre", "fo", "zi", "qua", "hen"};
    std::uint64_t r = next();
    const int n = 2 + static_cast<int>(r % 3);
    r /= 3;
    for (int i = 0; i < n; ++i, r /= 20) out += syl[r % 20];
  }
  void line(std::string& out, int n) {
    for (int i = 0; i < n; ++i) {
      if (i != 0) out += ' ';
      word(out);
    }
    out += ".\n";
  }

 private:
  std::uint64_t s_;
};

struct run_result {
  int code;
  double seconds;
  std::string err;
};

run_result clean(const fs::path& dir, const std::string& extra = "") {
  const std::string cmd = std::string("'") + DUPSTRIP_BIN + "' clean '" + (dir / "in").string() + "' -o '" +
                          (dir / "out").string() + "' --report '" + (dir / "report.jsonl").string() +
                          "' -q --progress never " + extra + " 2>'" + (dir / "err").string() + "'";
  const auto t0 = std::chrono::steady_clock::now();
  const int rc = std::system(cmd.c_str());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, s, read_text(dir / "err")};
}

// The integer value of "key": in a report line, or -1.
long long field(std::string_view line, std::string_view key) {
  const std::string k = "\"" + std::string(key) + "\":";
  const std::size_t at = line.find(k);
  if (at == std::string_view::npos) return -1;
  return std::strtoll(std::string(line.substr(at + k.size(), 24)).c_str(), nullptr, 10);
}

struct report_counts {
  long long docs = 0, kept = 0, dropped = 0, skipped = 0, stripped = 0;
  std::string summary;
};

report_counts read_report(const fs::path& p) {
  report_counts c;
  std::ifstream f(p, std::ios::binary);
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("{\"type\":\"doc\"", 0) == 0) {
      ++c.docs;
      if (line.find("\"status\":\"kept\"") != std::string::npos) ++c.kept;
      if (line.find("\"status\":\"dropped\"") != std::string::npos) ++c.dropped;
      if (line.find("\"status\":\"skipped\"") != std::string::npos) ++c.skipped;
      c.stripped += field(line, "stripped_bytes");
    } else if (line.rfind("{\"type\":\"summary\"", 0) == 0) {
      c.summary = line;
    }
  }
  return c;
}

bool same_file(const fs::path& a, const fs::path& b) {
  std::ifstream x(a, std::ios::binary);
  std::ifstream y(b, std::ios::binary);
  if (!x || !y) return false;
  std::string bx(1 << 20, '\0');
  std::string by(1 << 20, '\0');
  while (true) {
    x.read(bx.data(), static_cast<std::streamsize>(bx.size()));
    y.read(by.data(), static_cast<std::streamsize>(by.size()));
    if (x.gcount() != y.gcount()) return false;
    if (std::string_view(bx).substr(0, static_cast<std::size_t>(x.gcount())) !=
        std::string_view(by).substr(0, static_cast<std::size_t>(y.gcount())))
      return false;
    if (x.gcount() == 0) return true;
  }
}

}  // namespace

TEST_CASE("100,000 small files in one folder", "[cli][slow]") {
  dupstrip_test::temp_dir t;
  constexpr int n = 100000;
  const fs::path site = t.path() / "in/site";
  fs::create_directories(site);
  words w(7);
  const auto g0 = std::chrono::steady_clock::now();
  std::uint64_t total = 0;
  for (int i = 0; i < n; ++i) {
    std::string text;
    w.line(text, 8);
    w.line(text, 14);
    w.line(text, 11);
    char name[32];
    std::snprintf(name, sizeof name, "p%06d.txt", i);
    std::ofstream(site / name, std::ios::binary) << text;
    total += text.size();
  }
  const double gen = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();

  const run_result r = clean(t.path());
  std::fprintf(stderr, "slow: 100,000 files (%.1f MB): generated in %.1f s, cleaned in %.1f s\n",
               static_cast<double>(total) / 1e6, gen, r.seconds);
  INFO(r.err);
  CHECK(r.code == 0);

  // The report accounts for every file, all kept whole.
  const report_counts c = read_report(t.path() / "report.jsonl");
  CHECK(c.docs == n);
  CHECK(c.kept == n);
  CHECK(c.dropped == 0);
  CHECK(c.skipped == 0);
  CHECK(c.stripped == 0);
  INFO(c.summary);
  CHECK(field(c.summary, "read") == n);
  CHECK(field(c.summary, "kept") == n);
  CHECK(field(c.summary, "skipped") == 0);
  CHECK(field(c.summary, "bytes_in") == static_cast<long long>(total));
  CHECK(field(c.summary, "bytes_out") == static_cast<long long>(total));

  // The output is complete: one identical file per input file, nothing else.
  std::size_t outputs = 0;
  std::size_t identical = 0;
  for (const auto& e : fs::directory_iterator(t.path() / "out/site")) {
    ++outputs;
    if (read_text(e.path()) == read_text(site / e.path().filename())) ++identical;
  }
  CHECK(outputs == static_cast<std::size_t>(n));
  CHECK(identical == static_cast<std::size_t>(n));
}

TEST_CASE("a 200 MB file under the default --max-size", "[cli][slow]") {
  dupstrip_test::temp_dir t;
  const fs::path site = t.path() / "in/site";
  fs::create_directories(site);
  constexpr std::uint64_t target = 200'000'000;
  std::uint64_t total = 0;
  const auto g0 = std::chrono::steady_clock::now();
  {
    std::ofstream f(site / "big.txt", std::ios::binary);
    words w(11);
    std::string chunk;
    std::uint64_t lines = 0;
    while (total < target) {
      chunk.clear();
      while (chunk.size() < (1U << 20)) {
        w.line(chunk, 9 + static_cast<int>(w.next() % 20));
        if (++lines % 7 == 0) chunk += '\n';  // paragraphs
      }
      if (total + chunk.size() > target) chunk.resize(target - total);  // a last line without "\n"
      f << chunk;
      total += chunk.size();
    }
  }
  dupstrip_test::write_text(site / "small.txt", "A small page next to the big one.\nIt has two lines.\n");
  const double gen = std::chrono::duration<double>(std::chrono::steady_clock::now() - g0).count();
  REQUIRE(fs::file_size(site / "big.txt") == target);

  const run_result r = clean(t.path());
  std::fprintf(stderr, "slow: 200 MB file: generated in %.1f s, cleaned in %.1f s\n", gen, r.seconds);
  INFO(r.err);
  CHECK(r.code == 0);
  const report_counts c = read_report(t.path() / "report.jsonl");
  CHECK(c.docs == 2);
  CHECK(c.kept == 2);
  CHECK(c.stripped == 0);
  INFO(c.summary);
  CHECK(field(c.summary, "read") == 2);
  CHECK(field(c.summary, "skipped") == 0);
  // Nothing is removed, so the output is the input byte for byte.
  CHECK(same_file(site / "big.txt", t.path() / "out/site/big.txt"));
  CHECK(same_file(site / "small.txt", t.path() / "out/site/small.txt"));
}

// Crash safety: a run killed at any moment (SIGINT, SIGTERM, SIGKILL) leaves only complete
// output files under their final names, and, after SIGINT or SIGTERM, no temporaries either.
#include "support/corpus.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

std::map<std::string, std::string> files_under(const fs::path& root) {
  std::map<std::string, std::string> m;
  if (!fs::exists(root)) return m;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) m[fs::relative(e.path(), root).generic_string()] = dupstrip_test::read_text(e.path());
  return m;
}

bool is_temporary(const std::string& rel) { return rel.find(".dupstrip-tmp-") != std::string::npos; }

// Two generated sites of 60 articles each under `in`.
void write_small_corpus(const fs::path& in, std::uint64_t seed) {
  dupstrip_test::corpus_params p;
  p.sites = 2;
  p.articles_per_site = 60;
  dupstrip_test::write_corpus(in, dupstrip_test::generate_corpus(p, seed));
}

// Mounts a 64 KiB tmpfs on `dir` (made here), a stand-in for a full disk; false where that is
// not allowed (not root).
bool mount_tiny_tmpfs(const fs::path& dir) {
  fs::create_directories(dir);
  const std::string mount = "mount -t tmpfs -o size=64k dupstrip-test-tmpfs '" + dir.string() + "' 2>/dev/null";
  return std::system(mount.c_str()) == 0;
}

// Starts `dupstrip clean in -o out --report report`, kills it after `delay` with `sig`.
void run_and_kill(const fs::path& in, const fs::path& out, const fs::path& report, int sig,
                  std::chrono::milliseconds delay) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::execl(DUPSTRIP_BIN, DUPSTRIP_BIN, "clean", in.c_str(), "-o", out.c_str(), "--report", report.c_str(), "-q",
            "-j", "2", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::this_thread::sleep_for(delay);
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

}  // namespace

TEST_CASE("killing a run leaves only complete outputs", "[cli][signals]") {
  dupstrip_test::temp_dir t;
  dupstrip_test::corpus_params p;
  p.sites = 8;
  p.articles_per_site = 150;
  const auto c = dupstrip_test::generate_corpus(p, 4242);
  dupstrip_test::write_corpus(t.path() / "in", c);
  const std::string cmd = std::string("'") + DUPSTRIP_BIN + "' clean '" + (t.path() / "in").string() + "' -o '" +
                          (t.path() / "ref").string() + "' --report '" + (t.path() / "ref.jsonl").string() + "' -q";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const auto reference = files_under(t.path() / "ref");
  const std::string reference_report = dupstrip_test::read_text(t.path() / "ref.jsonl");
  int run = 0;
  for (const int sig : {SIGTERM, SIGINT, SIGKILL}) {
    for (const int ms : {30, 120, 250, 400, 700}) {
      const fs::path out = t.path() / ("out" + std::to_string(run));
      const fs::path report = t.path() / ("report" + std::to_string(run) + ".jsonl");
      ++run;
      run_and_kill(t.path() / "in", out, report, sig, std::chrono::milliseconds(ms));
      INFO("signal " << sig << " after " << ms << " ms");
      for (const auto& [rel, text] : files_under(out)) {
        if (is_temporary(rel)) {
          CHECK(sig == SIGKILL);  // only SIGKILL can leave a temporary behind
          continue;
        }
        REQUIRE(reference.count(rel) == 1);
        CHECK(text == reference.at(rel));
      }
      if (fs::exists(report)) CHECK(dupstrip_test::read_text(report) == reference_report);
      if (sig != SIGKILL) {
        for (const auto& e : fs::directory_iterator(t.path()))
          CHECK(e.path().filename().string().find(".dupstrip-tmp-") == std::string::npos);
      }
    }
  }
}

TEST_CASE("a full disk stops the run with exit 2, a clear message and no partial file", "[cli][signals]") {
  dupstrip_test::temp_dir t;
  write_small_corpus(t.path() / "in", 17);
  const fs::path small = t.path() / "small";
  // A 64 KiB tmpfs stands in for a full disk (root can mount one; elsewhere the case is skipped).
  if (!mount_tiny_tmpfs(small)) {
    WARN("cannot mount a tmpfs here (not root?): full-disk case not run");
    return;
  }
  const std::string cmd = std::string("'") + DUPSTRIP_BIN + "' clean '" + (t.path() / "in").string() + "' -o '" +
                          (small / "out").string() + "' -q 2>'" + (t.path() / "err").string() + "'";
  const int rc = std::system(cmd.c_str());
  const auto written = files_under(small);
  const std::string err = dupstrip_test::read_text(t.path() / "err");
  std::system(("umount '" + small.string() + "'").c_str());
  CHECK(WEXITSTATUS(rc) == 2);
  CHECK(err.find("No space left on device") != std::string::npos);
  for (const auto& [rel, text] : written) {
    CHECK_FALSE(is_temporary(rel));
    CHECK(!text.empty());
  }
}

TEST_CASE("a full or missing temporary folder stops the run with exit 2 and a message naming it", "[cli][signals]") {
  dupstrip_test::temp_dir t;
  write_small_corpus(t.path() / "in", 19);
  auto run_with_temp = [&](const fs::path& temp, const std::string& out) {
    const std::string cmd = std::string("'") + DUPSTRIP_BIN + "' clean '" + (t.path() / "in").string() + "' -o '" +
                            (t.path() / out).string() + "' --temp-dir '" + temp.string() + "' -q 2>'" +
                            (t.path() / "err").string() + "'";
    return std::system(cmd.c_str());
  };
  {
    const fs::path missing = t.path() / "no-such-folder";
    const int rc = run_with_temp(missing, "out1");
    const std::string err = dupstrip_test::read_text(t.path() / "err");
    CHECK(WEXITSTATUS(rc) == 2);
    CHECK(err.find("cannot create a temporary file in " + missing.string()) != std::string::npos);
    CHECK(err.find("--temp-dir") != std::string::npos);
    CHECK(files_under(t.path() / "out1").empty());
  }
  // A 64 KiB tmpfs as the temporary folder fills up during the scan.
  const fs::path small = t.path() / "small";
  if (!mount_tiny_tmpfs(small)) {
    WARN("cannot mount a tmpfs here (not root?): full temporary folder case not run");
    return;
  }
  const int rc = run_with_temp(small, "out2");
  const auto left = files_under(small);
  std::system(("umount '" + small.string() + "'").c_str());
  const std::string err = dupstrip_test::read_text(t.path() / "err");
  CHECK(WEXITSTATUS(rc) == 2);
  CHECK(err.find("cannot write a temporary file in " + small.string()) != std::string::npos);
  CHECK(err.find("No space left on device") != std::string::npos);
  CHECK(left.empty());  // the spill files were unlinked from the start
  CHECK(files_under(t.path() / "out2").empty());
}

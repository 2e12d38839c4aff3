// Hostile folders: what crawlers leave behind. Each case gets its documented behaviour and a
// message naming the file, and does not disturb the other files.
#include "support/corpus.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <sys/stat.h>

namespace fs = std::filesystem;
using dupstrip_test::read_text;
using dupstrip_test::write_text;

namespace {

struct outcome {
  int code;
  std::string err;
};

outcome clean(const fs::path& dir, const std::string& extra = "") {
  const std::string cmd = std::string("'") + DUPSTRIP_BIN + "' clean '" + (dir / "in").string() + "' -o '" +
                          (dir / "out").string() + "' -q " + extra + " 2>'" + (dir / "err").string() + "'";
  const int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read_text(dir / "err")};
}

const std::string ordinary = "An ordinary page about the harbour and its boats.\nSecond line of the page.\n";

}  // namespace

TEST_CASE("hostile folders", "[cli][hostile]") {
  dupstrip_test::temp_dir t;
  write_text(t.path() / "in/site/ok.txt", ordinary);
  SECTION("non-UTF-8 file names are preserved byte for byte") {
    const std::string name = std::string("caf\xE9-\xFF.txt");
    write_text(t.path() / "in/site" / name, ordinary + "more\n");
    const auto r = clean(t.path(), "--report '" + (t.path() / "r.jsonl").string() + "'");
    CHECK(r.code == 0);
    CHECK(read_text(t.path() / "out/site" / name) == ordinary + "more\n");
    CHECK(read_text(t.path() / "r.jsonl").find("{\"bytes\":") != std::string::npos);
  }
  SECTION("a BOM, CRLF and lone CR files, a 1 MB single line, an empty file") {
    write_text(t.path() / "in/site/bom.txt", "\xEF\xBB\xBFTitle with a BOM\r\nBody line\r\n");
    write_text(t.path() / "in/site/cr.txt", "Old Mac line one\rline two\r");
    const std::string huge_line(1u << 20, 'x');
    write_text(t.path() / "in/site/oneline.txt", huge_line);
    write_text(t.path() / "in/site/empty.txt", "");
    CHECK(clean(t.path()).code == 0);
    CHECK(read_text(t.path() / "out/site/bom.txt") == "\xEF\xBB\xBFTitle with a BOM\r\nBody line\r\n");
    CHECK(read_text(t.path() / "out/site/cr.txt") == "Old Mac line one\rline two\r");
    CHECK(read_text(t.path() / "out/site/oneline.txt") == huge_line);
    CHECK(fs::file_size(t.path() / "out/site/empty.txt") == 0);
  }
  SECTION("deep nesting") {
    fs::path deep = t.path() / "in/site";
    for (int i = 0; i < 60; ++i) deep /= "d";
    write_text(deep / "deep.txt", "Deep page text here.\n");
    CHECK(clean(t.path()).code == 0);
    CHECK(read_text(t.path() / "out" / fs::relative(deep / "deep.txt", t.path() / "in")) == "Deep page text here.\n");
  }
  SECTION("symbolic links are not followed, a loop does not hang") {
    fs::create_directory_symlink(t.path() / "in", t.path() / "in/site/loop");
    fs::create_symlink(t.path() / "in/site/ok.txt", t.path() / "in/site/link.txt");
    const auto r = clean(t.path());
    CHECK(r.code == 1);
    CHECK(r.err.find("loop: not a regular file") != std::string::npos);
    CHECK(r.err.find("link.txt: not a regular file") != std::string::npos);
    CHECK(read_text(t.path() / "out/site/ok.txt") == ordinary);
    CHECK(!fs::exists(t.path() / "out/site/link.txt"));
  }
  SECTION("FIFOs are skipped with a message (never opened, so the run does not block)") {
    REQUIRE(::mkfifo((t.path() / "in/site/pipe").c_str(), 0600) == 0);
    const auto r = clean(t.path());
    CHECK(r.code == 1);
    CHECK(r.err.find("pipe: not a regular file") != std::string::npos);
    CHECK(read_text(t.path() / "out/site/ok.txt") == ordinary);
  }
  SECTION("NUL bytes and invalid UTF-8 next to good files") {
    write_text(t.path() / "in/site/nul.txt", std::string("text\0more", 9));
    write_text(t.path() / "in/site/latin1.txt", "caf\xE9 au lait\n");
    const auto r = clean(t.path());
    CHECK(r.code == 1);
    CHECK(r.err.find("nul.txt: binary file (NUL byte)") != std::string::npos);
    CHECK(read_text(t.path() / "out/site/latin1.txt") == "caf\xE9 au lait\n");
    CHECK(read_text(t.path() / "out/site/ok.txt") == ordinary);
  }
  SECTION("a file over --max-size is skipped with a message") {
    write_text(t.path() / "in/site/big.txt", std::string(5000, 'a') + "\n");
    const auto r = clean(t.path(), "--max-size 4096");
    CHECK(r.code == 1);
    CHECK(r.err.find("big.txt: file too large") != std::string::npos);
    CHECK(read_text(t.path() / "out/site/ok.txt") == ordinary);
  }
}

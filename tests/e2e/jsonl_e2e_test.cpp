// End-to-end tests of JSONL input and output, compressed files, standard input and output,
// --files-from, the error paths with their exact messages and exit codes, and the progress
// line (on a pseudo-terminal made by `script`, never on a pipe).
#include "support/corpus.hpp"
#include "support/run_binary.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using dupstrip_test::read_text;
using dupstrip_test::temp_dir;
using dupstrip_test::write_text;

namespace {

using dupstrip_test::run_result;
run_result run(const std::string& args, const fs::path& dir, const std::string& prefix = "") {
  return dupstrip_test::run_dupstrip(args, dir, prefix);
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t nl = s.find('\n', pos);
    out.push_back(s.substr(pos, nl - pos));
    pos = nl == std::string::npos ? s.size() : nl + 1;
  }
  return out;
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (const char c : s) {
    if (c == '\n') o += "\\n";
    else if (c == '"') o += "\\\"";
    else o.push_back(c);
  }
  return o;
}

// A JSONL corpus from the generator: records with odd formatting and extra fields around the
// text, so that a round trip can be checked byte for byte.
struct jsonl_corpus {
  std::string text;                   // the file
  std::vector<std::string> ids;       // in order
  dupstrip_test::generated_corpus c;
};

jsonl_corpus make_jsonl(std::uint64_t seed) {
  dupstrip_test::corpus_params p;
  p.sites = 2;
  p.articles_per_site = 20;
  jsonl_corpus j{{}, {}, dupstrip_test::generate_corpus(p, seed)};
  int n = 0;
  for (const auto& [rel, page] : j.c.pages) {
    const std::string site = rel.substr(0, rel.find('/'));
    j.ids.push_back(rel);
    j.text += "{\"url\": \"https://" + site + ".example/" + rel + "\",  \"id\":\"" + rel + "\", \"n\": " +
              std::to_string(n++) + ",\"text\" :\"" + json_escape(page) + "\" , \"tail\":[1, {\"k\":\"\\u00e9\"}]}\n";
  }
  return j;
}

}  // namespace

TEST_CASE("JSONL round trip: every byte but the text field's value is kept", "[cli][e2e][jsonl]") {
  temp_dir t;
  const jsonl_corpus j = make_jsonl(11);
  write_text(t.path() / "in.jsonl", j.text);
  const auto r = run("clean " + q(t.path() / "in.jsonl") + " -o " + q(t.path() / "out.jsonl") +
                         " --group-field url -q --report " + q(t.path() / "r.jsonl"),
                     t.path());
  REQUIRE(r.exit_code == 0);
  const auto in_lines = split_lines(j.text);
  const auto out_lines = split_lines(read_text(t.path() / "out.jsonl"));
  REQUIRE(!out_lines.empty());
  CHECK(out_lines.size() < in_lines.size());  // near-duplicates dropped
  std::size_t k = 0;
  for (const std::string& o : out_lines) {
    const std::string key = o.substr(0, o.find("\"text\" :\""));
    while (k < in_lines.size() && in_lines[k].substr(0, in_lines[k].find("\"text\" :\"")) != key) ++k;
    REQUIRE(k < in_lines.size());
    const std::string& in = in_lines[k];
    // Same prefix up to the text value and same suffix after it.
    CHECK(o.substr(0, key.size()) == in.substr(0, key.size()));
    const std::string tail = " , \"tail\":[1, {\"k\":\"\\u00e9\"}]}";
    CHECK(o.substr(o.size() - tail.size()) == tail);
    CHECK(o.size() <= in.size());
  }
  // The cleaned text is what the folder pipeline writes for the same pages.
  dupstrip_test::write_corpus(t.path() / "folder", j.c);
  REQUIRE(run("clean " + q(t.path() / "folder") + " -o " + q(t.path() / "fout") + " -q", t.path()).exit_code == 0);
  const std::string first = out_lines.front();
  const std::string id = first.substr(first.find("\"id\":\"") + 6, first.find("\", \"n\"") - first.find("\"id\":\"") - 6);
  const std::string cleaned = read_text(t.path() / "fout" / id);
  CHECK(first.find("\"text\" :\"" + json_escape(cleaned) + "\" ,") != std::string::npos);
  const std::string report = read_text(t.path() / "r.jsonl");
  CHECK(report.find("\"path\":{\"text\":\"" + j.ids.front() + "\"}") != std::string::npos);
  CHECK(report.find("\"group\":{\"text\":\"site-0-") != std::string::npos);
  CHECK(report.find(".example\"},\"index\":0,") != std::string::npos);
}

TEST_CASE("JSONL: stdin to stdout, compressed files, and any --jobs give the same bytes", "[cli][e2e][jsonl]") {
  temp_dir t;
  const jsonl_corpus j = make_jsonl(12);
  write_text(t.path() / "in.jsonl", j.text);
  const auto base = run("clean " + q(t.path() / "in.jsonl") + " -o " + q(t.path() / "a.jsonl") + " -q -j1", t.path());
  REQUIRE(base.exit_code == 0);
  const std::string expect = read_text(t.path() / "a.jsonl");
  const auto piped = run("clean - -o - -q -j 3", t.path(), "cat " + q(t.path() / "in.jsonl") + " | ");
  REQUIRE(piped.exit_code == 0);
  CHECK(piped.out == expect);
  REQUIRE(std::system(("gzip -c " + q(t.path() / "in.jsonl") + " > " + q(t.path() / "in.jsonl.gz")).c_str()) == 0);
  REQUIRE(std::system(("zstd -q -c " + q(t.path() / "in.jsonl") + " > " + q(t.path() / "in.jsonl.zst")).c_str()) == 0);
  REQUIRE(run("clean " + q(t.path() / "in.jsonl.gz") + " -o " + q(t.path() / "b.jsonl.zst") + " -q -j 2", t.path())
              .exit_code == 0);
  REQUIRE(run("clean " + q(t.path() / "in.jsonl.zst") + " -o " + q(t.path() / "c.jsonl.gz") + " -q -j 4", t.path())
              .exit_code == 0);
  REQUIRE(std::system(("zstd -q -d -c " + q(t.path() / "b.jsonl.zst") + " > " + q(t.path() / "b.jsonl")).c_str()) == 0);
  REQUIRE(std::system(("gzip -d -c " + q(t.path() / "c.jsonl.gz") + " > " + q(t.path() / "c.jsonl")).c_str()) == 0);
  CHECK(read_text(t.path() / "b.jsonl") == expect);
  CHECK(read_text(t.path() / "c.jsonl") == expect);
  // Input untouched.
  CHECK(read_text(t.path() / "in.jsonl") == j.text);
}

TEST_CASE("folder in, JSONL out, JSONL in, folder out, and compressed files inside a folder", "[cli][e2e][jsonl]") {
  temp_dir t;
  write_text(t.path() / "in/s/a.txt", "Alpha line one\nsecond \"quoted\" line\ttab\n");
  write_text(t.path() / "in/s/b.txt", "Beta\x01 control\r\n");
  const auto r = run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "o.jsonl") + " -q", t.path());
  REQUIRE(r.exit_code == 0);
  CHECK(read_text(t.path() / "o.jsonl") ==
        "{\"id\":\"s/a.txt\",\"text\":\"Alpha line one\\nsecond \\\"quoted\\\" line\\ttab\\n\"}\n"
        "{\"id\":\"s/b.txt\",\"text\":\"Beta\\u0001 control\\r\\n\"}\n");
  // Back to a folder: ids are safe file names, so files are named after them.
  write_text(t.path() / "r.jsonl", "{\"id\":\"one\",\"text\":\"x \\u0001 y\\n\"}\n{\"id\":\"two\",\"text\":\"z\"}\n");
  REQUIRE(run("clean " + q(t.path() / "r.jsonl") + " -o " + q(t.path() / "dir") + " -q", t.path()).exit_code == 0);
  CHECK(read_text(t.path() / "dir/one.txt") == "x \x01 y\n");
  CHECK(read_text(t.path() / "dir/two.txt") == "z");
  // Compressed text files in a folder are read decompressed and written compressed.
  REQUIRE(std::system(("gzip " + q(t.path() / "in/s/a.txt")).c_str()) == 0);
  REQUIRE(run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "z") + " -q", t.path()).exit_code == 0);
  REQUIRE(fs::exists(t.path() / "z/s/a.txt.gz"));
  REQUIRE(std::system(("gzip -d " + q(t.path() / "z/s/a.txt.gz")).c_str()) == 0);
  CHECK(read_text(t.path() / "z/s/a.txt") == "Alpha line one\nsecond \"quoted\" line\ttab\n");
}

TEST_CASE("control characters and lone surrogates round-trip and are reported", "[cli][e2e][jsonl]") {
  temp_dir t;
  const std::string line = "{\"text\":\"a\\u0000b\\u001f\\u007f \\ud800 \\udfff \\ud83d\\ude00\\\\\\\"\",\"id\":\"x\"}\n";
  write_text(t.path() / "in.jsonl", line + "{\"text\":\"another record\"}\n");
  const auto r = run("clean " + q(t.path() / "in.jsonl") + " -o " + q(t.path() / "o.jsonl") + " --utf8 bytes", t.path());
  // NUL in the text: the record is binary, skipped with a message.
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("dupstrip: in.jsonl:1: binary file (NUL byte)") == std::string::npos);
  CHECK(r.err.find(":1: binary file (NUL byte)") != std::string::npos);
  const std::string line2 = "{\"text\":\"a\\u0001b\\u001f\\u007f \\ud800 \\udfff \\ud83d\\ude00\\\\\\\"\\n\",\"id\":\"x\"}\n";
  write_text(t.path() / "in2.jsonl", line2);
  const auto r2 = run("clean in2.jsonl -o o2.jsonl", t.path(), "cd " + q(t.path()) + " && ");
  CHECK(r2.exit_code == 0);
  CHECK(r2.err.find("dupstrip: warning: in2.jsonl:1: lone surrogate escape \\ud800, kept as written") !=
        std::string::npos);
  const std::string out = read_text(t.path() / "o2.jsonl");
  CHECK(out.find("\\ud800 \\udfff ") != std::string::npos);
  CHECK(out.find("\\u0001b\\u001f\\u007f") != std::string::npos);
  CHECK(out.find("\xF0\x9F\x98\x80\\\\\\\"\\n\",\"id\":\"x\"}\n") != std::string::npos);
}

TEST_CASE("annotate keeps every record and adds the decisions", "[cli][e2e][jsonl]") {
  temp_dir t;
  const jsonl_corpus j = make_jsonl(13);
  write_text(t.path() / "in.jsonl", j.text);
  REQUIRE(run("clean " + q(t.path() / "in.jsonl") + " -o " + q(t.path() / "a.jsonl") + " --annotate -q", t.path())
              .exit_code == 0);
  const auto in_lines = split_lines(j.text);
  const auto out_lines = split_lines(read_text(t.path() / "a.jsonl"));
  REQUIRE(out_lines.size() == in_lines.size());
  bool saw_dropped = false;
  for (std::size_t i = 0; i < in_lines.size(); ++i) {
    const std::size_t at = out_lines[i].find(",\"dupstrip\":{\"status\":\"");
    REQUIRE(at != std::string::npos);
    CHECK(out_lines[i].substr(0, at) == in_lines[i].substr(0, in_lines[i].size() - 1));
    saw_dropped = saw_dropped || out_lines[i].find("\"status\":\"dropped\",\"duplicate_of\":\"") != std::string::npos;
  }
  CHECK(saw_dropped);
}

TEST_CASE("error paths: messages and exit codes", "[cli][e2e][jsonl]") {
  temp_dir t;
  write_text(t.path() / "in.jsonl",
             "{\"id\":\"a\",\"text\":\"First record line\\n\"}\n{\"id\":\"b\",\"text\":\n[]\n{\"id\":\"c\"}\n"
             "{\"id\":\"d\",\"text\":\"Second record\\n\"}\n");
  const std::string cd = "cd " + q(t.path()) + " && ";
  SECTION("malformed lines are reported as FILE:LINE and skipped, exit 1") {
    const auto r = run("clean in.jsonl -o out.jsonl", t.path(), cd);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("dupstrip: in.jsonl:2: invalid JSON: ") != std::string::npos);
    CHECK(r.err.find("dupstrip: in.jsonl:3: not a JSON object\n") != std::string::npos);
    CHECK(r.err.find("dupstrip: in.jsonl:4: no \"text\" field\n") != std::string::npos);
    CHECK(split_lines(read_text(t.path() / "out.jsonl")).size() == 2);
  }
  SECTION("--strict stops at the first one, exit 2, no output") {
    const auto r = run("clean in.jsonl -o out.jsonl --strict", t.path(), cd);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("dupstrip: in.jsonl:2: invalid JSON: ") != std::string::npos);
    CHECK(r.err.find("in.jsonl:3") == std::string::npos);
    CHECK(r.err.find("dupstrip: stopped at the first error (--strict)\n") != std::string::npos);
    CHECK(!fs::exists(t.path() / "out.jsonl"));
  }
  SECTION("--text-field and --id-field") {
    write_text(t.path() / "f.jsonl", "{\"key\":\"k1\",\"body\":\"Some body\\n\"}\n");
    const auto r = run("clean f.jsonl -o - --text-field body --id-field key -q", t.path(), cd);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "{\"key\":\"k1\",\"body\":\"Some body\\n\"}\n");
  }
  SECTION("an unwritable output stops the run with exit 2 and leaves no file") {
    write_text(t.path() / "afile", "x");
    const auto r = run("clean in.jsonl -o afile/out.jsonl -q", t.path(), cd);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("dupstrip: afile/out.jsonl: cannot write output: Not a directory\n") != std::string::npos);
    CHECK(fs::is_regular_file(t.path() / "afile"));
    const auto r2 = run("clean in.jsonl -o in.jsonl -q", t.path(), cd);
    CHECK(r2.exit_code == 2);
    CHECK(r2.err == "dupstrip: in.jsonl: the output must not be an input or inside INPUT\n");
  }
  SECTION("a missing JSONL input: exit 2") {
    const auto r = run("clean nope.jsonl -o out.jsonl", t.path(), cd);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "dupstrip: nope.jsonl: no such file or directory\n");
  }
  SECTION("--json cannot share stdout with the cleaned stream") {
    const auto r = run("clean in.jsonl -o - --json", t.path(), cd);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
  }
  SECTION("--files-from: a binary file, a vanished file and a folder are skipped with messages") {
    write_text(t.path() / "docs/s/a.txt", "A readable page with some words on it.\n");
    write_text(t.path() / "docs/s/bin.dat", std::string("PK\0\x03", 4));
    fs::create_directories(t.path() / "docs/s/dir.txt");
    std::string list;
    for (const char* p : {"docs/s/a.txt", "docs/s/bin.dat", "docs/s/gone.txt", "docs/s/dir.txt"}) {
      list += p;
      list.push_back('\0');
    }
    write_text(t.path() / "list", list);
    const auto r = run("clean --files-from list -o out -q", t.path(), cd);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("dupstrip: docs/s/bin.dat: binary file (NUL byte)\n") != std::string::npos);
    CHECK(r.err.find("dupstrip: docs/s/gone.txt: No such file or directory\n") != std::string::npos);
    CHECK(r.err.find("dupstrip: docs/s/dir.txt: not a regular file\n") != std::string::npos);
    CHECK(read_text(t.path() / "out/docs/s/a.txt") == "A readable page with some words on it.\n");
    // Newline-separated from stdin, JSONL names: read as JSONL shards.
    const auto r2 = run("clean --files-from - -o - -q", t.path(), cd + "printf 'in.jsonl\\n' | ");
    CHECK(r2.exit_code == 1);
    CHECK(split_lines(r2.out).size() == 2);
  }
}

TEST_CASE("a folder of compressed JSONL shards, grouped by URL host", "[cli][e2e][jsonl]") {
  temp_dir t;
  const jsonl_corpus j = make_jsonl(14);
  const auto lines = split_lines(j.text);
  std::string a, b;
  for (std::size_t i = 0; i < lines.size(); ++i) (i % 2 == 0 ? a : b) += lines[i] + "\n";
  write_text(t.path() / "all.jsonl", a + b);
  fs::create_directories(t.path() / "shards");
  write_text(t.path() / "a.jsonl", a);
  write_text(t.path() / "b.jsonl", b);
  REQUIRE(std::system(("zstd -q " + q(t.path() / "a.jsonl") + " -o " + q(t.path() / "shards/part-0.jsonl.zst") +
                       " && gzip -c " + q(t.path() / "b.jsonl") + " > " + q(t.path() / "shards/part-1.jsonl.gz"))
                          .c_str()) == 0);
  const auto r = run("clean " + q(t.path() / "shards") + " -o " + q(t.path() / "o.jsonl") +
                         " --group-field url -q --report " + q(t.path() / "r.jsonl"),
                     t.path());
  REQUIRE(r.exit_code == 0);
  REQUIRE(run("clean " + q(t.path() / "all.jsonl") + " -o " + q(t.path() / "o2.jsonl") + " --group-field url -q",
              t.path())
              .exit_code == 0);
  CHECK(read_text(t.path() / "o.jsonl") == read_text(t.path() / "o2.jsonl"));
  CHECK(read_text(t.path() / "r.jsonl").find("\"group\":{\"text\":\"site-1-") != std::string::npos);
}

TEST_CASE("progress appears on a terminal only", "[cli][e2e][jsonl]") {
  temp_dir t;
  write_text(t.path() / "in.jsonl", make_jsonl(15).text);
  const std::string cmd = std::string("'") + DUPSTRIP_BIN + "' clean " + q(t.path() / "in.jsonl") + " -o " +
                          q(t.path() / "o.jsonl");
  const std::string pty = "script -qfec \"" + cmd + "\" /dev/null </dev/null >" + q(t.path() / "pty.txt");
  REQUIRE(std::system(pty.c_str()) == 0);
  const std::string shown = read_text(t.path() / "pty.txt");
  CHECK(shown.find("\r\x1b[Kscan: ") != std::string::npos);
  CHECK(shown.find("docs/s") != std::string::npos);
  CHECK(shown.find("MB/s, ETA") != std::string::npos);
  // Through a pipe: no progress line; --progress always forces it, --quiet silences everything.
  const auto piped = run("clean " + q(t.path() / "in.jsonl") + " -o " + q(t.path() / "p.jsonl"), t.path());
  CHECK(piped.exit_code == 0);
  CHECK(piped.err.find("docs/s") == std::string::npos);
  CHECK(piped.err.find("dupstrip: read ") != std::string::npos);
  const auto forced = run("clean " + q(t.path() / "in.jsonl") + " -o " + q(t.path() / "f.jsonl") + " --progress always",
                          t.path());
  CHECK(forced.err.find("docs/s") != std::string::npos);
  const std::string quiet = "script -qfec \"" + cmd + " -q --force\" /dev/null </dev/null >" + q(t.path() / "q.txt");
  REQUIRE(std::system(quiet.c_str()) == 0);
  CHECK(read_text(t.path() / "q.txt").empty());
  CHECK(read_text(t.path() / "p.jsonl") == read_text(t.path() / "o.jsonl"));
}

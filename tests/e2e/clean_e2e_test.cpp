// End-to-end tests of `dupstrip clean` / `scan`: each test writes its own small corpus into a
// temporary folder, runs the built binary (DUPSTRIP_BIN) and checks the output folder, the
// report and the exit code.
#include "support/corpus.hpp"
#include "support/run_binary.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using dupstrip_test::read_text;
using dupstrip_test::temp_dir;
using dupstrip_test::write_text;

namespace {

using dupstrip_test::run_result;
run_result run(const std::string& args, const fs::path& dir, const std::string& prefix = "") {
  return dupstrip_test::run_dupstrip(args, dir, prefix);
}

std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> m;
  if (!fs::exists(root)) return m;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) m[fs::relative(e.path(), root).generic_string()] = read_text(e.path());
  return m;
}

std::string lines(std::initializer_list<const char*> ls) {
  std::string s;
  for (const char* l : ls) s += std::string(l) + "\n";
  return s;
}

const char* const body[] = {
    "The harbour board agreed on Tuesday to rebuild the northern pier before the winter storms arrive, "
    "after engineers found that two of its oak piles had rotted through.",
    "Work will start next month and is expected to take eleven weeks, during which the ferry to the "
    "island will leave from the temporary landing beside the old fish market.",
    "Board members argued for an hour about the cost, which has risen by a third since the first estimate "
    "was drawn up in spring, before voting seven to two in favour of the plan.",
    "Fishermen who moor at the pier said they welcomed the decision but asked for a written promise that "
    "the berths would be ready before the herring season opens in March."};

}  // namespace

TEST_CASE("a body printed twice is reduced to its first copy", "[cli][e2e]") {
  temp_dir t;
  std::string page = "Harbour News\nPier to be rebuilt before winter\n";
  for (const char* p : body) page += std::string(p) + "\n";
  page += "Full story: Pier to be rebuilt before winter\n";
  for (const char* p : body) page += std::string(p) + "\n";
  write_text(t.path() / "in/site/pier.txt", page);
  const auto r = run("clean '" + (t.path() / "in").string() + "' -o '" + (t.path() / "out").string() +
                         "' --report '" + (t.path() / "r.jsonl").string() + "' -q",
                     t.path());
  REQUIRE(r.exit_code == 0);
  const std::string got = read_text(t.path() / "out/site/pier.txt");
  std::string expect = "Harbour News\nPier to be rebuilt before winter\n";
  for (const char* p : body) expect += std::string(p) + "\n";
  // The second title line is not a repeat of a whole line; it may survive, the body may not.
  CHECK(got.substr(0, expect.size()) == expect);
  CHECK(got.find(body[0], expect.size()) == std::string::npos);
  const std::string report = read_text(t.path() / "r.jsonl");
  CHECK(report.find("\"reason\":\"repeat\"") != std::string::npos);
}

TEST_CASE("short legitimate repeats survive", "[cli][e2e]") {
  temp_dir t;
  const std::string page = lines({"Interview with the lighthouse keeper", "Q:",
                                  "How long have you kept the light burning through the winter months?", "A:",
                                  "Nineteen years, and I have missed only one night, when the generator failed.",
                                  "* * *", "Q:", "What do you miss most when the weather cuts the island off?", "A:",
                                  "Fresh bread, mostly. The boat brings flour but it is never the same.", "* * *",
                                  "Row row row", "Row row row"});
  write_text(t.path() / "in/one/interview.txt", page);
  const auto r = run("clean '" + (t.path() / "in").string() + "' -o '" + (t.path() / "out").string() + "' -q",
                     t.path());
  REQUIRE(r.exit_code == 0);
  CHECK(read_text(t.path() / "out/one/interview.txt") == page);
}

TEST_CASE("site furniture with changing years, counters and titles is stripped", "[cli][e2e]") {
  temp_dir t;
  dupstrip_test::corpus_params p;
  p.sites = 3;
  p.articles_per_site = 40;
  const auto c = dupstrip_test::generate_corpus(p, 20261129);
  dupstrip_test::write_corpus(t.path() / "in", c);
  const auto r = run("clean '" + (t.path() / "in").string() + "' -o '" + (t.path() / "out").string() + "' -q",
                     t.path());
  REQUIRE(r.exit_code == 0);
  const auto q = dupstrip_test::score(t.path() / "out", c);
  INFO("precision " << q.line_precision << " recall " << q.line_recall << " dup p " << q.dup_precision
                    << " dup r " << q.dup_recall);
  CHECK(q.line_precision >= 0.99);
  CHECK(q.line_recall >= 0.99);
  CHECK(q.dup_precision >= 0.99);
  CHECK(q.dup_recall >= 0.95);
}

TEST_CASE("Chinese pages: furniture stripped, edited copies found", "[cli][e2e]") {
  temp_dir t;
  dupstrip_test::corpus_params p;
  p.sites = 2;
  p.articles_per_site = 25;
  p.chinese = true;
  p.p_syndicate = 0.4;
  const auto c = dupstrip_test::generate_corpus(p, 77);
  dupstrip_test::write_corpus(t.path() / "in", c);
  const auto r = run("clean '" + (t.path() / "in").string() + "' -o '" + (t.path() / "out").string() + "' -q",
                     t.path());
  REQUIRE(r.exit_code == 0);
  const auto q = dupstrip_test::score(t.path() / "out", c);
  INFO("precision " << q.line_precision << " recall " << q.line_recall << " dup p " << q.dup_precision
                    << " dup r " << q.dup_recall);
  CHECK(q.line_precision >= 0.99);
  CHECK(q.line_recall >= 0.99);
  CHECK(q.dup_precision >= 0.99);
  CHECK(q.dup_recall >= 0.9);
}

TEST_CASE("an article syndicated on another site is dropped and the report names its copy", "[cli][e2e]") {
  temp_dir t;
  std::string a = "Alpha Times\nAlpha menu | News | Sport\nPier to be rebuilt before winter\n";
  std::string b = "Beta Herald | Home\nPier to be rebuilt before winter\n";
  for (const char* p : body) {
    a += std::string(p) + "\n";
    std::string edited(p);
    edited.replace(edited.find("the"), 3, "that");  // a small edit
    b += edited + "\n";
  }
  a += "Alpha Times, all rights reserved\n";
  b += "Share on Beta\n";
  write_text(t.path() / "in/alpha/pier.txt", a);
  write_text(t.path() / "in/beta/pier-story.txt", b);
  const auto r = run("clean '" + (t.path() / "in").string() + "' -o '" + (t.path() / "out").string() +
                         "' --report '" + (t.path() / "r.jsonl").string() + "' -q",
                     t.path());
  REQUIRE(r.exit_code == 0);
  const auto out = snapshot(t.path() / "out");
  CHECK(out.size() == 1);
  const std::string report = read_text(t.path() / "r.jsonl");
  CHECK(report.find("\"status\":\"dropped\"") != std::string::npos);
  CHECK(report.find("\"duplicate_of\":{\"text\":") != std::string::npos);
  CHECK(report.find("\"type\":\"cluster\"") != std::string::npos);
  CHECK(report.find("\"type\":\"summary\"") != std::string::npos);
  CHECK(report.rfind("{\"type\":\"begin\"", 0) == 0);
}

TEST_CASE("a two-page site loses the furniture both pages carry", "[cli][e2e]") {
  temp_dir t;
  write_text(t.path() / "in/tiny/a.txt",
             lines({"Tiny Site | Home", body[0], body[1], "Copyright 2023 Tiny Site", "Share this page"}));
  write_text(t.path() / "in/tiny/b.txt",
             lines({"Tiny Site | Home", body[2], body[3], "Copyright 2024 Tiny Site", "Share this page"}));
  const auto r = run("clean '" + (t.path() / "in").string() + "' -o '" + (t.path() / "out").string() + "' -q",
                     t.path());
  REQUIRE(r.exit_code == 0);
  CHECK(read_text(t.path() / "out/tiny/a.txt") == lines({body[0], body[1]}));
  CHECK(read_text(t.path() / "out/tiny/b.txt") == lines({body[2], body[3]}));
}

TEST_CASE("a quote shared by 2 of 30 pages survives", "[cli][e2e]") {
  temp_dir t;
  dupstrip_test::corpus_params p;
  p.sites = 1;
  p.articles_per_site = 30;
  p.p_repeat = 0;
  p.p_syndicate = 0;
  p.p_exact = 0;
  auto c = dupstrip_test::generate_corpus(p, 5);
  const std::string quote =
      "\"We will not close the library while there is a single child who wants to read in it,\" the mayor "
      "told the council in a speech that many in the room said they would remember for a long time.";
  int added = 0;
  for (auto& [rel, text] : c.pages) {
    if (added == 2) break;
    const std::size_t cut = text.find('\n', text.find('\n', text.find('\n') + 1) + 1) + 1;
    text.insert(cut + text.substr(cut).find('\n') + 1, quote + "\n");
    ++added;
  }
  dupstrip_test::write_corpus(t.path() / "in", c);
  const auto r = run("clean '" + (t.path() / "in").string() + "' -o '" + (t.path() / "out").string() + "' -q",
                     t.path());
  REQUIRE(r.exit_code == 0);
  int found = 0;
  for (const auto& [rel, text] : snapshot(t.path() / "out")) found += text.find(quote) != std::string::npos;
  CHECK(found == 2);
}

TEST_CASE("cleaning is idempotent and deterministic across --jobs, input untouched", "[cli][e2e]") {
  temp_dir t;
  dupstrip_test::corpus_params p;
  p.sites = 3;
  p.articles_per_site = 25;
  const auto c = dupstrip_test::generate_corpus(p, 99);
  dupstrip_test::write_corpus(t.path() / "in", c);
  write_text(t.path() / "in/crlf/a.txt", "Line one\r\nLine two\r\n\r\nLast line without newline");
  const auto before = snapshot(t.path() / "in");
  const std::string in = (t.path() / "in").string();
  auto clean = [&](const std::string& out, const std::string& extra) {
    return run("clean '" + in + "' -o '" + (t.path() / out).string() + "' --report '" +
                   (t.path() / (out + ".jsonl")).string() + "' -q " + extra,
               t.path());
  };
  REQUIRE(clean("o1", "-j 1").exit_code == 0);
  REQUIRE(clean("o2", "-j 2").exit_code == 0);
  REQUIRE(clean("o8", "-j 8").exit_code == 0);
  CHECK(snapshot(t.path() / "in") == before);
  CHECK(snapshot(t.path() / "o1") == snapshot(t.path() / "o2"));
  CHECK(snapshot(t.path() / "o1") == snapshot(t.path() / "o8"));
  CHECK(read_text(t.path() / "o1.jsonl") == read_text(t.path() / "o2.jsonl"));
  CHECK(read_text(t.path() / "o1.jsonl") == read_text(t.path() / "o8.jsonl"));
  CHECK(read_text(t.path() / "o1/crlf/a.txt") == "Line one\r\nLine two\r\n\r\nLast line without newline");
  const auto again = run("clean '" + (t.path() / "o1").string() + "' -o '" + (t.path() / "o1b").string() + "' -q",
                         t.path());
  REQUIRE(again.exit_code == 0);
  CHECK(snapshot(t.path() / "o1b") == snapshot(t.path() / "o1"));
}

TEST_CASE("bad paths and bad files", "[cli][e2e]") {
  temp_dir t;
  write_text(t.path() / "in/s/a.txt", lines({body[0], body[1]}));
  const std::string in = (t.path() / "in").string();
  SECTION("output inside input is refused") {
    const auto r = run("clean '" + in + "' -o '" + in + "/out'", t.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("must not be INPUT or inside it") != std::string::npos);
    CHECK(!fs::exists(t.path() / "in/out"));
  }
  SECTION("output equal to input is refused") {
    CHECK(run("clean '" + in + "' -o '" + in + "'", t.path()).exit_code == 2);
  }
  SECTION("a non-empty output folder needs --force") {
    write_text(t.path() / "out/x.txt", "x");
    const auto r = run("clean '" + in + "' -o '" + (t.path() / "out").string() + "'", t.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("not empty") != std::string::npos);
    CHECK(run("clean '" + in + "' -o '" + (t.path() / "out").string() + "' --force -q", t.path()).exit_code == 0);
  }
  SECTION("a binary file is skipped with a message naming it, exit 1, others written") {
    write_text(t.path() / "in/s/blob.bin", std::string("ab\0cd", 5));
    const auto r = run("clean '" + in + "' -o '" + (t.path() / "out").string() + "' -q", t.path());
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("blob.bin: binary file") != std::string::npos);
    CHECK(fs::exists(t.path() / "out/s/a.txt"));
    CHECK(!fs::exists(t.path() / "out/s/blob.bin"));
  }
  SECTION("invalid UTF-8 under --utf8=strict is skipped with its offset") {
    write_text(t.path() / "in/s/bad.txt", "good line\nbad \xC3\x28 byte\n");
    const auto r = run("clean '" + in + "' -o '" + (t.path() / "out").string() + "' -q --utf8 strict", t.path());
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("bad.txt: invalid UTF-8 at byte 14") != std::string::npos);
  }
  SECTION("invalid UTF-8 under the default policy is kept byte for byte") {
    write_text(t.path() / "in/s/bad.txt", "good line\nbad \xC3\x28 byte\n");
    CHECK(run("clean '" + in + "' -o '" + (t.path() / "out").string() + "' -q", t.path()).exit_code == 0);
    CHECK(read_text(t.path() / "out/s/bad.txt") == "good line\nbad \xC3\x28 byte\n");
  }
  SECTION("an empty file is kept as an empty file") {
    write_text(t.path() / "in/s/empty.txt", "");
    CHECK(run("clean '" + in + "' -o '" + (t.path() / "out").string() + "' -q", t.path()).exit_code == 0);
    CHECK(fs::exists(t.path() / "out/s/empty.txt"));
  }
  SECTION("scan writes the report and no documents") {
    const auto r = run("scan '" + in + "' -q", t.path());
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("{\"type\":\"begin\"") == 0);
    CHECK(r.out.find("\"type\":\"summary\"") != std::string::npos);
  }
  SECTION("--json prints one summary object on stdout") {
    const auto r = run("clean '" + in + "' -o '" + (t.path() / "out").string() + "' --json", t.path());
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("{\"type\":\"summary\"", 0) == 0);
    CHECK(r.err.empty());
  }
}

TEST_CASE("a teaser quoting another page's title does not strip that title", "[cli][e2e]") {
  temp_dir t;
  dupstrip_test::corpus_params p;
  p.sites = 1;
  p.articles_per_site = 12;
  p.p_repeat = 0;
  p.p_syndicate = 0;
  p.p_exact = 0;
  auto c = dupstrip_test::generate_corpus(p, 8);
  // Every page but the first links to the first page's article with "Read more: <its title>".
  const std::string first_page = c.pages.begin()->first;
  const std::string title = c.gold.begin()->second.substr(0, c.gold.begin()->second.find('\n'));
  for (auto& [rel, text] : c.pages)
    if (rel != first_page) text.insert(text.find('\n') + 1, "Read more: " + title + "\n");
  dupstrip_test::write_corpus(t.path() / "in", c);
  const auto r = run("clean '" + (t.path() / "in").string() + "' -o '" + (t.path() / "out").string() + "' -q",
                     t.path());
  REQUIRE(r.exit_code == 0);
  const std::string kept = read_text(t.path() / "out" / first_page);
  CHECK(kept.find(title + "\n") != std::string::npos);
}

TEST_CASE("an article syndicated six times on one site is not boilerplate", "[cli][e2e]") {
  temp_dir t;
  dupstrip_test::corpus_params p;
  p.sites = 1;
  p.articles_per_site = 20;
  p.p_repeat = 0;
  p.p_syndicate = 0;
  p.p_exact = 0;
  auto c = dupstrip_test::generate_corpus(p, 606);
  // Six copies of one page with small differences (a line added to each): a syndicated
  // article, not furniture. Its paragraphs recur on 6 of 25 pages, far above the thresholds.
  const auto first = *c.pages.begin();
  for (int k = 0; k < 5; ++k) {
    std::string copy = first.second;
    copy.insert(copy.find('\n') + 1, "Syndication note number " + std::string(1, static_cast<char>('a' + k)) + "\n");
    c.pages["site-copy/syndicated-" + std::to_string(k) + ".txt"] = copy;
  }
  std::map<std::string, std::string> moved;
  for (auto& [rel, text] : c.pages) moved[rel.substr(0, rel.find('/')) == "site-copy" ? "s/" + rel.substr(10) : "s/" + rel.substr(rel.find('/') + 1)] = text;
  for (const auto& [rel, text] : moved) write_text(t.path() / "in" / rel, text);
  const auto r = run("clean '" + (t.path() / "in").string() + "' -o '" + (t.path() / "out").string() + "' -q",
                     t.path());
  REQUIRE(r.exit_code == 0);
  const std::string gold = c.gold.begin()->second;
  const std::string second_para = gold.substr(gold.find('\n') + 1, gold.find('\n', gold.find('\n') + 1) - gold.find('\n'));
  int kept_with_body = 0;
  int kept_copies = 0;
  for (const auto& [rel, text] : snapshot(t.path() / "out")) {
    if (rel.find("syndicated-") == std::string::npos && rel != "s/" + first.first.substr(first.first.find('/') + 1))
      continue;
    ++kept_copies;
    kept_with_body += text.find(second_para) != std::string::npos;
  }
  CHECK(kept_copies == 1);     // one copy kept, five dropped as near-duplicates
  CHECK(kept_with_body == 1);  // and it still has its body
}

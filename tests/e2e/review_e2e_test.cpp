// End-to-end tests of the review (`dupstrip review`, `clean --review`, `scan --review`): the
// built binary on the samples (a folder of text files), on web pages in JSONL records (whose
// texts are the text model), the same bytes from both commands, and the refusals.
#include <catch2/catch.hpp>
#include <dupstrip/jsonl.hpp>
#include <filesystem>
#include <map>
#include <string>

#include "support/corpus.hpp"
#include "support/run_binary.hpp"

namespace fs = std::filesystem;
using dupstrip_test::read_text;
using dupstrip_test::temp_dir;
using dupstrip_test::write_text;

namespace {

dupstrip_test::run_result run(const std::string& args, const fs::path& dir) {
  return dupstrip_test::run_dupstrip(args, dir);
}

std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::directory_iterator(root)) m[e.path().filename().string()] = read_text(e.path());
  return m;
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

const std::string samples = std::string(DUPSTRIP_SAMPLES_DIR) + "/articles";

}  // namespace

TEST_CASE("review of the samples: clean --review and review give the same site", "[cli][review]") {
  temp_dir t;
  const fs::path report = t.path() / "report.jsonl";
  const auto r = run("clean '" + samples + "' -o " + q(t.path() / "out") + " --report " + q(report) + " --review " +
                         q(t.path() / "rev1") + " -j2",
                     t.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("review written to") != std::string::npos);
  const auto one = snapshot(t.path() / "rev1");
  for (const char* f : {"index.html", "sites.html", "clusters.html", "docs.html", "style.css", "review.js",
                        "doc-1.html", "doc-20.html", "diff-1.html", "diff-2.html", "site-5.html", ".dupstrip-review"})
    CHECK(one.count(f) == 1);
  CHECK(one.count("doc-21.html") == 0);
  const std::string& index = one.at("index.html");
  CHECK(index.find(">20</span><span class=\"k\">documents in the report") != std::string::npos);
  CHECK(index.find(">18</span><span class=\"k\">kept") != std::string::npos);
  CHECK(index.find(">2</span><span class=\"k\">dropped as near-duplicates") != std::string::npos);
  CHECK(index.find(">202</span><span class=\"k\">non-blank lines stripped") != std::string::npos);
  // The kept copy of the syndicated ferry story and its diff.
  CHECK(one.at("clusters.html").find("valley-ledger/cobble-island-ferry.txt") != std::string::npos);
  CHECK(one.at("diff-1.html").find("<ins>village</ins>") != std::string::npos);
  // The boilerplate of a site, with its page counts.
  CHECK(one.at("site-1.html").find("THE HARBOUR GAZETTE") != std::string::npos);

  // The same report and input through `review` (the report named the same way): the same bytes.
  const auto r2 = run("review " + q(report) + " '" + samples + "' -o " + q(t.path() / "rev2"), t.path());
  INFO(r2.err);
  REQUIRE(r2.exit_code == 0);
  CHECK(snapshot(t.path() / "rev2") == one);
  // Again over the same folder: replaced, the same bytes, no file left beside it.
  REQUIRE(run("review " + q(report) + " '" + samples + "' -o " + q(t.path() / "rev2") + " -q", t.path()).exit_code ==
          0);
  CHECK(snapshot(t.path() / "rev2") == one);
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(t.path()))
    entries += e.path().filename().string().starts_with(".") ? 1U : 0U;
  CHECK(entries == 0);

  SECTION("--review-docs bounds the documents shown") {
    REQUIRE(run("review " + q(report) + " '" + samples + "' -o " + q(t.path() / "few") + " --review-docs 3", t.path())
                .exit_code == 0);
    CHECK(fs::exists(t.path() / "few/doc-3.html"));
    CHECK_FALSE(fs::exists(t.path() / "few/doc-4.html"));
  }
  SECTION("without INPUT: the tables, no texts, a warning") {
    const auto bare = run("review " + q(report) + " -o " + q(t.path() / "bare"), t.path());
    CHECK(bare.exit_code == 0);
    CHECK(bare.err.find("no INPUT given") != std::string::npos);
    CHECK(read_text(t.path() / "bare/doc-1.html").find("no input was given") != std::string::npos);
  }
  SECTION("another input than the run's: the pages and stderr say so") {
    write_text(t.path() / "other/harbour-gazette/ferry-timetable.txt", "Not the page the run read.\n");
    const auto other = run("review " + q(report) + " " + q(t.path() / "other") + " -o " + q(t.path() / "o"), t.path());
    CHECK(other.exit_code == 0);
    CHECK(other.err.find("documents shown without their text") != std::string::npos);
  }
}

TEST_CASE("review of web pages in JSONL records: the text model of the run", "[cli][review]") {
  temp_dir t;
  // The sample site's pages as records, the page in "html".
  std::string jsonl;
  for (const auto& e : fs::directory_iterator(std::string(DUPSTRIP_SAMPLES_DIR) + "/web/fernhollow-bulletin")) {
    const std::string name = e.path().filename().string();
    std::string line = "{\"id\":";
    dupstrip::append_json_text(line, name);
    line += ",\"url\":\"https://fernhollow-bulletin.example/" + name + "\",\"html\":";
    dupstrip::append_json_text(line, read_text(e.path()));
    jsonl += line + "}\n";
  }
  write_text(t.path() / "pages.jsonl", jsonl);
  const fs::path report = t.path() / "report.jsonl";
  const std::string input_options = " --html-field html --group-field url";
  const auto r = run("clean " + q(t.path() / "pages.jsonl") + " -o " + q(t.path() / "clean.jsonl") + input_options +
                         " --report " + q(report) + " --review " + q(t.path() / "rev"),
                     t.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("without their text") == std::string::npos);
  // Every page shown with its marks; web-page evidence carries the HTML line.
  bool html_line = false;
  for (const auto& [name, bytes] : snapshot(t.path() / "rev")) {
    if (!name.starts_with("doc-")) continue;
    CHECK(bytes.find("<pre class=\"text\" id=\"original\">") != std::string::npos);
    html_line = html_line || bytes.find("; HTML line ") != std::string::npos;
  }
  CHECK(html_line);
  // `review` with the run's input options: the same site; without them, the texts do not match.
  const auto same =
      run("review " + q(report) + " " + q(t.path() / "pages.jsonl") + input_options + " -o " + q(t.path() / "rev2"),
          t.path());
  CHECK(same.exit_code == 0);
  CHECK(snapshot(t.path() / "rev2") == snapshot(t.path() / "rev"));
  const auto wrong =
      run("review " + q(report) + " " + q(t.path() / "pages.jsonl") + " --text-field html -o " + q(t.path() / "rev3"),
          t.path());
  CHECK(wrong.exit_code == 0);
  CHECK(wrong.err.find("documents shown without their text") != std::string::npos);
}

TEST_CASE("scan --review without --report, and the refusals", "[cli][review]") {
  temp_dir t;
  SECTION("scan writes the report to a temporary file for the review and removes it") {
    const fs::path tmp = t.path() / "tmp";
    fs::create_directories(tmp);
    const auto r = run(
        "scan '" + samples + "' --review " + q(t.path() / "rev") + " --temp-dir " + q(tmp) + " > /dev/null", t.path());
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(fs::exists(t.path() / "rev/index.html"));
    CHECK(fs::is_empty(tmp));
  }
  SECTION("a file that is not a report") {
    write_text(t.path() / "x.jsonl", "{\"id\":1,\"text\":\"hello\"}\n");
    const auto r = run("review " + q(t.path() / "x.jsonl") + " -o " + q(t.path() / "rev"), t.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("x.jsonl:1: not a dupstrip report record") != std::string::npos);
    CHECK_FALSE(fs::exists(t.path() / "rev"));
  }
  SECTION("a missing report") {
    const auto r = run("review " + q(t.path() / "none.jsonl") + " -o " + q(t.path() / "rev"), t.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("none.jsonl: No such file or directory") != std::string::npos);
  }
  SECTION("a review folder inside INPUT, around the report, or holding other files") {
    write_text(t.path() / "in/site/a.txt", "A line of text.\n");
    write_text(t.path() / "busy/mine.txt", "mine\n");
    write_text(t.path() / "rev/report.jsonl", "");
    const auto inside = run(
        "clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " --review " + q(t.path() / "in/rev"), t.path());
    CHECK(inside.exit_code == 2);
    CHECK(inside.err.find("must not be written over or inside INPUT") != std::string::npos);
    const auto around = run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " --report " +
                                q(t.path() / "rev/report.jsonl") + " --review " + q(t.path() / "rev"),
                            t.path());
    CHECK(around.exit_code == 2);
    CHECK(around.err.find("the review folder must not hold") != std::string::npos);
    const auto busy = run(
        "clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " --review " + q(t.path() / "busy"), t.path());
    CHECK(busy.exit_code == 2);
    CHECK(busy.err.find("not an empty folder or an earlier review") != std::string::npos);
    CHECK_FALSE(fs::exists(t.path() / "out"));  // refused before any work
    CHECK(read_text(t.path() / "busy/mine.txt") == "mine\n");
  }
  SECTION("--help names the command and the options") {
    const auto h = run("--help", t.path());
    CHECK(h.out.find("review") != std::string::npos);
    const auto rh = run("review --help", t.path());
    CHECK(rh.exit_code == 0);
    CHECK(rh.out.find("--review-docs") != std::string::npos);
    CHECK(rh.out.find("REPORT") != std::string::npos);
    const auto ch = run("clean --help", t.path());
    CHECK(ch.out.find("--review") != std::string::npos);
  }
}

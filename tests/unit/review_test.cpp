// The review site (review.hpp): the one escaping function, pagination, the choice of documents
// (fixed seed, bounded, independent of the order of the report), the diff, the byte budgets,
// reading a report (malformed, compressed), and the same bytes for the same report twice.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <dupstrip/io.hpp>
#include <dupstrip/pipeline.hpp>
#include <dupstrip/report.hpp>
#include <dupstrip/review.hpp>
#include <dupstrip/text.hpp>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "dupstrip/review_internal.hpp"
#include "support/corpus.hpp"
#include "support/memory_source.hpp"
#include "support/review_corpus.hpp"

using namespace dupstrip;
using dupstrip_test::memory_source;
namespace fs = std::filesystem;
namespace rv = dupstrip::detail::review;

namespace {


// Every file of a folder, by name.
std::map<std::string, std::string> folder_bytes(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    files[e.path().filename().string()] = dupstrip_test::read_text(e.path());
  return files;
}

// A small run of the real pipeline: three sites with furniture, a syndicated copy, and the
// hostile documents; returns the source and writes its report.
memory_source hostile_run(const fs::path& report) {
  std::vector<memory_source::doc> docs;
  const char* sites[] = {"alpha", "beta", "gamma"};
  for (int s = 0; s < 3; ++s) {
    for (int p = 0; p < 5; ++p) {
      std::string text = std::string("The ") + sites[s] + " Courier front page banner\nHome | News | Sport | Weather\n";
      text += "Article number " + std::string(1, static_cast<char>('a' + p)) + " of " + sites[s] + " begins here\n";
      for (int q = 0; q < 3; ++q) {
        for (int w = 0; w < 30; ++w)
          text += "word" + std::string(1, static_cast<char>('a' + (s * 7 + p * 3 + q + w) % 26)) +
                  std::string(1, static_cast<char>('a' + (w * 5 + p) % 26)) + " ";
        text += "\n";
      }
      if (p == 1) text += "<script>document.title='PWNED'</script> and </textarea><img src=x onerror=\"alert(1)\">\n";
      if (p == 2) text += "See javascript:alert(1) and \xE2\x80\xAEgnp.exe here\n";
      text += "Copyright The " + std::string(sites[s]) + " Courier, all rights reserved\n";
      docs.push_back({sites[s], std::string(sites[s]) + "/page-" + std::to_string(p) + ".txt", text});
    }
  }
  docs.push_back({"gamma", "gamma/<img src=x onerror=alert(1)>.txt", docs[1].text});  // a copy with a hostile name
  memory_source src(docs);
  clean_options o;
  o.jobs = 1;
  const analysis a = deduper(o).run(src);
  const run_totals t = compute_totals(a);
  std::string r = report_begin(o);
  report_docs(src, a, 1, [&](std::string_view piece) { r.append(piece); });
  r += report_clusters(src, a);
  r += report_summary(a, t, 0, true);
  dupstrip_test::write_text(report, r);
  return src;
}

bool has_raw_markup(std::string_view s) {
  return s.find('<') != std::string_view::npos || s.find('>') != std::string_view::npos ||
         s.find('"') != std::string_view::npos || s.find('\'') != std::string_view::npos;
}

}  // namespace

TEST_CASE("html escaping makes hostile text inert", "[unit][review]") {
  SECTION("markup, quotes and ampersands") {
    CHECK(html_escaped("<script>alert('x')</script>") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    CHECK(html_escaped("</textarea><img src=x onerror=\"alert(1)\">") ==
          "&lt;/textarea&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    CHECK(html_escaped("a & b &amp; c") == "a &amp; b &amp;amp; c");
    CHECK(html_escaped("javascript:alert(1)") == "javascript:alert(1)");  // text: never put in an href
  }
  SECTION("bidirectional and invisible characters become visible markers") {
    CHECK(html_escaped("abc\xE2\x80\xAEgnp.exe") == "abc\u27E6U+202E\u27E7gnp.exe");
    CHECK(html_escaped("x\xE2\x80\x8By") == "x\u27E6U+200B\u27E7y");
    CHECK(html_escaped("\xE2\x81\xA6z") == "\u27E6U+2066\u27E7z");
    CHECK(html_escaped("\xEF\xBB\xBFhi") == "\u27E6U+FEFF\u27E7hi");
    CHECK(html_escaped(std::string("nul\0here", 8)) == "nul\u27E6U+0000\u27E7here");
    CHECK(html_escaped("\x1b[31m") == "\u27E6U+001B\u27E7[31m");
  }
  SECTION("tabs and line ends stay, other text is unchanged") {
    CHECK(html_escaped("a\tb\nc\r\n") == "a\tb\nc\r\n");
    CHECK(html_escaped("caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80") ==
          "caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80");
  }
  SECTION("invalid UTF-8 becomes U+FFFD") {
    CHECK(html_escaped("a\xFF"
                       "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(html_escaped("\xC3") == "\xEF\xBF\xBD");
  }
  SECTION("random bytes never leave markup characters and always give valid UTF-8") {
    const std::uint64_t seed = Catch::rngSeed() != 0 ? Catch::rngSeed() : 17;
    INFO("seed=" << seed);
    std::mt19937_64 rng(seed);
    for (int round = 0; round < 2000; ++round) {
      std::string s(rng() % 64, '\0');
      for (char& c : s)
        c = static_cast<char>(rng() % 4 == 0 ? "<>\"'&\xE2\x80\xAE"[rng() % 9] : static_cast<char>(rng()));
      const std::string e = html_escaped(s);
      REQUIRE_FALSE(has_raw_markup(e));
      REQUIRE(is_valid_utf8(e));
      REQUIRE(e.find("\xE2\x80\xAE") == std::string::npos);
    }
  }
}

TEST_CASE("pagination splits a table into files", "[unit][review]") {
  const std::vector<review_page> none = paginate("sites", 0, 200);
  REQUIRE(none.size() == 1);
  CHECK(none[0].file == "sites.html");
  CHECK(none[0].first == 0);
  CHECK(none[0].last == 0);

  const std::vector<review_page> p = paginate("docs", 450, 200);
  REQUIRE(p.size() == 3);
  CHECK(p[0].file == "docs.html");
  CHECK(p[1].file == "docs-2.html");
  CHECK(p[2].file == "docs-3.html");
  CHECK(p[0].first == 0);
  CHECK(p[0].last == 200);
  CHECK(p[1].first == 200);
  CHECK(p[2].last == 450);

  CHECK(paginate("x", 200, 200).size() == 1);
  CHECK(paginate("x", 201, 200).size() == 2);
  const std::string nav = rv::pager(p, 1);
  CHECK(nav.find("href=\"docs-3.html\"") != std::string::npos);
  CHECK(nav.find("aria-current=\"page\">2<") != std::string::npos);
}

TEST_CASE("documents shown: rail hits, most stripped, fixed-seed sample", "[unit][review]") {
  std::vector<review_candidate> cands;
  for (int i = 0; i < 1000; ++i) {
    review_candidate c;
    c.name = "site/doc-" + std::to_string(i);
    c.bytes = 1000;
    c.stripped_bytes = static_cast<std::uint64_t>((i * 37) % 900);
    c.kept = i % 10 != 0;
    c.safety_rail = c.kept && i % 97 == 5;
    cands.push_back(c);
  }
  auto choose = [&](const std::vector<std::size_t>& order, std::size_t n, std::uint64_t seed) {
    review_selector sel(n, seed);
    for (std::size_t k = 0; k < order.size(); ++k) sel.offer(cands[order[k]], k);
    std::vector<std::pair<std::string, review_pick>> out;
    for (const review_choice& c : sel.chosen()) out.push_back({cands[order[c.candidate]].name, c.why});
    return out;
  };
  std::vector<std::size_t> order(cands.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto chosen = choose(order, 40, 7);
  REQUIRE(chosen.size() == 40);

  SECTION("every rail hit first, then the most stripped, then the sample") {
    std::size_t rails = 0;
    for (const auto& c : cands) rails += c.safety_rail ? 1 : 0;
    REQUIRE(rails == 10);
    std::size_t k = 0;
    for (; k < rails; ++k) CHECK(chosen[k].second == review_pick::safety_rail);
    // ceil((40 - 10) / 2) = 15 most stripped: the largest shares among kept documents.
    for (; k < rails + 15; ++k) CHECK(chosen[k].second == review_pick::most_stripped);
    for (; k < chosen.size(); ++k) CHECK(chosen[k].second == review_pick::sample);
    std::uint64_t least_shown = 1000;
    for (std::size_t i = rails; i < rails + 15; ++i) {
      const std::size_t doc = static_cast<std::size_t>(std::stoul(chosen[i].first.substr(9)));
      least_shown = std::min(least_shown, cands[doc].stripped_bytes);
    }
    std::size_t more = 0;  // kept, not a rail hit, and more stripped than the least shown
    for (const auto& c : cands) more += c.kept && !c.safety_rail && c.stripped_bytes > least_shown ? 1 : 0;
    CHECK(more <= 14);
  }
  SECTION("no document twice") {
    std::set<std::string> names;
    for (const auto& c : chosen) names.insert(c.first);
    CHECK(names.size() == chosen.size());
  }
  SECTION("the same seed gives the same choice whatever the order of the report") {
    std::vector<std::size_t> shuffled = order;
    std::mt19937_64 rng(3);
    for (std::size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng() % i]);
    CHECK(choose(shuffled, 40, 7) == chosen);
    CHECK(choose(order, 40, 7) == chosen);
  }
  SECTION("another seed gives another sample, the same rails and most stripped") {
    const auto other = choose(order, 40, 8);
    CHECK(std::equal(other.begin(), other.begin() + 25, chosen.begin()));
    CHECK(other != chosen);
  }
  SECTION("more rail hits than documents shown: only rail hits, bounded") {
    const auto few = choose(order, 4, 7);
    REQUIRE(few.size() == 4);
    for (const auto& c : few) CHECK(c.second == review_pick::safety_rail);
    CHECK(choose(order, 0, 7).empty());
  }
  SECTION("fewer candidates than documents shown: all of them") {
    CHECK(choose(std::vector<std::size_t>(order.begin(), order.begin() + 30), 100, 7).size() == 30);
  }
}

TEST_CASE("diff of two sequences", "[unit][review]") {
  const std::uint64_t seed = Catch::rngSeed() != 0 ? Catch::rngSeed() : 5;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::uint64_t> a(rng() % 40), b;
    for (auto& x : a) x = rng() % 6;
    for (const std::uint64_t x : a) {  // b: a with edits
      if (rng() % 5 == 0) continue;
      if (rng() % 5 == 0) b.push_back(rng() % 6);
      b.push_back(x);
    }
    const std::vector<rv::edit> script = rv::diff_sequences(a, b, 1000);
    // The script rebuilds b from a, and its equal runs are equal.
    std::vector<std::uint64_t> rebuilt;
    std::size_t ai = 0, bi = 0;
    for (const rv::edit& e : script) {
      if (e.kind == rv::edit_kind::equal) {
        REQUIRE(e.a_end - e.a_begin == e.b_end - e.b_begin);
        for (std::size_t i = 0; i < e.a_end - e.a_begin; ++i) REQUIRE(a[e.a_begin + i] == b[e.b_begin + i]);
      }
      if (e.kind != rv::edit_kind::ins) {
        REQUIRE(e.a_begin == ai);
        ai = e.a_end;
      }
      if (e.kind != rv::edit_kind::del) {
        REQUIRE(e.b_begin == bi);
        bi = e.b_end;
        for (std::size_t i = e.b_begin; i < e.b_end; ++i) rebuilt.push_back(b[i]);
      }
    }
    REQUIRE(ai == a.size());
    REQUIRE(rebuilt == b);
  }
  SECTION("a changed word is marked in both lines") {
    const std::string html = rv::diff_html("one two three\nsame line\n", "one TWO three\nsame line\n", 10000);
    CHECK(html.find("<del>two</del>") != std::string::npos);
    CHECK(html.find("<ins>TWO</ins>") != std::string::npos);
    CHECK(html.find("1 equal") != std::string::npos);
  }
}

TEST_CASE("rendered texts stay within their byte budget", "[unit][review]") {
  const std::string huge(1 << 20, '<');  // each byte escapes to four
  std::vector<rv::removed_range> removed(1);
  removed[0].begin = 1000;
  removed[0].end = 600000;
  removed[0].why = rv::reason::boilerplate;
  const std::string marked = rv::marked_text(huge, removed, 96 * 1024);
  CHECK(marked.size() < 96 * 1024 + 8192);
  CHECK(marked.find("class=\"cut\"") != std::string::npos);
  CHECK(rv::plain_text(huge, 32 * 1024).size() < 32 * 1024 + 4096);
  CHECK(rv::diff_html(huge, huge + "x\n", 64 * 1024).size() < 64 * 1024 + 16384);
}

TEST_CASE("write_review: hostile documents, determinism, errors", "[unit][review]") {
  dupstrip_test::temp_dir t;
  const fs::path report = t.path() / "report.jsonl";
  const memory_source src = hostile_run(report);
  review_options o;
  o.documents = 50;

  SECTION("the same report and options give the same bytes") {
    const review_result r1 = write_review(report, &src, t.path() / "one", o);
    const review_result r2 = write_review(report, &src, t.path() / "two", o);
    CHECK(r1.files == r2.files);
    CHECK(r1.documents == 16);
    CHECK(r1.diffs == 1);
    CHECK(r1.text_mismatches == 0);
    const auto one = folder_bytes(t.path() / "one");
    CHECK(one == folder_bytes(t.path() / "two"));
    // Written again over itself: replaced, still the same.
    (void)write_review(report, &src, t.path() / "one", o);
    CHECK(folder_bytes(t.path() / "one") == one);
  }
  SECTION("hostile texts and names appear only escaped; every page has the policy") {
    (void)write_review(report, &src, t.path() / "r", o);
    std::size_t pages = 0;
    bool saw_script_text = false;
    for (const auto& [name, bytes] : folder_bytes(t.path() / "r")) {
      if (!name.ends_with(".html")) continue;
      ++pages;
      INFO(name);
      CHECK(bytes.find("Content-Security-Policy") != std::string::npos);
      CHECK(bytes.find("script-src 'self'") != std::string::npos);
      CHECK(bytes.find("<script>") == std::string::npos);
      CHECK(bytes.find("<img") == std::string::npos);
      CHECK(bytes.find("onerror=\"") == std::string::npos);
      CHECK(bytes.find("</textarea>") == std::string::npos);
      CHECK(bytes.find("\xE2\x80\xAE") == std::string::npos);
      CHECK(bytes.find("href=\"javascript") == std::string::npos);
      saw_script_text = saw_script_text || bytes.find("&lt;script&gt;document.title=") != std::string::npos;
      // The only script is the site's own file.
      std::size_t scripts = 0;
      for (std::size_t at = bytes.find("<script"); at != std::string::npos; at = bytes.find("<script", at + 1))
        ++scripts;
      CHECK(scripts == 1);
      CHECK(bytes.find("<script src=\"review.js\" defer></script>") != std::string::npos);
    }
    CHECK(pages > 10);
    CHECK(saw_script_text);
  }
  SECTION("without an input: tables, no texts") {
    const review_result r = write_review(report, nullptr, t.path() / "bare", o);
    CHECK(r.documents == 16);
    CHECK(r.text_mismatches == 16);
    CHECK(dupstrip_test::read_text(t.path() / "bare/doc-1.html").find("no input was given") != std::string::npos);
  }
  SECTION("a compressed report gives the same review") {
    const std::string plain = dupstrip_test::read_text(report);
    const std::string_view piece = plain;
    REQUIRE_FALSE(write_file_atomic(t.path() / "report.jsonl.zst", std::span<const std::string_view>(&piece, 1),
                                    compression::zstd));
    (void)write_review(report, &src, t.path() / "a", o);
    (void)write_review(t.path() / "report.jsonl.zst", &src, t.path() / "b", o);
    CHECK(folder_bytes(t.path() / "a") == folder_bytes(t.path() / "b"));
  }
  SECTION("a file that is not a report is refused with its line") {
    dupstrip_test::write_text(t.path() / "bad.jsonl", "{\"type\":\"doc\",\"data\":{\"path\":{\"text\":\"a\"}}}\n");
    REQUIRE_THROWS_WITH(write_review(t.path() / "bad.jsonl", &src, t.path() / "x", o),
                        Catch::Contains("bad.jsonl:1: not a dupstrip report"));
    dupstrip_test::write_text(t.path() / "input.jsonl", "\n{\"id\":1,\"text\":\"a page\"}\n");
    REQUIRE_THROWS_WITH(write_review(t.path() / "input.jsonl", &src, t.path() / "x", o),
                        Catch::Contains("input.jsonl:2: not a dupstrip report record"));
    dupstrip_test::write_text(t.path() / "bad2.jsonl",
                              dupstrip_test::read_text(report) + "{\"type\":\"doc\",\"data\":{\"path\":7}}\n");
    REQUIRE_THROWS_WITH(write_review(t.path() / "bad2.jsonl", &src, t.path() / "x", o),
                        Catch::Contains("\"path\" is not a path object"));
    dupstrip_test::write_text(t.path() / "bad3.jsonl", dupstrip_test::read_text(report) + "{\"type\":\"doc\"\n");
    REQUIRE_THROWS_WITH(write_review(t.path() / "bad3.jsonl", &src, t.path() / "x", o), Catch::Contains("bad3.jsonl:"));
    CHECK_FALSE(fs::exists(t.path() / "x"));
  }
  SECTION("a folder that holds something else is not overwritten") {
    dupstrip_test::write_text(t.path() / "busy/keep.txt", "mine\n");
    REQUIRE_THROWS_WITH(write_review(report, &src, t.path() / "busy", o), Catch::Contains("holds no earlier review"));
    CHECK(dupstrip_test::read_text(t.path() / "busy/keep.txt") == "mine\n");
  }
}

TEST_CASE("write_review: a synthetic report stays within its bounds", "[unit][review]") {
  dupstrip_test::temp_dir t;
  dupstrip_test::review_corpus_params p;
  p.documents = 3000;
  p.pages_per_site = 20;  // 150 sites
  p.hostile = true;
  const dupstrip_test::review_corpus_stats st =
      dupstrip_test::write_review_corpus(t.path() / "in.jsonl", t.path() / "report.jsonl", p);
  review_options o;
  o.documents = 30;
  o.max_sites = 100;
  o.max_clusters = 50;
  o.rows_per_page = 40;
  o.site_details = 10;
  const review_result r = write_review(t.path() / "report.jsonl", nullptr, t.path() / "r", o);
  CHECK(r.report_docs == 3000);
  CHECK(r.documents == 30);
  CHECK(r.diffs == 0);  // no input: no texts to diff
  // Sites: 100 of 150 listed, 40 a file; clusters: 50 listed.
  CHECK(fs::exists(t.path() / "r/sites-3.html"));
  CHECK_FALSE(fs::exists(t.path() / "r/sites-4.html"));
  CHECK(fs::exists(t.path() / "r/clusters-2.html"));
  CHECK_FALSE(fs::exists(t.path() / "r/clusters-3.html"));
  CHECK_FALSE(fs::exists(t.path() / "r/site-11.html"));
  const std::string index = dupstrip_test::read_text(t.path() / "r/index.html");
  CHECK(index.find(">3,000</span><span class=\"k\">documents in the report") != std::string::npos);
  CHECK(index.find(std::to_string(st.rails) + "</span><span class=\"k\">safety-rail hits") != std::string::npos);
}

TEST_CASE("write_review: pathological texts and names keep every page within its bound", "[unit][review]") {
  // Names of quotes (6 bytes each escaped) and texts of control characters (12 bytes each:
  // a visible marker), with a removed range on every line: the worst content per byte. The
  // bounds checked here are the ones doc/review.md states.
  dupstrip_test::temp_dir t;
  std::vector<memory_source::doc> docs;
  std::string r = report_begin(clean_options{});
  std::string line;
  for (int k = 0; k < 24; ++k) {
    memory_source::doc d;
    d.group = "site-" + std::to_string(k % 3) + std::string(500, '\x01');
    d.name = d.group + "/" + std::string(3000, '"') + std::to_string(k);
    std::vector<std::size_t> starts;
    for (int l = 0; l < 4000; ++l) {
      starts.push_back(d.text.size());
      std::string tag;  // letters, so that each line is a line of its own (digits are masked)
      for (int v = l + 1; v > 0; v /= 26) tag += static_cast<char>('a' + v % 26);
      d.text += std::string(44, l % 2 == 0 ? '\x01' : k % 3 == 2 ? '>' : '<') + tag + "\n";  // copies differ
    }
    starts.push_back(d.text.size());
    line = "{\"type\":\"doc\",\"data\":{\"path\":";
    append_json_path(line, d.name);
    line += ",\"group\":";
    append_json_path(line, d.group);
    const bool dropped = k % 3 == 2;
    line += ",\"index\":" + std::to_string(k) + ",\"status\":\"" + (dropped ? "dropped" : "kept") +
            "\",\"bytes\":" + std::to_string(d.text.size()) +
            ",\"kept_bytes\":0,\"stripped_bytes\":" + std::to_string(dropped ? 0 : d.text.size()) +
            ",\"content_tokens\":1,\"cluster\":";
    append_json_path(line, dropped ? docs[static_cast<std::size_t>(k - 1)].name : d.name);
    if (dropped) {
      line += ",\"duplicate_of\":";
      append_json_path(line, docs[static_cast<std::size_t>(k - 1)].name);
      line += ",\"similarity\":0.800000";
    }
    line += ",\"warning\":\"safety rail\",\"removed\":[";
    std::size_t removed_bytes = 0;
    for (std::size_t l = 0; l < 4000; ++l) {
      if (l % 4 == 1) continue;  // kept lines of '<', for the diffs
      if (line.back() != '[') line += ",";
      line += "{\"begin\":" + std::to_string(starts[l]) + ",\"end\":" + std::to_string(starts[l + 1]) +
              (l % 4 == 0 ? ",\"reason\":\"boilerplate\",\"pages\":8,\"group_pages\":8}"
               : l % 4 == 2
                   ? ",\"reason\":\"template\",\"pages\":8,\"group_pages\":8,\"prefix_tokens\":1,\"suffix_tokens\":0}"
                   : ",\"reason\":\"x\\u0001<script>\",\"pages\":1}");
      removed_bytes += starts[l + 1] - starts[l];
    }
    (void)removed_bytes;
    line += "]}}\n";
    r += line;
    docs.push_back(std::move(d));
  }
  for (int k = 2; k < 24; k += 3) {
    r += "{\"type\":\"cluster\",\"data\":{\"id\":";
    append_json_path(r, docs[static_cast<std::size_t>(k - 1)].name);
    r += ",\"kept\":";
    append_json_path(r, docs[static_cast<std::size_t>(k - 1)].name);
    r += ",\"members\":[{\"path\":";
    append_json_path(r, docs[static_cast<std::size_t>(k - 1)].name);
    r += ",\"similarity\":1.000000},{\"path\":";
    append_json_path(r, docs[static_cast<std::size_t>(k)].name);
    r += ",\"similarity\":0.800000}";
    for (int m = 1; m <= 6; ++m) {  // more members than a row names
      r += ",{\"path\":";
      append_json_path(r, docs[static_cast<std::size_t>((k + 3 * m) % 24)].name + "-" + std::to_string(m));
      r += ",\"similarity\":0.900000}";
    }
    r += "]}}\n";
  }
  dupstrip_test::write_text(t.path() / "report.jsonl", r);
  const memory_source src(docs);
  review_options o;
  o.documents = 10;
  o.rows_per_page = 5;
  const review_result res = write_review(t.path() / "report.jsonl", &src, t.path() / "r", o);
  if (std::getenv("REVIEW_KEEP")) fs::copy(t.path() / "r", std::getenv("REVIEW_KEEP"));
  CHECK(res.documents == 10);
  CHECK(res.diffs == 8);
  CHECK(res.text_mismatches == 0);
  std::uint64_t total = 0;
  for (const auto& [name, bytes] : folder_bytes(t.path() / "r")) {
    INFO(name << ": " << bytes.size() << " bytes");
    total += bytes.size();
    CHECK_FALSE(bytes.find("<script>") != std::string::npos);
    if (name.starts_with("doc-")) CHECK(bytes.size() <= o.text_budget + o.kept_budget + 72 * 1024);
    if (name.starts_with("diff-")) CHECK(bytes.size() <= o.diff_budget + 24 * 1024);
    if (name.starts_with("site-")) CHECK(bytes.size() <= 128 * 1024);
    if (name.starts_with("sites") || name.starts_with("clusters") || name.starts_with("docs"))
      CHECK(bytes.size() <= o.rows_per_page * 4 * 1024 + 16 * 1024);
    if (name == "index.html") CHECK(bytes.size() <= 128 * 1024);
  }
  CHECK(total == res.bytes);
}

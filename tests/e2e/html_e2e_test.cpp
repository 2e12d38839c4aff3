// End-to-end tests of web pages as input (include/dupstrip/html.hpp, src/dupstrip/markup.cpp):
// small invented sites of HTML pages, each page with the furniture real sites carry (a header
// nav, a "most read" list of the other pages' headlines, a footer) around its own article (an
// h1 that other pages list as a teaser, paragraphs with an inline link, a short h2, a table of
// figures, a paragraph that is all link, the article's own list of links). The built binary
// is run on them as a folder and as JSONL (--html-field), and the output, the output names and
// the report (reasons links / outside_main, source_line) are checked; the text model each
// report offset refers to is computed with the library's html_to_text.
#include "support/corpus.hpp"
#include "support/run_binary.hpp"

#include <dupstrip/html.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;
using dupstrip_test::read_text;
using dupstrip_test::temp_dir;
using dupstrip_test::write_text;

namespace {

dupstrip_test::run_result run(const std::string& args, const fs::path& dir, const std::string& prefix = "") {
  return dupstrip_test::run_dupstrip(args, dir, prefix);
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> m;
  if (!fs::exists(root)) return m;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) m[fs::relative(e.path(), root).generic_string()] = read_text(e.path());
  return m;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t nl = s.find('\n', pos);
    out.push_back(s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    pos = nl == std::string::npos ? s.size() : nl + 1;
  }
  return out;
}

std::string join_lines(const std::vector<std::string>& ls) {
  std::string s;
  for (const std::string& l : ls) s += l + "\n";
  return s;
}

bool has_line(const std::string& text, const std::string& line) {
  const auto ls = split_lines(text);
  return std::find(ls.begin(), ls.end(), line) != ls.end();
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (const char c : s) {
    if (c == '\n') o += "\\n";
    else if (c == '"') o += "\\\"";
    else if (c == '\\') o += "\\\\";
    else o.push_back(c);
  }
  return o;
}

// ------------------------------------------------------------------------------ the sites

// One article of an invented local paper. Everything here is made up for these tests.
struct story {
  std::string stem;      // file name without extension
  std::string headline;  // the h1; the other pages of the site list it as a teaser link
  std::string byline;
  std::string lead_before, lead_link, lead_after;  // the first paragraph, with an inline link
  std::string second;                               // the second paragraph
  std::string subhead;                              // a short h2 inside the body
  std::string third;                                // the paragraph under it
  std::vector<std::vector<std::string>> table;      // a table of figures (may be empty)
  std::string link_para;                            // a paragraph that is one link
  std::vector<std::string> further;                 // the article's own list of links
};

const std::vector<story>& chronicle() {
  static const std::vector<story> s = {
      {"tram",
       "Tram line to the quarry reopens after forty years",
       "By Ilse Marwood",
       "The narrow tram line that once carried slate from Brannock quarry down to the quay reopened on Saturday, "
       "forty years after the last wagon ran, and ",
       "the council vote last spring",
       " looks wise now that there are queues at both stops.",
       "Volunteers from the Brannock Railway Society spent six winters clearing the cutting, relaying nine hundred "
       "sleepers and rebuilding the passing loop beside the old weighbridge.",
       "Fares",
       "A return ticket costs four pounds for adults, children under twelve ride free, and the society says every "
       "penny goes back into the track, the two restored cars and the shed.",
       {{"Season", "Riders", "Takings"}, {"2023", "0", "£0"}, {"2024", "1,480", "£5,920"}, {"2025", "12,310", "£49,240"}},
       "Download the society's timetable for the summer season",
       {"Brannock Railway Society annual report", "Slate trade records at the county archive"}},
      {"bakery",
       "Night bakery on Corve Lane wins the county bread prize",
       "By Tomas Reddle",
       "The bakers of Corve Lane, who start work at eleven at night so the town has warm loaves by six, took first "
       "prize at the county show for a rye loaf made with ",
       "flour from Hobb's mill",
       " upriver.",
       "Judges praised the crust, which owner Maddy Penhale says comes from a wood oven her grandfather built from "
       "salvaged harbour bricks in the nineteen fifties.",
       "Ovens",
       "Penhale plans to spend the prize money on a second mixer and on training two apprentices, both of whom "
       "already come in three nights a week after college.",
       {{"Loaf", "Sold each week", "Price"}, {"Rye", "640", "£3.10"}, {"White", "1,210", "£2.40"}, {"Seeded", "380", "£3.60"}},
       "See the full list of winners at this year's county show",
       {"County show results archive", "Hobb's mill open days"}},
      {"bridge",
       "Footbridge over the Wendle to close for three weeks",
       "By Ilse Marwood",
       "The iron footbridge that links the station to the market square will close from Monday while engineers "
       "replace corroded bolts found during a routine check in January, ",
       "the council's notice",
       " says.",
       "Walkers will be sent over the road bridge at Tolley Mill, which adds about eleven minutes to the walk, and a "
       "free minibus will run every twenty minutes at peak hours.",
       "Detour",
       "Traders on the square fear a quiet spell just as the spring market starts, and have asked the council to put "
       "up signs at the station telling visitors they are still open.",
       {},
       "Read the engineers' inspection report on the footbridge",
       {"Wendle bridges inspection history", "Tolley Mill road bridge plans"}},
      {"choir",
       "Harbour choir records its first album in the lighthouse",
       "By Ros Alder",
       "Thirty singers of the Kettle Ferry Harbour Choir squeezed into the spiral stair of the old lighthouse last "
       "week to record an album of sea songs, because, their director says, ",
       "the stairwell's echo",
       " cannot be faked.",
       "Sessions ran after dark so that the noise of gulls and delivery vans would not spoil the takes, and the "
       "keeper's cottage served as a control room with borrowed microphones.",
       "Echoes",
       "The album, twelve songs in all, will be sold at the harbour office and at the choir's summer concerts, with "
       "proceeds paying for a new roof on the lifeboat station.",
       {},
       "Listen to a sample of the lighthouse recordings",
       {"Harbour choir concert dates", "Lifeboat station roof appeal"}},
      {"library",
       "Reading room above the fish market opens on Sundays",
       "By Tomas Reddle",
       "The reading room on the top floor of the fish market, which the town has kept since the herring boom, will "
       "open on Sunday afternoons from next month after ",
       "a petition signed by four hundred readers",
       " reached the library board.",
       "Two retired teachers have offered to staff the desk without pay, and the board has agreed to heat the room "
       "and to leave the old map chests unlocked for anyone tracing a family boat.",
       "Maps",
       "The librarian, Hester Quayle, said the Sunday hours would be reviewed in the autumn, when the board sees how "
       "many people climb the stairs on a day when the market below is shut.",
       {},
       "Browse the reading room's catalogue of harbour charts",
       {"Library board minutes", "Herring boom photographs"}},
  };
  return s;
}

// A page of HTML as its lines, so that a test knows the line of every element.
struct html_page {
  std::vector<std::string> lines;
  [[nodiscard]] std::string text() const { return join_lines(lines); }
  /// 1-based line holding `needle` (which must be on exactly one line).
  [[nodiscard]] std::uint32_t line_of(const std::string& needle) const {
    std::uint32_t found = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].find(needle) == std::string::npos) continue;
      REQUIRE(found == 0);
      found = static_cast<std::uint32_t>(i + 1);
    }
    REQUIRE(found != 0);
    return found;
  }
};

const char* const site_name = "Kettle Ferry Chronicle";

// The page of `s` on a site whose "most read" box lists `most_read`. `promo`: one more block
// in the aside, written over three lines (its text starts on the second).
html_page page_of(const story& s, const std::vector<const story*>& most_read, const std::string& promo = "") {
  std::vector<std::string> l = {
      "<!DOCTYPE html>",
      "<html lang=\"en\">",
      "<head>",
      "<meta charset=\"utf-8\">",
      "<title>" + s.headline + " | " + site_name + "</title>",
      "<link rel=\"stylesheet\" href=\"/css/site.css\">",
      "<script>window.dataLayer = window.dataLayer || []; function track(e) { dataLayer.push({event: e}); }</script>",
      "</head>",
      "<body class=\"article-page\">",
      "<header class=\"masthead\">",
      std::string("<div class=\"brand\"><a href=\"/\">") + site_name + "</a></div>",
      "<nav class=\"primary\">",
      "<ul>",
      "<li><a href=\"/news/\">News</a></li>",
      "<li><a href=\"/harbour/\">Harbour</a></li>",
      "<li><a href=\"/council/\">Council</a></li>",
      "<li><a href=\"/sport/\">Sport</a></li>",
      "<li><a href=\"/whats-on/\">What's on</a></li>",
      "</ul>",
      "</nav>",
      "</header>",
      "<div class=\"layout\">",
      "<main id=\"content\">",
      "<article class=\"story\">",
      "<h1>" + s.headline + "</h1>",
      "<p class=\"byline\">" + s.byline + "</p>",
      "<p>" + s.lead_before + "<a href=\"/" + s.stem + "/source.html\">" + s.lead_link + "</a>" + s.lead_after + "</p>",
      "<p>" + s.second + "</p>",
      "<h2>" + s.subhead + "</h2>",
      "<p>" + s.third + "</p>",
  };
  if (!s.table.empty()) {
    l.emplace_back("<table class=\"figures\">");
    for (const auto& row : s.table) {
      std::string r = "<tr>";
      for (const std::string& c : row) r += "<td>" + c + "</td>";
      l.push_back(r + "</tr>");
    }
    l.emplace_back("</table>");
  }
  l.push_back("<p><a href=\"/files/" + s.stem + ".pdf\">" + s.link_para + "</a></p>");
  if (!s.further.empty()) {
    l.emplace_back("<h3>Further reading</h3>");
    l.emplace_back("<ul class=\"sources\">");
    for (const std::string& f : s.further) l.push_back("<li><a href=\"/archive/" + s.stem + "\">" + f + "</a></li>");
    l.emplace_back("</ul>");
  }
  l.insert(l.end(), {"</article>", "</main>", "<aside class=\"most-read\">", "<h2>Most read</h2>", "<ol>"});
  for (const story* o : most_read) l.push_back("<li><a href=\"/" + o->stem + ".html\">" + o->headline + "</a></li>");
  l.emplace_back("</ol>");
  if (!promo.empty()) l.insert(l.end(), {"<div class=\"promo\">", "  " + promo, "</div>"});
  l.insert(l.end(), {"</aside>",
                     "</div>",
                     "<footer class=\"site-footer\">",
                     "<p>Kettle Ferry Chronicle, 14 Quay Row, Kettle Ferry</p>",
                     "<p><a href=\"/privacy\">Privacy</a> | <a href=\"/terms\">Terms</a> | <a href=\"/contact\">Contact "
                     "us</a></p>",
                     "<p>© 2025 Kettle Ferry Chronicle Ltd</p>",
                     "</footer>",
                     "</body>",
                     "</html>"});
  return {l};
}

// The pages of the site: every page's "most read" box lists the other pages.
std::map<std::string, html_page> site_pages(const std::vector<story>& stories) {
  std::map<std::string, html_page> m;
  for (const story& s : stories) {
    std::vector<const story*> others;
    for (const story& o : stories)
      if (&o != &s) others.push_back(&o);
    m.emplace(s.stem, page_of(s, others));
  }
  return m;
}

// What a page of the site must come out as: its own article, nothing else. The h1 stays
// though the other pages list it; the paragraph that is one link stays (a p inside the main
// container); the article's own list of links goes (only a p is guarded), and so does its
// "Further reading" heading, which every page of the site carries.
std::string expected_text(const story& s) {
  std::vector<std::string> l = {s.headline, s.byline, s.lead_before + s.lead_link + s.lead_after,
                                s.second,   s.subhead, s.third};
  for (const auto& row : s.table) l.insert(l.end(), row.begin(), row.end());
  l.push_back(s.link_para);
  return join_lines(l);
}

void write_site(const fs::path& dir, const std::map<std::string, html_page>& pages) {
  for (const auto& [stem, page] : pages) write_text(dir / (stem + ".html"), page.text());
}

// ------------------------------------------------------------------------------ the report

struct removed_range {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::string reason;
  std::uint32_t source_line = 0;  // 0: absent
  double link_share = -1;         // -1: absent
  std::uint32_t pages = 0;
  std::string part;               // outside_main: "figure", "collection", or absent
};

struct doc_record {
  std::string path;
  std::string status;
  std::string duplicate_of;
  std::vector<removed_range> removed;
  std::string line;  // the record as written
};

struct report {
  std::map<std::string, doc_record> docs;  // by path
  std::string summary;                     // the summary record
  std::vector<std::string> clusters;       // cluster records
};

std::uint64_t number_after(const std::string& s, const std::string& key, std::size_t from = 0) {
  const std::size_t k = s.find("\"" + key + "\":", from);
  if (k == std::string::npos) return 0;
  return std::strtoull(s.c_str() + k + key.size() + 3, nullptr, 10);
}

std::string string_after(const std::string& s, const std::string& key) {
  const std::size_t k = s.find("\"" + key + "\":");
  if (k == std::string::npos) return {};
  std::size_t b = k + key.size() + 3;
  if (s.compare(b, 9, "{\"text\":\"") == 0) b += 8;
  if (s[b] != '"') return {};
  return s.substr(b + 1, s.find('"', b + 1) - b - 1);
}

report read_report(const fs::path& p) {
  report r;
  for (const std::string& line : split_lines(read_text(p))) {
    if (line.rfind("{\"type\":\"summary\"", 0) == 0) r.summary = line;
    if (line.rfind("{\"type\":\"cluster\"", 0) == 0) r.clusters.push_back(line);
    if (line.rfind("{\"type\":\"doc\"", 0) != 0) continue;
    doc_record d;
    d.line = line;
    d.path = string_after(line, "path");
    d.status = string_after(line, "status");
    d.duplicate_of = string_after(line, "duplicate_of");
    const std::size_t a = line.find("\"removed\":[");
    if (a != std::string::npos) {
      const std::string arr = line.substr(a + 11, line.find(']', a) - a - 11);
      std::size_t pos = 0;
      while ((pos = arr.find('{', pos)) != std::string::npos) {
        const std::string obj = arr.substr(pos, arr.find('}', pos) - pos + 1);
        removed_range x;
        x.begin = static_cast<std::uint32_t>(number_after(obj, "begin"));
        x.end = static_cast<std::uint32_t>(number_after(obj, "end"));
        x.reason = string_after(obj, "reason");
        x.source_line = static_cast<std::uint32_t>(number_after(obj, "source_line"));
        x.pages = static_cast<std::uint32_t>(number_after(obj, "pages"));
        x.part = string_after(obj, "part");
        if (const std::size_t k = obj.find("\"link_share\":"); k != std::string::npos)
          x.link_share = std::strtod(obj.c_str() + k + 13, nullptr);
        d.removed.push_back(x);
        pos += obj.size();
      }
    }
    r.docs[d.path] = d;
  }
  return r;
}

// The text model of a page, as dupstrip reads it (its report's offsets refer to it).
std::string text_model(const std::string& html) {
  auto doc = dupstrip::html_to_text(html);
  REQUIRE(doc.has_value());
  return doc.value().text;
}

// The HTML line `n` (1-based) with its tags taken out.
std::string html_line_text(const std::string& html, std::uint32_t n) {
  const auto ls = split_lines(html);
  REQUIRE(n >= 1);
  REQUIRE(n <= ls.size());
  std::string out;
  bool tag = false;
  for (const char c : ls[n - 1]) {
    if (c == '<') tag = true;
    else if (c == '>') tag = false;
    else if (!tag) out.push_back(c);
  }
  return out;
}

// Checks one kept page's report entry against its HTML and its output: the ranges are whole
// lines of the text model, sorted and disjoint; what is left of the text model is the output
// byte for byte; each range's source_line is the HTML line where its first block's text
// starts; `links` ranges carry the link share of their block, and no other range does.
void check_ranges(const std::string& html, const std::string& output, const doc_record& d) {
  INFO(d.path);
  const std::string text = text_model(html);
  std::string left;
  std::uint32_t at = 0;
  for (const removed_range& r : d.removed) {
    REQUIRE(r.begin >= at);
    REQUIRE(r.end > r.begin);
    REQUIRE(r.end <= text.size());
    CHECK((r.begin == 0 || text[r.begin - 1] == '\n'));
    CHECK(text[r.end - 1] == '\n');
    left += text.substr(at, r.begin - at);
    at = r.end;
    const std::string first_line = text.substr(r.begin, text.find('\n', r.begin) - r.begin);
    INFO("removed \"" << first_line << "\" (" << r.reason << ")");
    if (first_line.find_first_not_of(" |") == std::string::npos) continue;  // filler: no block of its own
    REQUIRE(r.source_line != 0);
    // The block's first words are on the line the report names (tags aside).
    const std::string head = first_line.substr(0, std::min<std::size_t>(first_line.size(), 12));
    CHECK(html_line_text(html, r.source_line).find(head) != std::string::npos);
    CHECK((r.reason == "links") == (r.link_share >= 0));
    if (r.reason == "links") CHECK(r.link_share >= 0.9);
    if (!r.part.empty()) CHECK(r.reason == "outside_main");
  }
  left += text.substr(at);
  CHECK(left == output);
}

std::uint64_t count_reason(const report& r, const std::string& reason) {
  std::uint64_t n = 0;
  for (const auto& [path, d] : r.docs)
    if (d.status == "kept")
      n += static_cast<std::uint64_t>(std::count_if(d.removed.begin(), d.removed.end(),
                                                    [&](const removed_range& x) { return x.reason == reason; }));
  return n;
}

const removed_range* range_of(const std::string& html, const doc_record& d, const std::string& line) {
  const std::string text = text_model(html);
  for (const removed_range& r : d.removed)
    if (text.substr(r.begin, r.end - r.begin).find(line + "\n") != std::string::npos) return &r;
  return nullptr;
}

// A report with its doc records sorted by path and their `index` removed: what must not
// depend on the order of the input (doc/json.md, "Order of the input").
std::string order_free(const fs::path& p) {
  std::vector<std::string> docs;
  std::string rest;
  for (std::string line : split_lines(read_text(p))) {
    if (line.rfind("{\"type\":\"doc\"", 0) == 0) {
      const std::size_t k = line.find(",\"index\":");
      const std::size_t e = line.find(',', k + 1);
      line.erase(k, e - k);
      docs.push_back(line);
    } else {
      rest += line + "\n";
    }
  }
  std::sort(docs.begin(), docs.end());
  return join_lines(docs) + rest;
}

}  // namespace

// ------------------------------------------------------------------------------ folders

TEST_CASE("web pages: a site's furniture goes, each page keeps its own article", "[cli][e2e][html]") {
  temp_dir t;
  const auto& stories = chronicle();
  const auto pages = site_pages(stories);
  write_site(t.path() / "in/kfc", pages);
  // A text file among the pages stays text and keeps its name.
  const std::string notes = "Editor's notes for the spring edition\nCheck the tram fares with the society.\n";
  write_text(t.path() / "in/kfc/notes.md", notes);
  const auto r = run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " --report " +
                         q(t.path() / "r.jsonl"),
                     t.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  const auto out = snapshot(t.path() / "out");
  std::set<std::string> names;
  for (const auto& [name, text] : out) names.insert(name);
  CHECK(names == std::set<std::string>{"kfc/bakery.txt", "kfc/bridge.txt", "kfc/choir.txt", "kfc/library.txt",
                                       "kfc/notes.md", "kfc/tram.txt"});
  CHECK(out.at("kfc/notes.md") == notes);
  for (const story& s : stories) {
    INFO(s.stem);
    CHECK(out.at("kfc/" + s.stem + ".txt") == expected_text(s));
  }

  const report rep = read_report(t.path() / "r.jsonl");
  REQUIRE(rep.docs.size() == stories.size() + 1);
  for (const story& s : stories) {
    const html_page& page = pages.at(s.stem);
    const doc_record& d = rep.docs.at("kfc/" + s.stem + ".html");
    CHECK(d.status == "kept");
    check_ranges(page.text(), out.at("kfc/" + s.stem + ".txt"), d);
    // The nav is site boilerplate here: on every page, reported at its HTML line.
    const removed_range* sport = range_of(page.text(), d, "Sport");
    REQUIRE(sport != nullptr);
    CHECK(sport->reason == "boilerplate");
    CHECK(sport->pages == stories.size());
    CHECK(sport->source_line == page.line_of(">Sport<"));
    // The article's own list of links goes, by its markup (its items are on this page only).
    const removed_range* own = range_of(page.text(), d, s.further[0]);
    REQUIRE(own != nullptr);
    CHECK(own->reason == "links");
    CHECK(own->source_line == page.line_of(s.further[0]));
  }
  // The guard on headlines is exercised: each headline is site boilerplate on the pages that
  // list it (all of them: 4 teasers and the h1), and still stays on its own page.
  for (const story& s : stories) {
    for (const story& o : stories) {
      if (&o == &s) continue;
      const removed_range* teaser = range_of(pages.at(o.stem).text(), rep.docs.at("kfc/" + o.stem + ".html"), s.headline);
      REQUIRE(teaser != nullptr);
      CHECK(teaser->reason == "boilerplate");
      CHECK(teaser->pages == stories.size());
    }
  }
  CHECK(number_after(rep.summary, "links_spans") == count_reason(rep, "links"));
  CHECK(number_after(rep.summary, "outside_main_spans") == count_reason(rep, "outside_main"));
  CHECK(number_after(rep.summary, "links_spans") >= 2 * stories.size());
}

TEST_CASE("web pages: a one-page site loses its nav (links) and the blocks outside its article (outside_main)",
          "[cli][e2e][html]") {
  temp_dir t;
  // One page alone: no repetition to go by, only the markup. The page lists two headlines of
  // its site in its "most read" box and carries a promotion in its aside.
  const story& s = chronicle()[0];
  const story& other1 = chronicle()[2];
  const story& other2 = chronicle()[3];
  const html_page page = page_of(s, {&other1, &other2}, "Subscribe today");
  write_text(t.path() / "in/solo/tram.html", page.text());
  const auto r = run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " --report " +
                         q(t.path() / "r.jsonl"),
                     t.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string got = read_text(t.path() / "out/solo/tram.txt");
  const report rep = read_report(t.path() / "r.jsonl");
  const doc_record& d = rep.docs.at("solo/tram.html");
  check_ranges(page.text(), got, d);

  // Guards: everything of the article stays, in order.
  INFO(got);
  CHECK(got.rfind(expected_text(s).substr(0, expected_text(s).size() - s.link_para.size() - 1), 0) == 0);
  CHECK(has_line(got, s.headline));
  CHECK(has_line(got, s.subhead));                  // a short h2 inside the body
  CHECK(has_line(got, s.link_para));                // a paragraph that is all link, inside the main container
  for (const auto& row : s.table)                   // the table of figures
    for (const std::string& cell : row) CHECK(has_line(got, cell));

  // The nav goes as link text, even with no other page to compare with.
  for (const char* item : {"News", "Harbour", "Council", "Sport", "What's on"}) {
    INFO(item);
    CHECK(!has_line(got, item));
    const removed_range* x = range_of(page.text(), d, item);
    REQUIRE(x != nullptr);
    CHECK(x->reason == "links");
    CHECK(x->link_share == Approx(1.0));
    CHECK(x->source_line == page.line_of(std::string(">") + item + "<"));
  }
  // So do the teasers of the "most read" box and the article's own list of links.
  for (const std::string& l : {other1.headline, other2.headline, s.further[0], s.further[1]}) {
    INFO(l);
    CHECK(!has_line(got, l));
    const removed_range* x = range_of(page.text(), d, l);
    REQUIRE(x != nullptr);
    CHECK(x->reason == "links");
    CHECK(x->source_line == page.line_of(l));
  }
  // Blocks outside the article that are not links: the box's title, the promotion (its text
  // starts on the line after its <div>), the copyright line.
  for (const std::string& l : {std::string("Most read"), std::string("Subscribe today"),
                               std::string("© 2025 Kettle Ferry Chronicle Ltd")}) {
    INFO(l);
    CHECK(!has_line(got, l));
    const removed_range* x = range_of(page.text(), d, l);
    REQUIRE(x != nullptr);
    CHECK(x->reason == "outside_main");
    CHECK(x->link_share < 0);
    CHECK(x->source_line == page.line_of(l));
  }
  CHECK(page.line_of("Subscribe today") == page.line_of("class=\"promo\"") + 1);
  CHECK(number_after(rep.summary, "links_spans") == count_reason(rep, "links"));
  CHECK(number_after(rep.summary, "outside_main_spans") == count_reason(rep, "outside_main"));
  CHECK(number_after(rep.summary, "outside_main_spans") >= 3);
  CHECK(r.err.find("web pages: ") != std::string::npos);
}

TEST_CASE("web pages: output names, text files beside pages, and --input-format", "[cli][e2e][html]") {
  temp_dir t;
  const auto& st = chronicle();
  // One page per site (top-level folder), four sites: nothing repeats on a site and no line is
  // on the 5 sites the corpus-wide tier needs, so what changes is only how files are read.
  const std::string tram = page_of(st[0], {}).text();
  const std::string bakery = page_of(st[1], {}).text();
  const std::string bridge = page_of(st[2], {}).text();
  const std::string library = page_of(st[4], {}).text();
  const std::string notes = "Editor's notes for the spring edition\nCheck the tram fares with the society.\n";
  write_text(t.path() / "in/a/tram.html", tram);
  write_text(t.path() / "in/b/bakery.HTM", bakery);
  write_text(t.path() / "in/c/deep/bridge.xhtml", bridge);
  REQUIRE(std::system(("gzip -n " + q(t.path() / "in/c/deep/bridge.xhtml")).c_str()) == 0);  // bridge.xhtml.gz
  write_text(t.path() / "in/f/library.page", library);  // not a page's name: a page by its first bytes
  write_text(t.path() / "in/f/notes.md", notes);

  SECTION("auto: pages by name or start become .txt; other files keep their names") {
    const auto r = run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " -q", t.path());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto out = snapshot(t.path() / "out");
    std::set<std::string> names;
    for (const auto& [name, text] : out) names.insert(name);
    CHECK(names == std::set<std::string>{"a/tram.txt", "b/bakery.txt", "c/deep/bridge.txt", "f/library.txt",
                                         "f/notes.md"});
    CHECK(out.at("f/notes.md") == notes);
    // Each page comes out as its article's text, no markup left, the compressed one too.
    for (const auto& [name, k] : std::map<std::string, std::size_t>{
             {"a/tram.txt", 0}, {"b/bakery.txt", 1}, {"c/deep/bridge.txt", 2}, {"f/library.txt", 4}}) {
      INFO(name);
      const story& s = st[k];
      const std::string& got = out.at(name);
      CHECK(got.find('<') == std::string::npos);
      CHECK(got.rfind(s.headline + "\n", 0) == 0);
      CHECK(has_line(got, s.lead_before + s.lead_link + s.lead_after));
      CHECK(has_line(got, s.link_para));
      CHECK(!has_line(got, "Sport"));
    }
  }
  SECTION("--input-format text: pages are text, written under their own names as they were") {
    const auto r = run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " -q --input-format text",
                       t.path());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto out = snapshot(t.path() / "out");
    std::set<std::string> names;
    for (const auto& [name, text] : out) names.insert(name);
    CHECK(names == std::set<std::string>{"a/tram.html", "b/bakery.HTM", "c/deep/bridge.xhtml.gz", "f/library.page",
                                         "f/notes.md"});
    CHECK(out.at("a/tram.html") == tram);
    CHECK(out.at("b/bakery.HTM") == bakery);
    CHECK(out.at("f/library.page") == library);
    CHECK(out.at("f/notes.md") == notes);
    REQUIRE(std::system(("gzip -dc " + q(t.path() / "out/c/deep/bridge.xhtml.gz") + " > " + q(t.path() / "b.xhtml"))
                            .c_str()) == 0);
    CHECK(read_text(t.path() / "b.xhtml") == bridge);
  }
  SECTION("--input-format html: every file is a page, a text file too") {
    const auto r = run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " -q --input-format html",
                       t.path());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(!fs::exists(t.path() / "out/f/notes.md"));
    // Read as a page, the two lines of text are one text run of the body: one line.
    CHECK(read_text(t.path() / "out/f/notes.txt") ==
          "Editor's notes for the spring edition Check the tram fares with the society.\n");
    CHECK(fs::exists(t.path() / "out/a/tram.txt"));
  }
}

// ------------------------------------------------------------------------------ JSONL

namespace {

// A JSONL file of the site's pages, one record a page, with fields around the page in several
// layouts: some records already have a "text" field (in the middle), some have none.
struct jsonl_site {
  std::vector<std::string> records;  // one line each, without its line end
  std::vector<std::string> ids;
};

jsonl_site make_jsonl(const std::map<std::string, html_page>& pages) {
  jsonl_site j;
  int n = 0;
  for (const auto& [stem, page] : pages) {
    const std::string id = stem;
    const std::string url = "https://kettle-ferry.example/" + stem + ".html";
    const std::string html = json_escape(page.text());
    std::string rec;
    switch (n % 4) {
      case 0:
        rec = "{\"id\":\"" + id + "\",\"url\":\"" + url + "\",\"html\":\"" + html + "\",\"fetched\":\"2025-03-0" +
              std::to_string(n + 1) + "\"}";
        break;
      case 1:
        rec = "{ \"url\" : \"" + url + "\", \"text\" : \"stale extract \\u00e9\" , \"html\":\"" + html + "\", \"id\":\"" +
              id + "\", \"meta\": {\"lang\": \"en\", \"tags\": [1, 2]} }";
        break;
      case 2:
        rec = "{\"html\":\"" + html + "\", \"id\": \"" + id + "\", \"url\": \"" + url + "\", \"status\": 200}";
        break;
      default:  // a stale text after the page
        rec = "{\"meta\":{\"lang\":\"en\"},\"url\":\"" + url + "\",\"html\":\"" + html + "\",\"text\":\"old\",\"id\":\"" +
              id + "\"}";
        break;
    }
    j.records.push_back(rec);
    j.ids.push_back(id);
    ++n;
  }
  return j;
}

// The JSON string value of `"text"` in an output record (decoded), and the record with the
// text member (as dupstrip wrote it) taken out or the value replaced by a marker.
struct text_member {
  std::string value;
  std::size_t key = std::string::npos;  // where `"text"` starts
  std::size_t value_begin = 0;          // the opening quote of the value
  std::size_t value_end = 0;            // after the closing quote
};

text_member find_text(const std::string& rec) {
  text_member m;
  // The html value never holds `"text"` unescaped (its quotes are escaped), so the first
  // occurrence of the key outside strings is the member.
  std::size_t pos = 0;
  bool in_string = false;
  for (; pos < rec.size(); ++pos) {
    const char c = rec[pos];
    if (in_string) {
      if (c == '\\') ++pos;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      if (rec.compare(pos, 6, "\"text\"") == 0) break;
      in_string = true;
    }
  }
  if (pos >= rec.size()) return m;
  m.key = pos;
  std::size_t v = rec.find(':', pos + 6);
  v = rec.find('"', v);
  m.value_begin = v;
  std::size_t e = v + 1;
  for (; e < rec.size() && rec[e] != '"'; ++e) {
    if (rec[e] != '\\') {
      m.value.push_back(rec[e]);
      continue;
    }
    ++e;
    if (rec[e] == 'n') m.value.push_back('\n');
    else if (rec[e] == 'u') {
      m.value += "\\u" + rec.substr(e + 1, 4);  // not needed decoded here
      e += 4;
    } else {
      m.value.push_back(rec[e]);
    }
  }
  m.value_end = e + 1;
  return m;
}

}  // namespace

TEST_CASE("web pages in JSONL: --html-field reads the page, the cleaned text goes to the text field",
          "[cli][e2e][html][jsonl]") {
  temp_dir t;
  const auto& stories = chronicle();
  const auto pages = site_pages(stories);
  const jsonl_site j = make_jsonl(pages);
  std::string file;
  for (const std::string& rec : j.records) file += rec + "\n";
  write_text(t.path() / "in.jsonl", file);
  const auto r = run("clean " + q(t.path() / "in.jsonl") + " -o " + q(t.path() / "out.jsonl") +
                         " --html-field html --group-field url --report " + q(t.path() / "r.jsonl"),
                     t.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto out = split_lines(read_text(t.path() / "out.jsonl"));
  REQUIRE(out.size() == j.records.size());

  // The same pages as a folder: the JSONL text must be what the folder run writes.
  write_site(t.path() / "site/kettle-ferry.example", pages);
  REQUIRE(run("clean " + q(t.path() / "site") + " -o " + q(t.path() / "fout") + " -q --report " +
                  q(t.path() / "fr.jsonl"),
              t.path())
              .exit_code == 0);
  const report frep = read_report(t.path() / "fr.jsonl");
  const report jrep = read_report(t.path() / "r.jsonl");

  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::string& in = j.records[i];
    const std::string& o = out[i];
    const std::string& id = j.ids[i];
    INFO(id);
    const story& s = *std::find_if(stories.begin(), stories.end(), [&](const story& x) { return x.stem == id; });
    const text_member before = find_text(in);
    const text_member after = find_text(o);
    REQUIRE(after.key != std::string::npos);
    CHECK(after.value == expected_text(s));
    CHECK(after.value == read_text(t.path() / "fout/kettle-ferry.example" / (id + ".txt")));
    if (before.key != std::string::npos) {
      // Replaced in place: every byte before and after the value is the input's.
      CHECK(o.substr(0, after.value_begin) == in.substr(0, before.value_begin));
      CHECK(o.substr(after.value_end) == in.substr(before.value_end));
    } else {
      // Added as the last member, before the closing brace: the input's bytes are all there.
      CHECK(o.substr(after.key - 1, 1) == ",");
      CHECK(o.substr(0, after.key - 1) + o.substr(after.value_end) == in);
      CHECK(o.substr(after.value_end) == "}");
    }
    // The report names the record by its id and gives the same ranges as for the file.
    const doc_record& jd = jrep.docs.at(id);
    const doc_record& fd = frep.docs.at("kettle-ferry.example/" + id + ".html");
    const std::string jr = jd.line.substr(jd.line.find("\"removed\":"));
    CHECK(jr == fd.line.substr(fd.line.find("\"removed\":")));
    CHECK(jr.find("\"source_line\":") != std::string::npos);
    check_ranges(pages.at(id).text(), after.value, jd);
  }
  CHECK(read_text(t.path() / "in.jsonl") == file);
}

TEST_CASE("web pages: the same bytes for any --jobs and any order of the records", "[cli][e2e][html][jsonl]") {
  temp_dir t;
  auto stories = chronicle();
  // A print version of one story: the same article with almost no furniture, a near-duplicate.
  story print = stories[3];
  print.stem = "choir-print";
  auto pages = site_pages(stories);
  pages.emplace(print.stem, html_page{{"<!DOCTYPE html>", "<html><head><title>Print</title></head><body>",
                                       "<p class=\"masthead\">Kettle Ferry Chronicle, print edition</p>", "<article>",
                                       "<h1>" + print.headline + "</h1>", "<p>" + print.byline + "</p>",
                                       "<p>" + print.lead_before + print.lead_link + print.lead_after + "</p>",
                                       "<p>" + print.second + "</p>", "<h2>" + print.subhead + "</h2>",
                                       "<p>" + print.third + "</p>", "</article>", "</body></html>"}});
  write_site(t.path() / "in/kfc", pages);

  SECTION("a folder with --jobs 1 and 2") {
    const std::string in = q(t.path() / "in");
    REQUIRE(run("clean " + in + " -o " + q(t.path() / "o1") + " -q -j 1 --report " + q(t.path() / "r1.jsonl"),
                t.path())
                .exit_code == 0);
    REQUIRE(run("clean " + in + " -o " + q(t.path() / "o2") + " -q -j 2 --report " + q(t.path() / "r2.jsonl"),
                t.path())
                .exit_code == 0);
    const auto o1 = snapshot(t.path() / "o1");
    CHECK(o1.size() == pages.size() - 1);  // one copy of the choir story dropped
    CHECK(o1 == snapshot(t.path() / "o2"));
    CHECK(read_text(t.path() / "r1.jsonl") == read_text(t.path() / "r2.jsonl"));
    const report rep = read_report(t.path() / "r1.jsonl");
    CHECK(rep.clusters.size() == 1);
    std::set<std::string> dropped;
    for (const auto& [path, d] : rep.docs)
      if (d.status == "dropped") dropped.insert(path);
    CHECK(dropped.size() == 1);
  }
  SECTION("JSONL records shuffled") {
    const jsonl_site j = make_jsonl(pages);
    std::string file;
    for (const std::string& rec : j.records) file += rec + "\n";
    write_text(t.path() / "a.jsonl", file);
    const std::uint64_t seed = 20251204;
    INFO("seed=" << seed);
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> order(j.records.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[dupstrip_test::pick(rng, i)]);
    REQUIRE(order != std::vector<std::size_t>({0, 1, 2, 3, 4, 5}));
    std::string shuffled;
    for (const std::size_t k : order) shuffled += j.records[k] + "\n";
    write_text(t.path() / "b.jsonl", shuffled);
    const std::string opts = " -q --html-field html --group-field url --report ";
    REQUIRE(run("clean " + q(t.path() / "a.jsonl") + " -o " + q(t.path() / "a-out.jsonl") + opts +
                    q(t.path() / "ra.jsonl") + " -j 1",
                t.path())
                .exit_code == 0);
    REQUIRE(run("clean " + q(t.path() / "b.jsonl") + " -o " + q(t.path() / "b-out.jsonl") + opts +
                    q(t.path() / "rb.jsonl") + " -j 2",
                t.path())
                .exit_code == 0);
    // Per record the same bytes; in the report the same records once sorted, index aside.
    auto by_id = [](const fs::path& p) {
      std::map<std::string, std::string> m;
      for (const std::string& l : split_lines(read_text(p))) {
        const std::size_t k = l.find("\"id\"");
        const std::size_t b = l.find('"', l.find(':', k) + 1);
        m[l.substr(b + 1, l.find('"', b + 1) - b - 1)] = l;
      }
      return m;
    };
    const auto a = by_id(t.path() / "a-out.jsonl");
    CHECK(a.size() == j.records.size() - 1);
    CHECK(a == by_id(t.path() / "b-out.jsonl"));
    CHECK(order_free(t.path() / "ra.jsonl") == order_free(t.path() / "rb.jsonl"));
  }
}

// ------------------------------------------------------------------------------ bad input

TEST_CASE("web pages: a binary page, an empty page and a truncated page", "[cli][e2e][html]") {
  temp_dir t;
  const auto& st = chronicle();
  // A site of three pages, and two pages of the other two stories cut short, each on a site of
  // its own (a cut copy of a page of the same site would share its paragraphs with it).
  const std::vector<story> site(st.begin(), st.begin() + 3);
  write_site(t.path() / "in/kfc", site_pages(site));
  // A binary file named as a page, and one named as text: the same treatment.
  write_text(t.path() / "in/kfc/photo.html", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR<html>", 22));
  write_text(t.path() / "in/kfc/blob.txt", std::string("ab\0cd", 5));
  write_text(t.path() / "in/kfc/empty.html", "");
  // Cut in the middle of a word of the last paragraph of the body.
  const story& c1 = st[4];
  const std::string full1 = page_of(c1, {}).text();
  const std::size_t at1 = full1.find("climb the stairs");
  REQUIRE(at1 != std::string::npos);
  write_text(t.path() / "in/cut/library.html", full1.substr(0, at1 + 7));
  // Cut inside a tag, after the body's last paragraph.
  const story& c2 = st[3];
  const std::string full2 = page_of(c2, {}).text();
  const std::size_t at2 = full2.find("<p><a href=\"/files/");
  REQUIRE(at2 != std::string::npos);
  write_text(t.path() / "in/cut-tag/choir.html", full2.substr(0, at2 + 8));

  const auto r = run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " -q --report " +
                         q(t.path() / "r.jsonl"),
                     t.path());
  CHECK(r.exit_code == 1);
  // Errors only (-q): the two binary files, named, in input order; nothing on the others.
  CHECK(r.err == "dupstrip: " + (t.path() / "in/kfc/blob.txt").string() + ": binary file (NUL byte)\n" +
                     "dupstrip: " + (t.path() / "in/kfc/photo.html").string() + ": binary file (NUL byte)\n");
  CHECK(!fs::exists(t.path() / "out/kfc/photo.txt"));
  CHECK(!fs::exists(t.path() / "out/kfc/photo.html"));
  CHECK(!fs::exists(t.path() / "out/kfc/blob.txt"));
  // The other pages are written, as cleaned as without the bad files.
  for (const story& x : site) CHECK(read_text(t.path() / "out/kfc" / (x.stem + ".txt")) == expected_text(x));
  // An empty page is an empty document: kept, written empty.
  CHECK(fs::exists(t.path() / "out/kfc/empty.txt"));
  CHECK(read_text(t.path() / "out/kfc/empty.txt").empty());
  // A truncated page gives its text up to the cut.
  const std::string cut1 = read_text(t.path() / "out/cut/library.txt");
  INFO(cut1);
  CHECK(cut1.rfind(c1.headline + "\n", 0) == 0);
  CHECK(has_line(cut1, c1.second));
  CHECK(has_line(cut1, c1.subhead));
  CHECK(has_line(cut1, c1.third.substr(0, c1.third.find("climb the stairs") + 7)));
  CHECK(!has_line(cut1, c1.link_para));
  const std::string cut2 = read_text(t.path() / "out/cut-tag/choir.txt");
  INFO(cut2);
  CHECK(cut2.rfind(c2.headline + "\n", 0) == 0);
  CHECK(has_line(cut2, c2.third));
  CHECK(cut2.find('<') == std::string::npos);

  const report rep = read_report(t.path() / "r.jsonl");
  CHECK(rep.docs.at("kfc/photo.html").status == "skipped");
  CHECK(rep.docs.at("kfc/photo.html").line.find("\"reason\":\"binary file (NUL byte)\"") != std::string::npos);
  CHECK(rep.docs.at("kfc/empty.html").status == "kept");
  CHECK(rep.docs.at("cut/library.html").status == "kept");
  CHECK(rep.docs.at("cut-tag/choir.html").status == "kept");
  CHECK(number_after(rep.summary, "skipped") == 2);
}

// ------------------------------------------------------------------------------ fixed issues
// Each of these failed before its fix (number cells of the main text keyed by their exact text,
// output names made unique, main-container prose never furniture-run material).

TEST_CASE("number cells of tables on three pages of a site stay",
          "[cli][e2e][html]") {
  // One block per cell: with digit masking, "640" and "1,210" would have the same line key
  // ("#"), and a site where three articles carry a table of figures would lose every such cell.
  temp_dir t;
  auto stories = chronicle();
  stories[2].table = {{"Week", "Work", "Minibus runs"}, {"First", "Scaffolding", "84"}, {"Second", "Bolts", "96"}};
  write_site(t.path() / "in/kfc", site_pages(stories));
  REQUIRE(run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " -q", t.path()).exit_code == 0);
  for (const story& s : stories) {
    INFO(s.stem);
    CHECK(read_text(t.path() / "out/kfc" / (s.stem + ".txt")) == expected_text(s));
  }
}

TEST_CASE("two pages whose names differ only in their extension get distinct output files",
          "[cli][e2e][html]") {
  // a.html and a.htm would both become a.txt, beside a text file a.txt: the text file keeps its
  // name and the pages are written as a.html.txt and a.htm.txt, in document order.
  temp_dir t;
  const auto& st = chronicle();
  write_text(t.path() / "in/s/a.html", page_of(st[0], {}).text());
  write_text(t.path() / "in/s/a.htm", page_of(st[1], {}).text());
  write_text(t.path() / "in/s/a.txt", "A note that is not a page, about the harbour wall and its repairs.\n");
  const auto r = run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " -q", t.path());
  const auto out = snapshot(t.path() / "out");
  std::string all;
  for (const auto& [name, text] : out) all += text;
  // Either every document reaches the output or the run says which did not.
  const bool all_written = all.find(st[0].second) != std::string::npos && all.find(st[1].second) != std::string::npos &&
                           all.find("harbour wall") != std::string::npos;
  CHECK((all_written || (r.exit_code != 0 && r.err.find("a.txt") != std::string::npos)));
  CHECK(r.exit_code == 0);
  CHECK(out.size() == 3);
  CHECK(out.count("s/a.txt") == 1);
  CHECK(out.count("s/a.htm.txt") == 1);
  CHECK(out.count("s/a.html.txt") == 1);
}

TEST_CASE("a truncated second copy of a page does not take the article off the full page",
          "[cli][e2e][html]") {
  // A site that holds a page twice, once cut short (a failed download kept beside the good
  // one): the article's paragraphs are on 2 pages that the pre-clusters do not join (the cut
  // copy lacks the furniture after the cut). Prose of the main container shared word for word
  // with one other page is a copy of the article, not a run of furniture: it stays.
  temp_dir t;
  auto stories = chronicle();
  // The choir story with a table of its songs (words only: see the known issue above).
  stories[3].table = {{"Song", "Soloist"}, {"The Mallow Light", "Ros Alder"}, {"Rope and Tide", "the basses"},
                      {"Home by Corve", "the whole choir"}};
  const auto pages = site_pages(stories);
  write_site(t.path() / "in/kfc", pages);
  const std::string full = pages.at("choir").text();
  write_text(t.path() / "in/kfc/choir-partial.html", full.substr(0, full.find("<table")));
  REQUIRE(run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " -q", t.path()).exit_code == 0);
  const story& s = stories[3];
  const std::string got = read_text(t.path() / "out/kfc/choir.txt");
  INFO(got);
  CHECK(has_line(got, s.lead_before + s.lead_link + s.lead_after));
  CHECK(has_line(got, s.second));
  CHECK(has_line(got, s.third));
}

TEST_CASE("web pages: a scale-out run (scan, merge, apply) writes what clean writes", "[cli][e2e][html]") {
  // apply runs in a process that has not read the pages: it must still name them .txt and
  // take their text from the HTML, and decide as clean does (the markup is in the fingerprints).
  temp_dir t;
  const auto pages = site_pages(chronicle());
  write_site(t.path() / "in/kfc", pages);
  write_text(t.path() / "in/kfc/notes.md", "A note, not a page, about the ferry and the harbour.\n");
  const std::string in = q(t.path() / "in");
  REQUIRE(run("clean " + in + " -o " + q(t.path() / "clean") + " -q", t.path()).exit_code == 0);
  REQUIRE(run("scan " + in + " --fingerprints " + q(t.path() / "f0.dsfp") + " -q", t.path()).exit_code == 0);
  REQUIRE(run("merge " + q(t.path() / "f0.dsfp") + " -o " + q(t.path() / "s0.dsm") + " --json", t.path()).exit_code == 0);
  std::string merged = read_text(t.path() / "stdout");
  int round = 0;
  while (merged.find("\"complete\":false") != std::string::npos && round < 5) {
    const std::string state = q(t.path() / ("s" + std::to_string(round) + ".dsm"));
    const std::string content = q(t.path() / ("c" + std::to_string(round) + ".dsfp"));
    REQUIRE(run("scan " + in + " --state " + state + " --fingerprints " + content + " -q", t.path()).exit_code == 0);
    ++round;
    REQUIRE(run("merge --state " + state + " " + content + " -o " + q(t.path() / ("s" + std::to_string(round) + ".dsm")) +
                    " --json",
                t.path())
                .exit_code == 0);
    merged = read_text(t.path() / "stdout");
  }
  REQUIRE(merged.find("\"complete\":true") != std::string::npos);
  const std::string final_state = q(t.path() / ("s" + std::to_string(round) + ".dsm"));
  REQUIRE(run("apply --state " + final_state + " " + in + " -o " + q(t.path() / "applied") + " -q", t.path()).exit_code == 0);
  const auto cleaned = snapshot(t.path() / "clean");
  CHECK(cleaned.count("kfc/notes.md") == 1);
  CHECK(snapshot(t.path() / "applied") == cleaned);
}

TEST_CASE("web pages: a figure's caption and a gallery's slides go as outside_main with their part",
          "[cli][e2e][html]") {
  temp_dir t;
  std::string h = "<!doctype html>\n<html><head><title>Quay</title></head><body>\n<article>\n<h1>Quay reopens</h1>\n";
  h += "<p>The quay, closed since the storm of March, reopened on Saturday, and the ferries returned to their "
       "old berths by the harbour office.</p>\n";
  h += "<p>Engineers replaced forty metres of the wall, rebuilt two bollards and, after 5 weeks of work, "
       "repainted the steps down to the pontoon.</p>\n";
  h += "<p>Fishermen, who had moored in the river since the storm, said the new lights were brighter, and "
       "that the cranes would come back in May.</p>\n";
  h += "<p>The council paid for the repairs from its reserve, while the port authority asked the ministry "
       "for help with the costs of the dredging.</p>\n";
  h += "<figure><img src=q.jpg>\n<figcaption>The first ferry at the quay, Saturday morning.</figcaption></figure>\n";
  h += "<div class=gallery>\n";
  for (int s = 0; s < 5; ++s)
    h += "<div class=slide><div>Slide " + std::to_string(s) +
         ": crowds on the quay, flags on the masts, the band by the office.</div>\n<a href=/f>Fullscreen</a></div>\n";
  h += "</div>\n</article></body></html>\n";
  write_text(t.path() / "in/quay/quay.html", h);
  const auto r = run("clean " + q(t.path() / "in") + " -o " + q(t.path() / "out") + " --report " +
                         q(t.path() / "r.jsonl"),
                     t.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string got = read_text(t.path() / "out/quay/quay.txt");
  const report rep = read_report(t.path() / "r.jsonl");
  const doc_record& d = rep.docs.at("quay/quay.html");
  check_ranges(h, got, d);
  INFO(got);
  CHECK(has_line(got, "Quay reopens"));
  CHECK(got.find("after 5 weeks") != std::string::npos);
  const removed_range* cap = range_of(h, d, "The first ferry at the quay, Saturday morning.");
  REQUIRE(cap != nullptr);
  CHECK(cap->reason == "outside_main");
  CHECK(cap->part == "figure");
  const removed_range* slide = range_of(h, d, "Slide 3: crowds on the quay, flags on the masts, the band by the office.");
  REQUIRE(slide != nullptr);
  CHECK(slide->reason == "outside_main");
  CHECK(slide->part == "collection");
}

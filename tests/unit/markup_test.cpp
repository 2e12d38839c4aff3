// The markup evidence of a web page (markup.hpp) and what the engine does with it: link lists,
// the main container and the main text grown from it, the headline, and the safety rail that
// protects the main text (doc/algorithm.md, "Web pages").
#include "dupstrip/html.hpp"
#include "dupstrip/markup.hpp"

#include <dupstrip/pipeline.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <vector>

using namespace dupstrip;

namespace {

std::string paragraph(int k, int sentences = 3) {
  std::string p;
  for (int s = 0; s < sentences; ++s)
    p += "The council of town " + std::to_string(k) + " met again on Tuesday, and members, after a long debate, voted " +
         std::to_string(s + k) + " times on the budget for the harbour. ";
  return p;
}

struct marked {
  html_document doc;
  std::vector<line_markup> marks;
  // Flags of the first line whose text starts with `prefix`.
  [[nodiscard]] std::uint8_t flags(std::string_view prefix) const {
    for (std::size_t i = 0; i < doc.blocks.size(); ++i) {
      const std::string_view t(doc.text.data() + doc.blocks[i].begin, doc.blocks[i].end - doc.blocks[i].begin);
      if (t.starts_with(prefix)) return marks[i].flags;
    }
    FAIL("no line starts with " << prefix);
    return 0;
  }
};

marked mark(const std::string& html) {
  marked m;
  m.doc = html_to_text(html).value();
  m.marks = detail::markup_evidence(m.doc);
  REQUIRE(m.marks.size() == m.doc.blocks.size());
  return m;
}

// A news page: a nav menu, a logo h1 in the header, a teaser list, the article (headline h1,
// lead above the body's container, body paragraphs with an inline link, a paragraph that is all
// link), a comment list, a footer with a long notice.
std::string news_page() {
  std::string h = "<html><head><title>T</title></head><body>";
  h += "<header><h1>Harbour Gazette</h1><nav><ul><li><a href=/a>News</a></li><li><a href=/b>Sport</a></li>"
       "<li><a href=/c>Weather</a></li></ul></nav></header>";
  h += "<div class=teasers><ul><li><a href=/t1>Ferry timetable changes from May</a></li>"
       "<li><a href=/t2>Lighthouse keeper retires after forty years</a></li></ul></div>";
  h += "<main><h1>Council votes on the harbour budget</h1>";
  h += "<div class=lead><p>Lead: the council decided, after three evenings of talks, to fund the harbour wall.</p></div>";
  h += "<div class=body>";
  for (int k = 0; k < 5; ++k) h += "<p>" + paragraph(k) + "</p>";
  h += "<p>More on the budget, with a <a href=/x>link to the minutes</a> of the meeting, and the votes.</p>";
  h += "<p><a href=/full>Click here for the full report of the council meeting</a></p>";
  h += "</div></main>";
  h += "<section class=comments><h2>Comments</h2><ol>";
  h += "<li><p>Reader one: I think the council should have, in my humble opinion, spent more on the pier instead.</p></li>";
  h += "<li><p>Reader two: the harbour wall was, frankly, long overdue and I am glad they finally voted.</p></li></ol></section>";
  h += "<footer><p>" + std::string(60, 'x') + ", " + "Copyright notice, terms, conditions, privacy, cookies, "
                                                           "liability, disclaimers, jurisdiction, and so on, "
                                                           "and so on, and so on, and so on, and so on.</p></footer>";
  h += "</body></html>";
  return h;
}

}  // namespace

TEST_CASE("markup: menus and headline lists are link lists; the article is not", "[unit][markup]") {
  const marked m = mark(news_page());
  CHECK((m.flags("News") & markup_link_list) != 0);
  CHECK((m.flags("Ferry timetable") & markup_link_list) != 0);
  CHECK((m.flags("The council of town 0") & (markup_link_list | markup_outside_main)) == 0);
  CHECK((m.flags("The council of town 0") & markup_prose) != 0);
  // A paragraph with an inline link is prose; a paragraph that is all link inside the main
  // container stays (the guard), it is not a link list.
  CHECK((m.flags("More on the budget") & markup_link_list) == 0);
  CHECK((m.flags("Click here for the full report") & markup_link_list) == 0);
}

TEST_CASE("markup: the headline is the h1 of the article, not the logo", "[unit][markup]") {
  const marked m = mark(news_page());
  CHECK((m.flags("Council votes on the harbour budget") & markup_own_heading) != 0);
  CHECK((m.flags("Harbour Gazette") & markup_own_heading) == 0);
  // Of two h1 in the article flow, the one in the container wins.
  std::string h = "<html><body><h1>Other story title</h1><article><h1>The story</h1>";
  for (int k = 0; k < 4; ++k) h += "<p>" + paragraph(k) + "</p>";
  h += "</article></body></html>";
  const marked two = mark(h);
  CHECK((two.flags("The story") & markup_own_heading) != 0);
  CHECK((two.flags("Other story title") & markup_own_heading) == 0);
}

// An article whose headline sits in the article's own header (HTML5: <article><header><h1>),
// as a link to the article itself, under a page banner whose logo is an h1 too.
std::string article_header_page() {
  std::string h = "<html><body><header class=banner><h1>Harbour Gazette</h1></header>";
  h += "<article><header><h1><a href=/story>Harbour wall funded</a></h1><p>By A. Writer</p></header>";
  h += "<div class=body>";
  for (int k = 0; k < 4; ++k) h += "<p>" + paragraph(k) + "</p>";
  h += "</div></article></body></html>";
  return h;
}

TEST_CASE("markup: an h1 in the article's own header is the headline; the banner's logo is not", "[unit][markup]") {
  const marked m = mark(article_header_page());
  CHECK((m.flags("Harbour wall funded") & markup_own_heading) != 0);
  CHECK((m.flags("Harbour wall funded") & markup_link_list) == 0);
  CHECK((m.flags("Harbour Gazette") & markup_own_heading) == 0);
}

TEST_CASE("markup: the main container holds the body; lead, comments and footer are outside it", "[unit][markup]") {
  const marked m = mark(news_page());
  CHECK((m.flags("The council of town 4") & markup_outside_main) == 0);
  // The lead is outside the body's container but prose: the engine grows the main text to it.
  CHECK((m.flags("Lead: the council") & markup_outside_main) != 0);
  CHECK((m.flags("Lead: the council") & markup_prose) != 0);
  // Comments are outside, in a list that does not hold the container: not prose.
  CHECK((m.flags("Reader one") & markup_outside_main) != 0);
  CHECK((m.flags("Reader one") & markup_prose) == 0);
  // A footer notice full of commas does not make the footer the container.
  CHECK((m.flags("xxxx") & markup_outside_main) != 0);
}

TEST_CASE("markup: leaked script text is not prose and cannot be the container", "[unit][markup]") {
  std::string h = "<html><body><div class=blob>";
  for (int k = 0; k < 40; ++k) h += "{\"id\":" + std::to_string(k) + ",\"title\":\"A story, with words\",\"tags\":[\"x\",\"y\"]};";
  h += "</div><article>";
  for (int k = 0; k < 4; ++k) h += "<p>" + paragraph(k) + "</p>";
  h += "</article></body></html>";
  const marked m = mark(h);
  CHECK((m.flags("{\"id\":0") & markup_prose) == 0);
  CHECK((m.flags("{\"id\":0") & markup_outside_main) != 0);
  CHECK((m.flags("The council of town 0") & markup_outside_main) == 0);
}

TEST_CASE("markup: a page without paragraphs has no main container: only link lists are flagged", "[unit][markup]") {
  const marked m = mark("<html><body><div>Short line</div><div>Another short line</div>"
                        "<ul><li><a href=/a>Menu</a></li></ul></body></html>");
  CHECK(m.flags("Short line") == 0);
  CHECK(m.flags("Another short line") == 0);
  CHECK((m.flags("Menu") & markup_link_list) != 0);
}

namespace {

// One page (or several) as a source of web pages held in memory.
class memory_pages final : public document_source {
 public:
  explicit memory_pages(std::vector<std::string> pages) : pages_(std::move(pages)) {}
  [[nodiscard]] std::size_t size() const override { return pages_.size(); }
  [[nodiscard]] std::string_view name(std::size_t i) const override { return names_[i % names_.size()]; }
  [[nodiscard]] std::string_view group(std::size_t) const override { return "site"; }
  [[nodiscard]] result<std::string> read(std::size_t i) const override { return pages_[i]; }

 private:
  std::vector<std::string> pages_;
  std::vector<std::string> names_ = {"a.html", "b.html", "c.html"};
};

struct cleaned {
  std::string text;
  std::vector<removal> removed;
};

cleaned clean_one(const std::string& page, unsigned jobs = 1) {
  const memory_pages inner({page});
  const html_source pages(inner, input_format::html);
  clean_options o;
  o.jobs = jobs;
  analysis a = deduper(o).run(pages);
  cleaned c;
  c.removed = a.removals.get(0);
  const std::string text = pages.read(0).value();
  for (const std::string_view piece : kept_pieces(text, c.removed)) c.text += piece;
  return c;
}

removal_reason reason_of(const cleaned& c, const std::string& page_text, std::string_view prefix) {
  const std::size_t at = page_text.find(prefix);
  REQUIRE(at != std::string::npos);
  for (const removal& r : c.removed)
    if (r.begin <= at && at < r.end) return r.reason;
  FAIL("not removed: " << prefix);
  return removal_reason::repeat;
}

}  // namespace

TEST_CASE("markup in the engine: a one-page site loses its menu and comments, keeps its article", "[unit][markup]") {
  const std::string page = news_page();
  const cleaned c = clean_one(page);
  const std::string text = html_to_text(page).value().text;
  CHECK(c.text.find("Council votes on the harbour budget") != std::string::npos);
  CHECK(c.text.find("Lead: the council decided") != std::string::npos);  // grown into the main text
  for (int k = 0; k < 5; ++k) CHECK(c.text.find("The council of town " + std::to_string(k)) != std::string::npos);
  CHECK(c.text.find("Click here for the full report") != std::string::npos);
  CHECK(c.text.find("Sport") == std::string::npos);
  CHECK(reason_of(c, text, "Sport") == removal_reason::links);
  CHECK(reason_of(c, text, "Reader one") == removal_reason::outside_main);
  // Every removal of a page names the line of the HTML it came from.
  for (const removal& r : c.removed) CHECK(r.source_line >= 1);
  CHECK(clean_one(page, 2).text == c.text);
}

TEST_CASE("markup in the engine: the headline in the article's header stays", "[unit][markup]") {
  const std::string page = article_header_page();
  const cleaned c = clean_one(page);
  CHECK(c.text.find("Harbour wall funded") != std::string::npos);
  CHECK(c.text.find("The council of town 3") != std::string::npos);
}

TEST_CASE("markup in the engine: the safety rail protects the main text, not a leaked blob", "[unit][markup]") {
  // The blob is 95% of the page's words: the rail must not keep it to save the share.
  std::string h = "<html><body><div>";
  for (int k = 0; k < 400; ++k) h += "{\"id\":" + std::to_string(k) + ",\"t\":\"w w w w\"};";
  h += "</div><article><h1>The story</h1>";
  for (int k = 0; k < 3; ++k) h += "<p>" + paragraph(k, 1) + "</p>";
  h += "</article></body></html>";
  const cleaned c = clean_one(h);
  CHECK(c.text.find("{\"id\":0") == std::string::npos);
  CHECK(c.text.find("The council of town 2") != std::string::npos);
}

TEST_CASE("markup: the article's own list of links between two of its paragraphs stays", "[unit][markup]") {
  std::string h = "<html><body><article><h1>Budget</h1>";
  for (int k = 0; k < 3; ++k) h += "<p>" + paragraph(k) + "</p>";
  h += "<p>The council published these documents, each of them on its own page, on Tuesday:</p>";
  h += "<ul><li><a href=/d1>Minutes of the budget meeting</a></li><li><a href=/d2>The harbour wall plan</a></li></ul>";
  h += "<p>" + paragraph(7) + "</p>";
  h += "<ul><li><a href=/r1>Related: ferry timetable changes</a></li><li><a href=/r2>Related: lighthouse</a></li></ul>";
  h += "</article></body></html>";
  const marked m = mark(h);
  CHECK((m.flags("Minutes of the budget meeting") & markup_link_list) == 0);
  CHECK((m.flags("The harbour wall plan") & markup_link_list) == 0);
  // A list at the end of the article, with no paragraph after it, is a related-stories box.
  CHECK((m.flags("Related: ferry") & markup_link_list) != 0);
}

TEST_CASE("markup: a figure and its caption are outside the main text, even inside the container", "[unit][markup]") {
  std::string h = "<html><body><article><h1>Harbour wall</h1>";
  for (int k = 0; k < 2; ++k) h += "<p>" + paragraph(k) + "</p>";
  h += "<figure><img src=w.jpg><figcaption><div>The wall at low tide, seen from the pier, on Monday morning. "
       "(Photo: Harbour Gazette)</div></figcaption></figure>";
  h += "<p>" + paragraph(5) + "</p>";
  h += "<table><caption>Spending by year, in thousands, as the council published it</caption>"
       "<tr><td>2023</td><td>410</td></tr></table>";
  h += "</article></body></html>";
  const marked m = mark(h);
  // Inside the caption, a div's text is caption all the same.
  CHECK((m.flags("The wall at low tide") & (markup_outside_main | markup_figure)) == (markup_outside_main | markup_figure));
  CHECK((m.flags("The wall at low tide") & markup_prose) == 0);
  // A table's caption is the table's title, part of the article.
  CHECK((m.flags("Spending by year") & markup_outside_main) == 0);
  CHECK((m.flags("The council of town 5") & markup_outside_main) == 0);
  const cleaned c = clean_one(h);
  const std::string text = html_to_text(h).value().text;
  CHECK(reason_of(c, text, "The wall at low tide") == removal_reason::outside_main);
  for (const removal& r : c.removed)
    if (r.begin <= text.find("The wall at low tide") && text.find("The wall at low tide") < r.end)
      CHECK(r.pattern == outside_figure);
  CHECK(c.text.find("The council of town 5") != std::string::npos);
}

namespace {

// An article with a gallery of `slides` slides inside its container. Each slide holds a caption
// and, when `link`, a "Fullscreen" link; else a counter "k/N" and a credit as every slide does.
std::string gallery_page(int slides, bool link) {
  std::string h = "<html><body><article><h1>Harbour festival</h1>";
  for (int k = 0; k < 4; ++k) h += "<p>" + paragraph(k) + "</p>";
  h += "<div class=gallery>";
  for (int s = 0; s < slides; ++s) {
    h += "<div class=slide><div class=cap>Slide " + std::to_string(s) +
         ": boats in the harbour at dusk, the crowd on the quay, and the band playing on the pier.</div>";
    h += link ? "<div><a href=/full>Fullscreen</a></div>"
              : "<h3>" + std::to_string(s + 1) + "/" + std::to_string(slides) + "</h3><p>Getty Images</p>";
    h += "</div>";
  }
  h += "</div></article></body></html>";
  return h;
}

}  // namespace

TEST_CASE("markup: the slides of a gallery in the article are a collection, outside the main text", "[unit][markup]") {
  for (const bool link : {true, false}) {
    const int slides = link ? 5 : 10;
    const marked m = mark(gallery_page(slides, link));
    INFO("link " << link);
    CHECK((m.flags("Slide 0:") & (markup_outside_main | markup_collection)) == (markup_outside_main | markup_collection));
    CHECK((m.flags("Slide 4:") & markup_collection) != 0);
    CHECK((m.flags("The council of town 3") & markup_outside_main) == 0);
    const cleaned c = clean_one(gallery_page(slides, link));
    CHECK(c.text.find("Slide 0:") == std::string::npos);
    CHECK(c.text.find("The council of town 3") != std::string::npos);
  }
  // Guards: four linked slides, or nine without links, are not enough evidence of a collection.
  CHECK((mark(gallery_page(4, true)).flags("Slide 0:") & markup_collection) == 0);
  CHECK((mark(gallery_page(9, false)).flags("Slide 0:") & markup_collection) == 0);
}

TEST_CASE("markup: sections of the article are not a collection when they hold its main text", "[unit][markup]") {
  // Twelve sections alike (a heading, two paragraphs, a "Read the documents" link): the main
  // container is their parent, so they are the article, not a list of teasers.
  std::string h = "<html><body><div class=story>";
  for (int s = 0; s < 12; ++s)
    h += "<section class=part><h2>Part " + std::to_string(s) + "</h2><p>" + paragraph(s) + "</p><p>" +
         paragraph(s + 20) + "</p><p><a href=/doc>Read the documents</a></p></section>";
  h += "</div></body></html>";
  const marked m = mark(h);
  CHECK((m.flags("The council of town 3") & (markup_outside_main | markup_collection)) == 0);
  CHECK((m.flags("Part 3") & markup_collection) == 0);
  // A list of posts whose container is one of the posts: the same guard.
  std::string posts = "<html><body><div class=posts>";
  for (int s = 0; s < 6; ++s) {
    posts += "<div class=post><h2><a href=/p>Post " + std::to_string(s) + "</a></h2>";
    for (int k = 0; k < (s == 2 ? 6 : 1); ++k) posts += "<p>" + paragraph(s * 10 + k) + "</p>";
    posts += "</div>";
  }
  posts += "</div></body></html>";
  const marked p = mark(posts);
  CHECK((p.flags("The council of town 20") & markup_outside_main) == 0);
}

TEST_CASE("markup: the main text grows down through paragraphs, not through a div's text after it", "[unit][markup]") {
  std::string h = "<html><body><div class=body>";
  for (int k = 0; k < 4; ++k) h += "<p>" + paragraph(k) + "</p>";
  h += "</div><p>A last paragraph of the story, printed after its container by the template of the site.</p>";
  h += "<div class=bio>Jane Doe Jane is the harbour reporter of the Gazette and writes about boats and tides.</div>";
  h += "</body></html>";
  const marked m = mark(h);
  CHECK((m.flags("A last paragraph") & markup_prose) != 0);
  CHECK((m.flags("Jane Doe") & markup_prose) == 0);
  const cleaned c = clean_one(h);
  CHECK(c.text.find("A last paragraph") != std::string::npos);
  CHECK(c.text.find("Jane Doe") == std::string::npos);
}

TEST_CASE("markup in the engine: the main text grows down across a slideshow's title and date", "[unit][markup]") {
  std::string h = "<html><body><div class=body>";
  for (int k = 0; k < 5; ++k) h += "<p>" + paragraph(k) + "</p>";
  h += "</div><div class=show><h2>Harbour in pictures</h2><div>Sun, March 12</div></div>";
  h += "<div class=more><p>The story goes on after the slideshow, as the council, at last, closed the debate.</p>";
  h += "<p>" + paragraph(9, 1) + "</p></div>";
  h += "<div class=x><h2>Most read</h2><div>Mon, March 13</div><div>Tue, March 14</div></div>";
  h += "<p>A comment below the page, written by a reader of the Gazette, about something else entirely.</p>";
  h += "</body></html>";
  const cleaned c = clean_one(h);
  CHECK(c.text.find("The story goes on") != std::string::npos);
  CHECK(c.text.find("The council of town 9") != std::string::npos);
  // Three other lines in a row end the main text.
  CHECK(c.text.find("A comment below the page") == std::string::npos);
}

// The pass before the parser (raw_text.hpp): script, style and comment bodies emptied, start
// tags reduced to the attributes the text model reads, line feeds kept, and the same text
// model as the page as written.
#include "dupstrip/raw_text.hpp"

#include <dupstrip/html.hpp>

#include <catch2/catch.hpp>

#include <string>

using dupstrip::detail::empty_raw_text;

namespace {

std::string pass(std::string page) {
  empty_raw_text(page);
  return page;
}

}  // namespace

TEST_CASE("raw text: bodies of scripts, styles and comments go, their line feeds stay", "[unit][html]") {
  CHECK(pass("<p>a</p><script src=a.js>var x = 1;\nvar y;</script><p>b</p>") ==
        "<p>a</p><script>\n</script><p>b</p>");
  CHECK(pass("<style media=print>p{}\n</style>") == "<style>\n</style>");
  CHECK(pass("x<!-- a\nb -->y") == "x<!--\n-->y");
}

TEST_CASE("raw text: every line feed of a long body stays, wherever it falls", "[unit][html]") {
  // Bodies of every length up to 40 with line feeds at every offset: the count is taken eight
  // bytes at a time, and bytes next to a line feed (0x0B, 0x8A, 0x09) must not count.
  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t step = 1; step <= 9; ++step) {
      std::string body;
      std::size_t feeds = 0;
      for (std::size_t k = 0; k < len; ++k) {
        const bool feed = k % step == step - 1;
        body += feed ? '\n' : "\x0B\x09\x8A"[k % 3];
        feeds += feed ? 1U : 0U;
      }
      CAPTURE(len, step);
      CHECK(pass("<script>" + body + "</script>x") == "<script>" + std::string(feeds, '\n') + "</script>x");
      CHECK(pass("<b data-x='" + body + "'>y") == "<b" + std::string(feeds, '\n') + ">y");
    }
  }
}

TEST_CASE("raw text: start tags keep class, id, role, hidden and style, as written", "[unit][html]") {
  CHECK(pass("<a href=\"x>y\" class=c>t</a>") == "<a class=c>t</a>");
  CHECK(pass("<DIV CLASS=\"x\" Data-a=1 ROLE=nav onclick='f(\"<p>\")'>t</DIV>") == "<DIV CLASS=\"x\" ROLE=nav>t</DIV>");
  CHECK(pass("<p hidden>t</p>") == "<p hidden>t</p>");
  CHECK(pass("<div style = 'display:none' id = main>t</div>") == "<div style = 'display:none' id = main>t</div>");
  CHECK(pass("<img src=a.png alt=\"a > b\">") == "<img>");
  CHECK(pass("<p =x class=y>t</p>") == "<p class=y>t</p>");
  // End tags, doctypes, text with "<" stay as they are.
  CHECK(pass("<!DOCTYPE html><p>a < b</p >") == "<!DOCTYPE html><p>a < b</p >");
}

TEST_CASE("raw text: line feeds inside a tag stay, so later lines keep their numbers", "[unit][html]") {
  CHECK(pass("<img\nsrc=x\nalt=\"a\nb\">") == "<img\n\n\n>");
  CHECK(pass("<div\n  class=k\n  data-x=1>") == "<div class=k\n\n>");
  const std::string page = "<html><body>\n<a\nhref=\"/x\"\ntitle=\"t\">link</a>\n<p>para</p>\n</body></html>";
  const auto doc = dupstrip::html_to_text(page).value();
  REQUIRE(doc.blocks.size() == 2);
  CHECK(doc.blocks[1].source_line == 5);
}

TEST_CASE("raw text: a tag closed by a slash stays closed, a slash in a value does not close it", "[unit][html]") {
  CHECK(pass("<br/>") == "<br />");
  CHECK(pass("<div class=a />") == "<div class=a />");
  CHECK(pass("<a href=/x/>t</a>") == "<a>t</a>");
  CHECK(pass("<a href=\"/x/\" />") == "<a />");
}

TEST_CASE("raw text: the text model is the page's as written", "[unit][html]") {
  const std::string page =
      "<html><head><title>T</title><meta charset=utf-8><link rel=stylesheet href=a.css></head><body>"
      "<nav role=navigation data-track=\"1\"><ul><li><a href=/a title=\"A > B\">A</a></li></ul></nav>"
      "<div class=\"story main\" id=s1 data-x='{\"k\":\"<v>\"}'><h1 itemprop=headline>Head</h1>"
      "<p lang=en>One <a href='/b'>two</a> three.</p><p hidden>gone</p>"
      "<div style=\"display: none\">gone too</div><img src=x.png alt='pic'/></div></body></html>";
  const auto doc = dupstrip::html_to_text(page).value();
  CHECK(doc.text == "A\nHead\nOne two three.\n");
  REQUIRE(doc.blocks.size() == 3);
  CHECK((doc.blocks[0].context & dupstrip::in_nav) != 0);
  CHECK(doc.blocks[0].link_share == 255);
  CHECK(doc.blocks[1].tag == dupstrip::html_tag::h1);
  CHECK(doc.blocks[2].link_share > 0);
  CHECK(doc.blocks[2].link_share < 255);
  CHECK(doc.title == "T");
  // The element path holds the class and the id: the same page without other attributes has
  // the same paths.
  const std::string bare =
      "<html><head><title>T</title></head><body><nav role=navigation><ul><li><a>A</a></li></ul></nav>"
      "<div class=\"story main\" id=s1><h1>Head</h1><p>One <a>two</a> three.</p><p hidden>gone</p>"
      "<div style=\"display: none\">gone too</div><img/></div></body></html>";
  const auto b = dupstrip::html_to_text(bare).value();
  REQUIRE(b.blocks.size() == doc.blocks.size());
  for (std::size_t i = 0; i < b.blocks.size(); ++i) CHECK(b.blocks[i].path == doc.blocks[i].path);
}

#include <dupstrip/document.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace dupstrip;

TEST_CASE("split_lines keeps exact byte ranges for every line ending", "[unit][document]") {
  SECTION("LF, CRLF, lone CR and a missing final newline") {
    const std::string s = "a\nbb\r\nccc\rdd";
    const auto l = split_lines(s);
    REQUIRE(l.size() == 4);
    CHECK(l[0] == line_span{0, 1, 2});
    CHECK(l[1] == line_span{2, 4, 6});
    CHECK(l[2] == line_span{6, 9, 10});
    CHECK(l[3] == line_span{10, 12, 12});
  }
  SECTION("a BOM is not part of the first line") {
    const std::string s = "\xEF\xBB\xBFtitle\n";
    CHECK(bom_length(s) == 3);
    const auto l = split_lines(s);
    REQUIRE(l.size() == 1);
    CHECK(l[0] == line_span{3, 8, 9});
  }
  SECTION("empty input and blank lines") {
    CHECK(split_lines("").empty());
    const std::string s = "\n\r\n  \n";
    const auto l = split_lines(s);
    REQUIRE(l.size() == 3);
    for (const auto& x : l) CHECK(is_blank(s, x));
  }
  SECTION("the spans cover the input") {
    const std::string s = "x\r\n\ry\n\nz";
    const auto l = split_lines(s);
    std::uint32_t pos = 0;
    for (const auto& x : l) {
      CHECK(x.begin == pos);
      pos = x.next;
    }
    CHECK(pos == s.size());
  }
  SECTION("a 50 MB single line") {
    const std::string s(50u << 20, 'a');
    const auto l = split_lines(s);
    REQUIRE(l.size() == 1);
    CHECK(l[0].end == s.size());
  }
}

TEST_CASE("paragraphs are runs of non-blank lines", "[unit][document]") {
  const std::string s = "a\nb\n\nc\n \nd";
  const auto p = split_paragraphs(s, split_lines(s));
  REQUIRE(p.size() == 3);
  CHECK(p[0].first_line == 0);
  CHECK(p[0].last_line == 1);
  CHECK(s.substr(p[0].begin, p[0].end - p[0].begin) == "a\nb");
  CHECK(s.substr(p[2].begin, p[2].end - p[2].begin) == "d");
}

TEST_CASE("binary sniffing looks for NUL in the first bytes", "[unit][document]") {
  CHECK(looks_binary(std::string("ab\0c", 4)));
  CHECK_FALSE(looks_binary("plain text"));
  CHECK_FALSE(looks_binary(""));
  std::string late(10000, 'a');
  late[9000] = '\0';
  CHECK_FALSE(looks_binary(late, 8192));
}

// The per-document parts of the accuracy rules: article flow, own lists, furniture runs,
// in-page line repeats and template patterns (doc/algorithm.md, Part 3).
#include "dupstrip/article_flow.hpp"
#include "dupstrip/template_lines.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace dupstrip::detail;

namespace {

// A line of `tokens` tokens with exact key `exact` (0: a blank line).
line_fp line(std::uint32_t tokens, std::uint64_t exact = 1) {
  line_fp l;
  l.tokens = tokens;
  l.exact = exact;
  l.blank = tokens == 0;
  return l;
}

}  // namespace

TEST_CASE("article flow: a shared line near the page's own text is in flow", "[unit][flow]") {
  // own paragraph, byline (shared, 3), date (shared, 4), headline-like shared line, own paragraph
  const std::vector<line_fp> lines = {line(12, 11), line(3, 12), line(4, 13), line(8, 14), line(30, 15),
                                      line(6, 16),  line(6, 17),  line(6, 18), line(6, 19)};
  const std::vector<std::uint8_t> shared = {0, 1, 1, 1, 0, 1, 1, 1, 1};
  std::vector<std::uint8_t> in_flow;
  mark_article_flow(lines, shared, flow_options{10, 4, 20}, in_flow);
  CHECK(in_flow[0] == 0);  // unshared lines are never marked
  CHECK(in_flow[1] == 2);  // shorter than 4 tokens, right after an anchor
  CHECK(in_flow[2] == 1);  // 3 tokens away from the first anchor
  CHECK(in_flow[3] == 1);  // right before the second anchor
  CHECK(in_flow[5] == 1);  // 0 tokens after it
  CHECK(in_flow[6] == 1);  // 6 tokens after it
  CHECK(in_flow[7] == 1);  // 12
  CHECK(in_flow[8] == 1);  // 18
  std::vector<line_fp> longer = lines;
  longer.push_back(line(6, 20));
  std::vector<std::uint8_t> shared2 = shared;
  shared2.push_back(1);
  mark_article_flow(longer, shared2, flow_options{10, 4, 20}, in_flow);
  CHECK(in_flow[9] == 0);  // 24 tokens of shared lines in between: out of reach
  SECTION("a short shared line right next to the page's own text is marked 2") {
    const std::vector<line_fp> d = {line(1, 21), line(25, 22), line(1, 23), line(1, 24)};
    const std::vector<std::uint8_t> sh = {1, 0, 1, 1};
    mark_article_flow(d, sh, flow_options{10, 4, 20}, in_flow);
    CHECK(in_flow == std::vector<std::uint8_t>{2, 0, 2, 0});
  }
  SECTION("--flow-tokens 0 marks nothing") {
    mark_article_flow(lines, shared, flow_options{0, 4, 20}, in_flow);
    CHECK(in_flow == std::vector<std::uint8_t>(lines.size(), 0));
  }
}

TEST_CASE("own lists: a shared item between the page's own short lines", "[unit][flow]") {
  // "2 cups flour", "Salt" (shared), "1 egg"; then a paragraph, "Advertisement" (shared), a paragraph
  const std::vector<line_fp> lines = {line(3, 1), line(1, 2), line(2, 3), line(30, 4), line(1, 5), line(30, 6)};
  const std::vector<std::uint8_t> shared = {0, 1, 0, 0, 1, 0};
  std::vector<std::uint8_t> own;
  mark_own_lists(lines, shared, flow_options{}, own);
  CHECK(own[1] == 2);  // a list item of the page's own
  CHECK(own[4] == 1);  // isolated between paragraphs, but not a list item
  const std::vector<std::uint8_t> menu = {1, 1, 1, 0, 1, 0};
  mark_own_lists(lines, menu, flow_options{}, own);
  CHECK(own[1] == 0);  // next to other shared entries: a menu
}

TEST_CASE("furniture runs need two lines of the weak tier", "[unit][flow]") {
  const std::vector<line_fp> lines = {line(5, 1), line(5, 2), line(5, 3), line(20, 4), line(5, 5), line(5, 6),
                                      line(5, 7)};
  std::vector<std::uint8_t> in_run;
  mark_shared_runs(lines, std::vector<std::uint8_t>{3, 1, 3, 0, 1, 3, 1}, 3, 3, in_run);
  CHECK(in_run == std::vector<std::uint8_t>{1, 1, 1, 0, 0, 0, 0});
}

TEST_CASE("in-page line repeats: a block printed again in order, not data rows", "[unit][flow]") {
  std::vector<line_fp> lines = {line(1, 1), line(1, 2), line(1, 3), line(30, 9), line(1, 1), line(1, 2),
                                line(1, 3), line(30, 8), line(1, 3), line(1, 1)};
  const std::vector<std::uint8_t> skip(lines.size(), 0);
  std::vector<std::uint32_t> first;
  mark_line_repeats(lines, skip, 4, 2, first);
  const auto none = static_cast<std::uint32_t>(lines.size());
  CHECK(first == std::vector<std::uint32_t>{none, none, none, none, 0, 1, 2, none, none, none});
  // Lines holding numbers ("Pay April 15") are data, never a menu.
  for (line_fp& l : lines) l.numbers = 1;
  mark_line_repeats(lines, skip, 4, 2, first);
  CHECK(first == std::vector<std::uint32_t>(lines.size(), none));
}

TEST_CASE("flow tally: clusters in flow, and the same place on every page", "[unit][flow]") {
  const std::vector<line_fp> page = {line(3, 1), line(20, 2), line(5, 3)};
  const std::vector<std::uint8_t> in_flow = {0, 0, 1};
  flow_tally tally;
  for (int k = 0; k < 3; ++k) {
    tally.next_cluster();
    tally.add(page, in_flow, [](std::size_t i) { return std::vector<std::uint64_t>{i == 2 ? 77U : 0U}; });
  }
  const auto same = tally.finish();
  CHECK(flow_pages(same, 77) == flow_tally::same_place);
  flow_tally moved;
  moved.next_cluster();
  moved.add(page, in_flow, [](std::size_t i) { return std::vector<std::uint64_t>{i == 2 ? 77U : 0U}; });
  const std::vector<line_fp> other = {line(3, 1), line(5, 3), line(20, 2), line(9, 4)};
  moved.next_cluster();
  moved.add(other, std::vector<std::uint8_t>{0, 1, 0, 0},
            [](std::size_t i) { return std::vector<std::uint64_t>{i == 1 ? 77U : 0U}; });
  CHECK(flow_pages(moved.finish(), 77) == 2);
}

TEST_CASE("template patterns: fixed ends that carry a third of the line, or a label", "[unit][template]") {
  const std::vector<std::uint64_t> masked = {11, 12, 13, 14, 15, 16, 17, 18, 19};
  line_fp l;
  set_template_parts(masked.data(), 9, l);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> seen;
  for_each_pattern(l, [&](std::uint32_t a, std::uint32_t b, std::uint64_t) { seen.emplace_back(a, b); });
  REQUIRE(!seen.empty());
  CHECK(seen.front().first + seen.front().second == 6);  // most fixed tokens first
  for (const auto& [a, b] : seen) CHECK(3 * (a + b) >= 9);
  // 18 tokens at most: a longer line is a sentence of its own.
  const std::vector<std::uint64_t> long_line(19, 5);
  set_template_parts(long_line.data(), 19, l);
  CHECK(l.pattern_tokens == 0);
  // "Read more: <a title of eight words>": the label alone is a pattern.
  line_fp r;
  r.label = label_tokens("Read more: Lifeboat crew called out twice in one night");
  CHECK(r.label == 2);
  const std::vector<std::uint64_t> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  set_template_parts(ten.data(), 10, r);
  bool label = false;
  for_each_pattern(r, [&](std::uint32_t a, std::uint32_t b, std::uint64_t) { label = label || (a == 2 && b == 0); });
  CHECK(label);
  CHECK(label_tokens("Q: what did you see?") == 0);       // one word is not a label
  CHECK(label_tokens("No colon in this line at all") == 0);
}

TEST_CASE("template tally: distinct fillers, and patterns repeated inside a page do not count", "[unit][template]") {
  auto make = [](std::uint64_t filler, std::uint64_t key) {
    const std::vector<std::uint64_t> masked = {1, 2, filler, filler + 1, 3};  // "a b <x y> c"
    line_fp l;
    l.key = key;
    set_template_parts(masked.data(), 5, l);
    return l;
  };
  template_tally tally(3);
  std::vector<std::vector<line_fp>> docs;
  for (std::uint64_t d = 0; d < 4; ++d) docs.push_back({make(100 + 10 * d, 1000 + d)});
  docs.push_back({make(500, 2000), make(600, 2001)});  // the pattern twice inside one page
  for (const auto& d : docs) {
    tally.next_cluster();
    tally.add_parts(d);
  }
  tally.finish_parts();
  for (const auto& d : docs) {
    tally.next_cluster();
    tally.add_patterns(d);
  }
  const auto table = tally.finish();
  REQUIRE(!table.empty());
  std::vector<line_fp> page = {make(100, 1000)};
  mark_template_lines(page, table);
  CHECK(page[0].pattern != 0);
  CHECK(page[0].pages == 4);  // the fifth page's two copies are not evidence
  std::vector<line_fp> table_page = {make(500, 2000), make(600, 2001)};
  mark_template_lines(table_page, table);
  CHECK(table_page[0].pattern == 0);
  CHECK(table_page[1].pattern == 0);
}

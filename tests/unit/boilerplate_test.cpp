#include <dupstrip/boilerplate.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace dupstrip;

namespace {
std::vector<line_key> keys_of(const std::string& s) { return compute_line_keys(s, split_lines(s)); }
}  // namespace

TEST_CASE("line keys ignore changing numbers, case and punctuation", "[unit][boilerplate]") {
  const auto a = keys_of("Copyright 2024 Metro Herald. All rights reserved.\n12,345 people read this\n");
  const auto b = keys_of("copyright 2019 Metro Herald - all rights reserved\n99 people read this\n");
  CHECK(a[0].key == b[0].key);
  CHECK(a[1].key == b[1].key);
  CHECK(a[0].key != a[1].key);
  CHECK(keys_of("\n")[0].key == 0);
}

TEST_CASE("a line embedding another line of its page gets a page-independent masked key", "[unit][boilerplate]") {
  const auto a = keys_of("Ferry fares to rise in spring\nbody text here\n"
                         "This story, \xE2\x80\x9C" "Ferry fares to rise in spring\xE2\x80\x9D, first appeared on Harbour News.\n");
  const auto b = keys_of("Council approves new library building\nother body\n"
                         "This story, \"Council approves new library building\", first appeared on Harbour News.\n");
  CHECK(a[2].masked_key != 0);
  CHECK(a[2].masked_key == b[2].masked_key);
  CHECK(a[2].key != b[2].key);
  CHECK(a[0].masked_key == 0);  // the title itself is not masked
}

TEST_CASE("repeated runs: a body printed twice, but not short repeats", "[unit][boilerplate]") {
  const std::string body =
      "The harbour board voted to rebuild the northern pier before the first winter storms arrive.\n"
      "Engineers found that two oak piles under the landing stage had rotted right through.\n"
      "Work starts next month and the island ferry will use a temporary landing meanwhile.\n"
      "Fishermen asked for a written promise that berths are ready before the herring season.\n";
  SECTION("second copy found, first copy kept, a changed title line inside the gap") {
    const std::string s = "Title\n" + body + "Footer line\nFull story: Title\n" + body;
    const auto lines = split_lines(s);
    const auto runs = find_repeated_runs(s, lines);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].first >= 6);
    CHECK(runs[0].last == lines.size() - 1);
    CHECK(runs[0].repeated_tokens >= 40);
  }
  SECTION("a second copy with small edits is still found") {
    std::string edited = body;
    edited.replace(edited.find("oak"), 3, "elm");
    const std::string s = body + edited;
    const auto runs = find_repeated_runs(s, split_lines(s));
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].first == 4);
  }
  SECTION("Q: lines, separators and a three-word chorus survive") {
    const std::string s = "Q:\nWhat time is it now?\nA:\nLate.\n* * *\nQ:\nWhy?\n* * *\nla la la\nla la la\n";
    CHECK(find_repeated_runs(s, split_lines(s)).empty());
  }
  SECTION("min_tokens is honoured") {
    const std::string s = body + body;
    repeat_options o;
    o.min_tokens = 1000;
    CHECK(find_repeated_runs(s, split_lines(s), o).empty());
  }
}

TEST_CASE("records with recurring short fields are not a repeated run", "[unit][boilerplate]") {
  // Several funds, each with the same "Pay"/"Record" lines: repeats out of order, legitimate.
  std::string s = "Fund family declares dividends\n"
                  "The fund family said on Tuesday that its boards declared the following dividends for "
                  "shareholders of record, payable next month, and that rates were unchanged.\n";
  const char* const funds[] = {"ALPHA GROWTH FUND", "BETA INCOME FUND NATIONAL SERIES", "GAMMA TAX FREE FUND NY SERIES",
                               "DELTA TAX FREE FUND TEXAS SERIES", "EPSILON CALIFORNIA TAX FREE FUND"};
  for (const char* f : funds) s += std::string(f) + "\nDaily div 3 cts vs 3 cts prior\nPhoto: staff\nPay April 15\nRecord April 15\n";
  CHECK(find_repeated_runs(s, split_lines(s)).empty());
  // The same block printed twice is one run covering exactly the second copy.
  const std::size_t first_lines = split_lines(s).size();
  const std::string twice = s + s;
  const auto runs = find_repeated_runs(twice, split_lines(twice));
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].first == first_lines);
  CHECK(runs[0].last == 2 * first_lines - 1);
}

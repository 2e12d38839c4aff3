#include "dupstrip/scan.hpp"

#include <dupstrip/boilerplate.hpp>

#include <catch2/catch.hpp>
#include <algorithm>
#include <string_view>

#include <random>
#include <string>
#include <vector>

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

// The content step skips repeat detection for a document whose pass-1 search saw no line that
// could start a run (src/dupstrip/scan.hpp, find_runs): that is sound only if making lines
// absent never creates such a line. Random documents over a small vocabulary (so that lines
// recur and partly overlap) and random absent sets check it.
TEST_CASE("no run candidate in a document means none once lines are absent", "[unit][boilerplate]") {
  std::mt19937_64 rng(20261129);
  const std::vector<std::string> words = {"harbour", "pier", "ferry", "storm", "board", "winter",
                                          "landing", "oak",  "rot",   "berth", "herring", "season"};
  std::size_t with_candidates = 0;
  std::size_t without = 0;
  for (int doc = 0; doc < 300; ++doc) {
    std::string text;
    const std::size_t n_lines = 3 + rng() % 14;
    for (std::size_t l = 0; l < n_lines; ++l) {
      const std::size_t n_words = rng() % 9;
      for (std::size_t w = 0; w < n_words; ++w) text += words[rng() % (3 + static_cast<std::size_t>(doc) % 10)] + " ";
      text += "\n";
    }
    const std::vector<line_span> lines = split_lines(text);
    detail::scan_scratch s;
    std::vector<line_key> keys;
    detail::tokenize_lines(text, lines, utf8_policy::replace, s, keys);
    bool candidates = true;
    (void)detail::find_runs(s, keys, lines, text, repeat_options{}, nullptr, &candidates);
    if (candidates) {
      ++with_candidates;
      continue;
    }
    ++without;
    for (int trial = 0; trial < 8; ++trial) {
      std::vector<std::uint8_t> absent(lines.size());
      for (auto& a : absent) a = rng() % 3 == 0 ? 1 : 0;
      bool again = true;
      CHECK(detail::find_runs(s, keys, lines, text, repeat_options{}, &absent, &again).empty());
      CHECK_FALSE(again);
    }
  }
  // Both kinds occur, or the property was not exercised.
  CHECK(with_candidates > 20);
  CHECK(without > 20);
}

// In-page repeats that are structure, not a second printing (a list of similar items, a chorus,
// a caption quoting the lead). Under the old rule, a line "repeated" when half of its shingles
// occurred anywhere earlier, pooled over lines whose key words differ; each text below is shaped
// so that this pooling chained its lines into a run of 40+ tokens, while no line is a
// near-exact copy of one earlier line in a long enough passage.
namespace {

// Lines of `s` (0-based) inside some run returned by find_repeated_runs().
std::vector<std::size_t> lines_in_runs(const std::string& s) {
  std::vector<std::size_t> out;
  for (const repeated_run& r : find_repeated_runs(s, split_lines(s)))
    for (std::uint32_t l = r.first; l <= r.last; ++l) out.push_back(l);
  return out;
}

// Paragraphs flattened into one line, the way an aggregator prints a summary.
std::string flattened(const std::vector<std::string>& paras) {
  std::string blob;
  for (const std::string& p : paras) blob += (blob.empty() ? "" : " ") + p;
  return blob;
}

}  // namespace

TEST_CASE("structure that repeats words is not a second printing", "[unit][boilerplate]") {
  SECTION("two products with the same spec lines") {
    const std::string s =
        "Aurora Buds Two\n"
        "Charges quickly in the case\n"
        "Battery life on one charge is eight hours\n"
        "Noise cancelling strength can be set to three levels\n"
        "Silicone tips in the box come in small medium and large\n"
        "Number of phones it pairs with at the same time is two\n"
        "Water resistance rating for sweat and rain is good\n"
        "Aurora Buds Lite\n"
        "Charges quickly in the case\n"
        "Battery life on one charge is five hours\n"
        "Noise cancelling strength can be set to one level\n"
        "Silicone tips in the box come in small and medium\n"
        "Number of phones it pairs with at the same time is one\n"
        "Water resistance rating for sweat and rain is basic\n";
    CHECK(lines_in_runs(s).empty());
  }
  SECTION("a chorus sung three times between verses") {
    const std::string chorus =
        "So carry me home on the evening tide\n"
        "Carry me home where the gulls still cry\n"
        "Carry me home to the harbour light\n"
        "Carry me home before the night\n";
    const std::string s =
        "Down by the river where the rushes grow\n"
        "I met a sailor with a lantern glow\n"
        "He sang of islands far across the foam\n"
        "And every verse he ended with a song of home\n" +
        chorus +
        "Down by the river where the willows grow\n"
        "I met a farmer with a field to sow\n"
        "He sang of harvests and the loam\n"
        "And every verse he ended with a song of home\n" +
        chorus +
        "Down by the river where the alders grow\n"
        "I met a widow with a tale of woe\n"
        "She sang of sailors who had never come\n"
        "And every verse she ended with a song of home\n" +
        chorus;
    CHECK(lines_in_runs(s).empty());
  }
  SECTION("a poll of critics listed twice with different picks") {
    const std::string s =
        "Best film of the year\n"
        "Anna Berg of the Daily Star picks The Long Road\n"
        "Tom Hale of the Evening Post picks Quiet Harbour\n"
        "Rosa Lind of the Morning Ledger picks The Long Road\n"
        "Ivan Petrov of the City Courier picks Salt and Ash\n"
        "Mia Chen of the Weekly Review picks Quiet Harbour\n"
        "Best director of the year\n"
        "Anna Berg of the Daily Star picks Lena Holm\n"
        "Tom Hale of the Evening Post picks Marco Ruiz\n"
        "Rosa Lind of the Morning Ledger picks Lena Holm\n"
        "Ivan Petrov of the City Courier picks Omar Said\n"
        "Mia Chen of the Weekly Review picks Marco Ruiz\n";
    CHECK(lines_in_runs(s).empty());
  }
  SECTION("a recipe with plan A and plan B that differ in key words") {
    const std::string s =
        "Plan A: the classic sponge\n"
        "Whisk four eggs until pale and thick with the caster sugar\n"
        "Fold into the egg mixture with a metal spoon the plain flour\n"
        "Pour the batter into a tin lined with baking paper that is round\n"
        "Bake until golden and springy for about twenty minutes in a hot oven\n"
        "Leave it to cool on a wire rack and then dust it with icing sugar\n"
        "Plan B: the dairy free sponge\n"
        "Whisk four eggs until pale and thick with the brown sugar\n"
        "Fold into the egg mixture with a metal spoon the almond flour\n"
        "Pour the batter into a tin lined with baking paper that is square\n"
        "Bake until golden and springy for about twenty minutes in a fan oven\n"
        "Leave it to cool on a wire rack and then dust it with cocoa powder\n";
    CHECK(lines_in_runs(s).empty());
  }
  SECTION("a caption repeating the lead sentence") {
    const std::string lead_sentence =
        "The harbour board voted on Tuesday night to rebuild the northern pier before the first "
        "winter storms arrive on the island coast after years of dispute";
    const std::string s = "Pier to be rebuilt\n" + lead_sentence + "\n" + lead_sentence +
                          ", and work starts next month with a temporary landing at the old coal wharf for the ferry.\n"
                          "Engineers found two rotten oak piles under the landing stage.\n";
    CHECK(lines_in_runs(s).empty());
  }
  SECTION("a table whose rows share most words") {
    const std::string s =
        "Fares from 1 March\n"
        "Monthly pass on all city buses trams and ferries for adults\n"
        "Monthly pass on all city buses trams and ferries for students\n"
        "Monthly pass on all city buses trams and ferries for seniors\n"
        "Monthly pass on all city buses trams and ferries for children\n"
        "Monthly pass on all city buses trams and ferries for families\n"
        "Monthly pass on all city buses trams and ferries for visitors\n";
    CHECK(lines_in_runs(s).empty());
  }
}

TEST_CASE("second printings: an edited copy and a flattened copy", "[unit][boilerplate]") {
  const std::vector<std::string> paras = {
      "The harbour board voted on Tuesday night to rebuild the northern pier before the first winter storms "
      "arrive, ending a dispute that has run for three years.",
      "Engineers found that two oak piles under the landing stage had rotted right through, and the board "
      "was told the pier could not be repaired safely any longer.",
      "Work starts next month and the island ferry will use a temporary landing at the old coal wharf "
      "while the new pier is built.",
      "Fishermen asked for a written promise that their berths will be ready again before the herring "
      "season opens in late summer."};
  SECTION("a body printed twice with a one-word edit: the second copy goes") {
    std::string first = "Pier to be rebuilt\n";
    std::string second = "Read the full story\n";
    for (std::size_t p = 0; p < paras.size(); ++p) {
      first += paras[p] + "\n";
      std::string q = paras[p];
      if (p == 2) q.replace(q.find("coal"), 4, "salt");
      second += q + "\n";
    }
    const std::string s = first + second;
    const auto lines = split_lines(s);
    const auto runs = find_repeated_runs(s, lines);
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].first == 6);  // the changed title line stays, the edited paragraph goes
    CHECK(runs[0].last == lines.size() - 1);
  }
  SECTION("a flattened summary then the same text as paragraphs: the summary goes") {
    std::string s = "Pier to be rebuilt\n" + flattened(paras) + "\n";
    for (const std::string& p : paras) s += p + "\n";
    CHECK(lines_in_runs(s) == std::vector<std::size_t>{1});
  }
  SECTION("the same when the flattened copy comes last") {
    std::string s = "Pier to be rebuilt\n";
    for (const std::string& p : paras) s += p + "\n";
    s += flattened(paras) + "\n";
    CHECK(lines_in_runs(s) == std::vector<std::size_t>{5});
  }
}

TEST_CASE("boilerplate: the hash-only tokenisation matches tokenize() and masks ASCII-digit words",
          "[unit][boilerplate]") {
  const std::uint64_t number = dupstrip::token_hash("#");
  const std::vector<std::string> lines = {"Updated 2024-05-06 at 10:30 by Staff", "\xE6\x97\xA5\xE6\x9C\xAC 3 \xE4\xBA\xBA",
                                          "Share this story", "", "A4 B52 and 7 more", "Zo\xC3\xAB's caf\xC3\xA9"};
  for (const std::string& line : lines) {
    std::vector<dupstrip::token> tokens;
    dupstrip::tokenize(line, {}, tokens, dupstrip::utf8_policy::replace);
    std::vector<std::uint64_t> want_hashes;
    std::vector<std::uint64_t> want_masked;
    bool last_number = false;
    for (const dupstrip::token& t : tokens) {
      want_hashes.push_back(t.hash);
      const std::string_view s = std::string_view(line).substr(t.begin, t.end - t.begin);
      const bool digit = std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (t.kind == dupstrip::token_kind::word && digit) {
        if (!last_number) want_masked.push_back(number);
        last_number = true;
      } else {
        want_masked.push_back(t.hash);
        last_number = false;
      }
    }
    std::vector<std::uint64_t> hashes{42};  // appended to, not cleared
    std::vector<std::uint64_t> masked;
    dupstrip::detail::tokenize_hashes(line, {}, dupstrip::utf8_policy::replace, hashes, &masked, number);
    REQUIRE(hashes.size() == want_hashes.size() + 1);
    CHECK(hashes.front() == 42);
    CHECK(std::vector<std::uint64_t>(hashes.begin() + 1, hashes.end()) == want_hashes);
    CHECK(masked == want_masked);
  }
}

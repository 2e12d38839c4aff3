// Tests of tokenize(), normalize() and token_hash(): word boundaries, the character scripts,
// case and punctuation folding, digit masking, the three UTF-8 policies and exact byte offsets.
#include "dupstrip/unicode_tables.hpp"

#include <dupstrip/text.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using dupstrip::normalize_options;
using dupstrip::token;
using dupstrip::token_kind;
using dupstrip::utf8_policy;

std::vector<token> toks(std::string_view text, const normalize_options& o = {},
                        utf8_policy p = utf8_policy::replace) {
  std::vector<token> out;
  dupstrip::tokenize(text, o, out, p);
  return out;
}

/// The input bytes of each token.
std::vector<std::string> spans(std::string_view text, const normalize_options& o = {},
                               utf8_policy p = utf8_policy::replace) {
  std::vector<std::string> out;
  for (const token& t : toks(text, o, p)) out.emplace_back(text.substr(t.begin, t.end - t.begin));
  return out;
}

std::vector<std::uint64_t> hashes(std::string_view text, const normalize_options& o = {}) {
  std::vector<std::uint64_t> out;
  for (const token& t : toks(text, o)) out.push_back(t.hash);
  return out;
}

normalize_options masked() {
  normalize_options o;
  o.mask_digits = true;
  return o;
}

normalize_options raw_options() {
  normalize_options o;
  o.case_fold = false;
  o.fold_punctuation = false;
  return o;
}

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("text: empty and separator-only input give no tokens", "[unit][text]") {
  CHECK(toks("").empty());
  CHECK(toks("   \t\n\r ,.;:!?()[]{}<>\"/\\|@#$%^&*_+=~`").empty());
  CHECK(toks("- ' -- ''").empty());
  CHECK(dupstrip::normalize("", {}).empty());
  CHECK(dupstrip::normalize(" ... ", {}).empty());

  std::vector<token> out{token{1, 2, 3, token_kind::word}};
  dupstrip::tokenize("", {}, out);
  CHECK(out.size() == 1);  // `out` is appended to, never cleared
}

TEST_CASE("text: ASCII words and exact byte offsets", "[unit][text]") {
  const std::string_view s = "  Hello, world!  It's 42.";
  const auto t = toks(s);
  REQUIRE(t.size() == 4);
  CHECK((t[0].begin == 2 && t[0].end == 7));
  CHECK((t[1].begin == 9 && t[1].end == 14));
  CHECK((t[2].begin == 17 && t[2].end == 21));
  CHECK((t[3].begin == 22 && t[3].end == 24));
  for (const token& k : t) CHECK(k.kind == token_kind::word);
  CHECK(dupstrip::normalize(s, {}) == "hello world it's 42");
  CHECK(t[0].hash == dupstrip::token_hash("hello"));
  CHECK(t[3].hash == dupstrip::token_hash("42"));
  // tokens that end exactly at the end of the input, longer than the 8-byte SWAR block
  CHECK(spans("abcdefghijklmnopq") == strings{"abcdefghijklmnopq"});
  CHECK(spans("x abcdefgh") == strings{"x", "abcdefgh"});
  CHECK(spans("under_score") == strings{"under", "score"});
}

TEST_CASE("text: apostrophes and hyphens join two word characters only", "[unit][text]") {
  CHECK(spans("the company's well-known rock'n'roll") ==
        strings{"the", "company's", "well-known", "rock'n'roll"});
  CHECK(spans("'quoted' -dash- trailing' a--b a''b end-") ==
        strings{"quoted", "dash", "trailing", "a", "b", "a", "b", "end"});
  CHECK(spans("don\xE2\x80\x99t") == strings{"don\xE2\x80\x99t"});            // U+2019
  CHECK(spans("\xE2\x80\x98quoted\xE2\x80\x99") == strings{"quoted"});         // U+2018 ... U+2019
  CHECK(spans("co\xE2\x80\x90op x\xE2\x80\x91y") == strings{"co\xE2\x80\x90op", "x\xE2\x80\x91y"});
  CHECK(spans("1990\xE2\x80\x93" "2000") == strings{"1990\xE2\x80\x93" "2000"});  // en dash joins
  CHECK(spans("said\xE2\x80\x94then") == strings{"said", "then"});             // em dash separates
  CHECK(spans("caf\xC3\xA9-bar") == strings{"caf\xC3\xA9-bar"});                // non-ASCII neighbours
  CHECK(spans("a-\xE4\xB8\xAD") == strings{"a", "\xE4\xB8\xAD"});               // no joining to Han
}

TEST_CASE("text: punctuation folding", "[unit][text]") {
  CHECK(dupstrip::normalize("don\xE2\x80\x99t don\xE2\x80\x98t don\xCA\xBCt don't", {}) ==
        "don't don't don't don't");
  CHECK(dupstrip::normalize("co\xE2\x80\x90op co\xE2\x80\x91op co\xE2\x80\x92op co\xE2\x80\x93op "
                            "co\xE2\x88\x92op co-op",
                            {}) == "co-op co-op co-op co-op co-op co-op");
  CHECK(hashes("company\xE2\x80\x99s") == hashes("company's"));
  const normalize_options off = raw_options();
  CHECK(dupstrip::normalize("Don\xE2\x80\x99t", off) == "Don\xE2\x80\x99t");
}

TEST_CASE("text: case folding of each script", "[unit][text]") {
  const normalize_options on;
  CHECK(dupstrip::normalize("The THE tHe", on) == "the the the");
  CHECK(hashes("The") == hashes("the"));
  CHECK(hashes("The") == std::vector<std::uint64_t>{dupstrip::token_hash("the")});
  // a long ASCII token exercises the 8-byte lowering
  CHECK(dupstrip::normalize("INTERNATIONALIZATION", on) == "internationalization");
  // Latin-1: À..Þ except × (which is a separator anyway)
  CHECK(dupstrip::normalize("\xC3\x80\xC3\x89\xC3\x8E\xC3\x96\xC3\x98\xC3\x9E", on) ==
        "\xC3\xA0\xC3\xA9\xC3\xAE\xC3\xB6\xC3\xB8\xC3\xBE");
  CHECK(dupstrip::normalize("STRA\xC3\x9F" "E", on) == "stra\xC3\x9F" "e");  // ß stays (simple folding)
  // Latin Extended-A pairs: Ā Ł Ń Ŋ Ź Ž Œ, Ÿ -> ÿ, İ -> i, ſ -> s
  CHECK(dupstrip::normalize("\xC4\x80\xC5\x81\xC5\x83\xC5\x8A\xC5\xB9\xC5\xBD\xC5\x92", on) ==
        "\xC4\x81\xC5\x82\xC5\x84\xC5\x8B\xC5\xBA\xC5\xBE\xC5\x93");
  CHECK(dupstrip::normalize("\xC5\xB8 \xC4\xB0 \xC5\xBF", on) == "\xC3\xBF i s");
  // Greek: ΣΟΦΟΣ == σοφος (final sigma folds to σ), accented capitals Ά Έ Ώ, Ϊ
  CHECK(hashes("\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x9F\xCE\xA3") == hashes("\xCF\x83\xCE\xBF\xCF\x86\xCE\xBF\xCF\x82"));
  CHECK(dupstrip::normalize("\xCE\x86\xCE\x88\xCE\x8F\xCE\xAA", on) == "\xCE\xAC\xCE\xAD\xCF\x8E\xCF\x8A");
  // Cyrillic: ПРИВЕТ == привет, Ёлка (Ѐ..Џ range), Ѣ (pair range)
  CHECK(dupstrip::normalize("\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2", on) ==
        "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  CHECK(dupstrip::normalize("\xD0\x81\xD0\xBB\xD0\xBA\xD0\xB0 \xD0\x8F \xD1\xA2", on) ==
        "\xD1\x91\xD0\xBB\xD0\xBA\xD0\xB0 \xD1\x9F \xD1\xA3");
  // case_fold off keeps everything
  CHECK(dupstrip::normalize("The \xCE\xA3", raw_options()) == "The \xCE\xA3");
  CHECK(hashes("The", raw_options()) != hashes("the", raw_options()));
}

TEST_CASE("text: fold_case lowers its documented ranges and is idempotent", "[unit][text]") {
  using dupstrip::detail::fold_case;
  for (char32_t c = U'A'; c <= U'Z'; ++c) CHECK(fold_case(c) == c + 32);
  for (char32_t c = 0x410; c <= 0x42F; ++c) CHECK(fold_case(c) == c + 32);
  for (char32_t c = 0x400; c <= 0x40F; ++c) CHECK(fold_case(c) == c + 80);
  // Folding is idempotent, and lowercase letters are fixed points.
  for (char32_t c = 0; c < 0x600; ++c) CHECK(fold_case(fold_case(c)) == fold_case(c));
  CHECK(fold_case(0xD7) == 0xD7);
  CHECK(fold_case(0x3C2) == 0x3C3);
  CHECK(fold_case(0x4E2D) == 0x4E2D);
}

TEST_CASE("text: digit masking collapses runs of numbers", "[unit][text]") {
  const normalize_options m = masked();
  CHECK(hashes("\xC2\xA9 2024 Metro", m) == hashes("\xC2\xA9 2025 Metro", m));
  CHECK(hashes("12,345 people", m) == hashes("999 people", m));
  CHECK(hashes("12 345 people", m) == hashes("999 people", m));
  CHECK(hashes("on 2024-03-05 at", m) == hashes("on 7 at", m));
  CHECK(dupstrip::normalize("COVID-19 and mp3 files, 1.5 m", m) == "# and # files # m");

  const std::string_view s = "Tel 555 123 4567 now";
  const auto t = toks(s, m);
  REQUIRE(t.size() == 3);
  CHECK(t[1].kind == token_kind::number);
  CHECK(t[1].hash == dupstrip::token_hash("#"));
  CHECK(t[1].begin == 4);
  CHECK(t[1].end == 16);  // from the first digit run to the end of the last one

  // without masking, numbers are words
  const auto u = toks(s);
  REQUIRE(u.size() == 5);
  CHECK(u[1].kind == token_kind::word);
  CHECK(hashes("2024", {}) != hashes("2025", {}));

  // Unicode digits are masked too: Arabic-Indic, Devanagari, fullwidth, Thai
  CHECK(dupstrip::normalize("\xD9\xA1\xD9\xA2 \xE0\xA5\xA7 \xEF\xBC\x91\xEF\xBC\x92 x \xE0\xB9\x92", m) == "# x #");

  // a character token between numbers ends the run
  CHECK(dupstrip::normalize("2024\xE5\xB9\xB4" "3\xE6\x9C\x88", m) == "# \xE5\xB9\xB4 # \xE6\x9C\x88");

  // runs never merge into tokens appended by an earlier call
  std::vector<token> out;
  dupstrip::tokenize("1", m, out);
  dupstrip::tokenize("2", m, out);
  CHECK(out.size() == 2);
}

TEST_CASE("text: CJK, kana, Hangul and Thai are one token per character", "[unit][text]") {
  // 我爱北京
  const std::string_view zh = "\xE6\x88\x91\xE7\x88\xB1\xE5\x8C\x97\xE4\xBA\xAC";
  const auto t = toks(zh);
  REQUIRE(t.size() == 4);
  for (std::size_t i = 0; i < t.size(); ++i) {
    CHECK(t[i].kind == token_kind::character);
    CHECK(t[i].begin == 3 * i);
    CHECK(t[i].end == 3 * i + 3);
  }
  CHECK(t[0].hash == dupstrip::token_hash("\xE6\x88\x91"));
  // CJK punctuation separates: 你好，世界。
  CHECK(spans("\xE4\xBD\xA0\xE5\xA5\xBD\xEF\xBC\x8C\xE4\xB8\x96\xE7\x95\x8C\xE3\x80\x82") ==
        strings{"\xE4\xBD\xA0", "\xE5\xA5\xBD", "\xE4\xB8\x96", "\xE7\x95\x8C"});
  // mixed English and Chinese, no spaces: Hello世界ABC
  CHECK(dupstrip::normalize("Hello\xE4\xB8\x96\xE7\x95\x8C" "ABC", {}) == "hello \xE4\xB8\x96 \xE7\x95\x8C abc");
  // Japanese: ひらがな カタカナ (and halfwidth ｶﾅ), 々
  CHECK(spans("\xE3\x81\xB2\xE3\x82\x89 \xE3\x82\xAB\xE3\x82\xBF \xEF\xBD\xB6\xEF\xBE\x85 \xE4\xBA\xBA\xE3\x80\x85") ==
        strings{"\xE3\x81\xB2", "\xE3\x82\x89", "\xE3\x82\xAB", "\xE3\x82\xBF", "\xEF\xBD\xB6", "\xEF\xBE\x85",
                "\xE4\xBA\xBA", "\xE3\x80\x85"});
  // a combining voiced sound mark stays with its kana: か + U+3099
  CHECK(spans("\xE3\x81\x8B\xE3\x82\x99\xE3\x81\x8B") == strings{"\xE3\x81\x8B\xE3\x82\x99", "\xE3\x81\x8B"});
  // Hangul syllables: 한국
  CHECK(spans("\xED\x95\x9C\xEA\xB5\xAD") == strings{"\xED\x95\x9C", "\xEA\xB5\xAD"});
  // Thai: กิน = ก + ิ (combining vowel, stays attached) + น
  CHECK(spans("\xE0\xB8\x81\xE0\xB8\xB4\xE0\xB8\x99") == strings{"\xE0\xB8\x81\xE0\xB8\xB4", "\xE0\xB8\x99"});
  // Thai with a tone mark: น้ำ = น + ้ (mark) + ำ (a letter: its own token)
  CHECK(spans("\xE0\xB8\x99\xE0\xB9\x89\xE0\xB8\xB3") == strings{"\xE0\xB8\x99\xE0\xB9\x89", "\xE0\xB8\xB3"});
  // Han extension B (U+20000) and a compatibility ideograph (U+F900)
  CHECK(toks("\xF0\xA0\x80\x80\xEF\xA4\x80").size() == 2);
  // case folding never applies to character tokens; their text is their bytes
  CHECK(dupstrip::normalize(zh, {}) == "\xE6\x88\x91 \xE7\x88\xB1 \xE5\x8C\x97 \xE4\xBA\xAC");
}

TEST_CASE("text: separators outside ASCII", "[unit][text]") {
  // BOM, NBSP, ideographic space, general punctuation, emoji with VS16, arrows, private use
  CHECK(spans("\xEF\xBB\xBF" "a\xC2\xA0" "b\xE3\x80\x80" "c\xE2\x80\xA6" "d\xE2\x9D\xA4\xEF\xB8\x8F" "e"
              "\xF0\x9F\x98\x80" "f\xE2\x86\x92" "g\xEE\x80\x80" "h") ==
        strings{"a", "b", "c", "d", "e", "f", "g", "h"});
  CHECK(spans("\xEF\xBB\xBF" "BOM") == strings{"BOM"});
  // ª µ º are letters; × ÷ « » are not
  CHECK(spans("\xC2\xAA" "a 3\xC3\x97" "4 \xC2\xAB" "x\xC2\xBB") == strings{"\xC2\xAA" "a", "3", "4", "x"});
  // combining acute accent stays in the word: e + U+0301
  CHECK(spans("cafe\xCC\x81 ok") == strings{"cafe\xCC\x81", "ok"});
  // Greek, Cyrillic, Arabic, Devanagari words
  CHECK(spans("\xCE\xB1\xCE\xB2 \xD0\xB4\xD0\xB0 \xD8\xB3\xD9\x84\xD8\xA7\xD9\x85\xD8\x8C \xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87\xE0\xA5\xA4") ==
        strings{"\xCE\xB1\xCE\xB2", "\xD0\xB4\xD0\xB0", "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85",
                "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87"});
}

TEST_CASE("text: the three UTF-8 policies", "[unit][text]") {
  const std::string_view s = "ab\xFF" "cd \xE1\x80" "e \xC0\x80";
  SECTION("replace: each invalid subpart is a separator") {
    CHECK(spans(s, {}, utf8_policy::replace) == strings{"ab", "cd", "e"});
  }
  SECTION("strict tokenizes like replace") {
    CHECK(spans(s, {}, utf8_policy::strict) == strings{"ab", "cd", "e"});
  }
  SECTION("bytes: each invalid byte is a one-byte raw_byte token") {
    const auto t = toks(s, {}, utf8_policy::bytes);
    REQUIRE(t.size() == 8);
    const token_kind W = token_kind::word;
    const token_kind R = token_kind::raw_byte;
    const std::vector<token_kind> kinds{W, R, W, R, R, W, R, R};
    const std::vector<std::uint32_t> begins{0, 2, 3, 6, 7, 8, 10, 11};
    for (std::size_t i = 0; i < t.size(); ++i) {
      INFO("token " << i);
      CHECK(t[i].kind == kinds[i]);
      CHECK(t[i].begin == begins[i]);
      if (t[i].kind == R) {
        CHECK(t[i].end == t[i].begin + 1);
        CHECK(t[i].hash == dupstrip::token_hash(s.substr(t[i].begin, 1)));
      }
    }
    CHECK(t[1].hash == dupstrip::token_hash("\xFF"));
  }
  SECTION("a literal U+FFFD is a separator under every policy") {
    for (const auto p : {utf8_policy::replace, utf8_policy::strict, utf8_policy::bytes}) {
      CHECK(spans("a\xEF\xBF\xBD" "b", {}, p) == strings{"a", "b"});
    }
  }
  SECTION("a raw byte ends a run of masked numbers") {
    CHECK(toks("1\xFF" "2", masked(), utf8_policy::bytes).size() == 3);
    CHECK(toks("1\xFF" "2", masked(), utf8_policy::replace).size() == 1);
  }
}

TEST_CASE("text: normalize joins normalised tokens with single spaces", "[unit][text]") {
  CHECK(dupstrip::normalize("  The   Quick,\n\tbrown-FOX\xE2\x80\x99s  ", {}) == "the quick brown-fox's");
  CHECK(dupstrip::normalize("Call 555-1234 today", masked()) == "call # today");
  // normalize() and tokenize() agree token by token
  const std::string_view s = "\xC3\x89t\xC3\xA9 2024, \xE6\x88\x91 don\xE2\x80\x99t STOP";
  std::string joined;
  const std::string n = dupstrip::normalize(s, masked());
  const auto t = toks(s, masked());
  std::size_t pos = 0;
  for (const token& k : t) {
    const std::size_t sp = n.find(' ', pos);
    const std::string piece = n.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    CHECK(k.hash == dupstrip::token_hash(piece));
    pos = sp == std::string::npos ? n.size() : sp + 1;
  }
  CHECK(pos == n.size());
}

TEST_CASE("text: token_hash golden values", "[unit][text]") {
  // XXH3-64, seed 0, of the UTF-8 bytes. These values are persisted in every signature:
  // if one changes, bump signature_format_version (include/dupstrip/version.hpp.in).
  CHECK(dupstrip::token_hash("") == 0x2D06800538D394C2ULL);  // the published XXH3-64 of ""
  CHECK(dupstrip::token_hash("a") == 0xE6C632B61E964E1FULL);
  CHECK(dupstrip::token_hash("the") == 0xCB1283631CF33D7DULL);
  CHECK(dupstrip::token_hash("#") == 0x6A81AE5441D08140ULL);
  CHECK(dupstrip::token_hash("company's") == 0xB5812DABFB221126ULL);
  CHECK(dupstrip::token_hash("well-known") == 0x98C2930C5AB77BB5ULL);
  CHECK(dupstrip::token_hash("\xE6\x88\x91") == 0x7931193E731884C4ULL);  // 我
  // and through the tokenizer, with normalisation
  const auto t = toks("The Company\xE2\x80\x99s");
  REQUIRE(t.size() == 2);
  CHECK(t[0].hash == 0xCB1283631CF33D7DULL);
  CHECK(t[1].hash == 0xB5812DABFB221126ULL);
}

TEST_CASE("text: classification tables are consistent", "[unit][text]") {
  using dupstrip::detail::char_class;
  using dupstrip::detail::classify;
  // The tokenizer only looks for a combining mark after a character token when the next
  // bytes can start one: U+0E00..U+1FFF or U+3099..U+309A.
  for (char32_t cp = 0; cp < 0x110000; ++cp) {
    if (classify(cp) == char_class::char_mark) {
      INFO("U+" << std::hex << static_cast<std::uint32_t>(cp));
      CHECK(((cp >= 0x0E00 && cp <= 0x1FFF) || cp == 0x3099 || cp == 0x309A));
    }
  }
  CHECK(classify(0xFEFF) == char_class::separator);
  CHECK(classify(0xFFFD) == char_class::separator);
  CHECK(classify(0x4E2D) == char_class::character);
  CHECK(classify(0x00E9) == char_class::word);
  CHECK(classify(0x1F600) == char_class::separator);
  CHECK(classify(0x2A700) == char_class::character);
  CHECK(classify(0x10400) == char_class::word);  // Deseret: the general rule
}

TEST_CASE("text: a 50 MB single-line input", "[unit][text]") {
  SECTION("many tokens") {
    const std::string_view unit =
        "Internationalization-ready dolor CONSECTETUR-adipiscing-elit caf\xC3\xA9-cr\xC3\xA8me, 2024 ";
    const std::size_t reps = 50'000'000 / unit.size() + 1;
    std::string big;
    big.reserve(reps * unit.size());
    for (std::size_t i = 0; i < reps; ++i) big.append(unit);
    REQUIRE(big.size() >= 50'000'000);

    const auto per_unit = toks(unit);
    REQUIRE(per_unit.size() == 5);
    std::vector<token> out;
    out.reserve(reps * per_unit.size());
    const auto t0 = std::chrono::steady_clock::now();
    dupstrip::tokenize(big, {}, out);
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    UNSCOPED_INFO("tokenize: " << static_cast<double>(big.size()) / seconds / 1e6 << " MB/s on "
                               << big.size() << " bytes");
    REQUIRE(out.size() == reps * per_unit.size());
    CHECK(out.back().end == big.size() - 1);
    for (std::size_t i = 0; i < per_unit.size(); ++i) {
      const token& t = out[out.size() - per_unit.size() + i];
      CHECK(t.hash == per_unit[i].hash);
      CHECK(t.begin == (reps - 1) * unit.size() + per_unit[i].begin);
    }
  }
  SECTION("one 50 MB token") {
    std::string one(50'000'000, 'X');
    std::vector<token> out;
    dupstrip::tokenize(one, {}, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].begin == 0);
    CHECK(out[0].end == one.size());
    std::fill(one.begin(), one.end(), 'x');
    CHECK(out[0].hash == dupstrip::token_hash(one));
  }
}

TEST_CASE("text: random inputs give ordered, in-range tokens", "[unit][text]") {
  const std::uint64_t seed = Catch::rngSeed() != 0 ? Catch::rngSeed() : 0x746f6b656eULL;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  // an alphabet of interesting pieces, glued at random
  const std::vector<std::string> pieces = {
      "a", "Z", "7", " ", "-", "'", "\xE2\x80\x99", "\xE2\x80\x94", "\xC3\xA9", "\xC3\x89", "\xCE\xA3",
      "\xE6\x88\x91", "\xE0\xB8\x81", "\xE0\xB8\xB4", "\xE3\x82\x99", "\xFF", "\xE1\x80", "\xEF\xBB\xBF",
      "\xF0\x9F\x98\x80", ",", "ABCDEFGHIJ", "0123456789"};
  std::vector<token> out;
  for (int n = 0; n < 20000; ++n) {
    std::string s;
    const std::size_t len = rng() % 24;
    for (std::size_t k = 0; k < len; ++k) s += pieces[rng() % pieces.size()];
    INFO("case " << n);
    for (const auto p : {utf8_policy::replace, utf8_policy::bytes}) {
      for (const bool m : {false, true}) {
        normalize_options o;
        o.mask_digits = m;
        out.clear();
        dupstrip::tokenize(s, o, out, p);
        std::uint32_t prev_end = 0;
        for (const token& t : out) {
          REQUIRE(t.begin >= prev_end);
          REQUIRE(t.begin < t.end);
          REQUIRE(t.end <= s.size());
          prev_end = t.end;
        }
        if (p == utf8_policy::replace) {
          const std::string norm = dupstrip::normalize(s, o, p);
          REQUIRE(dupstrip::is_valid_utf8(norm));
          REQUIRE(std::count(norm.begin(), norm.end(), ' ') + (norm.empty() ? 0 : 1) ==
                  static_cast<std::ptrdiff_t>(out.size()));
        }
      }
    }
  }
}

TEST_CASE("decimal numbers are one token", "[unit][text]") {
  const dupstrip::normalize_options o{};
  CHECK(dupstrip::normalize("Revs 62.84 mln vs 12,345 in 1.2.3 end. 2, x", o) ==
        "revs 62.84 mln vs 12,345 in 1.2.3 end 2 x");
}

TEST_CASE("text: a token says whether it holds an ASCII digit", "[unit][text]") {
  const std::string text = "Route 66, the A4 and 1.3 million \xD9\xA3 km of road Zo\xC3\xAB B52s";
  const std::vector<token> t = toks(text);
  std::vector<std::string> with_digit;
  for (const token& k : t)
    if (k.ascii_digit) with_digit.emplace_back(text.substr(k.begin, k.end - k.begin));
  // An Arabic-Indic digit is a digit, but not an ASCII one.
  CHECK(with_digit == std::vector<std::string>{"66", "A4", "1.3", "B52s"});
  normalize_options masked;
  masked.mask_digits = true;
  for (const token& k : toks("in 2024 and 2025 or x", masked))
    CHECK(k.ascii_digit == (k.kind == token_kind::number));
}

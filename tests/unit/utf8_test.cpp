// Tests of check_utf8 / is_valid_utf8 / repair_utf8 and of the private decoder.
//
// The reference validator below shares no code with src/dupstrip/utf8.hpp: it encodes every
// Unicode scalar value with a naive encoder, keeps the set of well-formed sequences and the set
// of their proper prefixes, and reads input greedily against those sets. A maximal invalid
// subpart is then, by definition, the longest prefix of a well-formed sequence that is not
// itself complete (or a single byte). The fast validator must agree with it everywhere.
#include "dupstrip/utf8.hpp"

#include <dupstrip/text.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::string_literals;

// ---------------------------------------------------------------- reference validator

/// Packs up to 4 bytes and their count into one integer key.
std::uint64_t key_of(const unsigned char* p, std::size_t len) {
  std::uint64_t k = len;
  for (std::size_t i = 0; i < len; ++i) k = (k << 8) | p[i];
  return k;
}

/// Naive encoder: the bit layout of RFC 3629, section 3, spelled out.
std::vector<unsigned char> naive_encode(std::uint32_t cp) {
  if (cp <= 0x7F) return {static_cast<unsigned char>(cp)};
  if (cp <= 0x7FF) {
    return {static_cast<unsigned char>(0xC0 + cp / 64), static_cast<unsigned char>(0x80 + cp % 64)};
  }
  if (cp <= 0xFFFF) {
    return {static_cast<unsigned char>(0xE0 + cp / 4096), static_cast<unsigned char>(0x80 + cp / 64 % 64),
            static_cast<unsigned char>(0x80 + cp % 64)};
  }
  return {static_cast<unsigned char>(0xF0 + cp / 262144), static_cast<unsigned char>(0x80 + cp / 4096 % 64),
          static_cast<unsigned char>(0x80 + cp / 64 % 64), static_cast<unsigned char>(0x80 + cp % 64)};
}

struct reference_tables {
  std::vector<std::uint64_t> complete;  // every well-formed sequence
  std::vector<std::uint64_t> proper;    // every proper prefix of one
};

const reference_tables& tables() {
  static const reference_tables t = [] {
    reference_tables r;
    for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;  // surrogates are not scalar values
      const auto e = naive_encode(cp);
      r.complete.push_back(key_of(e.data(), e.size()));
      for (std::size_t len = 1; len < e.size(); ++len) r.proper.push_back(key_of(e.data(), len));
    }
    for (auto* v : {&r.complete, &r.proper}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    return r;
  }();
  return t;
}

bool contains(const std::vector<std::uint64_t>& v, std::uint64_t k) {
  return std::binary_search(v.begin(), v.end(), k);
}

/// One step of the reference: {length, valid}.
std::pair<std::size_t, bool> reference_step(const unsigned char* p, std::size_t avail) {
  const reference_tables& t = tables();
  std::size_t len = 0;
  for (std::size_t l = 1; l <= 4 && l <= avail; ++l) {
    const std::uint64_t k = key_of(p, l);
    if (contains(t.complete, k)) return {l, true};
    if (!contains(t.proper, k)) break;
    len = l;
  }
  return {std::max<std::size_t>(len, 1), false};
}

struct reference_result {
  dupstrip::utf8_status status;
  std::string repaired;
  std::vector<std::size_t> invalid_bytes;  // offsets of every byte of every invalid subpart
};

reference_result reference_check(std::string_view s) {
  reference_result r;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto [len, ok] = reference_step(p + i, s.size() - i);
    if (ok) {
      r.repaired.append(s.substr(i, len));
    } else {
      if (r.status.valid) r.status.first_error = i;
      r.status.valid = false;
      ++r.status.error_count;
      r.repaired += "\xEF\xBF\xBD";
      for (std::size_t k = i; k < i + len; ++k) r.invalid_bytes.push_back(k);
    }
    i += len;
  }
  return r;
}

/// Random strings that hit every class of error often: ASCII runs longer and shorter than 8,
/// valid sequences of every length, truncations and the bytes at the edges of Table 3-7.
std::string random_utf8ish(std::mt19937_64& rng) {
  static constexpr unsigned char edge[] = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                                           0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1,
                                           0xF3, 0xF4, 0xF5, 0xF7, 0xF8, 0xFE, 0xFF};
  std::string s;
  const std::size_t parts = rng() % 12;
  for (std::size_t part = 0; part < parts; ++part) {
    const std::uint64_t r = rng();
    switch (r % 6) {
      case 0: {  // ASCII run, 0..40 bytes
        const std::size_t len = (r >> 8) % 41;
        for (std::size_t k = 0; k < len; ++k) s.push_back(static_cast<char>(0x20 + (rng() % 95)));
        break;
      }
      case 1:
      case 2: {  // a valid (or, for surrogates, invalid) encoded code point, maybe truncated
        std::uint32_t cp = static_cast<std::uint32_t>((r >> 8) % 0x110000);
        if ((r >> 40) % 2 == 0) cp %= 0x10000;  // favour the BMP
        const auto e = naive_encode(cp);
        std::size_t len = e.size();
        if ((r >> 48) % 4 == 0 && len > 1) len = 1 + (r >> 50) % (len - 1);
        s.append(reinterpret_cast<const char*>(e.data()), len);
        break;
      }
      case 3:  // an edge byte
        s.push_back(static_cast<char>(edge[(r >> 8) % sizeof edge]));
        break;
      case 4:  // any high byte
        s.push_back(static_cast<char>(0x80 | ((r >> 8) & 0x7F)));
        break;
      default: {  // a lead byte followed by random continuation-ish bytes
        s.push_back(static_cast<char>(edge[(r >> 8) % sizeof edge]));
        const std::size_t len = (r >> 16) % 4;
        for (std::size_t k = 0; k < len; ++k) s.push_back(static_cast<char>(0x80 | (rng() & 0x3F)));
        break;
      }
    }
  }
  return s;
}

void require_matches_reference(std::string_view s) {
  const reference_result ref = reference_check(s);
  const dupstrip::utf8_status st = dupstrip::check_utf8(s);
  REQUIRE(st.valid == ref.status.valid);
  REQUIRE(st.error_count == ref.status.error_count);
  if (!st.valid) REQUIRE(st.first_error == ref.status.first_error);
  REQUIRE(dupstrip::is_valid_utf8(s) == ref.status.valid);
  REQUIRE(dupstrip::repair_utf8(s) == ref.repaired);
}

std::string hex(std::string_view s) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 15];
    out += ' ';
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- fixed cases

TEST_CASE("utf8: valid input", "[unit][utf8]") {
  for (const std::string& s : {""s, "abc"s, "caf\xC3\xA9"s, "\xE2\x82\xAC"s, "\xF0\x9F\x98\x80"s,
                              "\xE0\xA0\x80"s /* U+0800 */, "\xED\x9F\xBF"s /* U+D7FF */,
                              "\xEE\x80\x80"s /* U+E000 */, "\xEF\xBF\xBF"s /* U+FFFF */,
                              "\xF0\x90\x80\x80"s /* U+10000 */, "\xF4\x8F\xBF\xBF"s /* U+10FFFF */,
                              "\xEF\xBB\xBF"s "BOM"s, std::string(1, '\0')}) {
    INFO(hex(s));
    const auto st = dupstrip::check_utf8(s);
    CHECK(st.valid);
    CHECK(st.error_count == 0);
    CHECK(dupstrip::is_valid_utf8(s));
    CHECK(dupstrip::repair_utf8(s) == s);
  }
}

TEST_CASE("utf8: each class of invalid input", "[unit][utf8]") {
  struct invalid_case {
    const char* what;
    std::string bytes;
    std::size_t first_error;
    std::size_t errors;
    std::string repaired;
  };
  const std::string R = "\xEF\xBF\xBD";
  const std::vector<invalid_case> cases = {
      {"overlong 2-byte C0 80", "\xC0\x80", 0, 2, R + R},
      {"overlong 2-byte C1 BF", "\xC1\xBF", 0, 2, R + R},
      {"overlong 3-byte E0 80 80", "\xE0\x80\x80", 0, 3, R + R + R},
      {"overlong 3-byte E0 9F BF", "\xE0\x9F\xBF", 0, 3, R + R + R},
      {"overlong 4-byte F0 80 80 80", "\xF0\x80\x80\x80", 0, 4, R + R + R + R},
      {"overlong 4-byte F0 8F BF BF", "\xF0\x8F\xBF\xBF", 0, 4, R + R + R + R},
      {"surrogate ED A0 80", "\xED\xA0\x80", 0, 3, R + R + R},
      {"surrogate ED BF BF", "\xED\xBF\xBF", 0, 3, R + R + R},
      {"above U+10FFFF F4 90 80 80", "\xF4\x90\x80\x80", 0, 4, R + R + R + R},
      {"F5 lead", "\xF5\x80\x80\x80", 0, 4, R + R + R + R},
      {"FF byte", "a\xFFz", 1, 1, "a" + R + "z"},
      {"FE byte", "\xFE", 0, 1, R},
      {"stray continuation", "x\x80y", 1, 1, "x" + R + "y"},
      {"two stray continuations", "\xBF\xBF", 0, 2, R + R},
      {"truncated 2-byte at end", "ab\xC3", 2, 1, "ab" + R},
      {"truncated 3-byte then ASCII (E1 80 A)", "\xE1\x80" "A", 0, 1, R + "A"},
      {"truncated 4-byte at end", "ab\xF0\x9F\x98", 2, 1, "ab" + R},
      {"truncated 4-byte then a valid one", "\xF0\x9F\x98\xF0\x9F\x98\x80", 0, 1, R + "\xF0\x9F\x98\x80"},
      {"lead followed by lead", "\xC3\xC3\xA9", 0, 1, R + "\xC3\xA9"},
      // Unicode 15, section 3.9, Table 3-8: U+FFFD for maximal subparts.
      {"Table 3-8", "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 1, 6,
       "a" + R + R + R + "b" + R + "c" + R + R + "d"},
      {"error after the 8-byte fast path", "0123456789abcdefg\xC0", 17, 1, "0123456789abcdefg" + R},
      {"error inside the 8-byte block", "0123456\xFF" "89abcdef", 7, 1, "0123456" + R + "89abcdef"},
  };
  for (const invalid_case& c : cases) {
    INFO(c.what << ": " << hex(c.bytes));
    const auto st = dupstrip::check_utf8(c.bytes);
    CHECK_FALSE(st.valid);
    CHECK(st.first_error == c.first_error);
    CHECK(st.error_count == c.errors);
    CHECK_FALSE(dupstrip::is_valid_utf8(c.bytes));
    CHECK(dupstrip::repair_utf8(c.bytes) == c.repaired);
    CHECK(dupstrip::is_valid_utf8(dupstrip::repair_utf8(c.bytes)));
  }
}

TEST_CASE("utf8: decoder round-trips every scalar value", "[unit][utf8]") {
  char buf[4];
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const std::size_t len = dupstrip::detail::encode_utf8(static_cast<char32_t>(cp), buf);
    const auto e = naive_encode(cp);
    REQUIRE(std::string_view(buf, len) == std::string_view(reinterpret_cast<const char*>(e.data()), e.size()));
    const auto s = dupstrip::detail::decode_utf8(reinterpret_cast<const unsigned char*>(buf), len);
    REQUIRE(s.valid);
    REQUIRE(s.len == len);
    REQUIRE(static_cast<std::uint32_t>(s.cp) == cp);
  }
}

// ---------------------------------------------------------------- differential

TEST_CASE("utf8: every 1- and 2-byte string, and 3-byte strings from a multi-byte lead, match the reference",
          "[unit][utf8]") {
  std::string s;
  for (unsigned a = 0; a < 256; ++a) {
    s.assign(1, static_cast<char>(a));
    require_matches_reference(s);
    for (unsigned b = 0; b < 256; ++b) {
      s.assign({static_cast<char>(a), static_cast<char>(b)});
      require_matches_reference(s);
    }
  }
  for (unsigned a = 0xE0; a < 0x100; ++a) {
    for (unsigned b = 0x80; b < 0xC0; ++b) {
      for (unsigned c = 0; c < 256; c += 3) {  // every continuation byte class, plus neighbours
        s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
        require_matches_reference(s);
      }
    }
  }
}

TEST_CASE("utf8: fast validator agrees with the reference on random byte strings", "[unit][utf8]") {
  const std::uint64_t seed = Catch::rngSeed() != 0 ? Catch::rngSeed() : 0x75746638ULL;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  for (int n = 0; n < 100000; ++n) {
    const std::string s = random_utf8ish(rng);
    INFO("case " << n << ": " << hex(s));
    require_matches_reference(s);
  }
}

TEST_CASE("utf8: tokenize under utf8_policy::bytes emits exactly the invalid bytes as raw_byte tokens",
          "[unit][utf8]") {
  const std::uint64_t seed = Catch::rngSeed() != 0 ? Catch::rngSeed() : 0x62797465ULL;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  std::vector<dupstrip::token> toks;
  for (int n = 0; n < 20000; ++n) {
    const std::string s = random_utf8ish(rng);
    INFO("case " << n << ": " << hex(s));
    const reference_result ref = reference_check(s);
    toks.clear();
    dupstrip::tokenize(s, {}, toks, dupstrip::utf8_policy::bytes);
    std::vector<std::size_t> raw;
    for (const auto& t : toks) {
      if (t.kind != dupstrip::token_kind::raw_byte) continue;
      REQUIRE(t.end == t.begin + 1);
      REQUIRE(t.hash == dupstrip::token_hash(std::string_view(s).substr(t.begin, 1)));
      raw.push_back(t.begin);
    }
    REQUIRE(raw == ref.invalid_bytes);
  }
}

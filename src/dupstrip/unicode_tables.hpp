// Private character classification and case folding for the tokenizer (text.cpp).
//
// dupstrip does not need full Unicode properties: it needs a cheap, *stable* answer to "does
// this code point continue a word, stand alone as a character token, or separate tokens?".
// The answer is a short list of ranges (doc/algorithm.md, "Tokens"), compiled into a 64 KiB
// table for the BMP plus a few comparisons above it. The list IS the specification: changing
// a range changes token hashes, so it means bumping signature_format_version.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace dupstrip::detail {

/// Class of a code point for tokenisation.
enum class char_class : std::uint8_t {
  separator,   ///< white space, punctuation, symbols, U+FFFD, BOM...: ends a token
  word,        ///< letter or combining mark of a space-delimited script
  digit,       ///< a decimal digit (ASCII or a listed Nd range): a word character too
  character,   ///< Han, Kana, Hangul, Thai, Lao, Khmer, Myanmar: one token per character
  char_mark,   ///< combining mark of those scripts: extends the preceding character token
  apostrophe,  ///< ' U+2018 U+2019: joins two word characters, else separates
  hyphen       ///< - U+2010 U+2011 U+2012 U+2013 U+2212: joins two word characters, else separates
};

/// One classification range, inclusive.
struct class_range {
  char32_t first;
  char32_t last;
  char_class cls;
};

/// BMP classification, applied in order over a default of `word` (later entries win).
/// Keep in sync with doc/algorithm_text.md.
inline constexpr class_range bmp_ranges[] = {
    // ---- ASCII
    {0x0000, 0x002F, char_class::separator},
    {0x0027, 0x0027, char_class::apostrophe},
    {0x002D, 0x002D, char_class::hyphen},
    {0x0030, 0x0039, char_class::digit},
    {0x003A, 0x0040, char_class::separator},
    {0x005B, 0x0060, char_class::separator},
    {0x007B, 0x007F, char_class::separator},
    // ---- Latin-1: C1 controls, NBSP and the punctuation/symbols, except ª µ º; × ÷
    {0x0080, 0x00BF, char_class::separator},
    {0x00AA, 0x00AA, char_class::word},
    {0x00B5, 0x00B5, char_class::word},
    {0x00BA, 0x00BA, char_class::word},
    {0x00D7, 0x00D7, char_class::separator},
    {0x00F7, 0x00F7, char_class::separator},
    // ---- punctuation of other space-delimited scripts
    {0x037E, 0x037E, char_class::separator},  // Greek question mark
    {0x0387, 0x0387, char_class::separator},  // Greek ano teleia
    {0x055A, 0x055F, char_class::separator},  // Armenian punctuation
    {0x0589, 0x058A, char_class::separator},
    {0x058D, 0x058F, char_class::separator},
    {0x05BE, 0x05BE, char_class::separator},  // Hebrew maqaf
    {0x05C0, 0x05C0, char_class::separator},
    {0x05C3, 0x05C3, char_class::separator},
    {0x05C6, 0x05C6, char_class::separator},
    {0x05F3, 0x05F4, char_class::separator},
    {0x0600, 0x060F, char_class::separator},  // Arabic signs, comma, symbols
    {0x061B, 0x061B, char_class::separator},
    {0x061D, 0x061F, char_class::separator},
    {0x0660, 0x0669, char_class::digit},      // Arabic-Indic digits
    {0x066A, 0x066D, char_class::separator},
    {0x06D4, 0x06D4, char_class::separator},
    {0x06DE, 0x06DE, char_class::separator},
    {0x06E9, 0x06E9, char_class::separator},
    {0x06F0, 0x06F9, char_class::digit},      // Extended Arabic-Indic digits
    {0x0964, 0x0965, char_class::separator},  // danda, double danda
    {0x0966, 0x096F, char_class::digit},      // Devanagari digits
    {0x0970, 0x0970, char_class::separator},
    {0x09E6, 0x09EF, char_class::digit},      // Bengali
    {0x0A66, 0x0A6F, char_class::digit},      // Gurmukhi
    {0x0AE6, 0x0AEF, char_class::digit},      // Gujarati
    {0x0B66, 0x0B6F, char_class::digit},      // Oriya
    {0x0BE6, 0x0BEF, char_class::digit},      // Tamil
    {0x0C66, 0x0C6F, char_class::digit},      // Telugu
    {0x0CE6, 0x0CEF, char_class::digit},      // Kannada
    {0x0D66, 0x0D6F, char_class::digit},      // Malayalam
    // ---- Thai
    {0x0E00, 0x0E7F, char_class::character},
    {0x0E31, 0x0E31, char_class::char_mark},
    {0x0E34, 0x0E3A, char_class::char_mark},
    {0x0E3F, 0x0E3F, char_class::separator},  // Baht sign
    {0x0E47, 0x0E4E, char_class::char_mark},
    {0x0E4F, 0x0E4F, char_class::separator},
    {0x0E50, 0x0E59, char_class::digit},
    {0x0E5A, 0x0E5B, char_class::separator},
    // ---- Lao
    {0x0E80, 0x0EFF, char_class::character},
    {0x0EB1, 0x0EB1, char_class::char_mark},
    {0x0EB4, 0x0EBC, char_class::char_mark},
    {0x0EC8, 0x0ECE, char_class::char_mark},
    {0x0ED0, 0x0ED9, char_class::digit},
    // ---- Tibetan digits
    {0x0F20, 0x0F29, char_class::digit},
    // ---- Myanmar
    {0x1000, 0x109F, char_class::character},
    {0x102B, 0x103E, char_class::char_mark},
    {0x1040, 0x1049, char_class::digit},
    {0x104A, 0x104F, char_class::separator},
    {0x1056, 0x1059, char_class::char_mark},
    {0x105E, 0x1060, char_class::char_mark},
    {0x1062, 0x1064, char_class::char_mark},
    {0x1067, 0x106D, char_class::char_mark},
    {0x1071, 0x1074, char_class::char_mark},
    {0x1082, 0x108D, char_class::char_mark},
    {0x108F, 0x108F, char_class::char_mark},
    {0x1090, 0x1099, char_class::digit},
    {0x109A, 0x109D, char_class::char_mark},
    {0x10FB, 0x10FB, char_class::separator},  // Georgian paragraph separator
    // ---- Hangul Jamo
    {0x1100, 0x11FF, char_class::character},
    {0x1360, 0x1368, char_class::separator},  // Ethiopic punctuation
    {0x1680, 0x1680, char_class::separator},  // Ogham space mark
    // ---- Khmer
    {0x1780, 0x17FF, char_class::character},
    {0x17B4, 0x17D3, char_class::char_mark},
    {0x17D4, 0x17D6, char_class::separator},
    {0x17D8, 0x17DB, char_class::separator},
    {0x17DD, 0x17DD, char_class::char_mark},
    {0x17E0, 0x17E9, char_class::digit},
    {0x1800, 0x180A, char_class::separator},  // Mongolian punctuation
    {0x1810, 0x1819, char_class::digit},      // Mongolian digits
    {0x19E0, 0x19FF, char_class::separator},  // Khmer symbols
    // ---- General Punctuation (spaces, zero-width characters, quotes, dashes)
    {0x2000, 0x206F, char_class::separator},
    {0x2010, 0x2013, char_class::hyphen},
    {0x2018, 0x2019, char_class::apostrophe},
    // ---- currency, combining marks for symbols, letterlike symbols
    {0x20A0, 0x214F, char_class::separator},
    // ---- arrows, mathematical operators, technical, box drawing, shapes, dingbats, braille...
    {0x2190, 0x2BFF, char_class::separator},
    {0x2212, 0x2212, char_class::hyphen},  // minus sign
    {0x2E00, 0x2E7F, char_class::separator},  // Supplemental Punctuation
    {0x2E80, 0x2FDF, char_class::character},  // CJK and Kangxi radicals
    {0x2FE0, 0x303F, char_class::separator},  // ideographic description, CJK symbols/punctuation
    {0x3005, 0x3007, char_class::character},  // 々 〆 〇
    {0x3031, 0x3035, char_class::character},  // kana repeat marks
    {0x303B, 0x303C, char_class::character},
    {0x3040, 0x30FF, char_class::character},  // Hiragana, Katakana
    {0x3099, 0x309A, char_class::char_mark},  // combining (semi-)voiced sound marks
    {0x30A0, 0x30A0, char_class::separator},  // ゠
    {0x30FB, 0x30FB, char_class::separator},  // ・
    {0x3130, 0x318F, char_class::character},  // Hangul Compatibility Jamo
    {0x31C0, 0x31EF, char_class::separator},  // CJK strokes
    {0x31F0, 0x31FF, char_class::character},  // Katakana Phonetic Extensions
    {0x3200, 0x33FF, char_class::separator},  // enclosed CJK, CJK compatibility (㈱ ㎡)
    {0x3400, 0x4DBF, char_class::character},  // CJK Extension A
    {0x4DC0, 0x4DFF, char_class::separator},  // Yijing hexagrams
    {0x4E00, 0x9FFF, char_class::character},  // CJK Unified Ideographs
    {0xA960, 0xA97F, char_class::character},  // Hangul Jamo Extended-A
    {0xA9E0, 0xA9FF, char_class::character},  // Myanmar Extended-B
    {0xAA60, 0xAA7F, char_class::character},  // Myanmar Extended-A
    {0xAC00, 0xD7FF, char_class::character},  // Hangul Syllables, Jamo Extended-B
    {0xD800, 0xF8FF, char_class::separator},  // surrogates (unreachable), Private Use Area
    {0xF900, 0xFAFF, char_class::character},  // CJK Compatibility Ideographs
    {0xFD3E, 0xFD3F, char_class::separator},
    {0xFDFC, 0xFDFD, char_class::separator},
    {0xFE00, 0xFE1F, char_class::separator},  // variation selectors, vertical forms
    {0xFE30, 0xFE6F, char_class::separator},  // CJK compatibility forms, small form variants
    {0xFEFF, 0xFEFF, char_class::separator},  // BOM / zero width no-break space
    {0xFF00, 0xFF0F, char_class::separator},  // fullwidth punctuation
    {0xFF10, 0xFF19, char_class::digit},      // fullwidth digits
    {0xFF1A, 0xFF20, char_class::separator},
    {0xFF3B, 0xFF40, char_class::separator},
    {0xFF5B, 0xFF65, char_class::separator},
    {0xFF66, 0xFFDC, char_class::character},  // halfwidth Katakana and Hangul
    {0xFFDD, 0xFFFF, char_class::separator},  // fullwidth symbols, specials, U+FFFD
};

/// Supplementary planes, checked in order; anything not listed is `word`.
inline constexpr class_range supplementary_ranges[] = {
    {0x1AFF0, 0x1B16F, char_class::character},  // Kana Extended-B, Supplement, Extended-A
    {0x1F000, 0x1FBFF, char_class::separator},  // emoji, pictographs, game symbols, ...
    {0x20000, 0x3FFFF, char_class::character},  // CJK Extensions B..H, compatibility supplement
    {0xE0000, 0xE0FFF, char_class::separator},  // tags, variation selectors supplement
    {0xF0000, 0x10FFFF, char_class::separator}, // supplementary private use areas
};

namespace table_detail {
constexpr std::array<char_class, 0x10000> make_bmp_table() {
  std::array<char_class, 0x10000> t{};
  for (auto& c : t) c = char_class::word;
  for (const class_range& r : bmp_ranges) {
    for (auto cp = static_cast<std::uint32_t>(r.first); cp <= static_cast<std::uint32_t>(r.last); ++cp) {
      t[cp] = r.cls;
    }
  }
  return t;
}
}  // namespace table_detail

/// Class of every BMP code point.
inline constexpr std::array<char_class, 0x10000> bmp_class_table = table_detail::make_bmp_table();

/// Class of any code point (U+0000..U+10FFFF).
[[nodiscard]] inline char_class classify(char32_t cp) noexcept {
  if (cp < 0x10000) return bmp_class_table[cp];
  for (const class_range& r : supplementary_ranges) {
    if (cp < r.first) break;
    if (cp <= r.last) return r.cls;
  }
  return char_class::word;
}

/// Simple case folding of the scripts dupstrip folds (doc/algorithm_text.md): ASCII,
/// Latin-1, Latin Extended-A, Greek and Cyrillic. Other code points map to themselves.
[[nodiscard]] constexpr char32_t fold_case(char32_t cp) noexcept {
  if (cp < 0x80) return (cp >= U'A' && cp <= U'Z') ? cp + 32 : cp;
  if (cp < 0x100) return (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ? cp + 32 : cp;
  if (cp < 0x180) {  // Latin Extended-A: upper/lower pairs
    if (cp <= 0x12F || (cp >= 0x132 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177)) {
      return (cp % 2 == 0) ? cp + 1 : cp;
    }
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) return (cp % 2 == 1) ? cp + 1 : cp;
    if (cp == 0x130) return U'i';   // İ -> i (simple lowercase mapping)
    if (cp == 0x178) return 0xFF;   // Ÿ -> ÿ
    if (cp == 0x17F) return U's';   // ſ -> s
    return cp;
  }
  if (cp < 0x370) return cp;
  if (cp < 0x400) {  // Greek
    if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;  // Α..Ω, Ϊ, Ϋ
    if (cp == 0x3C2) return 0x3C3;                                   // ς -> σ
    if (cp == 0x386) return 0x3AC;                                   // Ά
    if (cp >= 0x388 && cp <= 0x38A) return cp + 37;                  // Έ Ή Ί
    if (cp == 0x38C) return 0x3CC;                                   // Ό
    if (cp == 0x38E || cp == 0x38F) return cp + 63;                  // Ύ Ώ
    return cp;
  }
  if (cp < 0x530) {  // Cyrillic and Cyrillic Supplement
    if (cp <= 0x40F) return cp + 80;                     // Ѐ..Џ -> ѐ..џ
    if (cp <= 0x42F) return cp + 32;                     // А..Я -> а..я
    if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) || (cp >= 0x4D0 && cp <= 0x52F)) {
      return (cp % 2 == 0) ? cp + 1 : cp;
    }
    if (cp == 0x4C0) return 0x4CF;                       // Ӏ -> ӏ
    if (cp >= 0x4C1 && cp <= 0x4CE) return (cp % 2 == 1) ? cp + 1 : cp;
    return cp;
  }
  return cp;
}

}  // namespace dupstrip::detail

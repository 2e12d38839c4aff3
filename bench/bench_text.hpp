// Deterministic benchmark text: English-like prose from a small invented-plus-function-word
// vocabulary with a skewed word frequency, and Chinese-like text from common-block ideographs.
// Sizes are parameters; nothing is read from disk.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace dupstrip_bench {

inline std::string english_text(std::size_t bytes, std::uint64_t seed = 1) {
  static const char* const common[] = {"the", "of", "and", "to", "in", "a", "said", "for", "on", "that", "is",
                                       "was", "with", "by", "it", "at", "from", "as", "its", "be", "has",
                                       "company", "market", "year", "would", "percent", "billion", "shares"};
  static const char* const syll[] = {"ra", "mon", "tel", "vi", "sor", "an", "quel", "di", "ber", "tos", "ka", "lin"};
  std::mt19937_64 rng(seed);
  std::string s;
  s.reserve(bytes + 64);
  std::size_t words_in_line = 0;
  while (s.size() < bytes) {
    const std::uint64_t r = rng() % 100;
    if (r < 45) {
      s += common[rng() % (sizeof common / sizeof *common)];
    } else {
      const std::uint64_t n = 1 + rng() % 3;
      for (std::uint64_t i = 0; i < n; ++i) s += syll[rng() % 12];
    }
    if (rng() % 17 == 0) s += ',';
    ++words_in_line;
    if (words_in_line > 40 + rng() % 40) {
      s += ".\n";
      words_in_line = 0;
    } else {
      s += ' ';
    }
  }
  return s;
}

inline std::string chinese_text(std::size_t bytes, std::uint64_t seed = 2) {
  std::mt19937_64 rng(seed);
  std::string s;
  s.reserve(bytes + 8);
  std::size_t n = 0;
  while (s.size() < bytes) {
    const std::uint64_t r = rng() % 3000;
    const auto cp = static_cast<std::uint32_t>(0x4E00 + (r * r) / 3000);
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
    if (++n % 60 == 0) s += "\xE3\x80\x82\n";
  }
  return s;
}

}  // namespace dupstrip_bench

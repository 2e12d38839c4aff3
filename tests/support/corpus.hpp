// Seeded generator of scraped-looking sites with ground truth, for end-to-end and quality
// tests (STYLE.md §7 "Corpus generator"). Everything is determined by (params, seed); the
// vocabulary is made of invented syllables, so no real text is involved.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace dupstrip_test {

/// A temporary folder removed at the end of the scope.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void write_text(const std::filesystem::path& p, const std::string& text);
[[nodiscard]] std::string read_text(const std::filesystem::path& p);

struct corpus_params {
  int sites = 3;
  int articles_per_site = 30;
  double p_repeat = 0.25;     ///< page prints its body twice
  double p_syndicate = 0.2;   ///< article re-published on another site with edits
  double p_exact = 0.05;      ///< page stored twice byte for byte
  double edit_rate = 0.05;    ///< word edit rate of a syndicated copy
  bool chinese = false;       ///< bodies in (random) Chinese characters
  int paragraph_factor = 1;   ///< articles have this many times the paragraphs (longer pages)
};

struct generated_corpus {
  std::map<std::string, std::string> pages;  ///< relative path -> page text
  std::map<std::string, std::string> gold;   ///< relative path -> expected cleaned body
  std::map<std::string, int> cluster;        ///< relative path -> article id
};

/// Generates a corpus. Each site has its own header, footer, disclaimer, copyright line with a
/// changing year, a view counter, teaser lines between paragraphs and an attribution line that
/// embeds the page's title.
[[nodiscard]] generated_corpus generate_corpus(const corpus_params& params, std::uint64_t seed);

void write_corpus(const std::filesystem::path& root, const generated_corpus& c);

struct quality {
  double line_precision = 0;
  double line_recall = 0;
  double dup_precision = 0;
  double dup_recall = 0;
};

/// Scores a cleaned folder against the gold (same definitions as the project's quality CSV:
/// multiset line precision/recall over kept pages; duplicate precision/recall over clusters).
[[nodiscard]] quality score(const std::filesystem::path& out, const generated_corpus& c);

/// A deterministic integer in [0, n) (no std::uniform_int_distribution: its output is not
/// pinned by the standard).
inline std::uint64_t pick(std::mt19937_64& rng, std::uint64_t n) { return rng() % n; }
inline double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace dupstrip_test

// A synthetic run for the review at any scale: a JSONL input and the report a run over it
// could have written (doc/json.md), consistent with each other (every removed range is a line
// of the record's text, with the evidence of its reason), without running the pipeline. Used
// by the review's scale test and by bench/review_scale.sh for a million documents. Everything
// is determined by the parameters; the words are invented.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace dupstrip_test {

struct review_corpus_params {
  std::size_t documents = 1000;
  std::size_t pages_per_site = 500;  ///< sites = documents / this (at least 1)
  std::uint64_t seed = 1;
  bool hostile = false;  ///< the first documents hold markup, a javascript: URL, U+202E...
};

struct review_corpus_stats {
  std::uint64_t input_bytes = 0;
  std::uint64_t report_bytes = 0;
  std::size_t kept = 0, dropped = 0, rails = 0, clusters = 0, sites = 0;
};

/// Writes `input` (JSONL records {"id", "url", "text"}; a run reads them with
/// `--group-field url`) and `report`.
review_corpus_stats write_review_corpus(const std::filesystem::path& input, const std::filesystem::path& report,
                                        const review_corpus_params& params);

}  // namespace dupstrip_test

// Internal: one write_review() call. review.cpp reads the report (the pass that counts and
// chooses) and writes the summary; review_pages.cpp writes the sites, clusters, diffs and
// document pages. Everything here is bounded by the options except the per-document and
// per-cluster references (24 and 40 bytes) and the per-site counters.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dupstrip/review_internal.hpp"

namespace dupstrip::detail::review {

inline constexpr std::size_t histogram_bins = 20;
inline constexpr std::size_t name_cut = 120;  // bytes of a name shown in tables and titles
inline constexpr std::size_t line_cut = 300;  // bytes of a boilerplate line shown

/// Counts of one site (group), or of the whole run.
struct tally {
  std::uint64_t pages = 0, kept = 0, dropped = 0, skipped = 0, rails = 0;
  std::uint64_t bytes = 0;                                  // input bytes of every page
  std::uint64_t kept_in = 0;                                // input bytes of kept pages
  std::uint64_t stripped = 0;                               // bytes stripped from kept pages
  std::array<std::uint64_t, reason_count> reason_bytes{};   // of kept pages
  std::array<std::uint64_t, reason_count> reason_ranges{};  // of kept pages
};

struct site_stats {
  std::string name;
  tally t;
  // Pages of the site with boilerplate, corpus or template removals, of smallest sample key:
  // (key, record offset), a max-heap of at most review_options::pages_per_site.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> picks;
};

struct doc_ref {
  std::uint64_t name_hash;
  std::uint64_t offset;  // of its record in the report
};

struct cluster_ref {
  std::uint64_t offset;
  double least;  // smallest similarity of a dropped member
  std::uint64_t members;
  std::size_t ordinal;  // position among the cluster records
};

/// A document whose text is shown.
struct shown_doc {
  doc_record rec;
  review_pick why = review_pick::sample;
  std::string file;
};

/// A document's text read from the input for a page.
struct text_read {
  bool ok = false;  // text holds what the report describes
  std::string text;
  std::string problem;  // why not, in words
};

class review_run {
 public:
  review_run(const std::filesystem::path& report, const document_source* input, const review_options& options,
             const std::filesystem::path& dir);

  /// The pass over the report: counts, choices, references.
  void scan();
  /// Every page, into dir.
  void write_pages();

  review_result result;

  // review.cpp
  void write_index();
  void write_file(const std::string& name, std::string_view bytes);
  /// The `doc` record named `name` (report order: the first), when the report has one.
  std::optional<doc_record> find_doc(std::string_view name);
  doc_record doc_at(std::uint64_t offset);
  cluster_record cluster_at(std::uint64_t offset);
  text_read read_text(const doc_record& d);

  // review_pages.cpp
  void choose_docs();
  void write_sites();
  void write_site_page(const site_stats& s, const std::string& file, std::size_t rank);
  void write_clusters();
  void write_docs();
  void write_doc_page(std::size_t k);

  const document_source* input_;
  review_options o_;
  std::filesystem::path dir_;
  report_file file_;
  record_parser parser_;

  plain_record begin_, summary_;
  bool has_begin_ = false, has_summary_ = false;
  tally all_;
  std::vector<std::uint64_t> histogram_ = std::vector<std::uint64_t>(histogram_bins, 0);
  std::vector<site_stats> sites_;
  std::unordered_map<std::string, std::size_t> site_index_;
  std::vector<doc_ref> docs_;               // report order, then sorted by (hash, offset) after the pass
  std::vector<std::uint64_t> doc_offsets_;  // report order
  std::vector<cluster_ref> clusters_;
  review_selector selector_;

  // Decided while writing.
  std::vector<std::size_t> site_order_;            // listed sites, largest first
  std::map<std::size_t, std::string> site_files_;  // site index -> its page
  std::vector<shown_doc> shown_;
  std::unordered_map<std::string, std::string> shown_file_;  // document name -> its page
  std::unordered_map<std::string, std::string> diff_file_;   // dropped copy's name -> its diff page
  std::size_t clusters_listed_ = 0;
  std::array<std::uint64_t, reason_count> shown_lines_{};  // non-blank lines removed, documents shown
  std::size_t shown_with_text_ = 0;
  std::unordered_map<std::string_view, std::size_t> input_names_;  // built on first need
  bool input_names_built_ = false;
};

}  // namespace dupstrip::detail::review

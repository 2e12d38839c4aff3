// Internal: the pieces of the review site (review.hpp) shared by its source files.
//   review_report.cpp   reading the report: lines, records (simdjson), a compressed report
//   review_select.cpp   escaping, pagination, the choice of documents, page chrome
//   review_diff.cpp     line and word diffs of a dropped copy against its kept copy
//   review_charts.cpp   the SVG charts of the summary
//   review_text.cpp     a document's text with its removed ranges marked, evidence, site lines
//   review.cpp          write_review(): the passes, the tables and the files
//   review_assets.cpp   the style sheet and the script
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dupstrip/io.hpp"
#include "dupstrip/review.hpp"
#include "dupstrip/spill.hpp"

namespace dupstrip::detail::review {

// ------------------------------------------------------------------ the report's records

/// The reasons of doc/json.md, and `other` for a reason this version does not know (a reader
/// must treat it as a removal all the same).
enum class reason : std::uint8_t {
  boilerplate,
  corpus,
  template_line,
  repeat,
  line_repeat,
  links,
  outside_main,
  other
};
inline constexpr std::size_t reason_count = 8;

/// "boilerplate", "template"... as in the report ("other" for an unknown reason).
const char* reason_key(reason r) noexcept;
/// A short label for people: "Boilerplate", "Template line"...
const char* reason_label(reason r) noexcept;
/// The two-letter tag shown on each marked range and in the legend.
const char* reason_tag(reason r) noexcept;
/// The reason named `key` in a report.
reason reason_of(std::string_view key) noexcept;

/// One element of `removed`.
struct removed_range {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  reason why = reason::other;
  std::string other;              // the reason's name when `why` is other
  std::uint64_t pages = 0;        // boilerplate, template: pages; corpus: sites
  std::uint64_t group_pages = 0;  // boilerplate, template: pages of the group; corpus: run_sites
  std::uint32_t prefix_tokens = 0;
  std::uint32_t suffix_tokens = 0;
  std::uint64_t first_copy_at = 0;
  double link_share = -1;         // < 0: absent
  std::uint8_t part = 0;          // outside_main: 0 outside the container, 1 a figure, 2 a collection
  std::uint64_t source_line = 0;  // 0: absent
};

enum class doc_state : std::uint8_t { kept, dropped, skipped };

/// A `doc` record.
struct doc_record {
  std::string path;
  std::string group;
  std::uint64_t index = 0;
  bool has_index = false;
  doc_state status = doc_state::kept;
  std::uint64_t bytes = 0;
  std::uint64_t kept_bytes = 0;
  std::uint64_t stripped_bytes = 0;
  std::uint64_t content_tokens = 0;
  std::string cluster;
  std::string duplicate_of;
  double similarity = 0;
  std::uint64_t utf8_replacements = 0;
  bool safety_rail = false;
  std::string skip_reason;
  std::vector<removed_range> removed;
  void clear();
};

/// A `cluster` record.
struct cluster_record {
  std::string id;
  std::string kept;
  std::vector<std::pair<std::string, double>> members;  // the kept copy first
};

/// A record of another type, `begin` and `summary`: its scalar members, each as text (a
/// string's value, or a number's or literal's JSON), in order; nested objects flattened as
/// "options.threshold".
struct plain_record {
  std::vector<std::pair<std::string, std::string>> fields;
  [[nodiscard]] const std::string* find(std::string_view key) const;
};

enum class record_type : std::uint8_t { begin, doc, cluster, summary, unknown };

/// Parses report lines (simdjson On-Demand). One per thread; keeps its buffers between lines.
class record_parser {
 public:
  record_parser();
  ~record_parser();
  record_parser(const record_parser&) = delete;
  record_parser& operator=(const record_parser&) = delete;
  /// The record type of `line` (padded: `readable` bytes from its start can be read, at least
  /// 64 more than the line), filling the matching record. @throws review_error naming
  /// "file:line_no" when the line is not a record of the report.
  record_type parse(std::string_view line, std::size_t readable, std::string_view file, std::uint64_t line_no,
                    doc_record& doc, cluster_record& cluster, plain_record& plain);
  /// parse() of an unpadded line (copied first).
  record_type parse_copy(std::string_view line, std::string_view file, std::uint64_t line_no, doc_record& doc,
                         cluster_record& cluster, plain_record& plain);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The report file, read line by line once, then by offset. A compressed report is
/// decompressed into an anonymous temporary file during the pass.
class report_file {
 public:
  /// @throws review_error when the file cannot be opened
  report_file(const std::filesystem::path& path, const std::string& temp_dir);
  ~report_file();
  report_file(const report_file&) = delete;
  report_file& operator=(const report_file&) = delete;
  /// Calls `f(line, readable, offset, line_number)` for every non-blank line, in order; `line`
  /// has no line end and is followed by at least 64 readable bytes (`readable` counts the
  /// line and them). @throws review_error on a read error
  void for_each_line(const std::function<void(std::string_view, std::size_t, std::uint64_t, std::uint64_t)>& f);
  /// The line that starts at `offset` (after for_each_line()). @throws review_error
  [[nodiscard]] std::string line_at(std::uint64_t offset) const;
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
  int fd_ = -1;
  compression compression_ = compression::none;
  std::unique_ptr<spill_file> spool_;  // the decompressed stream of a compressed report
};

// ------------------------------------------------------------------ HTML pieces

/// Appends at most `max_bytes` bytes of `text` (cut at a character boundary, "…" added) escaped.
void append_escaped_cut(std::string& out, std::string_view text, std::size_t max_bytes);
/// "12,345"
std::string thousands(std::uint64_t v);
/// "1.2 MB", "950 B"
std::string human_bytes(std::uint64_t v);
/// "12.3%" of part / whole ("0%" when whole is 0)
std::string percent(std::uint64_t part, std::uint64_t whole);

/// Sections of the site, for the navigation bar.
enum class section : std::uint8_t { summary, sites, clusters, documents };

/// The start of a page, up to and including the opening of <main>: doctype, charset, the
/// Content-Security-Policy, viewport, title (escaped), style sheet, script, skip link, the
/// navigation with `current` marked, and the keyboard help.
std::string page_head(std::string_view title, section current);
/// The end of a page: closes <main>, the footer with prev/next links ("" for none) and the
/// document.
std::string page_tail(std::string_view prev_file, std::string_view next_file);
/// Links to the other files of a paginated table ("" when there is one file).
std::string pager(const std::vector<review_page>& pages, std::size_t current);

/// The style sheet and the script of the site.
std::string_view style_sheet() noexcept;
std::string_view script() noexcept;

// ------------------------------------------------------------------ charts

/// A stacked horizontal bar chart (inline SVG): one bar per row, one segment per reason,
/// each reason with its colour and hatch pattern; values in bytes.
struct bar_row {
  std::string label;
  std::uint64_t values[reason_count] = {};
};
std::string bar_chart_svg(const std::vector<bar_row>& rows, std::string_view title);
/// A histogram (inline SVG) of counts over equal bins of [0, 1]; `marker` (0..1) draws a
/// dashed line with `marker_label` (none when < 0).
std::string histogram_svg(const std::vector<std::uint64_t>& bins, double marker, std::string_view marker_label,
                          std::string_view title);
/// The legend of the reasons (colour, pattern and tag).
std::string reason_legend(bool with_filters);

// ------------------------------------------------------------------ texts

/// `text` with the ranges of `removed` (sorted, disjoint) marked by reason, with their evidence
/// on hover and focus, escaped, at most about `budget` bytes of HTML (the rest is left out with
/// a note). The first copy of a line repeat gets an anchor (id "at-OFFSET") that its evidence
/// links to.
std::string marked_text(std::string_view text, const std::vector<removed_range>& removed, std::size_t budget);
/// Plain escaped `text`, at most about `budget` bytes of HTML.
std::string plain_text(std::string_view text, std::size_t budget);
/// The evidence of a range, in words ("on 40 of 40 pages of its site; HTML line 12").
std::string evidence(const removed_range& r, std::string_view text);
/// `text` minus the removed ranges.
std::string kept_text(std::string_view text, const std::vector<removed_range>& removed);
/// The text of bytes [begin, end) of `text` as one line: the first non-blank line of it,
/// without its line end ("" when the range lies outside the text).
std::string_view range_line(std::string_view text, std::uint64_t begin, std::uint64_t end);
/// A template line split at its tokens (the masked tokens of doc/algorithm.md, "Template
/// parts"): the fixed first `prefix_tokens` and last `suffix_tokens` tokens around the changing
/// middle; ok is false when the line has too few tokens for the pattern.
struct template_split {
  std::string_view head, middle, tail;
  bool ok = false;
};
template_split split_template(std::string_view line, std::uint32_t prefix_tokens, std::uint32_t suffix_tokens);
/// The split line as escaped HTML: fixed parts bold, the changing middle in italics.
std::string template_html(std::string_view line, std::uint32_t prefix_tokens, std::uint32_t suffix_tokens);

// ------------------------------------------------------------------ diffs

/// An edit script between two sequences of hashes: runs of equal, deleted (from a) and
/// inserted (from b) elements. Myers' O((N+M)D) algorithm; when the distance exceeds
/// `max_edits` the script is the trivial one (all of a deleted, all of b inserted).
enum class edit_kind : std::uint8_t { equal, del, ins };
struct edit {
  edit_kind kind;
  std::size_t a_begin, a_end;  // in a (equal, del)
  std::size_t b_begin, b_end;  // in b (equal, ins)
};
std::vector<edit> diff_sequences(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b,
                                 std::size_t max_edits);
/// The inline diff of `dropped` against `kept` (their kept texts), line by line with the
/// changed words of changed lines marked, as HTML of at most about `budget` bytes.
std::string diff_html(std::string_view kept, std::string_view dropped, std::size_t budget);

}  // namespace dupstrip::detail::review

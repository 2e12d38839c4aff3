/// @file review.hpp
/// @brief The review site of a run: static HTML pages made from the JSON Lines report
/// (doc/json.md) and the run's input, to audit in a browser what was removed and dropped.
///
/// write_review() reads the report twice at most (a streaming pass that keeps counts and a
/// bounded selection, then the few records it selected, by offset), reads the texts of the
/// selected documents from the input, and writes a folder of plain HTML files, one style sheet
/// and one script: no network, no framework, no inline script or event handler (each page
/// carries a Content-Security-Policy that forbids them), every byte of the report and of the
/// documents escaped by one function (append_html_escaped). The size is bounded whatever the
/// report: document texts only for a chosen subset (review_options::documents), tables capped
/// and split into several files (doc/review.md gives the bound). The same report, input and
/// options give the same bytes: nothing depends on time, threads or the order of a hash table.
///
/// Example:
/// @code
///   dupstrip::review_options o;
///   o.documents = 50;
///   dupstrip::review_result r = dupstrip::write_review("report.jsonl", &source, "review", o);
/// @endcode
#pragma once

#include <cstddef>
#include <cstdint>
#include <dupstrip/export.hpp>
#include <dupstrip/pipeline.hpp>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dupstrip {

/// Thrown by write_review() when the report is not a dupstrip report (the message names the
/// line) or the review cannot be written (the message names the file).
class DUPSTRIP_EXPORT review_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What goes into a review, and its bounds. The defaults keep a review of any report under
/// the bound stated in doc/review.md (about 60 MB; a few MB for ordinary articles).
struct review_options {
  /// Documents whose text is shown, each on its own page (`--review-docs`): every safety-rail
  /// hit first, then the most stripped, then a fixed-seed sample (choose_review_documents()).
  std::size_t documents = 200;
  /// Seed of the sample of documents and of the pages read per site; fixed, so that the
  /// same report gives the same review.
  std::uint64_t seed = 0x7265766965772D31ULL;
  std::size_t rows_per_page = 200;  ///< table rows per file (sites, clusters, documents)
  std::size_t max_sites = 2000;     ///< sites listed, the largest (most pages) first
  std::size_t site_details = 100;   ///< largest sites that get a page of their boilerplate lines
  std::size_t pages_per_site = 6;   ///< pages read per detailed site to find those lines
  std::size_t max_clusters = 1000;  ///< clusters listed, least similar copy first
  std::size_t members_shown = 4;    ///< dropped copies named per cluster row
  /// Diffs of a dropped copy against its kept copy: at most this many (the first clusters of
  /// the list, at most 3 per cluster). Defaults to `documents` when left at its maximum.
  std::size_t diffs = static_cast<std::size_t>(-1);
  std::size_t text_budget = 64 * 1024;  ///< bytes of HTML for a document's marked text
  std::size_t kept_budget = 24 * 1024;  ///< bytes of HTML for its kept text
  std::size_t diff_budget = 48 * 1024;  ///< bytes of HTML for one diff
  std::string input_label;              ///< INPUT as given, shown in the summary
  std::string report_label;             ///< the report as given, shown in the summary
  std::string temp_dir;                 ///< where a compressed report is decompressed (empty: $TMPDIR, /tmp)
};

/// What write_review() wrote.
struct review_result {
  std::size_t files = 0;        ///< files written
  std::uint64_t bytes = 0;      ///< their total size
  std::size_t documents = 0;    ///< document pages
  std::size_t diffs = 0;        ///< diff pages
  std::size_t report_docs = 0;  ///< `doc` records read
  /// Shown documents whose text in the input is not the one the report describes (another
  /// input, or other input options than the run's); their pages say so.
  std::size_t text_mismatches = 0;
  std::vector<std::string> notes;  ///< warnings for the user, one line each
};

/// Writes the review of `report` (a dupstrip report, plain or .gz/.zst) into the folder
/// `out_dir`, which must not exist, be empty, or hold an earlier review (replaced as a whole:
/// the new review is written beside it and renamed into place). `input` is the run's input
/// opened as the run opened it (names, texts; a web page's text model): texts are read from it
/// for the chosen documents only; nullptr writes the tables without texts.
/// @throws review_error (malformed report, folder not writable, not a review folder)
/// @complexity one pass over the report, O(options) memory plus ~40 bytes per document and
/// per cluster of the report; reads of at most documents + site_details * pages_per_site +
/// 2 * diffs documents.
[[nodiscard]] DUPSTRIP_EXPORT review_result write_review(const std::filesystem::path& report,
                                                         const document_source* input,
                                                         const std::filesystem::path& out_dir,
                                                         const review_options& options);

/// Appends `text` for use in HTML text and in a quoted attribute value: `& < > " '` become
/// references; invalid UTF-8 becomes U+FFFD; control characters other than tab and newline,
/// bidirectional controls (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C), zero-width
/// characters (U+200B..U+200D, U+2060, U+FEFF) and line/paragraph separators become a visible
/// `<U+XXXX>`-style marker (escaped as text), so that no character of a document can reorder or
/// hide what is shown. The one escaping function of the review: every byte of the report and of
/// the documents that reaches a page goes through it.
/// @threadsafety pure function
DUPSTRIP_EXPORT void append_html_escaped(std::string& out, std::string_view text);

/// append_html_escaped() into a new string.
[[nodiscard]] DUPSTRIP_EXPORT std::string html_escaped(std::string_view text);

/// One file of a paginated table: rows [first, last) of the table.
struct review_page {
  std::size_t first = 0;
  std::size_t last = 0;
  std::string file;  ///< "<stem>.html" for the first page, "<stem>-2.html"... for the others
};

/// Splits `rows` rows into files of `per_page` rows (at least one file, empty when rows is 0).
/// @pre per_page > 0
[[nodiscard]] DUPSTRIP_EXPORT std::vector<review_page> paginate(std::string_view stem, std::size_t rows,
                                                                std::size_t per_page);

/// A document offered to choose_review_documents(), as its `doc` record describes it.
struct review_candidate {
  std::string name;  ///< its path in the report
  std::uint64_t bytes = 0;
  std::uint64_t stripped_bytes = 0;
  bool kept = true;          ///< false: dropped as a near-duplicate
  bool safety_rail = false;  ///< the safety rail applied
};

/// Why a document was chosen for the review.
enum class review_pick : std::uint8_t { safety_rail, most_stripped, sample };

/// A chosen document: its position among the offered candidates, and why.
struct review_choice {
  std::size_t candidate = 0;
  review_pick why = review_pick::sample;
};

/// Streaming choice of the documents shown: feed every candidate once (offer()), then read
/// chosen(). With N = `documents`, R = min(N, safety-rail hits): the R rail hits of smallest
/// sample key; then M = ceil((N - R) / 2) of the kept documents with the largest stripped share
/// (stripped_bytes / bytes; ties: more stripped bytes, then the smaller name, then the earlier
/// candidate); then the N - R - M not yet chosen of smallest sample key (kept or dropped). The
/// sample key is a 64-bit hash of (seed, name); ties by candidate order. The result does not
/// depend on the order of the candidates except between equal names. Memory: O(N).
class DUPSTRIP_EXPORT review_selector {
 public:
  review_selector(std::size_t documents, std::uint64_t seed);
  /// Offers candidate number `order` (0, 1, 2... in report order).
  void offer(const review_candidate& c, std::size_t order);
  /// The chosen candidates: rail hits (by name), most stripped (by rank), sample (by name).
  [[nodiscard]] std::vector<review_choice> chosen() const;

 private:
  struct entry {
    std::uint64_t key;  // sample key
    double share;       // stripped share
    std::uint64_t stripped;
    std::string name;
    std::size_t order;
  };
  std::size_t n_;
  std::uint64_t seed_;
  std::vector<entry> rails_, stripped_, sample_;  // bounded heaps of size n_
};

}  // namespace dupstrip

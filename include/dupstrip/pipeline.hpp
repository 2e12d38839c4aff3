/// @file pipeline.hpp
/// @brief The deduper facade: documents in, decisions and removals out.
///
/// Three phases with plain data between them (doc/algorithm.md, "Pipeline"):
/// 1. scan: every document is read once and reduced to fingerprints (line keys, repeated runs,
///    a MinHash signature); nothing of its text is kept.
/// 2. merge: near-duplicate pre-clusters, then per-group block frequencies counted over those
///    clusters give the boilerplate set; documents are read again to fingerprint their content
///    (boilerplate and repeats left out), and content signatures are clustered.
/// 3. apply: kept documents are read a last time and written as the input's own bytes minus
///    the removed lines (see apply()).
/// The CLI uses only this header (plus io.hpp and report.hpp).
#pragma once

#include <dupstrip/error.hpp>
#include <dupstrip/export.hpp>
#include <dupstrip/minhash.hpp>
#include <dupstrip/text.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace dupstrip {

/// Which copy of a near-duplicate cluster is kept.
enum class keep_policy : std::uint8_t {
  longest,  ///< the one with the most content after cleaning; ties: smallest name, then content hash
  first     ///< the one with the smallest name (bytewise); ties: content hash
};

/// Options of a cleaning run. Defaults are the product's defaults (doc/algorithm.md explains
/// each choice).
struct clean_options {
  // --- near-duplicate documents
  double threshold = 0.75;           ///< estimated Jaccard of content at or above which documents are duplicates
  std::uint32_t shingle_size = 2;      ///< longest document shingle, in tokens (words; characters for CJK)
  std::uint32_t min_shingle_size = 1;  ///< shortest document shingle: shingles of every size in between are used
  std::uint32_t num_perm = 128;      ///< MinHash signature length
  std::uint32_t bands = 0;           ///< LSH bands; 0 with rows 0: chosen from the threshold
  std::uint32_t rows = 0;            ///< LSH rows per band
  std::uint64_t seed = 0x64757073747269ULL;  ///< master seed of every hash function
  /// How document signatures are computed. One-permutation hashing with densification gives
  /// the same estimation accuracy (tests/statistical) at a twentieth of the cost of K
  /// independent hash functions (bench/), so it is the default.
  minhash_scheme scheme = minhash_scheme::one_permutation;
  keep_policy keep = keep_policy::longest;
  // --- boilerplate across a group
  std::uint32_t min_boilerplate_pages = 3;  ///< a line on this many pages (clusters) of a group is boilerplate
  double boilerplate_fraction = 0.05;       ///< ... and on at least this fraction of the group's pages
  double block_similarity = 0.7;            ///< near-identical template lines: estimated Jaccard of their 3-shingles
  /// Article flow guard: a shared line within 20 tokens of a line of the page's own of at least
  /// this many tokens is kept there unless the site shows it in article flow on
  /// min_boilerplate_pages pages (doc/algorithm.md, "Article flow"). 0 switches the guard off.
  std::uint32_t flow_tokens = 10;
  // --- boilerplate across sites
  /// A line found on this many different groups (sites) of the run is boilerplate everywhere
  /// outside an article flow (share buttons, cookie notices). 0 switches the tier off.
  std::uint32_t corpus_min_sites = 5;
  /// Template lines: a line whose first and last few tokens (at least a third of it) recur
  /// around changing text on as many pages as boilerplate needs ("Read more: <title>").
  bool template_lines = true;
  // --- repeats inside a document
  /// Later copies of a run of at least this many consecutive short lines (fewer than 4 tokens
  /// each) printed earlier in the same page, in the same order, are removed (a menu at the top
  /// and the bottom). 0 switches it off.
  std::uint32_t min_line_repeat_run = 2;
  std::uint32_t min_repeat_tokens = 40;     ///< a repeated run must hold this many tokens
  double repeat_coverage = 0.5;             ///< a line repeats earlier text when this share of its 4-shingles did
  // --- safety
  double max_strip_fraction = 0.85;  ///< above this share of a document's tokens, keep only the surest removals
  // --- input
  utf8_policy utf8 = utf8_policy::replace;
  std::uint64_t max_document_bytes = 256ULL << 20;  ///< larger documents are skipped (errc::too_large)
  unsigned jobs = 0;  ///< worker threads; 0 = hardware concurrency. Results never depend on it.
  /// Folder of the run's temporary files (fingerprints held out of memory; about the size of
  /// the corpus at most, removed when the run ends however it ends). Empty: $TMPDIR, else /tmp.
  /// Results never depend on it.
  std::string temp_dir;

  /// Throws config_error naming the first invalid option.
  void validate() const;
};

/// What the markup of a web page says of one line of its text (html.hpp builds these; text
/// documents have none). doc/algorithm.md, "Web pages", states each rule and its guard.
struct line_markup {
  std::uint32_t source_line = 0;  ///< 1-based line of the HTML where the block starts (0: unknown)
  std::uint8_t flags = 0;         ///< markup_flags
  std::uint8_t link_share = 0;    ///< share of the line's letters inside links, 0..255
};

/// Bits of line_markup::flags.
enum markup_flags : std::uint8_t {
  markup_link_list = 1,    ///< nearly all link text, not a paragraph of the main text: navigation
  markup_outside_main = 2, ///< outside the container of the page's main text (the engine grows the
                           ///< main text from it through the prose around it)
  markup_own_heading = 4,  ///< the page's own headline (an h1 outside nav/header/footer/aside;
                           ///< an article's own header is not the page's)
  markup_prose = 8,        ///< prose: at least 8 words, under 25% link text, not code
  markup_table_cell = 16,  ///< a table cell (td, th)
  markup_figure = 32,      ///< in a figure or its caption (with markup_outside_main)
  markup_collection = 64   ///< an item of a collection: gallery slides, teasers, comments (with markup_outside_main)
};

/// What the markup of a page says: one entry per line of its text (none: a text document).
struct page_markup {
  std::vector<line_markup> lines;
  std::uint32_t replacements = 0;  ///< bytes of the page read as windows-1252 or U+FFFD (html.hpp)
};

/// A corpus that the pipeline reads (more than once: scan, content, apply). Implementations
/// must allow concurrent read() calls.
class DUPSTRIP_EXPORT document_source {
 public:
  virtual ~document_source();
  /// Number of documents; they are identified by their index 0..size()-1, in a stable order.
  [[nodiscard]] virtual std::size_t size() const = 0;
  /// Name shown in the report and messages (a relative path, a record id).
  [[nodiscard]] virtual std::string_view name(std::size_t i) const = 0;
  /// Group for boilerplate counting (a site): documents of one group share furniture.
  [[nodiscard]] virtual std::string_view group(std::size_t i) const = 0;
  /// The document's bytes, or an error code (the document is then skipped).
  [[nodiscard]] virtual result<std::string> read(std::size_t i) const = 0;
  /// read(i), and what the markup says of it (a web page's; a text document has none). The
  /// default has no markup.
  [[nodiscard]] virtual result<std::string> read_marked(std::size_t i, page_markup& markup) const {
    markup = {};
    return read(i);
  }
};

/// Why a byte range was removed.
enum class removal_reason : std::uint8_t {
  repeat,       ///< a repeated run inside the document (a body printed twice); first copy kept
  boilerplate,  ///< a line that recurs on many pages of the document's group
  corpus,       ///< a line that recurs on many groups (sites) of the run, outside the article flow
  line_repeat,  ///< a later copy of a run of short lines printed earlier in the page (a menu printed twice)
  template_line, ///< a line whose fixed prefix and suffix recur around a changing part on many pages of the group
  links,        ///< web pages: a block of link text outside the main text (a menu, a headline list)
  outside_main  ///< web pages: a block outside the page's main text
};

/// Where a block removed as outside_main lies (removal::pattern).
enum outside_part : std::uint8_t {
  outside_container = 0,  ///< outside the main container and the prose grown from it
  outside_figure = 1,     ///< a figure or its caption
  outside_collection = 2  ///< an item of a collection (gallery slides, teasers, comments)
};

/// A removed byte range [begin, end) of the original document with its evidence.
struct removal {
  std::uint32_t begin;
  std::uint32_t end;
  removal_reason reason;
  std::uint32_t pages;        ///< boilerplate: pages (near-duplicate clusters) of the group carrying it;
                              ///< corpus: groups (sites) of the run carrying it;
                              ///< line_repeat: byte offset of the first copy's first line
  std::uint32_t group_pages;  ///< boilerplate: pages (clusters) in the group; corpus: groups in the run
  std::uint8_t pattern = 0;   ///< template_line: prefix tokens << 4 | suffix tokens of the pattern;
                              ///< links: the share of link text, 0..255;
                              ///< outside_main: an outside_part (0: outside the main container)
  std::uint32_t source_line = 0;  ///< web pages: line of the HTML where the removed block starts
};

/// What happened to a document.
enum class doc_status : std::uint8_t { kept, dropped, skipped };

/// Decision for one document (its removed ranges are in analysis::removals).
struct doc_result {
  std::error_code error;               ///< why it was skipped
  std::uint64_t bytes = 0;             ///< input size
  std::uint32_t error_offset = 0;      ///< first invalid byte, for errc::invalid_utf8
  std::uint32_t kept_bytes = 0;        ///< bytes written for it (0 when dropped or skipped)
  std::uint32_t content_tokens = 0;    ///< tokens left after cleaning
  std::uint32_t lines = 0;             ///< lines in the document
  std::uint32_t removed_lines = 0;     ///< non-blank lines removed
  std::uint32_t cluster = 0;           ///< index of its near-duplicate cluster's kept copy (its own when alone)
  std::uint32_t duplicate_of = 0;      ///< when dropped: index of the kept copy
  std::uint32_t utf8_replacements = 0; ///< invalid sequences read as U+FFFD
  double similarity = 0.0;             ///< when dropped: estimated Jaccard with the kept copy
  doc_status status = doc_status::kept;
  bool strip_limited = false;          ///< the safety rail kept only the surest removals
};
// Documents read are smaller than 4 GiB (clean_options::max_document_bytes), so their counts
// fit 32 bits: a result is 72 bytes.

/// The removed ranges of every document of a run. They are the bulk of a run's decisions, so
/// they live in a temporary file (clean_options::temp_dir), not in memory: 32 bytes per
/// document stay in memory (offset, count and counts by reason). Copies share the same table.
/// @threadsafety get() may run concurrently with anything but set() of the same document;
/// set() may run concurrently on distinct documents.
class DUPSTRIP_EXPORT removal_table {
 public:
  removal_table() = default;  ///< holds no document
  /// A table of `documents` empty lists, spilling to `temp_dir` (see clean_options::temp_dir).
  removal_table(std::size_t documents, const std::string& temp_dir);
  [[nodiscard]] std::size_t size() const noexcept;
  /// Document i's removed ranges, sorted and disjoint. @throws std::system_error on a read error
  [[nodiscard]] std::vector<removal> get(std::size_t i) const;
  /// get() of documents [first, first + count): lists stored together (as set_block() stores
  /// them) come in one read. @throws std::system_error on a read error
  [[nodiscard]] std::vector<std::vector<removal>> get_range(std::size_t first, std::size_t count) const;
  /// Number of ranges of document i (no read).
  [[nodiscard]] std::uint32_t count(std::size_t i) const noexcept;
  /// Bytes written to its temporary file so far.
  [[nodiscard]] std::uint64_t bytes() const noexcept;
  /// Number of those ranges whose reason is removal_reason::repeat (no read).
  [[nodiscard]] std::uint32_t repeats(std::size_t i) const noexcept;
  /// Number of those ranges with the given reason (no read).
  [[nodiscard]] std::uint32_t count_of(std::size_t i, removal_reason why) const noexcept;
  /// Replaces document i's ranges. @throws std::system_error when the file cannot be written
  void set(std::size_t i, std::span<const removal> ranges);
  /// Replaces the ranges of documents first, first + 1, ... with one write.
  void set_block(std::size_t first, std::span<const std::vector<removal>> lists);

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
  void store(std::size_t first, std::span<const std::span<const removal>> lists);
};

/// A boilerplate line of the run, for the human summary.
struct boilerplate_example {
  std::string text;         ///< the line as found on the first page carrying it
  std::string group;
  std::uint32_t pages;
  std::uint32_t group_pages;
};

/// Everything the run decided.
struct analysis {
  std::vector<doc_result> docs;                    ///< one per source document, in order
  removal_table removals;                          ///< per document: the removed ranges
  std::vector<boilerplate_example> top_boilerplate;  ///< most frequent first (at most 10)
  std::uint64_t boilerplate_lines = 0;            ///< distinct boilerplate line keys found
  /// Wall-clock seconds of each phase ("scan", "boilerplate", "content", "clusters"), for
  /// profiling; never part of the report (which must not depend on timing).
  std::vector<std::pair<std::string, double>> phase_seconds;
  /// Bytes the run wrote to its temporary files (clean_options::temp_dir), for sizing; like
  /// phase_seconds, never part of the report.
  std::uint64_t temp_bytes = 0;
};

/// Progress of a run, reported from worker threads (keep the callback cheap and thread-safe).
struct progress_info {
  const char* phase;            ///< "scan", "content", "write"
  std::size_t docs_done;
  std::size_t docs_total;
  std::uint64_t bytes_done;
};
using progress_callback = std::function<void(const progress_info&)>;

/// Runs scan and merge over a corpus.
/// @throws config_error when options are invalid. Per-document failures are in the results.
/// @threadsafety one run per object at a time; uses options.jobs threads internally.
class DUPSTRIP_EXPORT deduper {
 public:
  explicit deduper(clean_options options);
  [[nodiscard]] const clean_options& options() const noexcept { return options_; }
  /// Analyses the whole corpus. Deterministic: the same source and options give the same
  /// analysis whatever options.jobs.
  [[nodiscard]] analysis run(const document_source& source,
                             const progress_callback& progress = {}) const;

 private:
  clean_options options_;
};

/// The pieces of `bytes` that a kept document keeps: its bytes minus `removals` (sorted,
/// disjoint: analysis::removals.get(i)).
[[nodiscard]] DUPSTRIP_EXPORT std::vector<std::string_view> kept_pieces(
    std::string_view bytes, std::span<const removal> removals);

/// Receives each kept document's pieces; returns an error to stop the run (e.g. disk full).
using document_sink =
    std::function<std::error_code(std::size_t index, std::span<const std::string_view> pieces)>;

/// Phase 3: reads every kept document again and hands its kept pieces to `sink`, in parallel
/// (jobs threads). Returns the first sink error (by document order), or an empty code. A
/// document that cannot be read again (it vanished) is marked skipped in `result`.
DUPSTRIP_EXPORT std::error_code apply(const document_source& source, analysis& result,
                                      const document_sink& sink, unsigned jobs,
                                      const progress_callback& progress = {});

}  // namespace dupstrip

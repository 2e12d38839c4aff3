// Internal: the cleaning run as separable steps with plain data between them.
//
//   scan_document()    per document (map)     -> scan_record     (pass 1 fingerprints)
//   run_state::begin()                (reduce) pre-clusters, boilerplate set, removals
//   content_document() per pending document   -> content_record  (content fingerprints)
//   run_state::step()                 (reduce) near-duplicate clusters; the refine check may
//                                              list documents for another content round
//   run_state::finish()                        -> analysis
//
// deduper::run() calls these in one process; the scale-out commands (scan / merge / apply) call
// the same functions on different machines and carry the records in files (shard_file.hpp). Since
// both paths run the same code on the same values, their results are identical by construction.
//
// Memory: a run_state holds per document only its result and a few hashes (about 100 bytes);
// line records, signatures, block signatures and removed ranges live in spill files (spill.hpp)
// and are read back by the step that needs them. Per distinct line, only the merge tables of
// the groups being counted take memory.
#pragma once

#include "dupstrip/lsh.hpp"
#include "dupstrip/pipeline.hpp"
#include "dupstrip/scan.hpp"
#include "dupstrip/spill.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dupstrip::detail {

inline constexpr std::uint32_t no_sig = 0xFFFFFFFFu;

/// One line of a document, as the merge sees it.
struct line_fp {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t next = 0;
  std::uint32_t tokens = 0;
  std::uint64_t key = 0;
  std::uint64_t masked_key = 0;
  std::uint64_t exact = 0;     // hash of the line's tokens, digits not masked (0: no tokens)
  std::uint32_t head[3] = {0, 0, 0};  // template parts: hashes of the first 1..3 masked tokens
  std::uint32_t tail[3] = {0, 0, 0};  // ... and of the last 1..3 (0: none)
  std::uint8_t pattern_tokens = 0;    // masked tokens when the line can be a template line, else 0
  std::uint8_t label = 0;             // tokens of a "Read more:" label opening the line (2..3), else 0
  std::uint8_t pattern = 0;           // removed as a template line: prefix tokens << 4 | suffix tokens
  std::uint32_t sig = no_sig;  // index of its block signature, or no_sig
  std::uint32_t pages = 0;     // boilerplate evidence (0: not boilerplate)
  std::uint32_t gpages = 0;    // pages of the group when the evidence was counted
  bool blank = false;
  bool repeat = false;
  bool removed = false;
  bool corpus = false;         // pages/gpages are the corpus tier's sites (reason corpus)
  std::uint8_t numbers = 0;    // masked number tokens in the line (at most 3)
  bool line_repeat = false;    // a later copy of short lines (pages: the first copy's offset)
  std::uint8_t markup = 0;     // web pages: markup_flags of the line
  std::uint8_t link_share = 0; // web pages: share of link letters, 0..255
  std::uint32_t source_line = 0;  // web pages: line of the HTML where the block starts
};

/// The hash functions and derived parameters of a run (built once from the options).
struct engine_config {
  explicit engine_config(const clean_options& o);
  clean_options opt;
  minhasher doc_mh;
  minhasher block_mh;
  repeat_options rep;
  lsh_params doc_lsh;    // banding of document signatures
  lsh_params block_lsh;  // banding of line signatures (near-identical template lines)
};

/// Pass 1 of one document.
struct scan_record {
  doc_result res;  // status, error, error_offset, bytes, lines, utf8_replacements
  std::uint64_t raw_hash = 0;
  bool active = false;               // sig holds a signature (the document has tokens)
  bool repeat_candidates = true;     // some line repeats enough to start a run (find_runs)
  std::vector<std::uint32_t> sig;    // raw signature (K slots), when active
  std::vector<line_fp> lines;
  std::vector<std::uint32_t> block_sigs;  // 32 slots per line with sig != no_sig
};

/// Reads nothing: fingerprints `data` (or records why the document is skipped).
/// `markup`, when given, is what the page's markup says of its lines (page_markup).
scan_record scan_document(result<std::string> data, const engine_config& cfg, scan_scratch& s,
                          const page_markup* markup = nullptr);

/// What the content step of one document needs from the merge.
struct content_input {
  std::uint64_t raw_hash = 0;              // the bytes must be those of pass 1
  std::uint32_t lines = 0;                 // ... and have this many lines
  std::vector<removal> removals;           // removed so far
  std::vector<std::uint32_t> top_lines;    // lines whose text the summary shows
  bool repeat_candidates = true;           // false: pass 1 saw no line that could start a run
};

/// The content step of one document.
struct content_record {
  std::error_code error;                   // set: the document is skipped from now on
  bool found_runs = false;                 // the repeat detection found runs (removals are redone)
  std::vector<std::uint32_t> new_repeats;  // lines that become removed as repeats
  std::uint64_t content_bytes = 0;
  std::uint64_t content_hash = 0;
  std::uint64_t content_tokens = 0;
  bool active = false;
  std::vector<std::uint32_t> sig;          // content signature (K slots), when active
  std::vector<std::string> top_text;       // parallel to content_input::top_lines
};

content_record content_document(result<std::string> data, const content_input& in, const engine_config& cfg,
                                scan_scratch& s);

/// The state of a run between steps. content_input_of(), add_content() and add_contents() may
/// run concurrently on different documents; add_scans(),
/// begin(), step() and finish() run alone.
class run_state {
 public:
  /// `group_of[i]` indexes `group_names` (sorted, distinct).
  run_state(const clean_options& options, std::vector<std::uint32_t> group_of,
            std::vector<std::string> group_names, unsigned jobs);

  [[nodiscard]] const engine_config& config() const noexcept { return cfg_; }
  [[nodiscard]] std::size_t size() const noexcept { return results_.size(); }

  /// Pass-1 records of documents [lo, lo + recs.size()). Documents are added in order: `lo` is
  /// the number added so far. Their lines, signatures and block signatures go to the spill
  /// files (only a key's first occurrence in its group, in document order, is ever compared).
  void add_scans(std::size_t lo, std::span<scan_record> recs);
  /// Ranks of the documents' names in bytewise order (equal names, equal ranks). Every tie
  /// between documents (the kept copy of a cluster, the example of a boilerplate line) is broken
  /// by name, then content, never by position, so decisions do not depend on the order of the
  /// input or its sharding. Without ranks, positions stand in for them.
  void set_name_ranks(std::vector<std::uint32_t> ranks) { name_ranks_ = std::move(ranks); }
  [[nodiscard]] std::uint32_t name_rank(std::size_t i) const noexcept {
    return name_ranks_.empty() ? static_cast<std::uint32_t>(i) : name_ranks_[i];
  }
  /// Merge 1: pre-clusters, near-identical lines, boilerplate set, removals. Every document
  /// that was read is then pending for the content step.
  void begin();
  /// Documents waiting for content_document(), in index order (empty: the run is complete).
  [[nodiscard]] const std::vector<std::uint32_t>& pending() const noexcept { return pending_; }
  [[nodiscard]] content_input content_input_of(std::size_t i) const;
  /// content_input_of() of each of `docs` (ascending), their removals read together.
  [[nodiscard]] std::vector<content_input> content_inputs_of(std::span<const std::uint32_t> docs) const;
  void add_content(std::size_t i, content_record&& rec);
  /// add_content() of documents docs[k] (any order, distinct), with fewer writes.
  void add_contents(std::span<const std::uint32_t> docs, std::span<content_record> recs);
  /// Merge 2: clusters the content signatures and keeps one copy per cluster; then checks that
  /// a second run would change nothing, and lists the documents it changed as pending.
  void step();
  /// The decisions (the state is spent).
  analysis finish();

  /// Completed content rounds (1 after the first step).
  [[nodiscard]] std::uint32_t round() const noexcept { return round_; }
  /// Refine checks done (at most four).
  [[nodiscard]] std::uint32_t refines() const noexcept { return refines_; }

  // ---- everything below is state, exposed for the scale-out files (shard_file.cpp)
  struct group_info {
    std::string name;
    std::uint32_t clusters = 0;
    std::uint32_t need = 2;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> rep;  // near-identical key -> representative, sorted
    [[nodiscard]] std::uint64_t canonical(std::uint64_t k) const {
      const auto it = std::lower_bound(rep.begin(), rep.end(), std::pair<std::uint64_t, std::uint64_t>(k, 0));
      return it != rep.end() && it->first == k ? it->second : k;
    }
  };
  struct top_key {
    std::uint32_t pages;
    std::uint32_t group;
    std::uint64_t key;
    std::uint32_t doc;
    std::uint32_t line;
    std::string text;
  };
  /// A document's state beyond its result.
  struct doc_extra {
    std::uint64_t raw_hash = 0;
    std::uint64_t content_hash = 0;
    std::uint64_t lines_at = 0;       // its line records in the lines spill
    std::uint32_t content_bytes = 0;
    std::uint32_t removed_bytes = 0;  // of its removals
    bool active = false;              // its signature slot holds a signature
    bool repeat_candidates = true;    // scan_record::repeat_candidates
  };
  std::vector<doc_result>& results() noexcept { return results_; }
  std::vector<doc_extra>& extra() noexcept { return extra_; }
  std::vector<std::uint32_t>& group_of() noexcept { return group_of_; }
  std::vector<group_info>& groups() noexcept { return groups_; }
  std::vector<top_key>& top() noexcept { return top_; }
  std::vector<std::uint32_t>& pending_mut() noexcept { return pending_; }
  std::uint64_t& boilerplate_lines() noexcept { return boilerplate_lines_; }
  std::uint32_t& round_mut() noexcept { return round_; }
  std::uint32_t& refines_mut() noexcept { return refines_; }
  [[nodiscard]] const removal_table& removals() const noexcept { return removals_; }

  /// Document i's lines as the merge sees them: scan records, with removed, repeat, pages and
  /// gpages of the removed lines taken from its removals.
  [[nodiscard]] std::vector<line_fp> lines_of(std::size_t i) const;
  /// Reads line records through a window of the lines spill: documents read in file order
  /// (index order, mostly) cost one read per window, not one per document. The lines spill
  /// does not change after add_scans(), so a window never goes stale. One per thread.
  class line_cursor {
   public:
    explicit line_cursor(const run_state& st) : st_(&st) {}
    /// The lines, in a buffer of the cursor's that the next call reuses.
    [[nodiscard]] const std::vector<line_fp>& lines_of(std::size_t i);

   private:
    const run_state* st_;
    std::uint64_t at_ = 0;    // the window holds the line records at [at_, at_ + held_)
    std::uint64_t held_ = 0;
    std::uint64_t next_ = 0;  // where the last document's records ended
    std::vector<unsigned char> window_;  // only grows: no bytes cleared for nothing
    std::vector<line_fp> lines_;
  };
  /// Document i's current signature (K slots; only when extra()[i].active).
  void read_sig(std::size_t i, std::span<std::uint32_t> out) const;
  /// Sets a whole document at once (a state file): result, extra (lines_at is ignored), lines,
  /// removals and, when ex.active, the signature.
  void load_document(std::size_t i, const doc_result& res, const doc_extra& ex, std::span<const line_fp> lines,
                     std::span<const removal> rem, std::span<const std::uint32_t> sig);

 private:
  engine_config cfg_;
  unsigned jobs_;
  std::vector<doc_result> results_;
  std::vector<doc_extra> extra_;
  std::vector<std::uint32_t> group_of_;
  std::vector<std::uint32_t> name_ranks_;
  std::vector<group_info> groups_;
  std::vector<top_key> top_;
  std::vector<std::uint32_t> pending_;
  std::uint64_t boilerplate_lines_ = 0;
  std::uint32_t round_ = 0;
  std::uint32_t refines_ = 0;
  // Spills: line records (appended per document), signatures (K slots per document, raw until
  // begin(), then content), first-occurrence block signatures (sorted runs, one per add_scans()).
  std::unique_ptr<spill_file> lines_;
  std::unique_ptr<spill_file> sigs_;
  std::unique_ptr<spill_file> blocks_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> block_runs_;  // (offset, records)
  removal_table removals_;
  std::size_t added_ = 0;              // documents added by add_scans()
  std::uint64_t blocks_written_ = 0;   // bytes of the blocks spill (gone after begin())
  std::vector<unsigned char> chunk_lines_;   // add_scans() buffers
  std::vector<std::uint32_t> chunk_sigs_;
  std::vector<unsigned char> chunk_blocks_;

  void write_lines(std::size_t i, std::span<const line_fp> lines);
  void write_sig(std::size_t i, std::span<const std::uint32_t> sig);
  void set_removals(std::size_t i, std::span<const removal> rem);
  /// content_input_of(i) with document i's removals already read.
  [[nodiscard]] content_input content_input_with(std::size_t i, std::vector<removal> removals) const;
  /// Line records document i has in the lines spill (none when skipped).
  [[nodiscard]] std::size_t stored_lines(std::size_t i) const;
  /// Document i's lines from its records (stored_lines(i) of them at `records`), with removals.
  [[nodiscard]] std::vector<line_fp> decode_lines(std::size_t i, const unsigned char* records) const;
  void decode_lines_into(std::size_t i, const unsigned char* records, std::vector<line_fp>& lines) const;
  void near_identical_lines();
  /// Merges slices (offset, records) of the block runs, which hold whole groups, and clusters
  /// their buckets into the groups' lists (`jobs` threads for the clustering).
  void merge_block_runs(std::span<const std::pair<std::uint64_t, std::uint64_t>> slices, unsigned jobs);
  /// Near-duplicate clusters of the current signatures (representative per document).
  [[nodiscard]] std::vector<std::uint32_t> cluster_documents() const;
  void decide_duplicates();
  std::vector<std::uint32_t> refine();
};

/// Ranks of n names in bytewise order, equal names sharing a rank (run_state::set_name_ranks).
std::vector<std::uint32_t> name_ranks(std::size_t n, const std::function<std::string_view(std::size_t)>& name);

/// Documents' groups numbered in name order (bytewise), as every run numbers them.
struct numbered_groups {
  std::vector<std::uint32_t> group_of;  // per document
  std::vector<std::string> names;       // sorted, distinct
};
numbered_groups number_groups(std::size_t n, const std::function<std::string_view(std::size_t)>& group);

/// The content step's input for document i of a state.
content_input make_content_input(const doc_result& res, std::uint64_t raw_hash, std::vector<removal> removals,
                                 std::size_t i, const std::vector<run_state::top_key>& top);

/// Decides which lines go, applying the safety rail; fills `out`.
void decide_removals(const clean_options& opt, std::vector<line_fp>& lines, doc_result& res,
                     std::uint32_t sure_pages, std::uint32_t group_pages, std::vector<removal>& out);
/// From the removed flags of non-blank lines: decides the blank lines, builds `out`.
void finish_removals(std::vector<line_fp>& lines, doc_result& res, std::vector<removal>& out);

}  // namespace dupstrip::detail

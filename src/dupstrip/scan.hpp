// Internal: per-document fingerprinting shared by the public boilerplate functions and the
// pipeline. One pass tokenises every line once and derives from the same tokens the line keys,
// the embedded-line masked keys and the repeated runs.
#pragma once

#include "dupstrip/boilerplate.hpp"
#include "dupstrip/document.hpp"
#include "dupstrip/flat_set.hpp"
#include "dupstrip/text.hpp"
#include "dupstrip/token_hashes.hpp"

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace dupstrip::detail {

/// Which earlier lines each line copies, for the lines that can start a run (boilerplate.cpp).
/// Lines with the same token sequence form a class.
struct copy_index {
  std::vector<std::uint32_t> members;      // lines of class c: members[class_begin[c] .. class_begin[c+1]), ascending
  std::vector<std::uint32_t> class_begin;
  std::vector<std::uint32_t> matched;      // classes line j copies: matched[matched_begin[j] .. matched_begin[j+1])
  std::vector<std::uint32_t> matched_begin;
  std::vector<std::uint32_t> flattened;    // flattened copies (lines), ascending
};

/// Buffers of the repeat search (boilerplate.cpp), reused from one document to the next.
struct repeat_scratch {
  copy_index index;
  // The index's working buffers.
  std::vector<std::pair<std::uint64_t, std::uint32_t>> by_content;
  std::vector<std::uint32_t> class_of;
  std::vector<std::uint64_t> distinct;
  std::vector<std::uint32_t> distinct_at;
  std::vector<std::uint32_t> distinct_size;
  std::vector<std::uint8_t> distinct_made;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::vector<std::uint32_t> last_class;
  std::vector<std::uint32_t> post_begin;
  std::vector<std::uint32_t> post_class;
  std::vector<std::uint32_t> fill;
  std::vector<std::uint32_t> hits;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> covers;
  std::vector<std::uint64_t> ta;
  std::vector<std::uint64_t> tb;
  // One pass: per line, its share of shingles seen earlier and its token count.
  std::vector<double> coverage;
  std::vector<std::uint32_t> words;
};

/// Reusable buffers for scanning one document after another on one thread.
struct scan_scratch {
  std::vector<std::uint64_t> hashes;      // unmasked token hashes, all lines concatenated
  std::vector<std::uint32_t> offset;      // line i's tokens: hashes[offset[i] .. offset[i+1])
  std::vector<std::uint64_t> masked;      // digit-masked token hashes, all lines concatenated
  std::vector<std::uint32_t> moffset;     // line i's masked tokens: masked[moffset[i] .. moffset[i+1])
  std::vector<std::uint64_t> prefix;      // polynomial prefix hashes over `masked`, per line
  std::vector<std::uint64_t> shingles;
  std::vector<std::uint64_t> tmp;
  flat_set64 set;
  flat_map64<std::uint64_t> first_lengths;  // embedded lines: per first token, the lengths (bit L) of candidates
  flat_first64 first_line;  // repeat detection: the line where each shingle first occurred
  std::vector<std::uint64_t> line_shingles;     // repeat detection: each present line's shingles...
  std::vector<std::uint32_t> line_shingles_at;  // ...line i's at line_shingles[at[i] .. at[i+1])
  flat_first64 query_ids;                       // the shingles of the lines that ask the copy index -> dense ids
  repeat_scratch rep;
};

/// Tokenises every line of `bytes` into the scratch buffers and fills `keys` (one per line).
/// With `with_keys` false, only the unmasked hashes, offsets and token counts are made (what
/// the content step and find_runs() need): no masked sequence, no line keys. Lines flagged in
/// `skip` (only without keys) are left with no tokens: the content step skips removed lines,
/// which neither its signature nor its repeat search reads.
void tokenize_lines(std::string_view bytes, const std::vector<line_span>& lines, utf8_policy policy,
                    scan_scratch& s, std::vector<line_key>& keys, bool with_keys = true,
                    const std::vector<std::uint8_t>* skip = nullptr);

/// Fills masked_key for lines that embed another line of the same document. Needs the scratch
/// state left by tokenize_lines().
void compute_masked_keys(scan_scratch& s, std::vector<line_key>& keys);

/// Repeated runs, from the scratch state left by tokenize_lines().
/// `absent`, when given, marks lines already removed: they are invisible to the detection and
/// never part of a returned run's repeating lines (they may lie inside its range).
/// `candidates`, when given, is set to whether any line (absent ones aside) repeats enough to
/// start a run. When none does, none can with more lines absent either (a line's coverage only
/// counts earlier present lines), so later searches of the same document may be skipped.
std::vector<repeated_run> find_runs(scan_scratch& s, const std::vector<line_key>& keys,
                                    const std::vector<line_span>& lines, std::string_view bytes,
                                    const repeat_options& options,
                                    const std::vector<std::uint8_t>* absent = nullptr, bool* candidates = nullptr);

/// Hash of a sequence of 64-bit token hashes (XXH3-64 of their little-endian bytes).
std::uint64_t sequence_hash(const std::uint64_t* data, std::size_t n, std::uint64_t seed) noexcept;

/// Seeds that keep the key spaces apart.
inline constexpr std::uint64_t line_key_seed = 0x6C696E656B6579ULL;    // "linekey"
inline constexpr std::uint64_t masked_key_seed = 0x6D61736B6B6579ULL;  // "maskkey"
inline constexpr std::uint64_t content_seed = 0x636F6E74656E74ULL;     // "content"
inline constexpr std::uint64_t exact_key_seed = 0x65786163746B6579ULL;  // "exactkey"

}  // namespace dupstrip::detail

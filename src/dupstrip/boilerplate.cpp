// Boilerplate building blocks that need only one document: line keys robust to changing
// numbers and embedded titles, and repeated runs (a body printed twice). The corpus-wide part,
// counting keys over the near-duplicate clusters of a group, is in pipeline.cpp.
#include "dupstrip/boilerplate.hpp"

#include "dupstrip/hash.hpp"
#include "dupstrip/scan.hpp"
#include "dupstrip/shingle.hpp"

#include <algorithm>
#include <bit>
#include <span>
#include <unordered_map>

namespace dupstrip {
namespace detail {
namespace {

// Polynomial base for window hashes of masked token sequences (odd, high entropy).
constexpr std::uint64_t window_base = 0x9E3779B97F4A7C15ULL;
// Placeholder token standing for an embedded line.
constexpr std::uint64_t placeholder_token = 0x3C454D4245443EULL;  // "<EMBED>"
// Lines this short or shorter are not keyed as embedded candidates (too many chance matches).
constexpr std::uint32_t min_embedded_tokens = 2;
constexpr std::uint32_t max_embedded_tokens = 32;
// Only lines up to this many tokens are searched for an embedded line: attribution lines and
// teasers are short; body paragraphs are not template lines.
constexpr std::uint32_t max_masked_line_tokens = 64;
// Bounds that keep the search linear on huge documents (a 200 MB file of 2 million lines): a
// page's title is among its first lines, and template lines that embed it are near the top or
// the bottom of the page.
constexpr std::size_t max_candidate_line = 256;   // candidates: among the first 256 lines
constexpr std::size_t searched_lines_each_end = 2048;  // searched: the first and last 2,048 lines
// Gap lines inside a repeated run must be short (a changed title) or partly repeated.
constexpr std::uint32_t max_gap_tokens = 20;
constexpr double gap_coverage = 0.25;
// A passage is at least two lines: one paragraph printed twice (a teaser of the lead, a pull
// quote) is as often the page's own structure as a reprint, and cheap to keep.
constexpr std::size_t min_run_lines = 2;

}  // namespace

std::uint64_t sequence_hash(const std::uint64_t* data, std::size_t n, std::uint64_t seed) noexcept {
  return xxh3_64(data, n * sizeof(std::uint64_t), seed);
}

void tokenize_lines(std::string_view bytes, const std::vector<line_span>& lines, utf8_policy policy,
                    scan_scratch& s, std::vector<line_key>& keys, bool with_keys,
                    const std::vector<std::uint8_t>* skip) {
  static const std::uint64_t number_token = token_hash("#");
  const normalize_options opts{};  // case folding and punctuation folding, no digit masking
  s.hashes.clear();
  s.masked.clear();
  s.offset.assign(1, 0);
  s.moffset.assign(1, 0);
  keys.assign(lines.size(), line_key{});
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const line_span& ln = lines[i];
    const std::string_view text = bytes.substr(ln.begin, ln.end - ln.begin);
    if (!with_keys) {
      if (skip == nullptr || (*skip)[i] == 0) tokenize_hashes(text, opts, policy, s.hashes, nullptr, number_token);
      s.offset.push_back(static_cast<std::uint32_t>(s.hashes.size()));
      keys[i].tokens = s.offset[i + 1] - s.offset[i];
      continue;
    }
    tokenize_hashes(text, opts, policy, s.hashes, &s.masked, number_token);
    s.offset.push_back(static_cast<std::uint32_t>(s.hashes.size()));
    s.moffset.push_back(static_cast<std::uint32_t>(s.masked.size()));
    line_key& k = keys[i];
    k.tokens = s.offset[i + 1] - s.offset[i];
    const std::uint32_t mb = s.moffset[i];
    const std::uint32_t mn = s.moffset[i + 1] - mb;
    k.key = mn == 0 ? 0 : sequence_hash(s.masked.data() + mb, mn, line_key_seed);
  }
}

void compute_masked_keys(scan_scratch& s, std::vector<line_key>& keys) {
  const std::size_t n = keys.size();
  // Prefix hashes per line over the masked sequence: P[j+1] = P[j]*B + h_j.
  s.prefix.assign(s.masked.size() + n, 0);
  std::vector<std::uint64_t> powers(max_embedded_tokens + 1, 1);
  for (std::size_t i = 1; i < powers.size(); ++i) powers[i] = powers[i - 1] * window_base;
  auto pbase = [&](std::size_t line) { return s.moffset[line] + line; };
  // Only lines that can be a candidate or be searched need them (see the two loops below).
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t b = s.moffset[i];
    const std::size_t e = s.moffset[i + 1];
    if (e - b > std::max<std::size_t>(max_masked_line_tokens, max_embedded_tokens)) continue;
    std::uint64_t h = 0;
    s.prefix[pbase(i)] = 0;
    for (std::size_t j = b; j < e; ++j) {
      h = h * window_base + s.masked[j];
      s.prefix[pbase(i) + (j - b) + 1] = h;
    }
  }
  // Candidate embedded lines: (length, full hash), and per first token the lengths (bit L, L <=
  // 32 < 64) of the candidates that start with it: a window can only match where one starts, and
  // only at those lengths (a common first word leads few candidates; all lengths together are
  // most of 2..32).
  s.set.reset(n);
  s.first_lengths.reset(n);
  std::uint64_t zero_lengths = 0;  // candidates whose first token hashes to 0 (not a table key)
  bool any = false;
  for (std::size_t i = 0; i < std::min(n, max_candidate_line); ++i) {
    const std::uint32_t len = s.moffset[i + 1] - s.moffset[i];
    if (len < min_embedded_tokens || len > max_embedded_tokens) continue;
    const std::uint64_t full = s.prefix[pbase(i) + len];
    s.set.insert(mix64(full ^ (static_cast<std::uint64_t>(len) << 56)));
    const std::uint64_t first = s.masked[s.moffset[i]];
    bool inserted = false;
    std::uint64_t& lengths = first == 0 ? zero_lengths : s.first_lengths.find_or_insert(first, 0, inserted);
    lengths |= std::uint64_t{1} << len;
    any = true;
  }
  if (!any) return;
  for (std::size_t i = 0; i < n; ++i) {
    if (i == searched_lines_each_end && n > 2 * searched_lines_each_end) i = n - searched_lines_each_end;
    const std::uint32_t len = s.moffset[i + 1] - s.moffset[i];
    if (len < min_embedded_tokens + 1 || len > max_masked_line_tokens) continue;
    const std::uint64_t* P = s.prefix.data() + pbase(i);
    const std::uint64_t* m = s.masked.data() + s.moffset[i];
    // The longest embedded line wins; the first position on ties.
    std::uint32_t best_len = 0;
    std::uint32_t best_pos = 0;
    const std::uint32_t top = std::min(len - 1, max_embedded_tokens);
    for (std::uint32_t p = 0; p + min_embedded_tokens <= len; ++p) {
      const std::uint64_t* found = m[p] == 0 ? &zero_lengths : s.first_lengths.find(m[p]);
      if (found == nullptr) continue;
      // Lengths L with best_len < L <= min(top, len - p), longest first.
      const std::uint32_t hi = std::min(top, len - p);
      if (hi <= best_len) continue;
      std::uint64_t lengths = *found & ((std::uint64_t{2} << hi) - 1) & ~((std::uint64_t{2} << best_len) - 1);
      while (lengths != 0) {
        const auto L = static_cast<std::uint32_t>(63 - std::countl_zero(lengths));
        lengths &= ~(std::uint64_t{1} << L);
        const std::uint64_t w = P[p + L] - P[p] * powers[L];
        if (!s.set.contains(mix64(w ^ (static_cast<std::uint64_t>(L) << 56)))) continue;
        best_len = L;
        best_pos = p;
        break;
      }
    }
    if (best_len == 0) continue;
    s.tmp.assign(m, m + best_pos);
    s.tmp.push_back(placeholder_token);
    s.tmp.insert(s.tmp.end(), m + best_pos + best_len, m + len);
    keys[i].masked_key = sequence_hash(s.tmp.data(), s.tmp.size(), masked_key_seed);
  }
}

namespace {

// A line is a near-exact copy of another when each holds at least this share of the other's
// distinct shingles (the order check: one changed word touches at most `shingle_size` shingles,
// so a copy with one edit per 25 tokens keeps more than 0.84 of them)...
constexpr double copy_containment = 0.8;
// ...and their token multisets differ in at most one token per this many tokens of the shorter
// line (a word substituted, inserted or dropped counts once). Lines under 25 tokens must hold
// the same tokens: a list item, a table row, a poll entry or a recipe step that differs in one
// key word ("hot oven", "fan oven") is another item, not a reprint with a typo fixed.
constexpr std::uint32_t tokens_per_edit = 25;
// A line is covered by a long line when this share of its distinct shingles occurs in it; the
// long line is a flattened copy when it covers >= 2 lines and those lines hold at least half
// of its own shingles (it is made of them, not a long paragraph quoting a phrase).
constexpr std::size_t min_flattened_parts = 2;
constexpr double flattened_made_of = 0.5;
// Shingles carried by more distinct lines than this are skipped when looking for the line a
// line copies: they cannot single out one source, and skipping them bounds the work per line.
// (Skipping only lowers the shared counts: fewer matches, never a false one.)
constexpr std::size_t max_posting = 64;

// The copy index (scan.hpp) of the lines that can start a run: classes of lines with the same
// token sequence are what it holds, so a line printed a thousand times costs one posting.

// Tokens in one multiset and not in the other, the larger of the two directions.
std::size_t token_edits(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b,
                        std::vector<std::uint64_t>& ta, std::vector<std::uint64_t>& tb) {
  ta.assign(a.begin(), a.end());
  tb.assign(b.begin(), b.end());
  std::sort(ta.begin(), ta.end());
  std::sort(tb.begin(), tb.end());
  std::size_t only_a = 0;
  std::size_t only_b = 0;
  std::size_t x = 0;
  std::size_t y = 0;
  while (x < ta.size() && y < tb.size()) {
    if (ta[x] < tb[y]) {
      ++only_a;
      ++x;
    } else if (tb[y] < ta[x]) {
      ++only_b;
      ++y;
    } else {
      ++x;
      ++y;
    }
  }
  return std::max(only_a + (ta.size() - x), only_b + (tb.size() - y));
}

const copy_index& index_copies(scan_scratch& s, const repeat_options& options, const std::vector<std::uint8_t>& absent,
                               const std::vector<std::uint32_t>& words, const std::vector<double>& coverage) {
  const std::size_t n = words.size();
  copy_index& idx = s.rep.index;
  idx.members.clear();
  idx.class_begin.clear();
  idx.matched.clear();
  idx.flattened.clear();
  // Classes of equal token sequences.
  auto& by_content = s.rep.by_content;
  by_content.clear();
  for (std::size_t i = 0; i < n; ++i)
    if (words[i] != 0)
      by_content.emplace_back(sequence_hash(s.hashes.data() + s.offset[i], words[i], line_key_seed),
                              static_cast<std::uint32_t>(i));
  std::sort(by_content.begin(), by_content.end());
  auto& class_of = s.rep.class_of;
  class_of.assign(n, 0);
  for (std::size_t k = 0; k < by_content.size(); ++k) {
    if (k == 0 || by_content[k].first != by_content[k - 1].first)
      idx.class_begin.push_back(static_cast<std::uint32_t>(k));
    idx.members.push_back(by_content[k].second);
    class_of[by_content[k].second] = static_cast<std::uint32_t>(idx.class_begin.size() - 1);
  }
  idx.class_begin.push_back(static_cast<std::uint32_t>(by_content.size()));
  auto first_of = [&](std::uint32_t c) { return idx.members[idx.class_begin[c]]; };
  auto queries = [&](std::size_t i) { return words[i] != 0 && absent[i] == 0 && coverage[i] >= options.coverage; };
  // Distinct shingles of a present line, made when first needed from the shingles the coverage
  // pass left in s.line_shingles (most lines of a page are never looked at: only the few that
  // repeat enough to start a run ask, and only their candidates answer).
  auto& sh = s.rep.distinct;
  auto& sh_begin = s.rep.distinct_at;
  auto& sh_size = s.rep.distinct_size;
  auto& sh_made = s.rep.distinct_made;
  sh.clear();
  sh_begin.assign(n, 0);
  sh_size.assign(n, 0);
  sh_made.assign(n, 0);
  auto make_distinct = [&](std::size_t i) {
    if (sh_made[i] != 0) return;
    sh_made[i] = 1;
    const std::size_t b = sh.size();
    sh.insert(sh.end(), s.line_shingles.begin() + s.line_shingles_at[i], s.line_shingles.begin() + s.line_shingles_at[i + 1]);
    std::sort(sh.begin() + static_cast<std::ptrdiff_t>(b), sh.end());
    sh.erase(std::unique(sh.begin() + static_cast<std::ptrdiff_t>(b), sh.end()), sh.end());
    sh_begin[i] = static_cast<std::uint32_t>(b);
    sh_size[i] = static_cast<std::uint32_t>(sh.size() - b);
  };
  auto shingles_of = [&](std::size_t i) {  // valid until the next make_distinct()
    return std::span<const std::uint64_t>(sh.data() + sh_begin[i], sh_size[i]);
  };
  // The shingles the asking lines hold, numbered densely: only postings of these can be counted.
  std::size_t asked = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (queries(i)) asked += s.line_shingles_at[i + 1] - s.line_shingles_at[i];
  s.query_ids.reset(asked);
  std::uint32_t ids = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!queries(i)) continue;
    make_distinct(i);
    for (const std::uint64_t h : shingles_of(i))
      if (s.query_ids.first_or_insert(h, ids) == ids) ++ids;
  }
  // The index shingle id -> classes (first lines of classes only, ascending), restricted to
  // those shingles: a posting list is then exactly as long as over all shingles, so the cap
  // below decides alike. Built as (id, class) pairs, one per distinct pair, then bucketed by id.
  constexpr std::uint32_t not_asked = ~std::uint32_t{0};
  auto& pairs = s.rep.pairs;
  auto& last_class = s.rep.last_class;
  pairs.clear();
  last_class.assign(ids, not_asked);
  for (std::size_t c = 0; c + 1 < idx.class_begin.size(); ++c) {
    const std::uint32_t j = first_of(static_cast<std::uint32_t>(c));
    for (std::uint32_t k = s.line_shingles_at[j]; k < s.line_shingles_at[j + 1]; ++k) {
      const std::uint32_t id = s.query_ids.find(s.line_shingles[k], not_asked);
      if (id == not_asked || last_class[id] == c) continue;
      last_class[id] = static_cast<std::uint32_t>(c);
      pairs.emplace_back(id, static_cast<std::uint32_t>(c));
    }
  }
  auto& post_begin = s.rep.post_begin;
  auto& post_class = s.rep.post_class;
  auto& fill = s.rep.fill;
  post_begin.assign(std::size_t{ids} + 1, 0);
  for (const auto& pr : pairs) ++post_begin[pr.first + 1];
  for (std::uint32_t id = 0; id < ids; ++id) post_begin[id + 1] += post_begin[id];
  post_class.resize(pairs.size());
  fill.assign(post_begin.begin(), post_begin.end() - 1);
  for (const auto& pr : pairs) post_class[fill[pr.first]++] = pr.second;  // classes stay ascending
  auto tokens_of = [&](std::size_t i) {
    return std::span<const std::uint64_t>(s.hashes.data() + s.offset[i], words[i]);
  };
  // For each line that can start a run: count shared shingles with every other class.
  idx.matched_begin.assign(n + 1, 0);
  auto& hits = s.rep.hits;
  auto& covers = s.rep.covers;  // (long line, line it covers)
  auto& ta = s.rep.ta;
  auto& tb = s.rep.tb;
  covers.clear();
  for (std::size_t i = 0; i < n; ++i) {
    idx.matched_begin[i] = static_cast<std::uint32_t>(idx.matched.size());
    if (!queries(i)) continue;
    const std::uint32_t own = class_of[i];
    if (first_of(own) < i) idx.matched.push_back(own);  // an exact earlier copy
    hits.clear();
    for (const std::uint64_t h : shingles_of(i)) {
      const std::uint32_t id = s.query_ids.find(h, not_asked);
      const std::uint32_t lo = post_begin[id];
      const std::uint32_t hi = post_begin[id + 1];
      if (hi - lo > max_posting) continue;
      for (std::uint32_t k = lo; k < hi; ++k)
        if (post_class[k] != own) hits.push_back(post_class[k]);
    }
    std::sort(hits.begin(), hits.end());
    const auto mine = static_cast<double>(sh_size[i]);
    for (std::size_t a = 0; a < hits.size();) {
      std::size_t b = a;
      while (b < hits.size() && hits[b] == hits[a]) ++b;
      const std::uint32_t c = hits[a];
      const std::uint32_t j = first_of(c);
      const auto shared = static_cast<double>(b - a);
      make_distinct(j);
      const auto theirs = static_cast<double>(sh_size[j]);
      const bool i_in_j = shared >= copy_containment * mine;
      const bool j_in_i = shared >= copy_containment * theirs;
      a = b;
      if (i_in_j && j_in_i) {
        if (j < i && token_edits(tokens_of(i), tokens_of(j), ta, tb) * tokens_per_edit <= std::min(words[i], words[j]))
          idx.matched.push_back(c);
        continue;
      }
      if (i_in_j && words[j] >= options.min_tokens) covers.emplace_back(j, static_cast<std::uint32_t>(i));
      if (j_in_i && words[i] >= options.min_tokens) covers.emplace_back(static_cast<std::uint32_t>(i), j);
    }
    std::sort(idx.matched.begin() + idx.matched_begin[i], idx.matched.end());
  }
  idx.matched_begin[n] = static_cast<std::uint32_t>(idx.matched.size());
  // Flattened copies among the long lines that cover others.
  std::sort(covers.begin(), covers.end());
  covers.erase(std::unique(covers.begin(), covers.end()), covers.end());
  for (std::size_t a = 0; a < covers.size();) {
    std::size_t b = a;
    while (b < covers.size() && covers[b].first == covers[a].first) ++b;
    const std::uint32_t f = covers[a].first;
    if (b - a >= min_flattened_parts) {
      make_distinct(f);
      for (std::size_t k = a; k < b; ++k) make_distinct(covers[k].second);
      ta.clear();
      for (std::size_t k = a; k < b; ++k) {
        const std::span<const std::uint64_t> part = shingles_of(covers[k].second);
        ta.insert(ta.end(), part.begin(), part.end());
      }
      std::sort(ta.begin(), ta.end());
      std::size_t made_of = 0;
      for (const std::uint64_t h : shingles_of(f)) made_of += std::binary_search(ta.begin(), ta.end(), h) ? 1U : 0U;
      if (static_cast<double>(made_of) >= flattened_made_of * static_cast<double>(shingles_of(f).size()))
        idx.flattened.push_back(f);
    }
    a = b;
  }
  return idx;
}

// One pass of repeat detection over the lines not marked absent (absent lines are invisible:
// they neither match nor are matched, and are skipped like blank lines inside a run).
// `started` tells whether some line passes the pooled-coverage gate: only then can a line copy
// an earlier one or a flattened copy exist, and only then is the per-line copy index built.
std::vector<repeated_run> find_runs_once(scan_scratch& s, const std::vector<line_key>& keys,
                                         const repeat_options& options, const std::vector<std::uint8_t>& absent,
                                         bool& started) {
  const std::size_t n = keys.size();
  std::vector<double>& coverage = s.rep.coverage;
  coverage.assign(n, 0.0);
  s.first_line.reset(s.hashes.size() + 16);
  std::vector<std::uint32_t>& words = s.rep.words;  // tokens per line
  words.assign(n, 0);
  started = false;
  // Every present line's shingles, kept for the copy index (absent and empty lines hold none).
  s.line_shingles.clear();
  s.line_shingles_at.assign(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t b = s.offset[i];
    const std::uint32_t e = s.offset[i + 1];
    s.line_shingles_at[i] = static_cast<std::uint32_t>(s.line_shingles.size());
    if (absent[i] != 0) continue;
    words[i] = e - b;
    if (e == b) continue;
    const std::size_t from = s.line_shingles.size();
    shingle_hashes(std::span<const std::uint64_t>(s.hashes.data() + b, e - b), options.shingle_size,
                   s.line_shingles);
    // Seen: first inserted by an earlier line (a shingle repeated within this line is not).
    std::size_t seen = 0;
    const auto line = static_cast<std::uint32_t>(i);
    for (std::size_t k = from; k < s.line_shingles.size(); ++k)
      seen += s.first_line.first_or_insert(s.line_shingles[k], line) < line ? 1U : 0U;
    coverage[i] = static_cast<double>(seen) / static_cast<double>(s.line_shingles.size() - from);
    started = started || coverage[i] >= options.coverage;
  }
  s.line_shingles_at[n] = static_cast<std::uint32_t>(s.line_shingles.size());
  // No line repeats enough to start a run (most documents): nothing to index.
  if (!started) return {};
  const copy_index& idx = index_copies(s, options, absent, words, coverage);
  auto matched = [&](std::size_t j) {
    return std::span<const std::uint32_t>(idx.matched.data() + idx.matched_begin[j],
                                          idx.matched_begin[j + 1] - idx.matched_begin[j]);
  };
  auto members = [&](std::uint32_t c) {
    return std::span<const std::uint32_t>(idx.members.data() + idx.class_begin[c],
                                          idx.class_begin[c + 1] - idx.class_begin[c]);
  };
  // Weight of a repeating line: its tokens divided by the number of earlier lines it copies,
  // so that a short line recurring all through the first copy adds little evidence.
  auto weight = [&](std::size_t j) -> double {
    double earlier = 0;
    for (const std::uint32_t c : matched(j)) {
      const std::span<const std::uint32_t> pos = members(c);
      earlier += static_cast<double>(std::lower_bound(pos.begin(), pos.end(), j) - pos.begin());
    }
    return static_cast<double>(words[j]) / std::max(1.0, earlier);
  };
  // Source of a repeating line: among the earlier lines it copies, the earliest after `after`,
  // else the first one; -1 when it copies no earlier line (it does not repeat).
  auto source = [&](std::size_t j, std::int64_t after) -> std::int64_t {
    std::int64_t next = -1;
    std::int64_t first = -1;
    for (const std::uint32_t c : matched(j)) {
      const std::span<const std::uint32_t> pos = members(c);  // ascending
      if (first < 0 || pos.front() < first) first = pos.front();
      const auto it = std::upper_bound(pos.begin(), pos.end(), after,
                                       [](std::int64_t a, std::uint32_t p) { return a < static_cast<std::int64_t>(p); });
      if (it != pos.end() && *it < j && (next < 0 || *it < next)) next = *it;
    }
    return next >= 0 ? next : first;
  };
  std::vector<repeated_run> runs;
  std::size_t i = 0;
  while (i < n) {
    if (matched(i).empty()) {
      ++i;
      continue;
    }
    // A run starts at a repeating line; extend over repeating lines, blank lines and short gaps.
    std::size_t last = i;
    double repeated = weight(i);
    std::size_t copied = 1;  // repeating lines in the run
    std::int64_t last_src = source(i, -1);
    std::size_t j = i + 1;
    std::uint32_t gap = 0;
    while (j < n) {
      if (keys[j].tokens == 0 || absent[j] != 0) {
        ++j;
        continue;
      }
      if (!matched(j).empty()) {
        const std::int64_t src = source(j, last_src);
        if (src <= last_src) break;  // goes backwards: not the same copy
        last_src = src;
        repeated += weight(j);
        ++copied;
        last = j;
        gap = 0;
      } else if (gap < options.max_gap &&
                 (keys[j].tokens <= max_gap_tokens || coverage[j] >= gap_coverage)) {
        ++gap;
      } else {
        break;
      }
      ++j;
    }
    if (copied >= min_run_lines && repeated >= static_cast<double>(options.min_tokens)) {
      runs.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(last),
                      static_cast<std::uint32_t>(std::min(repeated, 4e9))});
    }
    i = last + 1;
  }
  // Flattened copies: a long line made of several lines of the page (an aggregator's summary
  // blob) goes, and the copy with the article's line structure stays.
  std::vector<repeated_run> flat;
  std::size_t r = 0;
  for (const std::uint32_t f : idx.flattened) {
    while (r < runs.size() && runs[r].last < f) ++r;
    if (r < runs.size() && runs[r].first <= f) continue;  // already part of a run
    flat.push_back({f, f, words[f]});
  }
  runs.insert(runs.end(), flat.begin(), flat.end());
  std::sort(runs.begin(), runs.end(), [](const repeated_run& a, const repeated_run& b) { return a.first < b.first; });
  return runs;
}

}  // namespace

std::vector<repeated_run> find_runs(scan_scratch& s, const std::vector<line_key>& keys,
                                    const std::vector<line_span>& lines, std::string_view bytes,
                                    const repeat_options& options, const std::vector<std::uint8_t>* given,
                                    bool* candidates) {
  (void)lines;
  (void)bytes;
  // Detection is repeated on what is left until nothing more is found, so that stripping is
  // idempotent: removing a later copy can make another copy's lines line up (their coverage
  // and order are judged against what precedes them).
  const std::size_t n = keys.size();
  std::vector<std::uint8_t> absent = given != nullptr ? *given : std::vector<std::uint8_t>(n, 0);
  std::vector<repeated_run> all;
  for (int round = 0; round < 16; ++round) {
    bool started = false;
    const std::vector<repeated_run> found = find_runs_once(s, keys, options, absent, started);
    if (round == 0 && candidates != nullptr) *candidates = started;
    if (found.empty()) break;
    for (const repeated_run& r : found) {
      for (std::uint32_t l = r.first; l <= r.last; ++l) absent[l] = 1;
      all.push_back(r);
    }
  }
  if (all.size() < 2) return all;
  std::sort(all.begin(), all.end(), [](const repeated_run& a, const repeated_run& b) { return a.first < b.first; });
  std::vector<repeated_run> merged{all.front()};
  for (std::size_t k = 1; k < all.size(); ++k) {
    repeated_run& m = merged.back();
    if (all[k].first <= m.last + 1) {
      m.last = std::max(m.last, all[k].last);
      m.repeated_tokens += all[k].repeated_tokens;
    } else {
      merged.push_back(all[k]);
    }
  }
  return merged;
}

}  // namespace detail

std::vector<line_key> compute_line_keys(std::string_view bytes, const std::vector<line_span>& lines,
                                        utf8_policy policy) {
  detail::scan_scratch s;
  std::vector<line_key> keys;
  detail::tokenize_lines(bytes, lines, policy, s, keys);
  detail::compute_masked_keys(s, keys);
  return keys;
}

std::vector<repeated_run> find_repeated_runs(std::string_view bytes, const std::vector<line_span>& lines,
                                             const repeat_options& options, utf8_policy policy) {
  detail::scan_scratch s;
  std::vector<line_key> keys;
  detail::tokenize_lines(bytes, lines, policy, s, keys);
  return detail::find_runs(s, keys, lines, bytes, options);
}

}  // namespace dupstrip

// The steps of a cleaning run (see engine.hpp): scan a document to fingerprints, merge them into
// pre-clusters and the boilerplate set, fingerprint each document's content (boilerplate and
// repeats left out), cluster the content and keep one copy per cluster.
//
// Determinism: every per-document result is stored at the document's index, every merge walks
// documents in index order (or a sort order that ends in the index), and union-find keeps the
// smallest index as representative, so the outcome is independent of threads and scheduling.
#include "dupstrip/engine.hpp"

#include "dupstrip/line_decisions.hpp"
#include "dupstrip/document.hpp"
#include "dupstrip/hash.hpp"
#include "dupstrip/lsh.hpp"
#include "dupstrip/minhash.hpp"
#include "dupstrip/parallel.hpp"
#include "dupstrip/shingle.hpp"
#include "dupstrip/template_lines.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <future>
#include <stdexcept>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dupstrip::detail {

namespace {

// Near-identical template lines are compared with short signatures of word 3-shingles: they
// only need to tell "the same line with a word changed" from "another line".
constexpr std::uint32_t block_perm = 32;
constexpr std::uint32_t block_shingle = 3;
constexpr std::uint32_t min_block_sig_tokens = 8;

// Every candidate pair is verified against the threshold, so a false positive of the banding
// costs one signature comparison while a false negative loses a duplicate for good: weigh the
// false-negative area 19 times the false-positive area (for 0.8 and 128 slots: 16 bands x 8
// rows, P(candidate) = 0.95 at J = 0.8 and 0.994 at 0.85, against 0.40 and 0.69 with equal weights).
constexpr double fp_weight = 0.05;
constexpr double fn_weight = 0.95;

// Document shingles: every run of min_shingle_size .. shingle_size tokens (an n-gram range, as
// in IR feature extraction). Unigrams make the similarity robust to scattered word edits
// (a syndicated copy with 6% of words changed keeps ~95% of its word set but only ~80% of its
// bigrams); the longer shingles keep word order in it, so two different articles that use the
// same vocabulary do not look alike.
void content_shingles(const std::vector<std::uint64_t>& tokens, const clean_options& o,
                      std::vector<std::uint64_t>& out) {
  out.clear();
  for (std::uint32_t k = o.min_shingle_size; k <= o.shingle_size; ++k) shingle_hashes(tokens, k, out);
}

lsh_params doc_params(const clean_options& o) {
  if (o.bands != 0) return {o.bands, o.rows};
  return optimal_lsh_params(o.threshold, o.num_perm, fp_weight, fn_weight);
}

minhasher make_block_hasher(const clean_options& o) {
  std::uint64_t state = o.seed ^ 0x626C6F636BULL;  // "block"
  return minhasher({block_perm, splitmix64(state), o.scheme});
}

}  // namespace

engine_config::engine_config(const clean_options& o)
    : opt(o),
      doc_mh({o.num_perm, o.seed, o.scheme}),
      block_mh(make_block_hasher(o)),
      rep{o.min_repeat_tokens, o.repeat_coverage, 4, 2},
      doc_lsh(doc_params(o)),
      block_lsh(optimal_lsh_params(std::min(o.block_similarity, 0.99), block_perm, fp_weight, fn_weight)) {}

// ------------------------------------------------------------------------------ per document

namespace {
// Keeps the keys of number-only lines (their exact hashes) apart from other line keys.
constexpr std::uint64_t numbers_only_salt = 0x6E756D6265727321ULL;  // "numbers!"
}  // namespace

scan_record scan_document(result<std::string> data, const engine_config& cfg, scan_scratch& s,
                          const page_markup* markup) {
  const clean_options& opt = cfg.opt;
  scan_record rec;
  doc_result& res = rec.res;
  if (!data.has_value()) {
    res.status = doc_status::skipped;
    res.error = data.error();
    return rec;
  }
  const std::string& bytes = data.value();
  res.bytes = bytes.size();
  if (bytes.size() > opt.max_document_bytes) {
    res.status = doc_status::skipped;
    res.error = make_error_code(errc::too_large);
    return rec;
  }
  if (looks_binary(bytes)) {
    res.status = doc_status::skipped;
    res.error = make_error_code(errc::binary_file);
    return rec;
  }
  const utf8_status u = check_utf8(bytes);
  if (!u.valid) {
    if (opt.utf8 == utf8_policy::strict) {
      res.status = doc_status::skipped;
      res.error = make_error_code(errc::invalid_utf8);
      res.error_offset = static_cast<std::uint32_t>(u.first_error);
      return rec;
    }
    if (opt.utf8 == utf8_policy::replace) res.utf8_replacements = static_cast<std::uint32_t>(u.error_count);
  }
  rec.raw_hash = xxh3_64(bytes);
  const std::vector<line_span> lines = split_lines(bytes);
  res.lines = static_cast<std::uint32_t>(lines.size());
  std::vector<line_key> keys;
  tokenize_lines(bytes, lines, opt.utf8, s, keys);
  compute_masked_keys(s, keys);
  static const std::uint64_t number_token = token_hash("#");
  const std::vector<repeated_run> runs = find_runs(s, keys, lines, bytes, cfg.rep, nullptr, &rec.repeat_candidates);
  rec.lines.resize(lines.size());
  for (std::size_t l = 0; l < lines.size(); ++l) {
    line_fp& lf = rec.lines[l];
    lf.begin = lines[l].begin;
    lf.end = lines[l].end;
    lf.next = lines[l].next;
    lf.tokens = keys[l].tokens;
    lf.key = keys[l].key;
    lf.masked_key = keys[l].masked_key;
    lf.blank = is_blank(bytes, lines[l]);
    const std::uint32_t nt = s.offset[l + 1] - s.offset[l];
    lf.exact = nt == 0 ? 0 : sequence_hash(s.hashes.data() + s.offset[l], nt, exact_key_seed);
    lf.label = label_tokens(bytes.substr(lines[l].begin, lines[l].end - lines[l].begin));
    set_template_parts(s.masked.data() + s.moffset[l], s.moffset[l + 1] - s.moffset[l], lf);
    const auto number_tokens =
        std::count(s.masked.begin() + s.moffset[l], s.masked.begin() + s.moffset[l + 1], number_token);
    lf.numbers = static_cast<std::uint8_t>(std::min<std::ptrdiff_t>(3, number_tokens));
    // Web pages: a cell of the main text's tables holding numbers only ("1,480") is data. Digit
    // masking would make every such cell one key, found on every page with a table, so it is
    // keyed by its exact text. (A counter or a pager outside the main text keeps its masked key.)
    if (markup != nullptr && markup->lines.size() == lines.size() && number_tokens > 0 &&
        static_cast<std::uint32_t>(number_tokens) == s.moffset[l + 1] - s.moffset[l] &&
        (markup->lines[l].flags & (markup_table_cell | markup_outside_main)) == markup_table_cell)
      lf.key = lf.exact ^ numbers_only_salt;
  }
  if (markup != nullptr) {
    res.utf8_replacements += markup->replacements;
    if (markup->lines.size() == lines.size()) {
      for (std::size_t l = 0; l < lines.size(); ++l) {
        rec.lines[l].markup = markup->lines[l].flags;
        rec.lines[l].link_share = markup->lines[l].link_share;
        rec.lines[l].source_line = markup->lines[l].source_line;
      }
    }
  }
  for (const repeated_run& r : runs)
    for (std::uint32_t l = r.first; l <= r.last; ++l) rec.lines[l].repeat = true;
  // Raw signature (all lines but repeats): used only to count boilerplate over clusters.
  s.tmp.clear();
  for (std::size_t l = 0; l < lines.size(); ++l) {
    if (rec.lines[l].repeat) continue;
    s.tmp.insert(s.tmp.end(), s.hashes.begin() + s.offset[l], s.hashes.begin() + s.offset[l + 1]);
  }
  s.shingles.clear();
  content_shingles(s.tmp, opt, s.shingles);
  if (!s.shingles.empty()) {
    rec.sig.resize(opt.num_perm);
    cfg.doc_mh.compute(s.shingles, rec.sig);
    rec.active = true;
  }
  // Block signatures of longer lines, for near-identical template lines (sized once).
  std::size_t signed_lines = 0;
  for (std::size_t l = 0; l < lines.size(); ++l) signed_lines += s.moffset[l + 1] - s.moffset[l] >= min_block_sig_tokens ? 1U : 0U;
  rec.block_sigs.reserve(signed_lines * block_perm);
  for (std::size_t l = 0; l < lines.size(); ++l) {
    line_fp& lf = rec.lines[l];
    const std::uint32_t mb = s.moffset[l];
    const std::uint32_t mn = s.moffset[l + 1] - mb;
    if (mn < min_block_sig_tokens) continue;
    s.shingles.clear();
    shingle_hashes(std::span<const std::uint64_t>(s.masked.data() + mb, mn), block_shingle, s.shingles);
    lf.sig = static_cast<std::uint32_t>(rec.block_sigs.size() / block_perm);
    rec.block_sigs.resize(rec.block_sigs.size() + block_perm);
    cfg.block_mh.compute(s.shingles,
                         std::span<std::uint32_t>(rec.block_sigs.data() + std::size_t{lf.sig} * block_perm, block_perm));
  }
  return rec;
}

content_record content_document(result<std::string> data, const content_input& in, const engine_config& cfg,
                                scan_scratch& s) {
  const clean_options& opt = cfg.opt;
  content_record rec;
  if (!data.has_value()) {
    rec.error = data.error();
    return rec;
  }
  const std::string& bytes = data.value();
  const std::vector<line_span> lines = split_lines(bytes);
  if (xxh3_64(bytes) != in.raw_hash || lines.size() != in.lines) {
    rec.error = make_error_code(errc::changed_during_run);
    return rec;
  }
  // A line is removed when it starts inside a removed range (ranges are unions of lines).
  std::vector<std::uint8_t> removed(lines.size(), 0);
  for (std::size_t l = 0, r = 0; l < lines.size(); ++l) {
    while (r < in.removals.size() && in.removals[r].end <= lines[l].begin) ++r;
    if (r < in.removals.size() && in.removals[r].begin <= lines[l].begin) removed[l] = 1;
  }
  const std::vector<std::uint8_t> removed_before = removed;
  std::vector<std::uint8_t> blank(lines.size(), 0);
  bool any_removed = false;
  for (std::size_t l = 0; l < lines.size(); ++l) {
    blank[l] = is_blank(bytes, lines[l]) ? 1 : 0;
    any_removed = any_removed || (removed[l] != 0 && blank[l] == 0);
  }
  std::vector<line_key> keys;
  tokenize_lines(bytes, lines, opt.utf8, s, keys, false, &removed_before);
  // Repeats among what is left: once boilerplate lines are gone, the lines of a second copy
  // can line up into a run (a second run over the output would strip it, so strip it now).
  if (any_removed && in.repeat_candidates) {
    const std::vector<repeated_run> more = find_runs(s, keys, lines, bytes, cfg.rep, &removed_before);
    rec.found_runs = !more.empty();
    for (const repeated_run& r : more)
      for (std::uint32_t l = r.first; l <= r.last; ++l)
        if (removed[l] == 0 && blank[l] == 0) {
          removed[l] = 1;
          rec.new_repeats.push_back(l);
        }
  }
  s.tmp.clear();
  for (std::size_t l = 0; l < lines.size(); ++l) {
    if (removed[l] != 0 || keys[l].tokens == 0) continue;
    s.tmp.insert(s.tmp.end(), s.hashes.begin() + s.offset[l], s.hashes.begin() + s.offset[l + 1]);
    rec.content_bytes += lines[l].end - lines[l].begin;
  }
  for (const std::uint32_t l : in.top_lines)
    rec.top_text.emplace_back(l < lines.size() ? bytes.substr(lines[l].begin, lines[l].end - lines[l].begin)
                                               : std::string());
  rec.content_tokens = s.tmp.size();
  if (!s.tmp.empty()) {
    rec.content_hash = sequence_hash(s.tmp.data(), s.tmp.size(), content_seed);
    s.shingles.clear();
    content_shingles(s.tmp, opt, s.shingles);
    rec.sig.resize(opt.num_perm);
    cfg.doc_mh.compute(s.shingles, rec.sig);
    rec.active = true;
  }
  return rec;
}

// ------------------------------------------------------------------------------ the merge

namespace {

// Line records in the lines spill: begin, end, next, tokens, key, masked_key, exact, template
// parts (head[3], tail[3], pattern_tokens), flags, markup flags, link share, source line.
constexpr std::size_t line_bytes = 72;
constexpr std::uint8_t flag_blank = 1;
constexpr std::uint8_t flag_repeat = 2;
constexpr unsigned numbers_shift = 2;  // two bits: masked number tokens, at most 3
constexpr unsigned label_shift = 4;    // two bits: tokens of a label opening the line

void put_line(unsigned char* p, const line_fp& l) {
  std::memcpy(p, &l.begin, 4);
  std::memcpy(p + 4, &l.end, 4);
  std::memcpy(p + 8, &l.next, 4);
  std::memcpy(p + 12, &l.tokens, 4);
  std::memcpy(p + 16, &l.key, 8);
  std::memcpy(p + 24, &l.masked_key, 8);
  std::memcpy(p + 32, &l.exact, 8);
  std::memcpy(p + 40, l.head, 12);
  std::memcpy(p + 52, l.tail, 12);
  p[64] = l.pattern_tokens;
  p[65] = static_cast<unsigned char>((l.blank ? flag_blank : 0) | (l.repeat ? flag_repeat : 0) |
                                     (l.numbers << numbers_shift) | (l.label << label_shift));
  p[66] = l.markup;
  p[67] = l.link_share;
  std::memcpy(p + 68, &l.source_line, 4);
}

void get_line(const unsigned char* p, line_fp& l) {
  l = line_fp{};
  std::memcpy(&l.begin, p, 4);
  std::memcpy(&l.end, p + 4, 4);
  std::memcpy(&l.next, p + 8, 4);
  std::memcpy(&l.tokens, p + 12, 4);
  std::memcpy(&l.key, p + 16, 8);
  std::memcpy(&l.masked_key, p + 24, 8);
  std::memcpy(&l.exact, p + 32, 8);
  std::memcpy(l.head, p + 40, 12);
  std::memcpy(l.tail, p + 52, 12);
  l.pattern_tokens = p[64];
  l.blank = (p[65] & flag_blank) != 0;
  l.repeat = (p[65] & flag_repeat) != 0;
  l.numbers = static_cast<std::uint8_t>((p[65] >> numbers_shift) & 3U);
  l.label = static_cast<std::uint8_t>((p[65] >> label_shift) & 3U);
  l.markup = p[66];
  l.link_share = p[67];
  std::memcpy(&l.source_line, p + 68, 4);
}

// First-occurrence block signatures in the blocks spill: group, tokens, key, block_perm slots.
struct block_head {
  std::uint32_t group;
  std::uint32_t tokens;
  std::uint64_t key;
};
constexpr std::size_t block_bytes = sizeof(block_head) + block_perm * sizeof(std::uint32_t);
static_assert(sizeof(block_head) == 16);

/// Reads one sorted run of block records sequentially, a buffer at a time.
class block_run_reader {
 public:
  block_run_reader(const spill_file& f, std::uint64_t at, std::uint64_t records) : f_(&f), at_(at), left_(records) {
    fill();
  }
  [[nodiscard]] bool done() const noexcept { return pos_ == have_; }
  [[nodiscard]] block_head head() const {
    block_head h;
    std::memcpy(&h, buf_.data() + pos_ * block_bytes, sizeof h);
    return h;
  }
  [[nodiscard]] const unsigned char* record() const { return buf_.data() + pos_ * block_bytes; }
  void next() {
    if (++pos_ == have_) fill();
  }

 private:
  static constexpr std::uint64_t batch = 256;
  const spill_file* f_;
  std::uint64_t at_;
  std::uint64_t left_;
  std::vector<unsigned char> buf_;
  std::size_t pos_ = 0;
  std::size_t have_ = 0;
  void fill() {
    pos_ = 0;
    have_ = static_cast<std::size_t>(std::min(left_, batch));
    buf_.resize(have_ * block_bytes);
    if (have_ != 0) f_->read_at(at_, buf_.data(), buf_.size());
    at_ += have_ * block_bytes;
    left_ -= have_;
    if (have_ == 0) buf_.shrink_to_fit();
  }
};

}  // namespace

run_state::run_state(const clean_options& options, std::vector<std::uint32_t> group_of,
                     std::vector<std::string> group_names, unsigned jobs)
    : cfg_(options),
      jobs_(jobs),
      results_(group_of.size()),
      extra_(group_of.size()),
      group_of_(std::move(group_of)),
      groups_(group_names.size()),
      lines_(std::make_unique<spill_file>(options.temp_dir)),
      sigs_(std::make_unique<spill_file>(options.temp_dir)),
      blocks_(std::make_unique<spill_file>(options.temp_dir)),
      removals_(group_of_.size(), options.temp_dir) {
  for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].name = std::move(group_names[g]);
  sigs_->grow_to(std::uint64_t{group_of_.size()} * options.num_perm * sizeof(std::uint32_t));
}

void run_state::write_lines(std::size_t i, std::span<const line_fp> lines) {
  std::vector<unsigned char> buf(lines.size() * line_bytes);
  for (std::size_t l = 0; l < lines.size(); ++l) put_line(buf.data() + l * line_bytes, lines[l]);
  extra_[i].lines_at = buf.empty() ? 0 : lines_->append(buf.data(), buf.size());
}

void run_state::write_sig(std::size_t i, std::span<const std::uint32_t> sig) {
  const std::size_t K = cfg_.opt.num_perm;
  sigs_->write_at(std::uint64_t{i} * K * sizeof(std::uint32_t), sig.data(), K * sizeof(std::uint32_t));
}

void run_state::read_sig(std::size_t i, std::span<std::uint32_t> out) const {
  const std::size_t K = cfg_.opt.num_perm;
  sigs_->read_at(std::uint64_t{i} * K * sizeof(std::uint32_t), out.data(), K * sizeof(std::uint32_t));
}

namespace {

// Marks the lines covered by a document's removed ranges (see run_state::lines_of).
void apply_removals(std::vector<line_fp>& lines, const std::vector<removal>& rem) {
  for (std::size_t l = 0, r = 0; l < lines.size(); ++l) {
    while (r < rem.size() && rem[r].end <= lines[l].begin) ++r;
    if (r == rem.size() || rem[r].begin > lines[l].begin) continue;
    line_fp& lf = lines[l];
    lf.removed = true;
    if (lf.blank) continue;
    if (rem[r].reason == removal_reason::repeat) lf.repeat = true;
    if (rem[r].reason == removal_reason::corpus) lf.corpus = true;
    if (rem[r].reason == removal_reason::line_repeat) lf.line_repeat = true;
    if (rem[r].reason == removal_reason::template_line) lf.pattern = rem[r].pattern;
    if (rem[r].reason == removal_reason::links || rem[r].reason == removal_reason::outside_main) continue;
    lf.pages = rem[r].pages;
    lf.gpages = rem[r].group_pages;
  }
}

}  // namespace

void run_state::set_removals(std::size_t i, std::span<const removal> rem) {
  extra_[i].removed_bytes = removed_bytes_of(rem);
  removals_.set(i, rem);
}

std::size_t run_state::stored_lines(std::size_t i) const {
  return results_[i].status == doc_status::skipped ? 0 : results_[i].lines;
}

std::vector<line_fp> run_state::decode_lines(std::size_t i, const unsigned char* records) const {
  std::vector<line_fp> lines;
  decode_lines_into(i, records, lines);
  return lines;
}

void run_state::decode_lines_into(std::size_t i, const unsigned char* records, std::vector<line_fp>& lines) const {
  lines.resize(stored_lines(i));
  for (std::size_t l = 0; l < lines.size(); ++l) get_line(records + l * line_bytes, lines[l]);
  if (removals_.count(i) != 0) apply_removals(lines, removals_.get(i));
}

std::vector<line_fp> run_state::lines_of(std::size_t i) const {
  std::vector<unsigned char> buf(stored_lines(i) * line_bytes);
  if (!buf.empty()) lines_->read_at(extra_[i].lines_at, buf.data(), buf.size());
  return decode_lines(i, buf.data());
}

const std::vector<line_fp>& run_state::line_cursor::lines_of(std::size_t i) {
  const run_state& st = *st_;
  const std::uint64_t len = st.stored_lines(i) * line_bytes;
  if (len == 0) {
    lines_.clear();
    return lines_;
  }
  const std::uint64_t at = st.extra_[i].lines_at;
  if (at < at_ || at + len > at_ + held_) {
    // Read ahead only while documents come in the order of the file (a site's pages stored
    // together); a document elsewhere (sites interleaved in the input) is read alone, not with
    // a window of others' records that the next call would read again.
    constexpr std::uint64_t window = 256 * 1024;
    const std::uint64_t end = st.lines_->appended();
    const std::uint64_t want = at == next_ ? std::max(len, std::min(window, end > at ? end - at : 0)) : len;
    if (window_.size() < want) window_.resize(static_cast<std::size_t>(want));
    st.lines_->read_at(at, window_.data(), static_cast<std::size_t>(want));
    at_ = at;
    held_ = want;
  }
  next_ = at + len;
  st.decode_lines_into(i, window_.data() + (at - at_), lines_);
  return lines_;
}

void run_state::load_document(std::size_t i, const doc_result& res, const doc_extra& ex,
                              std::span<const line_fp> lines, std::span<const removal> rem,
                              std::span<const std::uint32_t> sig) {
  results_[i] = res;
  extra_[i] = ex;
  write_lines(i, lines);
  set_removals(i, rem);
  if (ex.active) write_sig(i, sig);
}

void run_state::add_scans(std::size_t lo, std::span<scan_record> recs) {
  if (lo != added_ || lo + recs.size() > results_.size())
    throw std::logic_error("run_state::add_scans: documents must be added in order");
  const std::size_t K = cfg_.opt.num_perm;
  // Buffers kept between calls (their pages stay mapped: no page faults per chunk).
  // Sized once for the chunk (growing it record by record copied it over and over, into
  // fresh pages each time); it only grows, so its bytes are cleared only when it does.
  std::vector<unsigned char>& lines = chunk_lines_;
  std::size_t line_count = 0;
  std::size_t block_count = 0;
  for (const scan_record& rec : recs) {
    line_count += rec.lines.size();
    if (rec.res.status != doc_status::skipped) block_count += rec.lines.size();
  }
  if (lines.size() < line_count * line_bytes) lines.resize(line_count * line_bytes);
  std::size_t lines_used = 0;
  std::vector<std::uint64_t> lines_at(recs.size(), 0);
  std::vector<std::uint32_t>& sigs = chunk_sigs_;
  sigs.assign(recs.size() * K, empty_slot);
  struct block_ref {
    block_head head;
    const std::uint32_t* sig;
  };
  std::vector<block_ref> blocks;
  blocks.reserve(block_count);
  for (std::size_t k = 0; k < recs.size(); ++k) {
    const std::size_t i = lo + k;
    scan_record& rec = recs[k];
    results_[i] = rec.res;
    doc_extra& ex = extra_[i];
    ex = doc_extra{};
    ex.raw_hash = rec.raw_hash;
    ex.repeat_candidates = rec.repeat_candidates;
    ex.active = rec.active && rec.sig.size() == K;
    if (ex.active) std::copy_n(rec.sig.begin(), K, sigs.begin() + static_cast<std::ptrdiff_t>(k * K));
    lines_at[k] = lines_used;
    for (std::size_t l = 0; l < rec.lines.size(); ++l) put_line(lines.data() + lines_used + l * line_bytes, rec.lines[l]);
    lines_used += rec.lines.size() * line_bytes;
    if (rec.res.status == doc_status::skipped) continue;
    for (const line_fp& l : rec.lines) {
      if (l.sig == no_sig || std::size_t{l.sig} * block_perm + block_perm > rec.block_sigs.size()) continue;
      blocks.push_back({{group_of_[i], l.tokens, l.key}, rec.block_sigs.data() + std::size_t{l.sig} * block_perm});
    }
  }
  if (lines_used != 0) {
    const std::uint64_t base = lines_->append(lines.data(), lines_used);
    for (std::size_t k = 0; k < recs.size(); ++k) extra_[lo + k].lines_at = base + lines_at[k];
  }
  if (!recs.empty()) sigs_->write_at(std::uint64_t{lo} * K * sizeof(std::uint32_t), sigs.data(), sigs.size() * sizeof(std::uint32_t));
  // One sorted run per call: by (group, tokens), in document and line order within.
  std::stable_sort(blocks.begin(), blocks.end(), [](const block_ref& a, const block_ref& b) {
    return a.head.group != b.head.group ? a.head.group < b.head.group : a.head.tokens < b.head.tokens;
  });
  // Only a key's first occurrence in its group is compared: drop the later ones of this chunk
  // (a key has one token count, so its copies are in one (group, tokens) range); the merge of
  // the runs drops those of later chunks.
  {
    flat_set64 seen;
    std::size_t kept = 0;
    for (std::size_t b0 = 0; b0 < blocks.size();) {
      std::size_t b1 = b0;
      while (b1 < blocks.size() && blocks[b1].head.group == blocks[b0].head.group &&
             blocks[b1].head.tokens == blocks[b0].head.tokens)
        ++b1;
      seen.reset(b1 - b0);
      for (std::size_t k = b0; k < b1; ++k)
        if (seen.insert(blocks[k].head.key)) blocks[kept++] = blocks[k];
      b0 = b1;
    }
    blocks.resize(kept);
  }
  if (!blocks.empty()) {
    std::vector<unsigned char>& buf = chunk_blocks_;
    buf.resize(blocks.size() * block_bytes);
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      std::memcpy(buf.data() + k * block_bytes, &blocks[k].head, sizeof(block_head));
      std::memcpy(buf.data() + k * block_bytes + sizeof(block_head), blocks[k].sig, block_perm * sizeof(std::uint32_t));
    }
    block_runs_.emplace_back(blocks_->append(buf.data(), buf.size()), blocks.size());
  }
  added_ = lo + recs.size();
}

// Near-identical lines: per group and token count, cluster the block signatures of distinct
// keys. The sorted runs are merged, so that each (group, tokens) bucket arrives whole, its
// lines in document order; buckets are clustered in batches. Groups are independent: the
// groups are split into ranges of about equal line counts, and each range of every run is
// merged on its own thread (the runs are sorted by group, so a range is a slice of each run).
void run_state::near_identical_lines() {
  const std::size_t ranges = std::min<std::size_t>(resolve_jobs(jobs_), groups_.size());
  // Split groups: the first group of each range, by the lines of the stored documents.
  std::vector<std::uint32_t> first_group{0};
  if (ranges > 1) {
    std::vector<std::uint64_t> lines_of(groups_.size(), 0);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < results_.size(); ++i) {
      lines_of[group_of_[i]] += stored_lines(i);
      total += stored_lines(i);
    }
    std::uint64_t seen = 0;
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      if (first_group.size() < ranges && g > first_group.back() && seen * ranges >= total * first_group.size())
        first_group.push_back(static_cast<std::uint32_t>(g));
      seen += lines_of[g];
    }
  }
  // Each run's slice for each range: binary search of its first record of the range's group.
  auto first_at_or_after = [&](std::uint64_t at, std::uint64_t count, std::uint32_t group) {
    std::uint64_t lo = 0;
    std::uint64_t hi = count;
    while (lo < hi) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      block_head h;
      blocks_->read_at(at + mid * block_bytes, &h, sizeof h);
      if (h.group < group) lo = mid + 1; else hi = mid;
    }
    return lo;
  };
  std::vector<std::vector<std::pair<std::uint64_t, std::uint64_t>>> slices(first_group.size());
  for (const auto& [at, count] : block_runs_) {
    std::uint64_t from = 0;
    for (std::size_t r = 0; r < first_group.size(); ++r) {
      const std::uint64_t to = r + 1 < first_group.size() ? first_at_or_after(at, count, first_group[r + 1]) : count;
      if (to > from) slices[r].emplace_back(at + from * block_bytes, to - from);
      from = to;
    }
  }
  if (slices.size() == 1) {
    merge_block_runs(slices[0], jobs_);
  } else {
    parallel_for(slices.size(), jobs_, 1, [&](unsigned, std::size_t r) { merge_block_runs(slices[r], 1); });
  }
  for (group_info& g : groups_) std::sort(g.rep.begin(), g.rep.end());
  block_runs_.clear();
  blocks_written_ = blocks_->appended();
  blocks_.reset();
}

void run_state::merge_block_runs(std::span<const std::pair<std::uint64_t, std::uint64_t>> slices, unsigned jobs) {
  const clean_options& opt = cfg_.opt;
  std::vector<block_run_reader> runs;
  runs.reserve(slices.size());
  for (const auto& [at, count] : slices) runs.emplace_back(*blocks_, at, count);
  auto before = [&](std::size_t a, std::size_t b) {  // heap order: smallest (group, tokens, run) on top
    const block_head x = runs[a].head();
    const block_head y = runs[b].head();
    if (x.group != y.group) return x.group > y.group;
    if (x.tokens != y.tokens) return x.tokens > y.tokens;
    return a > b;
  };
  std::vector<std::size_t> heap;
  for (std::size_t r = 0; r < runs.size(); ++r)
    if (!runs[r].done()) heap.push_back(r);
  std::make_heap(heap.begin(), heap.end(), before);

  // A bucket's signatures lie in its batch's arena (appended without zero filling, reused
  // from batch to batch), at sigs_at .. sigs_at + keys.size() * block_perm. Batches of about
  // 1 MiB of signatures; with more than one job, a batch is clustered on a helper thread while
  // the merge fills the next one (two arenas, one batch in flight, groups' lists appended in
  // batch order).
  struct bucket {
    std::uint32_t group;
    std::vector<std::uint64_t> keys;
    std::size_t sigs_at = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> rep;
  };
  struct batch_t {
    std::vector<bucket> buckets;
    std::vector<std::uint32_t> arena;
  };
  constexpr std::size_t batch_limit = std::size_t{1} << 20;
  std::array<batch_t, 2> batches;
  unsigned side = 0;
  for (batch_t& b : batches) b.arena.reserve(batch_limit / sizeof(std::uint32_t) + block_perm);
  auto run_batch = [this, &opt, jobs](batch_t& bt) {
    cluster_options bopt;
    bopt.threshold = opt.block_similarity;
    bopt.params = cfg_.block_lsh;
    bopt.jobs = bt.buckets.size() == 1 ? jobs : 1;
    parallel_for(bt.buckets.size(), jobs, 1, [&](unsigned, std::size_t b) {
      bucket& bk = bt.buckets[b];
      const std::vector<std::uint32_t> rep = cluster_signatures(
          std::span<const std::uint32_t>(bt.arena.data() + bk.sigs_at, bk.keys.size() * block_perm), block_perm, bopt);
      for (std::size_t k = 0; k < rep.size(); ++k)
        if (rep[k] != k) bk.rep.emplace_back(bk.keys[k], bk.keys[rep[k]]);
    });
    for (bucket& bk : bt.buckets)
      groups_[bk.group].rep.insert(groups_[bk.group].rep.end(), bk.rep.begin(), bk.rep.end());
  };
  std::future<void> in_flight;
  auto flush_batch = [&] {
    if (in_flight.valid()) in_flight.get();
    batch_t& full = batches[side];
    if (jobs > 1) {
      in_flight = std::async(std::launch::async, run_batch, std::ref(full));
    } else {
      run_batch(full);
    }
    side ^= 1U;
    batches[side].buckets.clear();
    batches[side].arena.clear();
  };
  bucket cur;
  std::uint32_t cur_tokens = 0;
  auto close_bucket = [&] {
    batch_t& bt = batches[side];
    if (cur.keys.size() >= 2) {
      bt.buckets.push_back(std::move(cur));
    } else {
      bt.arena.resize(cur.sigs_at);  // a lone line is not clustered: its signature goes
    }
    if (bt.arena.size() * sizeof(std::uint32_t) >= batch_limit) flush_batch();
    cur = bucket{};
    cur.sigs_at = batches[side].arena.size();
  };
  bool open = false;
  flat_set64 bucket_keys;  // keys of the current bucket (later copies are dropped)
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), before);
    const std::size_t r = heap.back();
    const block_head h = runs[r].head();
    if (!open || h.group != cur.group || h.tokens != cur_tokens) {
      if (open) close_bucket();
      bucket_keys.reset(16);
      cur.group = h.group;
      cur_tokens = h.tokens;
      open = true;
    }
    if (bucket_keys.insert(h.key)) {  // the key's first occurrence in the group
      cur.keys.push_back(h.key);
      std::uint32_t slots[block_perm];
      std::memcpy(slots, runs[r].record() + sizeof(block_head), sizeof slots);
      batches[side].arena.insert(batches[side].arena.end(), slots, slots + block_perm);
    }
    runs[r].next();
    if (runs[r].done()) {
      heap.pop_back();
    } else {
      std::push_heap(heap.begin(), heap.end(), before);
    }
  }
  if (open) close_bucket();
  if (!batches[side].buckets.empty()) flush_batch();
  if (in_flight.valid()) in_flight.get();
}

std::vector<std::uint32_t> name_ranks(std::size_t n, const std::function<std::string_view(std::size_t)>& name) {
  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::string_view x = name(a);
    const std::string_view y = name(b);
    return x != y ? x < y : a < b;
  });
  std::vector<std::uint32_t> rank(n, 0);
  std::uint32_t r = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (k != 0 && name(order[k]) != name(order[k - 1])) r = static_cast<std::uint32_t>(k);
    rank[order[k]] = r;
  }
  return rank;
}

numbered_groups number_groups(std::size_t n, const std::function<std::string_view(std::size_t)>& group) {
  numbered_groups out;
  std::map<std::string, std::uint32_t, std::less<>> ids;
  for (std::size_t i = 0; i < n; ++i) ids.emplace(std::string(group(i)), 0);
  for (auto& [name, id] : ids) {
    id = static_cast<std::uint32_t>(out.names.size());
    out.names.push_back(name);
  }
  out.group_of.resize(n);
  for (std::size_t i = 0; i < n; ++i) out.group_of[i] = ids.find(group(i))->second;
  return out;
}

content_input make_content_input(const doc_result& res, std::uint64_t raw_hash, std::vector<removal> removals,
                                 std::size_t i, const std::vector<run_state::top_key>& top) {
  content_input in;
  in.raw_hash = raw_hash;
  in.lines = res.lines;
  in.removals = std::move(removals);
  for (const run_state::top_key& t : top)
    if (t.doc == i) in.top_lines.push_back(t.line);
  return in;
}

content_input run_state::content_input_with(std::size_t i, std::vector<removal> removals) const {
  content_input in = make_content_input(results_[i], extra_[i].raw_hash, std::move(removals), i, top_);
  in.repeat_candidates = extra_[i].repeat_candidates;
  return in;
}

content_input run_state::content_input_of(std::size_t i) const { return content_input_with(i, removals_.get(i)); }

std::vector<content_input> run_state::content_inputs_of(std::span<const std::uint32_t> docs) const {
  std::vector<content_input> out;
  out.reserve(docs.size());
  if (docs.empty()) return out;
  const std::size_t first = docs.front();
  const std::size_t span = std::size_t{docs.back()} - first + 1;
  if (span > 2 * docs.size()) {  // scattered (a later round): one read each
    for (const std::uint32_t i : docs) out.push_back(content_input_of(i));
    return out;
  }
  std::vector<std::vector<removal>> lists = removals_.get_range(first, span);
  for (const std::uint32_t i : docs) out.push_back(content_input_with(i, std::move(lists[i - first])));
  return out;
}

void run_state::add_content(std::size_t i, content_record&& rec) {
  const auto idx = static_cast<std::uint32_t>(i);
  add_contents(std::span<const std::uint32_t>(&idx, 1), std::span<content_record>(&rec, 1));
}

void run_state::add_contents(std::span<const std::uint32_t> docs, std::span<content_record> recs) {
  const std::size_t K = cfg_.opt.num_perm;
  // Signatures of consecutive documents are written with one call.
  std::vector<std::uint32_t> run;
  std::size_t run_first = 0;
  auto flush = [&] {
    if (!run.empty())
      sigs_->write_at(std::uint64_t{run_first} * K * sizeof(std::uint32_t), run.data(), run.size() * sizeof(std::uint32_t));
    run.clear();
  };
  for (std::size_t k = 0; k < docs.size(); ++k) {
    const std::size_t i = docs[k];
    content_record& rec = recs[k];
    doc_result& res = results_[i];
    doc_extra& ex = extra_[i];
    ex.content_bytes = 0;
    ex.content_hash = 0;
    ex.active = false;
    if (res.status == doc_status::skipped) continue;
    if (rec.error) {
      res.status = doc_status::skipped;
      res.error = rec.error;
      continue;
    }
    if (rec.found_runs) {
      std::vector<line_fp> lines = lines_of(i);
      for (const std::uint32_t l : rec.new_repeats) {
        if (l >= lines.size()) continue;
        lines[l].removed = true;
        lines[l].repeat = true;
      }
      std::vector<removal> rem;
      finish_removals(lines, res, rem);
      set_removals(i, rem);
    }
    ex.content_bytes = static_cast<std::uint32_t>(rec.content_bytes);
    std::size_t t = 0;
    for (top_key& tk : top_)
      if (tk.doc == i && t < rec.top_text.size()) tk.text = std::move(rec.top_text[t++]);
    res.content_tokens = static_cast<std::uint32_t>(rec.content_tokens);
    res.kept_bytes = static_cast<std::uint32_t>(res.bytes - ex.removed_bytes);
    if (rec.active && rec.sig.size() == K) {
      ex.content_hash = rec.content_hash;
      if (run.empty() || run_first + run.size() / K != i) {
        flush();
        run_first = i;
      }
      run.insert(run.end(), rec.sig.begin(), rec.sig.end());
      ex.active = true;
    }
  }
  flush();
}

void run_state::step() {
  ++round_;
  decide_duplicates();
  pending_.clear();
  // Idempotence: at most four refine checks (each one only ever removes lines).
  if (refines_ < 4) {
    ++refines_;
    pending_ = refine();
  }
}

// Clusters the current signatures (read back from the spill).
std::vector<std::uint32_t> run_state::cluster_documents() const {
  std::vector<std::uint8_t> active(extra_.size(), 0);
  for (std::size_t i = 0; i < extra_.size(); ++i) active[i] = extra_[i].active ? 1 : 0;
  cluster_options copt;
  copt.threshold = cfg_.opt.threshold;
  copt.params = cfg_.doc_lsh;
  copt.jobs = jobs_;
  // Buckets visit their members in name order, so that the clusters do not depend on the
  // order of the input even where a bucket's verification budget runs out.
  std::vector<std::uint32_t> visit;
  if (!name_ranks_.empty()) {
    std::vector<std::uint32_t> by_name(extra_.size());
    for (std::size_t d = 0; d < by_name.size(); ++d) by_name[d] = static_cast<std::uint32_t>(d);
    std::sort(by_name.begin(), by_name.end(), [&](std::uint32_t a, std::uint32_t b) {
      return name_ranks_[a] != name_ranks_[b] ? name_ranks_[a] < name_ranks_[b] : a < b;
    });
    visit.resize(by_name.size());
    for (std::size_t p = 0; p < by_name.size(); ++p) visit[by_name[p]] = static_cast<std::uint32_t>(p);
    copt.visit_order = visit;
  }
  const std::uint32_t K = cfg_.opt.num_perm;
  const signature_reader read = [&](std::uint32_t first, std::uint32_t count, std::span<std::uint32_t> out) {
    sigs_->read_at(std::uint64_t{first} * K * sizeof(std::uint32_t), out.data(),
                   std::size_t{count} * K * sizeof(std::uint32_t));
  };
  return cluster_signatures(extra_.size(), K, read, copt, active);
}

void run_state::decide_duplicates() {
  const clean_options& opt = cfg_.opt;
  const std::size_t n = results_.size();
  const std::uint32_t K = opt.num_perm;
  const std::vector<std::uint32_t> rep = cluster_documents();
  union_find uf(n);
  for (std::size_t i = 0; i < n; ++i) uf.unite(static_cast<std::uint32_t>(i), rep[i]);
  std::vector<std::uint32_t> by_hash;
  for (std::size_t i = 0; i < n; ++i)
    if (extra_[i].active) by_hash.push_back(static_cast<std::uint32_t>(i));
  std::sort(by_hash.begin(), by_hash.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::uint64_t ha = extra_[a].content_hash;
    const std::uint64_t hb = extra_[b].content_hash;
    return ha != hb ? ha < hb : a < b;
  });
  for (std::size_t k = 1; k < by_hash.size(); ++k)
    if (extra_[by_hash[k]].content_hash == extra_[by_hash[k - 1]].content_hash) uf.unite(by_hash[k], by_hash[k - 1]);
  by_hash = {};
  // The kept copy: the most content (--keep longest), then the smallest name, then the
  // smallest content hash; a position decides only between copies equal in all three (the
  // same name and the same content: either gives the same output).
  auto better = [&](std::uint32_t x, std::uint32_t y) {
    if (opt.keep == keep_policy::longest && extra_[x].content_bytes != extra_[y].content_bytes)
      return extra_[x].content_bytes > extra_[y].content_bytes;
    if (name_rank(x) != name_rank(y)) return name_rank(x) < name_rank(y);
    if (extra_[x].content_hash != extra_[y].content_hash) return extra_[x].content_hash < extra_[y].content_hash;
    return x < y;
  };
  std::vector<std::uint32_t> best(n, none);
  for (std::size_t i = 0; i < n; ++i) {
    if (!extra_[i].active) continue;
    const std::uint32_t r = uf.find(static_cast<std::uint32_t>(i));
    std::uint32_t& b = best[r];
    if (b == none || better(static_cast<std::uint32_t>(i), b)) b = static_cast<std::uint32_t>(i);
  }
  std::vector<std::uint32_t> a_sig(K);
  std::vector<std::uint32_t> b_sig(K);
  for (std::size_t i = 0; i < n; ++i) {
    doc_result& res = results_[i];
    res.cluster = static_cast<std::uint32_t>(i);
    if (res.status == doc_status::skipped) continue;
    res.status = doc_status::kept;
    res.duplicate_of = 0;
    res.similarity = 0.0;
    if (!extra_[i].active) continue;
    const std::uint32_t r = uf.find(static_cast<std::uint32_t>(i));
    const std::uint32_t b = best[r];
    res.cluster = b;  // named after its kept copy (the report prints that copy's name)
    if (b == i) continue;
    res.status = doc_status::dropped;
    res.duplicate_of = b;
    if (extra_[i].content_hash == extra_[b].content_hash) {
      res.similarity = 1.0;
    } else {
      read_sig(i, a_sig);
      read_sig(b, b_sig);
      res.similarity = estimate_jaccard(a_sig, b_sig);
    }
  }
}

analysis run_state::finish() {
  analysis out;
  out.docs = std::move(results_);
  results_ = {};
  for (doc_result& r : out.docs)
    if (r.status == doc_status::dropped) r.kept_bytes = 0;
  extra_ = {};
  out.temp_bytes = blocks_written_ + lines_->appended() +
                   std::uint64_t{group_of_.size()} * cfg_.opt.num_perm * sizeof(std::uint32_t) + removals_.bytes();
  lines_.reset();
  sigs_.reset();
  blocks_.reset();
  out.removals = removals_;
  for (top_key& t : top_) {
    if (t.doc == none) continue;
    out.top_boilerplate.push_back({std::move(t.text), groups_[t.group].name, t.pages, groups_[t.group].clusters});
  }
  out.boilerplate_lines = boilerplate_lines_;
  return out;
}

}  // namespace dupstrip::detail

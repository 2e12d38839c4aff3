// The steps of a cleaning run (see engine.hpp): scan a document to fingerprints, merge them into
// pre-clusters and the boilerplate set, fingerprint each document's content (boilerplate and
// repeats left out), cluster the content and keep one copy per cluster.
//
// Determinism: every per-document result is stored at the document's index, every merge walks
// documents in index order (or a sort order that ends in the index), and union-find keeps the
// smallest index as representative, so the outcome is independent of threads and scheduling.
#include "dupstrip/engine.hpp"

#include "dupstrip/document.hpp"
#include "dupstrip/hash.hpp"
#include "dupstrip/lsh.hpp"
#include "dupstrip/minhash.hpp"
#include "dupstrip/parallel.hpp"
#include "dupstrip/shingle.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>

namespace dupstrip::detail {

namespace {

// Near-identical template lines are compared with short signatures of word 3-shingles: they
// only need to tell "the same line with a word changed" from "another line".
constexpr std::uint32_t block_perm = 32;
constexpr std::uint32_t block_shingle = 3;
constexpr std::uint32_t min_block_sig_tokens = 8;
constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

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

void decide_removals(const clean_options& opt, std::vector<line_fp>& lines, doc_result& res,
                     std::uint32_t sure_pages, std::uint32_t group_pages) {
  std::uint64_t total = 0;
  for (const line_fp& l : lines) total += l.tokens;
  auto removed_tokens = [&](int level) {
    // level 0: everything; 1: repeats + boilerplate on at least sure_pages; 2: repeats only
    std::uint64_t r = 0;
    for (line_fp& l : lines) {
      const bool bp = l.pages != 0 && (level == 0 || (level == 1 && l.pages >= sure_pages));
      l.removed = !l.blank && (l.repeat || (bp && l.tokens > 0));
      if (l.removed) r += l.tokens;
    }
    return r;
  };
  int level = 0;
  for (; level < 3; ++level) {
    const std::uint64_t r = removed_tokens(level);
    const bool too_much = total == 0 ? false
                                     : (r == total || static_cast<double>(r) >
                                                          opt.max_strip_fraction * static_cast<double>(total));
    if (!too_much) break;
    res.strip_limited = true;
  }
  if (level == 3) {
    for (line_fp& l : lines) l.removed = false;
  }
  for (line_fp& l : lines) l.gpages = group_pages;
  finish_removals(lines, res);
}

void finish_removals(std::vector<line_fp>& lines, doc_result& res) {
  for (line_fp& l : lines)
    if (l.blank) l.removed = false;
  // Blank lines: drop a blank run that follows a removed line (or starts the document), and a
  // blank run after which nothing is kept, so removals leave no piles of empty lines.
  const std::size_t n = lines.size();
  std::vector<bool> kept_after(n + 1, false);
  for (std::size_t i = n; i-- > 0;)
    kept_after[i] = kept_after[i + 1] || (!lines[i].blank && !lines[i].removed);
  bool prev_removed = true;  // document start counts as removed
  bool any_removed = false;
  for (const line_fp& l : lines) any_removed = any_removed || l.removed;
  if (any_removed) {
    for (std::size_t i = 0; i < n; ++i) {
      line_fp& l = lines[i];
      if (l.blank) {
        if (prev_removed || !kept_after[i]) l.removed = true;
      } else {
        prev_removed = l.removed;
      }
    }
    // A document that only starts with blank lines keeps them when nothing before was removed.
    if (!lines.empty() && lines[0].blank) {
      std::size_t k = 0;
      while (k < n && lines[k].blank) ++k;
      if (k < n && !lines[k].removed) {
        for (std::size_t j = 0; j < k; ++j) lines[j].removed = false;
      }
    }
  }
  // Spans: a repeated run is one span; each boilerplate line is its own span (it has its own
  // evidence); removed blank lines join the span before them, or, when they open a span, take
  // the reason and evidence of the removed line that follows them.
  res.removals.clear();
  res.removed_lines = 0;
  bool open_blank = false;  // the last span so far holds only blank lines
  for (std::size_t i = 0; i < n; ++i) {
    const line_fp& l = lines[i];
    if (!l.removed) continue;
    const bool adjacent = !res.removals.empty() && res.removals.back().end == l.begin;
    if (l.blank) {
      if (adjacent) {
        res.removals.back().end = l.next;
      } else {
        res.removals.push_back({l.begin, l.next, removal_reason::boilerplate, 0, 0});
        open_blank = true;
      }
      continue;
    }
    ++res.removed_lines;
    const removal_reason why = l.repeat ? removal_reason::repeat : removal_reason::boilerplate;
    const std::uint32_t pages = l.repeat ? 0 : l.pages;
    const std::uint32_t gpages = l.repeat ? 0 : l.gpages;
    if (adjacent && open_blank) {
      removal& r = res.removals.back();
      r.end = l.next;
      r.reason = why;
      r.pages = pages;
      r.group_pages = gpages;
    } else if (adjacent && why == removal_reason::repeat && res.removals.back().reason == why) {
      res.removals.back().end = l.next;
    } else {
      res.removals.push_back({l.begin, l.next, why, pages, gpages});
    }
    open_blank = false;
  }
}


// ------------------------------------------------------------------------------ per document

scan_record scan_document(result<std::string> data, const engine_config& cfg, scan_scratch& s) {
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
      res.error_offset = u.first_error;
      return rec;
    }
    if (opt.utf8 == utf8_policy::replace) res.utf8_replacements = u.error_count;
  }
  rec.raw_hash = xxh3_64(bytes);
  const std::vector<line_span> lines = split_lines(bytes);
  res.lines = static_cast<std::uint32_t>(lines.size());
  std::vector<line_key> keys;
  tokenize_lines(bytes, lines, opt.utf8, s, keys);
  compute_masked_keys(s, keys);
  const std::vector<repeated_run> runs = find_runs(s, keys, lines, bytes, cfg.rep);
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
  // Block signatures of longer lines, for near-identical template lines.
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
  if (xxh3_64(bytes) != in.raw_hash || lines.size() != in.removed.size()) {
    rec.error = make_error_code(errc::changed_during_run);
    return rec;
  }
  std::vector<std::uint8_t> removed = in.removed;
  std::vector<std::uint8_t> blank(lines.size(), 0);
  bool any_removed = false;
  for (std::size_t l = 0; l < lines.size(); ++l) {
    blank[l] = is_blank(bytes, lines[l]) ? 1 : 0;
    any_removed = any_removed || (removed[l] != 0 && blank[l] == 0);
  }
  std::vector<line_key> keys;
  tokenize_lines(bytes, lines, opt.utf8, s, keys);
  // Repeats among what is left: once boilerplate lines are gone, the lines of a second copy
  // can line up into a run (a second run over the output would strip it, so strip it now).
  if (any_removed) {
    const std::vector<repeated_run> more = find_runs(s, keys, lines, bytes, cfg.rep, &in.removed);
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

run_state::run_state(const clean_options& options, std::vector<std::uint32_t> group_of,
                     std::vector<std::string> group_names, unsigned jobs)
    : cfg_(options),
      jobs_(jobs),
      docs_(group_of.size()),
      sigs_(group_of.size() * options.num_perm, empty_slot),
      group_of_(std::move(group_of)),
      groups_(group_names.size()) {
  for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].name = std::move(group_names[g]);
}

void run_state::add_scan(std::size_t i, scan_record&& rec) {
  doc_state& d = docs_[i];
  d.res = std::move(rec.res);
  d.raw_hash = rec.raw_hash;
  d.active = rec.active;
  d.lines = std::move(rec.lines);
  d.block_sigs = std::move(rec.block_sigs);
  const std::size_t K = cfg_.opt.num_perm;
  if (rec.active) std::copy_n(rec.sig.begin(), K, sigs_.begin() + static_cast<std::ptrdiff_t>(i * K));
}

void run_state::compact_block_sigs(std::size_t lo, std::size_t hi) {
  if (lo != compacted_) return;  // out of order: keep everything (still correct)
  compacted_ = hi;
  if (seen_keys_.size() != groups_.size()) seen_keys_.resize(groups_.size());
  for (std::size_t i = lo; i < hi; ++i) {
    doc_state& d = docs_[i];
    if (d.block_sigs.empty()) continue;
    flat_set64& seen = seen_keys_[group_of_[i]];
    // Kept signatures move forwards in place (their order is the lines' order).
    std::size_t kept = 0;
    for (line_fp& l : d.lines) {
      if (l.sig == no_sig) continue;
      if (d.res.status == doc_status::skipped || !seen.insert(l.key)) {
        l.sig = no_sig;
        continue;
      }
      if (l.sig != kept) {
        const auto from = d.block_sigs.begin() + static_cast<std::ptrdiff_t>(std::size_t{l.sig} * block_perm);
        std::copy(from, from + block_perm, d.block_sigs.begin() + static_cast<std::ptrdiff_t>(kept * block_perm));
        l.sig = static_cast<std::uint32_t>(kept);
      }
      ++kept;
    }
    if (kept * block_perm == d.block_sigs.size()) continue;
    d.block_sigs.resize(kept * block_perm);
    if (d.block_sigs.size() < d.block_sigs.capacity() / 2) d.block_sigs.shrink_to_fit();
  }
}

void run_state::begin() {
  seen_keys_.clear();
  seen_keys_.shrink_to_fit();
  const clean_options& opt = cfg_.opt;
  const std::size_t n = docs_.size();
  const std::vector<std::uint32_t> pre = cluster_documents();

  std::vector<std::uint32_t> order;
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (docs_[i].res.status != doc_status::skipped) order.push_back(static_cast<std::uint32_t>(i));
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (group_of_[a] != group_of_[b]) return group_of_[a] < group_of_[b];
    if (pre[a] != pre[b]) return pre[a] < pre[b];
    return a < b;
  });
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::uint32_t i = order[k];
    if (k == 0 || group_of_[order[k - 1]] != group_of_[i] || pre[order[k - 1]] != pre[i])
      ++groups_[group_of_[i]].clusters;
  }
  // Each group's documents: order[group_begin[g] .. group_begin[g + 1]) by cluster, and the
  // same range of by_index in document order.
  std::vector<std::size_t> group_begin(groups_.size() + 1, 0);
  for (const std::uint32_t i : order) ++group_begin[group_of_[i] + 1];
  for (std::size_t g = 0; g < groups_.size(); ++g) group_begin[g + 1] += group_begin[g];
  std::vector<std::uint32_t> by_index(order.size());
  {
    std::vector<std::size_t> at(group_begin.begin(), group_begin.end() - 1);
    for (std::size_t i = 0; i < n; ++i)
      if (docs_[i].res.status != doc_status::skipped) by_index[at[group_of_[i]]++] = static_cast<std::uint32_t>(i);
  }

  // Near-identical lines: per group, cluster the block signatures of distinct keys.
  {
    struct keyed {
      std::uint64_t key;
      const std::uint32_t* sig;
      std::uint32_t tokens;
    };
    // Groups are independent: with at least as many groups as threads, one thread per group;
    // else the groups one after another, each clustered with every thread.
    const bool by_group = groups_.size() >= jobs_;
    cluster_options bopt;
    bopt.threshold = opt.block_similarity;
    bopt.params = cfg_.block_lsh;
    bopt.jobs = by_group ? 1 : jobs_;
    auto near_identical = [&](std::size_t g) {
      std::vector<keyed> d;
      flat_set64 seen;
      for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
        const std::uint32_t i = by_index[k];
        for (const line_fp& l : docs_[i].lines) {
          if (l.sig == no_sig) continue;
          if (seen.insert(l.key))
            d.push_back({l.key, docs_[i].block_sigs.data() + std::size_t{l.sig} * block_perm, l.tokens});
        }
      }
      // Near-identical means "the same line with words substituted": only lines of equal
      // length are compared, so that a teaser quoting another page's title ("Read more:
      // <title>") is never merged with that title (the title would then count as furniture).
      std::stable_sort(d.begin(), d.end(), [](const keyed& a, const keyed& b) { return a.tokens < b.tokens; });
      std::vector<std::uint32_t> flat;
      for (std::size_t lo = 0; lo < d.size();) {
        std::size_t hi = lo;
        while (hi < d.size() && d[hi].tokens == d[lo].tokens) ++hi;
        if (hi - lo >= 2) {
          flat.resize((hi - lo) * block_perm);
          for (std::size_t k = lo; k < hi; ++k) std::copy_n(d[k].sig, block_perm, flat.data() + (k - lo) * block_perm);
          const std::vector<std::uint32_t> rep = cluster_signatures(flat, block_perm, bopt);
          for (std::size_t k = 0; k < hi - lo; ++k)
            if (rep[k] != k) groups_[g].rep.emplace(d[lo + k].key, d[lo + rep[k]].key);
        }
        lo = hi;
      }
    };
    if (by_group) {
      parallel_for(groups_.size(), jobs_, 1, [&](unsigned, std::size_t g) { near_identical(g); });
    } else {
      for (std::size_t g = 0; g < groups_.size(); ++g) near_identical(g);
    }
  }
  for (doc_state& d : docs_) {
    d.block_sigs.clear();
    d.block_sigs.shrink_to_fit();
  }

  // Count each key once per near-duplicate cluster of its group.
  struct entry {
    std::uint32_t count = 0;
    std::uint32_t last = 0;  // 1 + cluster that counted last
  };
  std::vector<std::unordered_map<std::uint64_t, entry>> counts(groups_.size());
  parallel_for(groups_.size(), jobs_, 1, [&](unsigned, std::size_t g) {
    const group_info& gt = groups_[g];
    auto& c = counts[g];
    for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
      const std::uint32_t i = order[k];
      const std::uint32_t stamp = pre[i] + 1;
      auto bump = [&](std::uint64_t key) {
        entry& e = c[key];
        if (e.last != stamp) {
          ++e.count;
          e.last = stamp;
        }
      };
      // Lines of repeated runs count too: a page that prints its body twice still carries its
      // furniture, and the per-cluster stamp already counts a key once per page.
      for (const line_fp& l : docs_[i].lines) {
        if (l.tokens == 0) continue;
        bump(gt.canonical(l.key));
        if (l.masked_key != 0) bump(l.masked_key);
      }
    }
  });
  for (group_info& gt : groups_) {
    const std::uint32_t by_count = std::min(opt.min_boilerplate_pages, gt.clusters);
    const auto by_fraction =
        static_cast<std::uint32_t>(std::ceil(opt.boilerplate_fraction * static_cast<double>(gt.clusters)));
    gt.need = std::max({2U, by_count, by_fraction});
  }
  auto pages_if_boilerplate = [&](std::uint32_t g, std::uint64_t k) -> std::uint32_t {
    if (k == 0) return 0;
    const auto it = counts[g].find(k);
    return it != counts[g].end() && it->second.count >= groups_[g].need ? it->second.count : 0;
  };

  // Top boilerplate keys for the summary: most pages first, then group name, then first sight.
  top_.clear();
  for (std::size_t g = 0; g < groups_.size(); ++g)
    for (const auto& [k, e] : counts[g])
      if (e.count >= groups_[g].need) {
        ++boilerplate_lines_;
        top_.push_back({e.count, static_cast<std::uint32_t>(g), k, none, 0, {}});
      }
  std::sort(top_.begin(), top_.end(), [](const top_key& a, const top_key& b) {
    if (a.pages != b.pages) return a.pages > b.pages;
    if (a.group != b.group) return a.group < b.group;
    return a.key < b.key;
  });
  // A line can be boilerplate by its key and by its embedded-line key: keep 2x candidates and
  // drop duplicate example lines once they are known (below).
  if (top_.size() > 20) top_.resize(20);

  // Mark boilerplate lines and decide removals (safety rail included), in parallel; each
  // worker notes the first line (document, line) showing each top key, the earliest wins.
  const unsigned workers = resolve_jobs(jobs_);
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> first_seen(
      workers, std::vector<std::pair<std::uint32_t, std::uint32_t>>(top_.size(), {none, 0}));
  parallel_for(n, jobs_, 64, [&](unsigned w, std::size_t i) {
    doc_state& d = docs_[i];
    if (d.res.status == doc_status::skipped) return;
    const std::uint32_t g = group_of_[i];
    const group_info& gt = groups_[g];
    auto& seen_here = first_seen[w];
    for (std::size_t li = 0; li < d.lines.size(); ++li) {
      line_fp& l = d.lines[li];
      if (l.tokens == 0) continue;
      const std::uint64_t ck = gt.canonical(l.key);
      l.pages = std::max(pages_if_boilerplate(g, ck), pages_if_boilerplate(g, l.masked_key));
      if (l.pages == 0 || l.repeat) continue;
      for (std::size_t t = 0; t < top_.size(); ++t)
        if (top_[t].group == g && (top_[t].key == ck || top_[t].key == l.masked_key) &&
            std::pair<std::uint32_t, std::uint32_t>(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(li)) <
                seen_here[t])
          seen_here[t] = {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(li)};
    }
    const std::uint32_t sure = std::max(gt.need, (gt.clusters + 1) / 2);
    decide_removals(opt, d.lines, d.res, sure, gt.clusters);
  });
  for (std::size_t t = 0; t < top_.size(); ++t) {
    std::pair<std::uint32_t, std::uint32_t> best{none, 0};
    for (const auto& f : first_seen) best = std::min(best, f[t]);
    top_[t].doc = best.first;
    top_[t].line = best.second;
  }
  {
    std::vector<top_key> unique;
    for (top_key& t : top_) {
      const bool dup = std::any_of(unique.begin(), unique.end(), [&](const top_key& u) {
        return u.doc == t.doc && u.line == t.line;
      });
      if (!dup && unique.size() < 10) unique.push_back(std::move(t));
    }
    top_.swap(unique);
  }

  // The content step fingerprints every document that was read.
  std::fill(sigs_.begin(), sigs_.end(), empty_slot);
  pending_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    docs_[i].active = false;
    if (docs_[i].res.status != doc_status::skipped) pending_.push_back(static_cast<std::uint32_t>(i));
  }
  if (pending_.empty()) step();
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

content_input make_content_input(const run_state::doc_state& d, std::size_t i,
                                 const std::vector<run_state::top_key>& top) {
  content_input in;
  in.raw_hash = d.raw_hash;
  in.removed.resize(d.lines.size());
  for (std::size_t l = 0; l < d.lines.size(); ++l) in.removed[l] = d.lines[l].removed ? 1 : 0;
  for (const run_state::top_key& t : top)
    if (t.doc == i) in.top_lines.push_back(t.line);
  return in;
}

content_input run_state::content_input_of(std::size_t i) const { return make_content_input(docs_[i], i, top_); }

void run_state::add_content(std::size_t i, content_record&& rec) {
  doc_state& d = docs_[i];
  doc_result& res = d.res;
  const std::size_t K = cfg_.opt.num_perm;
  d.content_bytes = 0;
  d.content_hash = 0;
  d.active = false;
  std::fill_n(sigs_.begin() + static_cast<std::ptrdiff_t>(i * K), K, empty_slot);
  if (res.status == doc_status::skipped) return;
  if (rec.error) {
    res.status = doc_status::skipped;
    res.error = rec.error;
    return;
  }
  for (const std::uint32_t l : rec.new_repeats) {
    if (l >= d.lines.size()) continue;
    d.lines[l].removed = true;
    d.lines[l].repeat = true;
  }
  if (rec.found_runs) finish_removals(d.lines, res);
  d.content_bytes = rec.content_bytes;
  std::size_t k = 0;
  for (top_key& t : top_)
    if (t.doc == i && k < rec.top_text.size()) t.text = std::move(rec.top_text[k++]);
  res.content_tokens = rec.content_tokens;
  std::uint64_t removed = 0;
  for (const removal& r : res.removals) removed += r.end - r.begin;
  res.kept_bytes = res.bytes - removed;
  if (rec.active && rec.sig.size() == K) {
    d.content_hash = rec.content_hash;
    std::copy_n(rec.sig.begin(), K, sigs_.begin() + static_cast<std::ptrdiff_t>(i * K));
    d.active = true;
  }
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

// Clusters the content signatures and chooses one document per cluster.
std::vector<std::uint32_t> run_state::cluster_documents() const {
  std::vector<std::uint8_t> active(docs_.size(), 0);
  for (std::size_t i = 0; i < docs_.size(); ++i) active[i] = docs_[i].active ? 1 : 0;
  cluster_options copt;
  copt.threshold = cfg_.opt.threshold;
  copt.params = cfg_.doc_lsh;
  copt.jobs = jobs_;
  return cluster_signatures(sigs_, cfg_.opt.num_perm, copt, active);
}

void run_state::decide_duplicates() {
  const clean_options& opt = cfg_.opt;
  const std::size_t n = docs_.size();
  const std::uint32_t K = opt.num_perm;
  const std::vector<std::uint32_t> rep = cluster_documents();
  union_find uf(n);
  for (std::size_t i = 0; i < n; ++i) uf.unite(static_cast<std::uint32_t>(i), rep[i]);
  std::vector<std::uint32_t> by_hash;
  for (std::size_t i = 0; i < n; ++i)
    if (docs_[i].active) by_hash.push_back(static_cast<std::uint32_t>(i));
  std::sort(by_hash.begin(), by_hash.end(), [&](std::uint32_t a, std::uint32_t b) {
    const std::uint64_t ha = docs_[a].content_hash;
    const std::uint64_t hb = docs_[b].content_hash;
    return ha != hb ? ha < hb : a < b;
  });
  for (std::size_t k = 1; k < by_hash.size(); ++k)
    if (docs_[by_hash[k]].content_hash == docs_[by_hash[k - 1]].content_hash) uf.unite(by_hash[k], by_hash[k - 1]);
  std::vector<std::uint32_t> best(n, none);
  for (std::size_t i = 0; i < n; ++i) {
    if (!docs_[i].active) continue;
    const std::uint32_t r = uf.find(static_cast<std::uint32_t>(i));
    std::uint32_t& b = best[r];
    if (b == none || (opt.keep == keep_policy::longest && docs_[i].content_bytes > docs_[b].content_bytes))
      b = static_cast<std::uint32_t>(i);
  }
  for (std::size_t i = 0; i < n; ++i) {
    doc_result& res = docs_[i].res;
    res.cluster = static_cast<std::uint32_t>(i);
    if (res.status == doc_status::skipped) continue;
    res.status = doc_status::kept;
    res.duplicate_of = 0;
    res.similarity = 0.0;
    if (!docs_[i].active) continue;
    const std::uint32_t r = uf.find(static_cast<std::uint32_t>(i));
    res.cluster = r;
    const std::uint32_t b = best[r];
    if (b == i) continue;
    res.status = doc_status::dropped;
    res.duplicate_of = b;
    res.similarity = docs_[i].content_hash == docs_[b].content_hash
                         ? 1.0
                         : estimate_jaccard(std::span<const std::uint32_t>(sigs_.data() + i * K, K),
                                            std::span<const std::uint32_t>(sigs_.data() + std::size_t{b} * K, K));
  }
}

// Idempotence: cleaning the output again must change nothing. A second run would see only
// the kept documents and their kept lines, one page per document; a kept line that recurs on
// enough of those pages would then be boilerplate (two articles that looked alike only
// through their shared furniture are separate pages there). Such lines are removed now, and
// the changed documents go through the content step again.
std::vector<std::uint32_t> run_state::refine() {
  const clean_options& opt = cfg_.opt;
  const std::size_t n = docs_.size();
  std::vector<std::uint32_t> changed;
  std::vector<std::uint32_t> kept_in_group(groups_.size(), 0);
  for (std::size_t i = 0; i < n; ++i)
    if (docs_[i].res.status == doc_status::kept) ++kept_in_group[group_of_[i]];
  std::vector<std::unordered_map<std::uint64_t, std::uint32_t>> count(groups_.size());
  flat_set64 seen;
  for (std::size_t i = 0; i < n; ++i) {
    if (docs_[i].res.status != doc_status::kept) continue;
    const group_info& gt = groups_[group_of_[i]];
    auto& c = count[group_of_[i]];
    seen.reset(docs_[i].lines.size() * 2);
    for (const line_fp& l : docs_[i].lines) {
      if (l.removed || l.tokens == 0) continue;
      const std::uint64_t k = gt.canonical(l.key);
      if (seen.insert(k)) ++c[k];
      if (l.masked_key != 0 && seen.insert(l.masked_key)) ++c[l.masked_key];
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    doc_state& d = docs_[i];
    if (d.res.status != doc_status::kept) continue;
    const std::uint32_t g = group_of_[i];
    const std::uint32_t pages_in_group = kept_in_group[g];
    const std::uint32_t need =
        std::max({2U, std::min(opt.min_boilerplate_pages, pages_in_group),
                  static_cast<std::uint32_t>(std::ceil(opt.boilerplate_fraction * pages_in_group))});
    const std::uint32_t sure = std::max(need, (pages_in_group + 1) / 2);
    const group_info& gt = groups_[g];
    auto pages_of = [&](const line_fp& l) -> std::uint32_t {
      std::uint32_t p = 0;
      if (const auto it = count[g].find(gt.canonical(l.key)); it != count[g].end()) p = it->second;
      if (l.masked_key != 0)
        if (const auto it = count[g].find(l.masked_key); it != count[g].end()) p = std::max(p, it->second);
      return p;
    };
    std::uint64_t present = 0;
    std::uint64_t would = 0;
    std::uint64_t would_sure = 0;
    for (const line_fp& l : d.lines) {
      if (l.removed || l.tokens == 0) continue;
      present += l.tokens;
      const std::uint32_t p = pages_of(l);
      if (p >= need) would += l.tokens;
      if (p >= sure) would_sure += l.tokens;
    }
    if (would == 0) continue;
    auto too_much = [&](std::uint64_t r) {
      return r == present || static_cast<double>(r) > opt.max_strip_fraction * static_cast<double>(present);
    };
    std::uint32_t floor_pages = need;
    if (too_much(would)) {
      if (would_sure == 0 || too_much(would_sure)) continue;  // the safety rail keeps the rest
      floor_pages = sure;
      d.res.strip_limited = true;
    }
    for (line_fp& l : d.lines) {
      if (l.removed || l.tokens == 0 || l.blank) continue;
      const std::uint32_t p = pages_of(l);
      if (p < floor_pages) continue;
      l.removed = true;
      l.pages = p;
      l.gpages = pages_in_group;
    }
    finish_removals(d.lines, d.res);
    changed.push_back(static_cast<std::uint32_t>(i));
  }
  return changed;
}

analysis run_state::finish() {
  analysis out;
  out.docs.reserve(docs_.size());
  for (doc_state& d : docs_) {
    if (d.res.status == doc_status::dropped) d.res.kept_bytes = 0;
    out.docs.push_back(std::move(d.res));
  }
  docs_.clear();
  docs_.shrink_to_fit();
  sigs_.clear();
  sigs_.shrink_to_fit();
  for (top_key& t : top_) {
    if (t.doc == none) continue;
    out.top_boilerplate.push_back({std::move(t.text), groups_[t.group].name, t.pages, groups_[t.group].clusters});
  }
  out.boilerplate_lines = boilerplate_lines_;
  return out;
}

}  // namespace dupstrip::detail

// The deduper: scan every document to fingerprints, find near-duplicate pre-clusters, count line
// keys per group over those clusters to find boilerplate, fingerprint each document's content
// (boilerplate and repeats left out), cluster the content, choose one copy per cluster. Only
// fingerprints stay in memory between phases; documents are read again when needed.
//
// Determinism: every per-document result is stored at the document's index, every merge walks
// documents in index order (or a sort order that ends in the index), and union-find keeps the
// smallest index as representative, so the outcome is independent of threads and scheduling.
#include "dupstrip/pipeline.hpp"

#include "dupstrip/document.hpp"
#include "dupstrip/hash.hpp"
#include "dupstrip/lsh.hpp"
#include "dupstrip/minhash.hpp"
#include "dupstrip/parallel.hpp"
#include "dupstrip/scan.hpp"
#include "dupstrip/shingle.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>

namespace dupstrip {

document_source::~document_source() = default;

void clean_options::validate() const {
  auto fail = [](const char* what) { throw config_error(what); };
  if (!(threshold > 0.0 && threshold < 1.0)) fail("threshold must be between 0 and 1 (exclusive)");
  if (shingle_size < 1 || shingle_size > 64) fail("shingle size must be between 1 and 64");
  if (min_shingle_size < 1 || min_shingle_size > shingle_size)
    fail("min shingle size must be between 1 and the shingle size");
  if (num_perm < 1 || num_perm > 4096) fail("number of permutations must be between 1 and 4096");
  if ((bands == 0) != (rows == 0)) fail("bands and rows must be given together");
  if (bands != 0 && static_cast<std::uint64_t>(bands) * rows > num_perm)
    fail("bands x rows must not exceed the number of permutations");
  if (min_boilerplate_pages < 2) fail("min boilerplate pages must be at least 2");
  if (!(boilerplate_fraction >= 0.0 && boilerplate_fraction <= 1.0))
    fail("boilerplate fraction must be between 0 and 1");
  if (!(block_similarity > 0.0 && block_similarity <= 1.0))
    fail("block similarity must be in (0, 1]");
  if (min_repeat_tokens < 1) fail("min repeat tokens must be at least 1");
  if (!(repeat_coverage > 0.0 && repeat_coverage <= 1.0)) fail("repeat coverage must be in (0, 1]");
  if (!(max_strip_fraction > 0.0 && max_strip_fraction <= 1.0))
    fail("max strip fraction must be in (0, 1]");
  if (max_document_bytes == 0 || max_document_bytes >= (std::uint64_t{1} << 32))
    fail("max document size must be between 1 byte and 4 GiB");
}

namespace {

using detail::scan_scratch;

// Near-identical template lines are compared with short signatures of word 3-shingles: they
// only need to tell "the same line with a word changed" from "another line".
constexpr std::uint32_t block_perm = 32;
constexpr std::uint32_t block_shingle = 3;
constexpr std::uint32_t min_block_sig_tokens = 8;
constexpr std::uint32_t no_sig = std::numeric_limits<std::uint32_t>::max();

struct line_fp {
  std::uint32_t begin;
  std::uint32_t end;
  std::uint32_t next;
  std::uint32_t tokens;
  std::uint64_t key;
  std::uint64_t masked_key;
  std::uint32_t sig;       // index of its block signature, or no_sig
  std::uint32_t pages;     // boilerplate evidence (0: not boilerplate)
  std::uint32_t gpages;    // pages of the group when the evidence was counted
  bool blank;
  bool repeat;
  bool removed;
};

struct doc_fp {
  std::vector<line_fp> lines;
  std::vector<std::uint32_t> block_sigs;
  std::uint64_t raw_hash = 0;
};

struct group_table {
  struct entry {
    std::uint32_t count = 0;
    std::uint32_t last = 0;  // 1 + cluster that counted last
  };
  std::unordered_map<std::uint64_t, entry> counts;
  std::unordered_map<std::uint64_t, std::uint64_t> rep;  // near-identical key -> representative key
  std::uint32_t clusters = 0;
  std::uint32_t need = 2;
  [[nodiscard]] std::uint64_t canonical(std::uint64_t k) const {
    const auto it = rep.find(k);
    return it == rep.end() ? k : it->second;
  }
  [[nodiscard]] std::uint32_t pages_if_boilerplate(std::uint64_t k) const {
    if (k == 0) return 0;
    const auto it = counts.find(k);
    return it != counts.end() && it->second.count >= need ? it->second.count : 0;
  }
};

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

// Decides which lines go, applying the safety rail; fills result.removals.
void finish_removals(doc_fp& fp, doc_result& res);

void decide_removals(const clean_options& opt, doc_fp& fp, doc_result& res, std::uint32_t sure_pages,
                     std::uint32_t group_pages) {
  std::uint64_t total = 0;
  for (const line_fp& l : fp.lines) total += l.tokens;
  auto removed_tokens = [&](int level) {
    // level 0: everything; 1: repeats + boilerplate on at least sure_pages; 2: repeats only
    std::uint64_t r = 0;
    for (line_fp& l : fp.lines) {
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
    for (line_fp& l : fp.lines) l.removed = false;
  }
  for (line_fp& l : fp.lines) l.gpages = group_pages;
  finish_removals(fp, res);
}

// From the removed flags of non-blank lines: decides the blank lines, builds the spans.
void finish_removals(doc_fp& fp, doc_result& res) {
  for (line_fp& l : fp.lines)
    if (l.blank) l.removed = false;
  // Blank lines: drop a blank run that follows a removed line (or starts the document), and a
  // blank run after which nothing is kept, so removals leave no piles of empty lines.
  const std::size_t n = fp.lines.size();
  std::vector<bool> kept_after(n + 1, false);
  for (std::size_t i = n; i-- > 0;)
    kept_after[i] = kept_after[i + 1] || (!fp.lines[i].blank && !fp.lines[i].removed);
  bool prev_removed = true;  // document start counts as removed
  bool any_removed = false;
  for (const line_fp& l : fp.lines) any_removed = any_removed || l.removed;
  if (any_removed) {
    for (std::size_t i = 0; i < n; ++i) {
      line_fp& l = fp.lines[i];
      if (l.blank) {
        if (prev_removed || !kept_after[i]) l.removed = true;
      } else {
        prev_removed = l.removed;
      }
    }
    // A document that only starts with blank lines keeps them when nothing before was removed.
    if (!fp.lines.empty() && fp.lines[0].blank) {
      std::size_t k = 0;
      while (k < n && fp.lines[k].blank) ++k;
      if (k < n && !fp.lines[k].removed) {
        for (std::size_t j = 0; j < k; ++j) fp.lines[j].removed = false;
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
    const line_fp& l = fp.lines[i];
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

}  // namespace

deduper::deduper(clean_options options) : options_(options) { options_.validate(); }

analysis deduper::run(const document_source& source, const progress_callback& progress) const {
  const clean_options& opt = options_;
  const std::size_t n = source.size();
  const unsigned jobs = detail::resolve_jobs(opt.jobs);
  const std::uint32_t K = opt.num_perm;
  const minhasher doc_mh({K, opt.seed, opt.scheme});
  std::uint64_t block_seed_state = opt.seed ^ 0x626C6F636BULL;  // "block"
  const minhasher block_mh({block_perm, detail::splitmix64(block_seed_state), opt.scheme});
  const repeat_options rep_opt{opt.min_repeat_tokens, opt.repeat_coverage, 4, 2};

  analysis out;
  auto phase_start = std::chrono::steady_clock::now();
  auto end_phase = [&](const char* name) {
    const auto now = std::chrono::steady_clock::now();
    out.phase_seconds.emplace_back(name, std::chrono::duration<double>(now - phase_start).count());
    phase_start = now;
  };
  out.docs.assign(n, doc_result{});
  std::vector<doc_fp> fps(n);
  std::vector<std::uint32_t> sigs(n * K, empty_slot);
  std::vector<std::uint8_t> active(n, 0);
  std::vector<scan_scratch> scratch(jobs);
  std::atomic<std::size_t> done{0};
  std::atomic<std::uint64_t> bytes_done{0};
  auto tick = [&](const char* phase, std::uint64_t b) {
    const std::size_t d = done.fetch_add(1) + 1;
    const std::uint64_t bd = bytes_done.fetch_add(b) + b;
    if (progress) progress({phase, d, n, bd});
  };

  // ---------------------------------------------------------------- pass 1: scan
  detail::parallel_for(n, jobs, 8, [&](unsigned w, std::size_t i) {
    doc_result& res = out.docs[i];
    scan_scratch& s = scratch[w];
    auto data = source.read(i);
    if (!data.has_value()) {
      res.status = doc_status::skipped;
      res.error = data.error();
      tick("scan", 0);
      return;
    }
    const std::string& bytes = data.value();
    res.bytes = bytes.size();
    if (bytes.size() > opt.max_document_bytes) {
      res.status = doc_status::skipped;
      res.error = make_error_code(errc::too_large);
      tick("scan", bytes.size());
      return;
    }
    if (looks_binary(bytes)) {
      res.status = doc_status::skipped;
      res.error = make_error_code(errc::binary_file);
      tick("scan", bytes.size());
      return;
    }
    const utf8_status u = check_utf8(bytes);
    if (!u.valid) {
      if (opt.utf8 == utf8_policy::strict) {
        res.status = doc_status::skipped;
        res.error = make_error_code(errc::invalid_utf8);
        res.error_offset = u.first_error;
        tick("scan", bytes.size());
        return;
      }
      if (opt.utf8 == utf8_policy::replace) res.utf8_replacements = u.error_count;
    }
    doc_fp& fp = fps[i];
    fp.raw_hash = detail::xxh3_64(bytes);
    const std::vector<line_span> lines = split_lines(bytes);
    res.lines = static_cast<std::uint32_t>(lines.size());
    std::vector<line_key> keys;
    detail::tokenize_lines(bytes, lines, opt.utf8, s, keys);
    detail::compute_masked_keys(s, keys);
    const std::vector<repeated_run> runs = detail::find_runs(s, keys, lines, bytes, rep_opt);
    fp.lines.resize(lines.size());
    for (std::size_t l = 0; l < lines.size(); ++l) {
      fp.lines[l] = line_fp{lines[l].begin, lines[l].end, lines[l].next, keys[l].tokens,
                            keys[l].key, keys[l].masked_key, no_sig, 0, 0,
                            is_blank(bytes, lines[l]), false, false};
    }
    for (const repeated_run& r : runs)
      for (std::uint32_t l = r.first; l <= r.last; ++l) fp.lines[l].repeat = true;
    // Raw signature (all lines but repeats): used only to count boilerplate over clusters.
    s.tmp.clear();
    for (std::size_t l = 0; l < lines.size(); ++l) {
      if (fp.lines[l].repeat) continue;
      s.tmp.insert(s.tmp.end(), s.hashes.begin() + s.offset[l], s.hashes.begin() + s.offset[l + 1]);
    }
    s.shingles.clear();
    content_shingles(s.tmp, opt, s.shingles);
    if (!s.shingles.empty()) {
      doc_mh.compute(s.shingles, std::span<std::uint32_t>(sigs.data() + i * K, K));
      active[i] = 1;
    }
    // Block signatures of longer lines, for near-identical template lines.
    for (std::size_t l = 0; l < lines.size(); ++l) {
      line_fp& lf = fp.lines[l];
      const std::uint32_t mb = s.moffset[l];
      const std::uint32_t mn = s.moffset[l + 1] - mb;
      if (mn < min_block_sig_tokens) continue;
      s.shingles.clear();
      shingle_hashes(std::span<const std::uint64_t>(s.masked.data() + mb, mn), block_shingle, s.shingles);
      lf.sig = static_cast<std::uint32_t>(fp.block_sigs.size() / block_perm);
      fp.block_sigs.resize(fp.block_sigs.size() + block_perm);
      block_mh.compute(s.shingles,
                       std::span<std::uint32_t>(fp.block_sigs.data() + lf.sig * block_perm, block_perm));
    }
    tick("scan", bytes.size());
  });

  end_phase("scan");
  // ---------------------------------------------------------------- merge 1: boilerplate set
  cluster_options pre_opt;
  pre_opt.threshold = opt.threshold;
  pre_opt.params = doc_params(opt);
  pre_opt.jobs = jobs;
  const std::vector<std::uint32_t> pre = cluster_signatures(sigs, K, pre_opt, active);

  // Groups, named and numbered in name order.
  std::vector<std::uint32_t> group_of(n, 0);
  std::vector<std::string> group_names;
  {
    std::map<std::string, std::uint32_t, std::less<>> ids;
    for (std::size_t i = 0; i < n; ++i)
      if (out.docs[i].status != doc_status::skipped) ids.emplace(std::string(source.group(i)), 0);
    for (auto& [name, id] : ids) {
      id = static_cast<std::uint32_t>(group_names.size());
      group_names.push_back(name);
    }
    for (std::size_t i = 0; i < n; ++i)
      if (out.docs[i].status != doc_status::skipped) group_of[i] = ids.find(source.group(i))->second;
  }
  std::vector<group_table> groups(group_names.size());
  std::vector<std::uint32_t> order;
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (out.docs[i].status != doc_status::skipped) order.push_back(static_cast<std::uint32_t>(i));
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (group_of[a] != group_of[b]) return group_of[a] < group_of[b];
    if (pre[a] != pre[b]) return pre[a] < pre[b];
    return a < b;
  });
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::uint32_t i = order[k];
    if (k == 0 || group_of[order[k - 1]] != group_of[i] || pre[order[k - 1]] != pre[i])
      ++groups[group_of[i]].clusters;
  }

  // Near-identical lines: per group, cluster the block signatures of distinct keys.
  {
    struct keyed {
      std::uint64_t key;
      const std::uint32_t* sig;
      std::uint32_t tokens;
    };
    std::vector<std::vector<keyed>> distinct(groups.size());
    std::vector<detail::flat_set64> seen(groups.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (out.docs[i].status == doc_status::skipped) continue;
      const std::uint32_t g = group_of[i];
      for (const line_fp& l : fps[i].lines) {
        if (l.sig == no_sig) continue;
        if (seen[g].insert(l.key))
          distinct[g].push_back({l.key, fps[i].block_sigs.data() + l.sig * block_perm, l.tokens});
      }
    }
    cluster_options bopt;
    bopt.threshold = opt.block_similarity;
    bopt.params = optimal_lsh_params(std::min(opt.block_similarity, 0.99), block_perm, fp_weight, fn_weight);
    bopt.jobs = jobs;
    std::vector<std::uint32_t> flat;
    // Near-identical means "the same line with words substituted": only lines of equal length
    // are compared, so that a teaser quoting another page's title ("Read more: <title>") is
    // never merged with that title (the title would then count as furniture).
    for (std::size_t g = 0; g < groups.size(); ++g) {
      auto& d = distinct[g];
      std::stable_sort(d.begin(), d.end(), [](const keyed& a, const keyed& b) { return a.tokens < b.tokens; });
      for (std::size_t lo = 0; lo < d.size();) {
        std::size_t hi = lo;
        while (hi < d.size() && d[hi].tokens == d[lo].tokens) ++hi;
        if (hi - lo >= 2) {
          flat.resize((hi - lo) * block_perm);
          for (std::size_t k = lo; k < hi; ++k) std::copy_n(d[k].sig, block_perm, flat.data() + (k - lo) * block_perm);
          const std::vector<std::uint32_t> rep = cluster_signatures(flat, block_perm, bopt);
          for (std::size_t k = 0; k < hi - lo; ++k)
            if (rep[k] != k) groups[g].rep.emplace(d[lo + k].key, d[lo + rep[k]].key);
        }
        lo = hi;
      }
    }
  }

  // Count each key once per near-duplicate cluster of its group.
  for (const std::uint32_t i : order) {
    group_table& gt = groups[group_of[i]];
    const std::uint32_t stamp = pre[i] + 1;
    auto bump = [&](std::uint64_t k) {
      group_table::entry& e = gt.counts[k];
      if (e.last != stamp) {
        ++e.count;
        e.last = stamp;
      }
    };
    // Lines of repeated runs count too: a page that prints its body twice still carries its
    // furniture, and the per-cluster stamp already counts a key once per page.
    for (const line_fp& l : fps[i].lines) {
      if (l.tokens == 0) continue;
      bump(gt.canonical(l.key));
      if (l.masked_key != 0) bump(l.masked_key);
    }
  }
  for (group_table& gt : groups) {
    const std::uint32_t by_count = std::min(opt.min_boilerplate_pages, gt.clusters);
    const auto by_fraction =
        static_cast<std::uint32_t>(std::ceil(opt.boilerplate_fraction * static_cast<double>(gt.clusters)));
    gt.need = std::max({2U, by_count, by_fraction});
  }

  // Top boilerplate keys for the summary: most pages first, then group name, then first sight.
  struct top_key {
    std::uint32_t pages;
    std::uint32_t group;
    std::uint64_t key;
    std::uint32_t doc;
    std::uint32_t line;
  };
  std::vector<top_key> top;
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (const auto& [k, e] : groups[g].counts)
      if (e.count >= groups[g].need) {
        ++out.boilerplate_lines;
        top.push_back({e.count, static_cast<std::uint32_t>(g), k, std::numeric_limits<std::uint32_t>::max(), 0});
      }
  std::sort(top.begin(), top.end(), [](const top_key& a, const top_key& b) {
    if (a.pages != b.pages) return a.pages > b.pages;
    if (a.group != b.group) return a.group < b.group;
    return a.key < b.key;
  });
  // A line can be boilerplate by its key and by its embedded-line key: keep 2x candidates and
  // drop duplicate example lines once they are known (below).
  if (top.size() > 20) top.resize(20);

  // Mark boilerplate lines and decide removals (safety rail included).
  for (std::size_t i = 0; i < n; ++i) {
    if (out.docs[i].status == doc_status::skipped) continue;
    const group_table& gt = groups[group_of[i]];
    for (std::size_t li = 0; li < fps[i].lines.size(); ++li) {
      line_fp& l = fps[i].lines[li];
      if (l.tokens == 0) continue;
      const std::uint64_t ck = gt.canonical(l.key);
      l.pages = std::max(gt.pages_if_boilerplate(ck), gt.pages_if_boilerplate(l.masked_key));
      if (l.pages == 0 || l.repeat) continue;
      for (top_key& t : top)
        if (t.group == group_of[i] && (t.key == ck || t.key == l.masked_key) && t.doc > i) {
          t.doc = static_cast<std::uint32_t>(i);
          t.line = static_cast<std::uint32_t>(li);
        }
    }
    const std::uint32_t sure = std::max(gt.need, (gt.clusters + 1) / 2);
    decide_removals(opt, fps[i], out.docs[i], sure, gt.clusters);
  }

  {
    std::vector<top_key> unique;
    for (const top_key& t : top) {
      const bool dup = std::any_of(unique.begin(), unique.end(), [&](const top_key& u) {
        return u.doc == t.doc && u.line == t.line;
      });
      if (!dup && unique.size() < 10) unique.push_back(t);
    }
    top.swap(unique);
  }
  end_phase("boilerplate");
  // ---------------------------------------------------------------- pass 2: content
  std::fill(sigs.begin(), sigs.end(), empty_slot);
  std::fill(active.begin(), active.end(), 0);
  std::vector<std::uint64_t> content_hash(n, 0);
  std::vector<std::uint64_t> content_bytes(n, 0);
  std::vector<std::string> top_text(top.size());
  // Reads the listed documents again and fingerprints their content (kept lines only).
  auto content_pass = [&](const std::vector<std::uint32_t>& docs) {
    done = 0;
    bytes_done = 0;
    detail::parallel_for(docs.size(), jobs, 8, [&](unsigned w, std::size_t k) {
      const std::size_t i = docs[k];
      doc_result& res = out.docs[i];
      content_bytes[i] = 0;
      content_hash[i] = 0;
      active[i] = 0;
      std::fill_n(sigs.begin() + static_cast<std::ptrdiff_t>(i * K), K, empty_slot);
      if (res.status == doc_status::skipped) {
        tick("content", 0);
        return;
      }
      scan_scratch& s = scratch[w];
      auto data = source.read(i);
      if (!data.has_value() || detail::xxh3_64(data.value()) != fps[i].raw_hash) {
        res.status = doc_status::skipped;
        res.error = data.has_value() ? make_error_code(errc::changed_during_run) : data.error();
        tick("content", 0);
        return;
      }
      const std::string& bytes = data.value();
      doc_fp& fp = fps[i];
      // Repeats among what is left: once boilerplate lines are gone, the lines of a second copy
      // can line up into a run (a second run over the output would strip it, so strip it now).
      std::vector<line_span> spans(fp.lines.size());
      std::vector<std::uint8_t> absent(fp.lines.size(), 0);
      bool any_removed = false;
      for (std::size_t l = 0; l < fp.lines.size(); ++l) {
        spans[l] = {fp.lines[l].begin, fp.lines[l].end, fp.lines[l].next};
        absent[l] = fp.lines[l].removed ? 1 : 0;
        any_removed = any_removed || (fp.lines[l].removed && !fp.lines[l].blank);
      }
      std::vector<line_key> keys;
      detail::tokenize_lines(bytes, spans, opt.utf8, s, keys);
      if (any_removed) {
        const std::vector<repeated_run> more = detail::find_runs(s, keys, spans, bytes, rep_opt, &absent);
        for (const repeated_run& r : more)
          for (std::uint32_t l = r.first; l <= r.last; ++l)
            if (!fp.lines[l].removed && !fp.lines[l].blank) {
              fp.lines[l].removed = true;
              fp.lines[l].repeat = true;
            }
        if (!more.empty()) finish_removals(fp, res);
      }
      s.tmp.clear();
      for (std::size_t l = 0; l < fp.lines.size(); ++l) {
        const line_fp& lf = fp.lines[l];
        if (lf.removed || lf.tokens == 0) continue;
        s.tmp.insert(s.tmp.end(), s.hashes.begin() + s.offset[l], s.hashes.begin() + s.offset[l + 1]);
        content_bytes[i] += lf.end - lf.begin;
      }
      for (std::size_t t = 0; t < top.size(); ++t)
        if (top[t].doc == i) {
          const line_fp& l = fps[i].lines[top[t].line];
          top_text[t] = bytes.substr(l.begin, l.end - l.begin);
        }
      res.content_tokens = s.tmp.size();
      std::uint64_t removed = 0;
      for (const removal& r : res.removals) removed += r.end - r.begin;
      res.kept_bytes = res.bytes - removed;
      if (!s.tmp.empty()) {
        content_hash[i] = detail::sequence_hash(s.tmp.data(), s.tmp.size(), detail::content_seed);
        s.shingles.clear();
        content_shingles(s.tmp, opt, s.shingles);
        doc_mh.compute(s.shingles, std::span<std::uint32_t>(sigs.data() + i * K, K));
        active[i] = 1;
      }
      tick("content", bytes.size());
    });
  };
  {
    std::vector<std::uint32_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = static_cast<std::uint32_t>(i);
    content_pass(all);
  }
  end_phase("content");

  // ---------------------------------------------------------------- merge 2: near-duplicates
  // Clusters the content signatures and chooses one document per cluster.
  auto decide_duplicates = [&] {
    const std::vector<std::uint32_t> rep = cluster_signatures(sigs, K, pre_opt, active);
    union_find uf(n);
    for (std::size_t i = 0; i < n; ++i) uf.unite(static_cast<std::uint32_t>(i), rep[i]);
    std::vector<std::uint32_t> by_hash;
    for (std::size_t i = 0; i < n; ++i)
      if (active[i]) by_hash.push_back(static_cast<std::uint32_t>(i));
    std::sort(by_hash.begin(), by_hash.end(), [&](std::uint32_t a, std::uint32_t b) {
      return content_hash[a] != content_hash[b] ? content_hash[a] < content_hash[b] : a < b;
    });
    for (std::size_t k = 1; k < by_hash.size(); ++k)
      if (content_hash[by_hash[k]] == content_hash[by_hash[k - 1]]) uf.unite(by_hash[k], by_hash[k - 1]);
    std::vector<std::uint32_t> best(n, std::numeric_limits<std::uint32_t>::max());
    for (std::size_t i = 0; i < n; ++i) {
      if (!active[i]) continue;
      const std::uint32_t r = uf.find(static_cast<std::uint32_t>(i));
      std::uint32_t& b = best[r];
      if (b == std::numeric_limits<std::uint32_t>::max() ||
          (opt.keep == keep_policy::longest && content_bytes[i] > content_bytes[b]))
        b = static_cast<std::uint32_t>(i);
    }
    for (std::size_t i = 0; i < n; ++i) {
      doc_result& res = out.docs[i];
      res.cluster = static_cast<std::uint32_t>(i);
      if (res.status == doc_status::skipped) continue;
      res.status = doc_status::kept;
      res.duplicate_of = 0;
      res.similarity = 0.0;
      if (!active[i]) continue;
      const std::uint32_t r = uf.find(static_cast<std::uint32_t>(i));
      res.cluster = r;
      const std::uint32_t b = best[r];
      if (b == i) continue;
      res.status = doc_status::dropped;
      res.duplicate_of = b;
      res.similarity = content_hash[i] == content_hash[b]
                           ? 1.0
                           : estimate_jaccard(std::span<const std::uint32_t>(sigs.data() + i * K, K),
                                              std::span<const std::uint32_t>(sigs.data() + b * K, K));
    }
  };

  // Idempotence: cleaning the output again must change nothing. A second run would see only
  // the kept documents and their kept lines, one page per document; a kept line that recurs on
  // enough of those pages would then be boilerplate (two articles that looked alike only
  // through their shared furniture are separate pages there). Such lines are removed now, the
  // changed documents fingerprinted again and the clusters redone, until nothing changes.
  auto refine = [&]() {
    std::vector<std::uint32_t> changed;
    std::vector<std::uint32_t> kept_in_group(groups.size(), 0);
    for (std::size_t i = 0; i < n; ++i)
      if (out.docs[i].status == doc_status::kept) ++kept_in_group[group_of[i]];
    std::vector<std::unordered_map<std::uint64_t, std::uint32_t>> count(groups.size());
    detail::flat_set64 seen;
    for (std::size_t i = 0; i < n; ++i) {
      if (out.docs[i].status != doc_status::kept) continue;
      const group_table& gt = groups[group_of[i]];
      auto& c = count[group_of[i]];
      seen.reset(fps[i].lines.size() * 2);
      for (const line_fp& l : fps[i].lines) {
        if (l.removed || l.tokens == 0) continue;
        const std::uint64_t k = gt.canonical(l.key);
        if (seen.insert(k)) ++c[k];
        if (l.masked_key != 0 && seen.insert(l.masked_key)) ++c[l.masked_key];
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (out.docs[i].status != doc_status::kept) continue;
      const std::uint32_t g = group_of[i];
      const std::uint32_t pages_in_group = kept_in_group[g];
      const std::uint32_t need =
          std::max({2U, std::min(opt.min_boilerplate_pages, pages_in_group),
                    static_cast<std::uint32_t>(std::ceil(opt.boilerplate_fraction * pages_in_group))});
      const std::uint32_t sure = std::max(need, (pages_in_group + 1) / 2);
      const group_table& gt = groups[g];
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
      for (const line_fp& l : fps[i].lines) {
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
        out.docs[i].strip_limited = true;
      }
      for (line_fp& l : fps[i].lines) {
        if (l.removed || l.tokens == 0 || l.blank) continue;
        const std::uint32_t p = pages_of(l);
        if (p < floor_pages) continue;
        l.removed = true;
        l.pages = p;
        l.gpages = pages_in_group;
      }
      finish_removals(fps[i], out.docs[i]);
      changed.push_back(static_cast<std::uint32_t>(i));
    }
    return changed;
  };

  decide_duplicates();
  for (int round = 0; round < 4; ++round) {
    const std::vector<std::uint32_t> changed = refine();
    if (changed.empty()) break;
    content_pass(changed);
    decide_duplicates();
  }
  for (doc_result& res : out.docs)
    if (res.status == doc_status::dropped) res.kept_bytes = 0;
  fps.clear();
  fps.shrink_to_fit();
  for (std::size_t t = 0; t < top.size(); ++t) {
    if (top[t].doc == std::numeric_limits<std::uint32_t>::max()) continue;
    out.top_boilerplate.push_back({std::move(top_text[t]), group_names[top[t].group], top[t].pages,
                                   groups[top[t].group].clusters});
  }
  end_phase("clusters");
  return out;
}

std::vector<std::string_view> kept_pieces(std::string_view bytes, const doc_result& result) {
  std::vector<std::string_view> pieces;
  std::size_t pos = 0;
  for (const removal& r : result.removals) {
    if (r.begin > pos) pieces.push_back(bytes.substr(pos, r.begin - pos));
    pos = r.end;
  }
  if (pos < bytes.size()) pieces.push_back(bytes.substr(pos));
  return pieces;
}

std::error_code apply(const document_source& source, analysis& result, const document_sink& sink,
                      unsigned jobs, const progress_callback& progress) {
  const std::size_t n = result.docs.size();
  std::vector<std::error_code> errors(n);
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> done{0};
  std::atomic<std::uint64_t> bytes_done{0};
  detail::parallel_for(n, jobs, 8, [&](unsigned, std::size_t i) {
    doc_result& res = result.docs[i];
    if (res.status == doc_status::kept && !stop.load(std::memory_order_relaxed)) {
      auto data = source.read(i);
      if (!data.has_value() || data.value().size() != res.bytes) {
        res.status = doc_status::skipped;
        res.error = data.has_value() ? make_error_code(errc::changed_during_run)
                                     : data.error();
        res.kept_bytes = 0;
      } else {
        const std::vector<std::string_view> pieces = kept_pieces(data.value(), res);
        errors[i] = sink(i, pieces);
        if (errors[i]) stop.store(true);
        bytes_done.fetch_add(res.bytes);
      }
    }
    const std::size_t d = done.fetch_add(1) + 1;
    if (progress) progress({"write", d, n, bytes_done.load()});
  });
  for (const std::error_code& ec : errors)
    if (ec) return ec;
  return {};
}

}  // namespace dupstrip

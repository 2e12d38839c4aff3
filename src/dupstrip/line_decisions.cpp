// The merge's decisions about lines (see engine.hpp): which lines are boilerplate of their
// site, of the whole run, template lines or in-page repeats, where the article flow keeps a
// shared line, the safety rail, and the refine check that makes cleaning idempotent. The rules
// are specified in doc/algorithm.md (Parts 3 and 4).
#include "dupstrip/line_decisions.hpp"

#include "dupstrip/article_flow.hpp"
#include "dupstrip/flat_set.hpp"
#include "dupstrip/markup.hpp"
#include "dupstrip/parallel.hpp"
#include "dupstrip/template_lines.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <vector>

namespace dupstrip::detail {

namespace {
// The refine check keeps a group's line records in memory when it has at most this many
// lines (about 100 bytes each: 20 MB at most per worker).
constexpr std::size_t refine_cache_lines = 200'000;
}  // namespace

namespace {

// Web pages: the main text is the main container's lines, grown up and down through prose
// lines (markup_prose), over link lists, figures, collections and lines the repetition tiers
// remove, with at most main_gap_before (going up) or main_gap_after (going down) other lines in
// a row. Lines of a page outside it get markup_outside_main; the others lose it. `gone(l)`:
// removed by repetition.
template <class Gone>
void grow_main_text(std::vector<line_fp>& lines, std::vector<std::uint8_t>& outside, const Gone& gone) {
  const std::size_t n = lines.size();
  outside.assign(n, 0);
  std::size_t first = n;
  std::size_t last = 0;
  bool marked = false;
  for (std::size_t i = 0; i < n; ++i) {
    marked = marked || lines[i].markup != 0;
    if (!lines[i].blank && (lines[i].markup & (markup_outside_main | markup_link_list)) == 0 && lines[i].tokens > 0) {
      first = std::min(first, i);
      last = i + 1;
    }
  }
  if (!marked) return;
  for (std::size_t i = 0; i < n; ++i) outside[i] = (lines[i].markup & markup_outside_main) != 0 ? 1 : 0;
  if (first >= last) return;
  for (const int dir : {-1, 1}) {
    const std::uint32_t max_gap = dir < 0 ? main_gap_before : main_gap_after;
    std::uint32_t gap = 0;
    for (std::ptrdiff_t i = dir < 0 ? static_cast<std::ptrdiff_t>(first) - 1 : static_cast<std::ptrdiff_t>(last);
         i >= 0 && i < static_cast<std::ptrdiff_t>(n); i += dir) {
      const line_fp& l = lines[static_cast<std::size_t>(i)];
      constexpr std::uint8_t passed = markup_link_list | markup_own_heading | markup_figure | markup_collection;
      if (l.blank || l.tokens == 0 || (l.markup & passed) != 0 || gone(l)) continue;
      if ((l.markup & markup_prose) != 0) {
        outside[static_cast<std::size_t>(i)] = 0;
        gap = 0;
      } else if (++gap > max_gap) {
        break;
      }
    }
  }
}

}  // namespace

void decide_removals(const clean_options& opt, std::vector<line_fp>& lines, doc_result& res,
                     std::uint32_t sure_pages, std::uint32_t group_pages, std::vector<removal>& out) {
  // Web pages: the safety rail protects the page's main text. Link lists and blocks outside the
  // main text are furniture by their markup and do not count in the share it protects (a short
  // article on a page of menus, or beside a leaked script, would else keep all of them).
  auto repetition = [&](const line_fp& l) {
    return l.repeat || ((l.markup & markup_own_heading) == 0 && (l.pages != 0 || l.line_repeat));
  };
  std::vector<std::uint8_t> outside_main;
  grow_main_text(lines, outside_main, repetition);
  const line_fp* base = lines.data();
  auto outside = [&](const line_fp& l) {
    return (l.markup & markup_own_heading) == 0 &&
           ((l.markup & markup_link_list) != 0 || outside_main[static_cast<std::size_t>(&l - base)] != 0);
  };
  std::uint64_t total = 0;
  for (const line_fp& l : lines)
    if (!outside(l)) total += l.tokens;
  auto removed_tokens = [&](int level) {
    // level 0: everything; 1: repeats + boilerplate on at least sure_pages; 2: repeats only
    std::uint64_t r = 0;
    for (line_fp& l : lines) {
      const bool weak = l.corpus || l.line_repeat;
      const bool own = (l.markup & markup_own_heading) != 0;  // the page's headline: repetition never takes it
      const bool bp = !own && (l.pages != 0 || l.line_repeat) &&
                      (level == 0 || (level == 1 && !weak && l.pages >= sure_pages));
      const bool mk = outside(l);
      l.removed = !l.blank && (l.repeat || ((bp || mk) && l.tokens > 0));
      if (l.removed && !outside(l)) r += l.tokens;
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
    for (line_fp& l : lines) l.removed = !l.blank && l.tokens > 0 && outside(l);
  }
  for (line_fp& l : lines)
    if (!l.corpus && !l.line_repeat) l.gpages = group_pages;
  finish_removals(lines, res, out);
}

void finish_removals(std::vector<line_fp>& lines, doc_result& res, std::vector<removal>& out) {
  // Filler lines: blank, or punctuation with no token ("|", "* * *", "-----"). They carry no
  // text, so they go with what surrounds them: a filler run that follows a removed line (or
  // starts the document) is dropped, and so is one after which nothing is kept, so removals
  // leave no piles of empty lines or orphaned separators.
  auto filler = [](const line_fp& l) { return l.blank || l.tokens == 0; };
  for (line_fp& l : lines)
    if (filler(l)) l.removed = false;
  const std::size_t n = lines.size();
  std::vector<bool> kept_after(n + 1, false);
  for (std::size_t i = n; i-- > 0;)
    kept_after[i] = kept_after[i + 1] || (!filler(lines[i]) && !lines[i].removed);
  bool prev_removed = true;  // document start counts as removed
  bool any_removed = false;
  for (const line_fp& l : lines) any_removed = any_removed || l.removed;
  if (any_removed) {
    for (std::size_t i = 0; i < n; ++i) {
      line_fp& l = lines[i];
      if (filler(l)) {
        if (prev_removed || !kept_after[i]) l.removed = true;
      } else {
        prev_removed = l.removed;
      }
    }
    // A document that only starts with filler lines keeps them when nothing before was removed.
    if (!lines.empty() && filler(lines[0])) {
      std::size_t k = 0;
      while (k < n && filler(lines[k])) ++k;
      if (k < n && !lines[k].removed) {
        for (std::size_t j = 0; j < k; ++j) lines[j].removed = false;
      }
    }
  }
  // Spans: a repeated run is one span; each boilerplate line is its own span (it has its own
  // evidence); removed blank lines join the span before them, or, when they open a span, take
  // the reason and evidence of the removed line that follows them.
  out.clear();
  res.removed_lines = 0;
  bool open_blank = false;  // the last span so far holds only blank lines
  for (std::size_t i = 0; i < n; ++i) {
    const line_fp& l = lines[i];
    if (!l.removed) continue;
    const bool adjacent = !out.empty() && out.back().end == l.begin;
    if (filler(l)) {
      if (adjacent) {
        out.back().end = l.next;
      } else {
        out.push_back({l.begin, l.next, removal_reason::boilerplate, 0, 0});
        open_blank = true;
      }
      continue;
    }
    ++res.removed_lines;
    const bool by_markup = !l.repeat && !l.line_repeat && (l.pages == 0 || (l.markup & markup_own_heading) != 0);
    const removal_reason why = l.repeat        ? removal_reason::repeat
                               : by_markup     ? ((l.markup & markup_link_list) != 0 ? removal_reason::links
                                                                                     : removal_reason::outside_main)
                               : l.corpus      ? removal_reason::corpus
                               : l.line_repeat ? removal_reason::line_repeat
                               : l.pattern != 0 ? removal_reason::template_line
                                                : removal_reason::boilerplate;
    const std::uint32_t pages = l.repeat || by_markup ? 0 : l.pages;
    const std::uint32_t gpages = l.repeat || by_markup ? 0 : l.gpages;
    const std::uint8_t part = (l.markup & markup_figure) != 0       ? outside_figure
                              : (l.markup & markup_collection) != 0 ? outside_collection
                                                                    : outside_container;
    const std::uint8_t pattern = why == removal_reason::template_line ? l.pattern
                                 : why == removal_reason::links       ? l.link_share
                                 : why == removal_reason::outside_main ? part
                                                                      : std::uint8_t{0};
    if (adjacent && open_blank) {
      removal& r = out.back();
      r.end = l.next;
      r.reason = why;
      r.pages = pages;
      r.group_pages = gpages;
      r.pattern = pattern;
      r.source_line = l.source_line;
    } else if (adjacent && why == removal_reason::repeat && out.back().reason == why) {
      out.back().end = l.next;
    } else {
      out.push_back({l.begin, l.next, why, pages, gpages, pattern, l.source_line});
    }
    open_blank = false;
  }
}

void run_state::begin() {
  const clean_options& opt = cfg_.opt;
  const std::size_t n = results_.size();
  if (n >= 0x80000000u) throw std::length_error("a run handles at most 2^31 documents");
  std::vector<std::uint32_t> order;
  std::vector<std::size_t> group_begin(groups_.size() + 1, 0);
  {
    const std::vector<std::uint32_t> pre = cluster_documents();
    order.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
      if (results_[i].status != doc_status::skipped) order.push_back(static_cast<std::uint32_t>(i));
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      if (group_of_[a] != group_of_[b]) return group_of_[a] < group_of_[b];
      if (pre[a] != pre[b]) return pre[a] < pre[b];
      return a < b;
    });
    // From here on, order[k] holds the document and a flag: it opens a new cluster.
    for (std::size_t k = 0; k < order.size(); ++k) {
      const std::uint32_t i = order[k];
      const bool opens = k == 0 || group_of_[order[k - 1] & 0x7FFFFFFFu] != group_of_[i] || pre[order[k - 1] & 0x7FFFFFFFu] != pre[i];
      if (opens) ++groups_[group_of_[i]].clusters;
      if (opens) order[k] |= 0x80000000u;
    }
  }
  for (std::size_t k = 0; k < order.size(); ++k) ++group_begin[group_of_[order[k] & 0x7FFFFFFFu] + 1];
  for (std::size_t g = 0; g < groups_.size(); ++g) group_begin[g + 1] += group_begin[g];
  for (group_info& gt : groups_) gt.need = need_for(opt, gt.clusters);

  near_identical_lines();

  // Count each key once per near-duplicate cluster of its group; keep the boilerplate keys.
  // The corpus tier counts each exact line key once per group that carries it.
  std::vector<page_table> tables(groups_.size());
  std::vector<page_table> pairs(groups_.size());  // keys on 2 .. need-1 pages (furniture runs)
  std::vector<page_table> templates(groups_.size());  // template line patterns
  // The corpus tier's keys: every group's distinct ones, appended (8 bytes a key, where a hash
  // table of counts took 40 or more), then sorted and counted. The reservation is an upper
  // bound (every stored line) that costs address space only: pages are touched as keys come.
  std::mutex corpus_mutex;
  std::vector<std::uint64_t> corpus_keys;
  const bool corpus_tier = opt.corpus_min_sites != 0 && groups_.size() >= opt.corpus_min_sites;
  if (corpus_tier) {
    std::size_t stored = 0;
    for (std::size_t i = 0; i < n; ++i) stored += stored_lines(i);
    corpus_keys.reserve(stored);
  }
  parallel_for(groups_.size(), jobs_, 1, [&](unsigned, std::size_t g) {
    const group_info& gt = groups_[g];
    flat_count64 counts;
    flat_count64 exact_counts;  // exact (digits kept) line keys, for furniture runs
    flat_set64 corpus_seen;  // corpus keys of this group, each bumped once
    line_cursor cursor(*this);
    std::vector<std::uint64_t> keys;
    std::vector<std::uint64_t> exact_keys;
    auto count_once = [](std::vector<std::uint64_t>& v, flat_count64& into) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
      for (const std::uint64_t k : v) into.bump(k);
      v.clear();
    };
    auto flush = [&] {
      count_once(keys, counts);
      count_once(exact_keys, exact_counts);
    };
    std::vector<std::uint64_t> group_keys;
    if (corpus_tier) corpus_seen.reset(1024);
    template_tally tally(gt.need);
    // The lines that can be template lines, kept for the second template pass while the
    // group's are few (refine_cache_lines); else that pass reads the records again.
    std::vector<std::vector<line_fp>> patterned(opt.template_lines ? group_begin[g + 1] - group_begin[g] : 0);
    std::size_t patterned_lines = 0;
    for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
      if ((order[k] & 0x80000000u) != 0) {
        flush();
        tally.next_cluster();
      }
      // Lines of repeated runs count too: a page that prints its body twice still carries its
      // furniture, and counting per cluster already counts a key once per page.
      const std::vector<line_fp>& lines = cursor.lines_of(order[k] & 0x7FFFFFFFu);
      if (opt.template_lines) {
        tally.add_parts(lines);
        if (!patterned.empty()) {
          for (const line_fp& l : lines)
            if (l.pattern_tokens != 0 && !l.blank) patterned[k - group_begin[g]].push_back(l);
          patterned_lines += patterned[k - group_begin[g]].size();
          if (patterned_lines > refine_cache_lines) patterned = {};
        }
      }
      for (const line_fp& l : lines) {
        if (l.tokens == 0) continue;
        keys.push_back(gt.canonical(l.key));
        if (l.masked_key != 0) keys.push_back(l.masked_key);
        if (opt.flow_tokens != 0 && l.exact != 0) exact_keys.push_back(l.exact);
        if (corpus_tier && l.tokens <= corpus_max_tokens && corpus_key(l) != 0 && corpus_seen.insert(corpus_key(l)))
          group_keys.push_back(corpus_key(l));
      }
    }
    flush();
    if (opt.template_lines) {
      tally.finish_parts();
      if (tally.any_frequent_part()) {
        for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
          if ((order[k] & 0x80000000u) != 0) tally.next_cluster();
          tally.add_patterns(patterned.empty() ? cursor.lines_of(order[k] & 0x7FFFFFFFu) : patterned[k - group_begin[g]]);
        }
      }
      templates[g] = tally.finish();
    }
    counts.for_each([&](std::uint64_t k, std::uint32_t c) {
      if (c >= gt.need && k != 0) tables[g].emplace_back(k, c);
    });
    // Below need only: a line at or above it is site-tier by its masked key already.
    exact_counts.for_each([&](std::uint64_t k, std::uint32_t c) {
      if (c >= 2 && c < gt.need && k != 0) pairs[g].emplace_back(k, c);
    });
    std::sort(tables[g].begin(), tables[g].end());
    std::sort(pairs[g].begin(), pairs[g].end());
    if (corpus_tier) {
      const std::lock_guard<std::mutex> lock(corpus_mutex);
      corpus_keys.insert(corpus_keys.end(), group_keys.begin(), group_keys.end());
    }
  });
  page_table corpus;  // sorted by key
  if (corpus_tier) {
    sort_keys(corpus_keys, jobs_);  // the run's longest sort: every group's distinct lines
    for (std::size_t a = 0; a < corpus_keys.size();) {
      std::size_t b = a + 1;
      while (b < corpus_keys.size() && corpus_keys[b] == corpus_keys[a]) ++b;
      const auto c = static_cast<std::uint32_t>(b - a);
      if (c >= opt.corpus_min_sites && corpus_keys[a] != 0) corpus.emplace_back(corpus_keys[a], c);
      a = b;
    }
    corpus_keys = {};
  }
  const auto run_sites = static_cast<std::uint32_t>(groups_.size());

  // Article flow: per group, the pages (clusters) on which each boilerplate key sits in the
  // article flow (next to the page's own text). A key in flow on fewer than
  // min_boilerplate_pages of them belongs to those pages there (a headline shown as a teaser
  // elsewhere); a key in flow on more is template around the articles (a disclaimer).
  const flow_options fopt{opt.flow_tokens, flow_min_tokens, flow_reach};
  std::vector<page_table> flow_tables(groups_.size());
  auto shared_of = [&](std::uint32_t g, const std::vector<line_fp>& lines, std::vector<std::uint8_t>& shared) {
    const group_info& gt = groups_[g];
    shared.assign(lines.size(), 0);
    for (std::size_t li = 0; li < lines.size(); ++li) {
      const line_fp& l = lines[li];
      if (l.tokens == 0 || l.blank) continue;
      const bool site = pages_in(tables[g], gt.canonical(l.key)) != 0 ||
                        (l.masked_key != 0 && pages_in(tables[g], l.masked_key) != 0);
      const bool wide = corpus_tier && l.tokens <= corpus_max_tokens && pages_in(corpus, corpus_key(l)) != 0;
      const bool pair = !site && !wide && !pairs[g].empty() && pages_in(pairs[g], l.exact) != 0;
      shared[li] = site ? site_shared : wide ? corpus_shared : pair ? pair_shared : unshared;
    }
  };
  if (opt.flow_tokens != 0) {
    parallel_for(groups_.size(), jobs_, 1, [&](unsigned, std::size_t g) {
      if (tables[g].empty()) return;
      const group_info& gt = groups_[g];
      flow_tally tally;
      line_cursor cursor(*this);
      std::vector<std::uint8_t> shared;
      std::vector<std::uint8_t> in_flow;
      for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
        if ((order[k] & 0x80000000u) != 0) tally.next_cluster();
        const std::vector<line_fp>& lines = cursor.lines_of(order[k] & 0x7FFFFFFFu);
        shared_of(static_cast<std::uint32_t>(g), lines, shared);
        mark_article_flow(lines, shared, fopt, in_flow);
        tally.add(lines, in_flow, [&](std::size_t li) {
          const line_fp& l = lines[li];
          return std::array<std::uint64_t, 2>{shared[li] == site_shared ? gt.canonical(l.key) : 0,
                                              shared[li] == site_shared ? l.masked_key : 0};
        });
      }
      flow_tables[g] = tally.finish();
    });
  }
  order = {};
  auto pages_if_boilerplate = [&](std::uint32_t g, std::uint64_t k) -> std::uint32_t {
    return k == 0 ? 0 : pages_in(tables[g], k);
  };

  // Top boilerplate keys for the summary: most pages first, then group name, then first sight.
  top_.clear();
  for (std::size_t g = 0; g < groups_.size(); ++g)
    for (const auto& [k, c] : tables[g]) {
      ++boilerplate_lines_;
      top_.push_back({c, static_cast<std::uint32_t>(g), k, none, 0, {}});
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
  // worker notes the first line (document name, line) showing each top key, the smallest wins:
  // the example does not depend on the order of the documents.
  const unsigned workers = resolve_jobs(jobs_);
  using sighting = std::array<std::uint32_t, 3>;  // name rank, document, line
  std::vector<std::vector<sighting>> first_seen(workers, std::vector<sighting>(top_.size(), sighting{none, none, 0}));
  // In blocks of consecutive documents, whose removal lists are written with one call.
  constexpr std::size_t block = 64;
  std::vector<line_cursor> cursors(workers, line_cursor(*this));
  parallel_for((n + block - 1) / block, jobs_, 1, [&](unsigned w, std::size_t b) {
    const std::size_t first = b * block;
    std::vector<std::vector<removal>> lists(std::min(block, n - first));
    auto& seen_here = first_seen[w];
    line_cursor& cursor = cursors[w];
    std::vector<std::uint8_t> shared;
    std::vector<std::uint8_t> in_flow;
    std::vector<std::uint8_t> own_list;
    std::vector<std::uint8_t> in_run;
    std::vector<std::uint8_t> skip;
    std::vector<std::uint32_t> first_copy;
    for (std::size_t k = 0; k < lists.size(); ++k) {
      const std::size_t i = first + k;
      doc_result& res = results_[i];
      if (res.status == doc_status::skipped) continue;
      const std::uint32_t g = group_of_[i];
      const group_info& gt = groups_[g];
      std::vector<line_fp> lines = cursor.lines_of(i);
      shared_of(g, lines, shared);
      mark_article_flow(lines, shared, fopt, in_flow);
      mark_own_lists(lines, shared, fopt, own_list);
      mark_shared_runs(lines, shared, furniture_run, pair_shared, in_run);

      for (std::size_t li = 0; li < lines.size(); ++li) {
        line_fp& l = lines[li];
        if (l.tokens == 0) continue;
        const std::uint64_t ck = gt.canonical(l.key);
        l.pages = std::max(pages_if_boilerplate(g, ck), pages_if_boilerplate(g, l.masked_key));
        if (l.pages != 0 && flow_keeps(opt, flow_tables[g], ck, l.masked_key, in_flow[li], own_list[li], gt.need))
          l.pages = 0;
        // Corpus tier. A short line right next to the page's own text needs twice the sites.
        if (l.pages == 0 && shared[li] == corpus_shared && in_flow[li] != 1 && own_list[li] != 2 &&
            (in_flow[li] == 0 || pages_in(corpus, corpus_key(l)) >= 2 * opt.corpus_min_sites)) {
          l.corpus = true;
          l.pages = pages_in(corpus, corpus_key(l));
          l.gpages = run_sites;
        }
        // Web pages: prose in the main container that one other page shows word for word is a
        // copy of the article (a partial or print copy), not furniture.
        const bool container_prose = (l.markup & markup_prose) != 0 && (l.markup & markup_outside_main) == 0;
        if (l.pages == 0 && shared[li] == pair_shared && in_flow[li] != 1 && in_run[li] != 0 && !container_prose)
          l.pages = pages_in(pairs[g], l.exact);
        if (l.pages == 0 || l.repeat || l.corpus) continue;
        for (std::size_t t = 0; t < top_.size(); ++t) {
          const sighting here{name_rank(i), static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(li)};
          if (top_[t].group == g && (top_[t].key == ck || top_[t].key == l.masked_key) && here < seen_here[t])
            seen_here[t] = here;
        }
      }
      mark_template_lines(lines, templates[g]);
      if (opt.min_line_repeat_run != 0) {
        // A menu printed twice: lines already decided are transparent to the run.
        skip.assign(lines.size(), 0);
        for (std::size_t li = 0; li < lines.size(); ++li) skip[li] = lines[li].pages != 0 ? 1 : 0;
        mark_line_repeats(lines, skip, flow_min_tokens, opt.min_line_repeat_run, first_copy);
        for (std::size_t li = 0; li < lines.size(); ++li) {
          line_fp& l = lines[li];
          if (first_copy[li] == lines.size() || l.repeat || l.pages != 0) continue;
          l.line_repeat = true;
          l.pages = lines[first_copy[li]].begin;
          l.gpages = 0;
        }
      }
      const std::uint32_t sure = std::max(gt.need, (gt.clusters + 1) / 2);
      decide_removals(opt, lines, res, sure, gt.clusters, lists[k]);
      extra_[i].removed_bytes = removed_bytes_of(lists[k]);
    }
    removals_.set_block(first, lists);
  });
  for (std::size_t t = 0; t < top_.size(); ++t) {
    sighting best{none, none, 0};
    for (const auto& f : first_seen) best = std::min(best, f[t]);
    top_[t].doc = best[1];
    top_[t].line = best[2];
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

  // The content step fingerprints every document that was read (its signature slot is
  // overwritten with the content signature).
  pending_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    extra_[i].active = false;
    if (results_[i].status != doc_status::skipped) pending_.push_back(static_cast<std::uint32_t>(i));
  }
  if (pending_.empty()) step();
}

// Idempotence: cleaning the output again must change nothing. A second run would see only
// the kept documents and their kept lines, one page per document; a kept line that recurs on
// enough of those pages would then be boilerplate (two articles that looked alike only
// through their shared furniture are separate pages there). Such lines are removed now, and
// the changed documents go through the content step again. Groups are independent.
std::vector<std::uint32_t> run_state::refine() {
  const clean_options& opt = cfg_.opt;
  const std::size_t n = results_.size();
  // Kept documents by group, in index order.
  std::vector<std::size_t> group_begin(groups_.size() + 1, 0);
  for (std::size_t i = 0; i < n; ++i)
    if (results_[i].status == doc_status::kept) ++group_begin[group_of_[i] + 1];
  for (std::size_t g = 0; g < groups_.size(); ++g) group_begin[g + 1] += group_begin[g];
  std::vector<std::uint32_t> kept(group_begin.back());
  {
    std::vector<std::size_t> at(group_begin.begin(), group_begin.end() - 1);
    for (std::size_t i = 0; i < n; ++i)
      if (results_[i].status == doc_status::kept) kept[at[group_of_[i]]++] = static_cast<std::uint32_t>(i);
  }
  std::vector<std::vector<std::uint32_t>> changed_in(groups_.size());
  parallel_for(groups_.size(), jobs_, 1, [&](unsigned, std::size_t g) {
    const auto pages_in_group = static_cast<std::uint32_t>(group_begin[g + 1] - group_begin[g]);
    if (pages_in_group == 0) return;
    const group_info& gt = groups_[g];
    const std::uint32_t need = need_for(opt, pages_in_group);
    const std::uint32_t sure = std::max(need, (pages_in_group + 1) / 2);
    const flow_options fopt{opt.flow_tokens, flow_min_tokens, flow_reach};
    page_table count;
    line_cursor cursor(*this);
    // The group's kept documents are read up to five times below: a group of at most
    // refine_cache_lines lines is read once and kept in memory (about 100 bytes a line).
    std::size_t group_lines = 0;
    for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) group_lines += stored_lines(kept[k]);
    std::vector<std::vector<line_fp>> cache;
    if (group_lines <= refine_cache_lines) cache.resize(group_begin[g + 1] - group_begin[g]);
    auto lines_at = [&](std::size_t k) -> const std::vector<line_fp>& {  // valid until the next call
      if (cache.empty()) return cursor.lines_of(kept[k]);
      std::vector<line_fp>& c = cache[k - group_begin[g]];
      if (c.empty() && stored_lines(kept[k]) != 0) c = cursor.lines_of(kept[k]);
      return c;
    };
    {
      flat_count64 c;
      flat_set64 seen;
      for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
        const std::vector<line_fp>& lines = lines_at(k);
        seen.reset(lines.size() * 2);
        for (const line_fp& l : lines) {
          if (l.removed || l.tokens == 0) continue;
          const std::uint64_t key = gt.canonical(l.key);
          if (seen.insert(key)) c.bump(key);
          if (l.masked_key != 0 && seen.insert(l.masked_key)) c.bump(l.masked_key);
        }
      }
      c.for_each([&](std::uint64_t k, std::uint32_t v) {
        if (v >= need) count.emplace_back(k, v);
      });
      std::sort(count.begin(), count.end());
    }
    // Template lines, as a second run would count them over the kept lines.
    std::vector<std::pair<std::uint64_t, std::uint32_t>> templates;
    if (opt.template_lines) {
      template_tally tally(need);
      for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
        tally.next_cluster();
        tally.add_parts(present_lines(lines_at(k)));
      }
      tally.finish_parts();
      if (tally.any_frequent_part()) {
        for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
          tally.next_cluster();
          tally.add_patterns(present_lines(lines_at(k)));
        }
      }
      templates = tally.finish();
    }
    if (count.empty() && templates.empty() && opt.min_line_repeat_run == 0) return;
    auto pages_of = [&](const line_fp& l) -> std::uint32_t {
      std::uint32_t p = pages_in(count, gt.canonical(l.key));
      if (l.masked_key != 0) p = std::max(p, pages_in(count, l.masked_key));
      return p;
    };
    // The article flow guard, as a second run would apply it (begin()).
    std::vector<std::uint8_t> shared;
    std::vector<std::uint8_t> in_flow;
    std::vector<std::uint8_t> own_list;
    auto flow_of = [&](const std::vector<line_fp>& lines) {
      shared.assign(lines.size(), 0);
      for (std::size_t li = 0; li < lines.size(); ++li)
        if (!lines[li].removed && lines[li].tokens != 0 && pages_of(lines[li]) >= need) shared[li] = site_shared;
      mark_article_flow(lines, shared, fopt, in_flow);
      mark_own_lists(lines, shared, fopt, own_list);
    };
    page_table flow;
    if (opt.flow_tokens != 0) {
      flow_tally tally;
      for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
        tally.next_cluster();
        const std::vector<line_fp>& lines = lines_at(k);
        flow_of(lines);
        tally.add(lines, in_flow, [&](std::size_t li) {
          return std::array<std::uint64_t, 2>{gt.canonical(lines[li].key), lines[li].masked_key};
        });
      }
      flow = tally.finish();
    }
    for (std::size_t k = group_begin[g]; k < group_begin[g + 1]; ++k) {
      const std::uint32_t i = kept[k];
      std::vector<line_fp> lines = lines_at(k);
      flow_of(lines);  // marks all zero when the guard is off
      std::vector<std::uint32_t> pages(lines.size(), 0);
      for (std::size_t li = 0; li < lines.size(); ++li) {
        const line_fp& l = lines[li];
        if (l.removed || l.tokens == 0) continue;
        pages[li] = pages_of(l);
        if (pages[li] >= need && flow_keeps(opt, flow, gt.canonical(l.key), l.masked_key, in_flow[li], own_list[li], need))
          pages[li] = 0;
      }
      std::vector<std::uint8_t> pattern(lines.size(), 0);
      if (!templates.empty()) {
        std::vector<line_fp> probe = lines;
        for (std::size_t li = 0; li < lines.size(); ++li) {
          probe[li].pattern = 0;
          if (!probe[li].removed) probe[li].pages = pages[li] >= need ? pages[li] : 0;
        }
        mark_template_lines(probe, templates);
        for (std::size_t li = 0; li < lines.size(); ++li) {
          if (probe[li].pattern == 0 || lines[li].removed) continue;
          pattern[li] = probe[li].pattern;
          pages[li] = probe[li].pages;
        }
      }
      // In-page line repeats over the kept lines, the lines going now transparent to them.
      std::vector<std::uint32_t> first_copy;
      if (opt.min_line_repeat_run != 0) {
        std::vector<std::uint8_t> skip(lines.size(), 0);
        for (std::size_t li = 0; li < lines.size(); ++li) skip[li] = pages[li] >= need ? 1 : 0;
        mark_line_repeats(lines, skip, flow_min_tokens, opt.min_line_repeat_run, first_copy);
      }
      auto line_repeat = [&](std::size_t li) {
        return !first_copy.empty() && first_copy[li] != lines.size() && pages[li] < need && !lines[li].removed;
      };
      std::uint64_t present = 0;
      std::uint64_t would = 0;
      std::uint64_t would_sure = 0;
      for (std::size_t li = 0; li < lines.size(); ++li) {
        const line_fp& l = lines[li];
        if (l.removed || l.tokens == 0) continue;
        present += l.tokens;
        const std::uint32_t p = pages[li];
        if (p >= need || line_repeat(li)) would += l.tokens;
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
        results_[i].strip_limited = true;
      }
      for (std::size_t li = 0; li < lines.size(); ++li) {
        line_fp& l = lines[li];
        if (l.removed || l.tokens == 0 || l.blank) continue;
        if (floor_pages == need && line_repeat(li)) {
          l.removed = true;
          l.line_repeat = true;
          l.pages = lines[first_copy[li]].begin;
          l.gpages = 0;
          continue;
        }
        const std::uint32_t p = pages[li];
        if (p < floor_pages) continue;
        l.removed = true;
        l.pages = p;
        l.gpages = pages_in_group;
        l.pattern = pattern[li];
      }
      std::vector<removal> rem;
      finish_removals(lines, results_[i], rem);
      set_removals(i, rem);
      changed_in[g].push_back(i);
    }
  });
  std::vector<std::uint32_t> changed;
  for (const auto& c : changed_in) changed.insert(changed.end(), c.begin(), c.end());
  std::sort(changed.begin(), changed.end());
  return changed;
}

}  // namespace dupstrip::detail

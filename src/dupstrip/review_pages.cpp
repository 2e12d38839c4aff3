// The review's tables and detail pages: sites (with the boilerplate lines and template
// patterns of the largest, read from a fixed-seed sample of their pages), near-duplicate
// clusters (least similar copy first, with diffs of dropped copies against the kept one), and
// the documents shown (their text with every removed range marked). Filters work on data-*
// attributes of the rows; sites are filtered by number ("s12"), never by a name put in a URL.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "dupstrip/review_run.hpp"
#include "dupstrip/text.hpp"

namespace dupstrip::detail::review {

namespace {

const char* pick_key(review_pick p) {
  switch (p) {
    case review_pick::safety_rail:
      return "safety_rail";
    case review_pick::most_stripped:
      return "most_stripped";
    case review_pick::sample:
      return "sample";
  }
  return "sample";
}
const char* pick_label(review_pick p) {
  switch (p) {
    case review_pick::safety_rail:
      return "safety rail";
    case review_pick::most_stripped:
      return "most stripped";
    case review_pick::sample:
      return "sample";
  }
  return "sample";
}
const char* state_label(doc_state s) {
  switch (s) {
    case doc_state::kept:
      return "kept";
    case doc_state::dropped:
      return "dropped";
    case doc_state::skipped:
      return "skipped";
  }
  return "?";
}

std::string site_name(std::string_view group) { return group.empty() ? std::string("(top)") : std::string(group); }

void add_cut(std::string& s, std::string_view text, std::size_t max = name_cut) { append_escaped_cut(s, text, max); }

// "BP 72% · TL 20%": the reasons of a tally by their share of its stripped bytes.
std::string reason_shares(const tally& t) {
  std::string s = "<span class=\"tags\">";
  for (std::size_t r = 0; r < reason_count; ++r) {
    if (t.reason_bytes[r] == 0) continue;
    s += fmt::format("<span class=\"tag\" title=\"{}\">{} {}</span>", reason_label(static_cast<reason>(r)),
                     reason_tag(static_cast<reason>(r)), percent(t.reason_bytes[r], t.stripped));
  }
  return s + "</span>";
}

std::string reasons_attr(const tally& t) {
  std::string s;
  for (std::size_t r = 0; r < reason_count; ++r)
    if (t.reason_ranges[r] != 0) (s += s.empty() ? "" : " ") += reason_key(static_cast<reason>(r));
  return s;
}

std::string reasons_attr(const std::vector<removed_range>& removed) {
  bool seen[reason_count] = {};
  for (const removed_range& r : removed) seen[static_cast<std::size_t>(r.why)] = true;
  std::string s;
  for (std::size_t r = 0; r < reason_count; ++r)
    if (seen[r]) (s += s.empty() ? "" : " ") += reason_key(static_cast<reason>(r));
  return s;
}

std::string reason_select(const bool* present) {
  std::string s = "<label>Reason<select data-filter=\"reason\"><option value=\"\">any</option>";
  for (std::size_t r = 0; r < reason_count; ++r)
    if (present == nullptr || present[r])
      s += fmt::format("<option value=\"{}\">{}</option>", reason_key(static_cast<reason>(r)),
                       reason_label(static_cast<reason>(r)));
  return s + "</select></label>";
}

std::string name_filter(std::string_view what) {
  return fmt::format(
      "<label>{}<input type=\"search\" data-filter=\"name\" placeholder=\"part of a name\" "
      "autocomplete=\"off\"></label>",
      what);
}

}  // namespace

// ------------------------------------------------------------------ sites

void review_run::write_sites() {
  std::vector<std::size_t> order(sites_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const tally &x = sites_[a].t, &y = sites_[b].t;
    return x.pages != y.pages ? x.pages > y.pages : sites_[a].name < sites_[b].name;
  });
  if (order.size() > o_.max_sites) order.resize(o_.max_sites);
  site_order_ = order;
  for (const std::size_t i : order) {
    if (site_files_.size() >= o_.site_details) break;
    if (!sites_[i].picks.empty()) site_files_[i] = fmt::format("site-{}.html", site_files_.size() + 1);
  }
  std::size_t rank = 0;
  for (const std::size_t i : order)
    if (auto it = site_files_.find(i); it != site_files_.end()) write_site_page(sites_[i], it->second, ++rank);

  const std::vector<review_page> pages = paginate("sites", order.size(), o_.rows_per_page);
  bool present[reason_count] = {};
  for (std::size_t r = 0; r < reason_count; ++r) present[r] = all_.reason_ranges[r] != 0;
  for (std::size_t p = 0; p < pages.size(); ++p) {
    std::string s =
        page_head(pages.size() > 1 ? fmt::format("Sites ({} of {})", p + 1, pages.size()) : "Sites", section::sites);
    s += fmt::format(
        "<p class=\"lead\">{} sites (boilerplate groups), the largest first{}. Bytes stripped are those of "
        "kept pages; the tags give each reason's share of them.</p>\n",
        thousands(sites_.size()),
        order.size() < sites_.size() ? fmt::format("; the {} largest are listed", thousands(order.size()))
                                     : std::string());
    s += "<div class=\"filters\">" + name_filter("Site") + reason_select(present) +
         "<span id=\"filter-count\" aria-live=\"polite\"></span></div>\n";
    s += pager(pages, p);
    s += "<div class=\"table-wrap\"><table class=\"filterable rows\"><thead><tr><th>Site</th><th class=\"n\">Pages</th>"
         "<th class=\"n\">Kept</th><th class=\"n\">Dropped</th><th class=\"n\">Skipped</th><th class=\"n\">Input</th>"
         "<th class=\"n\">Stripped</th><th class=\"n\">Share</th><th>By reason</th><th class=\"n\">Rail</th></tr>"
         "</thead><tbody>\n";
    for (std::size_t k = pages[p].first; k < pages[p].last; ++k) {
      const site_stats& st = sites_[order[k]];
      s += "<tr data-name=\"";
      add_cut(s, site_name(st.name));
      s += fmt::format("\" data-reasons=\"{}\"><td class=\"name\">", reasons_attr(st.t));
      const auto file = site_files_.find(order[k]);
      if (file != site_files_.end()) s += fmt::format("<a href=\"{}\">", file->second);
      add_cut(s, site_name(st.name));
      if (file != site_files_.end()) s += "</a>";
      s += fmt::format(
          "</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
          "class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>\n",
          thousands(st.t.pages), thousands(st.t.kept), thousands(st.t.dropped), thousands(st.t.skipped),
          human_bytes(st.t.bytes), human_bytes(st.t.stripped), percent(st.t.stripped, st.t.kept_in),
          reason_shares(st.t), thousands(st.t.rails));
    }
    s += "</tbody></table></div>\n" + pager(pages, p);
    s += page_tail(p > 0 ? pages[p - 1].file : "", p + 1 < pages.size() ? pages[p + 1].file : "");
    write_file(pages[p].file, s);
  }
}

void review_run::write_site_page(const site_stats& st, const std::string& file, std::size_t rank) {
  struct line_entry {
    reason why;
    std::string text;
    std::uint64_t pages = 0, group_pages = 0;
    std::size_t seen = 0;
    std::set<std::string> variants;
  };
  struct pattern_entry {
    std::string html;
    std::uint32_t a = 0, b = 0;
    std::uint64_t pages = 0, group_pages = 0;
    std::size_t seen = 0;
    std::vector<std::string> middles;
  };
  std::map<std::string, line_entry> lines;
  std::map<std::string, pattern_entry> patterns;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> picks = st.picks;
  std::sort(picks.begin(), picks.end());
  std::size_t read = 0;
  std::vector<std::string> problems;
  for (const auto& [key, offset] : picks) {
    const doc_record d = doc_at(offset);
    const text_read t = read_text(d);
    if (!t.ok) {
      if (problems.size() < 3) problems.push_back(d.path.substr(0, name_cut) + ": " + t.problem);
      continue;
    }
    ++read;
    std::set<std::string> on_page;
    for (const removed_range& r : d.removed) {
      if (r.why != reason::boilerplate && r.why != reason::corpus && r.why != reason::template_line) continue;
      const std::string_view line = range_line(t.text, r.begin, r.end);
      if (line.empty()) continue;
      if (r.why == reason::template_line) {
        const template_split sp = split_template(line, r.prefix_tokens, r.suffix_tokens);
        normalize_options no;
        no.mask_digits = true;
        const std::string k = sp.ok ? fmt::format("{}/{}|{}|{}", r.prefix_tokens, r.suffix_tokens,
                                                  normalize(sp.head, no), normalize(sp.tail, no))
                                    : std::string(line);
        pattern_entry& e = patterns[k];
        if (e.html.empty()) e.html = template_html(line, r.prefix_tokens, r.suffix_tokens);
        e.a = r.prefix_tokens;
        e.b = r.suffix_tokens;
        e.pages = std::max(e.pages, r.pages);
        e.group_pages = std::max(e.group_pages, r.group_pages);
        if (on_page.insert("t" + k).second) ++e.seen;
        const std::string middle(sp.ok ? sp.middle : line);
        if (e.middles.size() < 3 && std::find(e.middles.begin(), e.middles.end(), middle) == e.middles.end())
          e.middles.push_back(middle.substr(0, 200));
        continue;
      }
      // One entry per line key, as the run counts lines (case, punctuation and numbers aside):
      // "1,482 readers" and "2,217 readers" are one line with variants.
      normalize_options no;
      no.mask_digits = true;
      const std::string k = std::string(reason_key(r.why)) + "\x1f" + normalize(line.substr(0, 2000), no);
      line_entry& e = lines[k];
      e.why = r.why;
      if (e.text.empty()) e.text = line.substr(0, 2000);
      if (e.variants.size() < 100) e.variants.insert(std::string(line.substr(0, 2000)));
      e.pages = std::max(e.pages, r.pages);
      e.group_pages = std::max(e.group_pages, r.group_pages);
      if (on_page.insert("l" + k).second) ++e.seen;
    }
  }

  std::string s = page_head("Site: " + site_name(st.name).substr(0, name_cut), section::sites);
  s += fmt::format(
      "<p class=\"lead\">Site {} by size. <a href=\"sites.html\">All sites</a> \u00B7 <a "
      "href=\"docs.html?site=s{}\">its documents shown</a></p>\n",
      rank, site_index_.at(st.name));
  s += fmt::format(
      "<dl class=\"facts\"><dt>Pages</dt><dd>{}</dd><dt>Kept / dropped / skipped</dt><dd>{} / {} / "
      "{}</dd><dt>Input</dt>"
      "<dd>{}</dd><dt>Stripped from kept pages</dt><dd>{} ({})</dd><dt>Safety-rail hits</dt><dd>{}</dd><dt>By "
      "reason</dt><dd>{}</dd></dl>\n",
      thousands(st.t.pages), thousands(st.t.kept), thousands(st.t.dropped), thousands(st.t.skipped),
      human_bytes(st.t.bytes), human_bytes(st.t.stripped), percent(st.t.stripped, st.t.kept_in), thousands(st.t.rails),
      reason_shares(st.t));
  s += fmt::format(
      "<p class=\"note\">The lines below come from the {} pages of this site read for the review (a "
      "fixed-seed sample of its pages with such removals); the report lists every removal.</p>\n",
      read);
  for (const std::string& p : problems) {
    s += "<p class=\"warning\">";
    add_cut(s, p, 600);
    s += "</p>\n";
  }

  std::vector<const line_entry*> sorted;
  for (const auto& [k, e] : lines) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const line_entry* x, const line_entry* y) {
    return x->pages != y->pages ? x->pages > y->pages : x->seen > y->seen;
  });
  s += fmt::format("<h2>Boilerplate lines ({})</h2>\n", sorted.size());
  if (sorted.empty()) {
    s += "<p>None on the pages read.</p>\n";
  } else {
    s += "<div class=\"table-wrap\"><table class=\"rows\"><thead><tr><th>Line</th><th>Reason</th><th class=\"n\">Pages "
         "carrying it / pages of the site (copies count once)</th><th class=\"n\">On pages "
         "read</th></tr></thead><tbody>\n";
    for (std::size_t k = 0; k < sorted.size() && k < 60; ++k) {
      const line_entry& e = *sorted[k];
      s += "<tr><td class=\"name\">";
      add_cut(s, e.text, line_cut);
      if (e.variants.size() > 1)
        s += fmt::format(" <span class=\"pct\">(and {}{} variants)</span>", e.variants.size() - 1,
                         e.variants.size() >= 100 ? "+" : "");
      s += fmt::format(
          "</td><td><span class=\"tag\">{}</span> {}</td><td class=\"n\">{}</td><td class=\"n\">{} of "
          "{}</td></tr>\n",
          reason_tag(e.why), reason_label(e.why),
          e.why == reason::corpus ? fmt::format("{} of {} sites", thousands(e.pages), thousands(e.group_pages))
                                  : fmt::format("{} / {}", thousands(e.pages), thousands(e.group_pages)),
          e.seen, read);
    }
    s += "</tbody></table></div>\n";
    if (sorted.size() > 60) s += fmt::format("<p class=\"note\">{} more lines are left out.</p>\n", sorted.size() - 60);
  }

  std::vector<const pattern_entry*> pats;
  for (const auto& [k, e] : patterns) pats.push_back(&e);
  std::stable_sort(pats.begin(), pats.end(),
                   [](const pattern_entry* x, const pattern_entry* y) { return x->pages > y->pages; });
  s += fmt::format("<h2>Template patterns ({})</h2>\n", pats.size());
  if (pats.empty()) {
    s += "<p>None on the pages read.</p>\n";
  } else {
    s += "<p class=\"note\">Fixed words in bold around the part that changes from page to page (in italics).</p>\n"
         "<div class=\"table-wrap\"><table class=\"rows\"><thead><tr><th>Pattern (one line)</th><th class=\"n\">Fixed "
         "words first / last</th><th class=\"n\">Pages / pages of the site</th><th>Changing parts seen</th></tr>"
         "</thead><tbody>\n";
    for (std::size_t k = 0; k < pats.size() && k < 30; ++k) {
      const pattern_entry& e = *pats[k];
      s += "<tr><td class=\"name\">" + e.html + "</td>";
      s += fmt::format("<td class=\"n\">{} / {}</td><td class=\"n\">{} / {}</td><td>", e.a, e.b, thousands(e.pages),
                       thousands(e.group_pages));
      for (std::size_t m = 0; m < e.middles.size(); ++m) {
        if (m != 0) s += " \u00B7 ";
        s += "<span class=\"var\">";
        add_cut(s, e.middles[m], 80);
        s += "</span>";
      }
      s += "</td></tr>\n";
    }
    s += "</tbody></table></div>\n";
  }
  s += page_tail("", "");
  write_file(file, s);
}

// ------------------------------------------------------------------ documents shown

void review_run::choose_docs() {
  const std::vector<review_choice> chosen = selector_.chosen();
  shown_.reserve(chosen.size());
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    shown_doc d;
    d.rec = doc_at(doc_offsets_[chosen[k].candidate]);
    d.why = chosen[k].why;
    d.file = fmt::format("doc-{}.html", k + 1);
    shown_file_.try_emplace(d.rec.path, d.file);
    shown_.push_back(std::move(d));
  }
}

void review_run::write_docs() {
  for (std::size_t k = 0; k < shown_.size(); ++k) write_doc_page(k);
  result.documents = shown_.size();

  const std::vector<review_page> pages = paginate("docs", shown_.size(), o_.rows_per_page);
  std::set<std::pair<std::uint64_t, std::string>> sites;  // (report order, name) of the sites shown
  bool present[reason_count] = {};
  for (const shown_doc& d : shown_) {
    sites.insert({site_index_.at(d.rec.group), d.rec.group});
    for (const removed_range& r : d.rec.removed) present[static_cast<std::size_t>(r.why)] = true;
  }
  std::vector<std::pair<std::string, std::uint64_t>> site_list;
  for (const auto& [index, name] : sites) site_list.push_back({site_name(name), index});
  std::sort(site_list.begin(), site_list.end());
  std::string filters = "<div class=\"filters\">" + name_filter("Document") +
                        "<label>Site<select data-filter=\"site\"><option value=\"\">any</option>";
  for (const auto& [name, index] : site_list) {
    filters += fmt::format("<option value=\"s{}\">", index);
    add_cut(filters, name);
    filters += "</option>";
  }
  filters += "</select></label>" + reason_select(present) +
             "<label>Why shown<select data-filter=\"why\"><option value=\"\">any</option><option "
             "value=\"safety_rail\">safety rail</option><option value=\"most_stripped\">most stripped</option><option "
             "value=\"sample\">sample</option></select></label><span id=\"filter-count\" aria-live=\"polite\"></span>"
             "</div>\n";
  for (std::size_t p = 0; p < pages.size(); ++p) {
    std::string s = page_head(pages.size() > 1 ? fmt::format("Documents ({} of {})", p + 1, pages.size()) : "Documents",
                              section::documents);
    s += fmt::format(
        "<p class=\"lead\">{} of the {} documents are shown with their text: every safety-rail hit (up "
        "to {}), then the most stripped (by share of their bytes), then a sample of fixed seed.</p>\n",
        thousands(shown_.size()), thousands(all_.pages), thousands(o_.documents));
    s += filters + pager(pages, p);
    s += "<div class=\"table-wrap\"><table class=\"filterable rows\"><thead><tr><th class=\"n\">#</th><th>Document</th>"
         "<th>Site</th><th>Why shown</th><th>Status</th><th class=\"n\">Bytes</th><th class=\"n\">Stripped</th>"
         "<th>Reasons</th></tr></thead><tbody>\n";
    for (std::size_t k = pages[p].first; k < pages[p].last; ++k) {
      const shown_doc& d = shown_[k];
      s += "<tr data-name=\"";
      add_cut(s, d.rec.path);
      s += fmt::format(
          "\" data-site=\"s{}\" data-reasons=\"{}\" data-why=\"{}\"><td class=\"n\">{}</td><td "
          "class=\"name\"><a href=\"{}\">",
          site_index_.at(d.rec.group), reasons_attr(d.rec.removed), pick_key(d.why), k + 1, d.file);
      add_cut(s, d.rec.path);
      s += "</a></td><td class=\"name\">";
      add_cut(s, site_name(d.rec.group));
      s += fmt::format("</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"tags\">",
                       pick_label(d.why), state_label(d.rec.status), thousands(d.rec.bytes),
                       d.rec.status == doc_state::kept ? percent(d.rec.stripped_bytes, d.rec.bytes) : "\u2014");
      bool seen[reason_count] = {};
      for (const removed_range& r : d.rec.removed) seen[static_cast<std::size_t>(r.why)] = true;
      for (std::size_t r = 0; r < reason_count; ++r)
        if (seen[r]) s += fmt::format("<span class=\"tag\">{}</span>", reason_tag(static_cast<reason>(r)));
      s += "</td></tr>\n";
    }
    s += "</tbody></table></div>\n" + pager(pages, p);
    s += page_tail(p > 0 ? pages[p - 1].file : "", p + 1 < pages.size() ? pages[p + 1].file : "");
    write_file(pages[p].file, s);
  }
}

void review_run::write_doc_page(std::size_t k) {
  const shown_doc& d = shown_[k];
  const doc_record& r = d.rec;
  const text_read t = read_text(r);
  if (!t.ok && r.status != doc_state::skipped) ++result.text_mismatches;

  std::string s = page_head("Document: " + r.path.substr(0, name_cut), section::documents);
  s +=
      fmt::format("<p class=\"lead\">Document {} of {} shown ({}). <a href=\"docs.html\">All documents shown</a></p>\n",
                  k + 1, shown_.size(), pick_label(d.why));
  s += "<dl class=\"facts\"><dt>Name</dt><dd>";
  add_cut(s, r.path, 600);
  s += "</dd><dt>Site</dt><dd>";
  if (auto it = site_files_.find(site_index_.at(r.group)); it != site_files_.end()) {
    s += fmt::format("<a href=\"{}\">", it->second);
    add_cut(s, site_name(r.group));
    s += "</a>";
  } else {
    add_cut(s, site_name(r.group));
  }
  s += fmt::format("</dd><dt>Status</dt><dd>{}</dd><dt>Bytes</dt><dd>{}</dd>", state_label(r.status),
                   thousands(r.bytes));
  if (r.status == doc_state::kept)
    s += fmt::format("<dt>Stripped</dt><dd>{} bytes ({}) in {} ranges</dd>", thousands(r.stripped_bytes),
                     percent(r.stripped_bytes, r.bytes), r.removed.size());
  if (r.status == doc_state::dropped) {
    s += "<dt>Dropped in favour of</dt><dd>";
    const auto kept = shown_file_.find(r.duplicate_of);
    if (kept != shown_file_.end()) s += fmt::format("<a href=\"{}\">", kept->second);
    add_cut(s, r.duplicate_of, 600);
    if (kept != shown_file_.end()) s += "</a>";
    s += fmt::format(" (similarity {:.4f})", r.similarity);
    if (auto diff = diff_file_.find(r.path); diff != diff_file_.end())
      s += fmt::format(" \u00B7 <a href=\"{}\">diff against the kept copy</a>", diff->second);
    s += "</dd>";
  }
  if (r.status == doc_state::skipped) {
    s += "<dt>Skipped because</dt><dd>";
    add_cut(s, r.skip_reason, 300);
    s += "</dd>";
  }
  s += fmt::format("<dt>Content tokens</dt><dd>{}</dd>", thousands(r.content_tokens));
  if (r.utf8_replacements != 0)
    s += fmt::format("<dt>Invalid UTF-8</dt><dd>{} sequences, shown as U+FFFD</dd>", thousands(r.utf8_replacements));
  if (t.ok) {
    std::uint64_t lines[reason_count] = {};
    for (const removed_range& x : r.removed) {
      const std::size_t b = static_cast<std::size_t>(std::min<std::uint64_t>(x.begin, t.text.size()));
      const std::size_t e = static_cast<std::size_t>(std::min<std::uint64_t>(x.end, t.text.size()));
      const std::string_view part = std::string_view(t.text).substr(b, e - b);
      std::size_t at = 0;
      while (at < part.size()) {
        std::size_t nl = part.find('\n', at);
        if (nl == std::string_view::npos) nl = part.size();
        if (part.substr(at, nl - at).find_first_not_of(" \t\r") != std::string_view::npos)
          ++lines[static_cast<std::size_t>(x.why)];
        at = nl + 1;
      }
    }
    if (r.status == doc_state::kept) {
      ++shown_with_text_;
      for (std::size_t q = 0; q < reason_count; ++q) shown_lines_[q] += lines[q];
    }
    s += "<dt>Non-blank lines removed</dt><dd class=\"tags\">";
    bool any = false;
    for (std::size_t q = 0; q < reason_count; ++q) {
      if (lines[q] == 0) continue;
      any = true;
      s += fmt::format("<span class=\"tag\" title=\"{}\">{} {}</span>", reason_label(static_cast<reason>(q)),
                       reason_tag(static_cast<reason>(q)), lines[q]);
    }
    s += any ? "</dd>" : "none</dd>";
  }
  s += "</dl>\n";
  if (r.safety_rail)
    s += "<p class=\"warning\">Safety rail: more than the allowed share of this document would have gone; only the "
         "surest removals were made.</p>\n";
  if (!t.ok) {
    s += "<p class=\"warning\">No text: ";
    add_cut(s, t.problem, 600);
    s += "</p>\n";
  }
  if (!t.text.empty() || t.ok) {
    s += "<h2>Removed ranges by reason</h2>\n" + reason_legend(true);
    const std::string original =
        t.ok ? marked_text(t.text, r.removed, o_.text_budget) : plain_text(t.text, o_.text_budget);
    s += "<div class=\"panes\"><section class=\"pane\" aria-label=\"Original text\"><h3>";
    s += t.ok ? "Original text, removed ranges marked" : "Text in the input (not what the report describes: no marks)";
    s += "</h3><pre class=\"text\" id=\"original\">" + original + "</pre></section>\n";
    if (t.ok) {
      s += "<section class=\"pane\" aria-label=\"Kept text\"><h3>";
      s += r.status == doc_state::kept ? "Kept text (what was written)"
                                       : "Content compared (not written: the document was dropped)";
      s += "</h3><pre class=\"text kept\">" + plain_text(kept_text(t.text, r.removed), o_.kept_budget) +
           "</pre></section>";
    }
    s += "</div>\n<div id=\"evidence\" aria-live=\"polite\"></div>\n";
  }
  if (!r.removed.empty()) {
    s += fmt::format(
        "<h2>Evidence of each range ({})</h2>\n<div class=\"table-wrap\"><table><thead><tr><th "
        "class=\"n\">#</th><th>Reason</th><th>Line</th><th>Evidence</th></tr></thead><tbody>\n",
        r.removed.size());
    // At most 48 KiB of rows: the marks carry the same evidence; the report has every range.
    const std::size_t table_start = s.size();
    std::size_t q = 0;
    for (; q < r.removed.size() && s.size() - table_start < 48 * 1024; ++q) {
      const removed_range& x = r.removed[q];
      s += fmt::format("<tr><td class=\"n\"><a href=\"#rm-{}\">{}</a></td><td><span class=\"tag\">{}</span> ", q + 1,
                       q + 1, reason_tag(x.why));
      add_cut(s, x.why == reason::other ? std::string_view(x.other) : std::string_view(reason_label(x.why)), 60);
      s += "</td><td class=\"name\">";
      if (t.ok) add_cut(s, range_line(t.text, x.begin, x.end), 100);
      s += "</td><td>";
      add_cut(s, evidence(x, t.ok ? std::string_view(t.text) : std::string_view()), 400);
      s += "</td></tr>\n";
    }
    s += "</tbody></table></div>\n";
    if (q < r.removed.size())
      s += fmt::format(
          "<p class=\"note\">{} more ranges are marked in the text (as far as it is shown) and listed in "
          "the report.</p>\n",
          r.removed.size() - q);
  }
  s += page_tail(k > 0 ? shown_[k - 1].file : "", k + 1 < shown_.size() ? shown_[k + 1].file : "");
  write_file(d.file, s);
}

// ------------------------------------------------------------------ clusters and diffs

void review_run::write_clusters() {
  std::vector<std::size_t> order(clusters_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const cluster_ref &x = clusters_[a], &y = clusters_[b];
    if (x.least != y.least) return x.least < y.least;
    if (x.members != y.members) return x.members > y.members;
    return x.ordinal < y.ordinal;
  });
  clusters_listed_ = std::min(order.size(), o_.max_clusters);

  struct row {
    cluster_record rec;  // the kept copy, then at most members_shown dropped copies, least similar first
    std::size_t members = 0;
    std::string site;  // "s<index>" of the kept copy's site
    std::string site_label;
  };
  struct diff_job {
    doc_record kept, dropped;
    double similarity;
  };
  std::vector<row> rows;
  std::vector<diff_job> jobs;
  for (std::size_t k = 0; k < clusters_listed_; ++k) {
    row w;
    w.rec = cluster_at(clusters_[order[k]].offset);
    w.members = w.rec.members.size();
    if (w.rec.members.size() > 1) {
      std::stable_sort(w.rec.members.begin() + 1, w.rec.members.end(),
                       [](const auto& x, const auto& y) { return x.second < y.second; });
      if (w.rec.members.size() > o_.members_shown + 1) w.rec.members.resize(o_.members_shown + 1);
    }
    const std::optional<doc_record> kept = find_doc(w.rec.kept);
    if (kept) {
      w.site = fmt::format("s{}", site_index_.at(kept->group));
      w.site_label = site_name(kept->group);
    }
    for (std::size_t m = 1; m < w.rec.members.size() && m <= 3 && kept && input_ != nullptr && jobs.size() < o_.diffs;
         ++m) {
      std::optional<doc_record> dropped = find_doc(w.rec.members[m].first);
      if (!dropped || dropped->status != doc_state::dropped) continue;
      jobs.push_back({*kept, std::move(*dropped), w.rec.members[m].second});
    }
    rows.push_back(std::move(w));
  }

  for (std::size_t j = 0; j < jobs.size(); ++j)
    diff_file_.try_emplace(jobs[j].dropped.path, fmt::format("diff-{}.html", j + 1));
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const diff_job& job = jobs[j];
    const std::string file = fmt::format("diff-{}.html", j + 1);
    std::string s = page_head("Diff: " + job.dropped.path.substr(0, name_cut), section::clusters);
    s += fmt::format("<p class=\"lead\">Diff {} of {}. <a href=\"clusters.html\">All clusters</a></p>\n", j + 1,
                     jobs.size());
    auto named = [&](const doc_record& d) {
      const auto it = shown_file_.find(d.path);
      if (it != shown_file_.end()) s += fmt::format("<a href=\"{}\">", it->second);
      add_cut(s, d.path, 600);
      if (it != shown_file_.end()) s += "</a>";
      s += " <span class=\"pct\">(";
      add_cut(s, site_name(d.group));
      s += ")</span>";
    };
    s += "<dl class=\"facts\"><dt>Kept copy</dt><dd>";
    named(job.kept);
    s += "</dd><dt>Dropped copy</dt><dd>";
    named(job.dropped);
    s += fmt::format(
        "</dd><dt>Estimated similarity</dt><dd>{:.4f} (of their content: text minus removed "
        "ranges)</dd></dl>\n",
        job.similarity);
    const text_read a = read_text(job.kept);
    const text_read b = read_text(job.dropped);
    if (a.ok && b.ok) {
      s += diff_html(kept_text(a.text, job.kept.removed), kept_text(b.text, job.dropped.removed), o_.diff_budget);
    } else {
      s += "<p class=\"warning\">No diff: ";
      add_cut(s, !a.ok ? a.problem : b.problem, 600);
      s += "</p>\n";
      ++result.text_mismatches;
    }
    s += page_tail(j > 0 ? fmt::format("diff-{}.html", j) : "",
                   j + 1 < jobs.size() ? fmt::format("diff-{}.html", j + 2) : "");
    write_file(file, s);
  }
  result.diffs = jobs.size();

  const std::vector<review_page> pages = paginate("clusters", rows.size(), o_.rows_per_page);
  std::set<std::pair<std::string, std::string>> cluster_sites;  // (label, "s<index>") of the kept copies' sites
  for (const row& w : rows)
    if (!w.site.empty()) cluster_sites.insert({w.site_label, w.site});
  std::string site_filter = "<label>Site<select data-filter=\"site\"><option value=\"\">any</option>";
  for (const auto& [label, id] : cluster_sites) {
    site_filter += "<option value=\"" + id + "\">";
    add_cut(site_filter, label);
    site_filter += "</option>";
  }
  site_filter += "</select></label>";
  for (std::size_t p = 0; p < pages.size(); ++p) {
    std::string s = page_head(
        pages.size() > 1 ? fmt::format("Duplicates ({} of {})", p + 1, pages.size()) : "Duplicates", section::clusters);
    s += fmt::format(
        "<p class=\"lead\">{} near-duplicate clusters{}, the least similar dropped copy first (the merges "
        "nearest the threshold). Each cluster keeps one copy; a diff compares a dropped copy's content "
        "with the kept copy's.</p>\n",
        thousands(clusters_.size()),
        clusters_listed_ < clusters_.size() ? fmt::format("; {} are listed", thousands(clusters_listed_))
                                            : std::string());
    s += "<div class=\"filters\">" + name_filter("Document") + site_filter +
         "<span id=\"filter-count\" aria-live=\"polite\"></span></div>\n" + pager(pages, p);
    s += "<div class=\"table-wrap\"><table class=\"filterable rows\"><thead><tr><th>Kept copy</th><th>Site</th><th "
         "class=\"n\">Copies</th><th class=\"n\">Least similarity</th><th>Dropped copies (similarity)</th></tr></thead>"
         "<tbody>\n";
    for (std::size_t k = pages[p].first; k < pages[p].last; ++k) {
      const row& w = rows[k];
      s += "<tr data-name=\"";
      for (std::size_t m = 0; m < w.rec.members.size(); ++m) {
        if (m != 0) s += " ";
        add_cut(s, w.rec.members[m].first, 60);  // for the name filter
      }
      s += fmt::format("\" data-site=\"{}\"><td class=\"name\">", w.site);
      const auto kept_page = shown_file_.find(w.rec.kept);
      if (kept_page != shown_file_.end()) s += fmt::format("<a href=\"{}\">", kept_page->second);
      add_cut(s, w.rec.kept);
      if (kept_page != shown_file_.end()) s += "</a>";
      s += "</td><td class=\"name\">";
      add_cut(s, w.site_label);
      s += fmt::format("</td><td class=\"n\">{}</td><td class=\"n\">{:.4f}</td><td class=\"name\"><ul>",
                       thousands(w.members), clusters_[order[k]].least);
      for (std::size_t m = 1; m < w.rec.members.size(); ++m) {
        s += "<li>";
        const auto page = shown_file_.find(w.rec.members[m].first);
        if (page != shown_file_.end()) s += fmt::format("<a href=\"{}\">", page->second);
        add_cut(s, w.rec.members[m].first);
        if (page != shown_file_.end()) s += "</a>";
        s += fmt::format(" ({:.4f})", w.rec.members[m].second);
        if (auto diff = diff_file_.find(w.rec.members[m].first); diff != diff_file_.end())
          s += fmt::format(" <a href=\"{}\">diff</a>", diff->second);
        s += "</li>";
      }
      if (w.members > w.rec.members.size())
        s += fmt::format("<li>and {} more in the report</li>", thousands(w.members - w.rec.members.size()));
      s += "</ul></td></tr>\n";
    }
    s += "</tbody></table></div>\n" + pager(pages, p);
    s += page_tail(p > 0 ? pages[p - 1].file : "", p + 1 < pages.size() ? pages[p + 1].file : "");
    write_file(pages[p].file, s);
  }
}

}  // namespace dupstrip::detail::review

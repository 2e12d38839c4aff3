// The review site of a run (review.hpp, doc/review.md): people audit a run the way they read a
// diff, before they trust it on a new crawl. This file holds the pass over the report (counts
// per site and reason, the histogram, the choice of documents, one small reference per
// document and per cluster, nothing else per record), the folder the site is written to (a
// temporary beside it, renamed into place), and the summary page. review_pages.cpp writes the
// other pages.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "dupstrip/hash.hpp"
#include "dupstrip/review_run.hpp"
#include "dupstrip/version.hpp"

namespace dupstrip {

namespace fs = std::filesystem;
using namespace detail::review;

namespace detail::review {

namespace {

// Salt of the sample key of a site's pages (the documents' sample uses the seed itself).
constexpr std::uint64_t site_pick_salt = 0x73697465706167ULL;

bool boilerplate_like(reason r) {
  return r == reason::boilerplate || r == reason::corpus || r == reason::template_line;
}

}  // namespace

review_run::review_run(const fs::path& report, const document_source* input, const review_options& options,
                       const fs::path& dir)
    : input_(input),
      o_(options),
      dir_(dir),
      file_(report, options.temp_dir),
      selector_(options.documents, options.seed) {
  if (o_.diffs == static_cast<std::size_t>(-1)) o_.diffs = o_.documents;
  if (o_.rows_per_page == 0) o_.rows_per_page = 1;
}

void review_run::scan() {
  doc_record doc;
  cluster_record cluster;
  plain_record plain;
  std::size_t cluster_ordinal = 0;
  file_.for_each_line([&](std::string_view line, std::size_t readable, std::uint64_t offset, std::uint64_t no) {
    const record_type type = parser_.parse(line, readable, file_.name(), no, doc, cluster, plain);
    if (!has_begin_) {
      const std::string* tool = type == record_type::begin ? plain.find("tool") : nullptr;
      if (tool == nullptr || *tool != "dupstrip")
        throw review_error(
            fmt::format("{}:{}: not a dupstrip report (it must start with a \"begin\" record of "
                        "dupstrip; see doc/json.md)",
                        file_.name(), no));
      begin_ = plain;
      has_begin_ = true;
      return;
    }
    switch (type) {
      case record_type::begin:
        break;  // a second begin: the first one counts
      case record_type::summary:
        summary_ = plain;
        has_summary_ = true;
        break;
      case record_type::unknown:
        break;
      case record_type::cluster: {
        cluster_ref c{offset, 1.0, cluster.members.size(), cluster_ordinal++};
        for (std::size_t k = 1; k < cluster.members.size(); ++k) c.least = std::min(c.least, cluster.members[k].second);
        clusters_.push_back(c);
        break;
      }
      case record_type::doc: {
        const std::size_t ordinal = docs_.size();
        docs_.push_back({xxh3_64(doc.path), offset});
        doc_offsets_.push_back(offset);
        ++result.report_docs;
        auto [it, fresh] = site_index_.try_emplace(doc.group, sites_.size());
        if (fresh) {
          sites_.emplace_back();
          sites_.back().name = doc.group;
        }
        site_stats& site = sites_[it->second];
        for (tally* t : {&all_, &site.t}) {
          ++t->pages;
          t->bytes += doc.bytes;
          switch (doc.status) {
            case doc_state::kept:
              ++t->kept;
              t->kept_in += doc.bytes;
              t->stripped += doc.stripped_bytes;
              if (doc.safety_rail) ++t->rails;
              for (const removed_range& r : doc.removed) {
                t->reason_bytes[static_cast<std::size_t>(r.why)] += r.end - r.begin;
                ++t->reason_ranges[static_cast<std::size_t>(r.why)];
              }
              break;
            case doc_state::dropped:
              ++t->dropped;
              break;
            case doc_state::skipped:
              ++t->skipped;
              break;
          }
        }
        if (doc.status == doc_state::kept) {
          const double share =
              doc.bytes == 0 ? 0.0 : static_cast<double>(doc.stripped_bytes) / static_cast<double>(doc.bytes);
          const auto bin =
              std::min(histogram_bins - 1, static_cast<std::size_t>(std::max(0.0, share) * histogram_bins));
          ++histogram_[bin];
        }
        if (doc.status == doc_state::skipped) break;
        review_candidate c;
        c.name = doc.path;
        c.bytes = doc.bytes;
        c.stripped_bytes = doc.status == doc_state::kept ? doc.stripped_bytes : 0;
        c.kept = doc.status == doc_state::kept;
        c.safety_rail = doc.safety_rail;
        selector_.offer(c, ordinal);
        if (o_.pages_per_site != 0 && std::any_of(doc.removed.begin(), doc.removed.end(),
                                                  [](const removed_range& r) { return boilerplate_like(r.why); })) {
          const std::pair<std::uint64_t, std::uint64_t> pick{xxh3_64(doc.path, o_.seed ^ site_pick_salt), offset};
          auto& h = site.picks;
          if (h.size() < o_.pages_per_site) {
            h.push_back(pick);
            std::push_heap(h.begin(), h.end());
          } else if (pick < h.front()) {
            std::pop_heap(h.begin(), h.end());
            h.back() = pick;
            std::push_heap(h.begin(), h.end());
          }
        }
        break;
      }
    }
  });
  if (!has_begin_) throw review_error(fmt::format("{}: empty: not a dupstrip report", file_.name()));
  if (!has_summary_) result.notes.push_back("the report has no summary record: it may have been cut short");
  std::sort(docs_.begin(), docs_.end(), [](const doc_ref& a, const doc_ref& b) {
    return a.name_hash != b.name_hash ? a.name_hash < b.name_hash : a.offset < b.offset;
  });
}

doc_record review_run::doc_at(std::uint64_t offset) {
  doc_record d;
  cluster_record c;
  plain_record p;
  if (parser_.parse_copy(file_.line_at(offset), file_.name(), 0, d, c, p) != record_type::doc)
    throw review_error(fmt::format("{}: changed while it was read", file_.name()));
  return d;
}

cluster_record review_run::cluster_at(std::uint64_t offset) {
  doc_record d;
  cluster_record c;
  plain_record p;
  if (parser_.parse_copy(file_.line_at(offset), file_.name(), 0, d, c, p) != record_type::cluster)
    throw review_error(fmt::format("{}: changed while it was read", file_.name()));
  return c;
}

std::optional<doc_record> review_run::find_doc(std::string_view name) {
  const std::uint64_t h = xxh3_64(name);
  auto it = std::lower_bound(docs_.begin(), docs_.end(), h,
                             [](const doc_ref& r, std::uint64_t v) { return r.name_hash < v; });
  for (; it != docs_.end() && it->name_hash == h; ++it) {
    doc_record d = doc_at(it->offset);
    if (d.path == name) return d;
  }
  return std::nullopt;
}

text_read review_run::read_text(const doc_record& d) {
  text_read t;
  if (input_ == nullptr) {
    t.problem = "no input was given to read the texts from";
    return t;
  }
  if (d.status == doc_state::skipped) {
    t.problem = "the run skipped this document";
    return t;
  }
  std::size_t i = input_->size();
  if (d.has_index && d.index < input_->size() && input_->name(static_cast<std::size_t>(d.index)) == d.path) {
    i = static_cast<std::size_t>(d.index);
  } else {
    if (!input_names_built_) {
      input_names_.reserve(input_->size());
      for (std::size_t k = 0; k < input_->size(); ++k) input_names_.try_emplace(input_->name(k), k);
      input_names_built_ = true;
    }
    if (auto it = input_names_.find(d.path); it != input_names_.end()) i = it->second;
  }
  if (i == input_->size()) {
    t.problem = "the input holds no document of this name: is it the run's input?";
    return t;
  }
  dupstrip::result<std::string> r = input_->read(i);
  if (!r.has_value()) {
    t.problem = "cannot read it from the input: " + r.error().message();
    return t;
  }
  t.text = std::move(r).value();
  if (t.text.size() != d.bytes) {
    t.problem = fmt::format(
        "the input's text of this document has {} bytes where the report says {}: the input changed since the run, "
        "or it was opened with other options than the run's (--input-format, --html-field, --text-field)",
        thousands(t.text.size()), thousands(d.bytes));
    return t;
  }
  t.ok = true;
  return t;
}

void review_run::write_file(const std::string& name, std::string_view bytes) {
  const fs::path p = dir_ / name;
  std::FILE* f = std::fopen(p.c_str(), "wb");
  if (f == nullptr) throw review_error(fmt::format("{}: {}", p.string(), std::strerror(errno)));
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !ok)
    throw review_error(fmt::format("{}: cannot write: {}", p.string(), std::strerror(errno)));
  ++result.files;
  result.bytes += bytes.size();
}

void review_run::write_pages() {
  write_file(".dupstrip-review", "This folder is a review written by `dupstrip review`; open index.html.\n");
  write_file("style.css", style_sheet());
  write_file("review.js", script());
  write_sites();
  choose_docs();
  write_clusters();
  write_docs();
  write_index();
}

// ------------------------------------------------------------------ the summary page

void review_run::write_index() {
  std::string s = page_head("Summary", section::summary);
  s += "<p class=\"lead\">";
  if (!o_.input_label.empty()) {
    s += "Input <code>";
    append_escaped_cut(s, o_.input_label, 300);
    s += "</code> \u00B7 ";
  }
  if (!o_.report_label.empty()) {
    s += "report <code>";
    append_escaped_cut(s, o_.report_label, 300);
    s += "</code> \u00B7 ";
  }
  s += "written by dupstrip ";
  if (const std::string* v = begin_.find("version")) append_escaped_cut(s, *v, 40);
  if (const std::string* v = begin_.find("schema_version")) {
    s += " (report schema ";
    append_escaped_cut(s, *v, 20);
    s += ")";
  }
  s += "</p>\n";

  const tally& t = all_;
  auto card = [&](std::string_view value, std::string_view label, bool warn = false) {
    s += fmt::format("<div class=\"card{}\"><span class=\"v\">{}</span><span class=\"k\">{}</span></div>",
                     warn ? " warn" : "", value, label);
  };
  s += "<section class=\"cards\" aria-label=\"Counts\">";
  card(thousands(t.pages), "documents in the report");
  card(thousands(t.kept), "kept");
  card(thousands(t.dropped), "dropped as near-duplicates");
  card(thousands(t.skipped), "skipped (unreadable)", t.skipped != 0);
  card(thousands(clusters_.size()), "near-duplicate clusters");
  card(human_bytes(t.stripped), "stripped from kept documents (" + percent(t.stripped, t.kept_in) + ")");
  if (const std::string* v = has_summary_ ? summary_.find("lines_stripped") : nullptr) {
    std::uint64_t lines = 0;
    std::from_chars(v->data(), v->data() + v->size(), lines);
    card(thousands(lines), "non-blank lines stripped");
  }
  card(thousands(t.rails), "safety-rail hits", t.rails != 0);
  s += "</section>\n";

  // By reason.
  s += "<h2 id=\"reasons\">Removed by reason</h2>\n" + reason_legend(false);
  s += fmt::format(
      "<p class=\"note\">Ranges and bytes removed from kept documents. A range is one removed line with its evidence, "
      "or one repeated run; filler lines (blank, punctuation only) join the range before them. Lines need the texts: "
      "they are counted in the {} kept documents shown.</p>\n",
      thousands(shown_with_text_));
  s += "<div class=\"table-wrap\"><table><thead><tr><th>Reason</th><th>Tag</th><th class=\"n\">Ranges</th><th "
       "class=\"n\">Bytes</th><th class=\"n\">Share of stripped bytes</th><th class=\"n\">Non-blank lines in the "
       "documents shown</th><th>Documents shown</th></tr></thead><tbody>";
  for (std::size_t r = 0; r < reason_count; ++r) {
    if (r == static_cast<std::size_t>(reason::other) && t.reason_ranges[r] == 0) continue;
    const auto why = static_cast<reason>(r);
    s += fmt::format(
        "<tr><td><span class=\"sw r-{0}\" aria-hidden=\"true\"></span> {1}</td><td class=\"tag\">{2}</td><td "
        "class=\"n\">{3}</td><td class=\"n\">{4}</td><td class=\"n\">{5}</td><td class=\"n\">{7}</td><td>{6}</td></tr>",
        reason_key(why), reason_label(why), reason_tag(why), thousands(t.reason_ranges[r]),
        human_bytes(t.reason_bytes[r]), percent(t.reason_bytes[r], t.stripped),
        t.reason_ranges[r] == 0
            ? std::string("\u2014")
            : fmt::format("<a href=\"docs.html?reason={}\">with {}</a>", reason_key(why), reason_label(why)),
        thousands(shown_lines_[r]));
  }
  s += "</tbody></table></div>\n";

  // Charts.
  std::vector<bar_row> bars;
  for (std::size_t k = 0; k < site_order_.size() && bars.size() < 15; ++k) {
    const site_stats& st = sites_[site_order_[k]];
    bar_row row;
    row.label = st.name.empty() ? "(top)" : st.name;
    std::copy(st.t.reason_bytes.begin(), st.t.reason_bytes.end(), row.values);
    bars.push_back(std::move(row));
  }
  s += "<h2 id=\"per-site\">Stripped bytes per site and reason</h2>\n<figure>" +
       bar_chart_svg(bars, "Stripped bytes per site and reason, the largest sites") +
       fmt::format(
           "<figcaption>The {} largest sites (most pages), bytes stripped from their kept pages by reason; "
           "<a href=\"sites.html\">every site</a>.</figcaption></figure>\n",
           bars.size());
  double rail = -1;
  if (const std::string* v = begin_.find("options.max_strip_fraction")) rail = std::atof(v->c_str());
  s += "<h2 id=\"histogram\">Stripped share per document</h2>\n<figure>" +
       histogram_svg(histogram_, rail, rail >= 0 ? fmt::format("safety rail {:.0f}% (of tokens)", rail * 100) : "",
                     "Kept documents by the share of their bytes stripped") +
       fmt::format(
           "<figcaption>{} kept documents by the share of their bytes that was stripped, in bins of 5%. "
           "</figcaption></figure>\n",
           thousands(t.kept));

  // Safety rail and the documents shown.
  std::size_t rails_shown = 0;
  for (const shown_doc& d : shown_) rails_shown += d.why == review_pick::safety_rail ? 1 : 0;
  s += "<h2 id=\"rail\">Safety rail</h2>\n<p>";
  if (t.rails == 0) {
    s += "The safety rail held back no document: no kept document would have lost more than its share allows.";
  } else {
    s += fmt::format(
        "{} kept documents would have lost more than the safety rail allows; only their surest removals "
        "were made. <a href=\"docs.html?why=safety_rail\">{} of them are shown</a>{}.",
        thousands(t.rails), thousands(rails_shown),
        rails_shown == t.rails ? " (all)" : " (the report lists every one)");
  }
  s += "</p>\n";

  // Options of the run.
  s += "<h2 id=\"options\">Options of the run</h2>\n<div class=\"table-wrap\"><table><thead><tr><th>Option</th>"
       "<th>Value</th></tr></thead><tbody>";
  for (const auto& [k, v] : begin_.fields) {
    if (!k.starts_with("options.")) continue;
    s += "<tr><td><code>";
    append_escaped_cut(s, std::string_view(k).substr(8), 80);
    s += "</code></td><td><code>";
    append_escaped_cut(s, v, 200);
    s += "</code></td></tr>";
  }
  s += "</tbody></table></div>\n";

  // What this review holds.
  s += "<h2 id=\"about\">About this review</h2>\n<ul>";
  s += fmt::format(
      "<li><a href=\"docs.html\">{} documents</a> are shown with their text: every safety-rail hit "
      "(up to {}), the most stripped, and a fixed-seed sample (<code>--review-docs</code>).</li>",
      thousands(shown_.size()), thousands(o_.documents));
  s += fmt::format(
      "<li><a href=\"sites.html\">{} of {} sites</a> are listed, the largest first; the {} largest have "
      "a page of their boilerplate lines and template patterns.</li>",
      thousands(site_order_.size()), thousands(sites_.size()), thousands(site_files_.size()));
  s += fmt::format(
      "<li><a href=\"clusters.html\">{} of {} clusters</a> are listed, the least similar copy first, "
      "with {} diffs of a dropped copy against its kept copy.</li>",
      thousands(clusters_listed_), thousands(clusters_.size()), thousands(result.diffs));
  s += "<li>The report has every decision; this review is made from it and from the run's input.</li>";
  s += "</ul>\n";
  if (!result.notes.empty()) {
    s += "<h3>Notes</h3><ul class=\"warning\">";
    for (const std::string& n : result.notes) {
      s += "<li>";
      append_escaped_cut(s, n, 600);
      s += "</li>";
    }
    s += "</ul>\n";
  }
  s += page_tail("", "");
  write_file("index.html", s);
}

}  // namespace detail::review

// ------------------------------------------------------------------ the folder

namespace {

bool is_review_folder(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / ".dupstrip-review", ec);
}

}  // namespace

review_result write_review(const fs::path& report, const document_source* input, const fs::path& out_dir,
                           const review_options& options) {
  std::error_code ec;
  const bool exists = fs::exists(out_dir, ec);
  if (exists) {
    if (!fs::is_directory(out_dir, ec))
      throw review_error(fmt::format("{}: exists and is not a folder", out_dir.string()));
    if (!fs::is_empty(out_dir, ec) && !is_review_folder(out_dir))
      throw review_error(
          fmt::format("{}: is not empty and holds no earlier review: choose another folder", out_dir.string()));
  }
  // Written beside the target and renamed into place: a reader never sees half a review, and
  // files of an earlier, larger review do not linger.
  const fs::path absolute = fs::absolute(out_dir, ec).lexically_normal();
  const fs::path parent = absolute.has_filename() ? absolute.parent_path() : absolute.parent_path().parent_path();
  const std::string leaf = (absolute.has_filename() ? absolute : absolute.parent_path()).filename().string();
  const fs::path target = parent / leaf;
  if (!fs::is_directory(parent, ec)) fs::create_directories(parent, ec);
  const fs::path temp = parent / fmt::format(".{}.tmp-{}", leaf, ::getpid());
  const fs::path old = parent / fmt::format(".{}.old-{}", leaf, ::getpid());
  fs::remove_all(temp, ec);
  if (!fs::create_directory(temp, ec) || ec)
    throw review_error(fmt::format("{}: cannot create a folder: {}", temp.string(), ec.message()));
  try {
    review_run run(report, input, options, temp);
    run.scan();
    run.write_pages();
    if (exists && fs::exists(target, ec)) {
      fs::rename(target, old, ec);
      if (ec) throw review_error(fmt::format("{}: cannot replace it: {}", out_dir.string(), ec.message()));
    }
    fs::rename(temp, target, ec);
    if (ec) {
      if (exists) fs::rename(old, target, ec);
      throw review_error(fmt::format("{}: cannot write it: {}", out_dir.string(), ec.message()));
    }
    fs::remove_all(old, ec);
    return std::move(run.result);
  } catch (...) {
    fs::remove_all(temp, ec);
    throw;
  }
}

}  // namespace dupstrip

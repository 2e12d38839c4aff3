// The JSON Lines report: the audit trail of a run. Every removal and every dropped document is
// listed with its evidence so that a person can check it. Keys are snake_case in a fixed order;
// only additive changes are allowed within one report_schema_version (doc/json.md).
#include "dupstrip/report.hpp"

#include "dupstrip/parallel.hpp"
#include "dupstrip/text.hpp"
#include "dupstrip/version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <future>
#include <map>

namespace dupstrip {

std::string skip_reason(std::error_code error, std::uint64_t error_offset) {
  std::string why = error.message();
  if (error == make_error_code(errc::invalid_utf8)) why += fmt::format(" at byte {}", error_offset);
  return why;
}

const char* status_name(doc_status s) noexcept {
  switch (s) {
    case doc_status::kept: return "kept";
    case doc_status::dropped: return "dropped";
    case doc_status::skipped: return "skipped";
  }
  return "unknown";
}

std::string human_bytes(std::uint64_t b) {
  if (b >= 10'000'000) return fmt::format("{:.1f} MB", static_cast<double>(b) / 1e6);
  if (b >= 10'000) return fmt::format("{:.1f} kB", static_cast<double>(b) / 1e3);
  return fmt::format("{} B", b);
}

run_totals compute_totals(const analysis& a) {
  run_totals t;
  std::vector<std::uint32_t> sizes(a.docs.size(), 0);  // per cluster id (a document index)
  for (std::size_t i = 0; i < a.docs.size(); ++i) {
    const doc_result& d = a.docs[i];
    t.bytes_in += d.bytes;
    switch (d.status) {
      case doc_status::kept:
        ++t.kept;
        ++t.read;
        t.bytes_out += d.kept_bytes;
        t.bytes_stripped += d.bytes - d.kept_bytes;
        t.lines_stripped += d.removed_lines;
        if (a.removals.size() > i) {
          t.repeat_spans += a.removals.count_of(i, removal_reason::repeat);
          t.boilerplate_spans += a.removals.count_of(i, removal_reason::boilerplate);
          t.corpus_spans += a.removals.count_of(i, removal_reason::corpus);
          t.template_spans += a.removals.count_of(i, removal_reason::template_line);
          t.line_repeat_spans += a.removals.count_of(i, removal_reason::line_repeat);
          t.links_spans += a.removals.count_of(i, removal_reason::links);
          t.outside_main_spans += a.removals.count_of(i, removal_reason::outside_main);
        }
        break;
      case doc_status::dropped: ++t.dropped; ++t.read; break;
      case doc_status::skipped: ++t.skipped; break;
    }
    if (d.strip_limited && d.status == doc_status::kept) ++t.limited;
    if (d.status != doc_status::skipped && d.cluster < sizes.size()) ++sizes[d.cluster];
  }
  for (const std::uint32_t size : sizes)
    if (size > 1) ++t.clusters;
  return t;
}

void append_json_string(std::string& out, std::string_view s) {
  const std::string fixed = is_valid_utf8(s) ? std::string() : repair_utf8(s);
  const std::string_view v = fixed.empty() ? s : std::string_view(fixed);
  out.push_back('"');
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || u == 0x7F) {
          out += fmt::format("\\u{:04x}", u);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

namespace {

void append_base64(std::string& out, std::string_view s) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 3 <= s.size(); i += 3) {
    const std::uint32_t v = (static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])) << 16) |
                            (static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + 1])) << 8) |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + 2]));
    out.push_back(table[(v >> 18) & 63]);
    out.push_back(table[(v >> 12) & 63]);
    out.push_back(table[(v >> 6) & 63]);
    out.push_back(table[v & 63]);
  }
  if (i < s.size()) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(s[i])) << 16;
    if (i + 1 < s.size()) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[i + 1])) << 8;
    out.push_back(table[(v >> 18) & 63]);
    out.push_back(table[(v >> 12) & 63]);
    out.push_back(i + 1 < s.size() ? table[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
}

std::string fixed6(double v) { return fmt::format("{:.6f}", v); }

}  // namespace

void append_json_path(std::string& out, std::string_view s) {
  if (is_valid_utf8(s)) {
    out += "{\"text\":";
    append_json_string(out, s);
    out += "}";
  } else {
    out += "{\"bytes\":\"";
    append_base64(out, s);
    out += "\"}";
  }
}

std::string report_begin(const clean_options& o) {
  std::string s = "{\"type\":\"begin\",\"data\":{\"tool\":\"dupstrip\",\"version\":";
  append_json_string(s, DUPSTRIP_VERSION_STRING);
  s += fmt::format(",\"schema_version\":{},\"signature_format_version\":{}", report_schema_version,
                   signature_format_version);
  s += fmt::format(
      ",\"options\":{{\"threshold\":{},\"shingle_size\":{},\"num_perm\":{},\"bands\":{},\"rows\":{},"
      "\"min_shingle_size\":{},\"seed\":{},\"minhash\":\"{}\",\"keep\":\"{}\",\"min_boilerplate_pages\":{},\"boilerplate_fraction\":{},"
      "\"block_similarity\":{},\"flow_tokens\":{},\"corpus_min_sites\":{},\"min_line_repeat_run\":{},\"template_lines\":{},\"min_repeat_tokens\":{},\"repeat_coverage\":{},"
      "\"max_strip_fraction\":{},\"utf8\":\"{}\",\"max_document_bytes\":{}}}}}}}\n",
      o.threshold, o.shingle_size, o.num_perm, o.bands, o.rows, o.min_shingle_size, o.seed,
      o.scheme == minhash_scheme::k_hash ? "k_hash" : "one_permutation",
      o.keep == keep_policy::longest ? "longest" : "first", o.min_boilerplate_pages,
      o.boilerplate_fraction, o.block_similarity, o.flow_tokens, o.corpus_min_sites, o.min_line_repeat_run, o.template_lines, o.min_repeat_tokens, o.repeat_coverage,
      o.max_strip_fraction,
      o.utf8 == utf8_policy::replace ? "replace" : o.utf8 == utf8_policy::strict ? "strict" : "bytes",
      o.max_document_bytes);
  return s;
}

void append_json_removals(std::string& s, std::span<const removal> removals) {
  s += ",\"removed\":[";
  bool first = true;
  for (const removal& r : removals) {
    if (!first) s.push_back(',');
    first = false;
    s += fmt::format("{{\"begin\":{},\"end\":{},", r.begin, r.end);
    switch (r.reason) {
      case removal_reason::repeat: s += "\"reason\":\"repeat\""; break;
      case removal_reason::line_repeat:
        s += fmt::format("\"reason\":\"line_repeat\",\"first_copy_at\":{}", r.pages);
        break;
      case removal_reason::template_line:
        s += fmt::format("\"reason\":\"template\",\"pages\":{},\"group_pages\":{},\"prefix_tokens\":{},\"suffix_tokens\":{}",
                         r.pages, r.group_pages, r.pattern >> 4, r.pattern & 15);
        break;
      case removal_reason::corpus:
        s += fmt::format("\"reason\":\"corpus\",\"sites\":{},\"run_sites\":{}", r.pages, r.group_pages);
        break;
      case removal_reason::links:
        s += fmt::format("\"reason\":\"links\",\"link_share\":{:.2f}", r.pattern / 255.0);
        break;
      case removal_reason::outside_main:
        s += "\"reason\":\"outside_main\"";
        if (r.pattern == outside_figure) s += ",\"part\":\"figure\"";
        if (r.pattern == outside_collection) s += ",\"part\":\"collection\"";
        break;
      case removal_reason::boilerplate:
        s += fmt::format("\"reason\":\"boilerplate\",\"pages\":{},\"group_pages\":{}", r.pages, r.group_pages);
        break;
    }
    if (r.source_line != 0) s += fmt::format(",\"source_line\":{}", r.source_line);
    s.push_back('}');
  }
  s += "]";
}

namespace {

// report_doc() with document i's removed ranges at hand.
std::string doc_record(const document_source& source, const analysis& a, std::size_t i,
                       std::span<const removal> removed) {
  const doc_result& d = a.docs[i];
  std::string s = "{\"type\":\"doc\",\"data\":{\"path\":";
  append_json_path(s, source.name(i));
  s += ",\"group\":";
  append_json_path(s, source.group(i));
  s += fmt::format(",\"index\":{},\"status\":\"{}\",\"bytes\":{}", i, status_name(d.status), d.bytes);
  if (d.status == doc_status::skipped) {
    s += ",\"reason\":";
    append_json_string(s, skip_reason(d.error, d.error_offset));
    s += "}}\n";
    return s;
  }
  s += fmt::format(",\"kept_bytes\":{},\"stripped_bytes\":{},\"content_tokens\":{},\"cluster\":",
                   d.kept_bytes, d.status == doc_status::kept ? d.bytes - d.kept_bytes : 0, d.content_tokens);
  // A cluster is named after its kept copy, never numbered by position.
  append_json_path(s, source.name(d.cluster < a.docs.size() ? d.cluster : i));
  if (d.status == doc_status::dropped) {
    s += ",\"duplicate_of\":";
    append_json_path(s, source.name(d.duplicate_of));
    s += ",\"similarity\":" + fixed6(d.similarity);
  }
  if (d.utf8_replacements != 0) s += fmt::format(",\"utf8_replacements\":{}", d.utf8_replacements);
  if (d.strip_limited) s += ",\"warning\":\"safety rail: only the surest removals were applied\"";
  append_json_removals(s, removed);
  s += "}}\n";
  return s;
}

}  // namespace

std::string report_doc(const document_source& source, const analysis& a, std::size_t i) {
  return doc_record(source, a, i, a.removals.size() > i ? a.removals.get(i) : std::vector<removal>{});
}

void report_docs(const document_source& source, const analysis& a, unsigned jobs,
                 const std::function<void(std::string_view)>& out) {
  // Blocks of documents: each block's records are made in parallel (one string per slice),
  // then handed out in order. With more than one job, a block is handed out on a helper
  // thread while the next one is made (two sets of strings; one block out at a time).
  constexpr std::size_t block = 2048;
  constexpr std::size_t slice = 256;
  const bool overlap = detail::resolve_jobs(jobs) > 1;
  std::array<std::vector<std::string>, 2> parts;
  std::future<void> handing;
  unsigned side = 0;
  auto hand_out = [&out](const std::vector<std::string>& ps) {
    for (const std::string& p : ps) out(p);
  };
  for (std::size_t lo = 0; lo < a.docs.size(); lo += block) {
    const std::size_t hi = std::min(a.docs.size(), lo + block);
    std::vector<std::string>& here = parts[side];
    here.assign((hi - lo + slice - 1) / slice, std::string());
    detail::parallel_for(here.size(), detail::resolve_jobs(jobs), 1, [&](unsigned, std::size_t p) {
      const std::size_t b = lo + p * slice;
      const std::size_t e = std::min(hi, b + slice);
      // The slice's removal lists in one read.
      const std::size_t stored = std::min(e, std::max(b, a.removals.size()));
      const std::vector<std::vector<removal>> removed = a.removals.get_range(b, stored - b);
      for (std::size_t i = b; i < e; ++i)
        here[p] += doc_record(source, a, i, i < stored ? std::span<const removal>(removed[i - b]) : std::span<const removal>());
    });
    if (handing.valid()) handing.get();
    if (overlap) {
      handing = std::async(std::launch::async, hand_out, std::cref(here));
      side ^= 1U;
    } else {
      hand_out(here);
    }
  }
  if (handing.valid()) handing.get();
}

std::string report_clusters(const document_source& source, const analysis& a) {
  // Members by (kept copy's name, name): one sorted array, not a map of every cluster, and an
  // order that does not depend on the order of the input.
  std::vector<std::uint32_t> by_cluster;
  for (std::size_t i = 0; i < a.docs.size(); ++i)
    if (a.docs[i].status != doc_status::skipped && a.docs[i].cluster != i) by_cluster.push_back(static_cast<std::uint32_t>(i));
  for (const std::uint32_t i : std::vector<std::uint32_t>(by_cluster))
    if (a.docs[a.docs[i].cluster].status != doc_status::skipped) by_cluster.push_back(a.docs[i].cluster);
  std::sort(by_cluster.begin(), by_cluster.end());
  by_cluster.erase(std::unique(by_cluster.begin(), by_cluster.end()), by_cluster.end());
  std::sort(by_cluster.begin(), by_cluster.end(), [&](std::uint32_t x, std::uint32_t y) {
    const std::uint32_t cx = a.docs[x].cluster;
    const std::uint32_t cy = a.docs[y].cluster;
    if (cx != cy) {
      const std::string_view nx = source.name(cx);
      const std::string_view ny = source.name(cy);
      return nx != ny ? nx < ny : cx < cy;
    }
    if ((x == cx) != (y == cy)) return x == cx;  // the kept copy first
    const std::string_view nx = source.name(x);
    const std::string_view ny = source.name(y);
    return nx != ny ? nx < ny : x < y;
  });
  std::string s;
  for (std::size_t lo = 0; lo < by_cluster.size();) {
    const std::uint32_t id = a.docs[by_cluster[lo]].cluster;
    std::size_t hi = lo;
    while (hi < by_cluster.size() && a.docs[by_cluster[hi]].cluster == id) ++hi;
    const std::span<const std::uint32_t> m(by_cluster.data() + lo, hi - lo);
    lo = hi;
    if (m.size() < 2) continue;
    s += "{\"type\":\"cluster\",\"data\":{\"id\":";
    append_json_path(s, source.name(id));
    s += ",\"kept\":";
    append_json_path(s, source.name(id));
    s += ",\"members\":[";
    for (std::size_t k = 0; k < m.size(); ++k) {
      if (k) s.push_back(',');
      s += "{\"path\":";
      append_json_path(s, source.name(m[k]));
      const doc_result& d = a.docs[m[k]];
      s += ",\"similarity\":" + fixed6(d.status == doc_status::dropped ? d.similarity : 1.0) + "}";
    }
    s += "]}}\n";
  }
  return s;
}

std::string report_summary(const analysis& a, const run_totals& t, double elapsed, bool deterministic) {
  std::string s = fmt::format(
      "{{\"type\":\"summary\",\"data\":{{\"read\":{},\"kept\":{},\"dropped\":{},\"skipped\":{},"
      "\"clusters\":{},\"bytes_in\":{},\"bytes_out\":{},\"bytes_stripped\":{},\"lines_stripped\":{},"
      "\"repeat_spans\":{},\"boilerplate_spans\":{},\"corpus_spans\":{},\"template_spans\":{},"
      "\"line_repeat_spans\":{},\"links_spans\":{},\"outside_main_spans\":{},\"boilerplate_lines\":{},\"safety_rail\":{}",
      t.read, t.kept, t.dropped, t.skipped, t.clusters, t.bytes_in, t.bytes_out, t.bytes_stripped,
      t.lines_stripped, t.repeat_spans, t.boilerplate_spans, t.corpus_spans, t.template_spans,
      t.line_repeat_spans, t.links_spans, t.outside_main_spans, a.boilerplate_lines, t.limited);
  // The report file must be byte-identical between runs; elapsed time goes only to --json.
  if (!deterministic) s += fmt::format(",\"elapsed_seconds\":{:.3f}", elapsed);
  s += "}}\n";
  return s;
}

}  // namespace dupstrip

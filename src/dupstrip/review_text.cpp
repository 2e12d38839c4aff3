// A document's text on its review page: every removed range marked by reason (a class that
// gives it a colour, a hatch pattern and a two-letter tag, so that colour is never the only
// cue), focusable, with its evidence in words on hover and focus; the kept text; and the
// lines behind a site's boilerplate and template patterns. Every piece of text goes through
// append_html_escaped, and each rendering stops at a byte budget so that no document, however
// large or hostile (a megabyte of "<"), makes a page larger than the bound of doc/review.md.
#include <fmt/format.h>

#include <algorithm>

#include "dupstrip/review_internal.hpp"
#include "dupstrip/text.hpp"

namespace dupstrip::detail::review {

namespace {

// Escapes text[from, to) into `out` in pieces until `out` reaches `limit` bytes; returns the
// offset reached (to, unless the budget ran out). Pieces end on character boundaries.
std::size_t append_until(std::string& out, std::string_view text, std::size_t from, std::size_t to, std::size_t limit) {
  constexpr std::size_t piece = 512;  // the budget is checked between pieces: overshoot < 6 KB
  std::size_t at = from;
  while (at < to) {
    if (out.size() >= limit) return at;
    std::size_t end = std::min(to, at + piece);
    if (end < to) {
      std::size_t back = end;
      while (back > at && (static_cast<unsigned char>(text[back]) & 0xC0) == 0x80) --back;
      if (back > at) end = back;
    }
    append_html_escaped(out, text.substr(at, end - at));
    at = end;
  }
  return at;
}

void append_cut_note(std::string& out, std::size_t shown, std::size_t total) {
  out += fmt::format(
      "<span class=\"cut\">\u2026 the review shows the first {} of the {} bytes of this text (a page holds at most "
      "about {} of HTML); the report has every range.</span>",
      human_bytes(shown), human_bytes(total), human_bytes(out.size()));
}

// Where the first copy of a repeated run starts: the first earlier line equal to the run's first
// non-blank line (the report gives the run, not its first copy). r.begin when there is none.
std::uint64_t repeat_first_copy(std::string_view text, const removed_range& r) {
  const std::string_view first = range_line(text, r.begin, r.end);
  if (first.empty() || r.begin > text.size()) return r.begin;
  const std::string_view before = text.substr(0, static_cast<std::size_t>(r.begin));
  for (std::size_t at = before.find(first); at != std::string_view::npos; at = before.find(first, at + 1))
    if (at == 0 || before[at - 1] == '\n') return at;
  return r.begin;
}

std::uint64_t line_number_at(std::string_view text, std::uint64_t offset) {
  const std::size_t end = static_cast<std::size_t>(std::min<std::uint64_t>(offset, text.size()));
  return 1 +
         static_cast<std::uint64_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), '\n'));
}

}  // namespace

std::string evidence(const removed_range& r, std::string_view text) {
  std::string s;
  switch (r.why) {
    case reason::boilerplate:
      if (r.pages == 0 && r.group_pages == 0) {
        s = "Boilerplate: filler lines after the last kept line";
      } else {
        s = fmt::format("Boilerplate: on {} of the {} pages of its site", thousands(r.pages), thousands(r.group_pages));
      }
      break;
    case reason::corpus:
      s = fmt::format("Corpus-wide: on {} of the {} sites of the run, outside the article flow", thousands(r.pages),
                      thousands(r.group_pages));
      break;
    case reason::template_line: {
      // The pattern itself: its fixed words around "…", the part that changes from page to page.
      const template_split t = split_template(range_line(text, r.begin, r.end), r.prefix_tokens, r.suffix_tokens);
      std::string pattern;
      if (t.ok) {
        pattern = " \u201C" + std::string(t.head.substr(0, 40)) + (t.head.empty() ? "" : " ") + "\u2026" +
                  (t.tail.empty() ? "" : " ") + std::string(t.tail.substr(0, 40)) + "\u201D";
      }
      s = fmt::format(
          "Template line{}: its first {} and last {} words recur around a changing part on {} of the {} pages of its "
          "site",
          pattern, r.prefix_tokens, r.suffix_tokens, thousands(r.pages), thousands(r.group_pages));
      break;
    }
    case reason::repeat: {
      const std::uint64_t first = repeat_first_copy(text, r);
      s = first < r.begin
              ? fmt::format(
                    "Repeated run: repeats earlier text of this document; its first copy, kept, "
                    "starts at byte {} (line {})",
                    first, line_number_at(text, first))
              : std::string("Repeated run: repeats earlier text of this document, whose first copy is kept");
      break;
    }
    case reason::line_repeat:
      s = fmt::format(
          "Line repeat: short lines printed earlier in this page in the same order; the first copy is at "
          "byte {} (line {})",
          r.first_copy_at, line_number_at(text, r.first_copy_at));
      break;
    case reason::links:
      s = r.link_share >= 0 ? fmt::format("Link text: {:.0f}% of its letters are inside links", r.link_share * 100)
                            : std::string("Link text");
      break;
    case reason::outside_main:
      s = r.part == 1   ? "Outside the main text of the page: a figure or its caption"
          : r.part == 2 ? "Outside the main text of the page: an item of a collection (gallery slides, teasers, comments)"
                        : "Outside the main text of the page";
      break;
    case reason::other:
      s = "Reason \u201C";
      s += r.other.substr(0, 40);
      s += "\u201D, unknown to this version of the review: removed all the same";
      break;
  }
  if (r.source_line != 0) s += fmt::format("; HTML line {}", r.source_line);
  s += fmt::format(" (bytes {}\u2013{}, line {})", r.begin, r.end, line_number_at(text, r.begin));
  return s;
}

std::string marked_text(std::string_view text, const std::vector<removed_range>& removed, std::size_t budget) {
  std::string out;
  out.reserve(std::min<std::size_t>(budget + 1024, text.size() * 2 + 1024));
  // Where the first copies of line repeats begin: an anchor there for the evidence's link.
  std::vector<std::uint64_t> anchors;
  std::vector<std::uint64_t> first_copy(removed.size(), text.size());  // per range, its first copy's offset
  for (std::size_t k = 0; k < removed.size(); ++k) {
    const removed_range& r = removed[k];
    if (r.why == reason::line_repeat && r.first_copy_at < text.size()) first_copy[k] = r.first_copy_at;
    if (r.why == reason::repeat) first_copy[k] = std::min<std::uint64_t>(repeat_first_copy(text, r), text.size());
    if (first_copy[k] < text.size()) anchors.push_back(first_copy[k]);
  }
  std::sort(anchors.begin(), anchors.end());
  anchors.erase(std::unique(anchors.begin(), anchors.end()), anchors.end());
  std::size_t next_anchor = 0;

  // Plain text [from, to), with the anchors that fall inside it.
  auto plain = [&](std::size_t from, std::size_t to) -> std::size_t {
    while (from < to) {
      std::size_t stop = to;
      while (next_anchor < anchors.size() && anchors[next_anchor] < from) ++next_anchor;
      if (next_anchor < anchors.size() && anchors[next_anchor] < to)
        stop = static_cast<std::size_t>(anchors[next_anchor]);
      if (stop == from) {
        out += fmt::format("<span class=\"anchor\" id=\"at-{}\"></span>", from);
        ++next_anchor;
        continue;
      }
      const std::size_t reached = append_until(out, text, from, stop, budget);
      if (reached != stop) return reached;
      from = stop;
    }
    return to;
  };

  std::size_t at = 0;
  for (std::size_t k = 0; k < removed.size(); ++k) {
    const removed_range& r = removed[k];
    const std::uint64_t copy_at = first_copy[k];
    const auto begin = static_cast<std::size_t>(std::min<std::uint64_t>(r.begin, text.size()));
    const auto end = static_cast<std::size_t>(std::min<std::uint64_t>(r.end, text.size()));
    if (begin < at) continue;  // not sorted: the reader checks, so never here
    const std::size_t reached = plain(at, begin);
    if (reached != begin || out.size() >= budget) {
      append_cut_note(out, reached, text.size());
      return out;
    }
    out += fmt::format("<mark class=\"rm r-{}\" id=\"rm-{}\" tabindex=\"0\" data-reason=\"", reason_key(r.why), k + 1);
    append_html_escaped(out, r.why == reason::other ? std::string_view(r.other) : std::string_view(reason_key(r.why)));
    out += "\" data-ev=\"";
    append_html_escaped(out, evidence(r, text));
    out += "\">";
    if (copy_at < text.size())
      out += fmt::format("<a class=\"first-copy\" href=\"#at-{}\" aria-label=\"go to the first copy\">\u21A9</a>",
                         copy_at);
    // Anchors inside a removed range (a first copy that was itself removed) go before it.
    while (next_anchor < anchors.size() && anchors[next_anchor] < end) {
      if (anchors[next_anchor] >= begin)
        out += fmt::format("<span class=\"anchor\" id=\"at-{}\"></span>", anchors[next_anchor]);
      ++next_anchor;
    }
    const std::size_t done = append_until(out, text, begin, end, budget);
    out += "</mark>";
    if (done != end) {
      append_cut_note(out, done, text.size());
      return out;
    }
    at = end;
  }
  const std::size_t reached = plain(at, text.size());
  if (reached != text.size()) append_cut_note(out, reached, text.size());
  return out;
}

std::string plain_text(std::string_view text, std::size_t budget) {
  std::string out;
  const std::size_t reached = append_until(out, text, 0, text.size(), budget);
  if (reached != text.size()) append_cut_note(out, reached, text.size());
  return out;
}

std::string kept_text(std::string_view text, const std::vector<removed_range>& removed) {
  std::string out;
  std::size_t at = 0;
  for (const removed_range& r : removed) {
    const auto begin = static_cast<std::size_t>(std::min<std::uint64_t>(r.begin, text.size()));
    const auto end = static_cast<std::size_t>(std::min<std::uint64_t>(r.end, text.size()));
    if (begin < at) continue;
    out.append(text.substr(at, begin - at));
    at = end;
  }
  if (at < text.size()) out.append(text.substr(at));
  return out;
}

std::string_view range_line(std::string_view text, std::uint64_t begin, std::uint64_t end) {
  if (begin >= text.size() || end <= begin) return {};
  std::string_view r = text.substr(static_cast<std::size_t>(begin),
                                   static_cast<std::size_t>(std::min<std::uint64_t>(end, text.size()) - begin));
  while (!r.empty()) {
    const std::size_t nl = r.find('\n');
    std::string_view line = r.substr(0, nl);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) return line;
    if (nl == std::string_view::npos) break;
    r.remove_prefix(nl + 1);
  }
  return {};
}

template_split split_template(std::string_view line, std::uint32_t prefix_tokens, std::uint32_t suffix_tokens) {
  normalize_options no;
  no.mask_digits = true;  // the template's tokens are the masked ones (doc/algorithm.md, "Template parts")
  std::vector<token> tokens;
  tokenize(line, no, tokens);
  template_split t;
  const std::size_t n = tokens.size();
  if (n == 0 || prefix_tokens > n || suffix_tokens > n || prefix_tokens + suffix_tokens > n) return t;
  const std::size_t head_end = prefix_tokens == 0 ? 0 : tokens[prefix_tokens - 1].end;
  const std::size_t tail_begin = suffix_tokens == 0 ? line.size() : tokens[n - suffix_tokens].begin;
  if (tail_begin < head_end) return t;
  t.head = line.substr(0, head_end);
  t.middle = line.substr(head_end, tail_begin - head_end);
  t.tail = line.substr(tail_begin);
  t.ok = true;
  return t;
}

std::string template_html(std::string_view line, std::uint32_t prefix_tokens, std::uint32_t suffix_tokens) {
  std::string s;
  const template_split t = split_template(line, prefix_tokens, suffix_tokens);
  if (!t.ok) {
    append_escaped_cut(s, line, 300);
    return s;
  }
  if (!t.head.empty()) {
    s += "<span class=\"fixed\">";
    append_escaped_cut(s, t.head, 120);
    s += "</span>";
  }
  s += "<span class=\"var\">";
  append_escaped_cut(s, t.middle, 160);
  s += "</span>";
  if (!t.tail.empty()) {
    s += "<span class=\"fixed\">";
    append_escaped_cut(s, t.tail, 120);
    s += "</span>";
  }
  return s;
}

}  // namespace dupstrip::detail::review

// The review's building blocks that hold its guarantees: the one escaping function (every byte
// of a report or a document that reaches a page goes through append_html_escaped), the page
// chrome with its Content-Security-Policy, pagination, and the deterministic choice of the
// documents whose text is shown.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "dupstrip/hash.hpp"
#include "dupstrip/review_internal.hpp"
#include "dupstrip/text.hpp"
#include "dupstrip/version.hpp"

namespace dupstrip {

// ------------------------------------------------------------------ escaping

namespace {

// Code points shown as a visible marker instead of themselves: they are invisible, or they
// reorder the text around them (bidirectional overrides and isolates, as in a file name that
// reads "txt.exe" backwards), or they break lines where the page does not.
bool shown_as_marker(char32_t cp) noexcept {
  if (cp < 0x20) return cp != '\t' && cp != '\n' && cp != '\r';
  if (cp >= 0x7F && cp <= 0x9F) return true;        // DEL, C1 controls
  if (cp == 0x061C) return true;                    // Arabic letter mark
  if (cp >= 0x200B && cp <= 0x200F) return true;    // zero-width space/joiners, LRM, RLM
  if (cp >= 0x2028 && cp <= 0x202E) return true;    // line/paragraph separators, LRE RLE PDF LRO RLO
  if (cp >= 0x2060 && cp <= 0x2069) return true;    // word joiner, invisible operators, LRI RLI FSI PDI
  if (cp == 0xFEFF) return true;                    // zero-width no-break space (BOM)
  if (cp >= 0xFFF9 && cp <= 0xFFFB) return true;    // interlinear annotation
  if (cp >= 0xE0000 && cp <= 0xE007F) return true;  // tag characters
  return false;
}

void escape_valid(std::string& out, std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          if (shown_as_marker(c)) {
            out += fmt::format("\u27E6U+{:04X}\u27E7", static_cast<unsigned>(c));
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // Valid UTF-8 (repaired by the caller): the length comes from the lead byte.
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    char32_t cp = len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    if (shown_as_marker(cp)) {
      out += fmt::format("\u27E6U+{:04X}\u27E7", static_cast<std::uint32_t>(cp));
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
}

}  // namespace

void append_html_escaped(std::string& out, std::string_view text) {
  if (is_valid_utf8(text)) {
    escape_valid(out, text);
  } else {
    escape_valid(out, repair_utf8(text));
  }
}

std::string html_escaped(std::string_view text) {
  std::string s;
  s.reserve(text.size() + text.size() / 8);
  append_html_escaped(s, text);
  return s;
}

// ------------------------------------------------------------------ pagination

std::vector<review_page> paginate(std::string_view stem, std::size_t rows, std::size_t per_page) {
  std::vector<review_page> pages;
  if (per_page == 0) per_page = 1;
  for (std::size_t first = 0; first < rows || pages.empty(); first += per_page) {
    review_page p;
    p.first = first;
    p.last = std::min(rows, first + per_page);
    p.file = pages.empty() ? fmt::format("{}.html", stem) : fmt::format("{}-{}.html", stem, pages.size() + 1);
    pages.push_back(std::move(p));
    if (rows == 0) break;
  }
  return pages;
}

// ------------------------------------------------------------------ the choice of documents

review_selector::review_selector(std::size_t documents, std::uint64_t seed) : n_(documents), seed_(seed) {}

namespace {

// Heap orders: the top is the entry to evict first.
struct by_key {  // smallest keys wanted
  template <class E>
  bool operator()(const E& x, const E& y) const {
    return x.key != y.key ? x.key < y.key : x.order < y.order;
  }
};
struct by_strip {  // largest shares wanted
  template <class E>
  bool operator()(const E& x, const E& y) const {
    if (x.share != y.share) return x.share > y.share;
    if (x.stripped != y.stripped) return x.stripped > y.stripped;
    if (x.name != y.name) return x.name < y.name;
    return x.order < y.order;
  }
};

template <class E, class Less>
void keep_best(std::vector<E>& heap, std::size_t n, E&& e, Less less) {
  if (n == 0) return;
  if (heap.size() < n) {
    heap.push_back(std::move(e));
    std::push_heap(heap.begin(), heap.end(), less);
  } else if (less(e, heap.front())) {
    std::pop_heap(heap.begin(), heap.end(), less);
    heap.back() = std::move(e);
    std::push_heap(heap.begin(), heap.end(), less);
  }
}

}  // namespace

void review_selector::offer(const review_candidate& c, std::size_t order) {
  entry e;
  e.key = detail::xxh3_64(c.name, seed_);
  e.stripped = c.stripped_bytes;
  e.share = c.bytes == 0 ? 0.0 : static_cast<double>(c.stripped_bytes) / static_cast<double>(c.bytes);
  e.name = c.name;
  e.order = order;
  if (c.kept && c.safety_rail) keep_best(rails_, n_, entry(e), by_key{});
  if (c.kept && c.stripped_bytes > 0) keep_best(stripped_, n_, entry(e), by_strip{});
  keep_best(sample_, n_, std::move(e), by_key{});
}

std::vector<review_choice> review_selector::chosen() const {
  std::vector<review_choice> out;
  std::unordered_set<std::size_t> taken;
  auto by_name = [](const entry* x, const entry* y) {
    return x->name != y->name ? x->name < y->name : x->order < y->order;
  };

  std::vector<entry> rails = rails_;
  std::sort(rails.begin(), rails.end(), by_key{});
  std::vector<const entry*> group;
  for (const entry& e : rails)
    if (group.size() < n_) group.push_back(&e);
  std::sort(group.begin(), group.end(), by_name);
  for (const entry* e : group) {
    out.push_back({e->order, review_pick::safety_rail});
    taken.insert(e->order);
  }

  const std::size_t most = (n_ - out.size() + 1) / 2;
  std::vector<entry> stripped = stripped_;
  std::sort(stripped.begin(), stripped.end(), by_strip{});
  std::size_t added = 0;
  for (const entry& e : stripped) {
    if (added == most) break;
    if (!taken.insert(e.order).second) continue;
    out.push_back({e.order, review_pick::most_stripped});
    ++added;
  }

  std::vector<entry> sample = sample_;
  std::sort(sample.begin(), sample.end(), by_key{});
  group.clear();
  for (const entry& e : sample) {
    if (out.size() + group.size() >= n_) break;
    if (taken.count(e.order) != 0) continue;
    group.push_back(&e);
  }
  std::sort(group.begin(), group.end(), by_name);
  for (const entry* e : group) out.push_back({e->order, review_pick::sample});
  return out;
}

// ------------------------------------------------------------------ page pieces

namespace detail::review {

void append_escaped_cut(std::string& out, std::string_view text, std::size_t max_bytes) {
  const std::size_t start = out.size();
  bool cut = false;
  if (text.size() > max_bytes) {
    std::size_t at = max_bytes;
    while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;  // a character boundary
    text = text.substr(0, at);
    cut = true;
  }
  append_html_escaped(out, text);
  // Escaping makes a byte at most 12 ("\x01" is a marker): the output is cut at three times
  // the input's bound, so that a field's size never depends on what its text holds.
  const std::size_t limit = 3 * max_bytes + 8;
  if (out.size() - start > limit) {
    std::size_t end = start + limit;
    while (end > start && (static_cast<unsigned char>(out[end]) & 0xC0) == 0x80) --end;
    const std::size_t amp = out.rfind('&', end - 1);
    if (amp != std::string::npos && amp >= start && out.find(';', amp) >= end) end = amp;  // not inside "&quot;"
    out.resize(end);
    cut = true;
  }
  if (cut) out += "\u2026";
}

std::string thousands(std::uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  const std::size_t lead = digits.size() % 3;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && i >= lead && (i - lead) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string human_bytes(std::uint64_t v) {
  if (v >= 1'000'000'000) return fmt::format("{:.2f} GB", static_cast<double>(v) / 1e9);
  if (v >= 1'000'000) return fmt::format("{:.1f} MB", static_cast<double>(v) / 1e6);
  if (v >= 10'000) return fmt::format("{:.1f} kB", static_cast<double>(v) / 1e3);
  return fmt::format("{} B", v);
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "0%";
  const double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  if (p > 0 && p < 0.1) return "<0.1%";
  return fmt::format("{:.1f}%", p);
}

namespace {

constexpr const char* section_files[] = {"index.html", "sites.html", "clusters.html", "docs.html"};
constexpr const char* section_names[] = {"Summary", "Sites", "Duplicates", "Documents"};

}  // namespace

std::string page_head(std::string_view title, section current) {
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      // Scripts and styles only from files beside the page (review.js, style.css), nothing else:
      // no inline script, no inline event handler, no inline style attribute, no network.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; "
      "style-src 'self'; img-src 'none'; connect-src 'none'; font-src 'none'; object-src 'none'; "
      "base-uri 'none'; form-action 'none'\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  s += "<meta name=\"generator\" content=\"dupstrip ";
  append_html_escaped(s, DUPSTRIP_VERSION_STRING);
  s += " review\">\n<title>";
  append_html_escaped(s, title);
  s +=
      " \u2014 dupstrip review</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n"
      "<script src=\"review.js\" defer></script>\n</head>\n<body>\n"
      "<a class=\"skip\" href=\"#main\">Skip to the content</a>\n"
      "<header class=\"top\"><a class=\"brand\" href=\"index.html\">dupstrip review</a>\n<nav aria-label=\"Sections\">";
  for (std::size_t k = 0; k < 4; ++k) {
    s += fmt::format("<a href=\"{}\"{}>{}</a>", section_files[k],
                     static_cast<std::size_t>(current) == k ? " aria-current=\"page\"" : "", section_names[k]);
  }
  s += "</nav>\n<button type=\"button\" class=\"keys\" id=\"keys-button\" aria-controls=\"keys\" "
       "aria-expanded=\"false\">"
       "Keys <kbd>?</kbd></button></header>\n"
       "<section id=\"keys\" class=\"keys-help\" hidden aria-label=\"Keyboard\"><h2>Keyboard</h2><dl>"
       "<dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>next / previous row, or removed range of a document</dd>"
       "<dt><kbd>Enter</kbd></dt><dd>open the focused row</dd>"
       "<dt><kbd>n</kbd> / <kbd>p</kbd></dt><dd>next / previous page or document</dd>"
       "<dt><kbd>/</kbd></dt><dd>filter by name</dd>"
       "<dt><kbd>g</kbd> <kbd>s</kbd> <kbd>c</kbd> <kbd>d</kbd></dt><dd>summary, sites, duplicates, documents</dd>"
       "<dt><kbd>Esc</kbd></dt><dd>clear the filter, close this help</dd></dl></section>\n"
       "<main id=\"main\">\n<h1>";
  append_html_escaped(s, title);
  s += "</h1>\n";
  return s;
}

std::string page_tail(std::string_view prev_file, std::string_view next_file) {
  std::string s = "</main>\n<footer class=\"bottom\">";
  if (!prev_file.empty()) {
    s += "<a rel=\"prev\" href=\"";
    append_html_escaped(s, prev_file);
    s += "\">\u2190 previous</a> ";
  }
  if (!next_file.empty()) {
    s += "<a rel=\"next\" href=\"";
    append_html_escaped(s, next_file);
    s += "\">next \u2192</a> ";
  }
  s += "<span class=\"made\">Made by dupstrip from the run's report; static files, no network.</span></footer>\n"
       "</body>\n</html>\n";
  return s;
}

std::string pager(const std::vector<review_page>& pages, std::size_t current) {
  if (pages.size() < 2) return {};
  std::string s = "<nav class=\"pager\" aria-label=\"Pages\">Pages: ";
  for (std::size_t k = 0; k < pages.size(); ++k) {
    // Long lists: the first, the last and the ones around the current page.
    const bool show = k == 0 || k + 1 == pages.size() || (k + 3 > current && k < current + 3);
    if (!show) {
      if (k == 1 || k + 2 == pages.size()) s += "<span>\u2026</span> ";
      continue;
    }
    if (k == current) {
      s += fmt::format("<a href=\"{}\" aria-current=\"page\">{}</a> ", pages[k].file, k + 1);
    } else {
      s += fmt::format("<a href=\"{}\">{}</a> ", pages[k].file, k + 1);
    }
  }
  s += "</nav>\n";
  return s;
}

}  // namespace detail::review
}  // namespace dupstrip

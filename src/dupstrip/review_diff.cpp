// Diffs for the duplicates view: a dropped copy against the copy that was kept, as a reader
// checks a merge. Both sides are the documents' content as the run compared it (their text
// minus their removed ranges), diffed line by line with Myers' algorithm; a changed line that
// pairs with a changed line of the other side is diffed again word by word, so that the few
// edited words of a syndicated copy stand out. Long unchanged stretches are folded.
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>

#include "dupstrip/hash.hpp"
#include "dupstrip/review_internal.hpp"

namespace dupstrip::detail::review {

std::vector<edit> diff_sequences(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b,
                                 std::size_t max_edits) {
  std::vector<edit> out;
  // The common prefix and suffix cost nothing to find and shrink the search.
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  const auto n = static_cast<std::ptrdiff_t>(a.size() - pre - suf);
  const auto m = static_cast<std::ptrdiff_t>(b.size() - pre - suf);
  auto A = [&](std::ptrdiff_t i) { return a[pre + static_cast<std::size_t>(i)]; };
  auto B = [&](std::ptrdiff_t j) { return b[pre + static_cast<std::size_t>(j)]; };

  // Middle edits, from the end backwards, as (kind, x, y) steps; then runs.
  std::vector<edit> mid;
  auto push = [&](edit_kind k, std::size_t a0, std::size_t a1, std::size_t b0, std::size_t b1) {
    if (a0 == a1 && b0 == b1) return;
    if (!mid.empty() && mid.back().kind == k) {
      mid.back().a_begin = a0;
      mid.back().b_begin = b0;
      return;
    }
    mid.push_back({k, a0, a1, b0, b1});
  };
  bool solved = false;
  if (n == 0 || m == 0) {
    push(edit_kind::ins, pre, pre, pre, pre + static_cast<std::size_t>(m));
    push(edit_kind::del, pre, pre + static_cast<std::size_t>(n), pre, pre);
    solved = true;
  }
  const auto max_d = static_cast<std::ptrdiff_t>(std::min<std::size_t>(max_edits, static_cast<std::size_t>(n + m)));
  if (!solved) {
    const std::ptrdiff_t off = max_d + 1;
    std::vector<std::ptrdiff_t> v(static_cast<std::size_t>(2 * max_d + 3), 0);
    // v[-d..d] after each round d, one after another, for the way back: O(D^2) in all.
    std::vector<std::ptrdiff_t> trace;
    auto at = [&](std::ptrdiff_t k) -> std::ptrdiff_t& { return v[static_cast<std::size_t>(k + off)]; };
    auto traced = [&](std::ptrdiff_t d, std::ptrdiff_t k) {  // v[k] after round d
      return trace[static_cast<std::size_t>(d * d + (k + d))];
    };
    std::ptrdiff_t found = -1;
    for (std::ptrdiff_t d = 0; d <= max_d && found < 0; ++d) {
      for (std::ptrdiff_t k = -d; k <= d; k += 2) {
        std::ptrdiff_t x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1) : at(k - 1) + 1;
        std::ptrdiff_t y = x - k;
        while (x < n && y < m && A(x) == B(y)) ++x, ++y;
        at(k) = x;
        if (x >= n && y >= m) {
          found = d;
          break;
        }
      }
      for (std::ptrdiff_t k = -d; k <= d; ++k) trace.push_back(at(k));  // round d starts at d*d
    }
    if (found >= 0) {
      auto u = [&](std::ptrdiff_t i) { return pre + static_cast<std::size_t>(i); };
      std::ptrdiff_t x = n, y = m;
      for (std::ptrdiff_t d = found; d > 0; --d) {
        const std::ptrdiff_t k = x - y;
        const bool down = k == -d || (k != d && traced(d - 1, k - 1) < traced(d - 1, k + 1));
        const std::ptrdiff_t pk = down ? k + 1 : k - 1;
        const std::ptrdiff_t px = traced(d - 1, pk);
        const std::ptrdiff_t py = px - pk;
        const std::ptrdiff_t sx = down ? px : px + 1;  // after the one edit of round d
        const std::ptrdiff_t sy = sx - k;
        push(edit_kind::equal, u(sx), u(x), u(sy), u(y));
        if (down) {
          push(edit_kind::ins, u(px), u(px), u(py), u(sy));
        } else {
          push(edit_kind::del, u(px), u(sx), u(py), u(py));
        }
        x = px;
        y = py;
      }
      push(edit_kind::equal, u(0), u(x), u(0), u(y));
      solved = true;
    }
  }
  if (!solved) {  // too different: all of a out, all of b in
    mid.clear();
    push(edit_kind::ins, pre, pre, pre, pre + static_cast<std::size_t>(m));
    push(edit_kind::del, pre, pre + static_cast<std::size_t>(n), pre, pre);
  }
  if (pre > 0) out.push_back({edit_kind::equal, 0, pre, 0, pre});
  for (auto it = mid.rbegin(); it != mid.rend(); ++it) {
    if (!out.empty() && out.back().kind == it->kind) {
      out.back().a_end = it->a_end;
      out.back().b_end = it->b_end;
    } else {
      out.push_back(*it);
    }
  }
  if (suf > 0) {
    const edit e{edit_kind::equal, a.size() - suf, a.size(), b.size() - suf, b.size()};
    if (!out.empty() && out.back().kind == edit_kind::equal) {
      out.back().a_end = e.a_end;
      out.back().b_end = e.b_end;
    } else {
      out.push_back(e);
    }
  }
  return out;
}

namespace {

// The non-blank lines of a text, without their line ends: blank lines between paragraphs are
// layout, which two copies of one article often do differently, not content.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(at, nl - at);
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.remove_suffix(1);
    if (l.find_first_not_of(" \t") != std::string_view::npos) lines.push_back(l);
    at = nl + 1;
  }
  return lines;
}

// Words and the spaces between them, each a piece of its own.
std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t at = 0;
  while (at < line.size()) {
    const bool space = line[at] == ' ' || line[at] == '\t';
    std::size_t end = at;
    while (end < line.size() && (line[end] == ' ' || line[end] == '\t') == space) ++end;
    words.push_back(line.substr(at, end - at));
    at = end;
  }
  return words;
}

std::vector<std::uint64_t> hashes(const std::vector<std::string_view>& pieces) {
  std::vector<std::uint64_t> h;
  h.reserve(pieces.size());
  for (const std::string_view p : pieces) h.push_back(xxh3_64(p, 0x64696666));
  return h;
}

// One changed line against its counterpart: the words only one side has marked.
void line_row(std::string& out, const char* cls, const char* sign, const char* label, std::string_view text);

void word_diff(std::string& out, std::string_view kept, std::string_view dropped) {
  if (kept.size() > 4096 || dropped.size() > 4096) {  // a line as long as a page: shown cut, not word-diffed
    line_row(out, "del", "\u2212", "only in the kept copy", kept);
    line_row(out, "ins", "+", "only in the dropped copy", dropped);
    return;
  }
  const std::vector<std::string_view> a = split_words(kept);
  const std::vector<std::string_view> b = split_words(dropped);
  const std::vector<edit> script = diff_sequences(hashes(a), hashes(b), 400);
  auto side = [&](bool old_side) {
    out += old_side ? "<div class=\"dl del\"><span class=\"sign\" aria-label=\"only in the kept copy\">\u2212</span>"
                    : "<div class=\"dl ins\"><span class=\"sign\" aria-label=\"only in the dropped copy\">+</span>";
    for (const edit& e : script) {
      if (e.kind == edit_kind::equal) {
        for (std::size_t i = old_side ? e.a_begin : e.b_begin; i < (old_side ? e.a_end : e.b_end); ++i)
          append_html_escaped(out, old_side ? a[i] : b[i]);
      } else if (e.kind == edit_kind::del && old_side) {
        out += "<del>";
        for (std::size_t i = e.a_begin; i < e.a_end; ++i) append_html_escaped(out, a[i]);
        out += "</del>";
      } else if (e.kind == edit_kind::ins && !old_side) {
        out += "<ins>";
        for (std::size_t i = e.b_begin; i < e.b_end; ++i) append_html_escaped(out, b[i]);
        out += "</ins>";
      }
    }
    out += "</div>\n";
  };
  side(true);
  side(false);
}

void line_row(std::string& out, const char* cls, const char* sign, const char* label, std::string_view text) {
  out += fmt::format("<div class=\"dl {}\"><span class=\"sign\" aria-label=\"{}\">{}</span>", cls, label, sign);
  append_escaped_cut(out, text, 4096);
  out += "</div>\n";
}

}  // namespace

std::string diff_html(std::string_view kept, std::string_view dropped, std::size_t budget) {
  // Long texts are diffed on their first 256 KiB; pages show far less.
  constexpr std::size_t max_text = 256 * 1024;
  const std::vector<std::string_view> a = split_lines(kept.substr(0, std::min(kept.size(), max_text)));
  const std::vector<std::string_view> b = split_lines(dropped.substr(0, std::min(dropped.size(), max_text)));
  const std::vector<edit> script = diff_sequences(hashes(a), hashes(b), 1000);
  std::size_t equal = 0, only_kept = 0, only_dropped = 0;
  for (const edit& e : script) {
    if (e.kind == edit_kind::equal) equal += e.a_end - e.a_begin;
    if (e.kind == edit_kind::del) only_kept += e.a_end - e.a_begin;
    if (e.kind == edit_kind::ins) only_dropped += e.b_end - e.b_begin;
  }
  std::string out = fmt::format(
      "<p class=\"diff-stats\">Non-blank lines: <span class=\"eq-count\">{} equal</span>, <span class=\"del-count\">{} "
      "only in "
      "the kept copy</span> (\u2212), <span class=\"ins-count\">{} only in the dropped copy</span> (+); changed words "
      "are struck out and underlined.</p>\n<div class=\"diff\">\n",
      equal, only_kept, only_dropped);
  constexpr std::size_t context = 2;
  bool cut = false;
  for (std::size_t k = 0; k < script.size() && !cut; ++k) {
    const edit& e = script[k];
    if (e.kind == edit_kind::equal) {
      const std::size_t len = e.a_end - e.a_begin;
      const bool first = k == 0, last = k + 1 == script.size();
      const std::size_t head = first ? 0 : std::min(context, len);
      const std::size_t tail = last ? 0 : std::min(context, len - head);
      for (std::size_t i = 0; i < head; ++i) line_row(out, "eq", " ", "in both", a[e.a_begin + i]);
      if (len > head + tail)
        out += fmt::format("<div class=\"dl fold\">\u22EF {} equal lines \u22EF</div>\n", len - head - tail);
      for (std::size_t i = len - tail; i < len; ++i) line_row(out, "eq", " ", "in both", a[e.a_begin + i]);
    } else {
      // A hunk: the changed lines of both sides up to the next equal run. Lines pair one to one
      // in order for a word diff; the rest show whole.
      std::vector<std::string_view> gone, come;
      for (; k < script.size() && script[k].kind != edit_kind::equal; ++k) {
        for (std::size_t i = script[k].a_begin; i < script[k].a_end; ++i) gone.push_back(a[i]);
        for (std::size_t i = script[k].b_begin; i < script[k].b_end; ++i) come.push_back(b[i]);
      }
      --k;
      const std::size_t pairs = std::min(gone.size(), come.size());
      for (std::size_t i = 0; i < pairs && out.size() < budget; ++i) word_diff(out, gone[i], come[i]);
      for (std::size_t i = pairs; i < gone.size() && out.size() < budget; ++i)
        line_row(out, "del", "\u2212", "only in the kept copy", gone[i]);
      for (std::size_t i = pairs; i < come.size() && out.size() < budget; ++i)
        line_row(out, "ins", "+", "only in the dropped copy", come[i]);
    }
    if (out.size() >= budget) cut = true;
  }
  if (cut)
    out += "<div class=\"dl cut\">\u2026 the rest of the diff is left out (a page holds at most about " +
           human_bytes(budget) + " of diff).</div>\n";
  out += "</div>\n";
  return out;
}

}  // namespace dupstrip::detail::review

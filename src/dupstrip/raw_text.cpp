// Emptying script, style and comment bodies before parsing (raw_text.hpp).
#include "dupstrip/raw_text.hpp"

#include "dupstrip/swar.hpp"

#include <cstdint>
#include <cstring>
#include <string_view>

namespace dupstrip::detail {
namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// `s` at `at` starts with `word` (lowercase), in any case.
bool starts_with_ci(std::string_view s, std::size_t at, std::string_view word) noexcept {
  if (s.size() - at < word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (lower(s[at + i]) != word[i]) return false;
  return true;
}

bool ends_name(std::string_view s, std::size_t at) noexcept {
  if (at >= s.size()) return true;
  const char c = s[at];
  return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

// First "</name" at or after `from` (any case), or npos.
std::size_t find_end_tag(std::string_view s, std::size_t from, std::string_view name) noexcept {
  while (from < s.size()) {
    const void* p = std::memchr(s.data() + from, '<', s.size() - from);
    if (p == nullptr) return std::string_view::npos;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(p) - s.data());
    if (at + 1 < s.size() && s[at + 1] == '/' && starts_with_ci(s, at + 2, name)) return at;
    from = at + 1;
  }
  return std::string_view::npos;
}

// First "-->" or "--!>" at or after `from`, or npos (one pass).
std::size_t find_comment_end(std::string_view s, std::size_t from) noexcept {
  while (from + 3 <= s.size()) {
    const void* p = std::memchr(s.data() + from, '-', s.size() - from);
    if (p == nullptr) return std::string_view::npos;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(p) - s.data());
    if (at + 2 < s.size() && s[at + 1] == '-') {
      if (s[at + 2] == '>') return at;
      if (at + 3 < s.size() && s[at + 2] == '!' && s[at + 3] == '>') return at;
    }
    from = at + 1;
  }
  return std::string_view::npos;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// The first ">", '"' or "'" at or after `i`, or s.size(); eight bytes at a time.
std::size_t next_tag_char(std::string_view s, std::size_t i) noexcept {
  for (; i + 8 <= s.size(); i += 8) {
    const std::uint64_t w = swar::load8(s.data() + i);
    const std::uint64_t hit = swar::bytes_equal(w, '>') | swar::bytes_equal(w, '"') | swar::bytes_equal(w, '\'');
    if (hit != 0) {
      // The first byte in memory order: the lowest on a little-endian machine.
      for (std::size_t k = i; k < i + 8; ++k)
        if (s[k] == '>' || s[k] == '"' || s[k] == '\'') return k;
    }
  }
  for (; i < s.size(); ++i)
    if (s[i] == '>' || s[i] == '"' || s[i] == '\'') return i;
  return s.size();
}

// The ">" that ends the tag, doctype or instruction whose name starts at `from`, stepping over
// attribute values in quotes; npos when there is none (or a quote never closes).
std::size_t tag_end(std::string_view s, std::size_t from) noexcept {
  // In a doctype or an instruction any quote opens a literal; in a tag only one right after
  // "=" (spaces allowed) opens a value: `title=don't` has none.
  const bool declaration = s[from] == '!' || s[from] == '?';
  std::size_t i = from;
  while (true) {
    i = next_tag_char(s, i);
    if (i >= s.size()) return std::string_view::npos;
    const char c = s[i];
    if (c == '>') return i;
    // A quote opens a value when the last character before it that is not white space (a
    // name's, "=", or the quote that closed the last value) is "=".
    std::size_t k = i;
    while (k > from && is_space(s[k - 1])) --k;
    if (declaration || (k > from && s[k - 1] == '=')) {
      const std::size_t close = s.find(c, i + 1);
      if (close == std::string_view::npos) return std::string_view::npos;
      i = close + 1;
    } else {
      ++i;
    }
  }
}

// Line feeds in s[b, e), eight bytes at a time (script bodies are long).
std::size_t count_feeds(std::string_view s, std::size_t b, std::size_t e) noexcept {
  std::size_t n = 0;
  for (; b + 8 <= e; b += 8) {
    const std::uint64_t feeds = swar::bytes_equal(swar::load8(s.data() + b), '\n');
    // One bit per line feed, summed by a multiply (std::popcount is a library call unless
    // the build targets a CPU with the instruction).
    n += static_cast<std::size_t>(((feeds >> 7U) * swar::ones) >> 56U);
  }
  for (; b < e; ++b) n += s[b] == '\n' ? 1U : 0U;
  return n;
}


// Attributes the text model reads (html.cpp): the rest only costs the parser time (an
// allocation per value, entities decoded).
bool kept_attribute(std::string_view s, std::size_t b, std::size_t e) noexcept {
  for (const std::string_view name : {"class", "id", "role", "hidden", "style"})
    if (e - b == name.size() && starts_with_ci(s, b, name)) return true;
  return false;
}

// Appends the start tag s[at, gt] (s[at] == '<', s[gt] == '>') to `out` with only the kept
// attributes, each as written, and the tag's line feeds, so later lines keep their numbers.
// Attributes are split as tag_end() stepped over them: a quote right after "=" opens a value,
// an unquoted value runs to white space; a "/" outside a value before ">" closes the tag.
void append_start_tag(std::string& out, std::string_view s, std::size_t at, std::size_t gt) {
  std::size_t j = at + 1;
  while (j < gt && !is_space(s[j]) && s[j] != '/') ++j;
  out.append(s.data() + at, j - at);  // "<name"
  std::size_t feeds = 0;
  bool closing_slash = false;
  while (j < gt) {
    if (is_space(s[j]) || s[j] == '/') {
      closing_slash = s[j] == '/';
      feeds += s[j] == '\n' ? 1U : 0U;
      ++j;
      continue;
    }
    closing_slash = false;
    const std::size_t name_b = j;
    while (j < gt && !is_space(s[j]) && s[j] != '/' && s[j] != '=') ++j;
    if (j == name_b) ++j;  // a "=" with no name: part of this attribute
    const std::size_t name_e = j;
    std::size_t k = j;
    while (k < gt && is_space(s[k])) ++k;
    if (k < gt && s[k] == '=') {
      ++k;
      while (k < gt && is_space(s[k])) ++k;
      if (k < gt && (s[k] == '"' || s[k] == '\'')) {
        const std::size_t close = s.find(s[k], k + 1);
        k = close == std::string_view::npos || close >= gt ? gt : close + 1;
      } else {
        while (k < gt && !is_space(s[k])) ++k;
      }
      j = k;
    }
    if (kept_attribute(s, name_b, name_e)) {
      out.push_back(' ');
      out.append(s.data() + name_b, j - name_b);
    } else {
      feeds += count_feeds(s, name_b, j);
    }
  }
  out.append(feeds, '\n');
  if (closing_slash) out += " /";  // apart from a last unquoted value: "class=a /", not "class=a/"
  out.push_back('>');
}

}  // namespace

void empty_raw_text(std::string& page) {
  std::string out = emptied_raw_text(page);
  page.swap(out);
}

std::string emptied_raw_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t copied = 0;  // s[0, copied) is in out
  auto drop = [&](std::size_t body, std::size_t end) {
    out.append(s.data() + copied, body - copied);
    out.append(count_feeds(s, body, end), '\n');
    copied = end;
  };
  // Only a "<" in content starts anything: tags (with their quoted attribute values), end
  // tags, doctypes and processing instructions are stepped over whole, so a "<!--" or
  // "<script" inside an attribute value or a doctype is not taken for one. Whenever the pass
  // is unsure where something ends (an unclosed quote or tag), it stops and leaves the rest of
  // the page as it is: the parser then does all the work, and nothing is lost.
  std::size_t i = 0;
  while (i < s.size()) {
    const void* p = std::memchr(s.data() + i, '<', s.size() - i);
    if (p == nullptr) break;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(p) - s.data());
    if (s.substr(at, 4) == std::string_view("<!--")) {
      // Ends at "-->" or "--!>", as libxml2 ends it ("<!-->" does not end it there).
      const std::size_t e = find_comment_end(s, at + 4);
      const std::size_t end = e == std::string_view::npos ? s.size() : e;
      drop(at + 4, end);
      i = end;
      continue;
    }
    const char next = at + 1 < s.size() ? s[at + 1] : '\0';
    const bool letter = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z');
    if (!letter && next != '/' && next != '!' && next != '?') {
      i = at + 1;  // "<" as text ("a < b")
      continue;
    }
    const std::size_t gt = tag_end(s, at + 1);
    if (gt == std::string_view::npos) break;  // unsure: leave the rest to the parser
    std::string_view name;
    if (letter && starts_with_ci(s, at + 1, "script") && ends_name(s, at + 7)) name = "script";
    else if (letter && starts_with_ci(s, at + 1, "style") && ends_name(s, at + 6)) name = "style";
    if (letter) {  // a start tag: only the attributes the text model reads
      out.append(s.data() + copied, at - copied);
      append_start_tag(out, s, at, gt);
      copied = gt + 1;
    }
    if (name.empty() || s[gt - 1] == '/') {  // another tag, or <script ... /> (libxml2 closes it there)
      i = gt + 1;
      continue;
    }
    const std::size_t body = gt + 1;
    const std::size_t e = find_end_tag(s, body, name);
    const std::size_t end = e == std::string_view::npos ? s.size() : e;
    drop(body, end);
    i = end == s.size() ? end : end + 2;
  }
  out.append(s.data() + copied, s.size() - copied);
  return out;
}

}  // namespace dupstrip::detail

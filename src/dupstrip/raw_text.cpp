// Emptying script, style and comment bodies before parsing (raw_text.hpp).
#include "dupstrip/raw_text.hpp"

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

}  // namespace

void empty_raw_text(std::string& page) {
  const std::string_view s(page);
  std::string out;
  std::size_t copied = 0;  // s[0, copied) is in out
  bool changed = false;
  auto drop = [&](std::size_t body, std::size_t end) {
    if (!changed) {
      out.reserve(s.size());
      changed = true;
    }
    out.append(s.data() + copied, body - copied);
    for (std::size_t i = body; i < end; ++i)
      if (s[i] == '\n') out.push_back('\n');
    copied = end;
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const void* p = std::memchr(s.data() + i, '<', s.size() - i);
    if (p == nullptr) break;
    const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(p) - s.data());
    if (s.compare(at, 4, "<!--") == 0) {
      // Ends at "-->" or "--!>", as libxml2 ends it ("<!-->" does not end it there).
      const std::size_t e = find_comment_end(s, at + 4);
      const std::size_t end = e == std::string_view::npos ? s.size() : e;
      drop(at + 4, end);
      i = end;
      continue;
    }
    std::string_view name;
    if (starts_with_ci(s, at + 1, "script") && ends_name(s, at + 7)) name = "script";
    else if (starts_with_ci(s, at + 1, "style") && ends_name(s, at + 6)) name = "style";
    if (name.empty()) {
      i = at + 1;
      continue;
    }
    const std::size_t gt = s.find('>', at);
    if (gt == std::string_view::npos) break;
    if (s[gt - 1] == '/') {  // <script ... /> : libxml2 closes it there
      i = gt + 1;
      continue;
    }
    const std::size_t body = gt + 1;
    const std::size_t e = find_end_tag(s, body, name);
    const std::size_t end = e == std::string_view::npos ? s.size() : e;
    drop(body, end);
    i = end == s.size() ? end : end + 2;
  }
  if (!changed) return;
  out.append(s.data() + copied, s.size() - copied);
  page.swap(out);
}

}  // namespace dupstrip::detail

// UTF-8 validation and repair (the check_utf8 / is_valid_utf8 / repair_utf8 entry points of
// <dupstrip/text.hpp>). Scraped text is often mojibake, and the utf8_policy of STYLE.md §4
// needs a validator that is exact about what is invalid (overlongs, surrogates, > U+10FFFF,
// truncations, stray continuation bytes) and counts errors the way U+FFFD substitution does.
// It runs over every input byte, so the ASCII majority is skipped 8 bytes at a time; the
// tests keep a independent reference validator and check the two agree on random inputs.
#include "dupstrip/utf8.hpp"

#include <dupstrip/text.hpp>

#include <string>

namespace dupstrip {

utf8_status check_utf8(std::string_view bytes) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  utf8_status st;
  std::size_t i = 0;
  while (true) {
    i = detail::skip_ascii(p, i, n);
    if (i >= n) break;
    const detail::utf8_step s = detail::decode_utf8(p + i, n - i);
    if (!s.valid) {
      if (st.valid) {
        st.valid = false;
        st.first_error = i;
      }
      ++st.error_count;
    }
    i += s.len;
  }
  return st;
}

bool is_valid_utf8(std::string_view bytes) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (true) {
    i = detail::skip_ascii(p, i, n);
    if (i >= n) return true;
    const detail::utf8_step s = detail::decode_utf8(p + i, n - i);
    if (!s.valid) return false;
    i += s.len;
  }
}

std::string repair_utf8(std::string_view bytes) {
  const utf8_status st = check_utf8(bytes);
  if (st.valid) return std::string(bytes);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::string out;
  // Each invalid subpart is >= 1 byte and becomes 3 bytes.
  out.reserve(n + 2 * st.error_count);
  out.append(bytes.substr(0, st.first_error));
  std::size_t i = st.first_error;
  std::size_t run = i;  // start of the pending run of valid bytes
  while (true) {
    i = detail::skip_ascii(p, i, n);
    if (i >= n) break;
    const detail::utf8_step s = detail::decode_utf8(p + i, n - i);
    if (!s.valid) {
      out.append(bytes.substr(run, i - run));
      out.append("\xEF\xBF\xBD");
      run = i + s.len;
    }
    i += s.len;
  }
  out.append(bytes.substr(run));
  return out;
}

}  // namespace dupstrip

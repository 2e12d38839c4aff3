// Encodings of web pages (charset.hpp).
#include "dupstrip/charset.hpp"

#include "dupstrip/swar.hpp"

#include "dupstrip/utf8.hpp"

#include <dupstrip/text.hpp>

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace dupstrip::detail {
namespace {

// windows-1252 bytes 0x80..0x9F (0: unassigned); 0xA0..0xFF are U+00A0..U+00FF.
constexpr std::array<char16_t, 32> cp1252_high = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

char32_t cp1252(unsigned char b) noexcept {
  if (b < 0x80U) return b;
  if (b >= 0xA0U) return b;
  const char16_t c = cp1252_high[b - 0x80U];
  return c == 0 ? char32_t{0xFFFD} : char32_t{c};
}

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_label_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == ':' || c == '.';
}

enum class family : std::uint8_t { utf8, cp1252, utf16le, utf16be, other };

family family_of(std::string_view label) {
  static constexpr std::string_view utf8[] = {"utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8",
                                              "unicode20utf8", "x-unicode20utf8"};
  // WHATWG reads all of these as windows-1252.
  static constexpr std::string_view latin[] = {
      "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1", "iso88591",
      "latin1",       "l1",     "ascii",    "us-ascii",   "ansi_x3.4-1968", "cp819", "ibm819",
      "iso-ir-100",   "csisolatin1", "iso_8859-1:1987"};
  if (label.empty()) return family::utf8;
  for (auto u : utf8)
    if (label == u) return family::utf8;
  for (auto l : latin)
    if (label == l) return family::cp1252;
  if (label == "utf-16le" || label == "utf-16") return family::utf16le;
  if (label == "utf-16be") return family::utf16be;
  return family::other;
}

// Bytes as UTF-8, and whether any multi-byte sequence occurs.
struct utf8_check {
  bool valid = true;
  bool multibyte = false;
};

utf8_check check_utf8(std::string_view bytes) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  utf8_check r;
  std::size_t i = 0;
  while (i < n) {
    i = skip_ascii(p, i, n);
    if (i >= n) break;
    const utf8_step s = decode_utf8(p + i, n - i);
    if (!s.valid) {
      r.valid = false;
      return r;
    }
    r.multibyte = true;
    i += s.len;
  }
  return r;
}

void append_cp(std::string& out, char32_t cp) {
  char buf[4];
  out.append(buf, encode_utf8(cp, buf));
}

std::uint32_t append_cp1252(std::string& out, std::string_view bytes) {
  std::uint32_t bad = 0;
  out.reserve(out.size() + bytes.size() + bytes.size() / 8);
  for (const char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80U) {
      out.push_back(ch);
    } else {
      const char32_t cp = cp1252(b);
      bad += cp == 0xFFFD ? 1U : 0U;
      append_cp(out, cp);
    }
  }
  return bad;
}

// Converts with iconv; false when iconv does not know the label. Unconvertible bytes become
// U+FFFD, one per byte skipped.
bool append_iconv(std::string& out, std::string_view bytes, const std::string& label, std::uint32_t& bad) {
  iconv_t cd = ::iconv_open("UTF-8", label.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  std::string buf(bytes.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  std::size_t used = 0;
  while (in_left > 0) {
    char* o = buf.data() + used;
    std::size_t o_left = buf.size() - used;
    const std::size_t r = ::iconv(cd, &in, &in_left, &o, &o_left);
    used = buf.size() - o_left;
    if (r != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      buf.resize(buf.size() * 2);
    } else {  // EILSEQ or EINVAL (truncated at the end): skip one byte
      if (buf.size() - used < 4) buf.resize(buf.size() * 2);
      used += encode_utf8(0xFFFD, buf.data() + used);
      ++in;
      --in_left;
      ++bad;
      ::iconv(cd, nullptr, nullptr, nullptr, nullptr);
    }
  }
  ::iconv_close(cd);
  buf.resize(used);
  out += buf;
  return true;
}

// Whether iconv reads ASCII markup as itself under `label`. The declaration was found by
// reading the bytes as ASCII, so a charset that reads them otherwise (UTF-32, UCS-2, EBCDIC)
// is a wrong one: such a page is read as UTF-8, as WHATWG does with a UTF-16 label.
bool ascii_compatible(const std::string& label) {
  static constexpr std::string_view probe = "<meta charset=\"x\">\n<p class='a-1'>Az09;</p>";
  std::string out;
  std::uint32_t bad = 0;
  return append_iconv(out, probe, label, bad) && bad == 0 && out == probe;
}

// Calls found(k) for each NUL or C0 control (but \t \n \f \r) and DEL in s; returns how many.
template <class Found>
std::uint32_t for_each_control(std::string_view s, Found found) noexcept {
  // Eight bytes at a time: a word with no byte below 0x20 and no 0x7F (most of a page: only
  // line feeds are common) is passed over whole; the others go byte by byte.
  std::uint32_t n = 0;
  auto check = [&](std::size_t k) {
    const auto b = static_cast<unsigned char>(s[k]);
    if ((b < 0x20U && b != '\t' && b != '\n' && b != '\f' && b != '\r') || b == 0x7FU) {
      found(k);
      ++n;
    }
  };
  const std::size_t size = s.size();
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    const std::uint64_t w = swar::load8(s.data() + i);
    const std::uint64_t below = swar::bytes_in_range(w & swar::low7, 0x00, 0x1F) & swar::ascii_bytes(w);
    if ((below | swar::bytes_equal(w, 0x7F)) == 0) continue;
    for (std::size_t k = i; k < i + 8; ++k) check(k);
  }
  for (; i < size; ++i) check(i);
  return n;
}

// The controls above become spaces, in place; returns how many.
std::uint32_t blank_controls(std::string& s) noexcept {
  return for_each_control(s, [&s](std::size_t k) { s[k] = ' '; });
}

}  // namespace

std::uint32_t append_utf8_or_cp1252(std::string& out, std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::uint32_t bad = 0;
  out.reserve(out.size() + n);
  std::size_t i = 0;
  while (i < n) {
    const std::size_t a = skip_ascii(p, i, n);
    out.append(bytes.data() + i, a - i);
    i = a;
    if (i >= n) break;
    const utf8_step s = decode_utf8(p + i, n - i);
    if (s.valid) {
      out.append(bytes.data() + i, s.len);
      i += s.len;
    } else {
      append_cp(out, cp1252(p[i]));
      ++bad;
      ++i;
    }
  }
  return bad;
}

namespace {

// The label after `key` ("charset" or "encoding") in `tag`: optional spaces, "=", optional
// spaces and quotes, then [A-Za-z0-9_.:-]+, lowercased; "" when absent.
std::string label_after(std::string_view tag, std::string_view key) {
  for (std::size_t at = 0; at + key.size() <= tag.size(); ++at) {
    bool match = true;
    for (std::size_t k = 0; k < key.size() && match; ++k) match = lower(tag[at + k]) == key[k];
    if (!match) continue;
    std::size_t i = at + key.size();
    while (i < tag.size() && (tag[i] == ' ' || tag[i] == '\t')) ++i;
    if (i >= tag.size() || tag[i] != '=') continue;
    ++i;
    while (i < tag.size() && (tag[i] == ' ' || tag[i] == '\t' || tag[i] == '"' || tag[i] == '\'')) ++i;
    std::string label;
    while (i < tag.size() && is_label_char(tag[i]) && label.size() < 40) label.push_back(lower(tag[i++]));
    if (!label.empty()) return label;
  }
  return {};
}

}  // namespace

std::string declared_charset(std::string_view bytes) {
  const std::string_view head = bytes.substr(0, 4096);
  // An XML declaration opening the page: its encoding.
  if (head.starts_with("<?xml")) {
    const std::size_t e = head.find("?>");
    if (e != std::string_view::npos)
      if (std::string l = label_after(head.substr(0, e), "encoding"); !l.empty()) return l;
  }
  // The first <meta> tag naming a charset (<meta charset=...> or an http-equiv content's
  // "charset="); a "charset" in a comment, a script or the text does not count.
  for (std::size_t at = 0; at + 5 <= head.size(); ++at) {
    if (head[at] != '<' || lower(head[at + 1]) != 'm' || lower(head[at + 2]) != 'e' || lower(head[at + 3]) != 't' ||
        lower(head[at + 4]) != 'a')
      continue;
    const std::size_t end = head.find('>', at);
    const std::string_view tag = head.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (std::string l = label_after(tag, "charset"); !l.empty()) return l;
  }
  return {};
}

decoded_page decode_page(std::string_view bytes, bool sniff) {
  decoded_page out;
  family fam = family::utf8;
  std::string label;
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEFU &&
      static_cast<unsigned char>(bytes[1]) == 0xBBU && static_cast<unsigned char>(bytes[2]) == 0xBFU) {
    bytes.remove_prefix(3);
  } else if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFFU &&
             static_cast<unsigned char>(bytes[1]) == 0xFEU) {
    fam = family::utf16le;
    bytes.remove_prefix(2);
  } else if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFEU &&
             static_cast<unsigned char>(bytes[1]) == 0xFFU) {
    fam = family::utf16be;
    bytes.remove_prefix(2);
  } else if (sniff) {
    label = declared_charset(bytes);
    fam = family_of(label);
    // A UTF-16 label in bytes that were read as ASCII to find it is wrong (WHATWG: UTF-8).
    if (fam == family::utf16le || fam == family::utf16be) fam = family::utf8;
  }
  if (fam == family::cp1252 || fam == family::other) {
    const utf8_check c = check_utf8(bytes);
    if (c.valid && (c.multibyte || fam == family::cp1252)) fam = family::utf8;  // ASCII, or a wrong meta
  }
  switch (fam) {
    case family::utf8:
      out.encoding = "UTF-8";
      // Most pages already are what decoding makes of them: they are lent, not copied.
      if (is_valid_utf8(bytes) && for_each_control(bytes, [](std::size_t) {}) == 0) {
        out.lent = bytes;
        return out;
      }
      out.replacements = append_utf8_or_cp1252(out.utf8, bytes);
      break;
    case family::cp1252:
      out.encoding = "windows-1252";
      out.replacements = append_cp1252(out.utf8, bytes);
      break;
    case family::utf16le:
    case family::utf16be: {
      const std::string name = fam == family::utf16le ? "UTF-16LE" : "UTF-16BE";
      out.encoding = name;
      if (!append_iconv(out.utf8, bytes, name, out.replacements)) {
        out.encoding = "UTF-8";
        out.replacements = append_utf8_or_cp1252(out.utf8, bytes);
      }
      break;
    }
    case family::other:
      if (ascii_compatible(label) && append_iconv(out.utf8, bytes, label, out.replacements)) {
        out.encoding = label;
      } else {
        out.encoding = "UTF-8";  // an unknown label: read as UTF-8 with the windows-1252 fallback
        out.replacements = append_utf8_or_cp1252(out.utf8, bytes);
      }
      break;
  }
  out.replacements += blank_controls(out.utf8);
  return out;
}

}  // namespace dupstrip::detail

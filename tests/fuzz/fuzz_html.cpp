// Fuzzing of html_to_text (html.hpp): arbitrary bytes read as a web page, with and without
// encoding sniffing. The whole input is the page; both modes run on every input.
//
// Properties checked on every result:
// - errors: errc::binary_file exactly when a NUL occurs in the first 8 KiB and the page has no
//   UTF-16 byte order mark; no other error at these sizes;
// - the text model: blocks cover the text line by line in order (begin == the previous end + 1,
//   begin < end, the byte at end is "\n", no "\n" inside); a line never starts or ends with a
//   space, never holds two spaces in a row, a tab, CR, FF, NUL or a no-break space (all white
//   space collapses); text and title are valid UTF-8; the title is trimmed and at most 2004 bytes;
// - the element tree: elements[0] is the root over all blocks; every other element's parent
//   comes before it and encloses it (block range and context bits); each block lies in its
//   element's range and carries its element's tag, path and context bits (plus, at most, those
//   of an inline role);
// - source lines: from 1 and never decreasing; without sniffing (and no UTF-16 BOM) at most the
//   number of line feeds of the input + 1;
// - without sniffing and no UTF-16 BOM: the encoding is UTF-8, and replacements equal the input's
//   bytes that are not part of a well-formed UTF-8 sequence (Unicode Table 3-7, one per byte)
//   plus its C0 controls other than tab, LF, FF, CR, and DEL; no "<a" in the input means no link
//   letters;
// - both modes agree whenever the page is well-formed UTF-8 with a multi-byte character (a meta
//   charset never beats such bytes) or starts with a UTF-16 BOM;
// - the same call twice gives the same document;
// - its markup evidence has one entry per block, figure and collection lines are outside the
//   main text and never prose, at most one headline (an h1, never link text).
#include "fuzz_check.hpp"

#include "dupstrip/markup.hpp"

#include <dupstrip/html.hpp>
#include <dupstrip/pipeline.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace {

using namespace dupstrip;

// Length of the well-formed UTF-8 sequence at s[i] (Table 3-7), or 0.
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) -> unsigned { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0x100U; };
  const auto in = [&](std::size_t k, unsigned lo, unsigned hi) { return at(k) >= lo && at(k) <= hi; };
  const unsigned c = at(i);
  if (c < 0x80U) return 1;
  if (c >= 0xC2U && c <= 0xDFU) return in(i + 1, 0x80, 0xBF) ? 2 : 0;
  unsigned lo = 0x80;
  unsigned hi = 0xBF;
  std::size_t n = 0;
  if (c >= 0xE0U && c <= 0xEFU) {
    n = 3;
    if (c == 0xE0U) lo = 0xA0;
    if (c == 0xEDU) hi = 0x9F;
  } else if (c >= 0xF0U && c <= 0xF4U) {
    n = 4;
    if (c == 0xF0U) lo = 0x90;
    if (c == 0xF4U) hi = 0x8F;
  } else {
    return 0;
  }
  if (!in(i + 1, lo, hi)) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (!in(i + k, 0x80, 0xBF)) return 0;
  return n;
}

struct utf8_scan {
  bool valid = true;
  bool multibyte = false;
  std::uint32_t invalid_bytes = 0;
};

utf8_scan scan(std::string_view s) {
  utf8_scan r;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = sequence_length(s, i);
    if (n == 0) {
      r.valid = false;
      ++r.invalid_bytes;
      ++i;
    } else {
      r.multibyte = r.multibyte || n > 1;
      i += n;
    }
  }
  return r;
}

bool starts_with_bytes(std::string_view s, const char* p, std::size_t n) {
  return s.size() >= n && std::memcmp(s.data(), p, n) == 0;
}

bool same(const html_document& a, const html_document& b) {
  if (a.text != b.text || a.title != b.title || a.encoding != b.encoding || a.replacements != b.replacements ||
      a.truncated != b.truncated || a.blocks.size() != b.blocks.size() || a.elements.size() != b.elements.size())
    return false;
  for (std::size_t i = 0; i < a.blocks.size(); ++i) {
    const html_block& x = a.blocks[i];
    const html_block& y = b.blocks[i];
    if (x.begin != y.begin || x.end != y.end || x.source_line != y.source_line || x.path != y.path ||
        x.list != y.list || x.element != y.element || x.link_share != y.link_share || x.context != y.context ||
        x.tag != y.tag)
      return false;
  }
  for (std::size_t i = 0; i < a.elements.size(); ++i) {
    const html_element& x = a.elements[i];
    const html_element& y = b.elements[i];
    if (x.parent != y.parent || x.first_block != y.first_block || x.end_block != y.end_block || x.path != y.path ||
        x.tag != y.tag || x.context != y.context)
      return false;
  }
  return true;
}

void check_document(const html_document& d) {
  // Text: blocks line by line.
  std::size_t at = 0;
  std::uint32_t prev_line = 1;
  for (std::size_t i = 0; i < d.blocks.size(); ++i) {
    const html_block& b = d.blocks[i];
    FUZZ_CHECK(b.begin == at);
    FUZZ_CHECK(b.begin < b.end);
    FUZZ_CHECK(b.end < d.text.size());
    FUZZ_CHECK(d.text[b.end] == '\n');
    const std::string_view l = std::string_view(d.text).substr(b.begin, b.end - b.begin);
    FUZZ_CHECK(l.find('\n') == std::string_view::npos);
    FUZZ_CHECK(l.front() != ' ' && l.back() != ' ');
    FUZZ_CHECK(l.find("  ") == std::string_view::npos);
    FUZZ_CHECK(l.find_first_of(std::string_view("\t\r\f\0", 4)) == std::string_view::npos);
    FUZZ_CHECK(l.find("\xC2\xA0") == std::string_view::npos);
    FUZZ_CHECK(b.source_line >= prev_line);
    prev_line = b.source_line;
    FUZZ_CHECK(b.element < d.elements.size());
    const html_element& e = d.elements[b.element];
    FUZZ_CHECK(e.first_block <= i && i < e.end_block);
    FUZZ_CHECK(b.tag == e.tag);
    FUZZ_CHECK(b.path == e.path);
    FUZZ_CHECK((b.context & e.context) == e.context);
    FUZZ_CHECK(b.tag != html_tag::title);
    at = b.end + 1;
  }
  FUZZ_CHECK(at == d.text.size());
  FUZZ_CHECK(scan(d.text).valid);
  // Title: trimmed, bounded, valid.
  FUZZ_CHECK(scan(d.title).valid);
  FUZZ_CHECK(d.title.size() <= 2004);  // 2000, a space and a 4-byte character
  FUZZ_CHECK(d.title.find('\n') == std::string::npos);
  if (!d.title.empty()) FUZZ_CHECK(d.title.front() != ' ' && d.title.back() != ' ');
  // Elements: a tree over the blocks.
  FUZZ_CHECK(!d.elements.empty());
  FUZZ_CHECK(d.elements[0].first_block == 0 && d.elements[0].end_block == d.blocks.size());
  for (std::size_t i = 1; i < d.elements.size(); ++i) {
    const html_element& e = d.elements[i];
    FUZZ_CHECK(e.parent < i);
    const html_element& p = d.elements[e.parent];
    FUZZ_CHECK(e.first_block <= e.end_block && e.end_block <= d.blocks.size());
    FUZZ_CHECK(p.first_block <= e.first_block && e.end_block <= p.end_block);
    FUZZ_CHECK((e.context & p.context) == p.context);
  }
  FUZZ_CHECK(!d.encoding.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const bool utf16_bom = starts_with_bytes(bytes, "\xFF\xFE", 2) || starts_with_bytes(bytes, "\xFE\xFF", 2);
  const bool nul_in_probe = std::string_view(bytes.data(), bytes.size() < 8192 ? bytes.size() : 8192).find('\0') !=
                            std::string_view::npos;

  html_options sniffing;
  html_options plain;
  plain.sniff_encoding = false;
  const auto a = html_to_text(bytes, sniffing);
  const auto b = html_to_text(bytes, plain);
  if (nul_in_probe && !utf16_bom) {
    FUZZ_CHECK(a.error() == make_error_code(errc::binary_file));
    FUZZ_CHECK(b.error() == make_error_code(errc::binary_file));
    return 0;
  }
  FUZZ_CHECK(a.has_value());
  FUZZ_CHECK(b.has_value());
  const html_document& sa = a.value();
  const html_document& sb = b.value();
  check_document(sa);
  check_document(sb);

  std::string_view body = bytes;
  if (starts_with_bytes(body, "\xEF\xBB\xBF", 3)) body.remove_prefix(3);
  const utf8_scan s = scan(body);
  if (!utf16_bom) {
    FUZZ_CHECK(sb.encoding == "UTF-8");
    std::uint32_t controls = 0;
    std::uint32_t newlines = 0;
    bool link_tag = false;
    for (std::size_t i = 0; i < body.size(); ++i) {
      const auto c = static_cast<unsigned char>(body[i]);
      if ((c < 0x20U && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7FU) ++controls;
      if (c == '\n') ++newlines;
      if (c == '<' && i + 1 < body.size() && (body[i + 1] == 'a' || body[i + 1] == 'A')) link_tag = true;
    }
    FUZZ_CHECK(sb.replacements == s.invalid_bytes + controls);
    for (const html_block& blk : sb.blocks) {
      FUZZ_CHECK(blk.source_line >= 1 && blk.source_line <= newlines + 1);
      if (!link_tag) FUZZ_CHECK(blk.link_share == 0);
    }
  }
  if (utf16_bom || (s.valid && s.multibyte)) FUZZ_CHECK(same(sa, sb));

  const auto again = html_to_text(bytes, sniffing);
  FUZZ_CHECK(again.has_value() && same(again.value(), sa));

  // The markup evidence of the page: one entry per block, flags that agree with each other.
  const std::vector<line_markup> marks = detail::markup_evidence(sa);
  FUZZ_CHECK(marks.size() == sa.blocks.size());
  std::size_t headlines = 0;
  for (std::size_t i = 0; i < marks.size(); ++i) {
    const std::uint8_t f = marks[i].flags;
    if ((f & (markup_figure | markup_collection)) != 0) FUZZ_CHECK((f & markup_outside_main) != 0);
    if ((f & (markup_figure | markup_collection)) != 0) FUZZ_CHECK((f & markup_prose) == 0);
    if ((f & markup_own_heading) != 0) {
      ++headlines;
      FUZZ_CHECK((f & (markup_link_list | markup_figure | markup_collection)) == 0);
      FUZZ_CHECK(sa.blocks[i].tag == html_tag::h1);
    }
    FUZZ_CHECK(marks[i].source_line == sa.blocks[i].source_line);
  }
  FUZZ_CHECK(headlines <= 1);
  return 0;
}

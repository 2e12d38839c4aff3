// Fuzzing of split_lines / is_blank / split_paragraphs / bom_length / looks_binary against their
// contracts in <dupstrip/document.hpp>: the line spans cover the input exactly (after a BOM),
// without overlap; each terminator is "\n", "\r\n", "\r" or empty (only for a last line);
// paragraphs are exactly the maximal runs of non-blank lines.
#include "fuzz_check.hpp"

#include <dupstrip/document.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace {

bool ref_blank(std::string_view content) {
  for (const char c : content)
    if (c != ' ' && c != '\t' && c != '\f' && c != '\v') return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dupstrip;
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  const std::size_t bom = bom_length(in);
  FUZZ_CHECK(bom == (in.substr(0, 3) == "\xEF\xBB\xBF" ? 3U : 0U));

  const std::vector<line_span> lines = split_lines(in);
  std::size_t pos = bom;
  std::size_t expected_lines = 0;  // counted independently: line ends, plus an unterminated tail
  for (std::size_t i = bom; i < size; ++i) {
    if (in[i] == '\n' && !(i > bom && in[i - 1] == '\r')) ++expected_lines;
    if (in[i] == '\r') ++expected_lines;
  }
  if (size > bom && in[size - 1] != '\n' && in[size - 1] != '\r') ++expected_lines;
  FUZZ_CHECK(lines.size() == expected_lines);

  for (std::size_t k = 0; k < lines.size(); ++k) {
    const line_span& l = lines[k];
    FUZZ_CHECK(l.begin == pos);
    FUZZ_CHECK(l.begin <= l.end && l.end <= l.next && l.next <= size);
    FUZZ_CHECK(l.begin < l.next);  // no empty span
    const std::string_view content = in.substr(l.begin, l.end - l.begin);
    FUZZ_CHECK(content.find('\n') == std::string_view::npos);
    FUZZ_CHECK(content.find('\r') == std::string_view::npos);
    const std::string_view term = in.substr(l.end, l.next - l.end);
    FUZZ_CHECK(term == "\n" || term == "\r\n" || term == "\r" || term.empty());
    if (term.empty()) FUZZ_CHECK(k + 1 == lines.size() && l.next == size);
    if (term == "\r") FUZZ_CHECK(l.next == size || in[l.next] != '\n');  // else it is "\r\n"
    FUZZ_CHECK(is_blank(in, l) == ref_blank(content));
    pos = l.next;
  }
  FUZZ_CHECK(pos == size);  // with no lines, the input is empty or a lone BOM

  // Paragraphs: maximal runs of non-blank lines, recomputed here.
  const std::vector<paragraph_span> paras = split_paragraphs(in, lines);
  std::vector<paragraph_span> expected;
  for (std::size_t k = 0; k < lines.size();) {
    if (ref_blank(in.substr(lines[k].begin, lines[k].end - lines[k].begin))) {
      ++k;
      continue;
    }
    std::size_t last = k;
    while (last + 1 < lines.size() &&
           !ref_blank(in.substr(lines[last + 1].begin, lines[last + 1].end - lines[last + 1].begin)))
      ++last;
    expected.push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(last), lines[k].begin,
                        lines[last].end});
    k = last + 1;
  }
  FUZZ_CHECK(paras.size() == expected.size());
  for (std::size_t k = 0; k < paras.size(); ++k) {
    const paragraph_span& p = paras[k];
    const paragraph_span& e = expected[k];
    FUZZ_CHECK(p.first_line == e.first_line && p.last_line == e.last_line);
    FUZZ_CHECK(p.begin == e.begin && p.end == e.end);
    FUZZ_CHECK(p.first_line <= p.last_line && p.last_line < lines.size());
    if (k > 0) FUZZ_CHECK(paras[k - 1].last_line + 1 < p.first_line);  // a blank line between
  }

  // looks_binary: a NUL among the first `probe` bytes, with an input-chosen probe.
  const std::size_t probe = size == 0 ? 0 : data[0];
  const std::size_t scan = size < probe ? size : probe;
  FUZZ_CHECK(looks_binary(in, probe) == (scan != 0 && std::memchr(in.data(), 0, scan) != nullptr));
  FUZZ_CHECK(looks_binary(in) ==
             (size != 0 && std::memchr(in.data(), 0, size < 8192 ? size : 8192) != nullptr));
  return 0;
}

/// @file document.hpp
/// @brief Documents and their segmentation into lines and paragraphs with exact byte ranges.
///
/// Every later decision (a boilerplate line, a repeated run) is expressed as byte ranges of the
/// original document, so that the output can be made of the input's own bytes.
#pragma once

#include <dupstrip/export.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace dupstrip {

/// One line: content [begin, end), terminator [end, next) ("\n", "\r\n", "\r" or nothing for
/// a last line without a newline). Offsets are from the start of the document's bytes.
struct line_span {
  std::uint32_t begin;
  std::uint32_t end;
  std::uint32_t next;
  friend bool operator==(const line_span&, const line_span&) = default;
};

/// A paragraph: a run of non-blank lines [first_line, last_line] and its byte range
/// [begin, end) (without the last line's terminator).
struct paragraph_span {
  std::uint32_t first_line;
  std::uint32_t last_line;
  std::uint32_t begin;
  std::uint32_t end;
};

/// Length of a UTF-8 byte order mark at the start of `bytes` (3 or 0).
[[nodiscard]] DUPSTRIP_EXPORT std::size_t bom_length(std::string_view bytes) noexcept;

/// True when a NUL byte occurs in the first `probe` bytes: the file is binary, not text.
[[nodiscard]] DUPSTRIP_EXPORT bool looks_binary(std::string_view bytes,
                                                std::size_t probe = 8192) noexcept;

/// Splits `bytes` into lines. "\r\n", "\n" and a lone "\r" each end a line; a missing final
/// newline gives a last line with an empty terminator; an empty input gives no lines. A
/// leading BOM is not part of the first line's content (the first line begins after it).
/// The spans cover the input: lines[0].begin == bom_length(bytes), lines[i].next ==
/// lines[i+1].begin, lines.back().next == bytes.size().
/// @pre bytes.size() < 2^32.
[[nodiscard]] DUPSTRIP_EXPORT std::vector<line_span> split_lines(std::string_view bytes);

/// True when the line's content is only ASCII white space (space, tab, form feed, vertical tab).
[[nodiscard]] DUPSTRIP_EXPORT bool is_blank(std::string_view bytes, const line_span& line) noexcept;

/// Groups lines into paragraphs: maximal runs of non-blank lines.
[[nodiscard]] DUPSTRIP_EXPORT std::vector<paragraph_span> split_paragraphs(
    std::string_view bytes, const std::vector<line_span>& lines);

}  // namespace dupstrip

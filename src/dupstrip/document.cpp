// Segmentation of a document's bytes into lines and paragraphs. Lines are dupstrip's unit of
// removal: a scraped page puts each piece of furniture (a share prompt, a copyright line, a
// teaser) on a line of its own, and keeping exact byte ranges lets the output be the input's
// own bytes with whole lines left out.
#include "dupstrip/document.hpp"

#include <cstring>

namespace dupstrip {

std::size_t bom_length(std::string_view bytes) noexcept {
  return bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEF &&
                 static_cast<unsigned char>(bytes[1]) == 0xBB &&
                 static_cast<unsigned char>(bytes[2]) == 0xBF
             ? 3
             : 0;
}

bool looks_binary(std::string_view bytes, std::size_t probe) noexcept {
  const std::size_t n = bytes.size() < probe ? bytes.size() : probe;
  return n != 0 && std::memchr(bytes.data(), 0, n) != nullptr;
}

std::vector<line_span> split_lines(std::string_view bytes) {
  std::vector<line_span> lines;
  const std::size_t n = bytes.size();
  std::size_t pos = bom_length(bytes);
  lines.reserve(n / 48 + 1);
  const char* data = bytes.data();
  while (pos < n) {
    // memchr for '\n' is fast; a '\r' before it (lone CR line ends) must be found too.
    const void* nl = std::memchr(data + pos, '\n', n - pos);
    std::size_t stop = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) : n;
    const void* cr = std::memchr(data + pos, '\r', stop - pos);
    std::size_t end = 0;
    std::size_t next = 0;
    if (cr != nullptr) {
      end = static_cast<std::size_t>(static_cast<const char*>(cr) - data);
      next = (end + 1 < n && data[end + 1] == '\n') ? end + 2 : end + 1;
    } else if (nl != nullptr) {
      end = stop;
      next = stop + 1;
    } else {
      end = n;
      next = n;
    }
    lines.push_back({static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(end),
                     static_cast<std::uint32_t>(next)});
    pos = next;
  }
  return lines;
}

bool is_blank(std::string_view bytes, const line_span& line) noexcept {
  for (std::uint32_t i = line.begin; i < line.end; ++i) {
    const char c = bytes[i];
    if (c != ' ' && c != '\t' && c != '\f' && c != '\v') return false;
  }
  return true;
}

std::vector<paragraph_span> split_paragraphs(std::string_view bytes,
                                             const std::vector<line_span>& lines) {
  std::vector<paragraph_span> out;
  bool open = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const bool blank = is_blank(bytes, lines[i]);
    if (!blank && !open) {
      out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i),
                     lines[i].begin, lines[i].end});
      open = true;
    } else if (!blank) {
      out.back().last_line = static_cast<std::uint32_t>(i);
      out.back().end = lines[i].end;
    } else {
      open = false;
    }
  }
  return out;
}

}  // namespace dupstrip

// Internal: the bytes of a web page as UTF-8 (html.cpp). The encoding comes from a byte order
// mark, then (when sniffing) from a charset declaration in the first 4 KiB (<meta charset>,
// an http-equiv meta's content, <?xml encoding?>), else UTF-8. Invalid UTF-8 bytes are read as
// windows-1252, the usual cause of them on the web. A declared legacy charset loses against
// bytes that are valid UTF-8 with at least one multi-byte sequence: such a page was re-encoded
// without its meta being updated (a wrong meta charset), since legacy text is almost never
// valid UTF-8 by chance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dupstrip::detail {

struct decoded_page {
  std::string utf8;                // the page as UTF-8, unless it is lent
  std::string_view lent;           // set instead when the input bytes (BOM excluded) are already
                                   // that: valid UTF-8 with no control to blank (no copy made)
  std::string encoding;            // what the bytes were read as
  std::uint32_t replacements = 0;  // bytes read as windows-1252 in UTF-8, or U+FFFD
  /// The page as UTF-8: lent or decoded. Valid while the input bytes and this object live.
  [[nodiscard]] std::string_view text() const noexcept { return lent.data() != nullptr ? lent : std::string_view(utf8); }
};

/// The charset label declared in the first 4 KiB of `bytes` (lowercase), or "": an XML
/// declaration's encoding, else the first <meta> tag with a "charset=" (a comment or a script
/// that says "charset" does not count).
std::string declared_charset(std::string_view bytes);

/// Decodes `bytes` as described above. NUL and the C0 controls other than tab, line feed,
/// form feed and carriage return become spaces (the parser would stop at a NUL); they are
/// counted as replacements.
decoded_page decode_page(std::string_view bytes, bool sniff);

/// Appends `bytes` as UTF-8, valid sequences copied and each invalid byte read as windows-1252
/// (U+FFFD for its five unassigned bytes); returns the number of such bytes.
std::uint32_t append_utf8_or_cp1252(std::string& out, std::string_view bytes);

}  // namespace dupstrip::detail

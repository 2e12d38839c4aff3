// Internal: a fast pass over a page's bytes that empties what the parser would only skip (html.cpp).
#pragma once

#include <string>
#include <string_view>

namespace dupstrip::detail {

/// Empties, in place, the bodies of script and style elements and of comments, keeping their
/// tags and the line feeds of the bodies (so line numbers stay those of the page). A body ends
/// where libxml2's HTML parser in recovery mode ends it: at the first "</script" ("</style")
/// in any case, or "-->" or "--!>"; with no end, at the end of the page; a "<script .../>" has none. The parser then sees a
/// fraction of the bytes (scripts and styles are about 40% of news pages) and builds the
/// same text: it skips these bodies anyway. Markers count only in content: tags (with their
/// quoted values), doctypes and instructions are stepped over whole; where the pass cannot tell
/// where one ends, it leaves the rest of the page untouched.
/// Start tags keep only the attributes the text model reads (class, id, role, hidden, style),
/// each as written, and their line feeds: the parser allocates and decodes every attribute
/// value, and the others (href, src, data-*, srcset...) are most of a page's markup bytes.
void empty_raw_text(std::string& page);

/// The same as a new string, `page` left as it is (one copy, made while scanning).
std::string emptied_raw_text(std::string_view page);

}  // namespace dupstrip::detail

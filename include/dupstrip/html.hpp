/// @file html.hpp
/// @brief Web pages to the document model: one block of the page per line of text, and what
/// the markup says of each block (doc/algorithm.md, "Web pages").
///
/// The text model is what dupstrip cleans and writes: block-level elements (p, h1-h6, li,
/// td/th, dt/dd, blockquote, pre, figcaption, text runs of div and body, br) each give a line;
/// inline text is joined with single spaces, entities are decoded, white space is collapsed;
/// script, style, noscript, template, svg, math, iframe, object, select, textarea and head
/// are skipped (the `<title>` is kept aside as a hint). Parsing is libxml2's HTML parser,
/// through its SAX interface: no tree is built.
#pragma once

#include <dupstrip/error.hpp>
#include <dupstrip/export.hpp>
#include <dupstrip/pipeline.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dupstrip {

/// The element a block comes from (its innermost block-level element).
enum class html_tag : std::uint8_t {
  other,  ///< text directly in body or an unlisted container
  p,
  h1,
  h2,  ///< h2..h6
  li,
  cell,  ///< td, th
  dt_dd,
  blockquote,
  pre,
  caption,  ///< figcaption, caption
  div,      ///< div, section, span-only runs in a div...
  title     ///< never a block: the page title (html_document::title)
};

/// Enclosing elements of a block (bits of html_block::context).
enum html_context : std::uint16_t {
  in_nav = 1,      ///< nav, or role="navigation"/"menu"/"menubar"
  in_header = 2,   ///< header (of the page or of a section), role="banner"
  in_footer = 4,   ///< footer, role="contentinfo"
  in_aside = 8,    ///< aside, role="complementary"
  in_form = 16,    ///< form, role="search"
  in_main = 32,    ///< main, role="main"
  in_article = 64, ///< article
  in_list = 128,   ///< ul, ol, dl, menu, or a table
  in_figure = 256  ///< figure or figcaption: an image's caption and credits
};

/// What the markup says of one block (one line of html_document::text).
struct html_block {
  std::uint32_t begin = 0;        ///< the line's bytes in html_document::text: [begin, end)
  std::uint32_t end = 0;
  std::uint32_t source_line = 0;  ///< 1-based line of the HTML where the block's text starts
  std::uint32_t path = 0;         ///< hash of the element path (tags and classes, digits masked)
  std::uint32_t list = 0;         ///< id of the innermost enclosing list (ul/ol/dl/menu/table), 0: none
  std::uint32_t element = 0;      ///< its innermost block-level element (html_document::elements)
  std::uint8_t link_share = 0;    ///< share of the block's letters inside links, 0..255 (255: all)
  std::uint16_t context = 0;      ///< html_context bits
  html_tag tag = html_tag::other;
};

/// A block-level element of the page (the tree of blocks, without inline elements).
struct html_element {
  std::uint32_t parent = 0;       ///< index of the enclosing block-level element (the root: itself, 0)
  std::uint32_t first_block = 0;  ///< its blocks are blocks[first_block, end_block)
  std::uint32_t end_block = 0;
  std::uint32_t path = 0;         ///< hash of its element path
  std::uint32_t list = 0;         ///< the innermost list (html_block::list) enclosing it or itself, 0: none
  html_tag tag = html_tag::other;
  std::uint16_t context = 0;      ///< html_context bits, itself included
};

/// A page as text.
struct html_document {
  std::string text;                 ///< one block per line, each ending with "\n"
  std::vector<html_block> blocks;   ///< one per line of text, in order
  std::vector<html_element> elements;  ///< block-level elements in document order; 0 is the root
  std::string title;                ///< the <title>, white space collapsed (not in text)
  std::string encoding;             ///< the encoding the bytes were read as ("UTF-8", "windows-1252"...)
  std::uint32_t replacements = 0;   ///< invalid bytes read as windows-1252 or U+FFFD
  bool truncated = false;           ///< the parser was stopped (too deep): text is what came before
};

/// Open elements a page may nest. Real pages nest a few dozen; libxml2 2.9 takes time
/// quadratic in the depth on stray end tags, so a deeper page is refused (errc::too_deep)
/// rather than parsed for hours or cut silently.
inline constexpr std::size_t html_max_depth = 4096;

/// How bytes are read as a page.
struct html_options {
  /// Look for the encoding in a byte order mark, `<meta charset>` or http-equiv (files). Off
  /// for text already decoded (a JSONL string): it is read as UTF-8 whatever its meta says.
  bool sniff_encoding = true;
};

/// Turns a page into the text model. Never throws on bad markup: broken, truncated or deeply
/// nested pages give a best-effort text. Errors: errc::binary_file when the bytes hold a NUL in
/// their first 8 KiB (outside UTF-16 with a byte order mark), errc::too_large when its UTF-8
/// form would reach 1 GiB, errc::too_deep beyond html_max_depth open elements; never for other
/// markup errors.
[[nodiscard]] DUPSTRIP_EXPORT result<html_document> html_to_text(std::string_view bytes,
                                                                 const html_options& options = {});

/// True for names read as web pages by default: "*.html", "*.htm", "*.xhtml", "*.shtml",
/// optionally followed by ".gz" or ".zst" (case-insensitive).
[[nodiscard]] DUPSTRIP_EXPORT bool is_html_name(std::string_view name) noexcept;

/// True when `bytes` start (after a BOM and white space, and comments) with `<!doctype html`
/// or `<html` (case-insensitive).
[[nodiscard]] DUPSTRIP_EXPORT bool looks_like_html(std::string_view bytes) noexcept;

/// How the documents of a source are read.
enum class input_format : std::uint8_t {
  text,  ///< as text
  html,  ///< as web pages
  automatic  ///< web pages by name (is_html_name) or content (looks_like_html), else text
};

/// A source whose web pages are read as their text model (html_to_text), with the markup
/// evidence of every line (doc/algorithm.md, "Web pages"). Names and groups are the inner
/// source's; read() gives the text that dupstrip cleans and writes.
class DUPSTRIP_EXPORT html_source final : public document_source {
 public:
  /// `inner` must outlive this object. Each page is parsed once: its text is kept in a
  /// temporary file in `temp_dir` (clean_options::temp_dir) for the later reads of the run.
  html_source(const document_source& inner, input_format format, html_options options = {},
              const std::string& temp_dir = {});
  ~html_source() override;
  html_source(const html_source&) = delete;
  html_source& operator=(const html_source&) = delete;
  [[nodiscard]] std::size_t size() const override { return inner_->size(); }
  [[nodiscard]] std::string_view name(std::size_t i) const override { return inner_->name(i); }
  [[nodiscard]] std::string_view group(std::size_t i) const override { return inner_->group(i); }
  [[nodiscard]] result<std::string> read(std::size_t i) const override;
  [[nodiscard]] result<std::string> read_marked(std::size_t i, page_markup& markup) const override;
  [[nodiscard]] const document_source& inner() const noexcept { return *inner_; }
  /// Whether document i (whose bytes are `bytes`) is read as a web page.
  [[nodiscard]] bool is_page(std::size_t i, std::string_view bytes) const;
  /// Whether document i is read as a web page: as decided when it was read, else (a process
  /// that has not read it, such as `apply` of a scale-out run) by its name or, for
  /// input_format::automatic, by reading it.
  [[nodiscard]] bool was_page(std::size_t i) const;

 private:
  const document_source* inner_;
  input_format format_;
  html_options options_;
  struct cache;
  std::unique_ptr<cache> cache_;
};

}  // namespace dupstrip

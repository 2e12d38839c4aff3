// Web pages to the text model (html.hpp), through libxml2's HTML parser in SAX mode: the
// parser calls us for each start tag, end tag and text run, and we write the blocks as we go,
// so no tree is ever built.
#include "dupstrip/html.hpp"

#include "dupstrip/charset.hpp"
#include "dupstrip/document.hpp"
#include "dupstrip/raw_text.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <mutex>

namespace dupstrip {
namespace {

// What an element does to the text model.
enum elem_flags : std::uint16_t {
  f_block = 1,        // starts and ends a block
  f_skip = 2,         // its content is not text
  f_link = 4,         // a
  f_list = 8,         // ul ol dl menu table: a list of blocks
  f_break = 16,       // br: ends the line
  f_pre = 32,         // pre: line feeds end lines
  f_title = 64,       // title
  f_context = 128,    // sets a context bit (ctx)
};

struct elem_info {
  std::string_view name;
  std::uint16_t flags;
  html_tag tag;
  std::uint16_t ctx;
};

// Sorted by name (binary search).
constexpr std::array<elem_info, 66> elements = {{
    {"a", f_link, html_tag::other, 0},
    {"address", f_block, html_tag::div, 0},
    {"applet", f_skip, html_tag::other, 0},
    {"article", f_block | f_context, html_tag::div, in_article},
    {"aside", f_block | f_context, html_tag::div, in_aside},
    {"audio", f_skip, html_tag::other, 0},
    {"blockquote", f_block, html_tag::blockquote, 0},
    {"body", f_block, html_tag::other, 0},
    {"br", f_break, html_tag::other, 0},
    {"button", 0, html_tag::other, 0},
    {"canvas", f_skip, html_tag::other, 0},
    {"caption", f_block, html_tag::caption, 0},
    {"center", f_block, html_tag::div, 0},
    {"datalist", f_skip, html_tag::other, 0},
    {"dd", f_block, html_tag::dt_dd, 0},
    {"details", f_block, html_tag::div, 0},
    {"dialog", f_block, html_tag::div, 0},
    {"dir", f_block | f_list | f_context, html_tag::div, in_list},
    {"div", f_block, html_tag::div, 0},
    {"dl", f_block | f_list | f_context, html_tag::div, in_list},
    {"dt", f_block, html_tag::dt_dd, 0},
    {"embed", f_skip, html_tag::other, 0},
    {"fieldset", f_block, html_tag::div, 0},
    {"figcaption", f_block | f_context, html_tag::caption, in_figure},
    {"figure", f_block | f_context, html_tag::div, in_figure},
    {"footer", f_block | f_context, html_tag::div, in_footer},
    {"form", f_block | f_context, html_tag::div, in_form},
    {"frameset", f_skip, html_tag::other, 0},
    {"h1", f_block, html_tag::h1, 0},
    {"h2", f_block, html_tag::h2, 0},
    {"h3", f_block, html_tag::h2, 0},
    {"h4", f_block, html_tag::h2, 0},
    {"h5", f_block, html_tag::h2, 0},
    {"h6", f_block, html_tag::h2, 0},
    {"head", f_skip, html_tag::other, 0},
    {"header", f_block | f_context, html_tag::div, in_header},
    {"hgroup", f_block, html_tag::div, 0},
    {"hr", f_block, html_tag::other, 0},
    {"html", f_block, html_tag::other, 0},
    {"iframe", f_skip, html_tag::other, 0},
    {"legend", f_block, html_tag::div, 0},
    {"li", f_block, html_tag::li, 0},
    {"main", f_block | f_context, html_tag::div, in_main},
    {"map", f_skip, html_tag::other, 0},
    {"math", f_skip, html_tag::other, 0},
    {"menu", f_block | f_list | f_context, html_tag::div, in_list},
    {"nav", f_block | f_context, html_tag::div, in_nav},
    {"noembed", f_skip, html_tag::other, 0},
    {"noframes", f_skip, html_tag::other, 0},
    {"noscript", f_skip, html_tag::other, 0},
    {"object", f_skip, html_tag::other, 0},
    {"ol", f_block | f_list | f_context, html_tag::div, in_list},
    {"p", f_block, html_tag::p, 0},
    {"pre", f_block | f_pre, html_tag::pre, 0},
    {"script", f_skip, html_tag::other, 0},
    {"section", f_block, html_tag::div, 0},
    {"select", f_skip, html_tag::other, 0},
    {"style", f_skip, html_tag::other, 0},
    {"summary", f_block, html_tag::div, 0},
    {"svg", f_skip, html_tag::other, 0},
    {"table", f_block | f_list | f_context, html_tag::div, in_list},
    {"td", f_block, html_tag::cell, 0},
    {"template", f_skip, html_tag::other, 0},
    {"textarea", f_skip, html_tag::other, 0},
    {"th", f_block, html_tag::cell, 0},
    {"title", f_title, html_tag::title, 0},
}};
// (tr, thead, tbody, ul... that are not listed are inline for the text model: their cells and
// items make the blocks.)
constexpr elem_info unlisted{"", 0, html_tag::other, 0};
constexpr elem_info ul_info{"ul", f_block | f_list | f_context, html_tag::div, in_list};
constexpr elem_info tr_info{"tr", f_block, html_tag::div, 0};
constexpr elem_info video_info{"video", f_skip, html_tag::other, 0};

const elem_info& info_of(std::string_view name) noexcept {
  if (name == "ul") return ul_info;
  if (name == "tr") return tr_info;
  if (name == "video") return video_info;
  const auto it = std::lower_bound(elements.begin(), elements.end(), name,
                                   [](const elem_info& e, std::string_view n) { return e.name < n; });
  return it != elements.end() && it->name == name ? *it : unlisted;
}

constexpr std::uint32_t fnv_basis = 2166136261U;
constexpr std::uint32_t fnv_prime = 16777619U;

std::uint32_t fnv(std::uint32_t h, std::string_view s, bool mask_digits) noexcept {
  for (const char c : s) {
    if (mask_digits && c >= '0' && c <= '9') continue;
    h = (h ^ static_cast<unsigned char>(c)) * fnv_prime;
  }
  return h;
}

struct frame {
  const elem_info* info;
  std::uint32_t path;   // path of the innermost block element (this one when it is a block)
  std::uint32_t list;   // innermost list id
  std::uint16_t ctx;    // context bits
  html_tag tag;         // innermost block tag
  std::uint32_t elem;   // innermost block element (html_document::elements)
  bool skip;            // inside skipped content
  bool link;            // inside a link
  bool pre;             // inside pre
  std::uint32_t name_hash;  // to match end tags
};

// White space, or 0xC2: the first byte of a no-break space (and of other characters).
constexpr bool maybe_space(char ch) noexcept {
  const auto c = static_cast<unsigned char>(ch);
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0xC2U;
}

struct builder {
  htmlParserCtxtPtr ctxt = nullptr;
  html_document* doc = nullptr;
  std::vector<frame> stack;
  std::uint32_t next_list = 0;
  // The open block: its bytes are doc->text[block_begin, size()).
  std::size_t block_begin = 0;
  bool pending_space = false;
  std::uint32_t letters = 0;       // non-space bytes of the open block
  std::uint32_t link_letters = 0;  // ... inside links
  std::uint32_t block_line = 0;
  bool in_title = false;
  bool title_space = false;

  const frame& top() const { return stack.back(); }

  void flush() {
    std::string& t = doc->text;
    if (t.size() == block_begin) {
      pending_space = false;
      return;
    }
    const frame& f = top();
    html_block b;
    b.begin = static_cast<std::uint32_t>(block_begin);
    b.end = static_cast<std::uint32_t>(t.size());
    b.source_line = block_line;
    b.path = f.path;
    b.list = f.list;
    b.context = f.ctx;
    b.tag = f.tag;
    b.element = f.elem;
    b.link_share = letters == 0 ? 0
                                : static_cast<std::uint8_t>(std::min<std::uint64_t>(
                                      255, (static_cast<std::uint64_t>(link_letters) * 255 + letters / 2) / letters));
    t.push_back('\n');
    doc->blocks.push_back(b);
    block_begin = t.size();
    pending_space = false;
    letters = 0;
    link_letters = 0;
  }

  // Line of the HTML where the byte `at` of a text run of `data` ending at the parser's
  // position lies.
  std::uint32_t line_of(const char* data, std::size_t len, std::size_t at) const {
    if (ctxt == nullptr || ctxt->input == nullptr) return 0;
    const long end_line = ctxt->input->line;
    const auto newlines = std::count(data + at, data + len, '\n');
    return static_cast<std::uint32_t>(std::max<long>(1, end_line - newlines));
  }

  void text(const char* data, std::size_t len) {
    const frame& f = top();
    if (f.skip) return;
    std::string& t = doc->text;
    const bool link = f.link;
    const bool pre = f.pre;
    std::size_t i = 0;
    while (i < len) {
      // A run of bytes that are neither white space nor a no-break space goes in whole.
      std::size_t j = i;
      while (j < len && !maybe_space(data[j])) ++j;
      if (j == i) {
        const auto c = static_cast<unsigned char>(data[i]);
        if (c != 0xC2U) {  // white space
          if (pre && c == '\n') {
            flush();
          } else if (t.size() != block_begin) {
            pending_space = true;
          }
          ++i;
          continue;
        }
        if (i + 1 < len && static_cast<unsigned char>(data[i + 1]) == 0xA0U) {  // no-break space
          if (t.size() != block_begin) pending_space = true;
          i += 2;
          continue;
        }
        j = i + 1;  // another character that starts with 0xC2
      }
      if (t.size() == block_begin) {
        block_line = line_of(data, len, i);
      } else if (pending_space) {
        t.push_back(' ');
      }
      pending_space = false;
      t.append(data + i, j - i);
      letters += static_cast<std::uint32_t>(j - i);
      if (link) link_letters += static_cast<std::uint32_t>(j - i);
      i = j;
    }
  }

  void title_text(const char* data, std::size_t len) {
    std::string& t = doc->title;
    for (std::size_t i = 0; i < len; ++i) {
      const char c = data[i];
      // At most about 2000 bytes, cut at a character boundary (a started sequence is finished).
      if (t.size() >= 2000 && (static_cast<unsigned char>(c) & 0xC0U) != 0x80U) break;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        title_space = !t.empty();
        continue;
      }
      if (title_space) t.push_back(' ');
      title_space = false;
      t.push_back(c);
    }
  }

  // The attributes the text model reads, found in one pass over the tag's (libxml2 gives
  // their names in lowercase); the first of each name counts.
  struct read_attrs {
    bool hidden = false;
    std::string_view style, cls, id, role;
  };
  static read_attrs attrs_of(const xmlChar** atts) {
    read_attrs a;
    if (atts == nullptr) return a;
    for (std::size_t i = 0; atts[i] != nullptr; i += 2) {
      const std::string_view k(reinterpret_cast<const char*>(atts[i]));
      // A slot not set yet has no data (a value, even an empty one, has).
      auto first = [&](std::string_view& slot) {
        if (slot.data() == nullptr)
          slot = atts[i + 1] != nullptr ? std::string_view(reinterpret_cast<const char*>(atts[i + 1])) : std::string_view("");
      };
      if (k == "class") first(a.cls);
      else if (k == "id") first(a.id);
      else if (k == "style") first(a.style);
      else if (k == "role") first(a.role);
      else if (k == "hidden") a.hidden = true;
    }
    return a;
  }

  static bool hidden_style(std::string_view style) {
    // display:none or visibility:hidden, any spacing and case.
    std::string s;
    s.reserve(style.size());
    for (const char c : style)
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') s.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    return s.find("display:none") != std::string::npos || s.find("visibility:hidden") != std::string::npos;
  }

  static std::uint8_t role_context(std::string_view role) {
    if (role == "navigation" || role == "menu" || role == "menubar") return in_nav;
    if (role == "banner") return in_header;
    if (role == "contentinfo") return in_footer;
    if (role == "complementary") return in_aside;
    if (role == "search") return in_form;
    if (role == "main") return in_main;
    if (role == "article") return in_article;
    return 0;
  }

  void start(const char* name, const xmlChar** atts) {
    if (stack.size() > html_max_depth) {  // see html_max_depth: stop, the page is refused
      doc->truncated = true;
      xmlStopParser(ctxt);
      return;
    }
    const std::string_view n(name);
    const elem_info& info = info_of(n);
    const frame& parent = top();
    frame f = parent;
    f.info = &info;
    f.name_hash = fnv(fnv_basis, n, false);
    if ((info.flags & f_title) != 0) {  // inside head, which is skipped
      // The page's title, unless it is an SVG or MathML one (an icon's tooltip).
      in_title = doc->title.empty() && std::none_of(stack.begin(), stack.end(), [](const frame& s) {
                   return s.info->name == "svg" || s.info->name == "math";
                 });
      f.skip = true;
      stack.push_back(f);
      return;
    }
    if (parent.skip) {
      stack.push_back(f);
      return;
    }
    const read_attrs a = attrs_of(atts);
    if ((info.flags & f_skip) != 0 || a.hidden || hidden_style(a.style)) {
      // A skipped inline element (a script, an icon's svg) leaves the line open around it.
      if ((info.flags & f_block) != 0) flush();
      f.skip = true;
      stack.push_back(f);
      return;
    }
    if ((info.flags & f_break) != 0) {
      flush();
      stack.push_back(f);
      return;
    }
    if ((info.flags & f_block) != 0) {
      flush();
      std::uint32_t h = fnv(parent.path ^ 0x9E3779B9U, n, false);
      h = fnv(h ^ 0x85EBCA6BU, a.cls, true);
      h = fnv(h ^ 0xC2B2AE35U, a.id, true);
      f.path = h;
      if (info.tag != html_tag::other || n == "hr") f.tag = info.tag;
      if ((info.flags & f_list) != 0) f.list = ++next_list;
      if ((info.flags & f_pre) != 0) f.pre = true;
    }
    if ((info.flags & f_context) != 0) f.ctx = static_cast<std::uint16_t>(f.ctx | info.ctx);
    if (!a.role.empty()) f.ctx = static_cast<std::uint16_t>(f.ctx | role_context(a.role));
    if ((info.flags & f_block) != 0) {
      html_element e;
      e.parent = parent.elem;
      e.first_block = static_cast<std::uint32_t>(doc->blocks.size());
      e.end_block = e.first_block;
      e.path = f.path;
      e.list = f.list;
      e.tag = f.tag;
      e.context = f.ctx;
      f.elem = static_cast<std::uint32_t>(doc->elements.size());
      doc->elements.push_back(e);
    }
    if ((info.flags & f_link) != 0) f.link = true;
    stack.push_back(f);
  }

  void end(const char* name) {
    const std::uint32_t h = fnv(fnv_basis, std::string_view(name), false);
    // Pop to the matching element (libxml2 closes implied ones itself; this is a guard).
    std::size_t k = stack.size();
    while (k > 1 && stack[k - 1].name_hash != h) --k;
    if (k <= 1) return;
    while (stack.size() >= k) {
      const frame f = stack.back();
      if ((f.info->flags & f_title) != 0) in_title = false;
      const bool breaks = !f.skip && (f.info->flags & (f_block | f_break)) != 0;
      if (breaks) flush();
      if (!f.skip && (f.info->flags & f_block) != 0) doc->elements[f.elem].end_block = static_cast<std::uint32_t>(doc->blocks.size());
      stack.pop_back();
    }
  }
};

builder* self(void* ctx) {
  auto* c = static_cast<htmlParserCtxtPtr>(ctx);
  return static_cast<builder*>(c->_private);
}

void on_start(void* ctx, const xmlChar* name, const xmlChar** atts) {
  self(ctx)->start(reinterpret_cast<const char*>(name), atts);
}
void on_end(void* ctx, const xmlChar* name) { self(ctx)->end(reinterpret_cast<const char*>(name)); }
void on_text(void* ctx, const xmlChar* ch, int len) {
  builder* b = self(ctx);
  if (b->in_title) {
    b->title_text(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len));
    return;
  }
  b->text(reinterpret_cast<const char*>(ch), static_cast<std::size_t>(len));
}
void on_structured_error(void*, xmlErrorPtr) {}

std::once_flag libxml_init;

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

bool is_html_name(std::string_view name) noexcept {
  std::string lower;
  lower.reserve(name.size());
  for (const char c : name) lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  std::string_view n = lower;
  if (n.ends_with(".gz")) n.remove_suffix(3);
  else if (n.ends_with(".zst")) n.remove_suffix(4);
  return n.ends_with(".html") || n.ends_with(".htm") || n.ends_with(".xhtml") || n.ends_with(".shtml");
}

bool looks_like_html(std::string_view bytes) noexcept {
  bytes.remove_prefix(bom_length(bytes));
  for (int guard = 0; guard < 64; ++guard) {
    std::size_t i = 0;
    while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\f')) ++i;
    bytes.remove_prefix(i);
    if (bytes.starts_with("<!--")) {
      const auto e = bytes.find("-->", 4);
      if (e == std::string_view::npos) return false;
      bytes.remove_prefix(e + 3);
      continue;
    }
    if (bytes.starts_with("<?xml")) {
      const auto e = bytes.find("?>");
      if (e == std::string_view::npos) return false;
      bytes.remove_prefix(e + 2);
      continue;
    }
    return iequals_prefix(bytes, "<!doctype html") || iequals_prefix(bytes, "<html");
  }
  return false;
}

result<html_document> html_to_text(std::string_view bytes, const html_options& options) {
  std::call_once(libxml_init, [] { xmlInitParser(); });
  const bool utf16_bom = bytes.size() >= 2 && ((static_cast<unsigned char>(bytes[0]) == 0xFFU &&
                                                static_cast<unsigned char>(bytes[1]) == 0xFEU) ||
                                               (static_cast<unsigned char>(bytes[0]) == 0xFEU &&
                                                static_cast<unsigned char>(bytes[1]) == 0xFFU));
  if (!utf16_bom && looks_binary(bytes)) return make_error_code(errc::binary_file);
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) / 2)
    return make_error_code(errc::too_large);
  detail::decoded_page page = detail::decode_page(bytes, options.sniff_encoding);
  // The page as UTF-8 without what the parser would only skip; the decoded copy, if one was
  // made, goes before parsing.
  const std::string utf8 = detail::emptied_raw_text(page.text());
  std::string().swap(page.utf8);
  // Legacy bytes can take up to three times their size as UTF-8; the parser takes an int.
  if (utf8.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return make_error_code(errc::too_large);

  html_document doc;
  doc.encoding = std::move(page.encoding);
  doc.replacements = page.replacements;
  doc.text.reserve(utf8.size() / 3);
  html_element root_element;  // the root, even of an empty page; its path is the root frame's
  root_element.path = fnv_basis;
  doc.elements.push_back(root_element);
  if (utf8.empty()) return doc;

  builder b;
  b.doc = &doc;
  static const elem_info root{"#root", 0, html_tag::other, 0};
  b.stack.reserve(64);
  b.stack.push_back(frame{&root, fnv_basis, 0, 0, html_tag::other, 0, false, false, false, 0});

  htmlSAXHandler sax;
  std::memset(&sax, 0, sizeof sax);
  sax.startElement = on_start;
  sax.endElement = on_end;
  sax.characters = on_text;
  sax.ignorableWhitespace = on_text;
  sax.initialized = XML_SAX2_MAGIC;
  sax.serror = on_structured_error;

  htmlParserCtxtPtr ctxt =
      htmlCreateMemoryParserCtxt(utf8.data(), static_cast<int>(utf8.size()));
  if (ctxt == nullptr) throw std::bad_alloc();
  std::memcpy(ctxt->sax, &sax, sizeof sax);
  ctxt->userData = ctxt;  // callbacks get the context (for the line number)
  ctxt->_private = &b;
  b.ctxt = ctxt;
  // RECOVER: a script or style ends only at its own end tag, not at the first "</x" in its code.
  htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_COMPACT |
                               HTML_PARSE_IGNORE_ENC | HTML_PARSE_NODEFDTD);
  // The bytes are UTF-8 now, whatever the page declares.
  xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
  htmlParseDocument(ctxt);
  b.ctxt = nullptr;
  if (ctxt->myDoc != nullptr) xmlFreeDoc(ctxt->myDoc);
  htmlFreeParserCtxt(ctxt);
  b.flush();
  // Elements left open by a truncated page end with it.
  for (std::size_t k = 1; k < b.stack.size(); ++k) {
    const frame& f = b.stack[k];
    if (!f.skip && (f.info->flags & f_block) != 0) doc.elements[f.elem].end_block = static_cast<std::uint32_t>(doc.blocks.size());
  }
  doc.elements[0].end_block = static_cast<std::uint32_t>(doc.blocks.size());
  if (doc.truncated) return make_error_code(errc::too_deep);
  return doc;
}

}  // namespace dupstrip

// The markup evidence of one web page (markup.hpp); doc/algorithm.md, "Web pages", states the
// rules, their guards and the figures behind the values.
//
// 1. Main container. Every paragraph-like block (p, pre, blockquote, a table cell or a div's
//    own text) of at least 25 characters, under half link text, not code-like and not in nav,
//    footer, aside or form scores 1 + its commas (at most 10) + one per 100 characters (at
//    most 3). The score goes to the element holding the paragraph, half of it to that element's
//    parent and a sixth to the grandparent; scaled by the share of letters that are not link
//    text, the best element is the main container (when it scores at least 5).
// 2. Flags per block: link_list (90% link text; a p inside the container stays), outside_main
//    (outside the container), own_heading (the headline h1), prose (8 words, under 25% links,
//    not code, not in a list or table outside the container that does not hold it). The
//    engine grows the main text from the container through prose after the repetition tiers
//    (line_decisions.cpp, grow_main_text).
#include "dupstrip/markup.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace dupstrip::detail {

namespace {

// 1 for the bytes that make words: ASCII letters and digits, "_", every byte of a non-ASCII
// character.
constexpr std::array<std::uint8_t, 256> word_bytes = [] {
  std::array<std::uint8_t, 256> t{};
  for (unsigned c = 0; c < 256; ++c)
    t[c] = c >= 0x80U || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ? 1 : 0;
  return t;
}();

}  // namespace

std::uint32_t word_count(std::string_view text) noexcept {
  // A word starts at each word byte that follows another kind of byte (no branches).
  std::uint32_t n = 0;
  std::uint32_t in = 0;
  for (const char ch : text) {
    const std::uint32_t w = word_bytes[static_cast<unsigned char>(ch)];
    n += w & (in ^ 1U);
    in = w;
  }
  return n;
}

namespace {

// Script or data that leaked into the text (a JSON blob after a stray "</script>" in a string):
// at least 8% of its bytes are code punctuation. Prose has a few quotes and no braces.
bool code_like(std::string_view t) {
  std::size_t n = 0;
  for (const char c : t)
    n += (c == '{' || c == '}' || c == '[' || c == ']' || c == '"' || c == '=' || c == ';' || c == '\\' ||
          c == '<' || c == '>' || c == '|')
             ? 1U
             : 0U;
  return t.size() >= 40 && n * 100 >= t.size() * 8;
}

bool paragraph_like(html_tag t) {
  return t == html_tag::p || t == html_tag::pre || t == html_tag::blockquote || t == html_tag::cell ||
         t == html_tag::div;
}

constexpr std::uint16_t furniture_context = in_nav | in_header | in_footer | in_aside;
// Paragraphs there never make a container the main text (terms in a footer, a form's notice).
constexpr std::uint16_t scoreless_context = in_nav | in_footer | in_aside | in_form | in_figure;

}  // namespace

std::vector<line_markup> markup_evidence(const html_document& page, const markup_rules& rules) {
  const auto& blocks = page.blocks;
  const auto& els = page.elements;
  const std::size_t n = blocks.size();
  std::vector<line_markup> out(n);
  if (n == 0) return out;
  std::vector<std::uint32_t> words(n);
  std::vector<bool> code(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view t(page.text.data() + blocks[i].begin, blocks[i].end - blocks[i].begin);
    words[i] = word_count(t);
    code[i] = code_like(t);
    out[i].source_line = blocks[i].source_line;
    out[i].link_share = blocks[i].link_share;
  }

  // 1. The main container.
  std::vector<double> score(els.size(), 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const html_block& b = blocks[i];
    if (!paragraph_like(b.tag) || b.link_share >= 128 || code[i] || (b.context & scoreless_context) != 0) continue;
    const std::string_view t(page.text.data() + b.begin, b.end - b.begin);
    if (t.size() < rules.paragraph_chars) continue;
    const double s = 1.0 + static_cast<double>(std::min<std::ptrdiff_t>(rules.max_commas, std::count(t.begin(), t.end(), ','))) +
                     static_cast<double>(std::min<std::size_t>(3, t.size() / 100));
    std::uint32_t e = b.element;
    if (b.tag != html_tag::div && e < els.size()) e = els[e].parent;  // the paragraph's container
    static constexpr double share[3] = {1.0, 0.5, 1.0 / 6.0};
    for (double f : share) {
      if (e >= els.size()) break;
      score[e] += s * f;
      if (e == 0) break;
      e = els[e].parent;
    }
  }
  // Letters and link letters of blocks [0, i), so an element's shares cost O(1) however deep
  // the page nests.
  std::vector<double> letters_before(n + 1, 0.0);
  std::vector<double> links_before(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double len = static_cast<double>(blocks[i].end - blocks[i].begin);
    letters_before[i + 1] = letters_before[i] + len;
    links_before[i + 1] = links_before[i] + len * blocks[i].link_share / 255.0;
  }
  std::uint32_t best = 0;
  double best_score = 0.0;
  for (std::uint32_t e = 1; e < els.size(); ++e) {
    if (score[e] <= 0.0) continue;
    const std::size_t a = std::min<std::size_t>(els[e].first_block, n);
    const std::size_t z = std::min<std::size_t>(std::max(els[e].end_block, els[e].first_block), n);
    const double letters = letters_before[z] - letters_before[a];
    const double links = links_before[z] - links_before[a];
    const double s = score[e] * (letters > 0.0 ? 1.0 - links / letters : 0.0);
    if (s > best_score) {  // ties: the first in document order
      best_score = s;
      best = e;
    }
  }

  // The page's headline: one h1 outside the furniture (the others title other stories): the
  // first inside the main container, else the last before it, else the page's first. A header
  // inside an article is the article's own (HTML5 puts the headline there), not the page's
  // banner: an h1 in it is a candidate.
  const auto is_h1 = [&](std::size_t i) {
    const std::uint16_t c = blocks[i].context;
    const std::uint16_t furniture = (c & in_article) != 0 ? (furniture_context & ~in_header) : furniture_context;
    return blocks[i].tag == html_tag::h1 && (c & furniture) == 0;
  };
  const bool found_main = best != 0 && best_score >= rules.min_main_score;
  const std::size_t c_first = found_main ? els[best].first_block : 0;
  const std::size_t c_last = found_main ? std::min<std::size_t>(els[best].end_block, n) : 0;
  std::size_t headline = n;
  for (std::size_t i = c_first; i < c_last && headline == n; ++i)
    if (is_h1(i)) headline = i;
  for (std::size_t i = c_first; i-- > 0 && headline == n;)
    if (is_h1(i)) headline = i;
  for (std::size_t i = 0; i < n && headline == n; ++i)
    if (is_h1(i)) headline = i;
  const auto own_heading = [&](std::size_t i) { return i == headline; };
  const auto link_text = [&](std::size_t i) { return blocks[i].link_share >= rules.link_list_share && !own_heading(i); };
  const auto prose = [&](std::size_t i) {
    return words[i] >= rules.prose_words && blocks[i].link_share < rules.prose_link_share && !code[i];
  };
  // A block outside the container, in a list or table that does not hold the container: an
  // item of a list of stories, comments or gallery slides, never the article's prose.
  const auto foreign_list = [&](std::size_t i, std::size_t first, std::size_t last, std::uint32_t list) {
    return (i < first || i >= last) && blocks[i].list != 0 && blocks[i].list != list;
  };

  const bool have_main = found_main;
  // The article's own list of links: a list inside the container whose block before and block
  // after (inside the container) are both prose of the article ("Documents released today:",
  // the list, the next paragraph). A related-stories box ends the article or sits beside it.
  std::vector<bool> own_links(n, false);
  if (have_main) {
    for (std::size_t i = c_first; i < c_last;) {
      const std::uint32_t list = blocks[i].list;
      if (list == 0 || !link_text(i)) {
        ++i;
        continue;
      }
      std::size_t j = i;
      while (j < c_last && blocks[j].list == list) ++j;
      const bool before = i > c_first && prose(i - 1) && blocks[i - 1].list != list;
      const bool after = j < c_last && prose(j);
      if (before && after)
        for (std::size_t k = i; k < j; ++k) own_links[k] = true;
      i = j;
    }
  }
  // Collections: at least collection_items sibling elements with one element path, each of
  // several blocks and holding a link-text block (gallery slides with their "Fullscreen" link,
  // teasers with their headline link, comments with "Reply"). Not when the main container is
  // their parent or lies inside one of them (a page that is a list of posts).
  std::vector<bool> item(n, false);
  {
    std::vector<bool> has_link(els.size(), false);
    for (std::size_t i = 0; i < n; ++i) {
      if (!link_text(i)) continue;
      for (std::uint32_t e = blocks[i].element; e < els.size() && !has_link[e]; e = els[e].parent) {
        has_link[e] = true;
        if (e == 0) break;
      }
    }
    // Slides without links: a short block (at most 4 words) of one text, digits aside, in at
    // least half of the items ("3/44", a photo credit): the items are printed from a template.
    const auto shared_label = [&](const std::vector<std::uint32_t>& members) {
      std::unordered_map<std::uint32_t, std::uint32_t> seen;
      for (const std::uint32_t e : members) {
        std::vector<std::uint32_t> own;
        for (std::size_t i = els[e].first_block; i < std::min<std::size_t>(els[e].end_block, n); ++i) {
          if (words[i] > 4) continue;
          const std::string_view t(page.text.data() + blocks[i].begin, blocks[i].end - blocks[i].begin);
          std::uint32_t h = 2166136261U;
          for (const char c : t)
            if (c < '0' || c > '9') h = (h ^ static_cast<unsigned char>(c)) * 16777619U;
          own.push_back(h);
        }
        std::sort(own.begin(), own.end());  // each label once per item
        own.erase(std::unique(own.begin(), own.end()), own.end());
        for (const std::uint32_t h : own)
          if (2 * ++seen[h] >= members.size()) return true;
      }
      return false;
    };
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> groups;
    for (std::uint32_t e = 1; e < els.size(); ++e) {
      if (els[e].end_block < els[e].first_block + 2) continue;
      groups[(static_cast<std::uint64_t>(els[e].parent) << 32) | els[e].path].push_back(e);
    }
    for (const auto& [key, members] : groups) {
      std::size_t linked = 0;
      for (const std::uint32_t e : members) linked += has_link[e] ? 1U : 0U;
      if (linked < rules.collection_items &&
          (members.size() < 2 * rules.collection_items || !shared_label(members))) continue;
      const auto parent = static_cast<std::uint32_t>(key >> 32);
      bool holds_main = found_main && best == parent;
      for (const std::uint32_t e : members)
        holds_main = holds_main || (found_main && els[e].first_block <= c_first && c_last <= els[e].end_block);
      if (holds_main) continue;
      for (const std::uint32_t e : members)
        for (std::size_t i = els[e].first_block; i < std::min<std::size_t>(els[e].end_block, n); ++i) item[i] = true;
    }
  }
  // Text of a div (not a paragraph) after the container: an author box, a comment notice. The
  // article's own text that its container misses is paragraphs; the main text does not grow
  // down through such a block.
  const auto trailing_div_text = [&](std::size_t i) {
    return have_main && i >= c_last && (blocks[i].tag == html_tag::div || blocks[i].tag == html_tag::other);
  };
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t f = 0;
    const bool in_container = have_main && i >= c_first && i < c_last;
    if (have_main && !in_container) f |= markup_outside_main;
    if ((blocks[i].context & in_figure) != 0 && !own_heading(i)) f |= markup_outside_main | markup_figure;
    if (item[i] && !own_heading(i)) f |= markup_outside_main | markup_collection;
    if (own_heading(i)) f |= markup_own_heading;
    else if (link_text(i) && !(in_container && (blocks[i].tag == html_tag::p || own_links[i]))) f |= markup_link_list;
    if (blocks[i].tag == html_tag::cell) f |= markup_table_cell;
    if (prose(i) && (f & (markup_figure | markup_collection)) == 0 && !trailing_div_text(i) &&
        !(have_main && foreign_list(i, c_first, c_last, els[best].list)))
      f |= markup_prose;
    out[i].flags = f;
  }
  return out;
}

}  // namespace dupstrip::detail

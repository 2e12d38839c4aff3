// Throughput of web pages to text (html.hpp) against libxml2 alone on the same bytes:
// - BM_html_to_text: html_to_text, with encoding sniffing (as for files, /1) and without (as for
//   JSONL strings, /0);
// - BM_html_decode: its first step alone, the bytes to UTF-8 (charset.hpp);
// - BM_libxml2_bare_parse/sax:0: htmlReadMemory to a tree, then xmlFreeDoc (what lxml pays);
// - BM_libxml2_bare_parse/sax:1: the same parser through SAX with empty callbacks and the options
//   html_to_text uses: the ceiling of any SAX handler.
// Pages: DUPSTRIP_BENCH_HTML names a .jsonl or .jsonl.gz file (one page per record, in its
// "html" field) or a folder of .html/.htm files; without it, 64 deterministic news-like pages are
// generated here (news_page below). Each iteration handles every page of the set, so the rate is
// bytes/s over the whole set (SetBytesProcessed) and pages/s ("docs").
#include "dupstrip/charset.hpp"

#include <dupstrip/html.hpp>

#include <benchmark/benchmark.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------------------ synthetic pages

struct page_writer {
  std::mt19937_64 rng;
  std::string out;

  std::uint64_t pick(std::uint64_t n) { return rng() % n; }

  std::string word() {
    static const char* const common[] = {"the", "of", "and", "to", "in", "a", "said", "for", "on", "that",
                                         "is", "was", "with", "by", "council", "harbour", "ferry", "year",
                                         "would", "percent", "minister", "police", "city", "report"};
    static const char* const syll[] = {"ra", "mon", "tel", "vi", "sor", "an", "quel", "di", "ber", "tos"};
    if (pick(100) < 50) return common[pick(sizeof common / sizeof *common)];
    std::string w;
    for (std::uint64_t i = 0, n = 1 + pick(3); i < n; ++i) w += syll[pick(10)];
    return w;
  }
  std::string words(std::uint64_t lo, std::uint64_t hi) {
    std::string s;
    for (std::uint64_t i = 0, n = lo + pick(hi - lo + 1); i < n; ++i) {
      if (i != 0) s += ' ';
      s += word();
    }
    return s;
  }
  void script(std::size_t bytes) {
    out += "<script>(function(w,d){var q=w.q||[];";
    while (bytes > 40) {
      out += "q.push({k:'" + word() + "',v:" + std::to_string(pick(100000)) + "});";
      bytes -= 30;
    }
    out += "})(window,document);</script>\n";
  }
  void link_list(const char* cls, std::uint64_t n) {
    out += "<ul class=\"" + std::string(cls) + "\">";
    for (std::uint64_t i = 0; i < n; ++i)
      out += "<li class=\"item item-" + std::to_string(i) + "\"><a href=\"/" + word() + "/" + word() + "\">" +
             words(1, 3) + "</a></li>";
    out += "</ul>\n";
  }
  void paragraph() {
    out += "<p>";
    for (std::uint64_t s = 0, n = 2 + pick(4); s < n; ++s) {
      std::string sentence = words(8, 24);
      sentence[0] = static_cast<char>(sentence[0] - 'a' + 'A');
      const std::uint64_t r = pick(10);
      if (r < 2) {
        out += sentence + ", <a href=\"https://example.org/" + word() + "\">" + words(2, 4) + "</a>. ";
      } else if (r < 3) {
        out += "<em>" + sentence + "</em>&nbsp;&mdash; " + words(2, 5) + ". ";
      } else {
        out += sentence + ". ";
      }
    }
    out += "</p>\n";
  }
};

// A news article page as a CMS prints it: head with styles and scripts, header and menu, the
// article with inline links, related links, footer columns, a cookie notice, trailing scripts.
std::string news_page(std::uint64_t seed) {
  page_writer w{std::mt19937_64(seed), {}};
  std::string& o = w.out;
  const std::string title = w.words(5, 10);
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + title +
       " | The Gazette</title>\n<meta name=\"viewport\" content=\"width=device-width\">\n"
       "<link rel=\"stylesheet\" href=\"/static/site.css\">\n<style>";
  for (std::uint64_t i = 0, n = 20 + w.pick(60); i < n; ++i)
    o += ".c" + std::to_string(i) + "{margin:0 " + std::to_string(w.pick(20)) + "px;color:#333}";
  o += "</style>\n";
  w.script(2000 + w.pick(20000));
  o += "</head>\n<body class=\"article-page\">\n<header class=\"site-header\"><div class=\"logo\"><a href=\"/\">"
       "The Gazette</a></div>\n<nav class=\"main-nav\" role=\"navigation\">";
  w.link_list("menu", 10 + w.pick(20));
  o += "</nav></header>\n<main><div class=\"container\"><article class=\"story\">\n<h1 class=\"headline\">" +
       title + "</h1>\n<p class=\"byline\">By <a href=\"/author/" + w.word() + "\">" + w.words(2, 2) +
       "</a> &middot; <time>3 March 2026</time></p>\n";
  for (std::uint64_t i = 0, n = 6 + w.pick(15); i < n; ++i) {
    if (i == 3) {
      o += "<figure><img src=\"/img/" + w.word() + ".jpg\" alt=\"" + w.words(3, 6) +
           "\"><figcaption>" + w.words(6, 14) + "</figcaption></figure>\n";
    }
    if (i == 5) o += "<h2>" + w.words(3, 7) + "</h2>\n";
    if (i == 7) o += "<blockquote>&ldquo;" + w.words(10, 20) + "&rdquo;</blockquote>\n";
    w.paragraph();
  }
  o += "<div class=\"share\"><a href=\"#\">Share</a> <a href=\"#\">Tweet</a> <a href=\"#\">Email</a></div>\n"
       "</article>\n<aside class=\"related\"><h3>Most read</h3>";
  w.link_list("related-list", 5 + w.pick(6));
  o += "</aside></div></main>\n<footer class=\"site-footer\" role=\"contentinfo\">";
  for (int col = 0; col < 4; ++col) w.link_list("footer-col", 4 + w.pick(6));
  o += "<p>&copy; 2026 The Gazette. All rights reserved.</p></footer>\n"
       "<div id=\"cookie-notice\" class=\"cookie\">We use cookies to improve your experience. "
       "<a href=\"/privacy\">Learn more</a> <button>Accept</button></div>\n";
  for (std::uint64_t i = 0, n = 2 + w.pick(5); i < n; ++i) w.script(500 + w.pick(8000));
  o += "</body>\n</html>\n";
  return o;
}

// ------------------------------------------------------------------ real pages

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary | std::ios::ate);
  std::string s(in ? static_cast<std::size_t>(in.tellg()) : 0, '\0');
  in.seekg(0);
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  return s;
}

std::string gunzip_file(const fs::path& p) {
  std::string out;
  gzFile f = gzopen(p.c_str(), "rb");
  if (f == nullptr) return out;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  gzclose(f);
  return out;
}

std::vector<std::string> jsonl_pages(const fs::path& p) {
  const std::string all = p.extension() == ".gz" ? gunzip_file(p) : read_all(p);
  std::vector<std::string> pages;
  simdjson::dom::parser parser;
  std::size_t at = 0;
  while (at < all.size()) {
    std::size_t nl = all.find('\n', at);
    if (nl == std::string::npos) nl = all.size();
    const std::string_view line(all.data() + at, nl - at);
    at = nl + 1;
    simdjson::dom::element doc;
    std::string_view html;
    if (line.empty() || parser.parse(simdjson::padded_string(line)).get(doc) != simdjson::SUCCESS) continue;
    if (doc["html"].get_string().get(html) == simdjson::SUCCESS) pages.emplace_back(html);
  }
  return pages;
}

std::vector<std::string> folder_pages(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".html" || ext == ".htm")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> pages;
  for (const auto& f : files) pages.push_back(read_all(f));
  return pages;
}

struct page_set {
  std::vector<std::string> pages;
  std::string label;
};

const page_set& pages() {
  static const page_set set = [] {
    page_set s;
    const char* env = std::getenv("DUPSTRIP_BENCH_HTML");
    if (env != nullptr && *env != '\0') {
      const fs::path p(env);
      s.pages = fs::is_directory(p) ? folder_pages(p) : jsonl_pages(p);
      s.label = p.filename().string();
    }
    if (s.pages.empty()) {
      for (std::uint64_t i = 0; i < 64; ++i) s.pages.push_back(news_page(i + 1));
      s.label = "generated";
    }
    std::size_t bytes = 0;
    for (const auto& pg : s.pages) bytes += pg.size();
    s.label += ": " + std::to_string(s.pages.size()) + " pages, " + std::to_string(bytes / 1024) + " KiB";
    return s;
  }();
  return set;
}

// Runs `fn` on every page of the set per iteration (so that every benchmark weighs the same
// pages, whatever its speed); reports bytes/s and pages/s.
template <typename Fn>
void over_pages(benchmark::State& st, Fn fn) {
  const page_set& set = pages();
  std::int64_t bytes = 0;
  for (const auto& p : set.pages) bytes += static_cast<std::int64_t>(p.size());
  for (auto _ : st)
    for (const auto& p : set.pages) fn(p);
  st.SetBytesProcessed(bytes * static_cast<std::int64_t>(st.iterations()));
  const double docs = static_cast<double>(st.iterations()) * static_cast<double>(set.pages.size());
  st.counters["docs"] = benchmark::Counter(docs, benchmark::Counter::kIsRate);
  st.SetLabel(set.label);
}

void BM_html_to_text(benchmark::State& st) {
  dupstrip::html_options o;
  o.sniff_encoding = st.range(0) != 0;
  over_pages(st, [&](const std::string& p) {
    auto r = dupstrip::html_to_text(p, o);
    benchmark::DoNotOptimize(r);
  });
}
BENCHMARK(BM_html_to_text)->ArgName("sniff")->Arg(1)->Arg(0);

void BM_html_decode(benchmark::State& st) {
  over_pages(st, [&](const std::string& p) {
    auto d = dupstrip::detail::decode_page(p, true);
    benchmark::DoNotOptimize(d.utf8.data());
  });
}
BENCHMARK(BM_html_decode);

void no_start(void*, const xmlChar*, const xmlChar**) {}
void no_end(void*, const xmlChar*) {}
void no_text(void*, const xmlChar*, int) {}
void no_error(void*, xmlErrorPtr) {}

void BM_libxml2_bare_parse(benchmark::State& st) {
  xmlInitParser();
  const bool sax = st.range(0) != 0;
  const int options = HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_COMPACT;
  htmlSAXHandler handler;
  std::memset(&handler, 0, sizeof handler);
  handler.startElement = no_start;
  handler.endElement = no_end;
  handler.characters = no_text;
  handler.ignorableWhitespace = no_text;
  handler.serror = no_error;
  handler.initialized = XML_SAX2_MAGIC;
  over_pages(st, [&](const std::string& p) {
    const int n = static_cast<int>(p.size());
    if (!sax) {
      htmlDocPtr doc = htmlReadMemory(p.data(), n, nullptr, "UTF-8", options);
      benchmark::DoNotOptimize(doc);
      if (doc != nullptr) xmlFreeDoc(doc);
      return;
    }
    htmlParserCtxtPtr ctxt = htmlCreateMemoryParserCtxt(p.data(), n);
    if (ctxt == nullptr) return;
    std::memcpy(ctxt->sax, &handler, sizeof handler);
    ctxt->userData = ctxt;
    htmlCtxtUseOptions(ctxt, options | HTML_PARSE_IGNORE_ENC | HTML_PARSE_NODEFDTD);
    xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
    htmlParseDocument(ctxt);
    if (ctxt->myDoc != nullptr) xmlFreeDoc(ctxt->myDoc);
    htmlFreeParserCtxt(ctxt);
  });
}
BENCHMARK(BM_libxml2_bare_parse)->ArgName("sax")->Arg(0)->Arg(1);

}  // namespace

// html_source (html.hpp): a document source whose web pages are read as their text model. A
// page is parsed once per run: its text goes to a temporary file the first time it is read
// (the scan), and the later reads (content, output) take it from there.
#include "dupstrip/html.hpp"

#include "dupstrip/markup.hpp"
#include "dupstrip/spill.hpp"

#include <utility>

namespace dupstrip {

struct html_source::cache {
  explicit cache(std::size_t n, const std::string& dir)
      : file(dir), at(std::make_unique<std::atomic<std::uint64_t>[]>(n)), length(std::make_unique<std::uint32_t[]>(n)),
        page(std::make_unique<std::atomic<std::uint8_t>[]>(n)) {}
  detail::spill_file file;
  std::unique_ptr<std::atomic<std::uint64_t>[]> at;  // offset + 1 of the cached text; 0: none
  std::unique_ptr<std::uint32_t[]> length;           // written before `at` is published
  std::unique_ptr<std::atomic<std::uint8_t>[]> page;  // 0: not known yet, 1: a web page, 2: text
};

html_source::html_source(const document_source& inner, input_format format, html_options options,
                         const std::string& temp_dir)
    : inner_(&inner), format_(format), options_(options), cache_(std::make_unique<cache>(inner.size(), temp_dir)) {}

html_source::~html_source() = default;

bool html_source::is_page(std::size_t i, std::string_view bytes) const {
  switch (format_) {
    case input_format::text: return false;
    case input_format::html: return true;
    case input_format::automatic: return is_html_name(inner_->name(i)) || looks_like_html(bytes);
  }
  return false;
}

bool html_source::was_page(std::size_t i) const {
  const std::uint8_t known = cache_->page[i].load(std::memory_order_relaxed);
  if (known != 0) return known == 1;
  // is_page() decides; the bytes are read only when the format and the name leave it open.
  bool page = is_page(i, {});
  if (!page && format_ == input_format::automatic) {
    auto data = inner_->read(i);
    page = data.has_value() && looks_like_html(data.value());
  }
  cache_->page[i].store(page ? 1 : 2, std::memory_order_relaxed);
  return page;
}

result<std::string> html_source::read(std::size_t i) const {
  const std::uint64_t at = cache_->at[i].load(std::memory_order_acquire);
  if (at != 0) {
    std::string text(cache_->length[i], '\0');
    cache_->file.read_at(at - 1, text.data(), text.size());
    return text;
  }
  page_markup unused;
  return read_marked(i, unused);
}

result<std::string> html_source::read_marked(std::size_t i, page_markup& markup) const {
  markup = {};
  auto data = inner_->read(i);
  if (!data.has_value()) return data;
  if (!is_page(i, data.value())) {
    cache_->page[i].store(2, std::memory_order_relaxed);
    return data;
  }
  cache_->page[i].store(1, std::memory_order_relaxed);
  auto page = html_to_text(data.value(), options_);
  if (!page.has_value()) return page.error();
  html_document& doc = page.value();
  markup.lines = detail::markup_evidence(doc);
  markup.replacements = doc.replacements;
  if (cache_->at[i].load(std::memory_order_acquire) == 0 && doc.text.size() <= 0xFFFFFFFFu) {
    const std::uint64_t at = cache_->file.append(doc.text.data(), doc.text.size());
    cache_->length[i] = static_cast<std::uint32_t>(doc.text.size());
    cache_->at[i].store(at + 1, std::memory_order_release);
  }
  return std::move(doc.text);
}

}  // namespace dupstrip

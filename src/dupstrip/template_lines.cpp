// Template lines: a fixed prefix and suffix that recur on many pages of a site around a part
// that changes from page to page.
#include "dupstrip/template_lines.hpp"

#include "dupstrip/hash.hpp"
#include "dupstrip/text.hpp"

#include <algorithm>

namespace dupstrip::detail {

namespace {

constexpr std::uint64_t head_salt = 0x74656D706C686561ULL;     // "templhea"
constexpr std::uint64_t tail_salt = 0x74656D706C7461ULL;       // "templta"
constexpr std::uint64_t pattern_salt = 0x74656D706C706174ULL;  // "templpat"

std::uint32_t part_hash(const std::uint64_t* t, std::uint32_t n, std::uint64_t salt) {
  std::uint64_t h = salt;
  for (std::uint32_t i = 0; i < n; ++i) h = mix64(h ^ t[i]) + 0x9E3779B97F4A7C15ULL;
  const auto v = static_cast<std::uint32_t>(h >> 32);
  return v == 0 ? 1 : v;  // 0 means "no part"
}

void sort_unique(std::vector<std::uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

}  // namespace

void keep_once_per_document(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& out) {
  std::sort(keys.begin(), keys.end());
  for (std::size_t k = 0, c = 0; k < keys.size(); k = c) {
    c = k;
    while (c < keys.size() && keys[c] == keys[k]) ++c;
    if (c - k == 1) out.push_back(keys[k]);
  }
}

std::uint64_t template_part_key(bool head, std::uint32_t len, std::uint32_t h) noexcept {
  return mix64((head ? head_salt : tail_salt) ^ (std::uint64_t{len} << 40) ^ h);
}

std::uint64_t template_pattern_key(std::uint32_t a, std::uint32_t b, std::uint32_t head, std::uint32_t tail) noexcept {
  return mix64(pattern_salt ^ (std::uint64_t{head} << 32 | tail)) ^ (std::uint64_t{a * 4 + b} << 56);
}

std::uint8_t label_tokens(std::string_view line) {
  const std::size_t colon = line.substr(0, 48).find(':');
  if (colon == std::string_view::npos || colon == 0) return 0;
  std::vector<token> tokens;
  tokenize(line.substr(0, colon), normalize_options{}, tokens);
  return tokens.size() >= 2 && tokens.size() <= template_max_fixed ? static_cast<std::uint8_t>(tokens.size()) : 0;
}

void set_template_parts(const std::uint64_t* masked, std::uint32_t n, line_fp& l) {
  l.pattern_tokens = 0;
  for (std::uint32_t k = 0; k < template_max_fixed; ++k) l.head[k] = l.tail[k] = 0;
  const std::uint32_t least = l.label >= 2 ? l.label + 1U : template_min_fixed + 1;
  if (n < least || n > template_max_tokens) return;
  l.pattern_tokens = static_cast<std::uint8_t>(n);
  for (std::uint32_t k = 1; k <= template_max_fixed && k < n; ++k) {
    l.head[k - 1] = part_hash(masked, k, head_salt);
    l.tail[k - 1] = part_hash(masked + (n - k), k, tail_salt);
  }
}

void template_tally::count_cluster() {
  sort_unique(cluster_keys_);
  for (const std::uint64_t k : cluster_keys_) counts_.bump(k);
  cluster_keys_.clear();
}

void template_tally::next_cluster() { count_cluster(); }

void template_tally::add_parts(std::span<const line_fp> lines) {
  // Parts only pre-select the patterns worth counting, so a part counts once per cluster
  // however often it occurs (the page-structure guard applies to the patterns themselves).
  for (const line_fp& l : lines) {
    if (l.pattern_tokens == 0 || l.blank) continue;
    for (std::uint32_t k = 1; k <= template_max_fixed && k < l.pattern_tokens; ++k) {
      cluster_keys_.push_back(template_part_key(true, k, l.head[k - 1]));
      cluster_keys_.push_back(template_part_key(false, k, l.tail[k - 1]));
    }
  }
}

void template_tally::finish_parts() {
  count_cluster();
  parts_.reset(1024);
  frequent_parts_ = 0;
  counts_.for_each([&](std::uint64_t key, std::uint32_t c) {
    if (c >= need_ && key != 0 && parts_.insert(key)) ++frequent_parts_;
  });
  counts_ = flat_count64{};
  pass2_ = true;
}

void template_tally::add_patterns(std::span<const line_fp> lines) {
  if (frequent_parts_ == 0) return;
  doc_keys_.clear();
  std::vector<std::pair<std::uint64_t, std::uint64_t>>& doc_fillers = doc_fillers_;
  doc_fillers.clear();
  for (const line_fp& l : lines) {
    if (l.pattern_tokens == 0 || l.blank) continue;
    // Which of the line's prefixes and suffixes are frequent, each looked up once (a pattern
    // shape uses one of each); a pattern's key is made only when both of its parts are.
    bool head_frequent[template_max_fixed + 1];
    bool tail_frequent[template_max_fixed + 1];
    head_frequent[0] = tail_frequent[0] = true;
    for (std::uint32_t k = 1; k <= template_max_fixed; ++k) {
      const bool made = k < l.pattern_tokens;
      head_frequent[k] = made && parts_.contains(template_part_key(true, k, l.head[k - 1]));
      tail_frequent[k] = made && parts_.contains(template_part_key(false, k, l.tail[k - 1]));
    }
    for_each_pattern_shape(l, [&](std::uint32_t a, std::uint32_t b) {
      if (a > template_max_fixed || !head_frequent[a] || !tail_frequent[b]) return;  // a label is <= max_fixed
      const std::uint64_t key = pattern_key_of(l, a, b);
      doc_keys_.push_back(key);
      doc_fillers.emplace_back(key, l.key);
    });
  }
  const std::size_t before = cluster_keys_.size();
  keep_once_per_document(doc_keys_, cluster_keys_);
  std::sort(cluster_keys_.begin() + static_cast<std::ptrdiff_t>(before), cluster_keys_.end());
  for (const auto& f : doc_fillers)
    if (std::binary_search(cluster_keys_.begin() + static_cast<std::ptrdiff_t>(before), cluster_keys_.end(), f.first))
      fillers_.push_back(f);
}

std::vector<std::pair<std::uint64_t, std::uint32_t>> template_tally::finish() {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> out;
  if (!pass2_ || frequent_parts_ == 0) return out;
  count_cluster();
  std::vector<std::pair<std::uint64_t, std::uint32_t>> pages;
  counts_.for_each([&](std::uint64_t key, std::uint32_t c) {
    if (c >= need_ && key != 0) pages.emplace_back(key, c);
  });
  counts_ = flat_count64{};
  std::sort(pages.begin(), pages.end());
  std::sort(fillers_.begin(), fillers_.end());
  fillers_.erase(std::unique(fillers_.begin(), fillers_.end()), fillers_.end());
  std::size_t f = 0;
  for (const auto& [key, n] : pages) {
    while (f < fillers_.size() && fillers_[f].first < key) ++f;
    std::uint32_t distinct = 0;
    while (f < fillers_.size() && fillers_[f].first == key) {
      ++distinct;
      ++f;
    }
    if (distinct >= std::max(need_, (n + 1) / 2)) out.emplace_back(key, n);
  }
  fillers_ = {};
  return out;
}

void mark_template_lines(std::vector<line_fp>& lines, const std::vector<std::pair<std::uint64_t, std::uint32_t>>& table) {
  if (table.empty()) return;
  auto pages_of = [&](std::uint64_t key) -> std::uint32_t {
    const auto it = std::lower_bound(table.begin(), table.end(), std::pair<std::uint64_t, std::uint32_t>(key, 0));
    return it != table.end() && it->first == key ? it->second : 0;
  };
  // Every pattern of every present line: a line sharing any of its patterns with another line
  // of the page (rows of a table sharing a label or a unit) is the page's own structure.
  thread_local std::vector<std::uint64_t> doc_patterns;  // reused: one call per document
  doc_patterns.clear();
  bool any = false;
  for (const line_fp& l : lines) {
    if (l.removed || l.blank) continue;
    for_each_pattern(l, [&](std::uint32_t, std::uint32_t, std::uint64_t key) {
      doc_patterns.push_back(key);
      any = any || pages_of(key) != 0;
    });
  }
  if (!any) return;
  std::sort(doc_patterns.begin(), doc_patterns.end());
  auto repeated = [&](std::uint64_t key) {
    const auto [lo, hi] = std::equal_range(doc_patterns.begin(), doc_patterns.end(), key);
    return hi - lo > 1;
  };
  for (line_fp& l : lines) {
    if (l.removed || l.blank || l.repeat || l.pages != 0) continue;
    bool own = false;
    for_each_pattern(l, [&](std::uint32_t, std::uint32_t, std::uint64_t key) { own = own || repeated(key); });
    if (own) continue;
    for_each_pattern(l, [&](std::uint32_t a, std::uint32_t b, std::uint64_t key) {
      if (l.pattern != 0) return;
      const std::uint32_t p = pages_of(key);
      if (p == 0) return;
      l.pages = p;
      l.pattern = static_cast<std::uint8_t>(a << 4 | b);
    });
  }
}

std::vector<line_fp> present_lines(const std::vector<line_fp>& lines) {
  std::vector<line_fp> out;
  out.reserve(lines.size());
  for (const line_fp& l : lines)
    if (!l.removed) out.push_back(l);
  return out;
}

}  // namespace dupstrip::detail

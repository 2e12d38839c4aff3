// Tokenisation and normalisation: the first stage of every signature. Shingles are built from
// token hashes, so this module decides what "the same text" means: "The" and "the", a curly
// and a straight apostrophe, or (with mask_digits) "© 2024" and "© 2025" hash identically.
// The rules are normative (doc/algorithm.md, "Tokens" and "Normalisation") and any change to
// them changes signatures, so it needs a signature_format_version bump.
//
// This is the hot path of the product: it decodes UTF-8 on the fly, classifies code points
// through a table (unicode_tables.hpp), takes an ASCII fast path inside words, hashes a token
// straight from the input bytes when normalisation leaves them unchanged, and otherwise
// rewrites it into one buffer reused for every token of the call.
#include "dupstrip/hash.hpp"
#include "dupstrip/hash_inline.hpp"
#include "dupstrip/swar.hpp"
#include "dupstrip/token_hashes.hpp"
#include "dupstrip/unicode_tables.hpp"
#include "dupstrip/utf8.hpp"

#include <dupstrip/text.hpp>

#include <array>
#include <bit>
#include <cstring>
#include <string>
#include <utility>

namespace dupstrip {
namespace {

using detail::char_class;

// Per-ASCII-byte flags, derived from the classification table so the two cannot disagree.
constexpr std::uint8_t flag_word = 1;    // letter or digit: continues/starts a word
constexpr std::uint8_t flag_digit = 2;   // 0-9
constexpr std::uint8_t flag_upper = 4;   // A-Z
constexpr std::uint8_t flag_joiner = 8;  // ' or -

constexpr std::array<std::uint8_t, 128> make_ascii_flags() {
  std::array<std::uint8_t, 128> t{};
  for (std::size_t b = 0; b < t.size(); ++b) {
    const char_class c = detail::bmp_class_table[b];
    std::uint8_t f = 0;
    if (c == char_class::word || c == char_class::digit) f |= flag_word;
    if (c == char_class::digit) f |= flag_digit;
    if (b >= 'A' && b <= 'Z') f |= flag_upper;
    if (c == char_class::apostrophe || c == char_class::hyphen) f |= flag_joiner;
    t[b] = f;
  }
  return t;
}
constexpr std::array<std::uint8_t, 128> ascii_flags = make_ascii_flags();

using detail::swar::bytes_in_range;
using detail::swar::ones;
using detail::swar::tops;

/// Top bit of each byte of `w` set iff the byte is an ASCII letter or digit.
constexpr std::uint64_t ascii_word_mask(std::uint64_t w) noexcept {
  const std::uint64_t x = w & ~tops;
  const std::uint64_t letter = bytes_in_range(x | (0x20 * ones), 'a', 'z');  // 0x20: ASCII case bit
  return (letter | bytes_in_range(x, '0', '9')) & ~(w & tops);
}

constexpr bool is_word_class(char_class c) noexcept {
  return c == char_class::word || c == char_class::digit;
}

/// fold_punctuation: in-token apostrophes and dashes to their ASCII forms.
constexpr char32_t fold_punct(char32_t cp) noexcept {
  if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC) return U'\'';
  if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212) return U'-';
  return cp;
}

/// The tokenizer proper, shared by tokenize() and normalize(). `Sink` receives
/// `emit(kind, begin, end, normalised_text)` for each new token and `extend(end)` when a
/// masked number joins the previous number token.
constexpr bool is_ascii_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }

class tokenizer {
 public:
  tokenizer(std::string_view text, const normalize_options& options, utf8_policy policy) noexcept
      : text_(text),
        p_(reinterpret_cast<const unsigned char*>(text.data())),
        n_(text.size()),
        opt_(options),
        policy_(policy) {}

  template <class Sink>
  void run(Sink& sink) {
    std::size_t i = 0;
    while (i < n_) {
      const unsigned b = p_[i];
      if (b < 0x80U) {
        if ((ascii_flags[b] & flag_word) == 0) {  // separator, or a joiner with no word before it
          i = skip_ascii_separators(i + 1);
          continue;
        }
        i = word(i, sink);
        continue;
      }
      const detail::utf8_step s = detail::decode_utf8(p_ + i, n_ - i);
      if (!s.valid) {
        if (policy_ == utf8_policy::bytes) {
          for (std::size_t k = i; k < i + s.len; ++k) {
            emit(sink, token_kind::raw_byte, k, k + 1, text_.substr(k, 1));
          }
        }
        i += s.len;  // replace/strict: U+FFFD, a separator
        continue;
      }
      const char_class c = detail::classify(s.cp);
      if (is_word_class(c)) {
        i = word(i, sink);
      } else if (c == char_class::character || c == char_class::char_mark) {
        std::size_t end = i + s.len;
        while (end < n_ && may_start_char_mark(end)) {  // attach following combining marks
          const detail::utf8_step m = detail::decode_utf8(p_ + end, n_ - end);
          if (!m.valid || detail::classify(m.cp) != char_class::char_mark) break;
          end += m.len;
        }
        emit(sink, token_kind::character, i, end, text_.substr(i, end - i));
        i = end;
      } else {
        i += s.len;
      }
    }
  }

 private:
  /// Cheap pre-test: every char_mark code point is in U+0E00..U+1FFF (lead byte E0 or E1) or is
  /// U+3099/U+309A (E3 82 99/9A), so most following characters need no decoding here.
  [[nodiscard]] bool may_start_char_mark(std::size_t i) const noexcept {
    const unsigned b = p_[i];
    return b == 0xE0U || b == 0xE1U || (b == 0xE3U && i + 1 < n_ && p_[i + 1] == 0x82U);
  }

  /// True when the character at `i` (if any) is a word character.
  [[nodiscard]] bool is_word_at(std::size_t i) const noexcept {
    if (i >= n_) return false;
    if (p_[i] < 0x80U) return (ascii_flags[p_[i]] & flag_word) != 0;
    const detail::utf8_step s = detail::decode_utf8(p_ + i, n_ - i);
    return s.valid && is_word_class(detail::classify(s.cp));
  }

  /// Consumes ASCII letters and digits from `i` eight bytes at a time (SWAR) and returns the
  /// offset of the first other byte, or `i` unchanged when fewer than 8 bytes remain; ORs
  /// flag_upper/flag_digit into `seen` for the bytes consumed.
  [[nodiscard]] std::size_t scan_ascii_word(std::size_t i, std::uint8_t& seen) const noexcept {
    if constexpr (std::endian::native != std::endian::little) {
      return i;
    } else {
      while (i + 8 <= n_) {
        std::uint64_t w;
        std::memcpy(&w, p_ + i, sizeof w);
        const std::uint64_t word = ascii_word_mask(w);
        const std::uint64_t upper = bytes_in_range(w & ~tops, 'A', 'Z');
        const std::uint64_t digit = bytes_in_range(w & ~tops, '0', '9');
        const std::uint64_t stop = ~word & tops;
        if (stop == 0) {
          if (upper != 0) seen |= flag_upper;
          if (digit != 0) seen |= flag_digit;
          i += 8;
          continue;
        }
        const int bits = std::countr_zero(stop) - 7;  // 8 * (number of word bytes before the stop)
        const std::uint64_t prefix = bits == 0 ? 0 : (~std::uint64_t{0} >> (64 - bits));
        if ((upper & prefix) != 0) seen |= flag_upper;
        if ((digit & prefix) != 0) seen |= flag_digit;
        return i + static_cast<std::size_t>(bits) / 8;
      }
      return i;
    }
  }

  /// Skips ASCII separators from `i` eight bytes at a time: returns the offset of the first
  /// ASCII letter/digit or non-ASCII byte among the next 8, `i + 8` when there is none, or `i`
  /// when fewer than 8 bytes remain (the caller then goes byte by byte).
  [[nodiscard]] std::size_t skip_ascii_separators(std::size_t i) const noexcept {
    if constexpr (std::endian::native != std::endian::little) {
      return i;
    } else {
      if (i + 8 > n_) return i;
      std::uint64_t w;
      std::memcpy(&w, p_ + i, sizeof w);
      const std::uint64_t interesting = ascii_word_mask(w) | (w & tops);
      if (interesting == 0) return i + 8;
      return i + static_cast<std::size_t>(std::countr_zero(interesting)) / 8;
    }
  }

  template <class Sink>
  [[gnu::always_inline]] void emit(Sink& sink, token_kind kind, std::size_t begin, std::size_t end, std::string_view norm,
                                   bool ascii_digit = false) {
    sink.emit(kind, begin, end, norm, ascii_digit);
    prev_number_ = false;
  }

  /// Scans the word starting at `start` (a word character), emits it, returns its end.
  template <class Sink>
  std::size_t word(std::size_t start, Sink& sink) {
    std::size_t i = start;
    std::uint8_t ascii_seen = 0;  // OR of ascii_flags over the word
    bool non_ascii = false;
    bool digit = false;
    while (i < n_) {
      // ASCII fast path: most words of most documents are consumed here, 8 bytes at a time.
      i = scan_ascii_word(i, ascii_seen);
      if (i >= n_) break;
      const unsigned b = p_[i];
      if (b < 0x80U) {
        const std::uint8_t f = ascii_flags[b];
        if ((f & flag_word) != 0) {
          ascii_seen |= f;
          ++i;
          continue;
        }
        if ((f & flag_joiner) != 0 && is_word_at(i + 1)) {
          ++i;
          continue;
        }
        // A decimal point or thousands separator between two ASCII digits stays inside the
        // token: "1.3", "62.84" and "12,345" are one number each, as a reader sees them.
        if ((b == '.' || b == ',') && i > start && is_ascii_digit(p_[i - 1]) && i + 1 < n_ &&
            is_ascii_digit(p_[i + 1])) {
          ++i;
          continue;
        }
        break;
      }
      const detail::utf8_step s = detail::decode_utf8(p_ + i, n_ - i);
      if (!s.valid) break;
      const char_class c = detail::classify(s.cp);
      if (is_word_class(c)) {
        non_ascii = true;
        digit = digit || c == char_class::digit;
        i += s.len;
        continue;
      }
      if ((c == char_class::apostrophe || c == char_class::hyphen) && is_word_at(i + s.len)) {
        non_ascii = true;
        i += s.len;
        continue;
      }
      break;
    }
    digit = digit || (ascii_seen & flag_digit) != 0;

    if (opt_.mask_digits && digit) {
      if (prev_number_) {
        sink.extend(i);
      } else {
        sink.emit(token_kind::number, start, i, std::string_view("#"), (ascii_seen & flag_digit) != 0);
      }
      prev_number_ = true;
      return i;
    }
    const bool upper = (ascii_seen & flag_upper) != 0;
    const bool rewrite = (opt_.case_fold && (upper || non_ascii)) || (opt_.fold_punctuation && non_ascii);
    if (!rewrite) {
      emit(sink, token_kind::word, start, i, text_.substr(start, i - start), (ascii_seen & flag_digit) != 0);
    } else {
      normalise_into(start, i, !non_ascii);
      emit(sink, token_kind::word, start, i, buf_, (ascii_seen & flag_digit) != 0);
    }
    return i;
  }

  /// Writes the normalised form of the (valid UTF-8) word [begin, end) into buf_.
  void normalise_into(std::size_t begin, std::size_t end, bool ascii_only) {
    if (ascii_only) {  // only case folding to do: lower A-Z eight bytes at a time
      const std::size_t len = end - begin;
      buf_.resize(len);
      std::size_t k = 0;
      for (; k + 8 <= len; k += 8) {
        std::uint64_t w;
        std::memcpy(&w, p_ + begin + k, sizeof w);
        w |= bytes_in_range(w, 'A', 'Z') >> 2;  // 0x80 >> 2 == 0x20, the ASCII case bit
        std::memcpy(buf_.data() + k, &w, sizeof w);
      }
      for (; k < len; ++k) {
        const unsigned b = p_[begin + k];
        buf_[k] = static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32U : b);
      }
      return;
    }
    buf_.clear();
    std::size_t i = begin;
    while (i < end) {
      const unsigned b = p_[i];
      if (b < 0x80U) {
        const bool up = opt_.case_fold && b >= 'A' && b <= 'Z';
        buf_.push_back(static_cast<char>(up ? b + 32U : b));
        ++i;
        continue;
      }
      const detail::utf8_step s = detail::decode_utf8(p_ + i, end - i);
      char32_t cp = s.cp;
      if (opt_.fold_punctuation) cp = fold_punct(cp);
      if (opt_.case_fold) cp = detail::fold_case(cp);
      char enc[4];
      buf_.append(enc, detail::encode_utf8(cp, enc));
      i += s.len;
    }
  }

  std::string_view text_;
  const unsigned char* p_;
  std::size_t n_;
  normalize_options opt_;  // a copy: three flags
  utf8_policy policy_;
  bool prev_number_ = false;
  std::string buf_;  // reused for every rewritten token of this call
};

/// Sink of tokenize(): hashes and appends tokens.
class token_sink {
 public:
  explicit token_sink(std::vector<token>& out) noexcept : out_(out) {}
  [[gnu::always_inline]] void emit(token_kind kind, std::size_t begin, std::size_t end,
                                   std::string_view norm, bool ascii_digit) {
    out_.push_back(token{detail::xxh3_64_inline(norm.data(), norm.size(), 0), static_cast<std::uint32_t>(begin),
                         static_cast<std::uint32_t>(end), kind, ascii_digit});
  }
  void extend(std::size_t end) noexcept { out_.back().end = static_cast<std::uint32_t>(end); }

 private:
  std::vector<token>& out_;
};

/// Sink of detail::tokenize_hashes(): token hashes only, and the digit-masked sequence.
class hash_sink {
 public:
  hash_sink(std::vector<std::uint64_t>& hashes, std::vector<std::uint64_t>* masked, std::uint64_t number_token) noexcept
      : hashes_(hashes), masked_(masked), number_token_(number_token) {}
  [[gnu::always_inline]] void emit(token_kind kind, std::size_t /*begin*/, std::size_t /*end*/, std::string_view norm,
                                   bool ascii_digit) {
    const std::uint64_t h = detail::xxh3_64_inline(norm.data(), norm.size(), 0);
    hashes_.push_back(h);
    if (masked_ == nullptr) return;
    if (kind == token_kind::word && ascii_digit) {
      if (!last_number_) masked_->push_back(number_token_);
      last_number_ = true;
    } else {
      masked_->push_back(h);
      last_number_ = false;
    }
  }
  void extend(std::size_t /*end*/) noexcept {}

 private:
  std::vector<std::uint64_t>& hashes_;
  std::vector<std::uint64_t>* masked_;
  std::uint64_t number_token_;
  bool last_number_ = false;
};

/// Sink of normalize(): joins normalised token texts with single spaces.
class text_sink {
 public:
  void emit(token_kind /*kind*/, std::size_t /*begin*/, std::size_t /*end*/, std::string_view norm,
            bool /*ascii_digit*/) {
    if (count_++ != 0) out_.push_back(' ');
    out_.append(norm);
  }
  void extend(std::size_t /*end*/) noexcept {}
  [[nodiscard]] std::string take() noexcept { return std::move(out_); }

 private:
  std::string out_;
  std::size_t count_ = 0;
};

}  // namespace

std::uint64_t token_hash(std::string_view normalized_token) noexcept {
  return detail::xxh3_64(normalized_token.data(), normalized_token.size(), 0);
}

void tokenize(std::string_view text, const normalize_options& options, std::vector<token>& out,
              utf8_policy policy) {
  token_sink sink(out);
  tokenizer t(text, options, policy);
  t.run(sink);
}

namespace detail {

void tokenize_hashes(std::string_view text, const normalize_options& options, utf8_policy policy,
                     std::vector<std::uint64_t>& hashes, std::vector<std::uint64_t>* masked,
                     std::uint64_t number_token) {
  hash_sink sink(hashes, masked, number_token);
  tokenizer t(text, options, policy);
  t.run(sink);
}

}  // namespace detail

std::string normalize(std::string_view text, const normalize_options& options, utf8_policy policy) {
  text_sink sink;
  tokenizer t(text, options, policy);
  t.run(sink);
  return sink.take();
}

}  // namespace dupstrip

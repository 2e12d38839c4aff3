// JSON Lines corpora. simdjson does the parsing: its DOM parser validates every line once while
// indexing (and gives the id and group values), its On Demand parser finds the text field and
// decodes it on every later read. A line with a lone surrogate escape (which simdjson rightly
// rejects, as it cannot become UTF-8) is parsed from a copy where those escapes read \uFFFD
// (same length, so every offset holds), and its strings are decoded by decode_json_string(),
// which keeps the lone surrogate as a generalised-UTF-8 sequence that append_json_text()
// writes back as the same escape.
#include "dupstrip/jsonl.hpp"

#include "dupstrip/html.hpp"
#include "dupstrip/report.hpp"

#include "dupstrip/compress.hpp"
#include "dupstrip/parallel.hpp"
#include "dupstrip/read_window.hpp"
#include "dupstrip/swar.hpp"

#include <simdjson.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <future>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

namespace dupstrip {
namespace fs = std::filesystem;

namespace {

std::error_code errno_code() { return {errno, std::generic_category()}; }

bool hex4(std::string_view s, std::size_t at, unsigned& v) {
  if (at + 4 > s.size()) return false;
  v = 0;
  for (std::size_t k = at; k < at + 4; ++k) {
    const char c = s[k];
    unsigned d = 0;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else return false;
    v = v * 16 + d;
  }
  return true;
}

bool is_high(unsigned v) { return v >= 0xD800 && v <= 0xDBFF; }
bool is_low(unsigned v) { return v >= 0xDC00 && v <= 0xDFFF; }

// Offsets of the four hex digits of every lone surrogate escape inside the strings of `s`.
// Escapes are only valid inside strings, so a backslash outside one makes the line invalid
// JSON whatever is patched: the search can jump from backslash to backslash (memchr).
std::vector<std::size_t> lone_surrogates(std::string_view s) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const void* at = std::memchr(s.data() + i, '\\', s.size() - i);
    if (at == nullptr) break;
    i = static_cast<std::size_t>(static_cast<const char*>(at) - s.data());
    if (i + 1 >= s.size()) break;
    unsigned v = 0;
    if (s[i + 1] != 'u' || !hex4(s, i + 2, v)) {
      ++i;  // a two-character escape
      continue;
    }
    if (is_high(v)) {
      unsigned w = 0;
      if (i + 7 < s.size() && s[i + 6] == '\\' && s[i + 7] == 'u' && hex4(s, i + 8, w) && is_low(w)) {
        i += 11;
        continue;
      }
      out.push_back(i + 2);
    } else if (is_low(v)) {
      out.push_back(i + 2);
    }
    i += 5;
  }
  return out;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {  // surrogates too: the generalised form
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    const unsigned char d = b(i + 1);
    if (c == 0xE0 && d < 0xA0) return 0;  // overlong
    if (c == 0xED && d >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    const unsigned char d = b(i + 1);
    if (c == 0xF0 && d < 0x90) return 0;
    if (c == 0xF4 && d >= 0x90) return 0;
    return 4;
  }
  return 0;
}

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_json_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_jsonl_name(std::string_view name) noexcept {
  auto strip = [&](std::string_view suffix) {
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      name.remove_suffix(suffix.size());
      return true;
    }
    return false;
  };
  if (!strip(".gz")) strip(".zst");
  return strip(".jsonl") || strip(".ndjson");
}

namespace {

namespace swar = detail::swar;

/// A byte JSON text carries as it is: printable ASCII but '"' and '\\'.
constexpr bool json_plain(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x20 && u < 0x7F && c != '"' && c != '\\';
}

/// The end of the run of plain bytes starting at `i`: eight bytes at a time, then one by one.
std::size_t plain_run_end(std::string_view s, std::size_t i) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    while (i + 8 <= s.size()) {
      const std::uint64_t w = swar::load8(s.data() + i);
      const std::uint64_t plain = swar::bytes_in_range(w & swar::low7, 0x20, 0x7E) & swar::ascii_bytes(w) &
                                  ~(swar::bytes_equal(w, '"') | swar::bytes_equal(w, '\\'));
      if (plain != swar::tops) return i + static_cast<std::size_t>(std::countr_zero(~plain & swar::tops)) / 8;
      i += 8;
    }
  }
  while (i < s.size() && json_plain(s[i])) ++i;
  return i;
}

}  // namespace

std::size_t append_json_text(std::string& out, std::string_view s) {
  std::size_t replaced = 0;
  out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (json_plain(c)) {  // a run of characters written as they are, appended at once
      const std::size_t j = plain_run_end(s, i + 1);
      out.append(s.data() + i, j - i);
      i = j;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      case '\b': out += "\\b"; ++i; continue;
      case '\f': out += "\\f"; ++i; continue;
      default: break;
    }
    if (u < 0x20 || u == 0x7F) {
      out += fmt::format("\\u{:04x}", u);
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence(s, i);
    if (len != 0) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    // The generalised-UTF-8 form of a surrogate: ED A0..BF 80..BF.
    if (u == 0xED && i + 2 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0 &&
        (static_cast<unsigned char>(s[i + 2]) & 0xC0) == 0x80) {
      const unsigned cp = 0xD000U | ((static_cast<unsigned char>(s[i + 1]) & 0x3FU) << 6) |
                          (static_cast<unsigned char>(s[i + 2]) & 0x3FU);
      out += fmt::format("\\u{:04x}", cp);
      i += 3;
      continue;
    }
    out += "\xEF\xBF\xBD";
    ++replaced;
    ++i;
  }
  out.push_back('"');
  return replaced;
}

result<std::string> decode_json_string(std::string_view lit) {
  if (lit.size() < 2 || lit.front() != '"' || lit.back() != '"') return errc::bad_format;
  lit = lit.substr(1, lit.size() - 2);
  std::string out;
  out.reserve(lit.size());
  for (std::size_t i = 0; i < lit.size(); ++i) {
    const char c = lit[i];
    if (static_cast<unsigned char>(c) < 0x20 || c == '"') return errc::bad_format;
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= lit.size()) return errc::bad_format;
    switch (lit[i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        unsigned v = 0;
        if (!hex4(lit, i + 1, v)) return errc::bad_format;
        i += 4;
        unsigned w = 0;
        if (is_high(v) && i + 2 < lit.size() && lit[i + 1] == '\\' && lit[i + 2] == 'u' &&
            hex4(lit, i + 3, w) && is_low(w)) {
          append_utf8(out, 0x10000U + ((v - 0xD800U) << 10) + (w - 0xDC00U));
          i += 6;
        } else {
          append_utf8(out, v);
        }
        break;
      }
      default: return errc::bad_format;
    }
  }
  return out;
}

std::string group_key_of(std::string_view v) {
  const std::size_t sep = v.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::string(v);
  for (std::size_t k = 0; k < sep; ++k) {
    const char c = v[k];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (k > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return std::string(v);
  }
  std::string_view host = v.substr(sep + 3);
  host = host.substr(0, host.find_first_of("/?#"));
  if (const std::size_t at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);  // [IPv6]
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.empty()) return std::string(v);
  std::string out(host);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// ------------------------------------------------------------------------------ indexing

// Where an indexer puts what it finds: the source's own lists, or (a part of a file indexed
// on its own thread) lists of the part's, merged into the source's afterwards.
struct jsonl_source::index_target {
  std::vector<record>& records;
  std::string& names;
  std::vector<std::string>& groups;
  std::vector<jsonl_issue>& issues;
  std::uint64_t& bytes;
};

// A part of a file indexed on its own thread (see index_in_parts()).
struct jsonl_source::index_part {
  std::vector<record> records;
  std::string names;
  std::vector<std::string> groups;  // this part's groups, in order of first sight
  std::vector<jsonl_issue> issues;  // lines counted from the part's start
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;          // lines seen (blank ones included)
  std::vector<std::size_t> unnamed;  // records without an id: named once their line is known
  bool go_on = true;
  bool cut_short = false;           // reading stopped inside the part: later parts are not used
  index_target target() { return {records, names, groups, issues, bytes}; }
};

class jsonl_source::indexer {
  // Inputs are read 1 MiB at a time, into a buffer left uninitialised: read() writes it, and
  // zero filling it first cost 256 fresh pages (1-2 ms) even for a one-line input.
  static constexpr std::size_t read_chunk = std::size_t{1} << 20;
  static std::unique_ptr<char[]> read_buffer() { return std::unique_ptr<char[]>(new char[read_chunk]); }

 public:
  indexer(jsonl_source& src, const progress_callback& progress)
      : src_(src),
        progress_(progress),
        to_{src.records_, src.names_, src.groups_, src.issues_, src.bytes_indexed_} {}
  /// An indexer of one part of an input: records without an id are listed in `unnamed` with
  /// no name (their line number is known only once the parts before are counted).
  indexer(jsonl_source& src, index_part& part)
      : src_(src), progress_(no_progress_), to_(part.target()), unnamed_(&part.unnamed) {}

  /// Indexes bytes [begin, end) of input k, read from `fd` (a regular file, not compressed);
  /// `end` is the file's end or just after a line feed. Returns whether to go on, sets `lines`
  /// to the lines seen and `cut_short` when reading stopped before `end` (an error, or the file
  /// ended early): as with one thread, nothing of the input after that point is indexed.
  bool run_range(std::size_t k, int fd, std::uint64_t begin, std::uint64_t end, std::uint64_t& lines,
                 bool& cut_short) {
    cut_short = false;
    begin_input(k, begin);
    const std::unique_ptr<char[]> chunk = read_buffer();
    std::error_code ec;
    for (std::uint64_t at = begin; at < end && !stopped_;) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(read_chunk, end - at));
      const ssize_t r = ::pread(fd, chunk.get(), want, static_cast<off_t>(at));
      if (r < 0) {
        if (errno == EINTR) continue;
        ec = errno_code();
        cut_short = true;
        break;
      }
      if (r == 0) {  // the file is shorter than when it was opened: its end, as one thread sees it
        cut_short = true;
        break;
      }
      feed(std::string_view(chunk.get(), static_cast<std::size_t>(r)));
      at += static_cast<std::uint64_t>(r);
    }
    const bool go_on = end_input(k, ec);
    lines = line_no_;
    return go_on;
  }

  // Reads input k through its decompressor, spooling to `spool_fd` when it is not -1.
  bool run(std::size_t k, int in_fd, int spool_fd, compression c) {
    begin_input(k, 0);
    detail::decompressor dec(c);
    const std::unique_ptr<char[]> chunk = read_buffer();
    const detail::byte_sink sink = [&](std::string_view bytes) -> std::error_code {
      if (spool_fd >= 0) {
        std::size_t off = 0;
        while (off < bytes.size()) {
          const ssize_t w = ::write(spool_fd, bytes.data() + off, bytes.size() - off);
          if (w < 0) {
            if (errno == EINTR) continue;
            return errno_code();
          }
          off += static_cast<std::size_t>(w);
        }
      }
      feed(bytes);
      return stopped_ ? make_error_code(errc::bad_format) : std::error_code{};
    };
    std::error_code ec;
    for (;;) {
      const ssize_t r = ::read(in_fd, chunk.get(), read_chunk);
      if (r < 0) {
        if (errno == EINTR) continue;
        ec = errno_code();
        break;
      }
      if (r == 0) break;
      ec = dec.feed(std::string_view(chunk.get(), static_cast<std::size_t>(r)), sink);
      if (ec) break;
    }
    if (!ec) ec = dec.finish();
    return end_input(k, ec);
  }

 private:
  // Starts input k at byte `offset` of it (a part of a file starts inside it).
  void begin_input(std::size_t k, std::uint64_t offset) {
    input_ = k;
    line_no_ = 0;
    pending_.clear();
    pending_offset_ = offset;
    offset_ = offset;
  }

  // Ends input k after reading stopped with `ec`: a read error is reported (what was read up to
  // it is indexed, the rest is lost), else a last line without a line feed is indexed. Returns
  // whether to go on.
  bool end_input(std::size_t k, const std::error_code& ec) {
    if (stopped_) return false;
    if (ec) {
      to_.issues.push_back({jsonl_issue_kind::input_error, k, line_no_ + 1, ec.message(), ec});
      return !src_.options_.stop_at_first_error;
    }
    if (!pending_.empty()) {
      const std::string last = std::move(pending_);
      pending_.clear();
      line(last, pending_offset_, 0, false);
    }
    return !stopped_;
  }

  jsonl_source& src_;
  const progress_callback& progress_;
  inline static const progress_callback no_progress_{};
  index_target to_;
  std::vector<std::size_t>* unnamed_ = nullptr;
  std::size_t input_ = 0;
  std::uint64_t line_no_ = 0;
  std::string pending_;           // bytes of an unfinished line
  std::string whole_;             // the last line that spanned chunks, with simdjson's padding
  std::uint64_t pending_offset_ = 0;
  std::uint64_t offset_ = 0;      // bytes of this input seen so far
  bool stopped_ = false;
  simdjson::dom::parser parser_;
  std::unordered_map<std::string, std::uint32_t> group_ids_;

 public:
  /// The group id of `name` among the groups this indexer has put in its target (a new one is
  /// added at the end): a part's groups enter the source's in the order the file shows them.
  std::uint32_t group_id(const std::string& name) {
    const auto [it, added] = group_ids_.emplace(name, static_cast<std::uint32_t>(to_.groups.size()));
    if (added) to_.groups.push_back(name);
    return it->second;
  }

  void feed(std::string_view bytes) {
    to_.bytes += bytes.size();
    while (!bytes.empty() && !stopped_) {
      const std::size_t nl = bytes.find('\n');
      if (nl == std::string_view::npos) {
        if (pending_.empty()) pending_offset_ = offset_;
        pending_.append(bytes);
        offset_ += bytes.size();
        return;
      }
      if (pending_.empty()) {
        // The bytes after the line in this view can be read: simdjson's padding, no copy.
        line(bytes.substr(0, nl), offset_, 1, nl + simdjson::SIMDJSON_PADDING <= bytes.size());
      } else {
        // The line is whole in pending_: padded there, and parsed in place. The two buffers
        // swap, so both keep their capacity for the next line that spans chunks.
        pending_.append(bytes.substr(0, nl));
        const std::size_t n = pending_.size();
        pending_.resize(n + simdjson::SIMDJSON_PADDING, ' ');
        whole_.swap(pending_);
        pending_.clear();
        line(std::string_view(whole_.data(), n), pending_offset_, 1, true);
      }
      offset_ += nl + 1;
      bytes.remove_prefix(nl + 1);
    }
  }

  void issue(jsonl_issue_kind kind, std::string message) {
    to_.issues.push_back({kind, input_, line_no_, std::move(message), {}});
    if (kind == jsonl_issue_kind::malformed_line && src_.options_.stop_at_first_error) stopped_ = true;
  }

  std::string value_text(simdjson::dom::element el) {
    std::string_view sv;
    if (el.get_string().get(sv) == simdjson::SUCCESS) return std::string(sv);
    return simdjson::minify(el);
  }

  // One line without its "\n" (terminator: 1 when there was one, 0 for a last line); padded:
  // simdjson::SIMDJSON_PADDING bytes after it can be read, so it is parsed where it is.
  void line(std::string_view text, std::uint64_t offset, int terminator, bool padded) {
    ++line_no_;
    std::uint8_t flags = 0;
    if (terminator != 0) {
      flags |= newline_flag;
      if (!text.empty() && text.back() == '\r') {
        text.remove_suffix(1);
        flags |= crlf_flag;
      }
    }
    if (line_no_ % 4096 == 0 && progress_) progress_({"index", to_.records.size(), 0, to_.bytes});
    if (std::all_of(text.begin(), text.end(), is_json_space)) return;  // blank: not a record
    if (text.size() >= (std::uint64_t{1} << 32)) {
      issue(jsonl_issue_kind::malformed_line, "line longer than 4 GiB");
      return;
    }
    simdjson::dom::element doc;
    auto err = parser_.parse(text.data(), text.size(), !padded).get(doc);
    // simdjson rejects an escaped lone surrogate (a unit test holds it to that), so only a line
    // it rejects is searched for them; one that has some is parsed with U+FFFD in their place.
    std::vector<std::size_t> lone;
    std::string patched;
    if (err) lone = lone_surrogates(text);
    if (!lone.empty()) {
      patched.assign(text);
      for (const std::size_t at : lone) patched.replace(at, 4, "fffd");
      flags |= surrogate_flag;
      err = parser_.parse(patched.data(), patched.size(), true).get(doc);
    }
    if (err) {
      issue(jsonl_issue_kind::malformed_line, fmt::format("invalid JSON: {}", simdjson::error_message(err)));
      return;
    }
    simdjson::dom::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) {
      issue(jsonl_issue_kind::malformed_line, "not a JSON object");
      return;
    }
    const jsonl_options& o = src_.options_;
    bool have_text = false;
    bool have_id = false;
    bool have_group = false;
    std::string id;
    std::string group;
    for (const simdjson::dom::key_value_pair field : obj) {
      if (!have_text && field.key == o.text_field) {
        if (!field.value.is_string()) {
          issue(jsonl_issue_kind::malformed_line, fmt::format("\"{}\" is not a string", o.text_field));
          return;
        }
        have_text = true;
      } else if (!have_id && field.key == o.id_field) {
        id = value_text(field.value);
        have_id = true;
      } else if (!have_group && !o.group_field.empty() && field.key == o.group_field) {
        group = field.value.is_null() ? std::string() : group_key_of(value_text(field.value));
        have_group = true;
      }
    }
    if (!have_text) {
      issue(jsonl_issue_kind::malformed_line, fmt::format("no \"{}\" field", o.text_field));
      return;
    }
    if (!lone.empty())
      issue(jsonl_issue_kind::lone_surrogate,
            fmt::format("lone surrogate escape \\u{}, kept as written", text.substr(lone.front(), 4)));
    if (!have_id && unnamed_ == nullptr) id = fmt::format("{}:{}", src_.inputs_[input_].name, line_no_);
    if (!have_id && unnamed_ != nullptr) unnamed_->push_back(to_.records.size());
    if (have_id) flags |= has_id_flag;
    const std::uint32_t group_index = group_id(group);
    record r{};
    r.offset = offset;
    r.line = line_no_;
    r.name_begin = to_.names.size();
    r.length = static_cast<std::uint32_t>(text.size());
    r.name_length = static_cast<std::uint32_t>(id.size());
    r.input = static_cast<std::uint32_t>(input_);
    r.group = group_index;
    r.flags = flags;
    to_.names += id;
    to_.records.push_back(r);
  }
};

bool jsonl_source::index_in_parts(indexer& main, std::size_t k, int fd, std::uint64_t size, unsigned parts) {
  // Part boundaries: just after the first line feed at or past each even share of the file
  // (a part holds whole lines; a boundary that finds no line feed merges two parts).
  std::vector<std::uint64_t> cut{0};
  std::string window(64U << 10, '\0');
  for (unsigned t = 1; t < parts; ++t) {
    std::uint64_t at = std::max(cut.back(), size * t / parts);
    bool found = false;
    while (!found && at < size) {
      const ssize_t r = ::pread(fd, window.data(), window.size(), static_cast<off_t>(at));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      const void* nl = std::memchr(window.data(), '\n', static_cast<std::size_t>(r));
      if (nl != nullptr) {
        at += static_cast<std::uint64_t>(static_cast<const char*>(nl) - window.data()) + 1;
        found = true;
      } else {
        at += static_cast<std::uint64_t>(r);
      }
    }
    if (found && at < size && at > cut.back()) cut.push_back(at);
  }
  cut.push_back(size);
  std::vector<index_part> got(cut.size() - 1);
  detail::parallel_for(got.size(), static_cast<unsigned>(got.size()), 1, [&](unsigned, std::size_t p) {
    indexer part(*this, got[p]);
    got[p].go_on = part.run_range(k, fd, cut[p], cut[p + 1], got[p].lines, got[p].cut_short);
  });
  // In file order, as one indexer would have put them: line numbers counted on from the parts
  // before, groups numbered in order of first sight, names of records without an id made now.
  std::uint64_t line_base = 0;
  for (index_part& part : got) {
    for (jsonl_issue& is : part.issues) {
      if (is.line != 0) is.line += line_base;
      issues_.push_back(std::move(is));
    }
    std::vector<std::uint32_t> group_of(part.groups.size());
    for (std::size_t g = 0; g < part.groups.size(); ++g) group_of[g] = main.group_id(part.groups[g]);
    const std::uint64_t names_base = names_.size();
    names_ += part.names;
    const std::size_t first = records_.size();
    for (record r : part.records) {
      r.line += line_base;
      r.name_begin += names_base;
      r.group = group_of[r.group];
      records_.push_back(r);
    }
    for (const std::size_t u : part.unnamed) {
      record& r = records_[first + u];
      const std::string id = fmt::format("{}:{}", inputs_[k].name, r.line);
      r.name_begin = names_.size();
      r.name_length = static_cast<std::uint32_t>(id.size());
      names_ += id;
    }
    bytes_indexed_ += part.bytes;
    line_base += part.lines;
    if (!part.go_on) return false;
    if (part.cut_short) break;  // what one thread would not have read
  }
  return true;
}

namespace {

// Read-ahead (read_window.hpp): a thread that reads record i right after record i - 1 also
// reads the records that follow in the same file (blank or malformed lines between them are
// read too), up to read_ahead_records records and read_ahead_bytes, with one pread. Records
// never change once indexed, so a window can only be stale if the file changed, and a new pass
// drops it. Scattered reads (a later content round, a review) read one record a call, as
// before; a run that stops early wastes at most one window.
constexpr std::size_t read_ahead_records = 16;
constexpr std::uint64_t read_ahead_bytes = std::uint64_t{256} << 10;
thread_local detail::read_window window;

// pread until n bytes or the end of the file; returns the bytes read or -1 (errno set).
ssize_t pread_full(int fd, char* p, std::size_t n, std::uint64_t at) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t k = ::pread(fd, p + got, n - got, static_cast<off_t>(at + got));
    if (k < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (k == 0) break;
    got += static_cast<std::size_t>(k);
  }
  return static_cast<ssize_t>(got);
}

}  // namespace

jsonl_source::jsonl_source(std::vector<jsonl_input> inputs, jsonl_options options,
                           const progress_callback& progress)
    : inputs_(std::move(inputs)), options_(std::move(options)), serial_(detail::new_window_owner()) {
  fds_.assign(inputs_.size(), -1);
  indexer idx(*this, progress);
  for (std::size_t k = 0; k < inputs_.size(); ++k) {
    const jsonl_input& in = inputs_[k];
    int in_fd = 0;
    bool own_in = false;
    if (!in.path.empty()) {
      in_fd = ::open(in.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (in_fd < 0) {
        const std::error_code ec = errno_code();
        issues_.push_back({jsonl_issue_kind::input_error, k, 0, ec.message(), ec});
        if (options_.stop_at_first_error) break;
        continue;
      }
      own_in = true;
    }
    struct stat st {};
    if (::fstat(in_fd, &st) != 0 || S_ISDIR(st.st_mode)) {
      const std::error_code ec = S_ISDIR(st.st_mode) ? std::make_error_code(std::errc::is_a_directory) : errno_code();
      issues_.push_back({jsonl_issue_kind::input_error, k, 0, ec.message(), ec});
      if (own_in) ::close(in_fd);
      if (options_.stop_at_first_error) break;
      continue;
    }
    const compression c = in.path.empty() ? compression::none : compression_for(in.name);
    const bool spool = in.path.empty() || !S_ISREG(st.st_mode) || c != compression::none;
    int spool_fd = -1;
    if (spool) {
      std::error_code ec;
      spool_fd = open_unlinked_temporary(options_.temp_dir, ec);
      if (spool_fd < 0) {
        issues_.push_back({jsonl_issue_kind::input_error, k, 0,
                           fmt::format("cannot create a temporary file: {}", ec.message()), ec});
        if (own_in) ::close(in_fd);
        if (options_.stop_at_first_error) break;
        continue;
      }
    }
    const std::uint64_t per_part = std::uint64_t{4} << 20;  // smaller files: one thread
    const unsigned parts = spool ? 1U
                                 : static_cast<unsigned>(std::clamp<std::uint64_t>(
                                       static_cast<std::uint64_t>(st.st_size) / per_part, 1, std::max(1U, options_.jobs)));
    const bool go_on = parts > 1 ? index_in_parts(idx, k, in_fd, static_cast<std::uint64_t>(st.st_size), parts)
                                 : idx.run(k, in_fd, spool_fd, c);
    if (spool) {
      if (own_in) ::close(in_fd);
      fds_[k] = spool_fd;
    } else {
      fds_[k] = in_fd;  // read again in place (never written)
    }
    if (!go_on) break;
  }
  if (progress) progress({"index", records_.size(), 0, bytes_indexed_});
}

jsonl_source::~jsonl_source() {
  for (const int fd : fds_)
    if (fd >= 0) ::close(fd);
}

std::string_view jsonl_source::name(std::size_t i) const {
  return std::string_view(names_).substr(records_[i].name_begin, records_[i].name_length);
}

std::string_view jsonl_source::group(std::size_t i) const { return groups_[records_[i].group]; }

std::string jsonl_source::where(std::size_t i) const {
  return fmt::format("{}:{}", inputs_[records_[i].input].name, records_[i].line);
}

result<jsonl_record_line> jsonl_source::read_record(std::size_t i, bool decode, std::string_view field) const {
  jsonl_record_line out;
  if (const std::error_code ec = read_record_into(i, out, decode, field)) return ec;
  return out;
}

std::error_code jsonl_source::read_record_into(std::size_t i, jsonl_record_line& out, bool decode,
                                               std::string_view field) const {
  out.text.clear();
  if (const std::error_code ec = read_into(i, decode, out.line, out, field)) return ec;
  out.line.resize(records_[i].length);  // keeps the capacity, padding included
  return {};
}

std::error_code jsonl_source::read_into(std::size_t i, bool decode, std::string& line, jsonl_record_line& out,
                                        std::string_view field) const {
  const record& r = records_[i];
  const int fd = fds_[r.input];
  // The line is read once, into `line` with simdjson's padding after it, and parsed there: no
  // second buffer. A line with lone surrogates is parsed from a patched copy.
  if (line.size() < r.length + simdjson::SIMDJSON_PADDING) line.resize(r.length + simdjson::SIMDJSON_PADDING);
  detail::read_window& w = window;
  const bool follows = w.note_read(serial_, i);
  if (const unsigned char* held = w.find(serial_, r.input, r.offset, r.length)) {
    std::memcpy(line.data(), held, r.length);
  } else {
    // The records after i that the window takes (see read_ahead_records).
    std::uint64_t end = r.offset + r.length;
    if (follows) {
      for (std::size_t j = i + 1; j < records_.size() && j <= i + read_ahead_records; ++j) {
        const record& q = records_[j];
        if (q.input != r.input || q.offset < end || q.offset + q.length - r.offset > read_ahead_bytes) break;
        end = q.offset + q.length;
      }
    }
    if (end == r.offset + r.length) {  // this record alone: straight into `line`
      const ssize_t n = pread_full(fd, line.data(), r.length, r.offset);
      if (n < 0) return errno_code();
      if (static_cast<std::size_t>(n) < r.length) return errc::changed_during_run;
    } else {
      // A file cut short leaves fewer bytes in the window: only whole records in it count.
      const unsigned char* got = w.fill(serial_, r.input, r.offset, static_cast<std::size_t>(end - r.offset),
                                        [&](unsigned char* buf, std::size_t want) {
                                          return pread_full(fd, reinterpret_cast<char*>(buf), want, r.offset);
                                        });
      if (got == nullptr) return errno_code();
      if (w.held() < r.length) return errc::changed_during_run;
      std::memcpy(line.data(), got, r.length);
    }
  }
  out.terminator = (r.flags & crlf_flag) != 0 ? "\r\n" : (r.flags & newline_flag) != 0 ? "\n" : "";
  const bool surrogates = (r.flags & surrogate_flag) != 0;
  simdjson::padded_string patched;
  if (surrogates) {
    patched = simdjson::padded_string(line.data(), r.length);
    for (const std::size_t at : lone_surrogates(std::string_view(line.data(), r.length)))
      std::memcpy(patched.data() + at, "fffd", 4);
  }
  const char* const buf = surrogates ? patched.data() : line.data();
  thread_local simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(buf, r.length, line.size()).get(doc) != simdjson::SUCCESS) return errc::bad_format;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return errc::bad_format;
  // The text field, and `field` when asked for, in one pass over the record.
  bool have_text = false;
  bool want_field = !field.empty() && field != options_.text_field;
  out.field_begin = std::string::npos;
  for (auto member : obj) {
    std::string_view key;
    if (member.unescaped_key().get(key) != simdjson::SUCCESS) return errc::bad_format;
    const bool is_text = !have_text && key == options_.text_field;
    const bool is_field = want_field && key == field;
    if (!is_text && !is_field) continue;
    simdjson::ondemand::value v;
    if (member.value().get(v) != simdjson::SUCCESS) return errc::bad_format;
    const std::string_view raw = trim_right(v.raw_json_token());
    const std::size_t begin = static_cast<std::size_t>(raw.data() - buf);
    if (is_field) {
      out.field_begin = begin;
      out.field_end = begin + raw.size();
      want_field = false;
      if (have_text) return {};
      continue;
    }
    out.text_begin = begin;
    out.text_end = begin + raw.size();
    have_text = true;
    if (decode) {
      if (surrogates) {
        auto decoded = decode_json_string(std::string_view(line.data(), r.length).substr(out.text_begin, raw.size()));
        if (!decoded.has_value()) return decoded.error();
        out.text = std::move(decoded).value();
      } else {
        std::string_view text;
        if (v.get_string().get(text) != simdjson::SUCCESS) return errc::bad_format;
        out.text.assign(text);
      }
    }
    if (!want_field) return {};
  }
  return have_text ? std::error_code{} : make_error_code(errc::bad_format);  // no text: the file changed since indexing
}

result<std::string> jsonl_source::read(std::size_t i) const {
  thread_local std::string line;  // reused: a big record does not cost fresh pages each read
  jsonl_record_line rec;
  if (const std::error_code ec = read_into(i, true, line, rec)) return ec;
  if (line.capacity() > (std::size_t{64} << 20U)) std::string().swap(line);  // no giant buffer kept
  return std::move(rec.text);
}

}  // namespace dupstrip

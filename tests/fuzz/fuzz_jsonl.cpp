// Fuzzing of the JSON Lines layer: arbitrary bytes indexed as one JSONL stream by jsonl_source,
// read back, and written again by write_jsonl.
//
// Input: byte 0 chooses options (bits 0-1: the text field "text", "t", "" or "body"; bit 2:
// stop at the first malformed line; bit 3: group field "url"; bits 4-5: the stream's name ends
// in .jsonl, .jsonl.gz, .jsonl.zst, .ndjson, so that compressed inputs are tried too); the rest
// is the stream. It is handed to the library as a memfd (/proc/self/fd/N), no file on disk.
//
// Properties (doc/json.md "JSONL" and include/dupstrip/jsonl.hpp):
// - never crashes; every issue names input 0 and a line of the stream;
// - uncompressed streams, against an independent reference parser of each line: a blank line
//   is nothing; a line the reference rejects is a malformed_line issue with its line number and
//   no record; a line it accepts (an object whose first "<text field>" member is a string) is a
//   record with that line number; records and issues come in line order; with stop-at-first-
//   error nothing after the first malformed line is indexed. (Lines whose numbers have an
//   exponent or more than 15 digits, or nest deeper than 1000, are not ruled on: simdjson's
//   range limits are its own.) A line holding a lone \uD800..\uDFFF escape gets a
//   lone_surrogate warning;
// - read_record(i) gives the line byte for byte without its terminator, the terminator, the
//   text value's exact place in the line and its decoded text (surrogate pairs as 4-byte UTF-8,
//   lone surrogates as the generalised 3-byte form ED A0..BF xx); read(i) is the same text;
//   the record's name is its string id or "<input>:<line>";
// - every decoded text is written by append_json_text with no U+FFFD replacement and decodes
//   back to itself: decode(encode(decode(x))) == decode(x) (lone surrogates included);
// - write_jsonl with every record kept and nothing removed writes, per record, the line with
//   only the text value replaced by append_json_text(text) (every other byte untouched) and
//   its own terminator ("\n" for a last line without one); a line whose literal is already in
//   that canonical form comes out byte for byte; every output line is a record with the same
//   text (reference parser; when a lone surrogate is involved the library indexes the output
//   too, and writing it again gives the same bytes: the writer is idempotent);
// - annotate: every record comes out as its line with one member inserted before the final
//   '}', and parses to the same text.
// (Each jsonl_source allocates a 1 MiB read buffer, which dominates the time of a run under
// ASan, hence the reference parser rather than the library for most re-reads.)
#include "fuzz_check.hpp"

#include <dupstrip/jsonl.hpp>
#include <dupstrip/pipeline.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

using namespace dupstrip;

// ------------------------------------------------------------------ reference line parser

bool json_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Length of a well-formed UTF-8 sequence at s[i] (Unicode Table 3-7), or 0.
std::size_t utf8_len(std::string_view s, std::size_t i) {
  const auto at = [&](std::size_t k) -> unsigned { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0x100U; };
  const unsigned c = at(i);
  const auto in = [&](std::size_t k, unsigned lo, unsigned hi) { return at(k) >= lo && at(k) <= hi; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return in(i + 1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return in(i + 1, 0xA0, 0xBF) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return in(i + 1, 0x80, 0xBF) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xED) return in(i + 1, 0x80, 0x9F) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) return in(i + 1, 0x90, 0xBF) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return in(i + 1, 0x80, 0xBF) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
  if (c == 0xF4) return in(i + 1, 0x80, 0x8F) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

void put_code_point(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0U | (cp >> 6));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0U | (cp >> 12));
    out += static_cast<char>(0x80U | ((cp >> 6) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else {
    out += static_cast<char>(0xF0U | (cp >> 18));
    out += static_cast<char>(0x80U | ((cp >> 12) & 0x3FU));
    out += static_cast<char>(0x80U | ((cp >> 6) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  }
}

struct ref_line {
  bool decided = true;       // false: the reference does not rule (numbers, depth)
  bool record = false;       // a record (else a malformed line)
  std::size_t text_begin = 0, text_end = 0;  // the text value's literal, quotes included
  std::string text;          // its decoded bytes
  bool lone_surrogate = false;
  bool has_id = false;
  bool id_is_string = false;
  std::string id;            // decoded, when id_is_string
};

class ref_parser {
 public:
  ref_parser(std::string_view s, const std::string& text_field) : s_(s), text_field_(text_field) {}

  ref_line run() {
    ref_line r;
    ws();
    bool ok = peek() == '{' && object(r, 1, true);
    if (ok) {
      ws();
      ok = p_ == s_.size();
    }
    r.decided = decided_;
    r.lone_surrogate = lone_;
    r.record = ok && have_text_ && text_is_string_;
    return r;
  }

 private:
  std::string_view s_;
  const std::string& text_field_;
  std::size_t p_ = 0;
  bool decided_ = true;
  bool lone_ = false;
  bool have_text_ = false;
  bool text_is_string_ = false;

  [[nodiscard]] int peek() const { return p_ < s_.size() ? static_cast<unsigned char>(s_[p_]) : -1; }
  void ws() {
    while (p_ < s_.size() && json_space(s_[p_])) ++p_;
  }
  bool hex(unsigned& v) {
    if (p_ + 4 > s_.size()) return false;
    v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[p_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else return false;
    }
    return true;
  }
  // At '"'; decodes into out.
  bool string(std::string& out) {
    ++p_;
    while (true) {
      if (p_ >= s_.size()) return false;
      const auto c = static_cast<unsigned char>(s_[p_]);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        const std::size_t n = utf8_len(s_, p_);
        if (n == 0) return false;
        out.append(s_.substr(p_, n));
        p_ += n;
        continue;
      }
      if (c != '\\') {
        out += static_cast<char>(c);
        ++p_;
        continue;
      }
      ++p_;
      if (p_ >= s_.size()) return false;
      const char e = s_[p_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned v = 0;
          if (!hex(v)) return false;
          if (v >= 0xD800 && v <= 0xDBFF) {
            const std::size_t save = p_;
            unsigned w = 0;
            if (p_ + 1 < s_.size() && s_[p_] == '\\' && s_[p_ + 1] == 'u') {
              p_ += 2;
              if (hex(w) && w >= 0xDC00 && w <= 0xDFFF) {
                put_code_point(out, 0x10000U + ((v - 0xD800U) << 10U) + (w - 0xDC00U));
                break;
              }
            }
            p_ = save;
            lone_ = true;
          } else if (v >= 0xDC00 && v <= 0xDFFF) {
            lone_ = true;
          }
          put_code_point(out, v);
          break;
        }
        default: return false;
      }
    }
  }
  bool number() {
    std::size_t digits = 0;
    if (peek() == '-') ++p_;
    if (peek() == '0') {
      ++p_;
      ++digits;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') {
        ++p_;
        ++digits;
      }
    } else {
      return false;
    }
    if (peek() == '.') {
      ++p_;
      if (!(peek() >= '0' && peek() <= '9')) return false;
      while (peek() >= '0' && peek() <= '9') {
        ++p_;
        ++digits;
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      decided_ = false;  // range limits are simdjson's own
      ++p_;
      if (peek() == '+' || peek() == '-') ++p_;
      if (!(peek() >= '0' && peek() <= '9')) return false;
      while (peek() >= '0' && peek() <= '9') ++p_;
    }
    if (digits > 15) decided_ = false;
    return true;
  }
  bool literal(std::string_view w) {
    if (s_.substr(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }
  bool value(int depth) {
    if (depth > 1000) decided_ = false;
    if (depth > 5000) return false;  // (stack) far beyond simdjson's 1024 anyway
    switch (peek()) {
      case '{': {
        ref_line unused;
        return object(unused, depth + 1, false);
      }
      case '[': {
        ++p_;
        ws();
        if (peek() == ']') {
          ++p_;
          return true;
        }
        while (true) {
          ws();
          if (!value(depth + 1)) return false;
          ws();
          if (peek() == ',') {
            ++p_;
            continue;
          }
          if (peek() == ']') {
            ++p_;
            return true;
          }
          return false;
        }
      }
      case '"': {
        std::string ignored;
        return string(ignored);
      }
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }
  // At '{'. At the top level, records the text and id members.
  bool object(ref_line& r, int depth, bool top) {
    ++p_;
    ws();
    if (peek() == '}') {
      ++p_;
      return true;
    }
    while (true) {
      ws();
      if (peek() != '"') return false;
      std::string key;
      if (!string(key)) return false;
      ws();
      if (peek() != ':') return false;
      ++p_;
      ws();
      const std::size_t vb = p_;
      const bool is_text = top && !have_text_ && key == text_field_;
      const bool is_id = top && !is_text && !r.has_id && key == "id";
      if (peek() == '"' && (is_text || is_id)) {
        std::string v;
        if (!string(v)) return false;
        if (is_text) {
          r.text_begin = vb;
          r.text_end = p_;
          r.text = std::move(v);
          text_is_string_ = true;
        } else {
          r.id = std::move(v);
          r.id_is_string = true;
        }
      } else if (!value(depth)) {
        return false;
      }
      if (is_text) have_text_ = true;
      if (is_id) r.has_id = true;
      ws();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      if (peek() == '}') {
        ++p_;
        return true;
      }
      return false;
    }
  }
};

// ------------------------------------------------------------------ helpers

struct line_ref {
  std::string_view text;        // without terminator ("\r" of "\r\n" removed)
  std::string_view terminator;  // "\n", "\r\n" or ""
  std::uint64_t number;         // 1-based
};

std::vector<line_ref> split(std::string_view s) {
  std::vector<line_ref> out;
  std::uint64_t n = 0;
  while (!s.empty()) {
    const std::size_t nl = s.find('\n');
    ++n;
    if (nl == std::string_view::npos) {
      out.push_back({s, {}, n});
      break;
    }
    std::string_view t = s.substr(0, nl);
    std::string_view term = "\n";
    if (!t.empty() && t.back() == '\r') {
      t.remove_suffix(1);
      term = "\r\n";
    }
    out.push_back({t, term, n});
    s.remove_prefix(nl + 1);
  }
  return out;
}

bool blank(std::string_view s) {
  for (const char c : s)
    if (!json_space(c)) return false;
  return true;
}

// An anonymous in-memory file holding `bytes`; -1 when memfd is unavailable.
int memory_file(std::string_view bytes) {
  const int fd = ::memfd_create("fuzz_jsonl", MFD_CLOEXEC);
  if (fd < 0) return -1;
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + off, bytes.size() - off);
    FUZZ_CHECK(w > 0);
    off += static_cast<std::size_t>(w);
  }
  return fd;
}

struct indexed {
  int fd;
  jsonl_source src;
  indexed(int f, const std::string& name, const jsonl_options& o)
      : fd(f), src({{name, "/proc/self/fd/" + std::to_string(f)}}, o) {}
  ~indexed() { ::close(fd); }
  indexed(const indexed&) = delete;
  indexed& operator=(const indexed&) = delete;
};

std::string write_all(const jsonl_source& src, bool annotate) {
  analysis a;
  a.docs.resize(src.size());
  for (std::size_t i = 0; i < src.size(); ++i) {
    auto t = src.read(i);
    FUZZ_CHECK(t.has_value());
    a.docs[i].bytes = t.value().size();
    a.docs[i].kept_bytes = static_cast<std::uint32_t>(t.value().size());
  }
  jsonl_output_options o;
  o.text_field = src.options().text_field;
  o.annotate = annotate;
  std::string out;
  std::vector<jsonl_replacement> replaced;
  const std::error_code ec = write_jsonl(
      src, a, o,
      [&](std::string_view b) {
        out.append(b);
        return std::error_code{};
      },
      1, {}, &replaced);
  FUZZ_CHECK(!ec);
  FUZZ_CHECK(replaced.empty());
  for (const doc_result& d : a.docs) FUZZ_CHECK(d.status == doc_status::kept);
  return out;
}

std::vector<std::string> texts_of(const jsonl_source& src) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < src.size(); ++i) out.push_back(src.read(i).value());
  return out;
}

std::size_t malformed_count(const jsonl_source& src) {
  std::size_t n = 0;
  for (const jsonl_issue& is : src.issues()) n += is.kind == jsonl_issue_kind::lone_surrogate ? 0 : 1;
  return n;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && json_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t opt = data[0];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* const text_fields[] = {"text", "t", "", "body"};
  static const char* const names[] = {"in.jsonl", "in.jsonl.gz", "in.jsonl.zst", "in.ndjson"};
  jsonl_options o;
  o.text_field = text_fields[opt & 3U];
  o.stop_at_first_error = (opt & 4U) != 0;
  if ((opt & 8U) != 0) o.group_field = "url";
  const std::string name = names[(opt >> 4U) & 3U];
  const bool compressed = name.size() > 9;  // .gz / .zst

  const int fd = memory_file(stream);
  if (fd < 0) return 0;
  const indexed in(fd, name, o);
  const jsonl_source& src = in.src;

  // Issues are well-formed in every case.
  std::uint64_t prev_line = 0;
  for (const jsonl_issue& is : src.issues()) {
    FUZZ_CHECK(is.input == 0);
    FUZZ_CHECK(!is.message.empty());
    if (is.kind != jsonl_issue_kind::input_error) {
      FUZZ_CHECK(is.line >= 1);
      FUZZ_CHECK(is.line >= prev_line);
      prev_line = is.line;
    }
  }
  // Records read back in every case; their texts survive encoding.
  std::vector<jsonl_record_line> recs;
  for (std::size_t i = 0; i < src.size(); ++i) {
    FUZZ_CHECK(src.input_of(i) == 0);
    FUZZ_CHECK(i == 0 || src.line_of(i) > src.line_of(i - 1));
    auto r = src.read_record(i);
    FUZZ_CHECK(r.has_value());
    jsonl_record_line rec = std::move(r).value();
    FUZZ_CHECK(rec.text_begin < rec.text_end && rec.text_end <= rec.line.size());
    FUZZ_CHECK(rec.line[rec.text_begin] == '"' && rec.line[rec.text_end - 1] == '"');
    const std::string_view literal = std::string_view(rec.line).substr(rec.text_begin, rec.text_end - rec.text_begin);
    auto lib_decoded = decode_json_string(literal);
    FUZZ_CHECK(lib_decoded.has_value());
    FUZZ_CHECK(lib_decoded.value() == rec.text);
    auto plain = src.read(i);
    FUZZ_CHECK(plain.has_value() && plain.value() == rec.text);
    std::string encoded;
    FUZZ_CHECK(append_json_text(encoded, rec.text) == 0);
    auto again = decode_json_string(encoded);
    FUZZ_CHECK(again.has_value() && again.value() == rec.text);  // decode(encode(decode(x))) == decode(x)
    std::string encoded2;
    FUZZ_CHECK(append_json_text(encoded2, again.value()) == 0);
    FUZZ_CHECK(encoded2 == encoded);
    if (!src.has_id(i)) FUZZ_CHECK(src.name(i) == name + ":" + std::to_string(src.line_of(i)));
    recs.push_back(std::move(rec));
  }

  if (!compressed) {
    FUZZ_CHECK(src.bytes_indexed() == stream.size());
    const std::vector<line_ref> lines = split(stream);
    std::size_t next_rec = 0;
    std::size_t next_issue = 0;
    bool stopped = false;
    for (const line_ref& l : lines) {
      if (stopped) break;
      if (blank(l.text)) {
        FUZZ_CHECK(next_rec >= src.size() || src.line_of(next_rec) != l.number);
        continue;
      }
      const ref_line ref = ref_parser(l.text, o.text_field).run();
      const bool is_rec = next_rec < src.size() && src.line_of(next_rec) == l.number;
      if (ref.decided) FUZZ_CHECK(is_rec == ref.record);
      if (is_rec) {
        const jsonl_record_line& rec = recs[next_rec];
        FUZZ_CHECK(rec.line == l.text);
        FUZZ_CHECK(rec.terminator == l.terminator);
        FUZZ_CHECK(rec.text_begin == ref.text_begin && rec.text_end == ref.text_end);
        FUZZ_CHECK(rec.text == ref.text);
        FUZZ_CHECK(src.has_id(next_rec) == ref.has_id);
        if (ref.id_is_string && !ref.lone_surrogate) FUZZ_CHECK(src.name(next_rec) == ref.id);
        if (ref.lone_surrogate) {
          FUZZ_CHECK(next_issue < src.issues().size());
          FUZZ_CHECK(src.issues()[next_issue].kind == jsonl_issue_kind::lone_surrogate);
          FUZZ_CHECK(src.issues()[next_issue].line == l.number);
          ++next_issue;
        }
        ++next_rec;
      } else {
        FUZZ_CHECK(next_issue < src.issues().size());
        const jsonl_issue& is = src.issues()[next_issue];
        FUZZ_CHECK(is.kind == jsonl_issue_kind::malformed_line);
        FUZZ_CHECK(is.line == l.number);
        ++next_issue;
        if (o.stop_at_first_error) stopped = true;
      }
    }
    FUZZ_CHECK(next_rec == src.size());
    FUZZ_CHECK(next_issue == src.issues().size());
  }

  // The writer: every byte but the text value's untouched, canonical literals byte for byte.
  const std::string out = write_all(src, false);
  std::string expected;
  for (const jsonl_record_line& rec : recs) {
    const std::string_view line(rec.line);
    std::string replaced(line.substr(0, rec.text_begin));
    append_json_text(replaced, rec.text);
    replaced.append(line.substr(rec.text_end));
    std::string canonical;
    append_json_text(canonical, rec.text);
    if (canonical == line.substr(rec.text_begin, rec.text_end - rec.text_begin)) FUZZ_CHECK(replaced == line);
    expected += replaced;
    expected += rec.terminator.empty() ? std::string_view("\n") : rec.terminator;
  }
  FUZZ_CHECK(out == expected);
  if (src.size() == 0) return 0;

  // Every output line is a record with the same text (by the reference parser, which is cheap;
  // the library re-indexes the output too when a lone surrogate is involved), and the writer is
  // idempotent: writing the re-indexed output again gives the same bytes.
  const std::vector<line_ref> out_lines = split(out);
  FUZZ_CHECK(out_lines.size() == recs.size());
  bool any_lone = false;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const ref_line ref = ref_parser(out_lines[i].text, o.text_field).run();
    if (ref.decided) FUZZ_CHECK(ref.record);
    if (ref.record) FUZZ_CHECK(ref.text == recs[i].text);
    any_lone = any_lone || ref.lone_surrogate;
  }
  jsonl_options o2 = o;
  o2.stop_at_first_error = false;
  if (any_lone) {
    const int fd2 = memory_file(out);
    if (fd2 < 0) return 0;
    const indexed back(fd2, "out.jsonl", o2);
    FUZZ_CHECK(malformed_count(back.src) == 0);
    FUZZ_CHECK(texts_of(back.src) == texts_of(src));
    FUZZ_CHECK(write_all(back.src, false) == out);
  }

  // Annotate: each line with one member inserted before its closing brace, the same text.
  const std::string ann = write_all(src, true);
  std::size_t pos = 0;
  for (const jsonl_record_line& rec : recs) {
    const std::string_view line(rec.line);
    const std::size_t close = trim_right(line).size() - 1;
    FUZZ_CHECK(line[close] == '}');
    FUZZ_CHECK(std::string_view(ann).substr(pos, close) == line.substr(0, close));
    const std::string tail = std::string(line.substr(close)) +
                             std::string(rec.terminator.empty() ? std::string_view("\n") : rec.terminator);
    const std::size_t end = ann.find('\n', pos) + 1;
    FUZZ_CHECK(end > pos && end - pos >= close + tail.size());
    FUZZ_CHECK(std::string_view(ann).substr(end - tail.size(), tail.size()) == tail);
    const std::string_view ann_line = std::string_view(ann).substr(pos, end - pos - tail.size() + line.size() - close);
    const ref_line ref = ref_parser(ann_line, o.text_field).run();
    if (ref.decided) FUZZ_CHECK(ref.record);
    if (ref.record) FUZZ_CHECK(ref.text == rec.text);
    pos = end;
  }
  FUZZ_CHECK(pos == ann.size());
  return 0;
}

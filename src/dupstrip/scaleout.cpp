// The scale-out steps (scaleout.hpp) and their files (doc/scaleout.md). The algorithm is entirely
// in engine.cpp; this file only moves its records through files:
//
//   file    = magic "DUPSTRIP", kind (4 bytes: SCAN, CONT, STAT), u32 version, sections...
//   section = tag (4 bytes), u32 aux, u64 length, payload, u64 XXH3-64(payload, seed = length)
//   the last section is "END " (aux = number of sections before it) holding the XXH3-64 of the
//   checksums of all sections before it: a truncated file has no END, a corrupt one fails a
//   checksum, and the END digest identifies the file's content.
// Integers are little-endian, doubles IEEE-754 binary64, strings u32 length + bytes.
#include "dupstrip/scaleout.hpp"

#include "dupstrip/engine.hpp"
#include "dupstrip/template_lines.hpp"
#include "dupstrip/hash.hpp"
#include "dupstrip/io.hpp"
#include "dupstrip/parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_map>

namespace dupstrip {

static_assert(std::endian::native == std::endian::little,
              "the shard files are little-endian; add byte swapping for this machine");

namespace {

namespace fs = std::filesystem;
using detail::content_record;
using detail::line_fp;
using detail::run_state;
using detail::scan_record;

constexpr char magic[8] = {'D', 'U', 'P', 'S', 'T', 'R', 'I', 'P'};
constexpr std::size_t chunk_docs = 1024;  // documents per DOCS section (and per parallel batch)

std::uint32_t tag_of(const char (&t)[5]) {
  std::uint32_t v = 0;
  std::memcpy(&v, t, 4);
  return v;
}
std::string tag_name(std::uint32_t v) {
  std::string s(4, ' ');
  std::memcpy(s.data(), &v, 4);
  for (char& c : s)
    if (c < 32 || c > 126) c = '?';
  return s;
}

const std::uint32_t kind_scan = tag_of("SCAN");
const std::uint32_t kind_content = tag_of("CONT");
const std::uint32_t kind_state = tag_of("STAT");
const std::uint32_t sec_head = tag_of("HEAD");
const std::uint32_t sec_name = tag_of("NAME");
const std::uint32_t sec_docs = tag_of("DOCS");
const std::uint32_t sec_shards = tag_of("SHRD");
const std::uint32_t sec_groups = tag_of("GRPS");
const std::uint32_t sec_top = tag_of("TOPK");
const std::uint32_t sec_pending = tag_of("PEND");
const std::uint32_t sec_end = tag_of("END ");

const char* kind_words(std::uint32_t kind) {
  if (kind == kind_scan) return "a scan fingerprint file";
  if (kind == kind_content) return "a content fingerprint file";
  if (kind == kind_state) return "a merge state file";
  return "an unknown kind of file";
}

// ------------------------------------------------------------------------------ encoding

struct enc {
  std::string b;
  template <class T>
  void raw(T v) {
    char tmp[sizeof(T)];
    std::memcpy(tmp, &v, sizeof(T));
    b.append(tmp, sizeof(T));
  }
  void u8(std::uint8_t v) { raw(v); }
  void u32(std::uint32_t v) { raw(v); }
  void u64(std::uint64_t v) { raw(v); }
  void f64(double v) { raw(std::bit_cast<std::uint64_t>(v)); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    b.append(s);
  }
  void u32s(const std::uint32_t* p, std::size_t n) {
    if (n != 0) b.append(reinterpret_cast<const char*>(p), n * 4);
  }
};

struct short_payload {};  // thrown by dec on a malformed payload, turned into a format_error

struct dec {
  const char* p;
  const char* e;
  explicit dec(std::string_view s) : p(s.data()), e(s.data() + s.size()) {}
  void need(std::size_t n) const {
    if (static_cast<std::size_t>(e - p) < n) throw short_payload{};
  }
  template <class T>
  T raw() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    return v;
  }
  std::uint8_t u8() { return raw<std::uint8_t>(); }
  std::uint32_t u32() { return raw<std::uint32_t>(); }
  std::uint64_t u64() { return raw<std::uint64_t>(); }
  double f64() { return std::bit_cast<double>(raw<std::uint64_t>()); }
  bool flag() {
    const std::uint8_t v = u8();
    if (v > 1) throw short_payload{};
    return v == 1;
  }
  std::string str() {
    const std::uint32_t n = u32();
    need(n);
    std::string s(p, n);
    p += n;
    return s;
  }
  /// A count of items of at least `min_size` bytes each, checked against what is left.
  std::uint32_t count(std::size_t min_size) {
    const std::uint32_t n = u32();
    need(std::size_t{n} * min_size);
    return n;
  }
  void u32s(std::uint32_t* out, std::size_t n) {
    need(n * 4);
    if (n == 0) return;  // out may be null (an empty vector's data())
    std::memcpy(out, p, n * 4);
    p += n * 4;
  }
  [[nodiscard]] bool done() const { return p == e; }
};

void put_error(enc& w, const std::error_code& ec) {
  std::uint8_t cat = 0;
  if (ec) cat = ec.category() == error_category() ? 1 : 2;
  w.u8(cat);
  w.u32(static_cast<std::uint32_t>(ec.value()));
}
std::error_code get_error(dec& r) {
  const std::uint8_t cat = r.u8();
  const auto value = static_cast<int>(r.u32());
  if (cat == 0) return {};
  if (cat == 1) return {value, error_category()};
  if (cat == 2) return {value, std::generic_category()};
  throw short_payload{};
}

template <class E>
E get_enum(dec& r, std::uint8_t max) {
  const std::uint8_t v = r.u8();
  if (v > max) throw short_payload{};
  return static_cast<E>(v);
}

// Options: every field that changes results (not jobs).
std::string encode_options(const clean_options& o) {
  enc w;
  w.f64(o.threshold);
  w.u32(o.shingle_size);
  w.u32(o.min_shingle_size);
  w.u32(o.num_perm);
  w.u32(o.bands);
  w.u32(o.rows);
  w.u64(o.seed);
  w.u8(static_cast<std::uint8_t>(o.scheme));
  w.u8(static_cast<std::uint8_t>(o.keep));
  w.u32(o.min_boilerplate_pages);
  w.f64(o.boilerplate_fraction);
  w.f64(o.block_similarity);
  w.u32(o.min_repeat_tokens);
  w.f64(o.repeat_coverage);
  w.f64(o.max_strip_fraction);
  w.u8(static_cast<std::uint8_t>(o.utf8));
  w.u64(o.max_document_bytes);
  w.u32(o.flow_tokens);
  w.u32(o.corpus_min_sites);
  w.u32(o.min_line_repeat_run);
  w.u8(o.template_lines ? 1 : 0);
  return w.b;
}
clean_options decode_options(dec& r) {
  clean_options o;
  o.threshold = r.f64();
  o.shingle_size = r.u32();
  o.min_shingle_size = r.u32();
  o.num_perm = r.u32();
  o.bands = r.u32();
  o.rows = r.u32();
  o.seed = r.u64();
  o.scheme = get_enum<minhash_scheme>(r, 1);
  o.keep = get_enum<keep_policy>(r, 1);
  o.min_boilerplate_pages = r.u32();
  o.boilerplate_fraction = r.f64();
  o.block_similarity = r.f64();
  o.min_repeat_tokens = r.u32();
  o.repeat_coverage = r.f64();
  o.max_strip_fraction = r.f64();
  o.utf8 = get_enum<utf8_policy>(r, 2);
  o.max_document_bytes = r.u64();
  o.flow_tokens = r.u32();
  o.corpus_min_sites = r.u32();
  o.min_line_repeat_run = r.u32();
  o.template_lines = get_enum<std::uint8_t>(r, 1) != 0;
  return o;
}
// The options of a HEAD section: a str holding encode_options() bytes, wholly used.
clean_options get_options(dec& r) {
  const std::string blob = r.str();
  dec o(blob);
  clean_options opt = decode_options(o);
  if (!o.done()) throw short_payload{};
  return opt;
}

// "threshold 0.7 vs 0.8, num_perm 64 vs 128": the options that differ.
std::string options_difference(const clean_options& a, const clean_options& b) {
  std::string s;
  auto add = [&](const char* name, auto x, auto y) {
    if (x == y) return;
    if (!s.empty()) s += ", ";
    s += fmt::format("{} {} vs {}", name, x, y);
  };
  add("threshold", a.threshold, b.threshold);
  add("shingle_size", a.shingle_size, b.shingle_size);
  add("min_shingle_size", a.min_shingle_size, b.min_shingle_size);
  add("num_perm", a.num_perm, b.num_perm);
  add("bands", a.bands, b.bands);
  add("rows", a.rows, b.rows);
  add("seed", a.seed, b.seed);
  add("minhash", static_cast<int>(a.scheme), static_cast<int>(b.scheme));
  add("keep", static_cast<int>(a.keep), static_cast<int>(b.keep));
  add("min_boilerplate_pages", a.min_boilerplate_pages, b.min_boilerplate_pages);
  add("boilerplate_fraction", a.boilerplate_fraction, b.boilerplate_fraction);
  add("block_similarity", a.block_similarity, b.block_similarity);
  add("min_repeat_tokens", a.min_repeat_tokens, b.min_repeat_tokens);
  add("repeat_coverage", a.repeat_coverage, b.repeat_coverage);
  add("max_strip_fraction", a.max_strip_fraction, b.max_strip_fraction);
  add("utf8", static_cast<int>(a.utf8), static_cast<int>(b.utf8));
  add("max_document_bytes", a.max_document_bytes, b.max_document_bytes);
  add("flow_tokens", a.flow_tokens, b.flow_tokens);
  add("corpus_min_sites", a.corpus_min_sites, b.corpus_min_sites);
  add("min_line_repeat_run", a.min_line_repeat_run, b.min_line_repeat_run);
  add("template_lines", a.template_lines, b.template_lines);
  return s;
}

// ------------------------------------------------------------------------------ files

class file_writer {
 public:
  file_writer(const fs::path& path, std::uint32_t kind) : file_(path) {
    enc w;
    w.b.append(magic, sizeof magic);
    w.u32(kind);
    w.u32(shard_format_version);
    file_.write(w.b);
  }
  void section(std::uint32_t tag, std::uint32_t aux, std::string_view payload) {
    enc w;
    w.u32(tag);
    w.u32(aux);
    w.u64(payload.size());
    file_.write(w.b);
    file_.write(payload);
    const std::uint64_t sum = detail::xxh3_64(payload, payload.size());
    enc c;
    c.u64(sum);
    file_.write(c.b);
    sums_.push_back(sum);
  }
  [[nodiscard]] std::uint64_t digest() const { return detail::xxh3_64(sums_.data(), sums_.size() * 8); }
  std::error_code finish() {
    enc d;
    d.u64(digest());
    section(sec_end, static_cast<std::uint32_t>(sums_.size()), d.b);
    return file_.commit();
  }

 private:
  atomic_file file_;
  std::vector<std::uint64_t> sums_;
};

struct section {
  std::uint32_t tag = 0;
  std::uint32_t aux = 0;
  std::uint64_t length = 0;
  std::string payload;  // empty when skipped
  std::size_t number = 0;
};

class file_reader {
 public:
  file_reader(fs::path path, std::uint32_t kind) : path_(std::move(path)) {
    f_ = std::fopen(path_.c_str(), "rb");
    if (f_ == nullptr) fail(std::generic_category().message(errno));
    if (std::fseek(f_, 0, SEEK_END) == 0) size_ = static_cast<std::uint64_t>(std::ftell(f_));
    std::fseek(f_, 0, SEEK_SET);
    char head[16];
    if (std::fread(head, 1, sizeof head, f_) != sizeof head || std::memcmp(head, magic, sizeof magic) != 0)
      fail("not a dupstrip fingerprint or state file (no DUPSTRIP header)");
    std::uint32_t k = 0;
    std::uint32_t version = 0;
    std::memcpy(&k, head + 8, 4);
    std::memcpy(&version, head + 12, 4);
    if (version != shard_format_version)
      fail(fmt::format("format version {}, this dupstrip reads version {}", version, shard_format_version));
    if (k != kind) fail(fmt::format("is {}, expected {}", kind_words(k), kind_words(kind)));
    pos_ = sizeof head;
  }
  file_reader(const file_reader&) = delete;
  file_reader& operator=(const file_reader&) = delete;
  ~file_reader() {
    if (f_ != nullptr) std::fclose(f_);
  }

  /// Reads the next section (its payload only when `load` says so, checksum verified); false at
  /// the END section, which is verified too.
  bool next(section& s, const std::function<bool(std::uint32_t tag, std::uint32_t aux)>& load) {
    char head[16];
    if (std::fread(head, 1, sizeof head, f_) != sizeof head) fail("truncated: the file ends before its end marker");
    std::memcpy(&s.tag, head, 4);
    std::memcpy(&s.aux, head + 4, 4);
    std::memcpy(&s.length, head + 8, 8);
    s.number = sums_.size();
    pos_ += sizeof head;
    if (s.length > size_ - std::min(size_, pos_)) fail("truncated: a section runs past the end of the file");
    const bool is_end = s.tag == sec_end;
    s.payload.clear();
    if (is_end || load(s.tag, s.aux)) {
      s.payload.resize(s.length);
      if (std::fread(s.payload.data(), 1, s.length, f_) != s.length) fail("truncated inside a section");
    } else if (std::fseek(f_, static_cast<long>(s.length), SEEK_CUR) != 0) {
      fail("cannot seek");
    }
    pos_ += s.length;
    std::uint64_t sum = 0;
    if (std::fread(&sum, 1, 8, f_) != 8) fail("truncated: a section has no checksum");
    pos_ += 8;
    if ((is_end || !s.payload.empty() || s.length == 0) && detail::xxh3_64(s.payload, s.length) != sum)
      fail(fmt::format("section {} #{} is corrupt (checksum mismatch)", tag_name(s.tag), s.number));
    if (is_end) {
      dec r(s.payload);
      std::uint64_t digest = 0;
      try {
        digest = r.u64();
      } catch (const short_payload&) {
        fail("malformed end marker");
      }
      if (s.aux != sums_.size() || digest != detail::xxh3_64(sums_.data(), sums_.size() * 8))
        fail("corrupt: the end marker does not match the sections");
      digest_ = digest;
      return false;
    }
    sums_.push_back(sum);
    return true;
  }
  [[noreturn]] void fail(const std::string& why) const { throw format_error(fmt::format("{}: {}", path_.string(), why)); }
  [[noreturn]] void malformed(const section& s) const {
    fail(fmt::format("section {} #{} is malformed", tag_name(s.tag), s.number));
  }
  [[nodiscard]] std::uint64_t digest() const { return digest_; }
  [[nodiscard]] const fs::path& path() const { return path_; }
  [[nodiscard]] std::uint64_t size() const { return size_; }

 private:
  fs::path path_;
  std::FILE* f_ = nullptr;
  std::uint64_t size_ = 0;
  std::uint64_t pos_ = 0;
  std::vector<std::uint64_t> sums_;
  std::uint64_t digest_ = 0;
};

// Runs `parse` on a payload, turning a short or malformed payload into a format_error.
template <class F>
void parse_section(const file_reader& in, const section& s, F&& parse) {
  try {
    dec r(s.payload);
    parse(r);
    if (!r.done()) throw short_payload{};
  } catch (const short_payload&) {
    in.malformed(s);
  }
}

const auto load_all = [](std::uint32_t, std::uint32_t) { return true; };

// ------------------------------------------------------------------------------ records

// A count stored as u64 that a document (smaller than 4 GiB) keeps below 2^32.
std::uint32_t get_u32_of_u64(dec& r) {
  const std::uint64_t v = r.u64();
  if (v > 0xFFFFFFFFu) throw short_payload{};
  return static_cast<std::uint32_t>(v);
}

void put_lines(enc& w, std::span<const line_fp> lines, bool full) {
  w.u32(static_cast<std::uint32_t>(lines.size()));
  for (const line_fp& l : lines) {
    w.u32(l.begin);
    w.u32(l.end);
    w.u32(l.next);
    w.u32(l.tokens);
    w.u64(l.key);
    w.u64(l.masked_key);
    w.u32(l.sig);
    if (full) {
      w.u32(l.pages);
      w.u32(l.gpages);
    }
    w.u64(l.exact);
    for (const std::uint32_t h : l.head) w.u32(h);
    for (const std::uint32_t h : l.tail) w.u32(h);
    w.u8(l.pattern_tokens);
    w.u8(static_cast<std::uint8_t>((l.blank ? 1 : 0) | (l.repeat ? 2 : 0) | (l.removed ? 4 : 0) |
                                   (std::min<unsigned>(l.numbers, 3) << 3) | (std::min<unsigned>(l.label, 3) << 5)));
    w.u8(l.markup);
    w.u8(l.link_share);
    w.u32(l.source_line);
  }
}
std::vector<line_fp> get_lines(dec& r, bool full) {
  std::vector<line_fp> lines(r.count(full ? 84 : 76));
  for (line_fp& l : lines) {
    l.begin = r.u32();
    l.end = r.u32();
    l.next = r.u32();
    l.tokens = r.u32();
    l.key = r.u64();
    l.masked_key = r.u64();
    l.sig = r.u32();
    if (full) {
      l.pages = r.u32();
      l.gpages = r.u32();
    }
    l.exact = r.u64();
    for (std::uint32_t& h : l.head) h = r.u32();
    for (std::uint32_t& h : l.tail) h = r.u32();
    l.pattern_tokens = r.u8();
    if (l.pattern_tokens > detail::template_max_tokens) throw short_payload{};
    const std::uint8_t f = r.u8();
    if (f > 127) throw short_payload{};
    l.numbers = static_cast<std::uint8_t>((f >> 3) & 3U);
    l.label = static_cast<std::uint8_t>(f >> 5);
    if (l.label == 1) throw short_payload{};
    l.blank = (f & 1) != 0;
    l.repeat = (f & 2) != 0;
    l.removed = (f & 4) != 0;
    l.markup = r.u8();
    if (l.markup > 31) throw short_payload{};
    l.link_share = r.u8();
    l.source_line = r.u32();
  }
  return lines;
}

// Lines as split_lines() makes them: each [begin, next) follows the one before, end within it,
// all within the document. A file whose lines say otherwise is malformed: the merge reads line
// records by count and removes byte ranges made from them.
void check_lines(const std::vector<line_fp>& lines, std::uint64_t bytes) {
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const line_fp& l = lines[k];
    if (l.begin > l.end || l.end > l.next || l.begin >= l.next || l.next > bytes) throw short_payload{};
    if (k > 0 && l.begin != lines[k - 1].next) throw short_payload{};
  }
}

// SCAN DOCS record: what scan_document() found.
void put_scan(enc& w, const scan_record& s, std::uint32_t K) {
  const doc_result& d = s.res;
  w.u8(static_cast<std::uint8_t>(d.status));
  put_error(w, d.error);
  w.u64(d.error_offset);
  w.u64(d.bytes);
  w.u32(d.lines);
  w.u64(d.utf8_replacements);
  w.u64(s.raw_hash);
  w.u8(s.active ? 1 : 0);
  if (s.active) w.u32s(s.sig.data(), K);
  put_lines(w, s.lines, false);
  w.u32(static_cast<std::uint32_t>(s.block_sigs.size()));
  w.u32s(s.block_sigs.data(), s.block_sigs.size());
}
scan_record get_scan(dec& r, std::uint32_t K) {
  scan_record s;
  doc_result& d = s.res;
  d.status = get_enum<doc_status>(r, 2);
  d.error = get_error(r);
  d.error_offset = get_u32_of_u64(r);
  d.bytes = r.u64();
  d.lines = r.u32();
  d.utf8_replacements = get_u32_of_u64(r);
  s.raw_hash = r.u64();
  s.active = r.flag();
  if (s.active) {
    s.sig.resize(K);
    r.u32s(s.sig.data(), K);
  }
  s.lines = get_lines(r, false);
  if (d.status == doc_status::skipped ? !s.lines.empty() : s.lines.size() != d.lines) throw short_payload{};
  check_lines(s.lines, d.bytes);
  s.block_sigs.resize(r.count(4));
  r.u32s(s.block_sigs.data(), s.block_sigs.size());
  for (const line_fp& l : s.lines)
    if (l.sig != detail::no_sig && (std::uint64_t{l.sig} + 1) * 32 > s.block_sigs.size()) throw short_payload{};
  return s;
}

// CONT DOCS record: what content_document() found (with the document's index in its shard).
void put_content(enc& w, std::uint32_t local, const content_record& c, std::uint32_t K) {
  w.u32(local);
  put_error(w, c.error);
  w.u8(c.found_runs ? 1 : 0);
  w.u32(static_cast<std::uint32_t>(c.new_repeats.size()));
  w.u32s(c.new_repeats.data(), c.new_repeats.size());
  w.u64(c.content_bytes);
  w.u64(c.content_hash);
  w.u64(c.content_tokens);
  w.u8(c.active ? 1 : 0);
  if (c.active) w.u32s(c.sig.data(), K);
  w.u32(static_cast<std::uint32_t>(c.top_text.size()));
  for (const std::string& t : c.top_text) w.str(t);
}
content_record get_content(dec& r, std::uint32_t& local, std::uint32_t K) {
  content_record c;
  local = r.u32();
  c.error = get_error(r);
  c.found_runs = r.flag();
  c.new_repeats.resize(r.count(4));
  r.u32s(c.new_repeats.data(), c.new_repeats.size());
  c.content_bytes = r.u64();
  c.content_hash = r.u64();
  c.content_tokens = r.u64();
  c.active = r.flag();
  if (c.active) {
    c.sig.resize(K);
    r.u32s(c.sig.data(), K);
  }
  c.top_text.resize(r.count(4));
  for (std::string& t : c.top_text) t = r.str();
  return c;
}

// STAT DOCS record: a document's whole state between merges.
struct loaded_doc {
  doc_result res;
  run_state::doc_extra ex;
  std::vector<removal> removals;
  std::vector<line_fp> lines;
};

void put_doc_state(enc& w, const doc_result& d, const run_state::doc_extra& ex, std::uint32_t group,
                   std::span<const removal> removals, std::span<const line_fp> lines, const std::uint32_t* sig,
                   std::uint32_t K) {
  w.u32(group);
  w.u8(static_cast<std::uint8_t>(d.status));
  put_error(w, d.error);
  w.u64(d.error_offset);
  w.u64(d.bytes);
  w.u64(d.kept_bytes);
  w.u64(d.content_tokens);
  w.u32(d.lines);
  w.u32(d.removed_lines);
  w.u32(d.cluster);
  w.u32(d.duplicate_of);
  w.f64(d.similarity);
  w.u64(d.utf8_replacements);
  w.u8(d.strip_limited ? 1 : 0);
  w.u32(static_cast<std::uint32_t>(removals.size()));
  for (const removal& r : removals) {
    w.u32(r.begin);
    w.u32(r.end);
    w.u8(static_cast<std::uint8_t>(r.reason));
    w.u32(r.pages);
    w.u32(r.group_pages);
    w.u8(r.pattern);
    w.u32(r.source_line);
  }
  w.u64(ex.raw_hash);
  w.u64(ex.content_hash);
  w.u64(ex.content_bytes);
  w.u8(ex.active ? 1 : 0);
  if (ex.active) w.u32s(sig, K);
  put_lines(w, lines, true);
}
loaded_doc get_doc_state(dec& r, std::uint32_t& group, std::uint32_t* sig, std::uint32_t K, std::size_t groups) {
  loaded_doc s;
  doc_result& d = s.res;
  group = r.u32();
  if (group >= groups) throw short_payload{};
  d.status = get_enum<doc_status>(r, 2);
  d.error = get_error(r);
  d.error_offset = get_u32_of_u64(r);
  d.bytes = r.u64();
  d.kept_bytes = get_u32_of_u64(r);
  d.content_tokens = get_u32_of_u64(r);
  d.lines = r.u32();
  d.removed_lines = r.u32();
  d.cluster = r.u32();
  d.duplicate_of = r.u32();
  d.similarity = r.f64();
  d.utf8_replacements = get_u32_of_u64(r);
  d.strip_limited = r.flag();
  s.removals.resize(r.count(22));
  std::uint64_t removed = 0;
  std::uint32_t removed_end = 0;
  for (removal& x : s.removals) {
    x.begin = r.u32();
    x.end = r.u32();
    x.reason = get_enum<removal_reason>(r, static_cast<std::uint8_t>(removal_reason::outside_main));
    x.pages = r.u32();
    x.group_pages = r.u32();
    x.pattern = r.u8();
    x.source_line = r.u32();
    if (x.end < x.begin || x.end > d.bytes || x.begin < removed_end) throw short_payload{};  // sorted, disjoint
    removed_end = x.end;
    removed += x.end - x.begin;
  }
  s.ex.raw_hash = r.u64();
  s.ex.content_hash = r.u64();
  s.ex.content_bytes = get_u32_of_u64(r);
  s.ex.removed_bytes = static_cast<std::uint32_t>(std::min<std::uint64_t>(removed, 0xFFFFFFFFu));
  s.ex.active = r.flag();
  if (s.ex.active) r.u32s(sig, K);
  s.lines = get_lines(r, true);
  if (s.lines.size() != d.lines && d.status != doc_status::skipped) throw short_payload{};
  check_lines(s.lines, d.bytes);
  return s;
}

// ------------------------------------------------------------------------------ state file

struct state_file {
  clean_options opt;
  std::uint32_t round = 0;
  std::uint32_t refines = 0;
  std::uint64_t boilerplate_lines = 0;
  std::uint64_t documents = 0;
  std::vector<merge_shard> shards;
  std::vector<run_state::group_info> groups;
  std::vector<run_state::top_key> top;
  std::vector<std::uint32_t> pending;
  std::vector<std::string> names;
  std::vector<std::uint32_t> group_of;
  std::uint64_t docs_first = 0;            // with `only`: docs[k] is document docs_first + k
  std::vector<loaded_doc> docs;            // with `only`: that shard's documents
  std::vector<std::uint8_t> loaded;        // per document
  std::uint64_t digest = 0;
};

// Receives the whole-run documents of a state file as they are read (the merge's run_state).
using doc_loader = std::function<void(state_file&, std::uint64_t i, std::uint32_t group, loaded_doc&&,
                                      std::span<const std::uint32_t> sig)>;

void write_state(const fs::path& out, run_state& st, const std::vector<merge_shard>& shards,
                 const std::vector<std::string>& names) {
  const clean_options& o = st.config().opt;
  const std::uint32_t K = o.num_perm;
  file_writer w(out, kind_state);
  {
    enc h;
    h.str(encode_options(o));
    h.u32(st.round());
    h.u32(st.refines());
    h.u64(st.boilerplate_lines());
    h.u64(st.size());
    w.section(sec_head, 0, h.b);
  }
  {
    enc s;
    s.u32(static_cast<std::uint32_t>(shards.size()));
    for (const merge_shard& m : shards) {
      s.str(m.label);
      s.u64(m.key);
      s.u64(m.first);
      s.u64(m.documents);
    }
    w.section(sec_shards, 0, s.b);
  }
  {
    enc g;
    g.u32(static_cast<std::uint32_t>(st.groups().size()));
    for (const run_state::group_info& gi : st.groups()) {
      g.str(gi.name);
      g.u32(gi.clusters);
      g.u32(gi.need);
      g.u32(static_cast<std::uint32_t>(gi.rep.size()));
      for (const auto& [k, v] : gi.rep) {
        g.u64(k);
        g.u64(v);
      }
    }
    w.section(sec_groups, 0, g.b);
  }
  {
    enc t;
    t.u32(static_cast<std::uint32_t>(st.top().size()));
    for (const run_state::top_key& k : st.top()) {
      t.u32(k.pages);
      t.u32(k.group);
      t.u64(k.key);
      t.u32(k.doc);
      t.u32(k.line);
      t.str(k.text);
    }
    w.section(sec_top, 0, t.b);
  }
  {
    enc p;
    p.u32(static_cast<std::uint32_t>(st.pending().size()));
    p.u32s(st.pending().data(), st.pending().size());
    w.section(sec_pending, 0, p.b);
  }
  for (std::size_t s = 0; s < shards.size(); ++s) {
    const merge_shard& m = shards[s];
    for (std::uint64_t lo = m.first; lo < m.first + m.documents; lo += chunk_docs) {
      const std::uint64_t hi = std::min(m.first + m.documents, lo + chunk_docs);
      enc nm;
      nm.u64(lo);
      nm.u32(static_cast<std::uint32_t>(hi - lo));
      for (std::uint64_t i = lo; i < hi; ++i) nm.str(names[i]);
      w.section(sec_name, static_cast<std::uint32_t>(s), nm.b);
      enc d;
      d.u64(lo);
      d.u32(static_cast<std::uint32_t>(hi - lo));
      std::vector<std::uint32_t> sig(K);
      for (std::uint64_t i = lo; i < hi; ++i) {
        if (st.extra()[i].active) st.read_sig(i, sig);
        put_doc_state(d, st.results()[i], st.extra()[i], st.group_of()[i], st.removals().get(i), st.lines_of(i),
                      sig.data(), K);
      }
      w.section(sec_docs, static_cast<std::uint32_t>(s), d.b);
    }
  }
  if (const std::error_code ec = w.finish())
    throw std::system_error(ec, fmt::format("{}: cannot write the state", out.string()));
}

// Loads a state file; with `only`, the documents of that shard only (names of all); else every
// document goes to `load` as it is read.
state_file read_state(const fs::path& path, const std::uint64_t* only, const doc_loader& load = {}) {
  file_reader in(path, kind_state);
  state_file sf;
  section s;
  bool have_head = false;
  std::uint32_t K = 0;
  std::int64_t only_index = -1;
  auto want = [&](std::uint32_t tag, std::uint32_t aux) {
    if (tag != sec_docs) return true;
    return only == nullptr || static_cast<std::int64_t>(aux) == only_index;
  };
  while (in.next(s, want)) {
    if (s.tag == sec_head) {
      parse_section(in, s, [&](dec& r) {
        sf.opt = get_options(r);
        sf.round = r.u32();
        sf.refines = r.u32();
        sf.boilerplate_lines = r.u64();
        sf.documents = r.u64();
      });
      try {
        sf.opt.validate();
      } catch (const config_error& e) {
        in.fail(fmt::format("holds invalid options: {}", e.what()));
      }
      K = sf.opt.num_perm;
      // Every document has a record of more than 64 bytes: a larger count is a lie.
      if (sf.documents > (std::uint64_t{1} << 32) || sf.documents > in.size() / 64) in.malformed(s);
      sf.names.resize(sf.documents);
      sf.group_of.assign(sf.documents, 0);
      sf.loaded.assign(sf.documents, 0);
      have_head = true;
      continue;
    }
    if (!have_head) in.fail("the HEAD section is not first");
    if (s.tag == sec_shards) {
      parse_section(in, s, [&](dec& r) {
        sf.shards.resize(r.count(28));
        std::uint64_t next = 0;
        for (std::size_t k = 0; k < sf.shards.size(); ++k) {
          merge_shard& m = sf.shards[k];
          m.label = r.str();
          m.key = r.u64();
          m.first = r.u64();
          m.documents = r.u64();
          if (m.first != next) throw short_payload{};
          next += m.documents;
          if (only != nullptr && m.key == *only) {
            only_index = static_cast<std::int64_t>(k);
            sf.docs_first = m.first;
            sf.docs.resize(m.documents);
          }
        }
        if (next != sf.documents) throw short_payload{};
      });
    } else if (s.tag == sec_groups) {
      parse_section(in, s, [&](dec& r) {
        sf.groups.resize(r.count(16));
        for (run_state::group_info& g : sf.groups) {
          g.name = r.str();
          g.clusters = r.u32();
          g.need = r.u32();
          const std::uint32_t n = r.count(16);
          g.rep.reserve(n);
          for (std::uint32_t k = 0; k < n; ++k) {
            const std::uint64_t key = r.u64();
            g.rep.emplace_back(key, r.u64());
            if (k > 0 && g.rep[k - 1].first >= key) throw short_payload{};  // sorted, distinct
          }
        }
      });
    } else if (s.tag == sec_top) {
      parse_section(in, s, [&](dec& r) {
        sf.top.resize(r.count(28));
        for (run_state::top_key& t : sf.top) {
          t.pages = r.u32();
          t.group = r.u32();
          t.key = r.u64();
          t.doc = r.u32();
          t.line = r.u32();
          t.text = r.str();
        }
      });
    } else if (s.tag == sec_pending) {
      parse_section(in, s, [&](dec& r) {
        sf.pending.resize(r.count(4));
        r.u32s(sf.pending.data(), sf.pending.size());
        for (std::size_t k = 0; k < sf.pending.size(); ++k)
          if (sf.pending[k] >= sf.documents || (k > 0 && sf.pending[k] <= sf.pending[k - 1])) throw short_payload{};
      });
    } else if (s.tag == sec_name) {
      parse_section(in, s, [&](dec& r) {
        const std::uint64_t lo = r.u64();
        const std::uint32_t n = r.u32();
        if (lo + n > sf.documents) throw short_payload{};
        for (std::uint32_t k = 0; k < n; ++k) sf.names[lo + k] = r.str();
      });
    } else if (s.tag == sec_docs && !s.payload.empty()) {
      parse_section(in, s, [&](dec& r) {
        const std::uint64_t lo = r.u64();
        const std::uint32_t n = r.u32();
        if (lo + n > sf.documents) throw short_payload{};
        std::vector<std::uint32_t> sig(K);
        for (std::uint32_t k = 0; k < n; ++k) {
          const std::uint64_t i = lo + k;
          loaded_doc d = get_doc_state(r, sf.group_of[i], sig.data(), K, sf.groups.size());
          if (only != nullptr) {
            if (i < sf.docs_first || i - sf.docs_first >= sf.docs.size()) throw short_payload{};
            sf.docs[i - sf.docs_first] = std::move(d);
          } else if (load) {
            load(sf, i, sf.group_of[i], std::move(d), sig);
          }
          sf.loaded[i] = 1;
        }
      });
    }
  }
  if (!have_head) in.fail("no HEAD section");
  for (const run_state::top_key& t : sf.top)
    if (t.group >= sf.groups.size()) in.fail("a TOPK entry names an unknown group");
  if (only != nullptr && only_index < 0)
    in.fail("does not hold this shard (its documents' names or groups differ from every scanned shard)");
  if (only == nullptr)
    for (std::uint8_t l : sf.loaded)
      if (l == 0) in.fail("some documents have no record");
  sf.digest = in.digest();
  return sf;
}

// The merge's run_state of a state file (its documents are loaded into it as they are read).
std::unique_ptr<run_state> make_run_state(const state_file& sf, unsigned jobs, const std::string& temp_dir) {
  std::vector<std::string> group_names;
  for (const run_state::group_info& g : sf.groups) group_names.push_back(g.name);
  clean_options opt = sf.opt;
  opt.jobs = jobs;
  opt.temp_dir = temp_dir;
  auto st = std::make_unique<run_state>(opt, std::vector<std::uint32_t>(sf.documents, 0), std::move(group_names), jobs);
  for (std::size_t g = 0; g < sf.groups.size(); ++g) st->groups()[g] = sf.groups[g];
  st->top() = sf.top;
  st->pending_mut() = sf.pending;
  st->boilerplate_lines() = sf.boilerplate_lines;
  st->round_mut() = sf.round;
  st->refines_mut() = sf.refines;
  return st;
}

// A second file for a shard already merged: the same content (a retried task) counts once,
// with a note; other content is refused.
void note_repeated_shard(const file_reader& in, std::uint64_t first_digest, const fs::path& first_path,
                         const std::string& label, std::vector<std::string>& notes) {
  if (first_digest != in.digest())
    in.fail(fmt::format("holds the same shard as {} ({}) with other fingerprints", first_path.string(), label));
  notes.push_back(
      fmt::format("{}: the same shard as {} ({}): counted once", in.path().string(), first_path.string(), label));
}

// Pending documents per shard (both lists are in corpus order).
void count_pending(const std::vector<std::uint32_t>& pending, std::vector<merge_shard>& shards) {
  std::size_t k = 0;
  for (const std::uint32_t i : pending) {
    while (k < shards.size() && i >= shards[k].first + shards[k].documents) ++k;
    if (k < shards.size()) ++shards[k].pending;
  }
}

}  // namespace

// ------------------------------------------------------------------------------ public steps

shard_identity identify_shard(const document_source& source, std::string label) {
  enc w;
  w.str(label);
  w.u64(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    w.str(source.name(i));
    w.str(source.group(i));
    if (w.b.size() > (1U << 20)) {  // fold as we go: the key needs no copy of every name
      const std::uint64_t h = detail::xxh3_64(w.b);
      w.b.clear();
      w.u64(h);
    }
  }
  return {std::move(label), detail::xxh3_64(w.b, 0x7368617264ULL), source.size()};
}

std::error_code scan_shard(const document_source& source, const clean_options& options, std::string label,
                           const fs::path& out, const progress_callback& progress,
                           std::vector<skipped_document>* skipped) {
  options.validate();
  const shard_identity id = identify_shard(source, std::move(label));
  const detail::engine_config cfg(options);
  const unsigned jobs = detail::resolve_jobs(options.jobs);
  const std::size_t n = source.size();
  const std::uint32_t K = options.num_perm;
  file_writer w(out, kind_scan);
  {
    enc h;
    h.str(encode_options(options));
    h.str(id.label);
    h.u64(id.key);
    h.u64(n);
    w.section(sec_head, 0, h.b);
  }
  for (std::size_t lo = 0; lo < n; lo += chunk_docs) {
    const std::size_t hi = std::min(n, lo + chunk_docs);
    enc nm;
    nm.u64(lo);
    nm.u32(static_cast<std::uint32_t>(hi - lo));
    for (std::size_t i = lo; i < hi; ++i) {
      nm.str(source.name(i));
      nm.str(source.group(i));
    }
    w.section(sec_name, 0, nm.b);
  }
  std::vector<detail::scan_scratch> scratch(jobs);
  std::vector<scan_record> recs;
  std::size_t done = 0;
  std::uint64_t bytes = 0;
  for (std::size_t lo = 0; lo < n; lo += chunk_docs) {
    const std::size_t hi = std::min(n, lo + chunk_docs);
    recs.assign(hi - lo, scan_record{});
    detail::parallel_for(hi - lo, jobs, 8, [&](unsigned wk, std::size_t k) {
      {
        page_markup markup;
        auto data = source.read_marked(lo + k, markup);
        recs[k] = detail::scan_document(std::move(data), cfg, scratch[wk], &markup);
      }
    });
    enc d;
    d.u64(lo);
    d.u32(static_cast<std::uint32_t>(hi - lo));
    for (std::size_t k = 0; k < recs.size(); ++k) {
      const scan_record& r = recs[k];
      put_scan(d, r, K);
      bytes += r.res.bytes;
      if (skipped != nullptr && r.res.status == doc_status::skipped)
        skipped->push_back({lo + k, r.res.error, r.res.error_offset});
    }
    w.section(sec_docs, 0, d.b);
    done = hi;
    if (progress) progress({"scan", done, n, bytes});
  }
  return w.finish();
}

std::error_code scan_shard_content(const document_source& source, std::string label, const fs::path& state,
                                   const fs::path& out, unsigned jobs, const progress_callback& progress,
                                   std::vector<skipped_document>* skipped) {
  const shard_identity id = identify_shard(source, std::move(label));
  state_file sf = read_state(state, &id.key);
  const merge_shard* shard = nullptr;
  for (const merge_shard& m : sf.shards)
    if (m.key == id.key) shard = &m;
  if (shard == nullptr || shard->documents != source.size())
    throw format_error(fmt::format("{}: does not hold this shard", state.string()));
  const detail::engine_config cfg(sf.opt);
  jobs = detail::resolve_jobs(jobs);
  const std::uint32_t K = sf.opt.num_perm;
  std::vector<std::uint32_t> mine;  // pending documents of this shard, as corpus indices
  for (const std::uint32_t i : sf.pending)
    if (i >= shard->first && i < shard->first + shard->documents) mine.push_back(i);

  file_writer w(out, kind_content);
  {
    enc h;
    h.str(encode_options(sf.opt));
    h.str(id.label);
    h.u64(id.key);
    h.u64(sf.digest);
    h.u32(sf.round);
    h.u64(mine.size());
    w.section(sec_head, 0, h.b);
  }
  std::vector<detail::scan_scratch> scratch(jobs);
  std::vector<content_record> recs;
  std::uint64_t bytes = 0;
  for (std::size_t lo = 0; lo < mine.size(); lo += chunk_docs) {
    const std::size_t hi = std::min(mine.size(), lo + chunk_docs);
    recs.assign(hi - lo, content_record{});
    detail::parallel_for(hi - lo, jobs, 8, [&](unsigned wk, std::size_t k) {
      const std::uint32_t i = mine[lo + k];
      const loaded_doc& ld = sf.docs[i - sf.docs_first];
      const detail::content_input ci = detail::make_content_input(ld.res, ld.ex.raw_hash, ld.removals, i, sf.top);
      recs[k] = detail::content_document(source.read(i - shard->first), ci, cfg, scratch[wk]);
    });
    enc d;
    d.u32(static_cast<std::uint32_t>(hi - lo));
    for (std::size_t k = 0; k < recs.size(); ++k) {
      const std::uint32_t i = mine[lo + k];
      put_content(d, static_cast<std::uint32_t>(i - shard->first), recs[k], K);
      bytes += sf.docs[i - sf.docs_first].res.bytes;
      if (skipped != nullptr && recs[k].error) skipped->push_back({i - shard->first, recs[k].error, 0});
    }
    w.section(sec_docs, 0, d.b);
    if (progress) progress({"content", hi, mine.size(), bytes});
  }
  return w.finish();
}

merge_status merge_shards(const std::vector<fs::path>& inputs, const fs::path* state, const fs::path& out,
                          unsigned jobs, const std::string& temp_dir) {
  jobs = detail::resolve_jobs(jobs);
  merge_status status;
  std::vector<merge_shard> shards;
  std::vector<std::string> names;
  std::unique_ptr<run_state> st;

  if (state == nullptr) {
    // ---- round 0: pass-1 fingerprint files in corpus order
    if (inputs.empty()) throw format_error("merge: no fingerprint files given");
    struct input {
      fs::path path;
      std::uint64_t first = 0;
    };
    std::vector<input> used;
    std::vector<std::uint64_t> digests;
    std::vector<std::string> doc_groups;
    clean_options opt;
    fs::path first_path;
    for (const fs::path& p : inputs) {
      file_reader in(p, kind_scan);
      section s;
      clean_options o;
      merge_shard m;
      std::vector<std::string> nm;
      std::vector<std::string> gr;
      bool head = false;
      while (in.next(s, [](std::uint32_t tag, std::uint32_t) { return tag != sec_docs; })) {
        if (s.tag == sec_head) {
          parse_section(in, s, [&](dec& r) {
            o = get_options(r);
            m.label = r.str();
            m.key = r.u64();
            m.documents = r.u64();
          });
          if (m.documents > (std::uint64_t{1} << 32)) in.malformed(s);
          head = true;
        } else if (!head) {
          in.fail("the HEAD section is not first");
        } else if (s.tag == sec_name) {
          parse_section(in, s, [&](dec& r) {
            const std::uint64_t lo = r.u64();
            const std::uint32_t n = r.u32();
            if (lo != nm.size() || lo + n > m.documents) throw short_payload{};
            for (std::uint32_t k = 0; k < n; ++k) {
              nm.push_back(r.str());
              gr.push_back(r.str());
            }
          });
        }
      }
      if (!head) in.fail("no HEAD section");
      if (nm.size() != m.documents) in.fail("the names do not cover every document");
      if (used.empty()) {
        opt = o;
        first_path = p;
        try {
          opt.validate();
        } catch (const config_error& e) {
          in.fail(fmt::format("holds invalid options: {}", e.what()));
        }
      } else if (encode_options(o) != encode_options(opt)) {
        in.fail(fmt::format("made with other options than {}: {}", first_path.string(), options_difference(o, opt)));
      }
      const auto seen = std::find_if(shards.begin(), shards.end(), [&](const merge_shard& x) { return x.key == m.key; });
      if (seen != shards.end()) {
        const auto k = static_cast<std::size_t>(seen - shards.begin());
        note_repeated_shard(in, digests[k], used[k].path, m.label, status.notes);
        continue;
      }
      m.first = names.size();
      if (m.first + m.documents > (std::uint64_t{1} << 32) - 1) in.fail("the corpus exceeds 4 billion documents");
      shards.push_back(m);
      digests.push_back(in.digest());
      used.push_back({p, m.first});
      for (std::size_t k = 0; k < nm.size(); ++k) {
        names.push_back(std::move(nm[k]));
        doc_groups.push_back(std::move(gr[k]));
      }
    }
    detail::numbered_groups groups =
        detail::number_groups(doc_groups.size(), [&](std::size_t i) -> std::string_view { return doc_groups[i]; });
    doc_groups.clear();
    doc_groups.shrink_to_fit();
    opt.jobs = jobs;
    opt.temp_dir = temp_dir;
    st = std::make_unique<run_state>(opt, std::move(groups.group_of), std::move(groups.names), jobs);
    st->set_name_ranks(detail::name_ranks(names.size(), [&](std::size_t i) -> std::string_view { return names[i]; }));
    const std::uint32_t K = opt.num_perm;
    for (std::size_t u = 0; u < used.size(); ++u) {
      file_reader in(used[u].path, kind_scan);
      section s;
      std::uint64_t seen = 0;
      while (in.next(s, [](std::uint32_t tag, std::uint32_t) { return tag == sec_docs; })) {
        if (s.tag != sec_docs) continue;
        parse_section(in, s, [&](dec& r) {
          const std::uint64_t lo = r.u64();
          const std::uint32_t n = r.u32();
          if (lo != seen || lo + n > shards[u].documents) throw short_payload{};
          std::vector<scan_record> recs;
          recs.reserve(n);
          for (std::uint32_t k = 0; k < n; ++k) recs.push_back(get_scan(r, K));
          st->add_scans(used[u].first + lo, recs);
          seen += n;
        });
      }
      if (in.digest() != digests[u]) in.fail("changed while the merge was reading it");
      if (seen != shards[u].documents) in.fail("the fingerprints do not cover every document");
    }
    st->begin();
  } else {
    // ---- a content round: the state and the content files of its round
    const doc_loader load = [&](state_file& f, std::uint64_t i, std::uint32_t group, loaded_doc&& d,
                                std::span<const std::uint32_t> sig) {
      if (!st) st = make_run_state(f, jobs, temp_dir);
      st->group_of()[i] = group;
      st->load_document(i, d.res, d.ex, d.lines, d.removals, sig);
    };
    state_file sf = read_state(*state, nullptr, load);
    if (!st) st = make_run_state(sf, jobs, temp_dir);
    st->set_name_ranks(detail::name_ranks(sf.names.size(), [&](std::size_t i) -> std::string_view { return sf.names[i]; }));
    if (sf.pending.empty())
      throw format_error(fmt::format("{}: the run is complete (round {}): run apply, or merge with no files to "
                                     "write the report", state->string(), sf.round));
    shards = sf.shards;
    names = std::move(sf.names);
    const std::string opt_blob = encode_options(sf.opt);
    const std::uint64_t state_digest = sf.digest;
    const std::uint32_t round = sf.round;
    const std::uint32_t K = st->config().opt.num_perm;
    std::vector<std::uint8_t> waiting(st->size(), 0);
    for (const std::uint32_t i : st->pending()) waiting[i] = 1;
    std::vector<std::uint64_t> shard_digest(shards.size(), 0);
    std::vector<fs::path> shard_path(shards.size());
    for (const fs::path& p : inputs) {
      file_reader in(p, kind_content);
      section s;
      std::int64_t shard = -1;
      std::uint64_t expect = 0;
      std::uint64_t got = 0;
      std::vector<std::pair<std::uint32_t, content_record>> recs;
      while (in.next(s, load_all)) {
        if (s.tag == sec_head) {
          clean_options o;
          std::string label;
          std::uint64_t key = 0;
          std::uint64_t sd = 0;
          std::uint32_t r_round = 0;
          parse_section(in, s, [&](dec& r) {
            o = get_options(r);
            label = r.str();
            key = r.u64();
            sd = r.u64();
            r_round = r.u32();
            expect = r.u64();
          });
          if (encode_options(o) != opt_blob)
            in.fail(fmt::format("made with other options than the state {}: {}", state->string(),
                                options_difference(o, st->config().opt)));
          if (sd != state_digest || r_round != round)
            in.fail(fmt::format("was made from another state (round {}) than {} (round {})", r_round,
                                state->string(), round));
          for (std::size_t k = 0; k < shards.size(); ++k)
            if (shards[k].key == key) shard = static_cast<std::int64_t>(k);
          if (shard < 0) in.fail(fmt::format("shard {} is not part of the state {}", label, state->string()));
        } else if (shard < 0) {
          in.fail("the HEAD section is not first");
        } else if (s.tag == sec_docs) {
          parse_section(in, s, [&](dec& r) {
            const std::uint32_t n = r.u32();
            for (std::uint32_t k = 0; k < n; ++k) {
              std::uint32_t local = 0;
              content_record c = get_content(r, local, K);
              recs.emplace_back(local, std::move(c));
            }
            got += n;
          });
        }
      }
      if (shard < 0) in.fail("no HEAD section");
      if (got != expect) in.fail("holds fewer records than its header announces");
      const auto k = static_cast<std::size_t>(shard);
      if (shard_digest[k] != 0) {
        note_repeated_shard(in, shard_digest[k], shard_path[k], shards[k].label, status.notes);
        continue;
      }
      shard_digest[k] = in.digest();
      shard_path[k] = p;
      for (auto& [local, c] : recs) {
        const std::uint64_t i = shards[k].first + local;
        if (local >= shards[k].documents || waiting[i] != 1)
          in.fail(fmt::format("a record for document {} that is not pending", local));
        waiting[i] = 2;
        st->add_content(i, std::move(c));
      }
    }
    std::string missing;
    for (std::size_t k = 0; k < shards.size(); ++k) {
      std::uint64_t left = 0;
      for (std::uint64_t i = shards[k].first; i < shards[k].first + shards[k].documents; ++i) left += waiting[i] == 1;
      if (left != 0) missing += fmt::format("{}{} ({} pending documents)", missing.empty() ? "" : ", ", shards[k].label, left);
    }
    if (!missing.empty())
      throw format_error(fmt::format("merge: no content fingerprints for shard {} of round {}", missing, round));
    st->step();
  }
  write_state(out, *st, shards, names);
  status.round = st->round();
  status.complete = st->pending().empty();
  status.documents = st->size();
  status.shards = shards;
  count_pending(st->pending(), status.shards);
  return status;
}

run_decisions run_decisions::load(const fs::path& state, const std::uint64_t* only_shard_key,
                                   const std::string& temp_dir) {
  run_decisions d;
  // The decisions as run_state::finish() gives them.
  auto size_for = [&d, &temp_dir](std::uint64_t documents) {  // once, when the head is known
    if (d.decisions.docs.size() == documents && d.decisions.removals.size() == documents) return;
    d.decisions.docs.resize(documents);
    d.decisions.removals = removal_table(documents, temp_dir);
  };
  auto keep = [&](const state_file& f, std::uint64_t i, loaded_doc& ld) {
    size_for(f.documents);
    doc_result& r = d.decisions.docs[i];
    r = ld.res;
    if (r.status == doc_status::dropped) r.kept_bytes = 0;
    d.decisions.removals.set(i, ld.removals);
  };
  const doc_loader load = [&](state_file& f, std::uint64_t i, std::uint32_t, loaded_doc&& ld,
                              std::span<const std::uint32_t>) { keep(f, i, ld); };
  state_file sf = read_state(state, only_shard_key, load);
  d.options = sf.opt;
  d.status.round = sf.round;
  d.status.complete = sf.pending.empty();
  d.status.documents = sf.documents;
  d.status.shards = sf.shards;
  count_pending(sf.pending, d.status.shards);
  d.names_ = std::move(sf.names);
  d.group_of_ = std::move(sf.group_of);
  for (const run_state::group_info& g : sf.groups) d.group_names_.push_back(g.name);
  if (d.group_names_.empty()) d.group_names_.emplace_back();
  for (std::size_t k = 0; k < sf.docs.size(); ++k) keep(sf, sf.docs_first + k, sf.docs[k]);
  size_for(sf.documents);
  for (run_state::top_key& t : sf.top) {
    if (t.doc == 0xFFFFFFFFu) continue;
    d.decisions.top_boilerplate.push_back({std::move(t.text), sf.groups[t.group].name, t.pages, sf.groups[t.group].clusters});
  }
  d.decisions.boilerplate_lines = sf.boilerplate_lines;
  return d;
}

clean_options state_options(const fs::path& state) {
  file_reader in(state, kind_state);
  section s;
  if (!in.next(s, load_all) || s.tag != sec_head) in.fail("the HEAD section is not first");
  clean_options o;
  parse_section(in, s, [&](dec& r) {
    o = get_options(r);
    r.p = r.e;
  });
  return o;
}

result<std::string> run_decisions::read(std::size_t) const { return make_error_code(errc::not_regular_file); }

}  // namespace dupstrip

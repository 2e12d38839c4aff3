// Internal: the files of the scale-out steps (scaleout.hpp, doc/scaleout.md): their encoding,
// sections and checksums, and the records they hold. scaleout.cpp runs the steps with them.
//
//   file    = magic "DUPSTRIP", kind (4 bytes: SCAN, CONT, STAT), u32 version, sections...
//   section = tag (4 bytes), u32 aux, u64 length, payload, u64 XXH3-64(payload, seed = length)
//   the last section is "END " (aux = number of sections before it) holding the XXH3-64 of the
//   checksums of all sections before it: a truncated file has no END, a corrupt one fails a
//   checksum, and the END digest identifies the file's content.
// Integers are little-endian, doubles IEEE-754 binary64, strings u32 length + bytes.
#pragma once

#include "dupstrip/engine.hpp"
#include "dupstrip/hash.hpp"

#include <dupstrip/io.hpp>
#include <dupstrip/scaleout.hpp>

#include <fmt/format.h>

#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dupstrip::detail::shard {

static_assert(std::endian::native == std::endian::little,
              "the shard files are little-endian; add byte swapping for this machine");

namespace fs = std::filesystem;

using detail::content_record;
using detail::line_fp;
using detail::run_state;
using detail::scan_record;

inline constexpr char magic[8] = {'D', 'U', 'P', 'S', 'T', 'R', 'I', 'P'};
inline constexpr std::size_t chunk_docs = 1024;  // documents per DOCS section (and per parallel batch)

inline std::uint32_t tag_of(const char (&t)[5]) {
  std::uint32_t v = 0;
  std::memcpy(&v, t, 4);
  return v;
}

std::string tag_name(std::uint32_t v);

inline const std::uint32_t kind_scan = tag_of("SCAN");
inline const std::uint32_t kind_content = tag_of("CONT");
inline const std::uint32_t kind_state = tag_of("STAT");
inline const std::uint32_t sec_head = tag_of("HEAD");
inline const std::uint32_t sec_name = tag_of("NAME");
inline const std::uint32_t sec_docs = tag_of("DOCS");
inline const std::uint32_t sec_shards = tag_of("SHRD");
inline const std::uint32_t sec_groups = tag_of("GRPS");
inline const std::uint32_t sec_top = tag_of("TOPK");
inline const std::uint32_t sec_pending = tag_of("PEND");
inline const std::uint32_t sec_end = tag_of("END ");

const char* kind_words(std::uint32_t kind);

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

void put_error(enc& w, const std::error_code& ec);

std::error_code get_error(dec& r);

template <class E>
E get_enum(dec& r, std::uint8_t max) {
  const std::uint8_t v = r.u8();
  if (v > max) throw short_payload{};
  return static_cast<E>(v);
}

// Options: every field that changes results (not jobs).
std::string encode_options(const clean_options& o);

clean_options decode_options(dec& r);

// The options of a HEAD section: a str holding encode_options() bytes, wholly used.
clean_options get_options(dec& r);

// "threshold 0.7 vs 0.8, num_perm 64 vs 128": the options that differ.
std::string options_difference(const clean_options& a, const clean_options& b);

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

inline const auto load_all = [](std::uint32_t, std::uint32_t) { return true; };

// A count stored as u64 that a document (smaller than 4 GiB) keeps below 2^32.
std::uint32_t get_u32_of_u64(dec& r);

void put_lines(enc& w, std::span<const line_fp> lines, bool full);

std::vector<line_fp> get_lines(dec& r, bool full);

// Lines as split_lines() makes them: each [begin, next) follows the one before, end within it,
// all within the document. A file whose lines say otherwise is malformed: the merge reads line
// records by count and removes byte ranges made from them.
void check_lines(const std::vector<line_fp>& lines, std::uint64_t bytes);

// SCAN DOCS record: what scan_document() found.
void put_scan(enc& w, const scan_record& s, std::uint32_t K);

scan_record get_scan(dec& r, std::uint32_t K);

// CONT DOCS record: what content_document() found (with the document's index in its shard).
void put_content(enc& w, std::uint32_t local, const content_record& c, std::uint32_t K);

content_record get_content(dec& r, std::uint32_t& local, std::uint32_t K);

// STAT DOCS record: a document's whole state between merges.
struct loaded_doc {
  doc_result res;
  run_state::doc_extra ex;
  std::vector<removal> removals;
  std::vector<line_fp> lines;
};

void put_doc_state(enc& w, const doc_result& d, const run_state::doc_extra& ex, std::uint32_t group,
                   std::span<const removal> removals, std::span<const line_fp> lines, const std::uint32_t* sig,
                   std::uint32_t K);

loaded_doc get_doc_state(dec& r, std::uint32_t& group, std::uint32_t* sig, std::uint32_t K, std::size_t groups);

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
                 const std::vector<std::string>& names);

// Loads a state file; with `only`, the documents of that shard only (names of all); else every
// document goes to `load` as it is read.
state_file read_state(const fs::path& path, const std::uint64_t* only, const doc_loader& load = {});

// The merge's run_state of a state file (its documents are loaded into it as they are read).
std::unique_ptr<run_state> make_run_state(const state_file& sf, unsigned jobs, const std::string& temp_dir);

// A second file for a shard already merged: the same content (a retried task) counts once,
// with a note; other content is refused.
void note_repeated_shard(const file_reader& in, std::uint64_t first_digest, const fs::path& first_path,
                         const std::string& label, std::vector<std::string>& notes);

// Pending documents per shard (both lists are in corpus order).
void count_pending(const std::vector<std::uint32_t>& pending, std::vector<merge_shard>& shards);

}  // namespace dupstrip::detail::shard

// Reading the report for the review: the file line by line (decompressing a .gz/.zst report
// into an anonymous temporary file so that lines can be read again by offset), and each line
// into a record with simdjson's On-Demand parser, straight from the read buffer (the buffer
// keeps simdjson's padding after every line, so no line is copied). Keys are read by name
// and unknown keys are passed over, as doc/json.md asks of a reader; a reason this version
// does not know is kept as `other` with its name.
#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dupstrip/compress.hpp"
#include "dupstrip/review_internal.hpp"

namespace dupstrip::detail::review {

namespace {

struct reason_name {
  reason r;
  const char* key;
  const char* label;
  const char* tag;
};
constexpr reason_name reason_names[reason_count] = {
    {reason::boilerplate, "boilerplate", "Boilerplate", "BP"},         {reason::corpus, "corpus", "Corpus-wide", "CW"},
    {reason::template_line, "template", "Template line", "TL"},        {reason::repeat, "repeat", "Repeated run", "RR"},
    {reason::line_repeat, "line_repeat", "Line repeat", "LR"},         {reason::links, "links", "Link text", "LK"},
    {reason::outside_main, "outside_main", "Outside main text", "OM"}, {reason::other, "other", "Other reason", "??"},
};

// Base64 (RFC 4648, with padding) of a path's "bytes" form; invalid input throws.
bool decode_base64(std::string_view in, std::string& out) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (const char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=') {
      ++pad;
      continue;
    } else {
      return false;
    }
    if (pad != 0) return false;  // data after padding
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return pad <= 2;
}

}  // namespace

const char* reason_key(reason r) noexcept { return reason_names[static_cast<std::size_t>(r)].key; }
const char* reason_label(reason r) noexcept { return reason_names[static_cast<std::size_t>(r)].label; }
const char* reason_tag(reason r) noexcept { return reason_names[static_cast<std::size_t>(r)].tag; }
reason reason_of(std::string_view key) noexcept {
  for (const reason_name& n : reason_names)
    if (n.r != reason::other && key == n.key) return n.r;
  return reason::other;
}

void doc_record::clear() {
  path.clear();
  group.clear();
  index = 0;
  has_index = false;
  status = doc_state::kept;
  bytes = kept_bytes = stripped_bytes = content_tokens = 0;
  cluster.clear();
  duplicate_of.clear();
  similarity = 0;
  utf8_replacements = 0;
  safety_rail = false;
  skip_reason.clear();
  removed.clear();
}

const std::string* plain_record::find(std::string_view key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

// ------------------------------------------------------------------ records

struct record_parser::impl {
  simdjson::ondemand::parser parser;
  std::string_view file;
  std::uint64_t line = 0;
  std::string scratch;

  [[noreturn]] void fail(std::string_view what) const {
    throw review_error(fmt::format("{}:{}: {}", file, line, what));
  }

  std::uint64_t u64(simdjson::ondemand::value v, std::string_view key) {
    std::uint64_t x = 0;
    if (v.get_uint64().get(x) != simdjson::SUCCESS) fail(fmt::format("\"{}\" is not a non-negative integer", key));
    return x;
  }
  double number(simdjson::ondemand::value v, std::string_view key) {
    double x = 0;
    if (v.get_double().get(x) != simdjson::SUCCESS) fail(fmt::format("\"{}\" is not a number", key));
    return x;
  }
  void text(simdjson::ondemand::value v, std::string_view key, std::string& out) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) fail(fmt::format("\"{}\" is not a string", key));
    out.assign(s);
  }
  // A path object: {"text": "..."} or {"bytes": "<base64>"}.
  void path(simdjson::ondemand::value v, std::string_view key, std::string& out) {
    simdjson::ondemand::object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) fail(fmt::format("\"{}\" is not a path object", key));
    bool found = false;
    for (auto f : o) {
      std::string_view k;
      simdjson::ondemand::value fv;
      if (f.unescaped_key().get(k) != simdjson::SUCCESS || f.value().get(fv) != simdjson::SUCCESS)
        fail(fmt::format("\"{}\" is malformed", key));
      if (k == "text") {
        text(fv, key, out);
        found = true;
      } else if (k == "bytes") {
        std::string_view b64;
        if (fv.get_string().get(b64) != simdjson::SUCCESS || !decode_base64(b64, out))
          fail(fmt::format("\"{}\" holds invalid base64", key));
        found = true;
      }
    }
    if (!found) fail(fmt::format("\"{}\" has neither \"text\" nor \"bytes\"", key));
  }

  void removal(simdjson::ondemand::value v, removed_range& r) {
    simdjson::ondemand::object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) fail("an element of \"removed\" is not an object");
    bool has_begin = false, has_end = false;
    for (auto f : o) {
      std::string_view k;
      simdjson::ondemand::value fv;
      if (f.unescaped_key().get(k) != simdjson::SUCCESS || f.value().get(fv) != simdjson::SUCCESS)
        fail("malformed \"removed\"");
      if (k == "begin") {
        r.begin = u64(fv, k);
        has_begin = true;
      } else if (k == "end") {
        r.end = u64(fv, k);
        has_end = true;
      } else if (k == "reason") {
        text(fv, k, scratch);
        r.why = reason_of(scratch);
        if (r.why == reason::other) r.other = scratch;
      } else if (k == "pages" || k == "sites") {
        r.pages = u64(fv, k);
      } else if (k == "group_pages" || k == "run_sites") {
        r.group_pages = u64(fv, k);
      } else if (k == "prefix_tokens") {
        r.prefix_tokens = static_cast<std::uint32_t>(std::min<std::uint64_t>(u64(fv, k), 64));
      } else if (k == "suffix_tokens") {
        r.suffix_tokens = static_cast<std::uint32_t>(std::min<std::uint64_t>(u64(fv, k), 64));
      } else if (k == "first_copy_at") {
        r.first_copy_at = u64(fv, k);
      } else if (k == "link_share") {
        r.link_share = number(fv, k);
      } else if (k == "part") {
        text(fv, k, scratch);
        r.part = scratch == "figure" ? 1 : scratch == "collection" ? 2 : 0;
      } else if (k == "source_line") {
        r.source_line = u64(fv, k);
      }
    }
    if (!has_begin || !has_end || r.end < r.begin) fail("a removed range without a valid \"begin\" and \"end\"");
  }

  void doc(simdjson::ondemand::object data, doc_record& d) {
    d.clear();
    bool has_path = false;
    for (auto f : data) {
      std::string_view k;
      simdjson::ondemand::value v;
      if (f.unescaped_key().get(k) != simdjson::SUCCESS || f.value().get(v) != simdjson::SUCCESS)
        fail("malformed doc record");
      if (k == "path") {
        path(v, k, d.path);
        has_path = true;
      } else if (k == "group") {
        path(v, k, d.group);
      } else if (k == "index") {
        d.index = u64(v, k);
        d.has_index = true;
      } else if (k == "status") {
        text(v, k, scratch);
        if (scratch == "kept")
          d.status = doc_state::kept;
        else if (scratch == "dropped")
          d.status = doc_state::dropped;
        else if (scratch == "skipped")
          d.status = doc_state::skipped;
        else
          fail(fmt::format("unknown status \"{}\"", scratch));
      } else if (k == "bytes") {
        d.bytes = u64(v, k);
      } else if (k == "kept_bytes") {
        d.kept_bytes = u64(v, k);
      } else if (k == "stripped_bytes") {
        d.stripped_bytes = u64(v, k);
      } else if (k == "content_tokens") {
        d.content_tokens = u64(v, k);
      } else if (k == "cluster") {
        path(v, k, d.cluster);
      } else if (k == "duplicate_of") {
        path(v, k, d.duplicate_of);
      } else if (k == "similarity") {
        d.similarity = number(v, k);
      } else if (k == "utf8_replacements") {
        d.utf8_replacements = u64(v, k);
      } else if (k == "warning") {
        d.safety_rail = true;
      } else if (k == "reason") {
        text(v, k, d.skip_reason);
      } else if (k == "removed") {
        simdjson::ondemand::array a;
        if (v.get_array().get(a) != simdjson::SUCCESS) fail("\"removed\" is not an array");
        for (auto e : a) {
          simdjson::ondemand::value ev;
          if (e.get(ev) != simdjson::SUCCESS) fail("malformed \"removed\"");
          d.removed.emplace_back();
          removal(ev, d.removed.back());
        }
      }
    }
    if (!has_path) fail("doc record without \"path\"");
    // doc/json.md: sorted and disjoint; a report that breaks it is not one of ours.
    for (std::size_t i = 1; i < d.removed.size(); ++i)
      if (d.removed[i].begin < d.removed[i - 1].end) fail("removed ranges are not sorted and disjoint");
  }

  void cluster(simdjson::ondemand::object data, cluster_record& c) {
    c.id.clear();
    c.kept.clear();
    c.members.clear();
    for (auto f : data) {
      std::string_view k;
      simdjson::ondemand::value v;
      if (f.unescaped_key().get(k) != simdjson::SUCCESS || f.value().get(v) != simdjson::SUCCESS)
        fail("malformed cluster record");
      if (k == "id") {
        path(v, k, c.id);
      } else if (k == "kept") {
        path(v, k, c.kept);
      } else if (k == "members") {
        simdjson::ondemand::array a;
        if (v.get_array().get(a) != simdjson::SUCCESS) fail("\"members\" is not an array");
        for (auto e : a) {
          simdjson::ondemand::object mo;
          if (e.get_object().get(mo) != simdjson::SUCCESS) fail("a member is not an object");
          c.members.emplace_back();
          for (auto mf : mo) {
            std::string_view mk;
            simdjson::ondemand::value mv;
            if (mf.unescaped_key().get(mk) != simdjson::SUCCESS || mf.value().get(mv) != simdjson::SUCCESS)
              fail("malformed member");
            if (mk == "path")
              path(mv, mk, c.members.back().first);
            else if (mk == "similarity")
              c.members.back().second = number(mv, mk);
          }
        }
      }
    }
    if (c.kept.empty()) c.kept = c.id;
  }

  void plain(simdjson::ondemand::object o, const std::string& prefix, plain_record& p, int depth) {
    if (depth > 4) return;
    for (auto f : o) {
      std::string_view k;
      simdjson::ondemand::value v;
      if (f.unescaped_key().get(k) != simdjson::SUCCESS || f.value().get(v) != simdjson::SUCCESS)
        fail("malformed record");
      const std::string key = prefix + std::string(k);
      simdjson::ondemand::json_type t;
      if (v.type().get(t) != simdjson::SUCCESS) fail("malformed record");
      switch (t) {
        case simdjson::ondemand::json_type::object: {
          simdjson::ondemand::object sub;
          if (v.get_object().get(sub) != simdjson::SUCCESS) fail("malformed record");
          plain(sub, key + ".", p, depth + 1);
          break;
        }
        case simdjson::ondemand::json_type::array:
          break;  // none in this schema; passed over
        case simdjson::ondemand::json_type::string: {
          std::string s;
          text(v, k, s);
          p.fields.emplace_back(key, std::move(s));
          break;
        }
        default: {
          std::string_view raw = v.raw_json_token();
          while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t'))
            raw.remove_suffix(1);
          p.fields.emplace_back(key, std::string(raw));
        }
      }
    }
  }
};

record_parser::record_parser() : impl_(std::make_unique<impl>()) {}
record_parser::~record_parser() = default;

record_type record_parser::parse(std::string_view line, std::size_t readable, std::string_view file,
                                 std::uint64_t line_no, doc_record& doc, cluster_record& cluster, plain_record& plain) {
  impl& m = *impl_;
  m.file = file;
  m.line = line_no;
  simdjson::ondemand::document d;
  if (m.parser.iterate(simdjson::padded_string_view(line.data(), line.size(), readable)).get(d) != simdjson::SUCCESS)
    m.fail("not a JSON object");
  simdjson::ondemand::object top;
  if (d.get_object().get(top) != simdjson::SUCCESS) m.fail("not a JSON object");
  record_type type = record_type::unknown;
  bool typed = false;
  for (auto f : top) {
    std::string_view k;
    simdjson::ondemand::value v;
    if (f.unescaped_key().get(k) != simdjson::SUCCESS || f.value().get(v) != simdjson::SUCCESS)
      m.fail("not a dupstrip report record");
    if (k == "type") {
      std::string_view t;
      if (v.get_string().get(t) != simdjson::SUCCESS) m.fail("\"type\" is not a string");
      type = t == "begin"     ? record_type::begin
             : t == "doc"     ? record_type::doc
             : t == "cluster" ? record_type::cluster
             : t == "summary" ? record_type::summary
                              : record_type::unknown;
      typed = true;
    } else if (k == "data") {
      if (!typed) m.fail("\"data\" before \"type\" (not a dupstrip report record)");
      simdjson::ondemand::object data;
      if (v.get_object().get(data) != simdjson::SUCCESS) m.fail("\"data\" is not an object");
      switch (type) {
        case record_type::doc:
          m.doc(data, doc);
          break;
        case record_type::cluster:
          m.cluster(data, cluster);
          break;
        case record_type::begin:
        case record_type::summary:
          plain.fields.clear();
          m.plain(data, "", plain, 0);
          break;
        case record_type::unknown:
          break;  // a record type of a later version: passed over
      }
    }
  }
  if (!typed) m.fail("not a dupstrip report record (no \"type\")");
  // The document must end where the line does (a truncated or concatenated line is an error).
  if (const char* rest = nullptr; d.current_location().get(rest) == simdjson::SUCCESS)
    m.fail("trailing content after the record");
  return type;
}

record_type record_parser::parse_copy(std::string_view line, std::string_view file, std::uint64_t line_no,
                                      doc_record& doc, cluster_record& cluster, plain_record& plain) {
  const simdjson::padded_string copy(line);
  return parse(std::string_view(copy.data(), copy.size()), copy.size() + simdjson::SIMDJSON_PADDING, file, line_no, doc,
               cluster, plain);
}

// ------------------------------------------------------------------ the file

report_file::report_file(const std::filesystem::path& path, const std::string& temp_dir)
    : name_(path.string()), compression_(compression_for(path.filename().string())) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw review_error(fmt::format("{}: {}", name_, std::strerror(errno)));
  if (compression_ != compression::none) {
    try {
      spool_ = std::make_unique<spill_file>(temp_dir);
    } catch (const std::system_error& e) {
      throw review_error(fmt::format("{}: {}", name_, e.what()));
    }
  }
}

report_file::~report_file() {
  if (fd_ >= 0) ::close(fd_);
}

void report_file::for_each_line(
    const std::function<void(std::string_view, std::size_t, std::uint64_t, std::uint64_t)>& f) {
  constexpr std::size_t chunk = std::size_t{4} << 20;
  constexpr std::size_t pad = simdjson::SIMDJSON_PADDING;
  // buf holds [0, used) of the stream from offset `base`, then at least `pad` spare bytes.
  std::vector<char> buf(chunk + pad);
  std::size_t used = 0;
  std::uint64_t base = 0;
  std::uint64_t line_no = 0;
  std::unique_ptr<decompressor> dec;
  if (compression_ != compression::none) dec = std::make_unique<decompressor>(compression_);
  std::string inflated;  // decompressed bytes not yet moved into buf
  std::size_t inflated_pos = 0;

  auto lines_in_buffer = [&](bool last) {
    std::size_t pos = 0;
    while (pos < used) {
      const char* nl = static_cast<const char*>(std::memchr(buf.data() + pos, '\n', used - pos));
      if (nl == nullptr && !last) break;
      const std::size_t end = nl != nullptr ? static_cast<std::size_t>(nl - buf.data()) : used;
      ++line_no;
      std::size_t stop = end;
      if (stop > pos && buf[stop - 1] == '\r') --stop;
      std::string_view line(buf.data() + pos, stop - pos);
      const bool blank = line.find_first_not_of(" \t") == std::string_view::npos;
      if (!blank) f(line, buf.size() - pos, base + pos, line_no);
      pos = nl != nullptr ? end + 1 : used;
    }
    // Keep the partial line at the front.
    std::memmove(buf.data(), buf.data() + pos, used - pos);
    used -= pos;
    base += pos;
  };

  bool done = false;
  bool input_done = false;
  while (!done) {
    if (buf.size() - pad == used) buf.resize(buf.size() * 2);  // a line longer than the buffer
    const std::size_t room = buf.size() - pad - used;
    std::size_t got = 0;
    if (!dec) {
      const ssize_t n = ::read(fd_, buf.data() + used, room);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw review_error(fmt::format("{}: {}", name_, std::strerror(errno)));
      }
      got = static_cast<std::size_t>(n);
      done = n == 0;
    } else {
      while (inflated_pos == inflated.size() && !input_done) {
        inflated.clear();
        inflated_pos = 0;
        char in[65536];
        const ssize_t n = ::read(fd_, in, sizeof in);
        if (n < 0) {
          if (errno == EINTR) continue;
          throw review_error(fmt::format("{}: {}", name_, std::strerror(errno)));
        }
        std::error_code ec;
        if (n == 0) {
          ec = dec->finish();
          input_done = true;
        } else {
          ec = dec->feed(std::string_view(in, static_cast<std::size_t>(n)), [&](std::string_view out) {
            inflated.append(out);
            return std::error_code{};
          });
        }
        if (ec) throw review_error(fmt::format("{}: {}", name_, ec.message()));
        if (!inflated.empty()) spool_->append(inflated.data(), inflated.size());
      }
      got = std::min(room, inflated.size() - inflated_pos);
      std::memcpy(buf.data() + used, inflated.data() + inflated_pos, got);
      inflated_pos += got;
      done = input_done && inflated_pos == inflated.size();
    }
    used += got;
    lines_in_buffer(done);
  }
}

std::string report_file::line_at(std::uint64_t offset) const {
  std::string line;
  char block[65536];
  for (std::uint64_t at = offset;;) {
    std::size_t n = 0;
    if (spool_) {
      const std::uint64_t end = spool_->appended();
      if (at >= end) break;
      n = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof block, end - at));
      spool_->read_at(at, block, n);
    } else {
      const ssize_t r = ::pread(fd_, block, sizeof block, static_cast<off_t>(at));
      if (r < 0) {
        if (errno == EINTR) continue;
        throw review_error(fmt::format("{}: {}", name_, std::strerror(errno)));
      }
      if (r == 0) break;
      n = static_cast<std::size_t>(r);
    }
    const char* nl = static_cast<const char*>(std::memchr(block, '\n', n));
    if (nl != nullptr) {
      line.append(block, static_cast<std::size_t>(nl - block));
      break;
    }
    line.append(block, n);
    at += n;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace dupstrip::detail::review

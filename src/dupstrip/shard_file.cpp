// The files of the scale-out steps (shard_file.hpp): options, records and the state file.
#include "dupstrip/shard_file.hpp"

#include "dupstrip/template_lines.hpp"

#include <algorithm>
#include <unordered_map>

namespace dupstrip::detail::shard {

std::string tag_name(std::uint32_t v) {
  std::string s(4, ' ');
  std::memcpy(s.data(), &v, 4);
  for (char& c : s)
    if (c < 32 || c > 126) c = '?';
  return s;
}

const char* kind_words(std::uint32_t kind) {
  if (kind == kind_scan) return "a scan fingerprint file";
  if (kind == kind_content) return "a content fingerprint file";
  if (kind == kind_state) return "a merge state file";
  return "an unknown kind of file";
}

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
state_file read_state(const fs::path& path, const std::uint64_t* only, const doc_loader& load) {
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

}  // namespace dupstrip::detail::shard

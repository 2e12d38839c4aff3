// Writing a cleaned JSON Lines stream (write_jsonl): each kept record is its input line with the
// text field's value replaced by the kept bytes (or, for a web page read through an
// html_source, the page's cleaned text in its own field); records read from another kind of
// source are written as new {id, text} objects. Annotated output adds a "dupstrip" member with
// the status and the removals.
#include "dupstrip/jsonl.hpp"

#include "dupstrip/html.hpp"
#include "dupstrip/report.hpp"

#include "dupstrip/parallel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <future>

namespace dupstrip {

namespace {

std::string annotation(const document_source& source, const doc_result& d, std::span<const removal> rem) {
  std::string s = ",\"dupstrip\":{\"status\":\"";
  s += status_name(d.status);
  s += '"';
  if (d.status == doc_status::skipped) {
    s += ",\"reason\":";
    append_json_text(s, skip_reason(d.error, d.error_offset));
    s += '}';
    return s;
  }
  if (d.status == doc_status::dropped) {
    s += ",\"duplicate_of\":";
    append_json_text(s, source.name(d.duplicate_of));
    s += fmt::format(",\"similarity\":{:.6f}", d.similarity);
  }
  append_json_removals(s, rem);
  s += "}";
  return s;
}

// The kept bytes of `text`, in a buffer of the calling thread that the next call reuses: a
// fresh string per record was a malloc and a free of the record's size, and those of records
// this big take the allocator's arena lock, which the other render threads queue on.
std::string_view joined(std::string_view text, std::span<const removal> rem) {
  if (rem.empty()) return text;
  thread_local std::string s;
  if (s.capacity() > (std::size_t{64} << 20U)) s = std::string();  // no giant buffer kept
  s.clear();
  for (const std::string_view p : kept_pieces(text, rem)) s.append(p);
  return s;
}

void mark_unreadable(doc_result& d, std::error_code ec) {
  d.status = doc_status::skipped;
  d.error = ec;
  d.kept_bytes = 0;
}

// Renders document i into `out` (nothing when it is left out); returns U+FFFD replacements.
std::size_t render(const document_source& source, const jsonl_source* js, analysis& a, std::size_t i,
                   const jsonl_output_options& o, std::string& out) {
  doc_result& d = a.docs[i];
  const bool wanted = d.status == doc_status::kept ||
                      (o.annotate && (d.status == doc_status::dropped || (js != nullptr && d.status == doc_status::skipped)));
  if (!wanted) return 0;
  const std::vector<removal> rem = a.removals.size() > i ? a.removals.get(i) : std::vector<removal>{};
  std::size_t replaced = 0;
  if (js != nullptr) {
    const bool page = &source != js;  // read through an html_source: the text is the page's
    // A page's cleaned text goes to its own field: where that field is, in the same pass.
    const bool own_field = page && !o.html_field.empty() && o.html_field != o.text_field;
    // One record buffer per thread: a web page's record is big, and fresh memory for each
    // costs page faults and clearing.
    thread_local jsonl_record_line r;
    if (r.line.capacity() > (std::size_t{64} << 20U)) r = jsonl_record_line{};  // no giant buffer kept
    if (const std::error_code ec =
            js->read_record_into(i, r, !page, own_field ? std::string_view(o.text_field) : std::string_view())) {
      if (d.status != doc_status::skipped) mark_unreadable(d, ec);
      return 0;
    }
    if (page && d.status != doc_status::skipped) {
      auto text = source.read(i);
      if (!text.has_value()) {
        mark_unreadable(d, text.error());
        return 0;
      }
      r.text = std::move(text).value();
    }
    if (d.status != doc_status::skipped && r.text.size() != d.bytes) {
      mark_unreadable(d, make_error_code(errc::changed_during_run));
      return 0;
    }
    const std::string_view line(r.line);
    // The object's '}': a record is a valid JSON object, so its last byte but white space.
    const std::size_t close = line.rfind('}');
    out.reserve(out.size() + line.size() + r.text.size() / 8 * 9 + 64);  // one allocation, escapes aside
    if (o.annotate) {
      out.append(line.substr(0, close));
      out += annotation(o.duplicate_names != nullptr ? *o.duplicate_names : source, d, rem);
      out.append(line.substr(close));
    } else if (own_field) {
      // The page stays; the cleaned text goes to its own field.
      if (r.field_begin != std::string::npos) {
        out.append(line.substr(0, r.field_begin));
        replaced = append_json_text(out, joined(r.text, rem));
        out.append(line.substr(r.field_end));
      } else {
        out.append(line.substr(0, close));
        out.push_back(',');
        append_json_text(out, o.text_field);
        out.push_back(':');
        replaced = append_json_text(out, joined(r.text, rem));
        out.append(line.substr(close));
      }
    } else {
      out.append(line.substr(0, r.text_begin));
      replaced = append_json_text(out, joined(r.text, rem));
      out.append(line.substr(r.text_end));
    }
    out.append(r.terminator.empty() ? std::string_view("\n") : r.terminator);
    return replaced;
  }
  if (d.status == doc_status::skipped) return 0;
  auto data = source.read(i);
  if (!data.has_value() || data.value().size() != d.bytes) {
    mark_unreadable(d, data.has_value() ? make_error_code(errc::changed_during_run) : data.error());
    return 0;
  }
  out.push_back('{');
  append_json_text(out, o.id_field);
  out.push_back(':');
  append_json_text(out, source.name(i));
  out.push_back(',');
  append_json_text(out, o.text_field);
  out.push_back(':');
  replaced = append_json_text(out, o.annotate ? std::string_view(data.value()) : joined(data.value(), rem));
  if (o.annotate) out += annotation(o.duplicate_names != nullptr ? *o.duplicate_names : source, d, rem);
  out += "}\n";
  return replaced;
}

}  // namespace

std::error_code write_jsonl(const document_source& source, analysis& a, const jsonl_output_options& o,
                            const std::function<std::error_code(std::string_view)>& write, unsigned jobs,
                            const progress_callback& progress, std::vector<jsonl_replacement>* replaced) {
  const auto* hs = dynamic_cast<const html_source*>(&source);
  const auto* js = dynamic_cast<const jsonl_source*>(hs != nullptr ? &hs->inner() : &source);
  const std::size_t n = a.docs.size();
  // A batch is rendered in parallel, then written in order. Its size follows the records
  // rendered so far: about 4 MiB of output, 16 to 512 records. Each worker appends the records
  // it renders to its own buffer, kept from batch to batch: a buffer per record was reallocated
  // by whichever thread rendered into it next, and freeing memory of another thread's arena
  // queues on that arena's lock (a third of the render threads' time went to that wait). With
  // more than one job, a batch is written on a helper thread while the next one is rendered
  // (two sets of buffers; one write at a time, in order).
  constexpr std::size_t max_batch = 512;
  constexpr std::size_t min_batch = 16;
  constexpr std::uint64_t batch_bytes = 4U << 20U;
  constexpr std::size_t max_kept_buffer = std::size_t{64} << 20U;  // a bigger one is released
  const unsigned workers = detail::resolve_jobs(jobs);
  const bool overlap = workers > 1;
  struct piece {
    unsigned worker = 0;
    std::size_t at = 0;
    std::size_t size = 0;
  };
  struct side_buffers {
    std::vector<std::string> text;  // per worker
    std::vector<piece> pieces;      // per record of the batch
  };
  std::array<side_buffers, 2> sides;
  for (side_buffers& sb : sides) {
    sb.text.resize(workers);
    sb.pieces.resize(std::min(max_batch, n));
  }
  std::vector<std::size_t> counts(sides[0].pieces.size());
  std::uint64_t bytes_done = 0;
  std::uint64_t out_bytes = 0;
  std::size_t batch = min_batch;
  auto write_batch = [&write](const side_buffers& sb, std::size_t m) -> std::error_code {
    for (std::size_t k = 0; k < m; ++k) {
      const piece& p = sb.pieces[k];
      if (p.size != 0)
        if (const std::error_code ec = write(std::string_view(sb.text[p.worker]).substr(p.at, p.size))) return ec;
    }
    return {};
  };
  std::future<std::error_code> writing;
  unsigned side = 0;
  for (std::size_t base = 0; base < n; base += batch) {
    if (base != 0)
      batch = static_cast<std::size_t>(std::clamp<std::uint64_t>(batch_bytes * base / std::max<std::uint64_t>(out_bytes, 1),
                                                                 min_batch, max_batch));
    const std::size_t m = std::min(batch, n - base);
    side_buffers& sb = sides[side];
    for (std::string& t : sb.text) {
      if (t.capacity() > max_kept_buffer) t = std::string();
      t.clear();
    }
    detail::parallel_for(m, jobs, 4, [&](unsigned w, std::size_t k) {
      std::string& t = sb.text[w];
      const std::size_t at = t.size();
      counts[k] = render(source, js, a, base + k, o, t);
      sb.pieces[k] = {w, at, t.size() - at};
    });
    for (std::size_t k = 0; k < m; ++k) {
      out_bytes += sb.pieces[k].size;
      if (counts[k] != 0 && replaced != nullptr) replaced->push_back({base + k, counts[k]});
      bytes_done += a.docs[base + k].bytes;
    }
    if (writing.valid())
      if (const std::error_code ec = writing.get()) return ec;
    if (overlap) {
      writing = std::async(std::launch::async, write_batch, std::cref(sb), m);
      side ^= 1U;
    } else if (const std::error_code ec = write_batch(sb, m)) {
      return ec;
    }
    if (progress) progress({"write", base + m, n, bytes_done});
  }
  if (writing.valid()) return writing.get();
  return {};
}

}  // namespace dupstrip

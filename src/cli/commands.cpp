// clean and scan: check the paths, open INPUT (a folder, JSONL streams, a --files-from list), run
// the deduper, write the kept documents (a folder, atomically one file each, or one JSONL stream),
// the report, and the summary. No algorithm lives here.
#include "commands.hpp"

#include "inputs.hpp"
#include "messages.hpp"
#include "progress.hpp"

#include <dupstrip/html.hpp>
#include <dupstrip/io.hpp>
#include <dupstrip/jsonl.hpp>
#include <dupstrip/report.hpp>
#include <dupstrip/review.hpp>
#include <dupstrip/scaleout.hpp>
#include <dupstrip/version.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <unistd.h>

namespace dupstrip::cli {
namespace fs = std::filesystem;

namespace {

std::string human_bytes(std::uint64_t b) {
  if (b >= 10'000'000) return fmt::format("{:.1f} MB", static_cast<double>(b) / 1e6);
  if (b >= 10'000) return fmt::format("{:.1f} kB", static_cast<double>(b) / 1e3);
  return fmt::format("{} B", b);
}

void print_summary(const analysis& a, const run_totals& t, double secs) {
  messages& m = messages::get();
  m.note(fmt::format("dupstrip: read {} documents ({}) in {:.2f}s: kept {}, dropped {} near-duplicates "
                     "({} clusters), skipped {}",
                     t.read, human_bytes(t.bytes_in), secs, t.kept, t.dropped, t.clusters, t.skipped));
  m.note(fmt::format("dupstrip: stripped {} lines ({}) from kept documents: {} repeated runs, {} boilerplate "
                     "spans ({} distinct lines), {} corpus-wide, {} template lines, {} in-page line repeats",
                     t.lines_stripped, human_bytes(t.bytes_stripped), t.repeat_spans, t.boilerplate_spans,
                     a.boilerplate_lines, t.corpus_spans, t.template_spans, t.line_repeat_spans));
  if (t.links_spans + t.outside_main_spans != 0)
    m.note(fmt::format("dupstrip: web pages: {} blocks of link text and {} blocks outside the main text stripped",
                       t.links_spans, t.outside_main_spans));
  if (t.limited != 0)
    m.note(fmt::format("dupstrip: safety rail: {} documents kept only their surest removals (see report)",
                       t.limited));
  if (!a.top_boilerplate.empty()) {
    m.note("top boilerplate (pages of group carrying it):");
    for (const boilerplate_example& e : a.top_boilerplate) {
      std::string text = e.text.size() > 70 ? e.text.substr(0, 67) + "..." : e.text;
      m.note(fmt::format("  {:>6}/{:<6} {:<16} {}", e.pages, e.group_pages, e.group.empty() ? "(top)" : e.group, text));
    }
  }
}

}  // namespace

namespace {

enum class output_kind { none, folder, jsonl_file, jsonl_stdout };

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(a, ec), ec) == fs::weakly_canonical(fs::absolute(b, ec), ec);
}

// File names under an output folder for JSONL records: "<id>.txt" when every record has an id
// that is a safe, unique file name; else "<line>.txt" (prefixed by the shard's name, without
// its JSONL extension, when there are several inputs).
std::vector<std::string> jsonl_file_names(const jsonl_source& js) {
  std::vector<std::string> names(js.size());
  auto safe = [](std::string_view id) {
    if (id.empty() || id.size() > 200 || id.front() == '.') return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
             c == '-';
    });
  };
  std::vector<std::string_view> ids;
  bool use_ids = true;
  for (std::size_t i = 0; i < js.size() && use_ids; ++i) {
    use_ids = js.has_id(i) && safe(js.name(i));
    ids.push_back(js.name(i));
  }
  if (use_ids) {
    std::sort(ids.begin(), ids.end());
    use_ids = std::adjacent_find(ids.begin(), ids.end()) == ids.end();
  }
  for (std::size_t i = 0; i < js.size(); ++i) {
    if (use_ids) {
      names[i] = std::string(js.name(i)) + ".txt";
      continue;
    }
    std::string prefix;
    if (js.inputs().size() > 1) {
      std::string shard = fs::path(js.inputs()[js.input_of(i)].name).filename().string();
      for (const char* ext : {".gz", ".zst"})
        if (shard.size() > std::strlen(ext) && shard.ends_with(ext)) shard.resize(shard.size() - std::strlen(ext));
      for (const char* ext : {".jsonl", ".ndjson"})
        if (shard.size() > std::strlen(ext) && shard.ends_with(ext)) shard.resize(shard.size() - std::strlen(ext));
      prefix = shard + "/";
    }
    names[i] = fmt::format("{}{}.txt", prefix, js.line_of(i));
  }
  return names;
}

void set_verbosity(const cli_args& a) {
  messages::get().set_verbosity(a.quiet ? verbosity::quiet : a.verbose > 0 ? verbosity::verbose : verbosity::normal);
}

// Library options from the arguments; prints and returns false when they are invalid.
bool resolve_options(cli_args& a) {
  messages& m = messages::get();
  clean_options& o = a.options;
  o.keep = a.keep == "first" ? keep_policy::first : keep_policy::longest;
  o.utf8 = a.utf8 == "strict" ? utf8_policy::strict : a.utf8 == "bytes" ? utf8_policy::bytes : utf8_policy::replace;
  try {
    o.validate();
  } catch (const config_error& e) {
    m.error(e.what());
    return false;
  }
  return true;
}

output_kind output_kind_of(const cli_args& a) {
  if (a.output.empty()) return output_kind::none;
  if (a.output == "-") return output_kind::jsonl_stdout;
  return is_jsonl_name(a.output) ? output_kind::jsonl_file : output_kind::folder;
}

// The opened inputs of a run.
struct opened_input {
  input_plan plan;
  std::unique_ptr<document_source> source;  // what the run reads: `inner`, or web pages read from it
  std::unique_ptr<document_source> inner;
  const jsonl_source* js = nullptr;
  const folder_source* fsrc = nullptr;
  const html_source* html = nullptr;
  std::string label;  // the shard's name in scale-out files: INPUT or the --files-from list
};

// Plans the inputs and checks OUTPUT and --report against them (before any work); returns 0 or
// the exit code.
int plan_and_check(const cli_args& a, output_kind out_kind, bool shared_output, opened_input& in,
                   std::string& group_by) {
  messages& m = messages::get();
  const bool jsonl_out = out_kind == output_kind::jsonl_file || out_kind == output_kind::jsonl_stdout;
  if (a.json && out_kind == output_kind::jsonl_stdout) {
    m.error("--json prints on stdout, which carries the cleaned stream (-o -): write it to a file instead");
    return 2;
  }
  if (a.annotate && !jsonl_out) {
    m.error("--annotate needs JSONL output (-o FILE.jsonl or -o -)");
    return 2;
  }
  if (a.input == "-" && a.files_from == "-") {
    m.error("standard input cannot be both INPUT and --files-from");
    return 2;
  }
  input_plan& plan = in.plan;
  if (!plan_inputs(a, plan)) return 2;
  in.label = a.input.empty() ? a.files_from : a.input;
  // Groups: folders for text files, a field (or nothing) for JSONL records.
  group_by = a.group_by;
  if (group_by.empty()) group_by = plan.jsonl ? (a.group_field.empty() ? "none" : "field") : "folder";
  if (group_by == "field" && (!plan.jsonl || a.group_field.empty())) {
    m.error(plan.jsonl ? "--group-by field needs --group-field NAME"
                       : "--group-by field needs JSONL input (text files have no fields)");
    return 2;
  }
  if (group_by == "folder" && plan.jsonl) {
    m.error("--group-by folder needs a folder of text files; for JSONL use --group-field NAME or --group-by none");
    return 2;
  }

  const fs::path input(a.input);
  const fs::path output(a.output);
  std::error_code ec;
  if (out_kind == output_kind::folder) {
    if (plan.folder && path_is_within(output, input)) {
      m.error(fmt::format("{}: the output folder must not be INPUT or inside it", a.output));
      return 2;
    }
    if (plan.folder && path_is_within(input, output)) {
      m.error(fmt::format("{}: the output folder must not contain INPUT", a.output));
      return 2;
    }
    if (!a.root.empty() && (path_is_within(output, a.root) || path_is_within(a.root, output))) {
      m.error(fmt::format("{}: the output folder must not be --root, inside it or around it", a.output));
      return 2;
    }
    for (std::size_t i = 0; i < plan.files.size(); ++i) {
      const std::string_view rel = plan.files.relative(i);
      if (rel.empty() || rel.starts_with("../") || rel == ".." || rel.find("/../") != std::string_view::npos) {
        m.error(fmt::format("{}: cannot mirror this path under OUTPUT (write JSONL output instead)",
                            plan.files.path(i).string()));
        return 2;
      }
      if (!plan.folder && path_is_within(plan.files.path(i), output)) {
        m.error(fmt::format("{}: an input lies inside the output folder {}", plan.files.path(i).string(), a.output));
        return 2;
      }
    }
    if (fs::exists(output, ec) && !fs::is_directory(output, ec)) {
      m.error(fmt::format("{}: exists and is not a folder", a.output));
      return 2;
    }
    if (!shared_output && fs::is_directory(output, ec) && !fs::is_empty(output, ec) && !a.force) {
      m.error(fmt::format("{}: output folder is not empty (use --force to write into it)", a.output));
      return 2;
    }
  }
  if (out_kind == output_kind::jsonl_file) {
    if (fs::is_directory(output, ec)) {
      m.error(fmt::format("{}: is a folder; a JSONL output must be a file", a.output));
      return 2;
    }
    bool clash = plan.folder && path_is_within(output, input);
    for (const jsonl_input& s : plan.streams) clash = clash || (!s.path.empty() && same_file(s.path, output));
    for (std::size_t i = 0; i < plan.files.size() && !plan.folder; ++i)
      clash = clash || same_file(plan.files.path(i), output);
    if (clash) {
      m.error(fmt::format("{}: the output must not be an input or inside INPUT", a.output));
      return 2;
    }
  }
  for (const std::string* extra : {&a.report, &a.fingerprints, &a.review}) {
    if (extra->empty()) continue;
    bool clash = plan.folder && path_is_within(*extra, input);
    for (const jsonl_input& s : plan.streams) clash = clash || (!s.path.empty() && same_file(s.path, *extra));
    for (std::size_t i = 0; i < plan.files.size() && !plan.folder; ++i)
      clash = clash || same_file(plan.files.path(i), *extra);
    if (clash) {
      m.error(fmt::format("{}: must not be written over or inside INPUT", *extra));
      return 2;
    }
  }
  if (!a.review.empty()) {
    // The review folder is replaced as a whole: it must not hold what the run reads or writes.
    const std::string& report = a.command == "review" ? a.review_report : a.report;
    bool clash = (!report.empty() && path_is_within(report, a.review)) ||
                 (out_kind != output_kind::none && a.output != "-" &&
                  (path_is_within(a.output, a.review) || path_is_within(a.review, a.output)));
    for (const jsonl_input& s : plan.streams) clash = clash || (!s.path.empty() && path_is_within(s.path, a.review));
    clash = clash || (plan.folder && path_is_within(input, a.review));
    for (std::size_t i = 0; i < plan.files.size() && !plan.folder; ++i)
      clash = clash || path_is_within(plan.files.path(i), a.review);
    if (clash) {
      m.error(fmt::format("{}: the review folder must not hold INPUT, OUTPUT or the report, nor lie inside OUTPUT",
                          a.review));
      return 2;
    }
    // Checked again when it is written; here so that a long run does not end in this error.
    const fs::path dir(a.review);
    if (fs::exists(dir, ec) && (!fs::is_directory(dir, ec) || (!fs::is_empty(dir, ec) &&
                                                               !fs::exists(dir / ".dupstrip-review", ec)))) {
      m.error(fmt::format("{}: exists and is not an empty folder or an earlier review: choose another folder",
                          a.review));
      return 2;
    }
  }
  return 0;
}

// Opens the planned inputs as a document source (prints the problems of JSONL inputs).
int open_source(const cli_args& a, const clean_options& o, const std::string& group_by, progress_line& progress,
                opened_input& in) {
  messages& m = messages::get();
  if (in.plan.jsonl) {
    jsonl_options jo;
    jo.text_field = a.html_field.empty() ? a.text_field : a.html_field;
    jo.id_field = a.id_field;
    if (group_by == "field") jo.group_field = a.group_field;
    jo.stop_at_first_error = a.strict;
    auto src = std::make_unique<jsonl_source>(std::move(in.plan.streams), jo, progress.callback());
    in.js = src.get();
    std::size_t unopened = 0;
    bool fatal = false;
    for (const jsonl_issue& is : src->issues()) {
      const std::string& name = src->inputs()[is.input].name;
      const std::string where = is.line == 0 ? name : fmt::format("{}:{}", name, is.line);
      switch (is.kind) {
        case jsonl_issue_kind::lone_surrogate: m.warning(fmt::format("{}: {}", where, is.message)); break;
        case jsonl_issue_kind::input_error:
          if (is.line == 0) ++unopened;
          [[fallthrough]];
        case jsonl_issue_kind::malformed_line:
          m.input_error(where, is.message);
          fatal = fatal || a.strict;
          break;
      }
    }
    if (fatal) {
      progress.finish();
      m.error("stopped at the first error (--strict)");
      return 2;
    }
    if (unopened == src->inputs().size()) {
      progress.finish();
      return 2;  // nothing could be read
    }
    in.inner = std::move(src);
    // A JSONL record holds a web page when --html-field names its field or --input-format html
    // says the text field does; its text is decoded already, so its meta charset is ignored.
    if (!a.html_field.empty() || a.input_format == "html") {
      html_options ho;
      ho.sniff_encoding = false;
      auto h = std::make_unique<html_source>(*in.inner, input_format::html, ho, o.temp_dir);
      in.html = h.get();
      in.source = std::move(h);
    }
  } else {
    const group_policy gp = group_by == "none"                    ? group_policy::none
                            : in.plan.folder || !a.root.empty() ? group_policy::folder
                                                                  : group_policy::parent;
    auto src = std::make_unique<folder_source>(std::move(in.plan.files), gp, o.max_document_bytes);
    in.fsrc = src.get();
    in.inner = std::move(src);
    if (a.input_format != "text") {
      auto h = std::make_unique<html_source>(
          *in.inner, a.input_format == "html" ? input_format::html : input_format::automatic, html_options{}, o.temp_dir);
      in.html = h.get();
      in.source = std::move(h);
    }
  }
  if (!in.source) in.source = std::move(in.inner);
  return 0;
}

// The name under OUTPUT of document i of a folder: its relative path, with the extension of a
// web page replaced by .txt (the output is the page's text).
std::string output_name(const opened_input& in, std::size_t i) {
  const std::string_view rel = in.fsrc->name(i);
  if (in.html == nullptr || !in.html->was_page(i)) return std::string(rel);
  std::string_view stem = rel;
  for (const std::string_view z : {".gz", ".zst"})
    if (stem.size() > z.size() && stem.ends_with(z)) stem.remove_suffix(z.size());
  const std::size_t slash = stem.rfind('/');
  const std::size_t dot = stem.rfind('.');
  if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash + 1)) stem = stem.substr(0, dot);
  return std::string(stem) + ".txt";
}

// Names under OUTPUT of the kept documents of a folder (empty for the others). A page whose
// .txt name is another kept document's (a.html beside a.htm or a.txt) is named by its whole
// relative path plus .txt (a.htm.txt), in document order, with a warning; a name still taken
// then is an error (nothing is written). Returns false on that error.
bool folder_output_names(const opened_input& in, const analysis& result, std::vector<std::string>& names) {
  messages& m = messages::get();
  const std::size_t n = result.docs.size();
  names.assign(n, {});
  std::unordered_map<std::string, std::size_t> owner;
  // Text documents keep their names: they claim them first.
  for (std::size_t i = 0; i < n; ++i) {
    if (result.docs[i].status != doc_status::kept) continue;
    if (in.html != nullptr && in.html->was_page(i)) continue;
    names[i] = std::string(in.fsrc->name(i));
    owner.emplace(names[i], i);
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (result.docs[i].status != doc_status::kept || !names[i].empty()) continue;
    std::string name = output_name(in, i);
    if (owner.contains(name)) {
      const std::string taken = name;
      name = std::string(in.fsrc->name(i)) + ".txt";
      if (owner.contains(name)) {
        m.error(fmt::format("{}: its output names {} and {} are taken by {} and {}", in.fsrc->name(i), taken, name,
                            in.fsrc->name(owner[taken]), in.fsrc->name(owner[name])));
        return false;
      }
      m.warning(fmt::format("{}: written as {} ({} is {}'s output)", in.fsrc->name(i), name, taken,
                            in.fsrc->name(owner[taken])));
    }
    owner.emplace(name, i);
    names[i] = std::move(name);
  }
  return true;
}

// Writes the kept documents of `result` (indices of `in.source`) to OUTPUT; returns 0 or 2.
int write_documents(const cli_args& a, output_kind out_kind, opened_input& in, analysis& result, unsigned jobs,
                    progress_line& progress, std::vector<jsonl_replacement>& replaced,
                    const document_source* duplicate_names = nullptr) {
  messages& m = messages::get();
  const fs::path output(a.output);
  if (out_kind == output_kind::folder) {
    if (std::error_code mk; !fs::create_directories(output, mk) && mk) {
      progress.finish();
      m.error(fmt::format("{}: cannot create the output folder: {}", a.output, mk.message()));
      return 2;
    }
    std::vector<std::string> names;
    if (in.js != nullptr) {
      names = jsonl_file_names(*in.js);
    } else if (!folder_output_names(in, result, names)) {
      progress.finish();
      return 2;
    }
    const output_folder folder(output);
    const std::error_code werr =
        folder.error() ? folder.error()
                       : apply(
                             *in.source, result,
                             [&](std::size_t i, std::span<const std::string_view> pieces) {
                               const std::string& rel = names[i];
                               return folder.write(rel, pieces, compression_for(rel));
                             },
                             jobs, progress.callback());
    if (werr) {
      progress.finish();
      m.error(fmt::format("{}: cannot write output: {}", a.output, werr.message()));
      return 2;
    }
  } else if (out_kind == output_kind::jsonl_file || out_kind == output_kind::jsonl_stdout) {
    jsonl_output_options jo;
    jo.text_field = a.text_field;
    jo.id_field = a.id_field;
    jo.html_field = a.html_field;
    jo.annotate = a.annotate;
    jo.duplicate_names = duplicate_names;
    std::error_code werr;
    if (out_kind == output_kind::jsonl_file) {
      atomic_file file(output, compression_for(a.output));
      werr = file.error();
      if (!werr) {
        werr = write_jsonl(
            *in.source, result, jo,
            [&](std::string_view bytes) {
              file.write(bytes);
              return file.error();
            },
            jobs, progress.callback(), &replaced);
      }
      if (!werr) werr = file.commit();
    } else {
      werr = write_jsonl(
          *in.source, result, jo,
          [&](std::string_view bytes) -> std::error_code {
            if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size())
              return {errno != 0 ? errno : EIO, std::generic_category()};
            return {};
          },
          jobs, progress.callback(), &replaced);
      if (!werr && std::fflush(stdout) != 0) werr = {errno != 0 ? errno : EIO, std::generic_category()};
    }
    if (werr) {
      progress.finish();
      m.error(fmt::format("{}: cannot write output: {}", a.output == "-" ? "<stdout>" : a.output, werr.message()));
      return 2;
    }
  }
  return 0;
}

// Per-document messages: skipped inputs (exit 1) and safety-rail notes.
void print_document_messages(const opened_input& in, const analysis& result,
                             const std::vector<jsonl_replacement>& replaced) {
  messages& m = messages::get();
  auto where = [&](std::size_t i) { return in.js != nullptr ? in.js->where(i) : in.fsrc->path(i).string(); };
  for (const jsonl_replacement& r : replaced)
    m.warning(fmt::format("{}: {} invalid UTF-8 bytes written as U+FFFD (JSON cannot carry them)", where(r.index),
                          r.count));
  for (std::size_t i = 0; i < result.docs.size(); ++i) {
    const doc_result& r = result.docs[i];
    if (r.status == doc_status::skipped) {
      std::string why = r.error.message();
      if (r.error == make_error_code(errc::invalid_utf8)) why += fmt::format(" at byte {}", r.error_offset);
      m.input_error(where(i), why);
    } else if (r.strip_limited) {
      m.info(fmt::format("{}: safety rail: only the surest removals applied", in.source->name(i)));
    }
  }
}

// Writes text made piece by piece to `path` ("-": standard output) atomically, never holding
// the whole text (a report of a million documents is about a gigabyte).
int write_streamed(const std::string& path, const char* what,
                   const std::function<void(const std::function<void(std::string_view)>&)>& produce) {
  if (path == "-") {
    produce([](std::string_view piece) { std::fwrite(piece.data(), 1, piece.size(), stdout); });
    return 0;
  }
  atomic_file file(path, compression_for(path));
  if (!file.error()) produce([&](std::string_view piece) { file.write(piece); });
  if (const std::error_code err = file.commit()) {
    messages::get().error(fmt::format("{}: cannot write the {}: {}", path, what, err.message()));
    return 2;
  }
  return 0;
}

// The whole report of a run (begin, doc records, clusters, summary), piece by piece.
void full_report(const clean_options& o, const document_source& names, const analysis& result,
                 const run_totals& totals, double secs, const std::function<void(std::string_view)>& out) {
  out(report_begin(o));
  report_docs(names, result, o.jobs, out);
  out(report_clusters(names, result));
  out(report_summary(result, totals, secs, true));
}

// Writes the review of `report` (read from `report`, named `report_label` on the page) to
// --review / -o DIR; returns 0 or 2.
int write_review_folder(const cli_args& a, const std::string& report, const std::string& report_label,
                        const document_source* input, const std::string& input_label) {
  messages& m = messages::get();
  review_options ro;
  ro.documents = a.review_docs;
  ro.input_label = input_label;
  ro.report_label = report_label;
  ro.temp_dir = a.options.temp_dir;
  try {
    const review_result r = write_review(report, input, a.review, ro);
    for (const std::string& n : r.notes) m.warning(fmt::format("{}: {}", report_label.empty() ? report : report_label, n));
    if (r.text_mismatches != 0)
      m.warning(fmt::format("review: {} documents shown without their text: the input does not hold the text the "
                            "report describes (give INPUT and its options as the run had them)",
                            r.text_mismatches));
    m.note(fmt::format("dupstrip: review written to {}/index.html: {} files ({}), {} documents shown, {} diffs",
                       a.review, r.files, human_bytes(r.bytes), r.documents, r.diffs));
    return 0;
  } catch (const review_error& e) {
    m.error(e.what());
    return 2;
  } catch (const std::system_error& e) {
    m.error(fmt::format("review: {}", e.what()));
    return 2;
  }
}

// `review REPORT [INPUT] -o DIR`: INPUT is opened as clean opens it, so that each document's
// text is the one the run cleaned (a web page's text model).
int run_review(cli_args& a) {
  messages& m = messages::get();
  set_verbosity(a);
  if (!resolve_options(a)) return 2;
  opened_input in;
  const bool has_input = !a.input.empty() || !a.files_from.empty();
  if (has_input) {
    std::string group_by;
    if (const int rc = plan_and_check(a, output_kind::none, false, in, group_by); rc != 0) return rc;
    progress_line progress(false);
    if (const int rc = open_source(a, a.options, group_by, progress, in); rc != 0) return rc;
  } else {
    m.warning("review: no INPUT given: the review has the tables but no document text");
  }
  const int rc = write_review_folder(a, a.review_report, a.review_report, has_input ? in.source.get() : nullptr,
                                     a.input.empty() ? a.files_from : a.input);
  if (rc != 0) return rc;
  return m.errored() ? 1 : 0;
}

// The end of clean, scan and a complete merge: report, summary, exit code.
int finish_run(const cli_args& a, const clean_options& o, const document_source& names, const analysis& result,
               double secs, bool report_on_stdout) {
  const run_totals totals = compute_totals(result);
  if (!a.report.empty() || report_on_stdout) {
    const int rc = write_streamed(a.report.empty() ? "-" : a.report, "report", [&](const auto& out) {
      full_report(o, names, result, totals, secs, out);
    });
    if (rc != 0) return rc;
  }
  if (!a.review.empty()) {
    // The review reads the report; without --report it goes to a temporary file first.
    std::string report = a.report;
    std::string temporary;
    if (report.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      const fs::path dir = !o.temp_dir.empty() ? fs::path(o.temp_dir) : tmp != nullptr && *tmp != '\0' ? fs::path(tmp) : fs::path("/tmp");
      temporary = (dir / fmt::format("dupstrip-review-report-{}.jsonl", ::getpid())).string();
      const int rc = write_streamed(temporary, "report", [&](const auto& out) {
        full_report(o, names, result, totals, secs, out);
      });
      if (rc != 0) return rc;
      report = temporary;
    }
    const int rc = write_review_folder(a, report, a.report, &names, a.input.empty() ? a.files_from : a.input);
    if (!temporary.empty()) {
      std::error_code ec;
      fs::remove(temporary, ec);
    }
    if (rc != 0) return rc;
  }
  if (a.json) {
    const std::string s = report_summary(result, totals, secs, false);
    std::fwrite(s.data(), 1, s.size(), stdout);
  } else {
    print_summary(result, totals, secs);
  }
  if (totals.read == 0 && totals.skipped > 0) return 2;
  return messages::get().errored() ? 1 : 0;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool show_progress(const cli_args& a) {
  return a.progress == "always" || (a.progress == "auto" && !a.quiet && ::isatty(2) != 0);
}

// `scan --fingerprints F`: pass 1 of one shard; with --state: a content round of one shard.
int run_scan_shard(cli_args& a) {
  messages& m = messages::get();
  opened_input in;
  std::string group_by;
  if (const int rc = plan_and_check(a, output_kind::none, false, in, group_by); rc != 0) return rc;
  progress_line progress(show_progress(a));
  if (const int rc = open_source(a, a.options, group_by, progress, in); rc != 0) return rc;
  std::error_code werr;
  std::vector<skipped_document> skipped;
  try {
    werr = a.state.empty() ? scan_shard(*in.source, a.options, in.label, a.fingerprints, progress.callback(), &skipped)
                           : scan_shard_content(*in.source, in.label, a.state, a.fingerprints, a.options.jobs,
                                                progress.callback(), &skipped);
  } catch (const format_error& e) {
    progress.finish();
    m.error(e.what());
    return 2;
  }
  progress.finish();
  if (werr) {
    m.error(fmt::format("{}: cannot write the fingerprints: {}", a.fingerprints, werr.message()));
    return 2;
  }
  for (const skipped_document& k : skipped) {
    std::string why = k.error.message();
    if (k.error == make_error_code(errc::invalid_utf8)) why += fmt::format(" at byte {}", k.error_offset);
    m.input_error(in.js != nullptr ? in.js->where(k.index) : in.fsrc->path(k.index).string(), why);
  }
  m.info(fmt::format("{}: fingerprints of {} documents written", a.fingerprints, in.source->size()));
  return m.errored() ? 1 : 0;
}

std::string status_json(const merge_status& s) {
  std::string j = fmt::format("{{\"round\":{},\"complete\":{},\"documents\":{},\"shards\":[", s.round,
                              s.complete ? "true" : "false", s.documents);
  for (std::size_t k = 0; k < s.shards.size(); ++k) {
    if (k != 0) j += ",";
    j += fmt::format("{{\"index\":{},\"label\":", k);
    append_json_path(j, s.shards[k].label);
    j += fmt::format(",\"documents\":{},\"pending\":{}}}", s.shards[k].documents, s.shards[k].pending);
  }
  j += "],\"notes\":[";
  for (std::size_t k = 0; k < s.notes.size(); ++k) {
    if (k != 0) j += ",";
    append_json_string(j, s.notes[k]);
  }
  j += "]}\n";
  return j;
}

// `apply --state S SHARD -o OUT`: writes the shard's kept documents as the state decided, and
// the shard's report records.
int apply_shard(cli_args& a, output_kind out_kind, opened_input& in, const std::string& group_by,
                progress_line& progress, std::chrono::steady_clock::time_point start) {
  messages& m = messages::get();
  try {
    const clean_options so = state_options(a.state);
    if (const int rc = open_source(a, so, group_by, progress, in); rc != 0) return rc;
    const shard_identity id = identify_shard(*in.source, in.label);
    run_decisions d = run_decisions::load(a.state, &id.key, a.options.temp_dir);
    if (!d.status.complete) {
      m.error(fmt::format("{}: round {} is not complete: merge the content fingerprints first", a.state,
                          d.status.round));
      return 2;
    }
    const merge_shard* shard = nullptr;
    for (const merge_shard& s : d.status.shards)
      if (s.key == id.key) shard = &s;
    if (shard == nullptr || shard->documents != in.source->size()) {
      m.error(fmt::format("{}: does not hold this shard", a.state));
      return 2;
    }
    const std::size_t first = shard->first;
    analysis local;
    local.docs.assign(d.decisions.docs.begin() + static_cast<std::ptrdiff_t>(first),
                      d.decisions.docs.begin() + static_cast<std::ptrdiff_t>(first + shard->documents));
    local.removals = removal_table(shard->documents, a.options.temp_dir);
    for (std::size_t k = 0; k < shard->documents; ++k) local.removals.set(k, d.decisions.removals.get(first + k));
    std::vector<jsonl_replacement> replaced;
    // duplicate_of holds corpus indices: --annotate names them from the state.
    if (const int rc = write_documents(a, out_kind, in, local, a.options.jobs, progress, replaced, &d); rc != 0)
      return rc;
    progress.finish();
    std::copy(local.docs.begin(), local.docs.end(), d.decisions.docs.begin() + static_cast<std::ptrdiff_t>(first));
    print_document_messages(in, local, replaced);
    if (!a.report.empty()) {
      const int rc = write_streamed(a.report, "report", [&](const auto& out) {
        for (std::size_t k = 0; k < local.docs.size(); ++k) out(report_doc(d, d.decisions, first + k));
      });
      if (rc != 0) return rc;
    }
    const run_totals totals = compute_totals(local);
    const double secs = seconds_since(start);
    if (a.json) {
      local.boilerplate_lines = d.decisions.boilerplate_lines;
      const std::string s = report_summary(local, totals, secs, false);
      std::fwrite(s.data(), 1, s.size(), stdout);
    } else {
      m.note(fmt::format("dupstrip apply: {}: {} documents ({}) in {:.2f}s: wrote {} ({}), dropped {} near-duplicates, "
                         "skipped {}; stripped {} lines ({}) from kept documents",
                         in.label, totals.read + totals.skipped, human_bytes(totals.bytes_in), secs, totals.kept,
                         human_bytes(totals.bytes_out), totals.dropped, totals.skipped, totals.lines_stripped,
                         human_bytes(totals.bytes_stripped)));
    }
    return m.errored() ? 1 : 0;
  } catch (const format_error& e) {
    progress.finish();
    m.error(e.what());
    return 2;
  }
}

}  // namespace

int run_merge(cli_args& a) {
  messages& m = messages::get();
  set_verbosity(a);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<fs::path> inputs(a.inputs.begin(), a.inputs.end());
  const fs::path state(a.state);
  auto print_status = [&](const merge_status& st) {
    if (!a.json) return;
    const std::string j = status_json(st);
    std::fwrite(j.data(), 1, j.size(), stdout);
  };
  try {
    fs::path final_state = state;
    if (!inputs.empty()) {
      if (a.output.empty()) {
        m.error("merge: give the state to write with -o STATE.dsm");
        return 2;
      }
      const merge_status st = merge_shards(inputs, a.state.empty() ? nullptr : &state, a.output, a.options.jobs,
                                                   a.options.temp_dir);
      for (const std::string& n : st.notes) m.warning(n);
      print_status(st);
      final_state = a.output;
      if (!st.complete) {
        std::uint64_t pending = 0;
        std::size_t shards = 0;
        for (const merge_shard& s : st.shards) {
          pending += s.pending;
          shards += s.pending != 0 ? 1 : 0;
        }
        m.note(fmt::format("dupstrip merge: round {}: {} documents in {} shards; {} documents of {} shards need a "
                           "content round: run `dupstrip scan SHARD --state {} --fingerprints C.dsfp` for each, then "
                           "`dupstrip merge --state {} C...dsfp -o NEXT.dsm`",
                           st.round, st.documents, st.shards.size(), pending, shards, a.output, a.output));
        if (!a.report.empty()) m.note("dupstrip merge: the report is written when the run is complete");
        return 0;
      }
    } else if (a.state.empty()) {
      m.error("merge: give fingerprint files, or --state STATE.dsm of a complete run");
      return 2;
    }
    run_decisions d = run_decisions::load(final_state, nullptr, a.options.temp_dir);
    if (!d.status.complete) {
      m.error(fmt::format("{}: round {} is not complete: give the content fingerprint files of this round",
                          final_state.string(), d.status.round));
      return 2;
    }
    if (inputs.empty()) print_status(d.status);
    m.note(fmt::format("dupstrip merge: complete after {} content rounds: run `dupstrip apply --state {} SHARD -o OUT` "
                       "for each shard",
                       d.status.round, final_state.string()));
    cli_args quiet_json = a;
    quiet_json.json = false;  // the status object is the JSON of merge
    return finish_run(quiet_json, d.options, d, d.decisions, seconds_since(start), false);
  } catch (const format_error& e) {
    m.error(e.what());
    return 2;
  } catch (const std::system_error& e) {
    m.error(e.what());
    return 2;
  }
}

int run_command(cli_args& a) {
  messages& m = messages::get();
  if (a.command == "review") return run_review(a);
  const bool applying = a.command == "apply";
  set_verbosity(a);
  if (!applying && !resolve_options(a)) return 2;
  if (a.command == "scan" && !a.state.empty() && a.fingerprints.empty()) {
    m.error("scan --state needs --fingerprints FILE (the content fingerprints to write)");
    return 2;
  }
  if (a.command == "scan" && !a.fingerprints.empty()) return run_scan_shard(a);

  const bool cleaning = a.command == "clean" || applying;
  const output_kind out_kind = cleaning ? output_kind_of(a) : output_kind::none;
  opened_input in;
  std::string group_by;
  if (const int rc = plan_and_check(a, out_kind, applying, in, group_by); rc != 0) return rc;

  const auto start = std::chrono::steady_clock::now();
  progress_line progress(show_progress(a));

  if (applying) return apply_shard(a, out_kind, in, group_by, progress, start);

  clean_options& o = a.options;
  if (const int rc = open_source(a, o, group_by, progress, in); rc != 0) return rc;
  const deduper dd(o);
  analysis result = dd.run(*in.source, progress.callback());
  {
    std::string phases;
    for (const auto& [name, secs] : result.phase_seconds) phases += fmt::format(" {} {:.2f}s", name, secs);
    m.info(fmt::format("phases:{}; temporary files {}", phases, human_bytes(result.temp_bytes)));
  }
  const auto write_start = std::chrono::steady_clock::now();
  std::vector<jsonl_replacement> replaced;
  if (const int rc = write_documents(a, out_kind, in, result, o.jobs, progress, replaced); rc != 0) return rc;
  progress.finish();
  if (cleaning) m.info(fmt::format("phases: write {:.2f}s", seconds_since(write_start)));
  print_document_messages(in, result, replaced);
  return finish_run(a, o, *in.source, result, seconds_since(start), !cleaning);
}

}  // namespace dupstrip::cli

// A run from paths (run.hpp): what `dupstrip clean` and `dupstrip scan` do between parsing their
// arguments and printing the summary, shared by the CLI and the Python module so that both
// write the same bytes. Diagnostics go to a run_messages (the CLI prints them, Python raises or
// collects them); nothing here prints.
//
// INPUT and --files-from: a folder whose files all have JSONL names (.jsonl/.ndjson, optionally
// .gz/.zst) is read as JSONL shards, in bytewise path order; so is a --files-from list of such
// names. Any other single file is read as JSONL.
#include "dupstrip/run.hpp"

#include "dupstrip/html.hpp"
#include "dupstrip/parallel.hpp"
#include "dupstrip/report.hpp"
#include "dupstrip/scaleout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unordered_map>

namespace dupstrip {
namespace fs = std::filesystem;

run_messages::~run_messages() = default;
run_progress::~run_progress() = default;
run_input::run_input() = default;
run_input::run_input(run_input&&) noexcept = default;
run_input& run_input::operator=(run_input&&) noexcept = default;
run_input::~run_input() = default;

output_kind output_kind_of(std::string_view output) noexcept {
  if (output.empty()) return output_kind::none;
  if (output == "-") return output_kind::jsonl_stdout;
  return is_jsonl_name(output) ? output_kind::jsonl_file : output_kind::folder;
}

std::string run_input::where(std::size_t i) const { return js != nullptr ? js->where(i) : fsrc->path(i).string(); }

namespace {

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(a, ec), ec) == fs::weakly_canonical(fs::absolute(b, ec), ec);
}

bool read_list(const std::string& from, std::vector<std::string>& out, run_messages& m) {
  std::string data;
  if (from == "-") {
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) data.append(buf, n);
  } else {
    auto r = read_file(from, std::uint64_t{1} << 32);
    if (!r.has_value()) {
      m.error(fmt::format("{}: {}", from, r.error().message()), from, r.error());
      return false;
    }
    data = std::move(r).value();
  }
  const char sep = data.find('\0') != std::string::npos ? '\0' : '\n';
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t end = data.find(sep, pos);
    if (end == std::string::npos) end = data.size();
    std::string item = data.substr(pos, end - pos);
    if (sep == '\n' && !item.empty() && item.back() == '\r') item.pop_back();
    if (!item.empty()) out.push_back(std::move(item));
    pos = end + 1;
  }
  return true;
}

bool all_jsonl(const std::vector<std::string>& names) {
  return !names.empty() &&
         std::all_of(names.begin(), names.end(), [](const std::string& n) { return is_jsonl_name(n); });
}

bool all_jsonl(const file_list& files) {
  for (std::size_t i = 0; i < files.size(); ++i)
    if (!is_jsonl_name(files.relative(i))) return false;
  return !files.empty();
}

// Builds the plan; on a usage problem reports it and returns false (exit 2).
bool plan_inputs(const run_spec& a, input_plan& plan, run_messages& m) {
  if (a.input.empty() == a.files_from.empty()) {
    m.error(a.input.empty() ? "no INPUT: give a folder, a JSONL file, - (stdin) or --files-from"
                            : "give INPUT or --files-from, not both",
            {}, {});
    return false;
  }
  if (!a.root.empty() && a.files_from.empty()) {
    m.error("--root goes with --files-from (the listed paths are relative to it)", {}, {});
    return false;
  }
  if (!a.files_from.empty()) {
    std::vector<std::string> paths;
    if (!read_list(a.files_from, paths, m)) return false;
    const fs::path root(a.root);
    if (!root.empty()) plan.files = file_list(root);
    if (all_jsonl(paths)) {
      plan.jsonl = true;
      for (const std::string& p : paths) {
        const fs::path full = root.empty() ? fs::path(p) : root / p;
        plan.streams.push_back({full.string(), full});
      }
      return true;
    }
    for (const std::string& p : paths) {
      // The name under OUTPUT: the path as given, made relative ("/a/b" -> "a/b"); with --root,
      // the path below the root, as a walk of the root would name it.
      std::string rel = fs::path(p).lexically_normal().relative_path().generic_string();
      if (!root.empty() && (rel.empty() || rel == ".." || rel.starts_with("../"))) {
        m.error(fmt::format("{}: a path listed with --root must lie below the root", p), p, {});
        return false;
      }
      if (root.empty()) {
        plan.files.add(rel, p);
      } else {
        plan.files.add(rel);
      }
    }
    return true;
  }
  if (a.input == "-") {
    plan.jsonl = true;
    plan.streams.push_back({"<stdin>", fs::path()});
    return true;
  }
  const fs::path input(a.input);
  std::error_code ec;
  if (fs::is_directory(input, ec)) {
    std::vector<walk_issue> issues;
    file_list files = walk_files(input, issues);
    for (const walk_issue& w : issues) m.input_error(w.path, w.error.message(), w.error);
    if (all_jsonl(files)) {
      plan.jsonl = true;
      for (std::size_t i = 0; i < files.size(); ++i) {
        const fs::path p = files.path(i);
        plan.streams.push_back({p.string(), p});
      }
    } else {
      plan.folder = true;
      plan.files = std::move(files);
    }
    return true;
  }
  if (!fs::exists(input, ec)) {
    m.error(fmt::format("{}: no such file or directory", a.input), a.input,
            std::make_error_code(std::errc::no_such_file_or_directory));
    return false;
  }
  plan.jsonl = true;
  plan.streams.push_back({a.input, input});
  return true;
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

// The name under OUTPUT of document i of a folder: its relative path, with the extension of a
// web page replaced by .txt (the output is the page's text).
std::string output_name(const run_input& in, std::size_t i) {
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
bool folder_output_names(const run_input& in, const analysis& result, std::vector<std::string>& names,
                         run_messages& m) {
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
                            in.fsrc->name(owner[taken]), in.fsrc->name(owner[name])),
                {}, {});
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

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

bool run_input::holds(const fs::path& path, const std::string& input) const {
  bool clash = plan.folder && path_is_within(path, input);
  for (const jsonl_input& s : plan.streams) clash = clash || (!s.path.empty() && same_file(s.path, path));
  for (std::size_t i = 0; i < plan.files.size() && !plan.folder; ++i)
    clash = clash || same_file(plan.files.path(i), path);
  return clash;
}

int plan_run(const run_spec& a, output_kind out_kind, bool shared_output, run_input& in, run_messages& m) {
  input_plan& plan = in.plan;
  if (!plan_inputs(a, plan, m)) return 2;
  in.label = a.input.empty() ? a.files_from : a.input;
  // Groups: folders for text files, a field (or nothing) for JSONL records.
  std::string& group_by = in.group_by;
  group_by = a.group_by;
  if (group_by.empty()) group_by = plan.jsonl ? (a.group_field.empty() ? "none" : "field") : "folder";
  if (group_by == "field" && (!plan.jsonl || a.group_field.empty())) {
    m.error(plan.jsonl ? "--group-by field needs --group-field NAME"
                       : "--group-by field needs JSONL input (text files have no fields)",
            {}, {});
    return 2;
  }
  if (group_by == "folder" && plan.jsonl) {
    m.error("--group-by folder needs a folder of text files; for JSONL use --group-field NAME or --group-by none", {},
            {});
    return 2;
  }

  const fs::path input(a.input);
  const fs::path output(a.output);
  std::error_code ec;
  if (out_kind == output_kind::folder) {
    if (plan.folder && path_is_within(output, input)) {
      m.error(fmt::format("{}: the output folder must not be INPUT or inside it", a.output), a.output, {});
      return 2;
    }
    if (plan.folder && path_is_within(input, output)) {
      m.error(fmt::format("{}: the output folder must not contain INPUT", a.output), a.output, {});
      return 2;
    }
    if (!a.root.empty() && (path_is_within(output, a.root) || path_is_within(a.root, output))) {
      m.error(fmt::format("{}: the output folder must not be --root, inside it or around it", a.output), a.output,
              {});
      return 2;
    }
    for (std::size_t i = 0; i < plan.files.size(); ++i) {
      const std::string_view rel = plan.files.relative(i);
      if (rel.empty() || rel.starts_with("../") || rel == ".." || rel.find("/../") != std::string_view::npos) {
        m.error(fmt::format("{}: cannot mirror this path under OUTPUT (write JSONL output instead)",
                            plan.files.path(i).string()),
                {}, {});
        return 2;
      }
      if (!plan.folder && path_is_within(plan.files.path(i), output)) {
        m.error(fmt::format("{}: an input lies inside the output folder {}", plan.files.path(i).string(), a.output),
                a.output, {});
        return 2;
      }
    }
    if (fs::exists(output, ec) && !fs::is_directory(output, ec)) {
      m.error(fmt::format("{}: exists and is not a folder", a.output), a.output,
              std::make_error_code(std::errc::not_a_directory));
      return 2;
    }
    if (!shared_output && fs::is_directory(output, ec) && !fs::is_empty(output, ec) && !a.force) {
      m.error(fmt::format("{}: output folder is not empty (use --force to write into it)", a.output), a.output,
              std::make_error_code(std::errc::directory_not_empty));
      return 2;
    }
  }
  if (out_kind == output_kind::jsonl_file) {
    if (fs::is_directory(output, ec)) {
      m.error(fmt::format("{}: is a folder; a JSONL output must be a file", a.output), a.output,
              std::make_error_code(std::errc::is_a_directory));
      return 2;
    }
    if (in.holds(output, a.input)) {
      m.error(fmt::format("{}: the output must not be an input or inside INPUT", a.output), a.output, {});
      return 2;
    }
  }
  if (!a.report.empty() && in.holds(a.report, a.input)) {
    m.error(fmt::format("{}: must not be written over or inside INPUT", a.report), a.report, {});
    return 2;
  }
  return 0;
}

int open_run_input(const run_spec& a, const clean_options& o, run_input& in, run_messages& m,
                   run_progress& progress) {
  if (in.plan.jsonl) {
    jsonl_options jo;
    jo.text_field = a.html_field.empty() ? a.text_field : a.html_field;
    jo.id_field = a.id_field;
    if (in.group_by == "field") jo.group_field = a.group_field;
    jo.stop_at_first_error = a.strict;
    jo.temp_dir = o.temp_dir;
    jo.jobs = detail::resolve_jobs(o.jobs);
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
          m.input_error(where, is.message, is.error);
          fatal = fatal || a.strict;
          break;
      }
    }
    if (fatal) {
      progress.finish();
      m.error("stopped at the first error (--strict)", {}, {});
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
    const group_policy gp = in.group_by == "none"                  ? group_policy::none
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

int write_run_documents(const run_spec& a, output_kind out_kind, run_input& in, analysis& result, unsigned jobs,
                        run_messages& m, run_progress& progress, std::vector<jsonl_replacement>& replaced,
                        const document_source* duplicate_names) {
  const fs::path output(a.output);
  if (out_kind == output_kind::folder) {
    if (std::error_code mk; !fs::create_directories(output, mk) && mk) {
      progress.finish();
      m.error(fmt::format("{}: cannot create the output folder: {}", a.output, mk.message()), a.output, mk);
      return 2;
    }
    std::vector<std::string> names;
    if (in.js != nullptr) {
      names = jsonl_file_names(*in.js);
    } else if (!folder_output_names(in, result, names, m)) {
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
      m.error(fmt::format("{}: cannot write output: {}", a.output, werr.message()), a.output, werr);
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
    } else if (a.output_stream == nullptr) {
      werr = std::make_error_code(std::errc::bad_file_descriptor);
    } else {
      std::FILE* const stream = a.output_stream;
      werr = write_jsonl(
          *in.source, result, jo,
          [&](std::string_view bytes) -> std::error_code {
            if (std::fwrite(bytes.data(), 1, bytes.size(), stream) != bytes.size())
              return {errno != 0 ? errno : EIO, std::generic_category()};
            return {};
          },
          jobs, progress.callback(), &replaced);
      if (!werr && std::fflush(stream) != 0) werr = {errno != 0 ? errno : EIO, std::generic_category()};
    }
    if (werr) {
      progress.finish();
      m.error(fmt::format("{}: cannot write output: {}", a.output == "-" ? "<stdout>" : a.output, werr.message()),
              a.output == "-" ? std::string_view{} : std::string_view(a.output), werr);
      return 2;
    }
  }
  return 0;
}

void report_document_issues(const run_input& in, const analysis& result,
                            const std::vector<jsonl_replacement>& replaced, run_messages& m) {
  for (const jsonl_replacement& r : replaced)
    m.warning(fmt::format("{}: {} invalid UTF-8 bytes written as U+FFFD (JSON cannot carry them)", in.where(r.index),
                          r.count));
  for (std::size_t i = 0; i < result.docs.size(); ++i) {
    const doc_result& r = result.docs[i];
    if (r.status == doc_status::skipped) {
      m.input_error(in.where(i), skip_reason(r.error, r.error_offset), r.error);
    } else if (r.strip_limited) {
      m.info(fmt::format("{}: safety rail: only the surest removals applied", in.source->name(i)));
    }
  }
}

void write_report(const clean_options& o, const document_source& names, const analysis& result,
                  const run_totals& totals, double secs, const std::function<void(std::string_view)>& out) {
  out(report_begin(o));
  report_docs(names, result, o.jobs, out);
  out(report_clusters(names, result));
  out(report_summary(result, totals, secs, true));
}

int write_file_streamed(const std::string& path, const char* what,
                        const std::function<void(const std::function<void(std::string_view)>&)>& produce,
                        run_messages& m) {
  atomic_file file(path, compression_for(path));
  if (!file.error()) produce([&](std::string_view piece) { file.write(piece); });
  if (const std::error_code err = file.commit()) {
    m.error(fmt::format("{}: cannot write the {}: {}", path, what, err.message()), path, err);
    return 2;
  }
  return 0;
}

run_outcome run_clean(const run_spec& spec, run_messages& m, run_progress& progress,
                      const std::function<int(const run_input&)>& checks) {
  run_outcome out;
  const output_kind out_kind = output_kind_of(spec.output);
  out.status = plan_run(spec, out_kind, false, out.input, m);
  if (out.status == 0 && checks) out.status = checks(out.input);
  if (out.status != 0) return out;
  out.start = std::chrono::steady_clock::now();
  const clean_options& o = spec.options;
  out.status = open_run_input(spec, o, out.input, m, progress);
  if (out.status != 0) return out;
  const deduper dd(o);
  out.result = dd.run(*out.input.source, progress.callback());
  {
    std::string phases;
    for (const auto& [name, secs] : out.result.phase_seconds) phases += fmt::format(" {} {:.2f}s", name, secs);
    m.info(fmt::format("phases:{}; temporary files {}", phases, human_bytes(out.result.temp_bytes)));
  }
  const auto write_start = std::chrono::steady_clock::now();
  std::vector<jsonl_replacement> replaced;
  out.status = write_run_documents(spec, out_kind, out.input, out.result, o.jobs, m, progress, replaced);
  if (out.status != 0) return out;
  progress.finish();
  if (out_kind != output_kind::none) m.info(fmt::format("phases: write {:.2f}s", seconds_since(write_start)));
  report_document_issues(out.input, out.result, replaced, m);
  return out;
}

int run_scan_shard(const run_spec& spec, const std::string& fingerprints, const std::string& state,
                   run_messages& m, run_progress& progress, const std::function<int(const run_input&)>& checks) {
  run_input in;
  if (const int rc = plan_run(spec, output_kind::none, false, in, m); rc != 0) return rc;
  if (checks) {
    if (const int rc = checks(in); rc != 0) return rc;
  }
  if (const int rc = open_run_input(spec, spec.options, in, m, progress); rc != 0) return rc;
  std::error_code werr;
  std::vector<skipped_document> skipped;
  try {
    werr = state.empty()
               ? scan_shard(*in.source, spec.options, in.label, fingerprints, progress.callback(), &skipped)
               : scan_shard_content(*in.source, in.label, state, fingerprints, spec.options.jobs, progress.callback(),
                                    &skipped);
  } catch (const format_error& e) {
    progress.finish();
    m.error(e.what(), state, {});
    return 2;
  }
  progress.finish();
  if (werr) {
    m.error(fmt::format("{}: cannot write the fingerprints: {}", fingerprints, werr.message()), fingerprints, werr);
    return 2;
  }
  for (const skipped_document& k : skipped) {
    m.input_error(in.where(k.index), skip_reason(k.error, k.error_offset), k.error);
  }
  m.info(fmt::format("{}: fingerprints of {} documents written", fingerprints, in.source->size()));
  return 0;
}

apply_outcome run_apply_shard(const run_spec& spec, const std::string& state, run_messages& m,
                              run_progress& progress, const std::function<int(const run_input&)>& checks) {
  apply_outcome out;
  const output_kind out_kind = output_kind_of(spec.output);
  run_input in;
  out.status = plan_run(spec, out_kind, true, in, m);
  if (out.status == 0 && checks) out.status = checks(in);
  if (out.status != 0) return out;
  out.status = 2;
  try {
    const clean_options so = state_options(state);
    if (open_run_input(spec, so, in, m, progress) != 0) return out;
    const shard_identity id = identify_shard(*in.source, in.label);
    run_decisions d = run_decisions::load(state, &id.key, spec.options.temp_dir);
    if (!d.status.complete) {
      m.error(fmt::format("{}: round {} is not complete: merge the content fingerprints first", state, d.status.round),
              state, {});
      return out;
    }
    const merge_shard* shard = nullptr;
    for (const merge_shard& s : d.status.shards)
      if (s.key == id.key) shard = &s;
    if (shard == nullptr || shard->documents != in.source->size()) {
      m.error(fmt::format("{}: does not hold this shard", state), state, {});
      return out;
    }
    const std::size_t first = shard->first;
    analysis& local = out.shard;
    local.docs.assign(d.decisions.docs.begin() + static_cast<std::ptrdiff_t>(first),
                      d.decisions.docs.begin() + static_cast<std::ptrdiff_t>(first + shard->documents));
    local.removals = removal_table(shard->documents, spec.options.temp_dir);
    for (std::size_t k = 0; k < shard->documents; ++k) local.removals.set(k, d.decisions.removals.get(first + k));
    local.boilerplate_lines = d.decisions.boilerplate_lines;
    std::vector<jsonl_replacement> replaced;
    // duplicate_of holds corpus indices: annotate names them from the state.
    if (write_run_documents(spec, out_kind, in, local, spec.options.jobs, m, progress, replaced, &d) != 0) return out;
    progress.finish();
    std::copy(local.docs.begin(), local.docs.end(), d.decisions.docs.begin() + static_cast<std::ptrdiff_t>(first));
    report_document_issues(in, local, replaced, m);
    if (!spec.report.empty()) {
      const int rc = write_file_streamed(spec.report, "report", [&](const auto& piece) {
        for (std::size_t k = 0; k < local.docs.size(); ++k) piece(report_doc(d, d.decisions, first + k));
      }, m);
      if (rc != 0) return out;
    }
    out.status = 0;
    return out;
  } catch (const format_error& e) {
    progress.finish();
    m.error(e.what(), state, {});
    return out;
  }
}

}  // namespace dupstrip

// clean and scan: check the paths, open INPUT (a folder, JSONL streams, a --files-from list), run
// the deduper, write the kept documents (a folder, atomically one file each, or one JSONL stream),
// the report, and the summary. No algorithm lives here.
#include "commands.hpp"

#include "inputs.hpp"
#include "messages.hpp"
#include "progress.hpp"

#include <dupstrip/io.hpp>
#include <dupstrip/jsonl.hpp>
#include <dupstrip/report.hpp>
#include <dupstrip/version.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <cstdio>
#include <filesystem>
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
                     "spans; {} distinct boilerplate lines",
                     t.lines_stripped, human_bytes(t.bytes_stripped), t.repeat_spans, t.boilerplate_spans,
                     a.boilerplate_lines));
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

}  // namespace

int run_command(cli_args& a) {
  messages& m = messages::get();
  m.set_verbosity(a.quiet ? verbosity::quiet : a.verbose > 0 ? verbosity::verbose : verbosity::normal);
  clean_options& o = a.options;
  o.keep = a.keep == "first" ? keep_policy::first : keep_policy::longest;
  o.utf8 = a.utf8 == "strict" ? utf8_policy::strict : a.utf8 == "bytes" ? utf8_policy::bytes : utf8_policy::replace;
  try {
    o.validate();
  } catch (const config_error& e) {
    m.error(e.what());
    return 2;
  }

  const bool cleaning = a.command == "clean";
  const output_kind out_kind = !cleaning              ? output_kind::none
                               : a.output == "-"      ? output_kind::jsonl_stdout
                               : is_jsonl_name(a.output) ? output_kind::jsonl_file
                                                         : output_kind::folder;
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

  input_plan plan;
  if (!plan_inputs(a, plan)) return 2;
  // Groups: folders for text files, a field (or nothing) for JSONL records.
  std::string group_by = a.group_by;
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
    for (const input_file& f : plan.files) {
      if (f.relative.empty() || f.relative.starts_with("../") || f.relative == ".." ||
          f.relative.find("/../") != std::string::npos) {
        m.error(fmt::format("{}: cannot mirror this path under OUTPUT (write JSONL output instead)", f.path.string()));
        return 2;
      }
      if (!plan.folder && path_is_within(f.path, output)) {
        m.error(fmt::format("{}: an input lies inside the output folder {}", f.path.string(), a.output));
        return 2;
      }
    }
    if (fs::exists(output, ec) && !fs::is_directory(output, ec)) {
      m.error(fmt::format("{}: exists and is not a folder", a.output));
      return 2;
    }
    if (fs::is_directory(output, ec) && !fs::is_empty(output, ec) && !a.force) {
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
    for (const input_file& f : plan.files) clash = clash || same_file(f.path, output);
    if (clash) {
      m.error(fmt::format("{}: the output must not be an input or inside INPUT", a.output));
      return 2;
    }
  }
  if (!a.report.empty()) {
    bool clash = plan.folder && path_is_within(a.report, input);
    for (const jsonl_input& s : plan.streams) clash = clash || (!s.path.empty() && same_file(s.path, a.report));
    if (clash) {
      m.error(fmt::format("{}: the report must not be written over or inside INPUT", a.report));
      return 2;
    }
  }

  const auto start = std::chrono::steady_clock::now();
  const bool show_progress = a.progress == "always" || (a.progress == "auto" && !a.quiet && ::isatty(2) != 0);
  progress_line progress(show_progress);

  std::unique_ptr<document_source> source;
  const jsonl_source* js = nullptr;
  const folder_source* fsrc = nullptr;
  if (plan.jsonl) {
    jsonl_options jo;
    jo.text_field = a.text_field;
    jo.id_field = a.id_field;
    if (group_by == "field") jo.group_field = a.group_field;
    jo.stop_at_first_error = a.strict;
    auto src = std::make_unique<jsonl_source>(std::move(plan.streams), jo, progress.callback());
    js = src.get();
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
    source = std::move(src);
  } else {
    const group_policy gp = group_by == "none" ? group_policy::none
                            : plan.folder      ? group_policy::folder
                                               : group_policy::parent;
    auto src = std::make_unique<folder_source>(std::move(plan.files), gp, o.max_document_bytes);
    fsrc = src.get();
    source = std::move(src);
  }

  const deduper d(o);
  analysis result = d.run(*source, progress.callback());

  std::vector<jsonl_replacement> replaced;
  if (out_kind == output_kind::folder) {
    if (std::error_code mk; !fs::create_directories(output, mk) && mk) {
      progress.finish();
      m.error(fmt::format("{}: cannot create the output folder: {}", a.output, mk.message()));
      return 2;
    }
    const std::vector<std::string> names = js != nullptr ? jsonl_file_names(*js) : std::vector<std::string>{};
    const std::error_code werr = apply(
        *source, result,
        [&](std::size_t i, std::span<const std::string_view> pieces) {
          const std::string& rel = js != nullptr ? names[i] : fsrc->file(i).relative;
          return write_file_atomic(output / fs::path(rel), pieces, compression_for(rel));
        },
        o.jobs, progress.callback());
    if (werr) {
      progress.finish();
      m.error(fmt::format("{}: cannot write output: {}", a.output, werr.message()));
      return 2;
    }
  } else if (jsonl_out) {
    jsonl_output_options jo;
    jo.text_field = a.text_field;
    jo.id_field = a.id_field;
    jo.annotate = a.annotate;
    std::error_code werr;
    if (out_kind == output_kind::jsonl_file) {
      atomic_file file(output, compression_for(a.output));
      werr = file.error();
      if (!werr) {
        werr = write_jsonl(
            *source, result, jo,
            [&](std::string_view bytes) {
              file.write(bytes);
              return file.error();
            },
            o.jobs, progress.callback(), &replaced);
      }
      if (!werr) werr = file.commit();
    } else {
      werr = write_jsonl(
          *source, result, jo,
          [&](std::string_view bytes) -> std::error_code {
            if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size())
              return {errno != 0 ? errno : EIO, std::generic_category()};
            return {};
          },
          o.jobs, progress.callback(), &replaced);
      if (!werr && std::fflush(stdout) != 0) werr = {errno != 0 ? errno : EIO, std::generic_category()};
    }
    if (werr) {
      progress.finish();
      m.error(fmt::format("{}: cannot write output: {}", a.output == "-" ? "<stdout>" : a.output, werr.message()));
      return 2;
    }
  }
  progress.finish();

  auto where = [&](std::size_t i) {
    return js != nullptr ? js->where(i) : fsrc->file(i).path.string();
  };
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
      m.info(fmt::format("{}: safety rail: only the surest removals applied", source->name(i)));
    }
  }

  const run_totals totals = compute_totals(result);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string command = a.command;
  if (!a.report.empty() || !cleaning) {
    std::string text = report_begin(o, command, a.input.empty() ? a.files_from : a.input);
    for (std::size_t i = 0; i < result.docs.size(); ++i) text += report_doc(*source, result, i);
    text += report_clusters(*source, result);
    text += report_summary(result, totals, secs, true);
    if (!a.report.empty()) {
      const std::string_view piece(text);
      if (const std::error_code rerr = write_file_atomic(a.report, std::span<const std::string_view>(&piece, 1),
                                                         compression_for(a.report))) {
        m.error(fmt::format("{}: cannot write the report: {}", a.report, rerr.message()));
        return 2;
      }
    } else {
      std::fwrite(text.data(), 1, text.size(), stdout);
    }
  }
  if (a.json) {
    const std::string s = report_summary(result, totals, secs, false);
    std::fwrite(s.data(), 1, s.size(), stdout);
  } else {
    print_summary(result, totals, secs);
  }
  if (totals.read == 0 && totals.skipped > 0) return 2;
  return m.errored() ? 1 : 0;
}

}  // namespace dupstrip::cli

// clean and scan: check the paths, walk INPUT, run the deduper, write the kept documents under
// OUTPUT (atomically, one file each), the report, and the summary. No algorithm lives here.
#include "commands.hpp"

#include "messages.hpp"
#include "progress.hpp"

#include <dupstrip/io.hpp>
#include <dupstrip/report.hpp>
#include <dupstrip/version.hpp>

#include <fmt/format.h>

#include <chrono>
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

  const fs::path input(a.input);
  std::error_code ec;
  if (a.input == "-" || !fs::is_directory(input, ec)) {
    if (a.input != "-" && !fs::exists(input, ec)) {
      m.error(fmt::format("{}: no such file or directory", a.input));
    } else {
      m.error(fmt::format("{}: not a folder; JSONL and standard input are not supported yet (planned)", a.input));
    }
    return 2;
  }
  const bool cleaning = a.command == "clean";
  const fs::path output(a.output);
  if (cleaning) {
    if (path_is_within(output, input)) {
      m.error(fmt::format("{}: the output folder must not be INPUT or inside it", a.output));
      return 2;
    }
    if (path_is_within(input, output)) {
      m.error(fmt::format("{}: the output folder must not contain INPUT", a.output));
      return 2;
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
  if (!a.report.empty() && path_is_within(a.report, input)) {
    m.error(fmt::format("{}: the report must not be written inside INPUT", a.report));
    return 2;
  }

  const auto start = std::chrono::steady_clock::now();
  walk_result walk = walk_folder(input);
  for (const walk_issue& w : walk.issues) m.input_error(w.path, w.error.message());
  folder_source source(std::move(walk.files), a.group_by == "none" ? group_policy::none : group_policy::folder,
                       o.max_document_bytes);

  const bool show_progress =
      a.progress == "always" || (a.progress == "auto" && !a.quiet && !a.json && ::isatty(2) != 0);
  progress_line progress(show_progress);
  const deduper d(o);
  analysis result = d.run(source, progress.callback());

  if (cleaning) {
    if (std::error_code mk; !fs::create_directories(output, mk) && mk) {
      progress.finish();
      m.error(fmt::format("{}: cannot create the output folder: {}", a.output, mk.message()));
      return 2;
    }
    const std::error_code werr = apply(
        source, result,
        [&](std::size_t i, std::span<const std::string_view> pieces) {
          return write_file_atomic(output / fs::path(source.file(i).relative), pieces);
        },
        o.jobs, progress.callback());
    if (werr) {
      progress.finish();
      m.error(fmt::format("{}: cannot write output: {}", a.output, werr.message()));
      return 2;
    }
  }
  progress.finish();

  for (std::size_t i = 0; i < result.docs.size(); ++i) {
    const doc_result& r = result.docs[i];
    if (r.status == doc_status::skipped) {
      std::string why = r.error.message();
      if (r.error == make_error_code(errc::invalid_utf8)) why += fmt::format(" at byte {}", r.error_offset);
      m.input_error(source.file(i).path.string(), why);
    } else if (r.strip_limited) {
      m.info(fmt::format("{}: safety rail: only the surest removals applied", source.name(i)));
    }
  }

  const run_totals totals = compute_totals(result);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string command = a.command;
  if (!a.report.empty() || !cleaning) {
    std::string text = report_begin(o, command, a.input);
    for (std::size_t i = 0; i < result.docs.size(); ++i) text += report_doc(source, result, i);
    text += report_clusters(source, result);
    text += report_summary(result, totals, secs, true);
    if (!a.report.empty()) {
      const std::string_view piece(text);
      if (const std::error_code rerr = write_file_atomic(a.report, std::span<const std::string_view>(&piece, 1))) {
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

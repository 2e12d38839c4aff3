// The subcommands: the CLI's own flag checks, then the library's run (run.hpp: planning and
// checking INPUT and OUTPUT, the deduper, the documents written, the report), then the review,
// the summary and the exit code. No algorithm lives here.
#include "commands.hpp"

#include "messages.hpp"
#include "progress.hpp"

#include <dupstrip/io.hpp>
#include <dupstrip/jsonl.hpp>
#include <dupstrip/report.hpp>
#include <dupstrip/review.hpp>
#include <dupstrip/run.hpp>
#include <dupstrip/scaleout.hpp>
#include <dupstrip/version.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <unistd.h>

namespace dupstrip::cli {
namespace fs = std::filesystem;

namespace {

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

// The CLI's own checks before anything is read: combinations of its flags. Returns 0 or 2.
int check_flags(const cli_args& a, output_kind out_kind) {
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
  return 0;
}

// The CLI's own outputs (--fingerprints, --review) against the planned input. Returns 0 or 2.
int check_cli_outputs(const cli_args& a, output_kind out_kind, const run_input& in) {
  messages& m = messages::get();
  const input_plan& plan = in.plan;
  for (const std::string* extra : {&a.fingerprints, &a.review}) {
    if (extra->empty() || !in.holds(*extra, a.input)) continue;
    m.error(fmt::format("{}: must not be written over or inside INPUT", *extra));
    return 2;
  }
  if (!a.review.empty()) {
    // The review folder is replaced as a whole: it must not hold what the run reads or writes.
    const std::string& report = a.command == "review" ? a.review_report : a.report;
    bool clash = (!report.empty() && path_is_within(report, a.review)) ||
                 (out_kind != output_kind::none && a.output != "-" &&
                  (path_is_within(a.output, a.review) || path_is_within(a.review, a.output)));
    for (const jsonl_input& s : plan.streams) clash = clash || (!s.path.empty() && path_is_within(s.path, a.review));
    clash = clash || (plan.folder && path_is_within(a.input, a.review));
    for (std::size_t i = 0; i < plan.files.size() && !plan.folder; ++i)
      clash = clash || path_is_within(plan.files.path(i), a.review);
    if (clash) {
      m.error(fmt::format("{}: the review folder must not hold INPUT, OUTPUT or the report, nor lie inside OUTPUT",
                          a.review));
      return 2;
    }
    // Checked again when it is written; here so that a long run does not end in this error.
    const fs::path dir(a.review);
    std::error_code ec;
    if (fs::exists(dir, ec) && (!fs::is_directory(dir, ec) || (!fs::is_empty(dir, ec) &&
                                                               !fs::exists(dir / ".dupstrip-review", ec)))) {
      m.error(fmt::format("{}: exists and is not an empty folder or an earlier review: choose another folder",
                          a.review));
      return 2;
    }
  }
  return 0;
}

// Plans the inputs and checks OUTPUT, --report and the CLI's own outputs against them (before
// any work); returns 0 or the exit code.
int plan_and_check(const cli_args& a, output_kind out_kind, bool shared_output, run_input& in) {
  if (const int rc = check_flags(a, out_kind); rc != 0) return rc;
  if (const int rc = plan_run(a, out_kind, shared_output, in, messages::get()); rc != 0) return rc;
  return check_cli_outputs(a, out_kind, in);
}

// Writes text made piece by piece to `path` ("-": standard output) atomically, never holding
// the whole text (a report of a million documents is about a gigabyte).
int write_streamed(const std::string& path, const char* what,
                   const std::function<void(const std::function<void(std::string_view)>&)>& produce) {
  if (path == "-") {
    produce([](std::string_view piece) { std::fwrite(piece.data(), 1, piece.size(), stdout); });
    return 0;
  }
  return write_file_streamed(path, what, produce, messages::get());
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
  run_input in;
  const bool has_input = !a.input.empty() || !a.files_from.empty();
  if (has_input) {
    if (const int rc = plan_and_check(a, output_kind::none, false, in); rc != 0) return rc;
    progress_line progress(false);
    if (const int rc = open_run_input(a, a.options, in, m, progress); rc != 0) return rc;
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
      write_report(o, names, result, totals, secs, out);
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
        write_report(o, names, result, totals, secs, out);
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
  if (const int rc = check_flags(a, output_kind::none); rc != 0) return rc;
  progress_line progress(show_progress(a));
  const int rc = dupstrip::run_scan_shard(a, a.fingerprints, a.state, m, progress, [&](const run_input& in) {
    return check_cli_outputs(a, output_kind::none, in);
  });
  if (rc != 0) return rc;
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
int apply_shard(cli_args& a, output_kind out_kind, progress_line& progress,
                std::chrono::steady_clock::time_point start) {
  messages& m = messages::get();
  const apply_outcome out = run_apply_shard(a, a.state, m, progress, [&](const run_input& in) {
    return check_cli_outputs(a, out_kind, in);
  });
  if (out.status != 0) return out.status;
  const analysis& local = out.shard;
  const run_totals totals = compute_totals(local);
  const double secs = seconds_since(start);
  if (a.json) {
    const std::string s = report_summary(local, totals, secs, false);
    std::fwrite(s.data(), 1, s.size(), stdout);
  } else {
    m.note(fmt::format("dupstrip apply: {}: {} documents ({}) in {:.2f}s: wrote {} ({}), dropped {} near-duplicates, "
                       "skipped {}; stripped {} lines ({}) from kept documents",
                       a.input.empty() ? a.files_from : a.input, totals.read + totals.skipped,
                       human_bytes(totals.bytes_in), secs, totals.kept, human_bytes(totals.bytes_out), totals.dropped,
                       totals.skipped, totals.lines_stripped, human_bytes(totals.bytes_stripped)));
  }
  return m.errored() ? 1 : 0;
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
  a.output_stream = stdout;
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
  const output_kind out_kind = cleaning ? output_kind_of(a.output) : output_kind::none;
  progress_line progress(show_progress(a));
  if (const int rc = check_flags(a, out_kind); rc != 0) return rc;
  if (applying) return apply_shard(a, out_kind, progress, std::chrono::steady_clock::now());
  run_outcome run = run_clean(a, m, progress, [&](const run_input& in) { return check_cli_outputs(a, out_kind, in); });
  if (run.status != 0) return run.status;
  return finish_run(a, a.options, *run.input.source, run.result, seconds_since(run.start), !cleaning);
}

}  // namespace dupstrip::cli

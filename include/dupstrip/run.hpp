/// @file run.hpp
/// @brief A whole run from paths, as `dupstrip clean` and `dupstrip scan` do it: decide what
/// INPUT is (a folder of text files or web pages, JSONL streams, a --files-from list), check
/// OUTPUT and the report against it, open it as a document_source, run the deduper, write the
/// kept documents (a mirrored folder, or one JSONL stream) and the report.
///
/// The CLI and the Python module (python/) both run through this header, so that the two give
/// the same bytes. It never prints: every diagnostic goes to a run_messages, whose lines are
/// the CLI's stderr lines without the "dupstrip: " prefix.
#pragma once

#include <dupstrip/export.hpp>
#include <dupstrip/io.hpp>
#include <dupstrip/jsonl.hpp>
#include <dupstrip/pipeline.hpp>
#include <dupstrip/report.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace dupstrip {

class html_source;

/// Where a run's diagnostics go. The texts are complete sentences without a program name.
/// @threadsafety input_error() and warning() may be called from worker threads.
class DUPSTRIP_EXPORT run_messages {
 public:
  virtual ~run_messages();
  /// An input (a file, a record) was skipped; the run goes on and is incomplete (exit 1).
  /// `error` is the cause when one is known (errno codes: std::generic_category()).
  virtual void input_error(std::string_view where, std::string_view reason, std::error_code error) = 0;
  /// The run cannot go on (a usage problem, an output that cannot be written). `path` names
  /// the file concerned and `error` the cause when they are known (else empty).
  virtual void error(std::string_view text, std::string_view path, std::error_code error) = 0;
  virtual void warning(std::string_view text) = 0;
  /// Details (the CLI shows them with -v).
  virtual void info(std::string_view text) = 0;
};

/// Progress of a run as a whole: the callback handed to the library, and finish(), called
/// before an error is reported (a terminal's progress line is cleared then).
class DUPSTRIP_EXPORT run_progress {
 public:
  virtual ~run_progress();
  [[nodiscard]] virtual progress_callback callback() = 0;
  virtual void finish() = 0;
};

/// What a run reads and writes, and how (the CLI's options of the same names).
struct run_spec {
  std::string input;       ///< a folder, a JSONL file, or "-" (JSONL on standard input); or empty with files_from
  std::string files_from;  ///< a file listing the input paths ("-": standard input)
  std::string root;        ///< with files_from: the listed paths are relative to this folder
  std::string output;      ///< a folder, a .jsonl/.ndjson file, "-" (standard output), or empty (scan)
  std::string report;      ///< the JSON Lines report to write (checked against INPUT), or empty
  std::string group_by;    ///< "folder", "field", "none", or empty: folder for text files, field or none for JSONL
  std::string text_field = "text";
  std::string input_format = "auto";  ///< "text", "html" or "auto"
  std::string html_field;             ///< JSONL: the field holding a web page
  std::string id_field = "id";
  std::string group_field;
  bool annotate = false;  ///< JSONL output: every record with a "dupstrip" object
  bool strict = false;    ///< stop at the first malformed JSONL line or unreadable input
  bool force = false;     ///< write into a non-empty output folder
  /// Where output "-" is written (the CLI: stdout; the library never picks a terminal stream
  /// itself). Null: output "-" is an error.
  std::FILE* output_stream = nullptr;
  clean_options options;
};

/// What OUTPUT is, by its name.
enum class output_kind : std::uint8_t { none, folder, jsonl_file, jsonl_stdout };

/// none for "", jsonl_stdout for "-", jsonl_file for a JSONL name (is_jsonl_name), else folder.
[[nodiscard]] DUPSTRIP_EXPORT output_kind output_kind_of(std::string_view output) noexcept;

/// What INPUT (or files_from) names.
struct input_plan {
  bool jsonl = false;
  bool folder = false;               ///< INPUT is a folder of text files (walked)
  file_list files;                   ///< text files (folder walk or files_from)
  std::vector<jsonl_input> streams;  ///< JSONL inputs
};

/// The opened input of a run.
struct DUPSTRIP_EXPORT run_input {
  run_input();
  run_input(run_input&&) noexcept;
  run_input& operator=(run_input&&) noexcept;
  ~run_input();
  input_plan plan;
  std::string group_by;                      ///< resolved: "folder", "field" or "none"
  std::unique_ptr<document_source> source;  ///< what the run reads: `inner`, or web pages read from it
  std::unique_ptr<document_source> inner;
  const jsonl_source* js = nullptr;
  const folder_source* fsrc = nullptr;
  const html_source* html = nullptr;
  std::string label;  ///< the shard's name in scale-out files: INPUT or the files_from list
  /// "FILE:LINE" of a record, or the path of a file: where document i comes from.
  [[nodiscard]] std::string where(std::size_t i) const;
  /// Whether `path` is an input, lies inside INPUT (a folder), or is INPUT.
  [[nodiscard]] bool holds(const std::filesystem::path& path, const std::string& input) const;
};

/// Plans INPUT and checks OUTPUT (of kind `out`; `shared_output`: a folder shards write into)
/// and spec.report against it, before any work. Returns 0, or 2 after an error().
DUPSTRIP_EXPORT int plan_run(const run_spec& spec, output_kind out, bool shared_output, run_input& in,
                             run_messages& messages);

/// Opens the planned input as a document source with `options` (max_document_bytes,
/// temp_dir); reports the problems of JSONL inputs. Returns 0, or 2.
DUPSTRIP_EXPORT int open_run_input(const run_spec& spec, const clean_options& options, run_input& in,
                                   run_messages& messages, run_progress& progress);

/// Writes the kept documents of `result` to spec.output (`out`), on `jobs` threads; bytes JSON
/// cannot carry are listed in `replaced`. `duplicate_names`: see jsonl_output_options.
/// Output "-" is written to spec.output_stream. Returns 0, or 2.
DUPSTRIP_EXPORT int write_run_documents(const run_spec& spec, output_kind out, run_input& in, analysis& result,
                                        unsigned jobs, run_messages& messages, run_progress& progress,
                                        std::vector<jsonl_replacement>& replaced,
                                        const document_source* duplicate_names = nullptr);

/// Reports the skipped documents (input_error) and the safety-rail notes (info) of a run.
DUPSTRIP_EXPORT void report_document_issues(const run_input& in, const analysis& result,
                                            const std::vector<jsonl_replacement>& replaced,
                                            run_messages& messages);

/// The whole report of a run (begin, doc records, clusters, summary), piece by piece.
DUPSTRIP_EXPORT void write_report(const clean_options& options, const document_source& names, const analysis& result,
                                  const run_totals& totals, double seconds,
                                  const std::function<void(std::string_view)>& out);

/// Writes text made piece by piece to `path` atomically (compressed as its name says), never
/// holding the whole text. Returns 0, or 2 after an error() naming `what`.
DUPSTRIP_EXPORT int write_file_streamed(const std::string& path, const char* what,
                                        const std::function<void(const std::function<void(std::string_view)>&)>& produce,
                                        run_messages& messages);

/// A completed clean or scan.
struct run_outcome {
  int status = 0;  ///< 0, or 2: the run stopped (an error() said why)
  run_input input;
  analysis result;
  std::chrono::steady_clock::time_point start;
};

/// The body of `dupstrip clean` (`output` non-empty) and `dupstrip scan`: plan_run(), `checks`
/// (further checks of the caller on the planned input: 0 or an exit code), open_run_input(),
/// the deduper, write_run_documents(), report_document_issues(). The report is the caller's
/// (write_report()). spec.options must be valid (clean_options::validate()).
[[nodiscard]] DUPSTRIP_EXPORT run_outcome run_clean(const run_spec& spec, run_messages& messages,
                                                    run_progress& progress,
                                                    const std::function<int(const run_input&)>& checks = {});

/// Scale-out (doc/scaleout.md): `dupstrip scan SHARD --fingerprints F` (pass 1; spec.options
/// are the run's) or, with `state`, `--state S --fingerprints F` (a content round). The checks
/// of run_clean() then open_run_input(), scan_shard() / scan_shard_content(); skipped documents
/// go to input_error(). Returns 0, or 2 after an error().
[[nodiscard]] DUPSTRIP_EXPORT int run_scan_shard(const run_spec& spec, const std::string& fingerprints,
                                                 const std::string& state, run_messages& messages,
                                                 run_progress& progress,
                                                 const std::function<int(const run_input&)>& checks = {});

/// The outcome of run_apply_shard().
struct apply_outcome {
  int status = 0;            ///< 0, or 2 after an error()
  analysis shard;  ///< the shard's documents as written (kept, dropped, skipped); boilerplate_lines of the run
};

/// Scale-out: `dupstrip apply --state S SHARD -o OUTPUT [--report R]`: writes the shard's kept
/// documents as the complete merge state decided, and the shard's `doc` records to spec.report.
/// spec.options.jobs and temp_dir are used (the algorithm options are the state's). Returns
/// with status 2 after an error() (the state is not complete, does not hold this shard...).
[[nodiscard]] DUPSTRIP_EXPORT apply_outcome run_apply_shard(const run_spec& spec, const std::string& state,
                                                            run_messages& messages, run_progress& progress,
                                                            const std::function<int(const run_input&)>& checks = {});

}  // namespace dupstrip

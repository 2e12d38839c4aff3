/// @file report.hpp
/// @brief The JSON Lines report (doc/json.md): `begin`, `doc`, `cluster` and `summary` records
/// in the envelope {"type": ..., "data": {...}}, with a fixed key order.
#pragma once

#include <dupstrip/export.hpp>
#include <dupstrip/pipeline.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace dupstrip {

/// Totals of a run, for the summary record and the human summary.
struct run_totals {
  std::size_t read = 0;       ///< documents read (kept + dropped)
  std::size_t kept = 0;
  std::size_t dropped = 0;
  std::size_t skipped = 0;    ///< documents that could not be processed
  std::size_t limited = 0;    ///< documents where the safety rail kept only the surest removals
  std::size_t clusters = 0;   ///< near-duplicate clusters with more than one member
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t bytes_stripped = 0;  ///< bytes removed from kept documents
  std::uint64_t lines_stripped = 0;  ///< non-blank lines removed from kept documents
  std::uint64_t repeat_spans = 0;
  std::uint64_t boilerplate_spans = 0;  ///< lines on many pages of their group (site)
  std::uint64_t corpus_spans = 0;       ///< lines on many groups (sites) of the run
  std::uint64_t template_spans = 0;     ///< template lines ("Read more: <title>")
  std::uint64_t line_repeat_spans = 0;  ///< later copies of short lines printed twice in a page
  std::uint64_t links_spans = 0;        ///< web pages: blocks of link text outside the main text
  std::uint64_t outside_main_spans = 0; ///< web pages: blocks outside the main text
};

/// "kept", "dropped" or "skipped": the status word of the report.
[[nodiscard]] DUPSTRIP_EXPORT const char* status_name(doc_status s) noexcept;

/// Why a document was skipped, for people: the error's message, and for invalid UTF-8 the
/// offset of the first invalid byte ("invalid UTF-8 at byte 12").
[[nodiscard]] DUPSTRIP_EXPORT std::string skip_reason(std::error_code error, std::uint64_t error_offset);

/// Computes the totals of an analysis.
[[nodiscard]] DUPSTRIP_EXPORT run_totals compute_totals(const analysis& a);

/// A byte count for people: "912 B", "12.3 kB", "45.6 MB" (decimal units).
[[nodiscard]] DUPSTRIP_EXPORT std::string human_bytes(std::uint64_t bytes);

/// Appends `s` to `out` as a JSON string literal. Invalid UTF-8 is written as U+FFFD, control
/// characters as \u00XX escapes (so a JSON parser always accepts the line).
DUPSTRIP_EXPORT void append_json_string(std::string& out, std::string_view s);

/// Appends a path-like value: {"text": "..."} when `s` is valid UTF-8, else
/// {"bytes": "<base64>"} so that no byte of a file name is lost.
DUPSTRIP_EXPORT void append_json_path(std::string& out, std::string_view s);

/// Appends `"removed":[...]`, the removal spans of a document (doc/json.md), to `out`.
DUPSTRIP_EXPORT void append_json_removals(std::string& out, std::span<const removal> removals);

/// The `begin` record (one line, with its newline). It depends only on the options, so that
/// `clean` and a sharded scan / merge / apply of the same corpus write the same report.
[[nodiscard]] DUPSTRIP_EXPORT std::string report_begin(const clean_options& options);
/// The `doc` record of document i.
[[nodiscard]] DUPSTRIP_EXPORT std::string report_doc(const document_source& source, const analysis& a,
                                                     std::size_t i);
/// The `doc` records of every document, in order, made on `jobs` threads (0: all cores) and
/// handed to `out` in pieces of about a megabyte (never the whole report at once). `out` is
/// called once at a time, in order; with more than one job, from a helper thread.
DUPSTRIP_EXPORT void report_docs(const document_source& source, const analysis& a, unsigned jobs,
                                 const std::function<void(std::string_view)>& out);
/// The `cluster` records (one per cluster with more than one member, by smallest member).
[[nodiscard]] DUPSTRIP_EXPORT std::string report_clusters(const document_source& source,
                                                          const analysis& a);
/// The `summary` record.
[[nodiscard]] DUPSTRIP_EXPORT std::string report_summary(const analysis& a, const run_totals& t,
                                                         double elapsed_seconds, bool deterministic);

}  // namespace dupstrip

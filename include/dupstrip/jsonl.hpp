/// @file jsonl.hpp
/// @brief JSON Lines corpora: a document_source over one or more JSONL streams (plain, .gz,
/// .zst or standard input) and the writer of the cleaned JSONL stream.
///
/// The input is indexed once (byte offset of every record's line); each later read(i) reads
/// that one line again and extracts the text field, so no text stays in memory. Standard input,
/// pipes and compressed files are first spooled (decompressed) to a temporary file that is
/// unlinked as soon as it is created, so it disappears with the process however it ends.
///
/// Output records are the input lines with only the text field's value replaced (every other
/// byte of the line, key order and formatting included, is kept); see doc/json.md, "JSONL".
#pragma once

#include <dupstrip/error.hpp>
#include <dupstrip/export.hpp>
#include <dupstrip/io.hpp>
#include <dupstrip/pipeline.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace dupstrip {

/// True for names of JSON Lines files: "*.jsonl" or "*.ndjson", optionally followed by ".gz"
/// or ".zst".
[[nodiscard]] DUPSTRIP_EXPORT bool is_jsonl_name(std::string_view name) noexcept;

/// Appends `text` as a JSON string literal that decodes back to exactly `text`: '"', '\\',
/// control characters and DEL are escaped, valid UTF-8 is copied, and the 3-byte form of a
/// UTF-16 surrogate (how decode_json_string() keeps a lone "\uD800".."\uDFFF" escape) is
/// written back as that escape. Any other invalid UTF-8 byte cannot be represented in JSON:
/// it is written as U+FFFD, and the return value counts such replacements.
DUPSTRIP_EXPORT std::size_t append_json_text(std::string& out, std::string_view text);

/// Decodes a JSON string literal (with its quotes). Escaped surrogate pairs become the 4-byte
/// UTF-8 of their code point; a lone surrogate escape becomes the 3-byte sequence ED A0..BF xx
/// (generalised UTF-8, as WTF-8 does), which is invalid UTF-8 but round-trips through
/// append_json_text(). Error: errc::bad_format.
[[nodiscard]] DUPSTRIP_EXPORT result<std::string> decode_json_string(std::string_view literal);

/// The host of a URL ("https://User@News.Example.com:8080/a" -> "news.example.com"), or
/// `value` itself when it is not of the form scheme://host...
[[nodiscard]] DUPSTRIP_EXPORT std::string group_key_of(std::string_view value);

/// One JSONL stream to read.
struct jsonl_input {
  std::string name;            ///< shown in messages and default record names: the path as given, or "<stdin>"
  std::filesystem::path path;  ///< empty: standard input. A name ending in .gz or .zst is decompressed.
};

/// How records are read.
struct jsonl_options {
  std::string text_field = "text";  ///< the document text (a JSON string); required in every record
  std::string id_field = "id";      ///< the record's name in reports; missing: "<input>:<line>"
  std::string group_field;          ///< boilerplate group; empty: one group. A URL value groups by host.
  bool stop_at_first_error = false; ///< stop indexing at the first malformed line (--strict)
  std::filesystem::path temp_dir;   ///< where to spool; empty: $TMPDIR, else /tmp
  /// Threads that index a big regular file (one per 4 MiB at most); the index is the same for
  /// any number.
  unsigned jobs = 1;
};

/// Something found while indexing.
enum class jsonl_issue_kind : std::uint8_t {
  malformed_line,  ///< the line is skipped (invalid JSON, not an object, no string text field)
  input_error,     ///< the whole input could not be read (or only partly: line is where it stopped)
  lone_surrogate   ///< a warning: a string holds a lone \uD800..\uDFFF escape (kept as written)
};

struct jsonl_issue {
  jsonl_issue_kind kind;
  std::size_t input;    ///< index into the inputs
  std::uint64_t line;   ///< 1-based line number; 0 for an input that could not be opened
  std::string message;  ///< the reason, e.g. `no "text" field`
  std::error_code error;  ///< input_error: the cause (errno codes: std::generic_category())
};

/// A record's line as read again for output.
struct jsonl_record_line {
  std::string line;        ///< the line without its terminator
  std::string_view terminator;  ///< "\n", "\r\n", or "" for a last line without a newline
  std::size_t text_begin = 0;   ///< the text field's value is line[text_begin, text_end), quotes included
  std::size_t text_end = 0;
  std::string text;        ///< the decoded text (what the pipeline reads)
  /// read_record(i, decode, field): that field's value is line[field_begin, field_end), quotes
  /// included (its first occurrence); field_begin is npos when the record has no such field.
  std::size_t field_begin = std::string::npos;
  std::size_t field_end = 0;
};

/// JSONL streams as one corpus: records in input order, then line order. Blank lines are not
/// records; malformed lines are reported in issues() and are not records either.
class DUPSTRIP_EXPORT jsonl_source final : public document_source {
 public:
  /// Opens, spools when needed and indexes every input; problems go to issues().
  jsonl_source(std::vector<jsonl_input> inputs, jsonl_options options,
               const progress_callback& progress = {});
  ~jsonl_source() override;
  jsonl_source(const jsonl_source&) = delete;
  jsonl_source& operator=(const jsonl_source&) = delete;

  [[nodiscard]] std::size_t size() const override { return records_.size(); }
  /// The id field's value (a string's text, else its JSON), or "<input>:<line>" without one.
  [[nodiscard]] std::string_view name(std::size_t i) const override;
  [[nodiscard]] std::string_view group(std::size_t i) const override;
  /// The decoded text field.
  [[nodiscard]] result<std::string> read(std::size_t i) const override;
  /// The record's line, the text field's place in it and (with `decode`) the decoded text.
  [[nodiscard]] result<jsonl_record_line> read_record(std::size_t i, bool decode = true,
                                                      std::string_view field = {}) const;
  /// read_record() into `out`, whose buffers are reused (a caller reading many records keeps
  /// one: no fresh memory per record). `out` is valid only when no error is returned.
  [[nodiscard]] std::error_code read_record_into(std::size_t i, jsonl_record_line& out, bool decode = true,
                                                 std::string_view field = {}) const;

  [[nodiscard]] const std::vector<jsonl_issue>& issues() const noexcept { return issues_; }
  [[nodiscard]] const std::vector<jsonl_input>& inputs() const noexcept { return inputs_; }
  [[nodiscard]] const jsonl_options& options() const noexcept { return options_; }
  /// Which input record i comes from, its 1-based line number, whether it has an id.
  [[nodiscard]] std::size_t input_of(std::size_t i) const { return records_[i].input; }
  [[nodiscard]] std::uint64_t line_of(std::size_t i) const { return records_[i].line; }
  [[nodiscard]] bool has_id(std::size_t i) const { return (records_[i].flags & has_id_flag) != 0; }
  /// "<input>:<line>" of record i, for messages.
  [[nodiscard]] std::string where(std::size_t i) const;
  /// Decompressed bytes indexed.
  [[nodiscard]] std::uint64_t bytes_indexed() const noexcept { return bytes_indexed_; }

 private:
  static constexpr std::uint8_t has_id_flag = 1;
  static constexpr std::uint8_t surrogate_flag = 2;
  static constexpr std::uint8_t crlf_flag = 4;
  static constexpr std::uint8_t newline_flag = 8;
  struct record {
    std::uint64_t offset;      // of the line in its data file
    std::uint64_t line;        // 1-based
    std::uint64_t name_begin;  // in names_
    std::uint32_t length;      // of the line without its terminator
    std::uint32_t name_length;
    std::uint32_t input;
    std::uint32_t group;       // index into groups_
    std::uint8_t flags;
  };
  class indexer;
  struct index_target;
  struct index_part;
  // Indexes input k (a regular file of `size` bytes, read through `fd`) in `parts` parts at
  // once and merges them into the source's lists; returns whether to go on.
  bool index_in_parts(indexer& main, std::size_t k, int fd, std::uint64_t size, unsigned parts);
  // read_record() with the line read into `line` (the record's own, or a reused buffer).
  [[nodiscard]] std::error_code read_into(std::size_t i, bool decode, std::string& line, jsonl_record_line& out,
                                         std::string_view field = {}) const;
  std::vector<jsonl_input> inputs_;
  jsonl_options options_;
  std::vector<int> fds_;  // per input: the file read (the input itself or its spool); -1 if none
  std::vector<record> records_;
  std::string names_;
  std::vector<std::string> groups_;
  std::vector<jsonl_issue> issues_;
  std::uint64_t bytes_indexed_ = 0;
  std::uint64_t serial_;  // unique in the process: a thread's read-ahead window names its source by it
};

/// How write_jsonl() renders records.
struct jsonl_output_options {
  std::string text_field = "text";  ///< field names of records made from non-JSONL documents
  std::string id_field = "id";
  /// Records read through an html_source from this field: their cleaned text is written to
  /// text_field (replacing its value, or added at the end of the record) and the page stays.
  /// Empty: a page read from the text field is replaced by its cleaned text.
  std::string html_field;
  /// Keep every record with its original text and add a "dupstrip" object (status, removed
  /// ranges, duplicate_of, similarity) instead of cleaning.
  bool annotate = false;
  /// Where `duplicate_of` indices point when they are not indices of the written source (a
  /// shard written by `apply`: they are corpus indices); null: the written source itself.
  const document_source* duplicate_names = nullptr;
};

/// A document whose cleaned text held bytes JSON cannot carry (written as U+FFFD).
struct jsonl_replacement {
  std::size_t index;
  std::size_t count;
};

/// Writes the cleaned JSONL stream, records in document order: a jsonl_source's records are
/// their own lines with the text field's value replaced by the kept text; other documents
/// become {"<id_field>": name, "<text_field>": text}. Dropped and skipped documents are left
/// out (annotate: dropped ones and a jsonl_source's skipped ones are kept, annotated). Work is
/// done in parallel batches (`jobs` threads), output is byte-identical for any `jobs`.
/// A document that cannot be read again is marked skipped in `result`. Returns the first
/// error of `write` (which stops the run). `write` is called once at a time, in order; with
/// more than one job, from a helper thread while the next batch is rendered.
DUPSTRIP_EXPORT std::error_code write_jsonl(const document_source& source, analysis& result,
                                            const jsonl_output_options& options,
                                            const std::function<std::error_code(std::string_view)>& write,
                                            unsigned jobs, const progress_callback& progress = {},
                                            std::vector<jsonl_replacement>* replaced = nullptr);

}  // namespace dupstrip

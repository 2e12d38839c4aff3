/// @file scaleout.hpp
/// @brief `clean` as separate steps over shards, with versioned, checksummed files between them
/// (doc/scaleout.md):
///
///     scan SHARD -> F.dsfp   (each shard, any machine)
///     merge F.dsfp... -> S1.dsm                  (once)
///     while S is not complete:
///       scan --state S SHARD -> C.dsfp  (each shard with pending documents)
///       merge --state S C.dsfp... -> S'          (once)
///     apply --state S SHARD -> cleaned shard     (each shard)
///
/// The steps call the same code as deduper::run, so any split of a corpus into consecutive
/// shards, given to merge in corpus order, gives the decisions of `clean` on the whole corpus.
#pragma once

#include <dupstrip/error.hpp>
#include <dupstrip/export.hpp>
#include <dupstrip/pipeline.hpp>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dupstrip {

/// Version of the fingerprint (.dsfp) and state (.dsm) file formats.
inline constexpr std::uint32_t shard_format_version = 3;

/// A fingerprint or state file cannot be used (truncated, corrupt, of another version, made with
/// other options, not matching the shard or state it is used with). The message names the file
/// and says why. These errors end the whole step, like configuration errors.
class DUPSTRIP_EXPORT format_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Identity of a shard: the label it was given (INPUT or the --files-from list, as given) and a
/// key over the label and its documents' names and groups (a shard scanned twice, as engines
/// retry tasks, has the same key; give a shard the same way to every step).
struct shard_identity {
  std::string label;
  std::uint64_t key = 0;
  std::uint64_t documents = 0;
};
[[nodiscard]] DUPSTRIP_EXPORT shard_identity identify_shard(const document_source& source, std::string label);

/// A document of a shard that a scan skipped (for the caller's messages).
struct skipped_document {
  std::size_t index = 0;  ///< in the shard
  std::error_code error;
  std::uint64_t error_offset = 0;  ///< first invalid byte, for errc::invalid_utf8
};

/// Pass 1 over one shard: fingerprints every document and writes `out` (atomically: a
/// temporary renamed when complete). Memory is bounded by a chunk of documents, not the shard.
/// Returns the write error, if any. @throws config_error on invalid options.
DUPSTRIP_EXPORT std::error_code scan_shard(const document_source& source, const clean_options& options,
                                           std::string label, const std::filesystem::path& out,
                                           const progress_callback& progress = {},
                                           std::vector<skipped_document>* skipped = nullptr);

/// A content round over one shard: fingerprints the shard's documents that `state` lists as
/// pending and writes `out`. @throws format_error when the state is unusable or does not hold
/// this shard.
DUPSTRIP_EXPORT std::error_code scan_shard_content(const document_source& source, std::string label,
                                                   const std::filesystem::path& state,
                                                   const std::filesystem::path& out, unsigned jobs,
                                                   const progress_callback& progress = {},
                                                   std::vector<skipped_document>* skipped = nullptr);

/// One shard of a merge.
struct merge_shard {
  std::string label;
  std::uint64_t key = 0;
  std::uint64_t first = 0;      ///< index of its first document in the corpus
  std::uint64_t documents = 0;
  std::uint64_t pending = 0;    ///< documents waiting for a content round
};

/// Where a run of merges stands.
struct merge_status {
  std::uint32_t round = 0;      ///< content rounds merged so far
  bool complete = false;        ///< no document is pending: apply can run
  std::uint64_t documents = 0;
  std::vector<merge_shard> shards;
  std::vector<std::string> notes;  ///< what the merge ignored (a shard given twice...)
};

/// Merges fingerprint files into a state written to `out` (atomically). Without `state`,
/// `inputs` are pass-1 files in corpus order; with it, they are the content files of the
/// state's round (in any order). Memory is that of `clean` on the whole corpus: fingerprints
/// are held in temporary files in `temp_dir` (clean_options::temp_dir).
/// @throws format_error on an unusable input; std::system_error when `out` or a temporary file
/// cannot be written.
DUPSTRIP_EXPORT merge_status merge_shards(const std::vector<std::filesystem::path>& inputs,
                                          const std::filesystem::path* state,
                                          const std::filesystem::path& out, unsigned jobs,
                                          const std::string& temp_dir = {});

/// The options a state file was made with (reads only its head). @throws format_error
[[nodiscard]] DUPSTRIP_EXPORT clean_options state_options(const std::filesystem::path& state);

/// The decisions held by a state file, for apply and the report. A document_source whose
/// names and groups are the corpus's (read() fails: the text is in the shards).
class DUPSTRIP_EXPORT run_decisions final : public document_source {
 public:
  /// Loads `state`. With `only_shard_key`, only that shard's decisions are loaded (the other
  /// documents keep default results), which is what apply needs.
  /// @throws format_error
  static run_decisions load(const std::filesystem::path& state, const std::uint64_t* only_shard_key = nullptr,
                            const std::string& temp_dir = {});

  [[nodiscard]] std::size_t size() const override { return names_.size(); }
  [[nodiscard]] std::string_view name(std::size_t i) const override { return names_[i]; }
  [[nodiscard]] std::string_view group(std::size_t i) const override { return group_names_[group_of_[i]]; }
  [[nodiscard]] result<std::string> read(std::size_t i) const override;

  clean_options options;
  merge_status status;
  analysis decisions;  ///< one result per corpus document

 private:
  std::vector<std::string> names_;
  std::vector<std::uint32_t> group_of_;
  std::vector<std::string> group_names_;
};

}  // namespace dupstrip

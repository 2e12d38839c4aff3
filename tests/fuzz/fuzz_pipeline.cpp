// Fuzzing of the whole deduper on a small in-memory corpus.
//
// Input: byte 0 chooses options (utf8 policy, keep policy, small repeat/boilerplate limits, no
// safety rail, a low threshold, the k_hash scheme); the rest is split into up to 8 documents by
// the delimiter bytes 0x00 (next document in group "a") and 0x01 (next document in group "b").
// The first document is in group "a"; delimiters after the 8th document stay in its text (a
// NUL then makes it a binary file, which is skipped).
//
// Properties:
// - every document gets a result; a kept document's removals are sorted, disjoint, made of
//   whole lines, and kept_pieces() is the document's bytes minus them, in order;
// - a dropped document points at a kept one; skips happen only for binary or (strict) invalid input;
// - the same run twice gives the same analysis (determinism);
// - cleaning is idempotent: a corpus made of the kept outputs (dropped and skipped documents
//   left out) is kept whole by a second run: nothing dropped, nothing removed.
//
// This target found two causes of non-idempotence, both fixed in pipeline.cpp by simulating the
// second run inside the first (the "refine" step: kept lines that would be boilerplate among
// the kept pages are removed, then clusters are redone, until nothing changes):
// 1. The safety rail kept boilerplate lines whose other copies the run removed.
//    Reproducer: corpus/pipeline/idempotence_strip_limited.
// 2. Pages were counted per pre-cluster of the raw text; documents alike only through shared
//    boilerplate are one page there and two pages in a second run.
//    Reproducer: corpus/pipeline/idempotence_raw_preclusters.
// 3. Removing a repeated run could make other lines of the same page line up as a run in a
//    second run; repeat detection now repeats itself on what is left until it finds nothing.
//    Reproducer: corpus/pipeline/idempotence_repeat_after_removal.
// 4. Removing boilerplate lines could let a second copy line up as a run in a second run; the
//    content pass now repeats the detection on what is left.
//    Reproducer: corpus/pipeline/idempotence_repeat_after_boilerplate.
// The check runs on every input; DUPSTRIP_FUZZ_LENIENT_IDEMPOTENCE=1 restricts it to corpora
// where no group holds two documents (for bisecting).
#include "fuzz_check.hpp"

#include <dupstrip/document.hpp>
#include <dupstrip/pipeline.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace dupstrip;

struct doc {
  std::string group;
  std::string name;
  std::string text;
};

class memory_source final : public document_source {
 public:
  explicit memory_source(std::vector<doc> docs) : docs_(std::move(docs)) {}
  [[nodiscard]] std::size_t size() const override { return docs_.size(); }
  [[nodiscard]] std::string_view name(std::size_t i) const override { return docs_[i].name; }
  [[nodiscard]] std::string_view group(std::size_t i) const override { return docs_[i].group; }
  [[nodiscard]] result<std::string> read(std::size_t i) const override { return docs_[i].text; }
  [[nodiscard]] const doc& at(std::size_t i) const { return docs_[i]; }

 private:
  std::vector<doc> docs_;
};

constexpr std::size_t max_docs = 8;

std::vector<doc> split_corpus(std::string_view body) {
  std::vector<doc> docs;
  docs.push_back({"a", "d0", {}});
  for (const char c : body) {
    if ((c == '\0' || c == '\1') && docs.size() < max_docs) {
      docs.push_back({c == '\0' ? "a" : "b", "d" + std::to_string(docs.size()), {}});
      continue;
    }
    docs.back().text.push_back(c);
  }
  return docs;
}

clean_options options_from(std::uint8_t b) {
  clean_options o;
  o.jobs = 1;
  switch (b & 3U) {
    case 1: o.utf8 = utf8_policy::strict; break;
    case 2: o.utf8 = utf8_policy::bytes; break;
    default: o.utf8 = utf8_policy::replace; break;
  }
  if ((b & 4U) != 0) o.keep = keep_policy::first;
  if ((b & 8U) != 0) o.min_repeat_tokens = 4;
  if ((b & 16U) != 0) o.min_boilerplate_pages = 2;
  if ((b & 32U) != 0) o.max_strip_fraction = 1.0;
  if ((b & 64U) != 0) o.threshold = 0.5;
  if ((b & 128U) != 0) {
    o.scheme = minhash_scheme::k_hash;
    o.num_perm = 32;  // bands and rows chosen by optimal_lsh_params
  } else {
    // The product's choice for 0.8 and 128 slots, given explicitly: optimal_lsh_params
    // integrates over every (bands, rows) split and would dominate the time of a run.
    o.bands = 16;
    o.rows = 8;
  }
  return o;
}

bool same_result(const doc_result& a, const doc_result& b, const std::vector<removal>& ar,
                 const std::vector<removal>& br) {
  if (a.status != b.status || a.error != b.error || a.error_offset != b.error_offset || a.bytes != b.bytes ||
      a.kept_bytes != b.kept_bytes || a.content_tokens != b.content_tokens || a.lines != b.lines ||
      a.removed_lines != b.removed_lines || a.cluster != b.cluster || a.duplicate_of != b.duplicate_of ||
      a.similarity != b.similarity || a.utf8_replacements != b.utf8_replacements ||
      a.strip_limited != b.strip_limited || ar.size() != br.size())
    return false;
  for (std::size_t i = 0; i < ar.size(); ++i) {
    const removal& x = ar[i];
    const removal& y = br[i];
    if (x.begin != y.begin || x.end != y.end || x.reason != y.reason || x.pages != y.pages ||
        x.group_pages != y.group_pages)
      return false;
  }
  return true;
}

bool same_analysis(const analysis& a, const analysis& b) {
  if (a.docs.size() != b.docs.size() || a.boilerplate_lines != b.boilerplate_lines ||
      a.top_boilerplate.size() != b.top_boilerplate.size())
    return false;
  for (std::size_t i = 0; i < a.docs.size(); ++i)
    if (!same_result(a.docs[i], b.docs[i], a.removals.get(i), b.removals.get(i))) return false;
  for (std::size_t i = 0; i < a.top_boilerplate.size(); ++i) {
    const boilerplate_example& x = a.top_boilerplate[i];
    const boilerplate_example& y = b.top_boilerplate[i];
    if (x.text != y.text || x.group != y.group || x.pages != y.pages || x.group_pages != y.group_pages) return false;
  }
  return true;
}

/// Checks one document's result against its bytes; returns its cleaned text when kept.
std::string check_doc(const memory_source& src, const analysis& an, std::size_t i, const clean_options& o) {
  const std::string& bytes = src.at(i).text;
  const doc_result& r = an.docs[i];
  if (r.status == doc_status::skipped) {
    const bool binary = looks_binary(bytes);
    const bool invalid = o.utf8 == utf8_policy::strict && !is_valid_utf8(bytes);
    FUZZ_CHECK(binary || invalid);
    FUZZ_CHECK(r.error);
    return {};
  }
  FUZZ_CHECK(!looks_binary(bytes));
  FUZZ_CHECK(r.bytes == bytes.size());
  const std::vector<line_span> lines = split_lines(bytes);
  FUZZ_CHECK(r.lines == lines.size());
  if (r.status == doc_status::dropped) {
    FUZZ_CHECK(r.duplicate_of < an.docs.size() && r.duplicate_of != i);
    FUZZ_CHECK(an.docs[r.duplicate_of].status == doc_status::kept);
    FUZZ_CHECK(r.kept_bytes == 0);
    FUZZ_CHECK(r.similarity >= 0.0 && r.similarity <= 1.0);
    return {};
  }
  // Kept: removals are whole lines, sorted and disjoint.
  const std::vector<removal> removals = an.removals.get(i);
  std::set<std::uint32_t> starts;
  std::set<std::uint32_t> ends;
  for (const line_span& l : lines) {
    starts.insert(l.begin);
    ends.insert(l.next);
  }
  std::uint64_t removed = 0;
  std::uint32_t prev_end = 0;
  for (const removal& rm : removals) {
    FUZZ_CHECK(rm.begin < rm.end);
    FUZZ_CHECK(rm.end <= bytes.size());
    FUZZ_CHECK(rm.begin >= prev_end);
    FUZZ_CHECK(starts.count(rm.begin) == 1);
    FUZZ_CHECK(ends.count(rm.end) == 1);
    prev_end = rm.end;
    removed += rm.end - rm.begin;
  }
  FUZZ_CHECK(r.kept_bytes == bytes.size() - removed);
  FUZZ_CHECK(r.removed_lines <= r.lines);
  // kept_pieces: views into the document, in order, exactly its bytes minus the removals.
  const std::vector<std::string_view> pieces = kept_pieces(bytes, removals);
  std::string cleaned;
  std::string expected;
  std::size_t pos = 0;
  for (const removal& rm : removals) {
    expected.append(bytes, pos, rm.begin - pos);
    pos = rm.end;
  }
  expected.append(bytes, pos);
  const char* cursor = bytes.data();
  for (const std::string_view p : pieces) {
    FUZZ_CHECK(!p.empty());
    FUZZ_CHECK(p.data() >= cursor && p.data() + p.size() <= bytes.data() + bytes.size());
    const auto b = static_cast<std::uint32_t>(p.data() - bytes.data());
    const auto e = static_cast<std::uint32_t>(b + p.size());
    // Whole lines: a piece starts at the document start or a line start and ends at a line end
    // (or at the end of a BOM, when the first line is removed).
    FUZZ_CHECK(b == 0 || starts.count(b) == 1);
    FUZZ_CHECK(ends.count(e) == 1 || e == bytes.size() || (b == 0 && e == bom_length(bytes)));
    cursor = p.data() + p.size();
    cleaned.append(p);
  }
  FUZZ_CHECK(cleaned == expected);
  FUZZ_CHECK(cleaned.size() == r.kept_bytes);
  return cleaned;
}

void dump(const char* what, const memory_source& src, const analysis& an) {
  std::fprintf(stderr, "---- %s\n", what);
  for (std::size_t i = 0; i < src.size(); ++i) {
    const doc_result& r = an.docs[i];
    std::fprintf(stderr, "doc %zu group %s status %d dup_of %u sim %.3f lines %u removed_lines %u limited %d\n", i,
                 src.at(i).group.c_str(), static_cast<int>(r.status), r.duplicate_of, r.similarity, r.lines,
                 r.removed_lines, r.strip_limited ? 1 : 0);
    for (const removal& rm : an.removals.get(i))
      std::fprintf(stderr, "  removal [%u,%u) reason %d pages %u/%u\n", rm.begin, rm.end, static_cast<int>(rm.reason),
                   rm.pages, rm.group_pages);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const clean_options opt = options_from(data[0]);
  const memory_source src(split_corpus(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1)));
  const deduper d(opt);
  const analysis first = d.run(src);
  const analysis second = d.run(src);
  FUZZ_CHECK(first.docs.size() == src.size());
  FUZZ_CHECK(same_analysis(first, second));

  std::vector<doc> cleaned;
  for (std::size_t i = 0; i < src.size(); ++i) {
    std::string text = check_doc(src, first, i, opt);
    if (first.docs[i].status == doc_status::kept)
      cleaned.push_back({src.at(i).group, src.at(i).name, std::move(text)});
  }

  // Idempotence: cleaning the cleaned corpus changes nothing.
  static const bool strict = std::getenv("DUPSTRIP_FUZZ_LENIENT_IDEMPOTENCE") == nullptr;
  std::set<std::string> groups;
  bool shared_group = false;
  for (std::size_t i = 0; i < src.size(); ++i)
    if (first.docs[i].status != doc_status::skipped && !groups.insert(src.at(i).group).second)
      shared_group = true;
  if (shared_group && !strict) return 0;
  const memory_source src2(std::move(cleaned));
  const analysis again = d.run(src2);
  FUZZ_CHECK(again.docs.size() == src2.size());
  bool stable = true;
  for (std::size_t i = 0; i < src2.size(); ++i) {
    const doc_result& r = again.docs[i];
    if (r.status != doc_status::kept || again.removals.count(i) != 0) stable = false;
  }
  if (!stable) {
    dump("first run", src, first);
    dump("second run (on the kept outputs)", src2, again);
  }
  FUZZ_CHECK(stable);
  return 0;
}

// The deduper: runs the steps of engine.hpp in one process (scan every document, merge, content
// rounds until the run is complete), then apply() writes the kept pieces. Only fingerprints stay
// in memory between steps; documents are read again when needed.
#include "dupstrip/pipeline.hpp"

#include "dupstrip/engine.hpp"
#include "dupstrip/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <string>

namespace dupstrip {

document_source::~document_source() = default;

void clean_options::validate() const {
  auto fail = [](const char* what) { throw config_error(what); };
  if (!(threshold > 0.0 && threshold < 1.0)) fail("threshold must be between 0 and 1 (exclusive)");
  if (shingle_size < 1 || shingle_size > 64) fail("shingle size must be between 1 and 64");
  if (min_shingle_size < 1 || min_shingle_size > shingle_size)
    fail("min shingle size must be between 1 and the shingle size");
  if (num_perm < 1 || num_perm > 4096) fail("number of permutations must be between 1 and 4096");
  if ((bands == 0) != (rows == 0)) fail("bands and rows must be given together");
  if (bands != 0 && static_cast<std::uint64_t>(bands) * rows > num_perm)
    fail("bands x rows must not exceed the number of permutations");
  if (min_boilerplate_pages < 2) fail("min boilerplate pages must be at least 2");
  if (!(boilerplate_fraction >= 0.0 && boilerplate_fraction <= 1.0))
    fail("boilerplate fraction must be between 0 and 1");
  if (!(block_similarity > 0.0 && block_similarity <= 1.0))
    fail("block similarity must be in (0, 1]");
  if (min_repeat_tokens < 1) fail("min repeat tokens must be at least 1");
  if (corpus_min_sites == 1) fail("corpus sites must be 0 (off) or at least 2");
  if (!(repeat_coverage > 0.0 && repeat_coverage <= 1.0)) fail("repeat coverage must be in (0, 1]");
  if (!(max_strip_fraction > 0.0 && max_strip_fraction <= 1.0))
    fail("max strip fraction must be in (0, 1]");
  if (max_document_bytes == 0 || max_document_bytes >= (std::uint64_t{1} << 32))
    fail("max document size must be between 1 byte and 4 GiB");
}

deduper::deduper(clean_options options) : options_(options) { options_.validate(); }

analysis deduper::run(const document_source& source, const progress_callback& progress) const {
  const std::size_t n = source.size();
  const unsigned jobs = detail::resolve_jobs(options_.jobs);

  detail::numbered_groups groups = detail::number_groups(n, [&](std::size_t i) { return source.group(i); });
  detail::run_state state(options_, std::move(groups.group_of), std::move(groups.names), jobs);
  state.set_name_ranks(detail::name_ranks(n, [&](std::size_t i) { return source.name(i); }));
  const detail::engine_config& cfg = state.config();

  std::vector<std::pair<std::string, double>> seconds{{"scan", 0.0}, {"boilerplate", 0.0}, {"content", 0.0},
                                                      {"clusters", 0.0}};
  auto phase_start = std::chrono::steady_clock::now();
  auto end_phase = [&](std::size_t k) {
    const auto now = std::chrono::steady_clock::now();
    seconds[k].second += std::chrono::duration<double>(now - phase_start).count();
    phase_start = now;
  };
  std::vector<detail::scan_scratch> scratch(jobs);
  std::atomic<std::size_t> done{0};
  std::atomic<std::uint64_t> bytes_done{0};
  auto tick = [&](const char* phase, std::size_t total, std::uint64_t b) {
    const std::size_t d = done.fetch_add(1) + 1;
    const std::uint64_t bd = bytes_done.fetch_add(b) + b;
    if (progress) progress({phase, d, total, bd});
  };

  // In chunks: the records of a chunk go to the state (and its spill files) in order, on a
  // helper thread while the workers read the next chunk (the state's side is sequential, and
  // would otherwise leave all but one core idle between chunks). With one job, no helper: one
  // thread does everything, as --jobs 1 promises.
  // A chunk ends in a barrier, so it must give every thread many tasks: 256 documents a thread
  // (32 of the scan's tasks of 8, 8 of the content pass's slices of 32), at least 512 and at
  // most 4,096 documents (the records in flight are fixed memory, twice a chunk's). A fixed 512
  // gave 16 slices to the content pass, so beyond 16 threads the rest had nothing to do. The
  // decisions do not depend on the chunk (checked: chunks of 64, 512 and 4,096 give the same
  // bytes), so neither do they on --jobs.
  const auto launch = jobs > 1 ? std::launch::async : std::launch::deferred;
  const std::size_t chunk = std::clamp<std::size_t>(std::size_t{256} * jobs, 512, 4096);
  std::vector<detail::scan_record> recs;
  std::vector<detail::scan_record> adding;
  std::future<void> added;
  for (std::size_t lo = 0; lo < n; lo += chunk) {
    const std::size_t hi = std::min(n, lo + chunk);
    recs.assign(hi - lo, detail::scan_record{});
    detail::parallel_for(hi - lo, jobs, 8, [&](unsigned w, std::size_t k) {
      {
        page_markup markup;
        auto data = source.read_marked(lo + k, markup);
        recs[k] = detail::scan_document(std::move(data), cfg, scratch[w], &markup);
      }
      tick("scan", n, recs[k].res.bytes);
    });
    if (added.valid()) added.get();
    std::swap(recs, adding);
    added = std::async(launch, [&state, &adding, lo] { state.add_scans(lo, adding); });
  }
  if (added.valid()) added.get();
  recs = {};
  adding = {};
  end_phase(0);
  state.begin();
  end_phase(1);
  while (!state.pending().empty()) {
    const std::vector<std::uint32_t> pending = state.pending();
    done = 0;
    bytes_done = 0;
    std::vector<detail::content_record> crecs;
    std::vector<detail::content_record> cadding;  // added to the state while the next chunk is read
    std::future<void> cadded;
    for (std::size_t lo = 0; lo < pending.size(); lo += chunk) {
      const std::size_t hi = std::min(pending.size(), lo + chunk);
      crecs.assign(hi - lo, detail::content_record{});
      // Slices of documents whose removal lists are read together.
      constexpr std::size_t slice = 32;
      detail::parallel_for((hi - lo + slice - 1) / slice, jobs, 1, [&](unsigned w, std::size_t s) {
        const std::size_t b = lo + s * slice;
        const std::size_t e = std::min(hi, b + slice);
        const std::vector<detail::content_input> inputs =
            state.content_inputs_of(std::span<const std::uint32_t>(pending.data() + b, e - b));
        for (std::size_t k = b; k < e; ++k) {
          const std::uint32_t i = pending[k];
          crecs[k - lo] = detail::content_document(source.read(i), inputs[k - b], cfg, scratch[w]);
          tick("content", pending.size(), state.results()[i].bytes);
        }
      });
      if (cadded.valid()) cadded.get();
      std::swap(crecs, cadding);
      cadded = std::async(launch, [&state, &cadding, &pending, lo, hi] {
        state.add_contents(std::span<const std::uint32_t>(pending.data() + lo, hi - lo), cadding);
      });
    }
    if (cadded.valid()) cadded.get();
    end_phase(2);
    state.step();
    end_phase(3);
  }
  analysis out = state.finish();
  out.phase_seconds = std::move(seconds);
  return out;
}

std::vector<std::string_view> kept_pieces(std::string_view bytes, std::span<const removal> removals) {
  std::vector<std::string_view> pieces;
  std::size_t pos = 0;
  for (const removal& r : removals) {
    if (r.begin > pos) pieces.push_back(bytes.substr(pos, r.begin - pos));
    pos = r.end;
  }
  if (pos < bytes.size()) pieces.push_back(bytes.substr(pos));
  return pieces;
}

std::error_code apply(const document_source& source, analysis& result, const document_sink& sink,
                      unsigned jobs, const progress_callback& progress) {
  const std::size_t n = result.docs.size();
  std::vector<std::error_code> errors(n);
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> done{0};
  std::atomic<std::uint64_t> bytes_done{0};
  // Slices of consecutive documents: their removal lists come in one read. The threads take
  // slices from different parts of the list (slice k of the order below is slice
  // (k % ways) * per + k / ways), so that they write into different folders: creating and
  // renaming files in one folder serialises on the folder's lock in the kernel.
  constexpr std::size_t slice = 32;
  const std::size_t slices = (n + slice - 1) / slice;
  const std::size_t ways = std::max<std::size_t>(1, std::min<std::size_t>(detail::resolve_jobs(jobs), slices));
  const std::size_t per = (slices + ways - 1) / ways;
  detail::parallel_for(ways * per, jobs, 1, [&](unsigned, std::size_t k) {
    const std::size_t s = (k % ways) * per + k / ways;
    if (s >= slices) return;
    const std::size_t lo = s * slice;
    const std::size_t hi = std::min(n, lo + slice);
    const std::vector<std::vector<removal>> rems = result.removals.get_range(lo, hi - lo);
    for (std::size_t i = lo; i < hi; ++i) {
      doc_result& res = result.docs[i];
      if (res.status == doc_status::kept && !stop.load(std::memory_order_relaxed)) {
        auto data = source.read(i);
        if (!data.has_value() || data.value().size() != res.bytes) {
          res.status = doc_status::skipped;
          res.error = data.has_value() ? make_error_code(errc::changed_during_run) : data.error();
          res.kept_bytes = 0;
        } else {
          const std::vector<std::string_view> pieces = kept_pieces(data.value(), rems[i - lo]);
          errors[i] = sink(i, pieces);
          if (errors[i]) stop.store(true);
          bytes_done.fetch_add(res.bytes);
        }
      }
      const std::size_t d = done.fetch_add(1) + 1;
      if (progress) progress({"write", d, n, bytes_done.load()});
    }
  });
  for (const std::error_code& ec : errors)
    if (ec) return ec;
  return {};
}

}  // namespace dupstrip

// dupstrip's side of the peer comparison in bench/e2e.sh: the same work as the Go peer
// (bench/peer/minhash_lsh_peer.go): every .txt file under FOLDER, in walk order, read,
// tokenised, 5-token shingles, MinHash signatures of 128 values, then LSH clustering at
// threshold 0.8 with cluster_signatures. One thread. Not the cleaning pipeline: no
// boilerplate, no repeats, no line keys (`dupstrip scan --jobs 1` measures all of that).
//   dupstrip_peer_equivalent FOLDER [--scheme k_hash|one_permutation|both]
// Prints one line of key=value fields per scheme:
//   scheme docs bytes sig_s lsh_s pairs mb_s sig_cpu_s lsh_cpu_s cpu_mb_s bands rows dups index_s
// sig_s: read + tokenise + shingle + MinHash of every file (wall seconds); lsh_s:
// cluster_signatures (band keys, buckets, verification of candidates, union-find); mb_s: bytes /
// (sig_s + lsh_s) in 10^6 bytes per second; *_cpu_s: the same phases in user+system CPU seconds
// (getrusage); dups: documents whose cluster has a smaller member. pairs: unordered pairs of
// distinct documents sharing a band, found with an lsh_index (insert every signature, query
// every document: the peer's operation), whose time is index_s and is not part of mb_s.
#include <dupstrip/io.hpp>
#include <dupstrip/lsh.hpp>
#include <dupstrip/minhash.hpp>
#include <dupstrip/shingle.hpp>
#include <dupstrip/text.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::uint32_t num_perm = 128;
constexpr std::uint32_t shingle_size = 5;
constexpr double threshold = 0.8;
constexpr std::uint64_t max_file_bytes = std::uint64_t{1} << 32;

double cpu_seconds() {
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0.0;
  auto tv = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

bool ends_with_txt(std::string_view name) { return name.size() >= 4 && name.substr(name.size() - 4) == ".txt"; }

int run(const std::vector<dupstrip::input_file>& files, dupstrip::minhash_scheme scheme, const char* scheme_name) {
  const std::size_t n = files.size();
  dupstrip::minhash_options mo;
  mo.num_perm = num_perm;
  mo.scheme = scheme;
  const dupstrip::minhasher hasher(mo);

  // Phase 1: signatures.
  const double t0 = wall_seconds();
  const double c0 = cpu_seconds();
  std::vector<std::uint32_t> sigs(n * num_perm, dupstrip::empty_slot);
  std::vector<std::uint8_t> active(n, 0);
  std::uint64_t bytes = 0;
  std::vector<dupstrip::token> tokens;
  std::vector<std::uint64_t> hashes;
  std::vector<std::uint64_t> shingles;
  const dupstrip::normalize_options norm{};
  for (std::size_t i = 0; i < n; ++i) {
    std::string text;
    if (const std::error_code ec = dupstrip::read_file(files[i].path, max_file_bytes).get(text)) {
      std::fprintf(stderr, "peer_equivalent: %s: %s\n", files[i].relative.c_str(), ec.message().c_str());
      return 1;
    }
    bytes += text.size();
    tokens.clear();
    dupstrip::tokenize(text, norm, tokens);
    if (tokens.empty()) continue;
    hashes.clear();
    for (const auto& t : tokens) hashes.push_back(t.hash);
    shingles.clear();
    dupstrip::shingle_hashes(hashes, shingle_size, shingles);
    hasher.compute(shingles, std::span<std::uint32_t>(sigs).subspan(i * num_perm, num_perm));
    active[i] = 1;
  }
  const double t1 = wall_seconds();
  const double c1 = cpu_seconds();

  // Phase 2: clustering at the threshold (the pipeline's LSH step), one thread.
  dupstrip::cluster_options co;
  co.threshold = threshold;
  co.jobs = 1;
  const std::vector<std::uint32_t> labels = dupstrip::cluster_signatures(sigs, num_perm, co, active);
  const double t2 = wall_seconds();
  const double c2 = cpu_seconds();
  std::size_t dups = 0;
  for (std::size_t i = 0; i < n; ++i) dups += labels[i] != i ? 1U : 0U;

  // Candidate pairs with an incremental index: insert everything, query every document.
  const dupstrip::lsh_params params = dupstrip::optimal_lsh_params(threshold, num_perm);
  const double t3 = wall_seconds();
  dupstrip::lsh_index index(num_perm, params);
  for (std::size_t i = 0; i < n; ++i) {
    if (active[i] != 0) index.insert(static_cast<std::uint32_t>(i), std::span<const std::uint32_t>(sigs).subspan(i * num_perm, num_perm));
  }
  std::uint64_t pairs = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (active[i] == 0) continue;
    for (const std::uint32_t j : index.query(std::span<const std::uint32_t>(sigs).subspan(i * num_perm, num_perm))) {
      pairs += j > i ? 1U : 0U;
    }
  }
  const double t4 = wall_seconds();

  const double mb = static_cast<double>(bytes) / 1e6;
  auto rate = [mb](double s) { return s > 0 ? mb / s : 0.0; };
  std::printf(
      "scheme=%s docs=%zu bytes=%llu sig_s=%.3f lsh_s=%.3f pairs=%llu mb_s=%.2f sig_cpu_s=%.3f lsh_cpu_s=%.3f "
      "cpu_mb_s=%.2f bands=%u rows=%u dups=%zu index_s=%.3f\n",
      scheme_name, n, static_cast<unsigned long long>(bytes), t1 - t0, t2 - t1, static_cast<unsigned long long>(pairs),
      rate(t2 - t0), c1 - c0, c2 - c1, rate(c2 - c0), params.bands, params.rows, dups, t4 - t3);
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 4 && std::string_view(argv[2]) == "--scheme")) {
    std::fprintf(stderr, "usage: %s FOLDER [--scheme k_hash|one_permutation|both]\n", argv[0]);
    return 2;
  }
  const std::string_view which = argc == 4 ? std::string_view(argv[3]) : std::string_view("both");
  if (which != "k_hash" && which != "one_permutation" && which != "both") {
    std::fprintf(stderr, "unknown scheme %s\n", argv[3]);
    return 2;
  }
  try {
    dupstrip::walk_result walk = dupstrip::walk_folder(argv[1]);
    std::vector<dupstrip::input_file> files;
    for (auto& f : walk.files) {
      if (ends_with_txt(f.relative)) files.push_back(std::move(f));
    }
    int rc = 0;
    if (which != "one_permutation") rc |= run(files, dupstrip::minhash_scheme::k_hash, "k_hash");
    if (which != "k_hash") rc |= run(files, dupstrip::minhash_scheme::one_permutation, "one_permutation");
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "peer_equivalent: %s\n", e.what());
    return 2;
  }
}

// Per-layer throughput of the fingerprinting chain (bytes/s and docs/s on ~4 KB documents):
// UTF-8 validation, tokenising, rolling shingles, MinHash (both schemes), LSH, line keys, and
// XXH3 over the same bytes as the ceiling to compare with.
#include "bench_text.hpp"
#include "dupstrip/hash.hpp"

#include <dupstrip/boilerplate.hpp>
#include <dupstrip/lsh.hpp>
#include <dupstrip/minhash.hpp>
#include <dupstrip/shingle.hpp>
#include <dupstrip/text.hpp>

#include <benchmark/benchmark.h>

#include <vector>

namespace {

constexpr std::size_t doc_bytes = 4096;

const std::string& english() {
  static const std::string s = dupstrip_bench::english_text(doc_bytes);
  return s;
}
const std::string& chinese() {
  static const std::string s = dupstrip_bench::chinese_text(doc_bytes);
  return s;
}
const std::string& pick(const benchmark::State& st) { return st.range(0) == 0 ? english() : chinese(); }

void set_rates(benchmark::State& st, std::size_t bytes) {
  st.SetBytesProcessed(st.iterations() * static_cast<std::int64_t>(bytes));
  st.counters["docs"] = benchmark::Counter(static_cast<double>(st.iterations()), benchmark::Counter::kIsRate);
}

std::vector<std::uint64_t> token_hashes(const std::string& text) {
  std::vector<dupstrip::token> toks;
  dupstrip::tokenize(text, {}, toks);
  std::vector<std::uint64_t> h;
  for (const auto& t : toks) h.push_back(t.hash);
  return h;
}

void BM_xxh3_ceiling(benchmark::State& st) {
  const std::string& s = pick(st);
  for (auto _ : st) benchmark::DoNotOptimize(dupstrip::detail::xxh3_64(s));
  set_rates(st, s.size());
}
BENCHMARK(BM_xxh3_ceiling)->Arg(0)->Arg(1);

void BM_utf8_validate(benchmark::State& st) {
  const std::string& s = pick(st);
  for (auto _ : st) benchmark::DoNotOptimize(dupstrip::check_utf8(s));
  set_rates(st, s.size());
}
BENCHMARK(BM_utf8_validate)->Arg(0)->Arg(1);

void BM_tokenize(benchmark::State& st) {
  const std::string& s = pick(st);
  std::vector<dupstrip::token> toks;
  for (auto _ : st) {
    toks.clear();
    dupstrip::tokenize(s, {}, toks);
    benchmark::DoNotOptimize(toks.data());
  }
  set_rates(st, s.size());
}
BENCHMARK(BM_tokenize)->Arg(0)->Arg(1);

void BM_shingles(benchmark::State& st) {
  const std::string& s = pick(st);
  const auto h = token_hashes(s);
  std::vector<std::uint64_t> out;
  for (auto _ : st) {
    out.clear();
    dupstrip::shingle_hashes(h, 5, out);
    benchmark::DoNotOptimize(out.data());
  }
  set_rates(st, s.size());
}
BENCHMARK(BM_shingles)->Arg(0)->Arg(1);

void minhash_bench(benchmark::State& st, dupstrip::minhash_scheme scheme) {
  const std::string& s = pick(st);
  std::vector<std::uint64_t> sh;
  dupstrip::shingle_hashes(token_hashes(s), 5, sh);
  const dupstrip::minhasher mh({128, 1, scheme});
  std::vector<std::uint32_t> sig(128);
  for (auto _ : st) {
    mh.compute(sh, sig);
    benchmark::DoNotOptimize(sig.data());
  }
  set_rates(st, s.size());
}
void BM_minhash_k_hash(benchmark::State& st) { minhash_bench(st, dupstrip::minhash_scheme::k_hash); }
void BM_minhash_one_permutation(benchmark::State& st) {
  minhash_bench(st, dupstrip::minhash_scheme::one_permutation);
}
BENCHMARK(BM_minhash_k_hash)->Arg(0)->Arg(1);
BENCHMARK(BM_minhash_one_permutation)->Arg(0)->Arg(1);

void fingerprint_chain(benchmark::State& st, dupstrip::minhash_scheme scheme) {
  // tokenise + 5-shingles + MinHash 128: the "fingerprinting" figure of the performance issue.
  const std::string& s = pick(st);
  const dupstrip::minhasher mh({128, dupstrip::minhash_options{}.seed, scheme});
  std::vector<dupstrip::token> toks;
  std::vector<std::uint64_t> h;
  std::vector<std::uint64_t> sh;
  std::vector<std::uint32_t> sig(128);
  for (auto _ : st) {
    toks.clear();
    h.clear();
    sh.clear();
    dupstrip::tokenize(s, {}, toks);
    for (const auto& t : toks) h.push_back(t.hash);
    dupstrip::shingle_hashes(h, 5, sh);
    mh.compute(sh, sig);
    benchmark::DoNotOptimize(sig.data());
  }
  set_rates(st, s.size());
}
void BM_fingerprint_chain_k_hash(benchmark::State& st) { fingerprint_chain(st, dupstrip::minhash_scheme::k_hash); }
void BM_fingerprint_chain_one_permutation(benchmark::State& st) {
  fingerprint_chain(st, dupstrip::minhash_scheme::one_permutation);
}
BENCHMARK(BM_fingerprint_chain_k_hash)->Arg(0)->Arg(1);
BENCHMARK(BM_fingerprint_chain_one_permutation)->Arg(0)->Arg(1);

void BM_line_keys(benchmark::State& st) {
  const std::string& s = pick(st);
  const auto lines = dupstrip::split_lines(s);
  for (auto _ : st) benchmark::DoNotOptimize(dupstrip::compute_line_keys(s, lines));
  set_rates(st, s.size());
}
BENCHMARK(BM_line_keys)->Arg(0)->Arg(1);

void BM_lsh_insert_query(benchmark::State& st) {
  const dupstrip::minhasher mh{};
  std::vector<std::vector<std::uint32_t>> sigs;
  for (std::uint64_t d = 0; d < 1000; ++d) {
    std::vector<std::uint64_t> set;
    for (std::uint64_t i = 0; i < 300; ++i) set.push_back(dupstrip::detail::mix64(d * 1000 + i));
    sigs.push_back(mh.compute(set));
  }
  const auto params = dupstrip::optimal_lsh_params(0.8, 128);
  for (auto _ : st) {
    dupstrip::lsh_index index(128, params);
    for (std::uint32_t d = 0; d < sigs.size(); ++d) index.insert(d, sigs[d]);
    std::size_t found = 0;
    for (const auto& s : sigs) found += index.query(s).size();
    benchmark::DoNotOptimize(found);
  }
  st.counters["docs"] = benchmark::Counter(static_cast<double>(st.iterations()) * static_cast<double>(sigs.size()),
                                           benchmark::Counter::kIsRate);
}
BENCHMARK(BM_lsh_insert_query);

}  // namespace

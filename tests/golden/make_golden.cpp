// Generator of tests/golden/vectors.txt: pins token hashes, shingle hashes, MinHash signatures
// (both schemes) and LSH band keys for fixed inputs, so that any change to the hashing chain
// shows up as a golden_test failure (and a signature_format_version bump).
//
// NOT built by CMake. Regenerate only on purpose (a format change), by hand, from the repo root:
//
//   cmake -S . -B build-fp -DDUPSTRIP_BUILD_CLI=OFF && cmake --build build-fp --target dupstrip
//   g++ -std=c++20 -O2 -DDUPSTRIP_STATIC_DEFINE -Iinclude -Ibuild-fp/include -Isrc
//       tests/golden/make_golden.cpp build-fp/libdupstrip.a -lxxhash -lfmt -pthread
//       -o /tmp/make_golden                         (one command line)
//   /tmp/make_golden > tests/golden/vectors.txt
//
// File format (one record per line, fields separated by single spaces, numbers in lowercase
// hex without 0x; '#' starts a comment line):
//   token     <utf-8 bytes as hex, or '-' for empty> <token_hash>
//   shingle   <k> <n> <n token hashes> <m> <m shingle hashes>
//   signature <scheme: k_hash|one_permutation> <seed> <K> <n> <n shingle hashes> <K values>
//   band_key  <bands> <rows> <K> <K signature values> <bands keys>
#include <dupstrip/minhash.hpp>
#include <dupstrip/lsh.hpp>
#include <dupstrip/shingle.hpp>
#include <dupstrip/text.hpp>
#include <dupstrip/version.hpp>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

void hex(std::uint64_t v) { std::printf(" %llx", static_cast<unsigned long long>(v)); }

void hex_list(const std::vector<std::uint64_t>& v) {
  hex(v.size());
  for (const auto x : v) hex(x);
}

std::vector<std::uint64_t> token_hashes(const std::vector<std::string>& words) {
  std::vector<std::uint64_t> t;
  for (const auto& w : words) t.push_back(dupstrip::token_hash(w));
  return t;
}

}  // namespace

int main() {
  std::printf("# dupstrip golden vectors, signature_format_version %d\n",
              dupstrip::signature_format_version);
  std::printf("# written by tests/golden/make_golden.cpp; do not edit by hand\n");

  // --- token hashes (XXH3-64, seed 0, of the UTF-8 bytes)
  const std::vector<std::string> words{"",      "a",        "the",       "quick",
                                       "na\xC3\xAFve", "\xE6\x97\xA5", "\xF0\x9F\x98\x80",
                                       "0123456789abcdefghijklmnopqrstuvwxyz-0123456789"};
  for (const auto& w : words) {
    std::printf("token ");
    if (w.empty()) {
      std::printf("-");
    } else {
      for (const unsigned char c : w) std::printf("%02x", c);
    }
    hex(dupstrip::token_hash(w));
    std::printf("\n");
  }

  // --- shingles of a sentence for several k, including k > n
  const std::vector<std::string> sentence{"the", "quick", "brown", "fox", "jumps",
                                          "over", "the", "lazy", "dog"};
  const auto toks = token_hashes(sentence);
  for (const std::uint32_t k : {1U, 2U, 3U, 5U, 9U, 10U, 64U}) {
    std::vector<std::uint64_t> out;
    dupstrip::shingle_hashes(toks, k, out);
    std::printf("shingle");
    hex(k);
    hex_list(toks);
    hex_list(out);
    std::printf("\n");
  }

  // --- signatures of a 200-token pseudo-text (fixed mt19937_64 stream, raw outputs only)
  std::mt19937_64 rng(20240601);
  std::vector<std::uint64_t> text(200);
  for (auto& t : text) t = dupstrip::token_hash(sentence[rng() % sentence.size()] + std::to_string(rng() % 50));
  std::vector<std::uint64_t> sh;
  dupstrip::shingle_hashes(text, 5, sh);
  std::vector<std::uint32_t> last_sig;
  for (const auto scheme :
       {dupstrip::minhash_scheme::k_hash, dupstrip::minhash_scheme::one_permutation}) {
    for (const std::uint64_t seed : {dupstrip::minhash_options{}.seed, std::uint64_t{42}}) {
      dupstrip::minhash_options o;
      o.num_perm = 128;
      o.seed = seed;
      o.scheme = scheme;
      const auto sig = dupstrip::minhasher(o).compute(sh);
      std::printf("signature %s",
                  scheme == dupstrip::minhash_scheme::k_hash ? "k_hash" : "one_permutation");
      hex(seed);
      hex(o.num_perm);
      hex_list(sh);
      for (const auto v : sig) hex(v);
      std::printf("\n");
      if (scheme == dupstrip::minhash_scheme::k_hash && seed == o.seed) last_sig = sig;
    }
  }
  // A small set with one_permutation exercises densification (most bins empty).
  {
    dupstrip::minhash_options o;
    o.scheme = dupstrip::minhash_scheme::one_permutation;
    const std::vector<std::uint64_t> small(sh.begin(), sh.begin() + 5);
    const auto sig = dupstrip::minhasher(o).compute(small);
    std::printf("signature one_permutation");
    hex(o.seed);
    hex(o.num_perm);
    hex_list(small);
    for (const auto v : sig) hex(v);
    std::printf("\n");
  }

  // --- band keys of the default k_hash signature for two layouts
  for (const dupstrip::lsh_params p : {dupstrip::lsh_params{16, 8}, dupstrip::lsh_params{9, 13}}) {
    std::printf("band_key");
    hex(p.bands);
    hex(p.rows);
    hex(last_sig.size());
    for (const auto v : last_sig) hex(v);
    for (std::uint32_t b = 0; b < p.bands; ++b) hex(dupstrip::band_key(last_sig, b, p.rows));
    std::printf("\n");
  }
  return 0;
}

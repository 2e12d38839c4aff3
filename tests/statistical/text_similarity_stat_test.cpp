// The fingerprint chain on real-script text: tokenize -> shingles -> MinHash. Chinese texts that
// differ in 5% of their characters must estimate high similarity, unrelated ones low, and
// mixed English/Chinese text must behave the same. Fixed seeds; the bounds are 4 standard
// deviations of the MinHash estimate around the exact Jaccard, which hold for any seed.
#include <dupstrip/minhash.hpp>
#include <dupstrip/shingle.hpp>
#include <dupstrip/text.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace dupstrip;

namespace {

std::string han(std::uint32_t cp) {
  std::string s;
  s += static_cast<char>(0xE0 | (cp >> 12));
  s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  s += static_cast<char>(0x80 | (cp & 0x3F));
  return s;
}

// Characters drawn from 3,000 common-block ideographs with a skewed (Zipf-like) choice, so
// that frequent characters recur as in real text.
std::vector<std::uint32_t> chinese_text(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint32_t> cps;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t r = rng() % 3000;
    cps.push_back(0x4E00 + static_cast<std::uint32_t>((r * r) / 3000));
  }
  return cps;
}

std::vector<std::uint32_t> edit(std::mt19937_64& rng, std::vector<std::uint32_t> cps, double rate) {
  for (auto& c : cps)
    if (static_cast<double>(rng() >> 11) * 0x1.0p-53 < rate) c = 0x4E00 + static_cast<std::uint32_t>(rng() % 3000);
  return cps;
}

std::string render(const std::vector<std::uint32_t>& cps) {
  std::string s;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    s += han(cps[i]);
    if (i % 40 == 39) s += "\xE3\x80\x82";  // 。
  }
  return s;
}

std::vector<std::uint64_t> shingles_of(const std::string& text, std::uint32_t k) {
  std::vector<token> toks;
  tokenize(text, normalize_options{}, toks);
  std::vector<std::uint64_t> h;
  for (const token& t : toks) h.push_back(t.hash);
  std::vector<std::uint64_t> out;
  shingle_hashes(h, k, out);
  return out;
}

double exact_jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  const std::set<std::uint64_t> A(a.begin(), a.end());
  const std::set<std::uint64_t> B(b.begin(), b.end());
  std::size_t inter = 0;
  for (auto x : A) inter += B.count(x);
  return static_cast<double>(inter) / static_cast<double>(A.size() + B.size() - inter);
}

struct pair_result {
  double exact;
  double estimate;
};

pair_result compare(const std::string& a, const std::string& b, std::uint32_t k) {
  const minhasher mh{};
  const auto sa = shingles_of(a, k);
  const auto sb = shingles_of(b, k);
  return {exact_jaccard(sa, sb), estimate_jaccard(mh.compute(sa), mh.compute(sb))};
}

void check_estimate(const pair_result& r) {
  const double sd = std::sqrt(r.exact * (1 - r.exact) / 128.0);
  INFO("exact " << r.exact << " estimate " << r.estimate);
  CHECK(std::abs(r.estimate - r.exact) <= 4 * sd + 1e-9);
}

}  // namespace

TEST_CASE("Chinese texts differing in 5% of characters estimate high similarity", "[statistical][cjk]") {
  const std::uint64_t seed = 20261129;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  for (int trial = 0; trial < 10; ++trial) {
    const auto base = chinese_text(rng, 800);
    const auto copy = edit(rng, base, 0.05);
    const auto other = chinese_text(rng, 800);
    const auto near2 = compare(render(base), render(copy), 2);
    check_estimate(near2);
    CHECK(near2.estimate >= 0.7);  // expected about 0.82 for 5% substitutions with bigrams
    const auto near5 = compare(render(base), render(copy), 5);
    check_estimate(near5);
    CHECK(near5.estimate >= 0.45);  // about 0.63 with 5-character shingles
    const auto far2 = compare(render(base), render(other), 2);
    check_estimate(far2);
    CHECK(far2.estimate <= 0.1);
  }
}

TEST_CASE("mixed English and Chinese text", "[statistical][cjk]") {
  const std::uint64_t seed = 7;
  INFO("seed=" << seed);
  std::mt19937_64 rng(seed);
  const char* const words[] = {"market", "shares", "rose", "bank", "said", "rate", "trade", "port", "city", "plan"};
  auto mixed = [&](const std::vector<std::uint32_t>& cps, std::mt19937_64& r) {
    std::string s;
    for (std::size_t i = 0; i < cps.size(); ++i) {
      s += han(cps[i]);
      if (i % 10 == 9) s += std::string(" ") + words[r() % 10] + " " + words[r() % 10] + " ";
    }
    return s;
  };
  const auto base = chinese_text(rng, 600);
  std::mt19937_64 same(99);
  std::mt19937_64 same2(99);
  const std::string a = mixed(base, same);
  const std::string b = mixed(edit(rng, base, 0.05), same2);
  const auto r = compare(a, b, 2);
  check_estimate(r);
  CHECK(r.estimate >= 0.7);
  std::vector<token> toks;
  tokenize(a, normalize_options{}, toks);
  std::size_t words_seen = 0;
  std::size_t chars_seen = 0;
  for (const token& t : toks) (t.kind == token_kind::word ? words_seen : chars_seen) += 1;
  CHECK(chars_seen == 600);
  CHECK(words_seen == 120);
}

TEST_CASE("identical documents give identical signatures", "[statistical]") {
  std::mt19937_64 rng(3);
  const std::string text = render(chinese_text(rng, 500)) + " and some English words too";
  const minhasher mh{};
  CHECK(mh.compute(shingles_of(text, 2)) == mh.compute(shingles_of(std::string(text), 2)));
}

// Unit tests of the out-of-memory parts of a run: spill_file
// (src/dupstrip/spill.hpp), removal_table (include/dupstrip/pipeline.hpp),
// flat_count64 and flat_first64 (src/dupstrip/flat_set.hpp) and cluster_signatures over a
// signature_reader (include/dupstrip/lsh.hpp).
#include "dupstrip/spill.hpp"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <dupstrip/lsh.hpp>
#include <dupstrip/pipeline.hpp>
#include <filesystem>
#include <map>
#include <random>
#include <span>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "dupstrip/flat_set.hpp"
#include "dupstrip/parallel.hpp"
#include "support/corpus.hpp"

namespace fs = std::filesystem;
using dupstrip::detail::flat_count64;
using dupstrip::detail::spill_file;

namespace {

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE(
    "spill_file: appended bytes read back at their offsets, and the file "
    "is never visible") {
  dupstrip_test::temp_dir dir;
  spill_file f(dir.path().string());
  CHECK(entries(dir.path()) == 0);  // unlinked at creation
  const std::string a = "first record";
  const std::string b(100000, 'x');
  const std::uint64_t at_a = f.append(a.data(), a.size());
  const std::uint64_t at_b = f.append(b.data(), b.size());
  CHECK(at_a == 0);
  CHECK(at_b == a.size());
  CHECK(f.appended() == a.size() + b.size());
  std::string got(b.size(), '\0');
  f.read_at(at_b, got.data(), got.size());
  CHECK(got == b);
  got.assign(a.size(), '\0');
  f.read_at(at_a, got.data(), got.size());
  CHECK(got == a);
  CHECK(entries(dir.path()) == 0);
}

TEST_CASE(
    "spill_file: write_at and grow_to make fixed slots; the gap reads as "
    "zeros") {
  dupstrip_test::temp_dir dir;
  spill_file f(dir.path().string());
  f.grow_to(4096);
  const std::uint32_t v = 0xDEADBEEF;
  f.write_at(1024, &v, sizeof v);
  std::uint32_t got = 0;
  f.read_at(1024, &got, sizeof got);
  CHECK(got == v);
  std::vector<unsigned char> zeros(512, 1);
  f.read_at(0, zeros.data(), zeros.size());
  CHECK(std::all_of(zeros.begin(), zeros.end(), [](unsigned char c) { return c == 0; }));
  CHECK(f.appended() == 0);  // slots do not count as appended
}

TEST_CASE(
    "spill_file: reading past the end and an unusable folder are errors "
    "naming the cause") {
  dupstrip_test::temp_dir dir;
  spill_file f(dir.path().string());
  const char c = 'z';
  f.append(&c, 1);
  char buf[8];
  CHECK_THROWS_AS(f.read_at(0, buf, sizeof buf), std::system_error);
  const std::string missing = (dir.path() / "no" / "such" / "folder").string();
  try {
    spill_file g(missing);
    FAIL("a spill file in a missing folder");
  } catch (const std::system_error& e) {
    CHECK(std::string(e.what()).find(missing) != std::string::npos);
    CHECK(std::string(e.what()).find("--temp-dir") != std::string::npos);
  }
}

TEST_CASE("spill_file: concurrent appends never overlap") {
  dupstrip_test::temp_dir dir;
  spill_file f(dir.path().string());
  constexpr int threads = 4;
  constexpr int per_thread = 500;
  std::vector<std::vector<std::uint64_t>> at(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int k = 0; k < per_thread; ++k) {
        const std::uint64_t value = (static_cast<std::uint64_t>(t) << 32) | static_cast<std::uint64_t>(k);
        at[static_cast<std::size_t>(t)].push_back(f.append(&value, sizeof value));
      }
    });
  for (std::thread& th : pool) th.join();
  CHECK(f.appended() == threads * per_thread * sizeof(std::uint64_t));
  for (int t = 0; t < threads; ++t)
    for (int k = 0; k < per_thread; ++k) {
      std::uint64_t value = 0;
      f.read_at(at[static_cast<std::size_t>(t)][static_cast<std::size_t>(k)], &value, sizeof value);
      CHECK(value == ((static_cast<std::uint64_t>(t) << 32) | static_cast<std::uint64_t>(k)));
    }
}

TEST_CASE(
    "removal_table: lists round-trip, are replaced whole, and copies "
    "share them") {
  dupstrip_test::temp_dir dir;
  using dupstrip::removal;
  using dupstrip::removal_reason;
  dupstrip::removal_table t(3, dir.path().string());
  CHECK(t.size() == 3);
  CHECK(t.count(1) == 0);
  CHECK(t.get(1).empty());
  const std::vector<removal> first{{0, 10, removal_reason::boilerplate, 7, 9},
                                   {20, 4000000, removal_reason::repeat, 0, 0}};
  t.set(1, first);
  const dupstrip::removal_table copy = t;
  const std::vector<removal> got = copy.get(1);
  REQUIRE(got.size() == 2);
  CHECK(got[0].begin == 0);
  CHECK(got[0].end == 10);
  CHECK(got[0].reason == removal_reason::boilerplate);
  CHECK(got[0].pages == 7);
  CHECK(got[0].group_pages == 9);
  CHECK(got[1].end == 4000000);
  CHECK(got[1].reason == removal_reason::repeat);
  t.set(1, std::vector<removal>{{5, 6, removal_reason::repeat, 0, 0}});
  CHECK(copy.count(1) == 1);
  CHECK(copy.get(1)[0].begin == 5);
  t.set(1, {});
  CHECK(t.count(1) == 0);
  CHECK(t.get(0).empty());
  CHECK(t.get(2).empty());
  CHECK(dupstrip::removal_table().size() == 0);
}

TEST_CASE("removal_table: set() on distinct documents from several threads") {
  dupstrip_test::temp_dir dir;
  constexpr std::size_t n = 2000;
  dupstrip::removal_table t(n, dir.path().string());
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < 4; ++w)
    pool.emplace_back([&, w] {
      for (std::size_t i = w; i < n; i += 4) {
        std::vector<dupstrip::removal> r;
        for (std::uint32_t k = 0; k < i % 5; ++k)
          r.push_back({static_cast<std::uint32_t>(i + 10 * k), static_cast<std::uint32_t>(i + 10 * k + 3),
                       dupstrip::removal_reason::boilerplate, static_cast<std::uint32_t>(i), k});
        t.set(i, r);
      }
    });
  for (std::thread& th : pool) th.join();
  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<dupstrip::removal> r = t.get(i);
    REQUIRE(r.size() == i % 5);
    for (std::uint32_t k = 0; k < r.size(); ++k) {
      CHECK(r[k].begin == i + 10 * k);
      CHECK(r[k].pages == i);
      CHECK(r[k].group_pages == k);
    }
  }
}

TEST_CASE("flat_count64 counts like a map, key 0 included, across growth") {
  std::mt19937_64 rng(7);
  flat_count64 c;
  std::map<std::uint64_t, std::uint32_t> want;
  for (int k = 0; k < 100000; ++k) {
    const std::uint64_t v = rng() % 3000 == 0 ? 0 : rng() % 20000;
    c.bump(v);
    ++want[v];
  }
  std::map<std::uint64_t, std::uint32_t> got;
  c.for_each([&](std::uint64_t k, std::uint32_t n) { got[k] = n; });
  CHECK(got == want);
}

TEST_CASE(
    "cluster_signatures over a reader: the in-memory result, whatever "
    "the key memory") {
  constexpr std::uint32_t K = 64;
  std::mt19937_64 rng(11);
  constexpr std::size_t n = 3000;
  std::vector<std::uint32_t> sigs(n * K);
  for (auto& x : sigs) x = static_cast<std::uint32_t>(rng());
  // Near-duplicates: every 7th document copies the one before with its first 6
  // slots changed.
  for (std::size_t d = 7; d < n; d += 7)
    for (std::uint32_t s = 0; s < K; ++s)
      sigs[d * K + s] = s < 6 ? static_cast<std::uint32_t>(rng()) : sigs[(d - 1) * K + s];
  std::vector<std::uint8_t> active(n, 1);
  active[14] = 0;
  dupstrip::cluster_options o;
  o.threshold = 0.8;
  o.params = {8, 8};
  o.jobs = 2;
  const std::vector<std::uint32_t> want = dupstrip::cluster_signatures(sigs, K, o, active);
  std::size_t linked = 0;
  for (std::size_t d = 0; d < n; ++d) linked += want[d] != d;
  CHECK(linked > n / 8);
  CHECK(want[14] == 14);
  std::atomic<std::size_t> reads{0};
  const dupstrip::signature_reader read = [&](std::uint32_t first, std::uint32_t count, std::span<std::uint32_t> out) {
    REQUIRE(out.size() >= std::size_t{count} * K);
    REQUIRE(std::size_t{first} + count <= n);
    std::copy_n(sigs.begin() + static_cast<std::ptrdiff_t>(std::size_t{first} * K), std::size_t{count} * K,
                out.begin());
    reads.fetch_add(1);
  };
  for (const std::size_t memory : {std::size_t{1}, std::size_t{16} * n * 3, std::size_t{1} << 30}) {
    INFO("key memory " << memory);
    o.key_memory = memory;
    CHECK(dupstrip::cluster_signatures(n, K, read, o, active) == want);
  }
  CHECK(reads.load() > 0);
}

TEST_CASE("removal_table: get_range() gives what get() gives, stored together or scattered") {
  dupstrip_test::temp_dir dir;
  using dupstrip::removal;
  constexpr std::size_t n = 300;
  dupstrip::removal_table t(n, dir.path().string());
  auto list = [](std::size_t i, std::uint32_t version) {
    std::vector<removal> r;
    for (std::uint32_t k = 0; k < (i + version) % 4; ++k)
      r.push_back({static_cast<std::uint32_t>(100 * k), static_cast<std::uint32_t>(100 * k + 50),
                   dupstrip::removal_reason::boilerplate, static_cast<std::uint32_t>(i), version});
    return r;
  };
  std::vector<std::vector<removal>> block;
  for (std::size_t i = 0; i < n; ++i) block.push_back(list(i, 0));
  t.set_block(0, block);  // all together: one read per range
  // Replace every seventh list: those now lie far away in the file, and the lists of a range
  // spread out until a range is read one list at a time.
  for (std::size_t i = 0; i < n; i += 7) t.set(i, list(i, 1));
  for (std::size_t first : {std::size_t{0}, std::size_t{5}, std::size_t{280}})
    for (std::size_t count : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{20}}) {
      const std::vector<std::vector<removal>> got = t.get_range(first, count);
      REQUIRE(got.size() == count);
      for (std::size_t k = 0; k < count; ++k) {
        const std::vector<removal> one = t.get(first + k);
        REQUIRE(got[k].size() == one.size());
        for (std::size_t r = 0; r < one.size(); ++r) {
          CHECK(got[k][r].begin == one[r].begin);
          CHECK(got[k][r].pages == one[r].pages);
          CHECK(got[k][r].group_pages == one[r].group_pages);
        }
      }
    }
  const std::vector<std::vector<removal>> all = t.get_range(0, n);  // spans the replacements
  for (std::size_t i = 0; i < n; ++i) CHECK(all[i].size() == list(i, i % 7 == 0 ? 1 : 0).size());
}

TEST_CASE("flat_first64 keeps the first owner of each key, key 0 included, across growth and reset") {
  dupstrip::detail::flat_first64 m;
  std::map<std::uint64_t, std::uint32_t> want;
  std::mt19937_64 rng(7);
  m.reset(4);  // small: the map grows many times below
  for (std::uint32_t owner = 0; owner < 3000; ++owner) {
    const std::uint64_t key = rng() % 700;  // repeats often; 0 among them
    const auto it = want.emplace(key, owner).first;
    CHECK(m.first_or_insert(key, owner) == it->second);
  }
  m.reset(10);
  CHECK(m.first_or_insert(0, 5) == 5);
  CHECK(m.first_or_insert(0, 9) == 5);
  CHECK(m.first_or_insert(want.begin()->first + 1000, 9) == 9);
}

TEST_CASE("removal_table: lists read in any order through the read-ahead, replaced or not") {
  dupstrip_test::temp_dir dir;
  using dupstrip::removal;
  constexpr std::size_t n = 400;
  // Two tables whose lists lie at the same offsets, with different contents.
  dupstrip::removal_table a(n, dir.path().string());
  dupstrip::removal_table b(n, dir.path().string());
  auto list = [](std::size_t i, std::uint32_t version, std::uint32_t table) {
    std::vector<removal> r;
    for (std::uint32_t k = 0; k < (i + version) % 5; ++k)
      r.push_back({static_cast<std::uint32_t>(10 * k), static_cast<std::uint32_t>(10 * k + 5),
                   dupstrip::removal_reason::boilerplate, static_cast<std::uint32_t>(i), version, 0, table});
    return r;
  };
  auto version_of = [](std::size_t i, bool replaced) -> std::uint32_t { return replaced && i % 9 == 4 ? 1 : 0; };
  for (std::uint32_t table = 0; table < 2; ++table) {
    dupstrip::removal_table& t = table == 0 ? a : b;
    for (std::size_t first = 0; first < n; first += 64) {
      std::vector<std::vector<removal>> block;
      for (std::size_t i = first; i < std::min(n, first + 64); ++i) block.push_back(list(i, 0, table));
      t.set_block(first, block);
    }
  }
  auto same = [&](const dupstrip::removal_table& t, std::size_t i, bool replaced, std::uint32_t table) {
    const std::vector<removal> got = t.get(i);
    const std::vector<removal> want = list(i, version_of(i, replaced), table);
    bool ok = got.size() == want.size();
    for (std::size_t r = 0; ok && r < got.size(); ++r)
      ok = got[r].begin == want[r].begin && got[r].end == want[r].end && got[r].pages == want[r].pages &&
           got[r].group_pages == want[r].group_pages && got[r].source_line == want[r].source_line;
    return ok;
  };
  for (const bool replaced : {false, true}) {
    if (replaced) {
      // Replaced after windows were read: a window must not answer with the old list.
      for (std::size_t i = 0; i < 30; ++i) CHECK(same(a, i, false, 0));
      for (std::size_t i = 4; i < n; i += 9) {
        a.set(i, list(i, 1, 0));
        b.set(i, list(i, 1, 1));
      }
    }
    std::size_t right = 0;
    for (std::size_t i = 0; i < n; ++i) right += same(a, i, replaced, 0) && same(b, i, replaced, 1) ? 1U : 0U;
    for (std::size_t i = n; i-- > 0;) right += same(a, i, replaced, 0) ? 1U : 0U;
    for (std::size_t s = 0; s < 3; ++s)
      for (std::size_t i = s; i < n; i += 3) right += same(b, i, replaced, 1) ? 1U : 0U;
    // Runs of two in a table, then a jump into the other table at the same offsets.
    for (std::size_t i = 0; i + 3 < n; i += 4)
      right += same(a, i, replaced, 0) && same(a, i + 1, replaced, 0) && same(b, i + 2, replaced, 1) ? 1U : 0U;
    CHECK(right == 3 * n + n / 4);
  }
  std::atomic<std::size_t> right{0};
  dupstrip::detail::parallel_for(n, 4, 8, [&](unsigned, std::size_t i) {
    if (same(a, i, true, 0)) ++right;
  });
  CHECK(right.load() == n);
}

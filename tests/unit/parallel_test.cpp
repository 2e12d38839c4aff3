// Unit tests of the parallel loop and the pool of threads it borrows (src/dupstrip/parallel.hpp):
// every index once, workers in range, exceptions, loops inside loops and loops on two threads at
// once (both find the pool lent and start their own threads), many loops in a row, and loops in
// a child forked after loops ran.
#include "dupstrip/parallel.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <catch2/catch.hpp>
#include <cstddef>
#include <stdexcept>
#include <thread>
#include <vector>

using dupstrip::detail::parallel_for;

namespace {

// Runs one loop and checks that each index was visited exactly once by a worker in [0, jobs).
void check_loop(std::size_t n, unsigned jobs, std::size_t chunk) {
  std::vector<std::atomic<int>> seen(n);
  std::atomic<bool> worker_ok{true};
  parallel_for(n, jobs, chunk, [&](unsigned w, std::size_t i) {
    if (w >= jobs) worker_ok = false;
    seen[i].fetch_add(1);
  });
  CHECK(worker_ok);
  std::size_t once = 0;
  for (const auto& s : seen) once += s.load() == 1 ? 1U : 0U;
  CHECK(once == n);
}

}  // namespace

TEST_CASE("parallel_for visits every index once, with workers in range", "[parallel]") {
  for (const unsigned jobs : {1U, 2U, 3U, 8U})
    for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{1000}})
      for (const std::size_t chunk : {std::size_t{1}, std::size_t{8}}) check_loop(n, jobs, chunk);
}

TEST_CASE("parallel_for runs many loops in a row on the same pool", "[parallel]") {
  // A thread's first visit counts it (a thread-local flag starts set in every new thread).
  std::atomic<int> threads_seen{0};
  for (int round = 0; round < 300; ++round) {
    std::atomic<std::size_t> sum{0};
    parallel_for(64, 4, 1, [&](unsigned, std::size_t i) {
      sum += i;
      thread_local bool fresh = true;
      if (fresh) {
        fresh = false;
        ++threads_seen;
      }
    });
    REQUIRE(sum.load() == 64 * 63 / 2);
  }
  // The caller plus at most three pool threads: loops in a row do not start new ones (a thread
  // per loop would count hundreds).
  CHECK(threads_seen.load() <= 4);
}

TEST_CASE("parallel_for rethrows a body's exception and stays usable", "[parallel]") {
  CHECK_THROWS_AS(parallel_for(100, 3, 1,
                               [](unsigned, std::size_t i) {
                                 if (i == 37) throw std::runtime_error("body failed");
                               }),
                  std::runtime_error);
  check_loop(500, 3, 4);
}

TEST_CASE("parallel_for inside a loop's body, and on two threads at once", "[parallel]") {
  // Nested: the inner loops find the pool lent and start their own threads.
  std::vector<std::atomic<int>> cells(20 * 30);
  parallel_for(20, 2, 1, [&](unsigned, std::size_t a) {
    parallel_for(30, 3, 2, [&](unsigned w, std::size_t b) {
      if (w < 3) cells[a * 30 + b].fetch_add(1);
    });
  });
  std::size_t once = 0;
  for (const auto& c : cells) once += c.load() == 1 ? 1U : 0U;
  CHECK(once == cells.size());

  // Concurrent: two threads each run loops; whichever does not get the pool starts its own.
  std::atomic<std::size_t> total{0};
  auto many = [&] {
    for (int k = 0; k < 50; ++k)
      parallel_for(200, 2, 3, [&](unsigned, std::size_t i) { total += i; });
  };
  std::thread other(many);
  many();
  other.join();
  CHECK(total.load() == 2U * 50U * (200U * 199U / 2U));
}

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DUPSTRIP_TEST_UNDER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define DUPSTRIP_TEST_UNDER_TSAN 1
#endif

TEST_CASE("parallel_for works in a child forked after loops ran", "[parallel]") {
#ifdef DUPSTRIP_TEST_UNDER_TSAN
  SUCCEED("skipped under ThreadSanitizer: it ends a child that starts threads after a multi-threaded fork");
#else
  check_loop(100, 4, 1);  // the pool has its threads now
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::alarm(30);  // a loop that waits forever ends the child by SIGALRM: the parent sees it
    std::atomic<std::size_t> sum{0};
    for (int round = 0; round < 20; ++round)
      parallel_for(1000, 4, 7, [&](unsigned, std::size_t i) { sum += i; });
    ::_exit(sum.load() == 20U * (999U * 1000U / 2U) ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  check_loop(100, 4, 1);  // and the parent's pool still works
#endif
}

TEST_CASE("sort_keys gives std::sort's order on spread, skewed and small inputs", "[parallel]") {
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&] {  // splitmix64: hash-like keys
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  };
  std::vector<std::vector<std::uint64_t>> inputs;
  inputs.emplace_back();                        // empty
  inputs.push_back({5, 3, 3, 1});               // small: the serial path
  std::vector<std::uint64_t> spread(200000);    // over the parallel threshold
  for (std::uint64_t& k : spread) k = next();
  for (std::size_t i = 0; i < spread.size(); i += 7) spread[i] = spread[i / 2];  // repeated keys
  inputs.push_back(spread);
  std::vector<std::uint64_t> skewed(150000);    // one top byte for most keys, a few others
  for (std::size_t i = 0; i < skewed.size(); ++i)
    skewed[i] = (i % 100 == 0 ? next() : (next() >> 8U) | (std::uint64_t{0xAB} << 56U));
  inputs.push_back(skewed);
  std::vector<std::uint64_t> descending(100000);  // every key moves
  for (std::size_t i = 0; i < descending.size(); ++i) descending[i] = ~std::uint64_t{0} - i * 0x0000A000000000FFULL;
  inputs.push_back(descending);
  for (const auto& in : inputs)
    for (const unsigned jobs : {1U, 2U, 3U, 8U}) {
      std::vector<std::uint64_t> expect = in;
      std::sort(expect.begin(), expect.end());
      std::vector<std::uint64_t> got = in;
      dupstrip::detail::sort_keys(got, jobs);
      CHECK(got == expect);
    }
}

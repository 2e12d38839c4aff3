#!/usr/bin/env bash
# tests/run_all.sh — the one test command (README "Quick start", .ci/run).
#   1. build/       warnings as errors, every ctest label (unit, statistical, golden, cli,
#                   fuzz_replay, install, lib_silence, python) except `slow` (tests/e2e/slow_e2e_test.cpp:
#                   100,000 files, a 200 MB file; run them with `ctest --test-dir build -L slow`)
#   2. build-asan/  -DDUPSTRIP_SANITIZE=address,undefined, the same tests minus the labels in
#                   DUPSTRIP_ASAN_EXCLUDE (a ctest -LE regex; default: bench_smoke|browser|python) and
#                   `slow`. The browser test runs Chromium on a review the default build wrote; the
#                   review writer itself runs under the sanitizers in the unit and e2e tests.
#                   No Python module there (-DDUPSTRIP_PYTHON=OFF): an ASan-built extension only
#                   loads into a python3 run with libasan preloaded, and then LeakSanitizer reports
#                   the interpreter's own allocations; the module's C++ is the library's, which
#                   this suite checks through the unit and CLI tests.
#   3. build-tsan/  -DDUPSTRIP_SANITIZE=thread, the unit and cli tests (the multi-threaded ones)
# Sized for a 2-core machine: the whole run takes 19-23 minutes there (README "Quick start").
# Environment: DUPSTRIP_JOBS (default: nproc), DUPSTRIP_SKIP_ASAN=1 / DUPSTRIP_SKIP_TSAN=1 to skip a step,
# DUPSTRIP_BUILD_DIR / DUPSTRIP_ASAN_BUILD_DIR to use other build folders than build/, build-asan/.
# Exits non-zero if any configure, build or test step fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=${DUPSTRIP_JOBS:-$(nproc 2>/dev/null || echo 2)}
asan_exclude=${DUPSTRIP_ASAN_EXCLUDE:-bench_smoke|browser|python}
logdir=$(mktemp -d "${TMPDIR:-/tmp}/dupstrip-tests.XXXXXX")
trap 'rm -rf -- "$logdir"' EXIT

section() { printf '\n==== %s\n' "$*"; }

# run_suite NAME BUILD_DIR CTEST_ARGS... -- CMAKE_ARGS...
run_suite() {
  local name=$1 dir=$2; shift 2
  local ctest_args=() cmake_args=()
  while [[ $# -gt 0 && $1 != -- ]]; do ctest_args+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  cmake_args=("$@")

  section "$name: configure $dir"
  # (set -e does not apply inside a function called from `||`: check every step.)
  cmake -S . -B "$dir" -DDUPSTRIP_BUILD_TESTS=ON "${cmake_args[@]}" || return
  section "$name: build ($jobs jobs)"
  # shellcheck disable=SC2086  # suite_targets is a list of target names
  cmake --build "$dir" -j"$jobs" ${suite_targets:+--target $suite_targets} || return
  section "$name: ctest"
  local rc=0
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j"$jobs" \
        "${ctest_args[@]}" 2>&1 | tee "$logdir/$name.log" || rc=$?
  # ctest's own summary: "N% tests passed, M tests failed out of K" plus the failed list.
  sed -n '/tests passed/,$p' "$logdir/$name.log" | grep -v '^$' >"$logdir/$name.summary" || true
  return "$rc"
}

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}

status=0
run_suite default "${DUPSTRIP_BUILD_DIR:-build}" -LE '^slow$' -- -DDUPSTRIP_WERROR=ON || status=$?
if [[ $status -eq 0 && ${DUPSTRIP_SKIP_ASAN:-0} != 1 ]]; then
  run_suite asan "${DUPSTRIP_ASAN_BUILD_DIR:-build-asan}" -LE "${asan_exclude:+$asan_exclude|}^slow\$" -- \
    -DDUPSTRIP_WERROR=ON -DDUPSTRIP_SANITIZE=address,undefined -DDUPSTRIP_PYTHON=OFF || status=$?
fi
# ThreadSanitizer over the tests that run threads: the pipeline and LSH unit tests (jobs 1..4)
# and the end-to-end runs of the binary (--jobs 1, 2, 8). The scale-out end-to-end tests run
# many short processes (slow under TSan) and no thread code of their own: the scale-out unit
# tests and the --jobs runs cover it. That holds for the order-and-sharding test too (shards
# scanned, merged and applied by separate processes; 103 s of the TSan suite's 215 s on 2 cores).
if [[ $status -eq 0 && ${DUPSTRIP_SKIP_TSAN:-0} != 1 ]]; then
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
  suite_targets="dupstrip_cli dupstrip_unit_tests dupstrip_e2e_tests" \
    run_suite tsan "${DUPSTRIP_TSAN_BUILD_DIR:-build-tsan}" -L "unit|cli" -E "^e2e:scale-out|^e2e:the same decisions whatever the order" -- \
    -DDUPSTRIP_WERROR=ON -DDUPSTRIP_SANITIZE=thread -DDUPSTRIP_INSTALL=OFF -DDUPSTRIP_PYTHON=OFF || status=$?
fi

section "summary"
for name in default asan tsan; do
  if [[ -s $logdir/$name.summary ]]; then
    echo "[$name]"; cat "$logdir/$name.summary"
  fi
done
if [[ $status -ne 0 ]]; then
  echo "tests/run_all.sh: FAILED (status $status)"
else
  echo "tests/run_all.sh: all suites passed"
fi
exit "$status"

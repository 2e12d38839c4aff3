#!/usr/bin/env bash
# End-to-end benchmark of `dupstrip clean`: generates deterministic corpora of several sizes
# (bench/gen_corpus.cpp, ~4 KB articles), cleans each with --jobs 1 and --jobs N, and prints
# wall time, MB/s, documents/s and peak RSS (/usr/bin/time -v), plus the ratio to `cat`-ing
# the same files (reading them from the page cache: the floor any cleaner pays).
#   bench/e2e.sh [BUILD_DIR]          sizes from E2E_SIZES (sites x articles per site),
#                                     default "10x500 50x500 100x1000"; E2E_JOBS default "1 2"
# Build first: cmake -S . -B build -DDUPSTRIP_BUILD_BENCH=ON && cmake --build build -j2
set -euo pipefail
build=${1:-build}
bin=$build/dupstrip
gen=$build/bench/dupstrip_gen_corpus
[[ -x $bin && -x $gen ]] || { echo "e2e.sh: build $bin and $gen first (-DDUPSTRIP_BUILD_BENCH=ON)" >&2; exit 2; }
work=${E2E_DIR:-${TMPDIR:-/tmp}/dupstrip-e2e}
sizes=${E2E_SIZES:-"10x500 50x500 100x1000"}
jobs_list=${E2E_JOBS:-"1 2"}
mkdir -p "$work"
printf '%-10s %8s %9s %5s %9s %9s %10s %10s %9s\n' corpus files MB jobs seconds MB/s docs/s peakRSS_MB cat_ratio
for size in $sizes; do
  sites=${size%x*}; per=${size#*x}
  corpus=$work/corpus-$size
  if [[ ! -d $corpus ]]; then "$gen" "$corpus" --sites "$sites" --articles-per-site "$per" >/dev/null; fi
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sb "$corpus" | cut -f1)
  # Warm the page cache and time the floor: reading every file once.
  find "$corpus" -type f -print0 | xargs -0 cat >/dev/null
  t0=$(date +%s.%N); find "$corpus" -type f -print0 | xargs -0 cat >/dev/null; t1=$(date +%s.%N)
  cat_s=$(echo "$t1 - $t0" | bc -l)
  for j in $jobs_list; do
    rm -rf "$work/out"
    /usr/bin/time -v -o "$work/time.txt" "$bin" clean "$corpus" -o "$work/out" -j "$j" -q --progress never
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2/1024}' "$work/time.txt")
    printf '%-10s %8d %9.1f %5d %9.2f %9.1f %10.0f %10.1f %9.1f\n' "$size" "$files" "$(echo "$bytes/1000000" | bc -l)" "$j" \
      "$secs" "$(echo "$bytes/1000000/$secs" | bc -l)" "$(echo "$files/$secs" | bc -l)" "$rss" "$(echo "$secs/$cat_s" | bc -l)"
  done
done
rm -rf "$work/out"

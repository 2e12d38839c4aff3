#!/usr/bin/env bash
# Scale-out benchmark: the steps of doc/scaleout.md on one machine, timed one by one, with the
# merge's peak memory per document, and a check that the result equals `dupstrip clean`.
#   bench/scaleout.sh CORPUS_DIR [SHARDS] [BUILD_DIR]
# SHARDS (default 8) consecutive --files-from shards of CORPUS_DIR's bytewise-sorted files; each
# per-shard step runs with --jobs 1 (as one task per core would), the merges with --jobs 2.
# Work files go to $SCALEOUT_DIR (default ${TMPDIR:-/tmp}/dupstrip-scaleout), removed at the end.
set -euo pipefail
corpus=${1:?usage: bench/scaleout.sh CORPUS_DIR [SHARDS] [BUILD_DIR]}
shards=${2:-8}
build=${3:-build}
bin=$(cd "$(dirname "$build/dupstrip")" && pwd)/dupstrip
[[ -x $bin ]] || { echo "scaleout.sh: build $bin first" >&2; exit 2; }
work=${SCALEOUT_DIR:-${TMPDIR:-/tmp}/dupstrip-scaleout}
rm -rf "$work"; mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

(cd "$corpus" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) > "$work/all.txt"
docs=$(wc -l < "$work/all.txt")
bytes=$(du -sb "$corpus" | cut -f1)
split -n "l/$shards" -d -a 3 "$work/all.txt" "$work/part-"
parts=("$work"/part-*)

# timed STEP_NAME COMMAND...: wall seconds and peak RSS of one process, appended to $work/steps
timed() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$work/t" "$@"
  read -r secs kb < "$work/t"
  printf '%s %s %s\n' "$name" "$secs" "$kb" >> "$work/steps"
}

for p in "${parts[@]}"; do
  timed "scan" "$bin" scan --files-from "$p" --root "$corpus" --fingerprints "$p.dsfp" -j1 -q
done
timed "merge-0" "$bin" merge "${parts[@]/%/.dsfp}" -o "$work/s0.dsm" -j2 -q
state=$work/s0.dsm; round=0
while ! "$bin" merge --state "$state" --json -q 2>/dev/null | grep -q '"complete":true'; do
  for p in "${parts[@]}"; do
    timed "content" "$bin" scan --files-from "$p" --root "$corpus" --state "$state" --fingerprints "$p.c$round.dsfp" -j1 -q
  done
  timed "merge-$((round + 1))" "$bin" merge --state "$state" "${parts[@]/%/.c$round.dsfp}" -o "$work/s$((round + 1)).dsm" -j2 -q
  state=$work/s$((round + 1)).dsm; round=$((round + 1))
done
timed "report" "$bin" merge --state "$state" --report "$work/report.jsonl" -q
for p in "${parts[@]}"; do
  timed "apply" "$bin" apply --state "$state" --files-from "$p" --root "$corpus" -o "$work/out" -j1 -q
done
timed "clean" "$bin" clean "$corpus" -o "$work/ref" --report "$work/ref.jsonl" -j2 -q

same=no
if diff -r -q "$work/ref" "$work/out" >/dev/null && cmp -s "$work/ref.jsonl" "$work/report.jsonl"; then same=yes; fi
fp_bytes=$(cat "${parts[@]/%/.dsfp}" | wc -c)
state_bytes=$(stat -c %s "$state")
printf 'corpus %s: %d documents, %.1f MB, %d shards, %d content round(s); output and report equal to clean: %s\n' \
  "$corpus" "$docs" "$(echo "$bytes/1000000" | bc -l)" "$shards" "$round" "$same"
printf 'files: scan fingerprints %.0f bytes/document, final state %.0f bytes/document\n' \
  "$(echo "$fp_bytes/$docs" | bc -l)" "$(echo "$state_bytes/$docs" | bc -l)"
printf '%-10s %6s %10s %10s %12s\n' step runs sum_wall_s max_wall_s max_rss_MB
awk '{n[$1]++; s[$1]+=$2; if ($2>m[$1]) m[$1]=$2; if ($3>r[$1]) r[$1]=$3}
     END {for (k in n) printf "%-10s %6d %10.2f %10.2f %12.1f\n", k, n[k], s[k], m[k], r[k]/1024}' "$work/steps" | sort
merge_kb=$(awk '$1 ~ /^merge/ {if ($3>m) m=$3} END {print m}' "$work/steps")
printf 'merge peak RSS: %.0f bytes/document\n' "$(echo "$merge_kb*1024/$docs" | bc -l)"
[[ $same == yes ]]

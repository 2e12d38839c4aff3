#!/usr/bin/env bash
# review_scale.sh — the review of a report of N documents (default 1,000,000): its time, its
# peak memory and its size, on a synthetic run (tests/support/review_corpus.hpp: a JSONL input
# of ~1.3 KB articles on N/500 sites, and the report a run over it could write).
#
#   bench/review_scale.sh BUILD_DIR [N] [WORK_DIR]
#
# BUILD_DIR holds `dupstrip` and, with -DDUPSTRIP_BUILD_BENCH=ON, `bench/dupstrip_gen_review`
# (else the generator is compiled here with g++). WORK_DIR (default: a temporary folder,
# removed at the end) needs ~2.1 GB per million documents.
set -euo pipefail
build=$(cd "${1:?usage: review_scale.sh BUILD_DIR [N] [WORK_DIR]}" && pwd)
n=${2:-1000000}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -n ${3:-} ]]; then
  work=$3
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/dupstrip-review-scale.XXXXXX")
  trap 'rm -rf -- "$work"' EXIT
fi
gen=$build/bench/dupstrip_gen_review
if [[ ! -x $gen ]]; then
  gen=$work/dupstrip_gen_review
  g++ -std=c++20 -O2 -I"$here/../tests" "$here/gen_review.cpp" "$here/../tests/support/review_corpus.cpp" -o "$gen"
fi

echo "== generating $n documents"
"$gen" "$work/in.jsonl" "$work/report.jsonl" --docs "$n"
run() {  # run LABEL ARGS...: one review, timed
  local label=$1
  shift
  rm -rf "$work/review"
  /usr/bin/time -f "%e s wall, %U s user, %M KB peak RSS" "$build/dupstrip" review "$work/report.jsonl" "$@" \
    -o "$work/review" -q 2>"$work/time.txt"
  echo "== $label: $(tail -1 "$work/time.txt"); review $(du -sb "$work/review" | cut -f1) bytes in" \
       "$(find "$work/review" -type f | wc -l) files (largest $(find "$work/review" -type f -printf '%s\n' | sort -n | tail -1) bytes)"
}
run "review with the input (texts of 200 documents, 200 diffs)" "$work/in.jsonl" --group-field url
run "review with the input, page cache warm" "$work/in.jsonl" --group-field url
run "review without the input (tables only)"

#!/usr/bin/env bash
# test_dask.sh — examples/dask/dupstrip_dask.py on a LocalCluster gives what `dupstrip clean`
# gives.
#
# Usage: test_dask.sh DUPSTRIP
#
# Generates a small corpus (tests/dask/gen_corpus.py: three sites with shared furniture,
# syndicated near-duplicates, a page saved twice, a body printed twice), cleans it with
# `dupstrip clean` for reference, then runs the driver with 2 local worker processes and 3 shards
# and compares: the output tree (diff -r) and the report (cmp) for the folder, the concatenated
# shard outputs and the report (cmp) for JSONL.
#
# Needs a python3 that imports `distributed` (Debian: python3-distributed). DUPSTRIP_PYTHON names
# one; otherwise `python3` on PATH, then /usr/bin/python3, are tried. None found is a FAILURE.
# Exit status: 0 pass, 1 mismatch or failure.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: test_dask.sh DUPSTRIP" >&2
  exit 1
fi
dupstrip=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
driver=$here/../../examples/dask/dupstrip_dask.py

fail() { echo "FAIL dask: $*" >&2; exit 1; }

# (A pyenv or virtualenv python3 first on PATH may lack the Debian package: try the system one too.)
candidates=(${DUPSTRIP_PYTHON:+"$DUPSTRIP_PYTHON"} python3 /usr/bin/python3)
python=
for py in "${candidates[@]}"; do
  if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import distributed' >/dev/null 2>&1; then
    python=$py
    break
  fi
done
[[ -n $python ]] || fail "no python can 'import distributed' (tried: ${candidates[*]});" \
  "install python3-distributed (apt-get install python3-distributed) or set DUPSTRIP_PYTHON"
[[ -x $dupstrip ]] || fail "$dupstrip is not executable"

work=$(mktemp -d "${TMPDIR:-/tmp}/dupstrip-dask.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
cd "$work"

"$python" "$here/gen_corpus.py" "$work/corpus" "$work/jsonl"

# run NAME CMD...: run a command, show its stderr and fail when its status is not 0.
run() {
  local name=$1; shift
  local status=0
  "$@" 2>"$work/$name.err" || status=$?
  if [[ $status -ne 0 ]]; then
    echo "--- $name: exit status $status: $*" >&2
    sed 's/^/  | /' "$work/$name.err" >&2
    fail "$name failed"
  fi
}

# expect_nontrivial REPORT: the corpus must give drops, boilerplate and a repeat, or the
# comparison below would prove little.
expect_nontrivial() {
  "$python" - "$1" <<'PY' || fail "$1: the reference run found less than the corpus holds"
import json, sys
summary = [json.loads(l)["data"] for l in open(sys.argv[1]) if '"type":"summary"' in l][-1]
ok = summary["dropped"] >= 6 and summary["boilerplate_spans"] > 0 and summary["repeat_spans"] >= 1
print(f"reference: {summary['read']} read, {summary['dropped']} dropped, "
      f"{summary['boilerplate_spans']} boilerplate spans, {summary['repeat_spans']} repeats")
sys.exit(0 if ok else 1)
PY
}

driver_run() {  # driver_run NAME ARGS...
  local name=$1; shift
  run "$name" timeout 120 "$python" "$driver" --dupstrip "$dupstrip" --workers 2 \
    --host 127.0.0.1 "$@"
}

status=0
# same WHAT EXPECTED ACTUAL: compare two files (cmp) or two trees (diff -r); report the result.
same() {
  local what=$1 expected=$2 actual=$3
  if [[ -d $expected ]]; then
    if diff -r "$expected" "$actual"; then echo "ok $what"; return; fi
  elif cmp "$expected" "$actual"; then
    echo "ok $what"; return
  else  # the first differing fields of a one-line-per-record file
    diff <(tr ',' '\n' <"$expected") <(tr ',' '\n' <"$actual") | head -20
  fi
  echo "FAIL $what (above: < dupstrip clean, > dask driver)"
  status=1
}

# ---- a folder of text files, cut into 3 --files-from shards
run ref-folder "$dupstrip" clean "$work/corpus" -o "$work/ref-folder" \
  --report "$work/ref-folder.report.jsonl" -q
expect_nontrivial "$work/ref-folder.report.jsonl"
driver_run dask-folder "$work/corpus" -o "$work/out-folder" --work-dir "$work/wd-folder" \
  --shards 3 --report "$work/out-folder.report.jsonl"
lists=("$work"/wd-folder/lists/shard-*.list)
[[ ${#lists[@]} -eq 3 ]] || fail "folder: expected 3 shard lists, got ${#lists[@]}"
same "folder: output tree equals dupstrip clean's" "$work/ref-folder" "$work/out-folder"
same "folder: report equals dupstrip clean's" \
  "$work/ref-folder.report.jsonl" "$work/out-folder.report.jsonl"

# ---- three JSONL files, one shard each, grouped by the host of their url; an input option
# (--group-field: every scan and apply) and an algorithm option (--threshold: round 0 only)
run ref-jsonl "$dupstrip" clean "$work/jsonl" -o "$work/ref.jsonl" \
  --report "$work/ref-jsonl.report.jsonl" --group-field url --threshold 0.75 -q
expect_nontrivial "$work/ref-jsonl.report.jsonl"
driver_run dask-jsonl "$work"/jsonl/part-{0,1,2}.jsonl -o "$work/out-jsonl" \
  --work-dir "$work/wd-jsonl" --report "$work/out-jsonl.report.jsonl" \
  -- --group-field url --threshold 0.75
cat "$work"/out-jsonl/part-{0,1,2}.jsonl >"$work/out.jsonl"
same "jsonl: concatenated shard outputs equal dupstrip clean's output" \
  "$work/ref.jsonl" "$work/out.jsonl"
same "jsonl: report equals dupstrip clean's" \
  "$work/ref-jsonl.report.jsonl" "$work/out-jsonl.report.jsonl"

exit "$status"

#!/usr/bin/env bash
# bench/html_devset.sh [DEV_DIR] [BUILD_DIR]: web pages to article text on a set of real pages with
# gold texts (default ../shared/eval/real: pages-html.jsonl.gz, gold.jsonl.gz, score_tokens.py),
# dupstrip against readability-lxml (Debian's python3-readability) in one run, both on one core.
# Prints, per tool: micro precision / recall / F1 over word 3-grams (score_tokens.py), the same
# by site size, CPU seconds (user + system) and wall seconds, and the ratio of the CPU times.
# Each tool runs HTML_DEVSET_RUNS times (default 5), the two alternated, and its least CPU time
# counts (this machine's speed drifts by a third from minute to minute; the least time of each
# tool is the least disturbed run of each). Every run is printed.
# Skips (exit 0) with a note when the dev set is absent; the readability row is skipped when
# python3-readability is not installed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dev="${1:-$here/../../shared/eval/real}"
build="${2:-$here/../build}"
exe="$build/dupstrip"
if [[ ! -f "$dev/pages-html.jsonl.gz" || ! -f "$dev/gold.jsonl.gz" || ! -f "$dev/score_tokens.py" ]]; then
  echo "html_devset: $dev has no pages-html.jsonl.gz / gold.jsonl.gz / score_tokens.py: skipped"
  exit 0
fi
[[ -x "$exe" ]] || { echo "html_devset: $exe not built" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3  # Debian's, where python3-readability lives

runs="${HTML_DEVSET_RUNS:-5}"
timed() {  # timed NAME CMD...: runs CMD on one core, prints "NAME cpu wall"
  local name="$1"; shift
  /usr/bin/time -f "%U %S %e" -o "$work/$name.time" taskset -c 0 "$@" > /dev/null 2> "$work/$name.err" ||
    { cat "$work/$name.err" >&2; return 1; }
  awk -v n="$name" '{printf "%s %.2f %.2f\n", n, $1 + $2, $3}' "$work/$name.time"
}

score() {  # score OUT.jsonl: the "all" row and the four site-size rows of score_tokens.py
  "$py" "$dev/score_tokens.py" "$dev/gold.jsonl.gz" "$1" | awk 'NR > 3'
}

have_readability=0
if "$py" -c 'import readability' 2> /dev/null; then
  have_readability=1
  cat > "$work/readability_run.py" <<'PY'
import gzip, json, sys
import lxml.html
from readability import Document
out = open(sys.argv[2], "w")
for line in gzip.open(sys.argv[1], "rt"):
    r = json.loads(line)
    text = ""
    try:
        summary = Document(r["html"]).summary(html_partial=True)
        text = "\n".join(t.strip() for t in lxml.html.fromstring(summary).itertext() if t.strip())
    except Exception:
        pass
    out.write(json.dumps({"id": r["id"], "text": text}) + "\n")
PY
fi

echo "== dupstrip $("$exe" --version | head -1), --jobs 1, on $(nproc) cores (pinned to one), $runs runs"
[[ $have_readability == 1 ]] &&
  echo "== readability-lxml $(dpkg-query -W -f='${Version}' python3-readability 2>/dev/null), $runs runs"
: > "$work/times"
for ((r = 1; r <= runs; ++r)); do
  timed dupstrip "$exe" clean "$dev/pages-html.jsonl.gz" --html-field html --group-field url --jobs 1 \
    -o "$work/dupstrip.jsonl" | tee -a "$work/times"
  if [[ $have_readability == 1 ]]; then
    timed readability "$py" "$work/readability_run.py" "$dev/pages-html.jsonl.gz" "$work/readability.jsonl" |
      tee -a "$work/times"
  fi
done
least() { awk -v n="$1" '$1 == n && (m == "" || $2 < m) {m = $2} END {print m}' "$work/times"; }
echo "== dupstrip: least CPU $(least dupstrip) s"
score "$work/dupstrip.jsonl"
if [[ $have_readability == 1 ]]; then
  echo "== readability-lxml: least CPU $(least readability) s"
  score "$work/readability.jsonl"
  awk -v d="$(least dupstrip)" -v r="$(least readability)" \
    'BEGIN {if (d > 0) printf "== CPU time ratio readability / dupstrip (least of each): %.1fx\n", r / d}'
else
  echo "== readability-lxml: not installed (apt-get install python3-readability): skipped"
fi

#!/usr/bin/env bash
# Soak test of `dupstrip clean` on a large generated corpus: peak memory against the budget of
# the performance issue, output completeness and the report's accounting. Prints PASS/FAIL per
# check and exits 1 when any check fails (2 on a usage or set-up error).
#   bench/soak.sh [--bytes N] [BUILD_DIR]      (BUILD_DIR default: build)
# Environment:
#   SOAK_BYTES   corpus size in bytes (default 2000000000, ~2 GB; --bytes wins)
#   SOAK_JOBS    --jobs of the run (default 2)
#   SOAK_DIR     work folder (default ${TMPDIR:-/tmp}/dupstrip-soak); the corpus is kept there
#                for the next run of the same size, the output is removed unless SOAK_KEEP=1
#   SOAK_LINES   exact (default): distinct lines counted with `LC_ALL=C sort -u` over the
#                corpus (a few minutes at 2 GB, disk-backed, memory bounded by -S);
#                approx: every line counted as distinct (`wc -l`), a budget that can only be
#                larger than the exact one, so approx can only pass more often
#   SOAK_BUDGET_PER_DOC, SOAK_BUDGET_PER_LINE, SOAK_BUDGET_FIXED   the budget's terms (default
#                300 bytes per document, 16 bytes per distinct line, 64 MiB)
# Needs $BUILD_DIR/dupstrip and $BUILD_DIR/bench/dupstrip_gen_corpus
# (cmake -S . -B build -DDUPSTRIP_BUILD_BENCH=ON && cmake --build build -j2), GNU time, awk, bc.
#
# Checks:
#   run           the clean exits 0 (every input processed)
#   memory        peak RSS (GNU time's "Maximum resident set size") <= budget
#   completeness  every kept document of the report has its output file, of exactly kept_bytes
#                 bytes (so empty exactly when kept_bytes is 0); no dropped or skipped document
#                 has one; the output holds nothing else
#   accounting    summary read + skipped == input files == doc records; kept + dropped == read
set -euo pipefail

bytes=${SOAK_BYTES:-2000000000}
build=build
while [[ $# -gt 0 ]]; do
  case $1 in
    --bytes) bytes=${2:?--bytes needs a value}; shift 2 ;;
    --bytes=*) bytes=${1#--bytes=}; shift ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    -*) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
[[ $bytes =~ ^[0-9]+$ && $bytes -gt 0 ]] || { echo "soak.sh: bad size '$bytes'" >&2; exit 2; }
bin=$build/dupstrip
gen=$build/bench/dupstrip_gen_corpus
[[ -x $bin && -x $gen ]] || { echo "soak.sh: build $bin and $gen first (-DDUPSTRIP_BUILD_BENCH=ON)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "soak.sh: needs GNU time (/usr/bin/time, apt-get install time)" >&2; exit 2; }
jobs=${SOAK_JOBS:-2}
work=${SOAK_DIR:-${TMPDIR:-/tmp}/dupstrip-soak}
lines_mode=${SOAK_LINES:-exact}
per_doc=${SOAK_BUDGET_PER_DOC:-300}
per_line=${SOAK_BUDGET_PER_LINE:-16}
fixed=${SOAK_BUDGET_FIXED:-$((64 * 1024 * 1024))}
mkdir -p "$work"

# ---------------------------------------------------------------- corpus
# Calibrate the generator's bytes per article (per-site copies and repeats included) on one
# small site, then pick sites x 1000 articles to reach the size.
per_site=1000
if [[ ! -s $work/calibration ]]; then
  rm -rf "$work/cal"
  "$gen" "$work/cal" --sites 1 --articles-per-site 400 >/dev/null
  echo "$(du -sb --apparent-size "$work/cal" | cut -f1) 400" >"$work/calibration"
  rm -rf "$work/cal"
fi
read -r cal_bytes cal_articles <"$work/calibration"
sites=$(( (bytes * cal_articles / cal_bytes + per_site - 1) / per_site ))
(( sites >= 1 )) || sites=1
articles=$per_site
if (( sites == 1 )); then
  articles=$(( bytes * cal_articles / cal_bytes )); (( articles >= 1 )) || articles=1
fi
corpus=$work/corpus-${sites}x$articles
if [[ ! -f $corpus.done ]]; then
  rm -rf "$corpus"
  echo "soak: generating $corpus ($sites sites x $articles articles, ~$bytes bytes)"
  "$gen" "$corpus" --sites "$sites" --articles-per-site "$articles" >/dev/null
  touch "$corpus.done"
fi
files=$(find "$corpus" -type f | wc -l)
corpus_bytes=$(du -sb --apparent-size "$corpus" | cut -f1)

# The count is kept next to the corpus (the corpus never changes once generated).
count_file=$corpus.lines-$lines_mode
if [[ -s $count_file ]]; then
  distinct=$(<"$count_file")
  echo "soak: distinct lines ($lines_mode) from $count_file"
else
  echo "soak: counting lines ($lines_mode)"
  if [[ $lines_mode == approx ]]; then
    distinct=$(find "$corpus" -type f -print0 | xargs -0 cat | wc -l)
  else
    distinct=$(find "$corpus" -type f -print0 | xargs -0 cat |
               LC_ALL=C sort -u -S 25% --parallel=2 -T "$work" | wc -l)
  fi
  echo "$distinct" >"$count_file"
fi

# ---------------------------------------------------------------- run
out=$work/out
report=$work/report.jsonl
rm -rf "$out" "$report"
echo "soak: dupstrip clean --jobs $jobs ($files files, $corpus_bytes bytes)"
rc=0
/usr/bin/time -v -o "$work/time.txt" "$bin" clean "$corpus" -o "$out" --jobs "$jobs" --report "$report" \
  -q --progress never 2>"$work/stderr.txt" || rc=$?
secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time.txt")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
rss=$(( rss_kb * 1024 ))

fail=0
check() {  # check NAME OK(0/1) DETAIL
  if [[ $2 == 1 ]]; then printf 'PASS  %-13s %s\n' "$1" "$3"; else printf 'FAIL  %-13s %s\n' "$1" "$3"; fail=1; fi
}

echo
printf 'corpus          %s\n' "$corpus"
printf 'documents       %d files, %d bytes (%.1f MB), %d distinct lines (%s)\n' "$files" "$corpus_bytes" \
  "$(echo "$corpus_bytes/1000000" | bc -l)" "$distinct" "$lines_mode"
printf 'run             %.1f s wall, %.1f MB/s, %.0f docs/s, --jobs %d\n' "$secs" \
  "$(echo "$corpus_bytes/1000000/($secs+0.001)" | bc -l)" "$(echo "$files/($secs+0.001)" | bc -l)" "$jobs"

check run "$([[ $rc == 0 ]] && echo 1 || echo 0)" "exit status $rc$([[ $rc != 0 ]] && echo "; stderr: $(head -c 400 "$work/stderr.txt")")"

budget=$(( per_doc * files + per_line * distinct + fixed ))
printf 'memory          peak RSS %d bytes (%.1f MiB) = %.0f bytes/doc; budget %d bytes (%.1f MiB) = %d x %d docs + %d x %d lines + %d\n' \
  "$rss" "$(echo "$rss/1048576" | bc -l)" "$(echo "$rss/$files" | bc -l)" "$budget" "$(echo "$budget/1048576" | bc -l)" \
  "$per_doc" "$files" "$per_line" "$distinct" "$fixed"
printf '                above the fixed part: %.0f bytes/doc (budget %d + %d x %.1f lines/doc)\n' \
  "$(echo "($rss-$fixed)/$files" | bc -l)" "$per_doc" "$per_line" "$(echo "$distinct/$files" | bc -l)"
check memory "$(( rss <= budget ? 1 : 0 ))" "peak RSS $(( rss / 1048576 )) MiB vs budget $(( budget / 1048576 )) MiB"

# ---------------------------------------------------------------- report
if [[ ! -s $report ]]; then
  check completeness 0 "no report written"
  check accounting 0 "no report written"
else
  # One line per doc record: STATUS<TAB>KEPT_BYTES<TAB>PATH (the path's "text", JSON-unescaped
  # for \" \\ \/; a {"bytes": ...} path is printed as such and counted as missing).
  awk '
    /^\{"type":"doc"/ {
      st = $0; sub(/.*"status":"/, "", st); sub(/".*/, "", st)
      kb = $0; sub(/.*"kept_bytes":/, "", kb); sub(/[^0-9].*/, "", kb)
      p = $0
      if (p ~ /"path":\{"text":"/) {
        sub(/.*"path":\{"text":"/, "", p)
        out = ""
        while (length(p) > 0) {
          c = substr(p, 1, 1)
          if (c == "\\") { out = out substr(p, 2, 1); p = substr(p, 3); continue }
          if (c == "\"") break
          out = out c; p = substr(p, 2)
        }
        p = out
      } else { p = "<bytes path>" }
      printf "%s\t%s\t%s\n", st, kb, p
    }' "$report" >"$work/docs.tsv"
  summary=$(grep '^{"type":"summary"' "$report" || true)
  num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$summary"; }
  read_n=$(num read); kept_n=$(num kept); dropped_n=$(num dropped); skipped_n=$(num skipped)
  doc_records=$(wc -l <"$work/docs.tsv")

  # Completeness: every kept document's file exists with kept_bytes bytes; nothing else is there.
  # (One find over the output and one awk join: no process per file.)
  if [[ -d $out ]]; then find "$out" -type f -printf '%P\t%s\n' >"$work/out.tsv"; else : >"$work/out.tsv"; fi
  read -r kept_files missing wrong_size extra_dropped out_files < <(awk -F'\t' '
    FILENAME == ARGV[1] { size[$1] = $2; n++; next }
    $1 == "kept" { k++; if (!($3 in size)) m++; else if (size[$3] != $2) w++; next }
    ($3 in size) { x++ }
    END { printf "%d %d %d %d %d\n", k, m, w, x, n }' "$work/out.tsv" "$work/docs.tsv")
  ok=$(( missing == 0 && wrong_size == 0 && extra_dropped == 0 && out_files == kept_files ? 1 : 0 ))
  check completeness "$ok" "$kept_files kept: $missing missing, $wrong_size not of kept_bytes size; $extra_dropped dropped/skipped with a file; $out_files files in the output"

  ok=$(( ${read_n:--1} + ${skipped_n:--1} == files && doc_records == files && ${kept_n:--1} + ${dropped_n:--1} == ${read_n:--2} ? 1 : 0 ))
  check accounting "$ok" "files $files, doc records $doc_records; summary read ${read_n:-?} skipped ${skipped_n:-?} kept ${kept_n:-?} dropped ${dropped_n:-?}"
fi

if [[ ${SOAK_KEEP:-0} != 1 ]]; then rm -rf "$out"; fi
echo
if (( fail )); then echo "soak: FAIL"; exit 1; fi
echo "soak: PASS"

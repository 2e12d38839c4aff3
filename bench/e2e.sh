#!/usr/bin/env bash
# End-to-end benchmark of `dupstrip clean`: generates deterministic corpora of several sizes
# (bench/gen_corpus.cpp, ~4 KB articles), cleans each with --jobs 1 and --jobs N, and prints
# wall time, MB/s, documents/s and peak RSS (/usr/bin/time -v), plus two ratios: to `cat`-ing
# the same files (reading them once from the page cache), and to dupstrip_io_floor with the same
# --jobs (bench/io_floor.cpp: reading every file three times and writing it once through a
# temporary and a rename, which is the file-system work of clean with no text looked at).
#   bench/e2e.sh [BUILD_DIR]          sizes from E2E_SIZES (sites x articles per site),
#                                     default "10x500 50x500 100x1000"; E2E_JOBS default "1 2";
#                                     E2E_GEN_FLAGS="--long" for ~4 KB articles (default ~2 KB);
#                                     E2E_DIR=/dev/shm/... keeps corpus and output on a tmpfs
# Then a peer comparison on one corpus (E2E_PEER_SIZE, default 20x1000: ~20,000 articles), one
# thread each: `dupstrip scan --jobs 1` (the whole analysis), dupstrip_peer_equivalent (only
# 5-token shingles + MinHash 128 + LSH at 0.8, per MinHash scheme) and the Go MinHash LSH of
# github.com/ekzhu/minhash-lsh doing the same (bench/peer/minhash_lsh_peer.go, built offline
# from Debian's golang-github-ekzhu-minhash-lsh-dev; skipped with a note when absent).
# E2E_PEER_SIZE=none skips the comparison.
# Between the two, JSON Lines (issue 19): a JSONL corpus (E2E_JSONL_SIZE, default 14x500, ~4 KB
# articles: 7,369 records, 28 MB; `none` skips it) made by dupstrip_gen_corpus --jsonl, cleaned
# with `--group-field site` at --jobs 1 and 2 (and their ratio), `dupstrip scan --jobs 1` (the
# analysis and report, no output written) and the Go peer (signatures + LSH only) over the same
# file, each one process timed by /usr/bin/time: wall, CPU, MB/s, peak RSS, and x_peer (the row's
# MB/s over the peer's, wall and CPU). The rows alternate over E2E_JSONL_ROUNDS rounds (default
# 3) and each keeps its best. Where Python's datasketch is installed (PyPI; not in Debian), a row
# for it too (bench/peer/datasketch_peer.py, the Go peer's work in Python) and the ratio of
# `clean -j 1` to it; a note says when it is absent.
# Build first: cmake -S . -B build -DDUPSTRIP_BUILD_BENCH=ON && cmake --build build -j2
set -euo pipefail
build=${1:-build}
bin=$build/dupstrip
gen=$build/bench/dupstrip_gen_corpus
floor=$build/bench/dupstrip_io_floor
[[ -x $bin && -x $gen && -x $floor ]] || { echo "e2e.sh: build $bin, $gen and $floor first (-DDUPSTRIP_BUILD_BENCH=ON)" >&2; exit 2; }
work=${E2E_DIR:-${TMPDIR:-/tmp}/dupstrip-e2e}
sizes=${E2E_SIZES:-"10x500 50x500 100x1000"}
jobs_list=${E2E_JOBS:-"1 2"}
mkdir -p "$work"
# (E2E_SIZES=" " runs no folder size: only the JSONL section and the peer comparison)
if [[ -n ${sizes// /} ]]; then
  printf '%-10s %8s %9s %5s %9s %9s %10s %10s %9s %8s %9s\n' corpus files MB jobs seconds MB/s docs/s peakRSS_MB cat_ratio floor_s x_floor
fi
for size in $sizes; do
  sites=${size%x*}; per=${size#*x}
  gen_flags=${E2E_GEN_FLAGS:-}
  corpus=$work/corpus-$size${gen_flags// /}
  # shellcheck disable=SC2086
  if [[ ! -d $corpus ]]; then "$gen" "$corpus" --sites "$sites" --articles-per-site "$per" $gen_flags >/dev/null; fi
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sb "$corpus" | cut -f1)
  # Warm the page cache and time the floor: reading every file once.
  find "$corpus" -type f -print0 | xargs -0 cat >/dev/null
  t0=$(date +%s.%N); find "$corpus" -type f -print0 | xargs -0 cat >/dev/null; t1=$(date +%s.%N)
  cat_s=$(echo "$t1 - $t0" | bc -l)
  for j in $jobs_list; do
    rm -rf "$work/out"
    mkdir -p "$work/out"
    floor_s=$("$floor" "$corpus" "$work/out" "$j" 3 | awk '{print $3}')
    rm -rf "$work/out"
    /usr/bin/time -v -o "$work/time.txt" "$bin" clean "$corpus" -o "$work/out" -j "$j" -q --progress never
    secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2/1024}' "$work/time.txt")
    printf '%-10s %8d %9.1f %5d %9.2f %9.1f %10.0f %10.1f %9.1f %8.2f %9.1f\n' "$size" "$files" "$(echo "$bytes/1000000" | bc -l)" "$j" \
      "$secs" "$(echo "$bytes/1000000/$secs" | bc -l)" "$(echo "$files/$secs" | bc -l)" "$rss" "$(echo "$secs/$cat_s" | bc -l)" \
      "$floor_s" "$(echo "$secs/$floor_s" | bc -l)"
  done
done
rm -rf "$work/out"

# ---------------------------------------------------------------------------------------------
# JSON Lines: dupstrip clean on one JSONL file, --jobs 1 and 2, against the Go peer.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# build_peer: the Go peer into $work/peer (once); false with a note when it cannot be built.
build_peer() {
  [[ -x $work/peer ]] && return 0
  if ! command -v go >/dev/null 2>&1 || [[ ! -d /usr/share/gocode/src/github.com/ekzhu/minhash-lsh ]]; then
    echo "note: Go or the peer library is not installed, peer row skipped" \
         "(apt-get install golang-go golang-github-ekzhu-minhash-lsh-dev)"
    return 1
  fi
  if ! GO111MODULE=off GOPROXY=off GOFLAGS='' GOCACHE="$work/gocache" GOPATH="$work/gopath:/usr/share/gocode" \
       go build -o "$work/peer" "$here/peer/minhash_lsh_peer.go" 2>"$work/peer-build.err"; then
    echo "note: building the Go peer failed (offline, GO111MODULE=off), peer row skipped; see $work/peer-build.err"
    return 1
  fi
}
jsonl_size=${E2E_JSONL_SIZE:-14x500}
if [[ $jsonl_size != none ]]; then
  jcorpus=$work/corpus-$jsonl_size-long.jsonl
  if [[ ! -f $jcorpus ]]; then
    "$gen" "$jcorpus" --sites "${jsonl_size%x*}" --articles-per-site "${jsonl_size#*x}" --long --jsonl >/dev/null
  fi
  jbytes=$(stat -c %s "$jcorpus")
  jrecords=$(wc -l <"$jcorpus")
  cat "$jcorpus" >/dev/null   # warm the page cache
  echo
  printf 'JSONL: %s, %d records, %.1f MB (load average now: %s)\n' "$(basename "$jcorpus")" "$jrecords" \
    "$(echo "$jbytes/1000000" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  # jrow NAME OKRC CMD...: one timed run (stdout in $work/jrow.out); an exit status above OKRC
  # is a failure (dupstrip exits 1 when it found duplicates). Keeps, per row name, the least
  # wall and the least CPU seconds over the rounds (floor 0.01 s) and the largest peak RSS, and
  # sets j_wall and j_cpu (empty on failure).
  declare -A jwall=() jcpu=() jmaxrss=()
  jnames=()
  jrow() {
    local name=$1 okrc=$2; shift 2
    local rc=0 w u sy m
    j_wall=""; j_cpu=""
    /usr/bin/time -f '%e %U %S %M' -o "$work/jtime.txt" "$@" >"$work/jrow.out" 2>"$work/jrow.err" || rc=$?
    if (( rc > okrc )); then echo "note: $name failed (exit $rc), see $work/jrow.err"; return 0; fi
    read -r w u sy m < <(tail -n 1 "$work/jtime.txt")
    j_wall=$(echo "w=$w; if (w < 0.01) w=0.01; w" | bc -l)
    j_cpu=$(echo "c=$u + $sy; if (c < 0.01) c=0.01; c" | bc -l)
    if [[ -z ${jwall[$name]:-} ]]; then
      jnames+=("$name"); jwall[$name]=$j_wall; jcpu[$name]=$j_cpu; jmaxrss[$name]=$m
    else
      if (( $(echo "$j_wall < ${jwall[$name]}" | bc -l) )); then jwall[$name]=$j_wall; fi
      if (( $(echo "$j_cpu < ${jcpu[$name]}" | bc -l) )); then jcpu[$name]=$j_cpu; fi
      if (( m > ${jmaxrss[$name]} )); then jmaxrss[$name]=$m; fi
    fi
  }
  # E2E_JSONL_ROUNDS rounds (default 3), the rows alternated within each: on a VM whose speed
  # drifts by tens of percent within minutes, one run per row compares moments, not programs.
  # Every row keeps its best round; the ratios below are of those.
  rounds=${E2E_JSONL_ROUNDS:-3}
  have_peer=0
  build_peer && have_peer=1
  jpeer_out=""
  have_ds=0
  if python3 -c 'import datasketch' 2>/dev/null; then
    have_ds=1
  else
    echo "note: datasketch (a PyPI package, not in Debian) is not installed: no datasketch row" \
         "(pip install datasketch)"
  fi
  jds_out=""
  for ((round = 1; round <= rounds; round++)); do
    jrow "dupstrip clean -j 1" 1 "$bin" clean "$jcorpus" --group-field site -o "$work/jout.jsonl" -j 1 -q --progress never
    jrow "dupstrip clean -j 2" 1 "$bin" clean "$jcorpus" --group-field site -o "$work/jout.jsonl" -j 2 -q --progress never
    rm -f "$work/jout.jsonl"
    jrow "dupstrip scan -j 1 (report only)" 1 "$bin" scan "$jcorpus" --group-field site -j 1 -q --progress never
    if (( have_peer )); then
      jrow "peer: Go ekzhu/minhash-lsh (sig+LSH)" 0 "$work/peer" "$jcorpus"
      [[ -n $j_wall ]] && jpeer_out=$(cat "$work/jrow.out")
    fi
    if (( have_ds )); then
      jrow "peer: datasketch (sig+LSH, Python)" 0 python3 "$here/peer/datasketch_peer.py" "$jcorpus"
      [[ -n $j_wall ]] && jds_out=$(cat "$work/jrow.out")
    fi
  done
  j1=${jwall["dupstrip clean -j 1"]:-}; j1c=${jcpu["dupstrip clean -j 1"]:-}
  j2=${jwall["dupstrip clean -j 2"]:-}
  jp=${jwall["peer: Go ekzhu/minhash-lsh (sig+LSH)"]:-}; jpc=${jcpu["peer: Go ekzhu/minhash-lsh (sig+LSH)"]:-}
  jd=${jwall["peer: datasketch (sig+LSH, Python)"]:-}; jdc=${jcpu["peer: datasketch (sig+LSH, Python)"]:-}
  # x_peer = the row's MB/s divided by the peer's (wall, and CPU); "-" without a peer row.
  echo "best of $rounds alternated rounds per row (wall and CPU each their least; peak RSS the largest)"
  printf '%-38s %8s %8s %8s %8s %10s %8s %10s\n' what wall_s MB/s cpu_s cpuMB/s peakRSS_MB x_peer x_peer_cpu
  for name in "${jnames[@]}"; do
    w=${jwall[$name]}; c=${jcpu[$name]}
    if [[ -n $jp ]]; then
      xw=$(printf '%.2f' "$(echo "$jp/$w" | bc -l)"); xc=$(printf '%.2f' "$(echo "$jpc/$c" | bc -l)")
    else xw=-; xc=-; fi
    printf '%-38s %8.2f %8.1f %8.2f %8.1f %10.1f %8s %10s\n' "$name" "$w" \
      "$(echo "$jbytes/1000000/$w" | bc -l)" "$c" "$(echo "$jbytes/1000000/$c" | bc -l)" \
      "$(echo "${jmaxrss[$name]}/1024" | bc -l)" "$xw" "$xc"
  done
  [[ -n $jpeer_out ]] && echo "  peer: $jpeer_out"
  [[ -n $jds_out ]] && echo "  datasketch: $jds_out"
  if [[ -n $j1 && -n $j2 ]]; then printf '  clean -j 2 / -j 1 (wall MB/s): %.2fx\n' "$(echo "$j1/$j2" | bc -l)"; fi
  if [[ -n $j1 && -n $jp ]]; then
    printf '  clean -j 1 / peer: %.2fx (wall MB/s), %.2fx (CPU MB/s)\n' "$(echo "$jp/$j1" | bc -l)" "$(echo "$jpc/$j1c" | bc -l)"
  fi
  if [[ -n $j1 && -n $jd ]]; then
    printf '  clean -j 1 / datasketch: %.2fx (wall MB/s), %.2fx (CPU MB/s)\n' "$(echo "$jd/$j1" | bc -l)" "$(echo "$jdc/$j1c" | bc -l)"
  fi
fi

# ---------------------------------------------------------------------------------------------
# Peer comparison. Every row is one process timed by /usr/bin/time: wall seconds (elapsed) and
# CPU seconds (user + system; less sensitive to other load on the machine). MB = 10^6 bytes of
# input. x_peer = the row's MB/s divided by the peer's MB/s (wall, and CPU).
peer_size=${E2E_PEER_SIZE:-20x1000}
if [[ $peer_size == none ]]; then exit 0; fi
equiv=$build/bench/dupstrip_peer_equivalent
corpus=$work/corpus-$peer_size
if [[ ! -d $corpus ]]; then "$gen" "$corpus" --sites "${peer_size%x*}" --articles-per-site "${peer_size#*x}" >/dev/null; fi
files=$(find "$corpus" -type f | wc -l)
bytes=$(du -sb "$corpus" | cut -f1)
find "$corpus" -type f -print0 | xargs -0 cat >/dev/null   # warm the page cache
echo
printf 'peer comparison: corpus-%s, %d files, %.1f MB, one thread each (load average now: %s)\n' \
  "$peer_size" "$files" "$(echo "$bytes/1000000" | bc -l)" "$(cut -d' ' -f1-3 /proc/loadavg)"

# timed NAME CMD...: runs CMD with stdout in $work/peer-NAME.out; sets t_wall, t_cpu and t_rc.
timed() {
  local name=$1; shift
  t_rc=0
  /usr/bin/time -f '%e %U %S' -o "$work/peer-time.txt" "$@" >"$work/peer-$name.out" 2>"$work/peer-$name.err" || t_rc=$?
  local u s
  read -r t_wall u s < <(tail -n 1 "$work/peer-time.txt")
  t_cpu=$(echo "$u + $s" | bc -l)
}
field() { sed -n "s/.*\b$2=\([^ ]*\).*/\1/p" "$1" | head -n 1; }

rm -f "$work"/peer-*.out
names=(); walls=(); cpus=()
add_row() { names+=("$1"); walls+=("$2"); cpus+=("$3"); }

timed scan "$bin" scan "$corpus" -j 1 -q --progress never
if (( t_rc <= 1 )); then add_row "dupstrip scan -j 1 (whole analysis)" "$t_wall" "$t_cpu"
else echo "note: dupstrip scan failed (exit $t_rc), see $work/peer-scan.err"; fi
raw=()
if [[ -x $equiv ]]; then
  for scheme in k_hash one_permutation; do
    timed "equiv-$scheme" "$equiv" "$corpus" --scheme "$scheme"
    if (( t_rc == 0 )); then
      add_row "dupstrip sig+LSH, $scheme" "$t_wall" "$t_cpu"
      raw+=("dupstrip $scheme: $(cat "$work/peer-equiv-$scheme.out")")
    else echo "note: $equiv failed (exit $t_rc), see $work/peer-equiv-$scheme.err"; fi
  done
else
  echo "note: $equiv not built (-DDUPSTRIP_BUILD_BENCH=ON); signatures-only rows skipped"
fi

peer_wall=""; peer_cpu=""
if build_peer; then
  timed go "$work/peer" "$corpus"
  if (( t_rc == 0 )); then
    peer_wall=$(echo "w=$t_wall; if (w < 0.01) w=0.01; w" | bc -l); peer_cpu=$(echo "c=$t_cpu; if (c < 0.01) c=0.01; c" | bc -l)
    add_row "peer: Go ekzhu/minhash-lsh" "$t_wall" "$t_cpu"
    raw+=("peer Go: $(cat "$work/peer-go.out")")
  else echo "note: the Go peer failed (exit $t_rc), see $work/peer-go.err"; fi
fi

printf '%-38s %8s %8s %8s %8s %8s %8s\n' what wall_s MB/s cpu_s cpuMB/s x_peer x_peer_cpu
for i in "${!names[@]}"; do
  # (a floor of 0.01 s keeps tiny corpora from dividing by zero)
  w=$(echo "w=${walls[$i]}; if (w < 0.01) w=0.01; w" | bc -l); c=$(echo "c=${cpus[$i]}; if (c < 0.01) c=0.01; c" | bc -l)
  mbs=$(echo "$bytes/1000000/$w" | bc -l); cmbs=$(echo "$bytes/1000000/$c" | bc -l)
  if [[ -n $peer_wall ]]; then
    xw=$(printf '%.2f' "$(echo "$peer_wall/$w" | bc -l)"); xc=$(printf '%.2f' "$(echo "$peer_cpu/$c" | bc -l)")
  else xw=-; xc=-; fi
  printf '%-38s %8.2f %8.1f %8.2f %8.1f %8s %8s\n' "${names[$i]}" "$w" "$mbs" "$c" "$cmbs" "$xw" "$xc"
done
# In-process phase times (without process start-up and the folder walk): sig = read + tokenise
# + shingle + MinHash, lsh = dupstrip's cluster_signatures / the peer's Add + Index + Query.
if (( ${#raw[@]} > 0 )); then
  echo "phases (in-process; mb_s and cpu_mb_s over sig + lsh):"
  for line in "${raw[@]}"; do echo "  $line"; done
fi
if [[ -n $peer_wall && -x $equiv ]]; then
  pc=$(field "$work/peer-go.out" cpu_mb_s)
  for scheme in k_hash one_permutation; do
    [[ -s $work/peer-equiv-$scheme.out && $pc != 0 && $pc != 0.00 ]] || continue
    dc=$(field "$work/peer-equiv-$scheme.out" cpu_mb_s)
    printf '  in-process CPU MB/s ratio, dupstrip %s / peer: %.2f\n' "$scheme" "$(echo "$dc/$pc" | bc -l)"
  done
fi

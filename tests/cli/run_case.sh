#!/usr/bin/env bash
# run_case.sh — run one CLI test case and compare it with its expectations (STYLE.md §7).
#
# Usage: run_case.sh [--update] CASE.sh
#
# The case script runs with bash in a fresh, empty temporary directory, with stdin from
# /dev/null and these environment variables:
#   DUPSTRIP      absolute path of the dupstrip executable (required)
#   SAMPLES       absolute path of the repository's samples/ folder
#   CASE_DIR      absolute path of the folder holding the case (tests/cli)
# Its standard output, standard error and exit status are compared with files next to it:
#   CASE.stdout        exact expected stdout          CASE.stdout.glob   stdout, line by line globs
#   CASE.stderr        exact expected stderr          CASE.stderr.glob   stderr, line by line globs
#   CASE.exit          expected exit status (a number; 0 when the file is missing)
# A stream with neither file is not checked. An empty CASE.stdout means "must be empty".
#
# Glob files (for lines that vary: timings, versions, paths, library messages): each line is a
# pattern for one output line, where `*` matches any run of characters (also none), `?` one
# character, and `\*`, `\?`, `\\` match themselves; every other character is literal (no [...]
# classes, so usage lines with brackets need no escaping). A line that is exactly `...`
# matches any number of lines, none included.
#
# --update rewrites CASE.exit and the exact .stdout/.stderr files that exist from the actual
# run; for a new case (no CASE.exit yet) it also creates .stdout and .stderr. Glob files are
# written by hand and never rewritten: --update only reports whether they still match.
#
# Exit status: 0 pass, 1 mismatch, 2 harness error. A case taking longer than
# DUPSTRIP_CASE_TIMEOUT seconds (default 120) fails.
set -euo pipefail

update=0
if [[ ${1:-} == --update ]]; then update=1; shift; fi
if [[ $# -ne 1 ]]; then
  echo "usage: run_case.sh [--update] CASE.sh" >&2
  exit 2
fi
case_file=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[[ -f $case_file ]] || { echo "run_case.sh: $1: no such case" >&2; exit 2; }
[[ -n ${DUPSTRIP:-} ]] || { echo "run_case.sh: set DUPSTRIP to the dupstrip executable" >&2; exit 2; }
[[ -x $DUPSTRIP ]] || { echo "run_case.sh: DUPSTRIP=$DUPSTRIP is not executable" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base=${case_file%.sh}
name=$(basename "$base")
DUPSTRIP=$(cd "$(dirname "$DUPSTRIP")" && pwd)/$(basename "$DUPSTRIP")
export DUPSTRIP
export SAMPLES=${SAMPLES:-$(cd "$here/../.." && pwd)/samples}
export CASE_DIR=$(dirname "$case_file")

work=$(mktemp -d "${TMPDIR:-/tmp}/dupstrip-cli-$name.XXXXXX")
out=$(mktemp "${TMPDIR:-/tmp}/dupstrip-cli-$name.out.XXXXXX")
err=$(mktemp "${TMPDIR:-/tmp}/dupstrip-cli-$name.err.XXXXXX")
cleanup() { rm -rf -- "$work" "$out" "$err"; }
trap cleanup EXIT

status=0
(cd "$work" && exec timeout "${DUPSTRIP_CASE_TIMEOUT:-120}" bash "$case_file") \
  <"/dev/null" >"$out" 2>"$err" || status=$?
if [[ $status -eq 124 ]]; then
  echo "FAIL $name: timed out after ${DUPSTRIP_CASE_TIMEOUT:-120}s" >&2
  exit 1
fi

# glob_match PATTERN_FILE ACTUAL_FILE: 0 when every line matches (see the header).
glob_match() {
  python3 - "$1" "$2" <<'PY'
import re, sys

def lines(path):
    with open(path, "rb") as f:
        data = f.read().decode("utf-8", "surrogateescape")
    out = data.split("\n")
    if out and out[-1] == "":
        out.pop()
    return out

def compile_line(p):
    rx, i = [], 0
    while i < len(p):
        c = p[i]
        if c == "\\" and i + 1 < len(p) and p[i + 1] in "*?\\":
            rx.append(re.escape(p[i + 1])); i += 2; continue
        rx.append(".*" if c == "*" else "." if c == "?" else re.escape(c))
        i += 1
    return re.compile("".join(rx) + r"\Z", re.S)

pats = [None if p == "..." else compile_line(p) for p in lines(sys.argv[1])]
act = lines(sys.argv[2])
memo = {}
def match(i, j):
    key = (i, j)
    if key in memo:
        return memo[key]
    if i == len(pats):
        r = j == len(act)
    elif pats[i] is None:
        r = any(match(i + 1, k) for k in range(j, len(act) + 1))
    else:
        r = j < len(act) and pats[i].match(act[j]) is not None and match(i + 1, j + 1)
    memo[key] = r
    return r
sys.exit(0 if match(0, 0) else 1)
PY
}

fail=0
check_stream() {  # check_stream LABEL ACTUAL_FILE
  local label=$1 actual=$2 exact=$base.$1 glob=$base.$1.glob
  if [[ -f $exact ]]; then
    if ! cmp -s "$exact" "$actual"; then
      if [[ $update -eq 1 ]]; then
        cp "$actual" "$exact"; echo "updated $(basename "$exact")"
      else
        echo "FAIL $name: $label differs from $(basename "$exact") (--- expected, +++ actual):"
        diff -u "$exact" "$actual" | sed -n '3,60p' || true
        fail=1
      fi
    fi
  elif [[ -f $glob ]]; then
    if ! glob_match "$glob" "$actual"; then
      echo "FAIL $name: $label does not match $(basename "$glob"); actual $label:"
      sed -n '1,60p' "$actual" | sed 's/^/  | /'
      echo "  expected patterns:"
      sed 's/^/  | /' "$glob"
      [[ $update -eq 1 ]] && echo "  (glob files are not rewritten by --update; edit it by hand)"
      fail=1
    fi
  elif [[ $update -eq 1 && ! -f $base.exit ]]; then
    cp "$actual" "$exact"; echo "created $(basename "$exact")"
  fi
}

check_stream stdout "$out"
check_stream stderr "$err"

expected_status=0
[[ -f $base.exit ]] && expected_status=$(tr -d ' \t\r\n' <"$base.exit")
if [[ $update -eq 1 ]]; then
  if [[ ! -f $base.exit || $expected_status != "$status" ]]; then
    echo "$status" >"$base.exit"; echo "updated $(basename "$base.exit") ($status)"
  fi
elif [[ $expected_status != "$status" ]]; then
  echo "FAIL $name: exit status $status, expected $expected_status"
  if [[ ! -f $base.stderr && ! -f $base.stderr.glob ]]; then
    echo "  stderr:"; sed -n '1,30p' "$err" | sed 's/^/  | /'
  fi
  fail=1
fi

if [[ $fail -ne 0 ]]; then exit 1; fi
echo "ok $name"

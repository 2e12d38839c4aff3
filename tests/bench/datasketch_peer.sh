#!/usr/bin/env bash
# bench/peer/datasketch_peer.py (the datasketch row of bench/e2e.sh) against a stand-in
# `datasketch` module written here: PyPI's package is not in Debian, so this checks the script's
# own part (reading JSONL and folders, words, shingles, one insert and one query per document,
# the pairs and the fields e2e.sh reads) with an exact-Jaccard index in its place.
set -euo pipefail
command -v python3 >/dev/null 2>&1 || { echo "skipped: no python3"; exit 77; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
peer="$here/../../bench/peer/datasketch_peer.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work/mod"
cat >"$work/mod/datasketch.py" <<'PY'
# Stand-in for the test: MinHash keeps the shingle set; the index answers by exact Jaccard.
class MinHash:
    def __init__(self, num_perm=128, seed=1):
        assert num_perm == 128 and seed == 1
        self.items = set()
    def update(self, b):
        assert isinstance(b, bytes)
        self.items.add(b)
    def update_batch(self, bs):
        for b in bs:
            self.update(b)

class MinHashLSH:
    def __init__(self, threshold=0.9, num_perm=128):
        assert threshold == 0.8 and num_perm == 128
        self.b, self.r, self.keys = 9, 13, {}
    def insert(self, key, m):
        assert key not in self.keys
        self.keys[key] = m
    def query(self, m):
        return [k for k, o in self.keys.items()
                if len(m.items & o.items) >= 0.8 * len(m.items | o.items)]
PY

# JSONL: records 0 and 2 are the same text (apart from case and punctuation), 1 shares a few
# words with them, 3 has no words, 4 has three words (one shingle).
long="The quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat today"
printf '%s\n' \
  "{\"id\":\"a\",\"text\":\"$long\"}" \
  '{"id":"b","text":"The quick brown fox went home early and nobody saw it again that week"}' \
  "{\"id\":\"c\",\"text\":\"${long^^}!!\"}" \
  '{"id":"d","text":"... --- !!!"}' \
  '{"id":"e","text":"just three words"}' >"$work/in.jsonl"
out=$(PYTHONPATH="$work/mod" python3 "$peer" "$work/in.jsonl")
echo "$out"
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$out"; }
[[ $(field docs) == 5 ]] || fail "docs: $(field docs)"
[[ $(field bytes) == $(stat -c %s "$work/in.jsonl") ]] || fail "bytes: $(field bytes)"
[[ $(field pairs) == 1 ]] || fail "pairs: $(field pairs) (want 1: records 0 and 2)"
[[ $(field bands) == 9 && $(field rows) == 13 ]] || fail "bands/rows from the index"
for f in sig_s lsh_s mb_s sig_cpu_s lsh_cpu_s cpu_mb_s; do
  [[ $(field "$f") =~ ^[0-9]+\.[0-9]+$ ]] || fail "$f: '$(field "$f")'"
done

# A folder: the .txt files, in bytewise order of their paths; other files are not read.
mkdir -p "$work/dir/x" "$work/dir/y"
printf '%s\n' "$long" >"$work/dir/x/one.txt"
printf '%s\n' "$long" >"$work/dir/y/two.txt"
printf 'another text with words of its own for once\n' >"$work/dir/y/three.txt"
printf '%s\n' "$long" >"$work/dir/y/skip.md"
out=$(PYTHONPATH="$work/mod" python3 "$peer" "$work/dir")
echo "$out"
[[ $(field docs) == 3 && $(field pairs) == 1 ]] || fail "folder: $out"

# A malformed record: exit 1, naming it; no datasketch: exit 2, saying how to install it.
printf '{"text":"fine"}\n{"text": oops}\n' >"$work/bad.jsonl"
rc=0; err=$(PYTHONPATH="$work/mod" python3 "$peer" "$work/bad.jsonl" 2>&1 >/dev/null) || rc=$?
[[ $rc == 1 && $err == *"record 2"* ]] || fail "malformed record: exit $rc, '$err'"
rc=0; err=$(PYTHONPATH="$work/empty" python3 -S "$peer" "$work/in.jsonl" 2>&1 >/dev/null) || rc=$?
[[ $rc == 2 && $err == *"pip install datasketch"* ]] || fail "no module: exit $rc, '$err'"
echo "ok"

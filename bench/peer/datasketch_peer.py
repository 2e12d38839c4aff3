#!/usr/bin/env python3
"""Peer benchmark for bench/e2e.sh: datasketch's MinHash and MinHashLSH (the PyPI package
`datasketch`, which most Python dedup scripts use) on a JSON Lines file (each record's "text"
field is a document) or a folder of .txt files, doing what bench/peer/minhash_lsh_peer.go does:
lowercased words (runs of letters and digits), 5-word shingles (the words joined by one space; a
document of fewer words has one shingle of all of them), 128-value MinHash signatures (seed 1),
an LSH index at threshold 0.8 into which every signature is inserted and which is then queried
with every document. One thread.

Usage: datasketch_peer.py FOLDER | FILE.jsonl. Prints one line of key=value fields, those of the
Go peer:

    docs bytes sig_s lsh_s pairs mb_s sig_cpu_s lsh_cpu_s cpu_mb_s bands rows

sig_s: reading (for JSONL, also decoding each record), tokenising, shingling and MinHash of
every document (wall seconds); bytes: the input's bytes (the whole JSONL file); lsh_s: insert
of every signature and one query per document; pairs: unordered pairs of distinct documents
returned as candidates; mb_s: bytes / (sig_s + lsh_s) in 10^6 bytes per second; *_cpu_s: the
same phases in user+system CPU seconds of the process; bands, rows: the banding the index
chose. Exit status 2 on bad usage or a missing module, 1 on an unreadable input.
"""

import json
import os
import re
import resource
import sys
import time

NUM_PERM = 128
SHINGLE_K = 5
THRESHOLD = 0.8
SEED = 1

WORD = re.compile(r"[^\W_]+")  # letters and digits (str.isalnum), as the Go peer's FieldsFunc


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def shingles(text):
    """The document's 5-word shingles as bytes; [] for a document without words."""
    words = WORD.findall(text.lower())
    if not words:
        return []
    if len(words) < SHINGLE_K:
        return [" ".join(words).encode("utf-8")]
    return [" ".join(words[i:i + SHINGLE_K]).encode("utf-8") for i in range(len(words) - SHINGLE_K + 1)]


def documents(path):
    """Yields (bytes counted, text) per document, in the Go peer's order."""
    if os.path.isfile(path) and path.endswith(".jsonl"):
        with open(path, "rb") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    yield len(line), ""
                    continue
                try:
                    record = json.loads(line)
                except ValueError as e:
                    raise OSError(f"record {number}: {e}") from e
                text = record.get("text", "") if isinstance(record, dict) else ""
                yield len(line), text if isinstance(text, str) else ""
        return
    names = []
    for root, _dirs, files in os.walk(path):
        for name in files:
            if name.endswith(".txt"):
                names.append(os.path.relpath(os.path.join(root, name), path).replace(os.sep, "/"))
    for rel in sorted(names, key=lambda r: r.encode("utf-8", "surrogateescape")):
        with open(os.path.join(path, rel), "rb") as f:
            data = f.read()
        yield len(data), data.decode("utf-8", "replace")


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} FOLDER | FILE.jsonl", file=sys.stderr)
        return 2
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError as e:
        print(f"datasketch_peer: {e} (pip install datasketch)", file=sys.stderr)
        return 2

    # Phase 1: signatures.
    t0, c0 = time.perf_counter(), cpu_seconds()
    sigs = []
    total = 0
    try:
        for size, text in documents(argv[1]):
            total += size
            sh = shingles(text)
            if not sh:
                sigs.append(None)
                continue
            m = MinHash(num_perm=NUM_PERM, seed=SEED)
            if hasattr(m, "update_batch"):  # datasketch >= 1.5: one call for all shingles
                m.update_batch(sh)
            else:
                for s in sh:
                    m.update(s)
            sigs.append(m)
    except OSError as e:
        print(f"datasketch_peer: {argv[1]}: {e}", file=sys.stderr)
        return 1
    t1, c1 = time.perf_counter(), cpu_seconds()

    # Phase 2: the LSH index, then one query per document.
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for i, m in enumerate(sigs):
        if m is not None:
            lsh.insert(i, m)
    pairs = set()
    for i, m in enumerate(sigs):
        if m is None:
            continue
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    t2, c2 = time.perf_counter(), cpu_seconds()

    sig_s, lsh_s = t1 - t0, t2 - t1
    sig_cpu, lsh_cpu = c1 - c0, c2 - c1
    mb_s = total / 1e6 / max(sig_s + lsh_s, 1e-9)
    cpu_mb_s = total / 1e6 / max(sig_cpu + lsh_cpu, 1e-9)
    print(f"docs={len(sigs)} bytes={total} sig_s={sig_s:.3f} lsh_s={lsh_s:.3f} pairs={len(pairs)} "
          f"mb_s={mb_s:.2f} sig_cpu_s={sig_cpu:.3f} lsh_cpu_s={lsh_cpu:.3f} cpu_mb_s={cpu_mb_s:.2f} "
          f"bands={getattr(lsh, 'b', '-')} rows={getattr(lsh, 'r', '-')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""The same corpus through the Python API and through the CLI, and against datasketch's MinHash
LSH in the same process when it is installed (bench/README.md has the figures).

  PYTHONPATH=build/python /usr/bin/python3 bench/python_api.py CORPUS_DIR --cli build/dupstrip
      [--jobs 1] [--repeat 3] [--work DIR]

CORPUS_DIR is a folder of text files (bench/gen_corpus.cpp writes one: `dupstrip_gen_corpus DIR
--sites 20 --articles-per-site 1000`); it is also written as one JSONL file of {"id", "site",
"text"} records (id = relative path, site = top-level folder). Best of --repeat runs each:

  cli folder    dupstrip clean DIR -o OUT/ --jobs J                (a subprocess)
  api folder    dupstrip.clean_files(DIR, OUT/, jobs=J)
  cli jsonl     dupstrip clean C.jsonl -o O.jsonl --group-field site --jobs J
  api jsonl     dupstrip.clean_files(C.jsonl, O.jsonl, group_field="site", jobs=J)
  api records   dupstrip.clean(records, group="site", jobs=J), every result taken (records: a
                list of dicts already in memory, as a DataFrame or a dataset would hand them)
  api stream    read C.jsonl with json.loads -> dupstrip.clean -> json.dumps to O.jsonl (what
                examples/python/generator_pipeline.py does: parsing and writing in Python)

Overheads are against the CLI on the same input (folder or JSONL). Then, when `import
datasketch` works: MinHash (128 permutations over word 2-shingles) + MinHashLSH at threshold
0.75 over the same records, query-then-insert, in this process, against `api records` with
jobs=1; the ratio is datasketch's time over dupstrip's (dupstrip does more: boilerplate and
repeats as well). Without datasketch that row says so and the run still succeeds.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import dupstrip


def best(repeat, fn):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def corpus_records(root):
    records = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                records.append({"id": rel, "site": rel.split(os.sep)[0] if os.sep in rel else "", "text": f.read()})
    records.sort(key=lambda r: r["id"].encode("utf-8", "surrogateescape"))
    return records


def datasketch_run(records, threshold=0.75, num_perm=128):
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    dropped = 0
    for r in records:
        words = r["text"].lower().split()
        m = MinHash(num_perm=num_perm)
        m.update_batch([" ".join(words[i:i + 2]).encode("utf-8", "surrogateescape") for i in range(len(words) - 1)])
        if lsh.query(m):
            dropped += 1
        else:
            lsh.insert(r["id"], m)
    return dropped


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", help="folder of text files")
    p.add_argument("--cli", required=True, help="the dupstrip binary")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--work", help="scratch folder (default: a temporary one)")
    args = p.parse_args(argv)
    work = args.work or tempfile.mkdtemp(prefix="dupstrip-pybench-")
    os.makedirs(work, exist_ok=True)
    jobs = args.jobs
    records = corpus_records(args.corpus)
    jsonl = os.path.join(work, "corpus.jsonl")
    with open(jsonl, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    mb = os.path.getsize(jsonl) / 1e6

    def fresh(name):
        path = os.path.join(work, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
        return path

    def cli(*a):
        subprocess.run([args.cli, "clean", *a, "--jobs", str(jobs), "-q"], check=True)

    def api_stream():
        def read():
            with open(jsonl, encoding="utf-8") as f:
                for line in f:
                    yield json.loads(line)
        with open(fresh("stream.jsonl"), "w", encoding="utf-8") as out:
            for r in dupstrip.clean(read(), group="site", jobs=jobs):
                out.write(json.dumps(r.record, ensure_ascii=False) + "\n")

    def api_records():
        n = 0
        for _ in dupstrip.clean(records, group="site", jobs=jobs):
            n += 1
        return n

    rows = [
        ("cli folder", best(args.repeat, lambda: cli(args.corpus, "-o", fresh("cli-out")))),
        ("api folder", best(args.repeat, lambda: dupstrip.clean_files(args.corpus, fresh("api-out"), jobs=jobs))),
        ("cli jsonl", best(args.repeat, lambda: cli(jsonl, "-o", fresh("cli.jsonl"), "--group-field", "site"))),
        ("api jsonl", best(args.repeat, lambda: dupstrip.clean_files(jsonl, fresh("api.jsonl"), group_field="site",
                                                                     jobs=jobs))),
        ("api records", best(args.repeat, api_records)),
        ("api stream", best(args.repeat, api_stream)),
    ]
    t = dict(rows)
    print(f"corpus: {len(records)} documents, {mb:.1f} MB as JSONL; jobs {jobs}; best of {args.repeat}; "
          f"dupstrip {dupstrip.__version__}, Python {sys.version.split()[0]}")
    print(f"{'run':<12} {'seconds':>8} {'MB/s':>7} {'vs CLI':>8}")
    for name, secs in rows:
        ref = t["cli folder"] if "folder" in name else t["cli jsonl"]
        print(f"{name:<12} {secs:8.3f} {mb / secs:7.1f} {100 * (secs / ref - 1):+7.1f}%")
    try:
        import datasketch  # noqa: F401
    except ImportError:
        print("datasketch: absent (pip package `datasketch` not importable): comparison skipped")
    else:
        ours = best(args.repeat, api_records) if jobs == 1 else None
        if ours is None:
            saved, jobs = jobs, 1
            ours = best(args.repeat, api_records)
            jobs = saved
        theirs = best(args.repeat, lambda: datasketch_run(records))
        print(f"datasketch MinHashLSH {theirs:.3f} s vs dupstrip.clean (jobs 1) {ours:.3f} s: "
              f"ratio {theirs / ours:.2f}")
    if not args.work:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()

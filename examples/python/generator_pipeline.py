#!/usr/bin/env python3
"""A generator pipeline, datatrove-style: read JSONL shards lazily, filter, clean with dupstrip,
post-filter, write JSONL lazily. Each stage is a generator, so records stream from the readers
to the writer; dupstrip spools what it is given to a temporary file for its two passes, and
yields results in input order once its analysis is done.

  python3 examples/python/generator_pipeline.py SHARD.jsonl[.gz] ... -o OUT.jsonl
      [--group-field url] [--min-words 0] [--min-kept-words 0]

With the default filters the output is the records `dupstrip clean` writes for the shards as
one corpus (python/tests/test_examples.py checks it).
"""

import argparse
import gzip
import json
import sys

import dupstrip


def read_jsonl(paths):
    for path in paths:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def min_words(records, n, field="text"):
    for r in records:
        if len(r[field].split()) >= n:
            yield r


def deduplicate(records, group=None, stats=None, **options):
    run = dupstrip.clean(records, group=group, **options)
    for result in run:
        yield result.record
    if stats is not None:
        stats.update(run.summary)


def write_jsonl(records, path):
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    return n


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("shards", nargs="+")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--group-field")
    p.add_argument("--min-words", type=int, default=0, help="drop records shorter than this before cleaning")
    p.add_argument("--min-kept-words", type=int, default=0, help="drop records shorter than this after cleaning")
    args = p.parse_args(argv)
    stats = {}
    records = read_jsonl(args.shards)
    records = min_words(records, args.min_words)
    records = deduplicate(records, group=args.group_field, stats=stats)
    records = min_words(records, args.min_kept_words)
    written = write_jsonl(records, args.output)
    print(f"generator_pipeline: read {stats['read']}, dupstrip kept {stats['kept']} and dropped "
          f"{stats['dropped']}, wrote {written}", file=sys.stderr)


if __name__ == "__main__":
    main()

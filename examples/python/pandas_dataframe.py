#!/usr/bin/env python3
"""A pandas DataFrame in, a DataFrame out: dupstrip.clean() over the rows of a DataFrame, and the
results (cleaned text, status, duplicate_of, similarity, bytes removed) as a new DataFrame.

The rows are handed to dupstrip one at a time from a generator (itertuples), and the engine
spools them to a temporary file: no second copy of the frame is made for the analysis.

  python3 examples/python/pandas_dataframe.py CORPUS.jsonl OUT.jsonl [--group-field url]

OUT.jsonl holds the kept rows with their cleaned text (pandas' to_json, records, lines), the
same records as `dupstrip clean CORPUS.jsonl -o OUT.jsonl` (python/tests/test_examples.py).
"""

import argparse
import sys

import pandas as pd

import dupstrip


def clean_frame(df, text="text", id="id", group=None, **options):
    """The DataFrame's rows cleaned: every row (dropped ones too, with keep_dropped) with its
    decision in columns `status`, `duplicate_of`, `similarity` and `removed_bytes`."""
    columns = list(df.columns)
    rows = (dict(zip(columns, values)) for values in df.itertuples(index=False, name=None))
    out = []
    for r in dupstrip.clean(rows, text=text, id=id, group=group, keep_dropped=True, **options):
        row = dict(r.record)
        row["status"] = r.status
        row["duplicate_of"] = r.duplicate_of
        row["similarity"] = r.similarity
        row["removed_bytes"] = sum(span["end"] - span["begin"] for span in r.removed)
        out.append(row)
    return pd.DataFrame(out, columns=columns + ["status", "duplicate_of", "similarity", "removed_bytes"])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", help="a JSONL file with text and id fields")
    p.add_argument("output", help="the kept rows, cleaned, as JSON Lines")
    p.add_argument("--group-field", help="boilerplate groups (a URL groups by host)")
    args = p.parse_args(argv)
    df = pd.read_json(args.corpus, lines=True, dtype=False)
    result = clean_frame(df, group=args.group_field)
    print(result.groupby("status").size().to_string(), file=sys.stderr)
    print(result[result.status == "dropped"][["id", "duplicate_of", "similarity"]].head().to_string(),
          file=sys.stderr)
    kept = result[result.status == "kept"][list(df.columns)]
    kept.to_json(args.output, orient="records", lines=True, force_ascii=False)


if __name__ == "__main__":
    main()

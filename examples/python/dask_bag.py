#!/usr/bin/env python3
"""dupstrip over JSONL shards with a Dask bag, through the Python API's scale-out steps
(doc/scaleout.md): no subprocess, no binary on the workers, only `import dupstrip`.

  round 0   bag of shards   dupstrip.scan(shard, fingerprints=r0/fp-K.dsfp, **algorithm options)
  merge     driver          dupstrip.merge(fingerprints, state-0.dsm)
  round r   pending shards  dupstrip.scan(shard, fingerprints=rR/fp-K.dsfp, state=state-(r-1).dsm)
  merge     driver          dupstrip.merge(fingerprints, state-r.dsm, state=state-(r-1).dsm)
  apply     bag of shards   dupstrip.apply(shard, OUT/part-K.jsonl, state=state-LAST.dsm)
  report    driver          dupstrip.merge(state=state-LAST.dsm, report=REPORT)

The concatenated outputs (in shard order) and the report are those of `dupstrip clean` on the
shards as one corpus (python/tests/test_examples.py checks it). Shards, work dir and output
must be at the same paths on every worker (a shared file system), as for examples/dask.

  python3 examples/python/dask_bag.py part-*.jsonl -o out/ --work-dir wd/ [--report r.jsonl]
      [--group-field url] [--threshold 0.8] [--workers 2] [--processes]
"""

import argparse
import os
import sys

import dask.bag as db
from dask.distributed import Client, LocalCluster

import dupstrip

MAX_ROUNDS = 10  # the merge needs at most 5 content rounds


def scan_task(job):
    """Round 0 or a content round of one shard, on a worker."""
    k, shard, fingerprints, state, input_options, algorithm_options = job
    dupstrip.scan(shard, fingerprints=fingerprints, state=state, **input_options, **algorithm_options)
    return k, fingerprints


def apply_task(job):
    k, shard, output, state, input_options = job
    summary = dupstrip.apply(shard, output, state=state, **input_options)
    return k, summary["kept"], summary["dropped"], summary["issues"]


def run(shards, out_dir, work_dir, report, input_options, algorithm_options, client):
    os.makedirs(out_dir, exist_ok=True)
    os.makedirs(work_dir, exist_ok=True)
    partitions = len(shards)

    def bag(jobs):
        return db.from_sequence(jobs, npartitions=max(1, min(partitions, len(jobs))))

    jobs = [(k, s, os.path.join(work_dir, f"r0-fp-{k}.dsfp"), None, input_options, algorithm_options)
            for k, s in enumerate(shards)]
    fingerprints = [fp for _, fp in sorted(bag(jobs).map(scan_task).compute())]
    state = os.path.join(work_dir, "state-0.dsm")
    status = dupstrip.merge(fingerprints, state)
    for r in range(1, MAX_ROUNDS + 1):
        if status["complete"]:
            break
        pending = [sh["index"] for sh in status["shards"] if sh["pending"] > 0]
        jobs = [(k, shards[k], os.path.join(work_dir, f"r{r}-fp-{k}.dsfp"), state, input_options, {})
                for k in pending]
        fingerprints = [fp for _, fp in bag(jobs).map(scan_task).compute()]
        previous, state = state, os.path.join(work_dir, f"state-{r}.dsm")
        status = dupstrip.merge(fingerprints, state, state=previous)
    if not status["complete"]:
        raise RuntimeError(f"not complete after {MAX_ROUNDS} content rounds")
    jobs = [(k, s, os.path.join(out_dir, f"part-{k}.jsonl"), state, input_options) for k, s in enumerate(shards)]
    applied = sorted(bag(jobs).map(apply_task).compute())
    final = dupstrip.merge(state=state, report=report)
    for k, kept, dropped, issues in applied:
        for issue in issues:
            print(f"dask_bag: {issue['where']}: {issue['reason']}", file=sys.stderr)
    return final["summary"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("shards", nargs="+", help="JSONL shards (.jsonl, .gz, .zst)")
    p.add_argument("-o", "--output", required=True, help="folder of the cleaned shards (part-K.jsonl)")
    p.add_argument("--work-dir", required=True, help="fingerprints and merge states")
    p.add_argument("--report", help="the JSON Lines report of the whole run")
    p.add_argument("--group-field", help="boilerplate group field (a URL groups by host)")
    p.add_argument("--threshold", type=float, help="near-duplicate threshold (algorithm options go to round 0)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--processes", action="store_true", help="worker processes (default: threads)")
    args = p.parse_args(argv)
    input_options = {"group_field": args.group_field} if args.group_field else {}
    algorithm_options = {"threshold": args.threshold} if args.threshold is not None else {}
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=args.processes,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        summary = run([os.path.abspath(s) for s in args.shards], args.output, args.work_dir, args.report,
                      input_options, algorithm_options, client)
    print(f"dask_bag: {summary['read']} read, {summary['kept']} kept, {summary['dropped']} dropped, "
          f"{summary['boilerplate_spans']} boilerplate spans", file=sys.stderr)


if __name__ == "__main__":
    main()

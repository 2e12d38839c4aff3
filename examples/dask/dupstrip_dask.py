#!/usr/bin/env python3
"""Run `dupstrip clean` on a Dask cluster as scan / merge / apply tasks over shards.

  round 0   each shard   dupstrip scan SHARD --fingerprints r0/fp-K.dsfp [options]
  merge     once         dupstrip merge r0/fp-*.dsfp -o state-0.dsm --json
  round r   each shard   dupstrip scan SHARD --state state-(r-1).dsm --fingerprints rR/fp-K.dsfp
            pending      (only the shards the merge lists as pending, until it says complete)
  merge     once         dupstrip merge --state state-(r-1).dsm rR/fp-*.dsfp -o state-r.dsm --json
  apply     each shard   dupstrip apply --state state-LAST.dsm SHARD -o OUTPUT

The result is that of `dupstrip clean` on the whole corpus (README.md beside this file). The
corpus, the work dir and the output must be at the same paths on the driver and every worker
(a shared file system). Dask keys and file names carry the round and the shard, and dupstrip
writes every file through a temporary renamed into place, so a task run twice is harmless.
"""

import argparse
import collections
import json
import os
import socket
import subprocess
import sys
import time
import uuid

# Options that tell how to read a shard: given to every command that reads one (scan, content
# scan, apply). All other extra options are algorithm options, given to the round-0 scan only;
# the merged state carries them from there on.
INPUT_OPTIONS = {"--group-by", "--text-field", "--id-field", "--group-field"}
INPUT_FLAGS = {"--strict"}
MAX_ROUNDS = 10  # the merge needs at most 5 content rounds; more means something is wrong


def log(msg):
    print(f"dupstrip-dask: {msg}", file=sys.stderr, flush=True)


def run_dupstrip(argv):
    """Run one dupstrip command (this is the Dask task, on a worker) and say how it went.
    dupstrip writes its files through a temporary renamed into place: a rerun is harmless."""
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True)
        rc, out, err = proc.returncode, proc.stdout, proc.stderr
    except OSError as e:  # binary missing or not executable on this worker
        rc, out, err = 2, b"", f"cannot run {argv[0]}: {e}\n".encode()
    return {"rc": rc, "stdout": out.decode("utf-8", "replace"),
            "stderr": err.decode("utf-8", "replace"), "host": socket.gethostname()}


class Driver:
    def __init__(self, args, client):
        self.args = args
        self.client = client
        self.run_id = uuid.uuid4().hex[:8]  # Dask keys are unique per run, stable per task
        self.exit_status = 0
        self.algo_opts, self.input_opts = split_options(args.dupstrip_options)

    def cmd(self, sub, *parts):
        """argv of one dupstrip command."""
        return [self.args.dupstrip, sub, "-j", str(self.args.task_jobs)] + [
            x for part in parts for x in part]

    def check(self, label, res, stop=True):
        """Exit 1 (some input skipped) is remembered; any other non-zero status stops the run
        (or, with stop=False, is only reported: the caller stops after the other tasks)."""
        if res["rc"] == 0:
            if self.args.verbose and res["stderr"].strip():
                sys.stderr.write(indent(f"{label} ({res['host']})", res["stderr"]))
            return True
        if res["rc"] == 1:
            self.exit_status = max(self.exit_status, 1)
            sys.stderr.write(indent(f"{label}: some inputs skipped", res["stderr"]))
            return True
        sys.stderr.write(indent(f"{label} failed on {res['host']} with exit status {res['rc']}",
                                res["stderr"]))
        if stop:
            raise SystemExit(2)
        return False

    def map(self, phase, tasks):
        """Run {shard index: argv} on the cluster, one task per shard; stop on a failure."""
        if not tasks:
            return
        keys = [f"dupstrip-{self.run_id}-{phase}-shard{k}" for k in tasks]
        futures = self.client.map(run_dupstrip, list(tasks.values()), key=keys, pure=False,
                                  retries=self.args.retries)
        try:
            results = self.client.gather(futures)
        except Exception as e:  # a worker died too often, the cluster went away, ...
            log(f"{phase}: Dask task failed: {type(e).__name__}: {e}")
            raise SystemExit(2)
        ok = [self.check(f"{phase} shard {k}", res, stop=False) for k, res in zip(tasks, results)]
        if not all(ok):
            raise SystemExit(2)

    def merge(self, name, argv):
        """One reduce step, on a worker (or here with --local-merge); its --json answer."""
        if self.args.local_merge:
            res = run_dupstrip(argv)
        else:
            fut = self.client.submit(run_dupstrip, argv, pure=False,
                                     key=f"dupstrip-{self.run_id}-{name}",
                                     retries=self.args.retries)
            res = fut.result()
        label = name.replace("-r", " round ")
        self.check(label, res)
        try:
            return json.loads(res["stdout"])
        except ValueError:
            log(f"{label}: no JSON on stdout: {res['stdout'][:200]!r}")
            raise SystemExit(2)

    def run(self, shards):
        a, work = self.args, self.args.work_dir
        t0 = time.monotonic()
        # Round 0: fingerprints of every shard.
        os.makedirs(os.path.join(work, "r0"), exist_ok=True)
        fps = [os.path.join(work, "r0", f"fp-{k:05d}.dsfp") for k in range(len(shards))]
        self.map("scan-r0", {
            k: self.cmd("scan", s.input_args, self.input_opts, self.algo_opts,
                        ["--fingerprints", fps[k]])
            for k, s in enumerate(shards)})
        log(f"round 0: scanned {len(shards)} shards ({time.monotonic() - t0:.1f} s)")
        # --report on every merge: the one that finds the run complete writes it.
        report = ["--report", os.path.abspath(a.report)] if a.report else []
        state = os.path.join(work, "state-0.dsm")
        info = self.merge("merge-r0", self.cmd("merge", fps, ["-o", state, "--json"], report))
        rnd = 1
        while not info.get("complete"):
            if rnd > MAX_ROUNDS:
                log(f"no complete state after {MAX_ROUNDS} rounds")
                raise SystemExit(2)
            pending = [s["index"] for s in info.get("shards", []) if s.get("pending", 0) > 0]
            log(f"content round {rnd}: {info.get('documents')} documents, "
                f"{len(pending)} of {len(shards)} shards pending")
            os.makedirs(os.path.join(work, f"r{rnd}"), exist_ok=True)
            cfps = {k: os.path.join(work, f"r{rnd}", f"fp-{k:05d}.dsfp") for k in pending}
            self.map(f"scan-r{rnd}", {
                k: self.cmd("scan", shards[k].input_args, self.input_opts,
                            ["--state", state, "--fingerprints", cfps[k]])
                for k in pending})
            new_state = os.path.join(work, f"state-{rnd}.dsm")
            info = self.merge(f"merge-r{rnd}", self.cmd(
                "merge", ["--state", state], [cfps[k] for k in pending],
                ["-o", new_state, "--json"], report))
            state, rnd = new_state, rnd + 1
        log(f"complete: {info.get('documents')} documents, state {state}")
        self.map("apply", {
            k: self.cmd("apply", ["--state", state], s.input_args, self.input_opts,
                        ["-o", s.output])
            for k, s in enumerate(shards)})
        log(f"applied {len(shards)} shards; done in {time.monotonic() - t0:.1f} s")
        return self.exit_status


# input_args: how dupstrip reads the shard; output: what apply writes (a folder that all list
# shards share, or one JSONL file per JSONL shard).
Shard = collections.namedtuple("Shard", "input_args output")


def split_options(opts):
    algo, inp, i = [], [], 0
    while i < len(opts):
        name = opts[i].split("=", 1)[0]
        if name in INPUT_OPTIONS:
            takes = 1 if "=" in opts[i] else 2
            inp += opts[i:i + takes]
            i += takes
        elif name in INPUT_FLAGS:
            inp.append(opts[i])
            i += 1
        else:
            algo.append(opts[i])
            i += 1
    return algo, inp


def is_jsonl_name(name):
    for ext in (".gz", ".zst"):
        if name.endswith(ext):
            name = name[:-len(ext)]
    return name.endswith((".jsonl", ".ndjson"))


def walk_files(root):
    """([(relative path, size)], [(relative path, why)]): the regular files under root, sorted
    bytewise like `dupstrip clean` reads them (paths are bytes, '/'-separated), and what was
    left out (symbolic links, special files, unreadable folders), as clean leaves them out."""
    found, skipped, stack = [], [], [b""]
    broot = os.fsencode(root)
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(os.path.join(broot, rel) if rel else broot) as it:
                entries = list(it)
        except OSError as e:
            skipped.append((rel, e.strerror or str(e)))
            continue
        for e in entries:
            r = rel + b"/" + e.name if rel else e.name
            if e.is_symlink() or not (e.is_file() or e.is_dir()):
                skipped.append((r, "not a regular file"))
            elif e.is_dir():
                stack.append(r)
            else:
                found.append((r, e.stat().st_size))
    return sorted(found), sorted(skipped)


def split_contiguous(files, n):
    """Cut the sorted list into at most n consecutive pieces of about equal bytes."""
    n = max(1, min(n, len(files)))
    total = sum(max(size, 1) for _, size in files)
    pieces, current, acc = [], [], 0
    for name, size in files:
        current.append(name)
        acc += max(size, 1)
        if len(pieces) < n - 1 and acc >= total * (len(pieces) + 1) / n:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return pieces


def plan_shards(args, n_shards):
    """(shards, status): one shard per JSONL file, or the corpus folder cut into n_shards
    --files-from lists; status 1 when some entry of the folder had to be left out."""
    out = os.path.abspath(args.output)
    inputs = [os.path.abspath(p) for p in args.input]
    status = 0
    if len(inputs) == 1 and os.path.isdir(inputs[0]):
        files, skipped = walk_files(inputs[0])
        for name, why in skipped:
            log(f"{os.path.join(inputs[0], os.fsdecode(name))}: {why}, skipped")
            status = 1
        if not files:
            log(f"{inputs[0]}: no files")
            raise SystemExit(2)
        if all(is_jsonl_name(os.fsdecode(f)) for f, _ in files):
            inputs = [os.path.join(inputs[0], os.fsdecode(f)) for f, _ in files]
        else:  # a folder of text files: consecutive pieces of the sorted paths
            lists = os.path.join(args.work_dir, "lists")
            os.makedirs(lists, exist_ok=True)
            shards = []
            for k, piece in enumerate(split_contiguous(files, n_shards)):
                path = os.path.join(lists, f"shard-{k:05d}.list")
                with open(path, "wb") as f:
                    f.write(b"".join(name + b"\0" for name in piece))  # NUL-separated: any name
                shards.append(Shard(["--files-from", path, "--root", inputs[0]], out))
            return shards, status
    for p in inputs:
        if not os.path.isfile(p) or not is_jsonl_name(p):
            log(f"{p}: give one corpus folder or JSONL files (.jsonl/.ndjson, .gz/.zst)")
            raise SystemExit(2)
    names = [os.path.basename(p) for p in inputs]
    if len(set(names)) != len(names):  # the same name in several folders: number them
        names = [f"{k:05d}-{n}" for k, n in enumerate(names)]
    return [Shard([p], os.path.join(out, n)) for p, n in zip(inputs, names)], status


def indent(title, text):
    body = "".join(f"  | {line}\n" for line in text.rstrip("\n").splitlines())
    return f"dupstrip-dask: {title}\n{body}"


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Run `dupstrip clean` as scan / merge / apply tasks on a Dask cluster.",
        epilog="Options after `--` go to dupstrip (e.g. -- --threshold 0.7 --group-field url). "
               "Example: %(prog)s crawl/ -o cleaned/ --work-dir /shared/tmp/ds --workers 4 "
               "--report report.jsonl")
    p.add_argument("input", nargs="+",
                   help="a corpus folder (cut into --shards pieces; a folder of only JSONL files "
                        "is taken file by file) or JSONL files, one shard each, in corpus order")
    p.add_argument("-o", "--output", required=True,
                   help="output folder: the cleaned corpus tree, or a cleaned file per JSONL shard")
    p.add_argument("--work-dir", required=True, help="folder for lists, fingerprints and states "
                   "(on a file system shared with every worker)")
    p.add_argument("--report", help="write the full report (as `dupstrip clean --report`) here")
    p.add_argument("--dupstrip", default="dupstrip",
                   help="dupstrip binary, at this path on every worker (default: from PATH)")
    p.add_argument("--scheduler", help="address of a running Dask scheduler (default: start a "
                   "LocalCluster)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="LocalCluster worker processes (default: cores)")
    p.add_argument("--host", default="127.0.0.1", help="LocalCluster listen address")
    p.add_argument("--dashboard", default=":0",
                   help="LocalCluster dashboard address (default: any free port)")
    p.add_argument("--shards", type=int, help="pieces to cut a text corpus folder into "
                   "(default: number of workers)")
    p.add_argument("--task-jobs", type=int, default=1, help="dupstrip threads per task (default 1)")
    p.add_argument("--retries", type=int, default=1,
                   help="Dask retries of a task that raised (a task whose worker died is rerun "
                        "by Dask anyway)")
    p.add_argument("--local-merge", action="store_true",
                   help="run the merges in this process instead of on a worker")
    p.add_argument("--force", action="store_true", help="write into a non-empty output folder")
    p.add_argument("-v", "--verbose", action="store_true", help="show the stderr of every task")
    cut = argv.index("--") if "--" in argv else len(argv)
    args = p.parse_args(argv[:cut])
    args.dupstrip_options = argv[cut + 1:]
    if os.sep in args.dupstrip:
        args.dupstrip = os.path.abspath(args.dupstrip)
    args.work_dir = os.path.abspath(args.work_dir)
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if os.path.isdir(args.output) and os.listdir(args.output) and not args.force:
        log(f"{args.output}: output folder is not empty (use --force to write into it)")
        return 2
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as e:
        log(f"cannot import dask.distributed ({e}); install python3-distributed")
        return 2
    os.makedirs(args.work_dir, exist_ok=True)
    os.makedirs(args.output, exist_ok=True)
    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
        client.wait_for_workers(1, timeout=120)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               host=args.host, dashboard_address=args.dashboard,
                               local_directory=os.path.join(args.work_dir, "dask"))
        client = Client(cluster)
    try:
        n = args.shards or max(1, len(client.scheduler_info()["workers"]))
        shards, status = plan_shards(args, n)
        log(f"{len(shards)} shards on {len(client.scheduler_info()['workers'])} workers")
        return max(status, Driver(args, client).run(shards))
    except SystemExit as e:
        return e.code
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    sys.exit(main())

"""Two threads running clean() at once get what each gets alone; the GIL is free while the
engine runs; 200 runs do not grow the process (no leak of runs, records or results)."""

import gc
import threading
import time

import dupstrip

from test_records import FURNITURE, article


def records(n, site):
    return [{"id": f"{site}-{i}", "text": article(i + 1000 * len(site)) + FURNITURE, "site": site}
            for i in range(n)] + [{"id": f"{site}-copy", "text": article(1000 * len(site)) + FURNITURE, "site": site}]


def outcome(recs, **kw):
    return [(r.record, r.report) for r in dupstrip.clean(recs, group="site", keep_dropped=True, **kw)]


def test_two_threads_at_once():
    a, b = records(300, "a"), records(300, "bb")
    expected = {"a": outcome(a, jobs=1), "bb": outcome(b, jobs=1)}
    got = {}
    barrier = threading.Barrier(2)

    def work(name, recs):
        barrier.wait()
        for _ in range(3):
            result = outcome(recs, jobs=2)
            assert got.setdefault(name, result) == result

    threads = [threading.Thread(target=work, args=("a", a)), threading.Thread(target=work, args=("bb", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == expected


def test_gil_is_released_while_the_engine_runs():
    """A Python thread keeps running while another runs the analysis: the longest pause between
    its steps stays far below the analysis' length (it would be all of it under the GIL)."""
    recs = records(2000, "g")
    run = dupstrip.clean(recs, group="site", jobs=1)
    done = threading.Event()
    spans = {}

    def analyse():
        t0 = time.perf_counter()
        next(run)  # spools (with the GIL) and analyses (without it)
        spans["analysis"] = time.perf_counter() - t0
        done.set()

    t = threading.Thread(target=analyse)
    t.start()
    last, gap = time.perf_counter(), 0.0
    while not done.is_set():
        now = time.perf_counter()
        gap = max(gap, now - last)
        last = now
    t.join()
    run.close()
    assert spans["analysis"] > 0.05, spans  # long enough to tell
    assert gap < spans["analysis"] / 2, (gap, spans)


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_no_leak_over_200_runs(tmp_path):
    recs = records(10, "leak")

    def one(i):
        # Every path of a run: results taken whole, a run closed early, a report written.
        if i % 3 == 0:
            run = dupstrip.clean(recs, group="site", keep_dropped=True, jobs=1)
            next(run)
            run.close()
        else:
            list(dupstrip.clean(recs, group="site", keep_dropped=True, report=tmp_path / "r.jsonl", jobs=1))

    for i in range(20):
        one(i)
    gc.collect()
    before = rss_kib()
    for i in range(200):
        one(i)
    gc.collect()
    grown = rss_kib() - before
    assert grown < 4096, f"RSS grew by {grown} KiB over 200 runs"

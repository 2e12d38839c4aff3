"""bench/python_api.py keeps running: on the small test corpus, once per row, and its datasketch
row both ways: skipped with a message when datasketch is absent, and through a stand-in module
of datasketch's API shape (MinHash, MinHashLSH) so that the comparison code cannot rot."""

import os
import subprocess
import sys
import textwrap

from conftest import ROOT

BENCH = ROOT / "bench" / "python_api.py"

STAND_IN = textwrap.dedent("""
    # A stand-in with datasketch's API shape (exact sets instead of MinHash), for the bench test.
    class MinHash:
        def __init__(self, num_perm=128, seed=1):
            self.items = set()
        def update_batch(self, items):
            self.items.update(items)
    class MinHashLSH:
        def __init__(self, threshold=0.9, num_perm=128):
            self.threshold, self.entries = threshold, {}
        def insert(self, key, m):
            self.entries[key] = m
        def query(self, m):
            return [k for k, o in self.entries.items()
                    if len(m.items & o.items) >= self.threshold * max(1, len(m.items | o.items))]
""")


def run_bench(cli, folder, tmp_path, extra_path=None):
    env = dict(os.environ)
    if extra_path:
        env["PYTHONPATH"] = os.pathsep.join([str(extra_path), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, str(BENCH), str(folder), "--cli", cli, "--repeat", "1", "--jobs", "2",
                           "--work", str(tmp_path / "work")], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_bench_runs(cli, corpus, tmp_path):
    folder, _, _ = corpus
    out = run_bench(cli, folder, tmp_path)
    for row in ("cli folder", "api folder", "cli jsonl", "api jsonl", "api records", "api stream"):
        assert row in out
    try:
        import datasketch  # noqa: F401
        assert "ratio" in out
    except ImportError:
        assert "datasketch: absent" in out
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "datasketch.py").write_text(STAND_IN)
    out = run_bench(cli, folder, tmp_path, tmp_path / "fake")
    assert "datasketch MinHashLSH" in out and "ratio" in out

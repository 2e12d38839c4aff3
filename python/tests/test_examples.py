"""Each example of examples/python runs and gives what `dupstrip clean` gives on the same corpus."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, read_jsonl, run_cli

EXAMPLES = ROOT / "examples" / "python"


def run_example(name, *args):
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def reference(cli, corpus, tmp_path_factory):
    """`dupstrip clean` of the JSONL shards as one corpus, grouped by the host of their url."""
    _, shards, _ = corpus
    out = tmp_path_factory.mktemp("reference")
    run_cli(cli, "clean", shards, "-o", out / "clean.jsonl", "--report", out / "report.jsonl", "--group-field", "url")
    return out / "clean.jsonl", out / "report.jsonl"


def test_pandas_dataframe(corpus, reference, tmp_path):
    pytest.importorskip("pandas")
    _, _, whole = corpus
    run_example("pandas_dataframe.py", whole, tmp_path / "out.jsonl", "--group-field", "url")
    assert read_jsonl(tmp_path / "out.jsonl") == read_jsonl(reference[0])


def test_generator_pipeline(corpus, reference, tmp_path):
    _, shards, _ = corpus
    run_example("generator_pipeline.py", *sorted(shards.iterdir()), "-o", tmp_path / "out.jsonl",
                "--group-field", "url")
    assert (tmp_path / "out.jsonl").read_bytes() == reference[0].read_bytes()
    # The filters are stages of the pipeline: they change what is written.
    run_example("generator_pipeline.py", *sorted(shards.iterdir()), "-o", tmp_path / "short.jsonl",
                "--group-field", "url", "--min-kept-words", "200")
    assert 0 < len(read_jsonl(tmp_path / "short.jsonl")) < len(read_jsonl(reference[0]))


def test_dask_bag(corpus, reference, tmp_path):
    pytest.importorskip("distributed")
    _, shards, _ = corpus
    parts = sorted(shards.iterdir())
    run_example("dask_bag.py", *parts, "-o", tmp_path / "out", "--work-dir", tmp_path / "wd",
                "--report", tmp_path / "report.jsonl", "--group-field", "url")
    outputs = b"".join((tmp_path / "out" / f"part-{k}.jsonl").read_bytes() for k in range(len(parts)))
    assert outputs == reference[0].read_bytes()
    assert (tmp_path / "report.jsonl").read_bytes() == reference[1].read_bytes()
    assert sorted(os.listdir(tmp_path / "wd"))[:2] == ["r0-fp-0.dsfp", "r0-fp-1.dsfp"]

"""Fixtures of the Python package's tests (ctest `python:pytest`, or by hand):

    PYTHONPATH=build/python DUPSTRIP=build/dupstrip /usr/bin/python3 -m pytest python/tests

DUPSTRIP names the CLI the results are compared with (tests that need it are skipped without
it, never passed). The corpus is tests/dask/gen_corpus.py's: three sites with furniture,
syndicated near-duplicates, a page saved twice and a body printed twice.
"""

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GEN_CORPUS = ROOT / "tests" / "dask" / "gen_corpus.py"


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("DUPSTRIP")
    if not path:
        pytest.skip("DUPSTRIP (the dupstrip binary to compare with) is not set")
    return path


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """(folder, jsonl folder of 3 shards, one JSONL file of every record)."""
    base = tmp_path_factory.mktemp("corpus")
    folder, shards = base / "folder", base / "jsonl"
    subprocess.run([sys.executable, str(GEN_CORPUS), str(folder), str(shards)], check=True)
    whole = base / "all.jsonl"
    with open(whole, "wb") as out:
        for part in sorted(shards.iterdir()):
            out.write(part.read_bytes())
    return folder, shards, whole


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_cli(cli, *args):
    proc = subprocess.run([cli, *map(str, args), "-q"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc

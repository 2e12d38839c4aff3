"""The Python API gives the CLI's bytes on the same corpus: output files, JSONL records and the
report, for a folder and for JSONL, through clean_files()/scan() (paths) and clean() (records)."""

import filecmp
import json

import dupstrip

from conftest import read_jsonl, run_cli


def same_tree(a, b):
    cmp = filecmp.dircmp(a, b)
    stack = [cmp]
    while stack:
        c = stack.pop()
        assert not c.left_only and not c.right_only, (c.left, c.left_only, c.right_only)
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        assert not mismatch and not errors, (c.left, mismatch, errors)
        stack.extend(c.subdirs.values())


def test_folder_clean_files_equals_cli(cli, corpus, tmp_path):
    folder, _, _ = corpus
    run_cli(cli, "clean", folder, "-o", tmp_path / "cli", "--report", tmp_path / "cli.jsonl")
    summary = dupstrip.clean_files(folder, tmp_path / "py", tmp_path / "py.jsonl", jobs=2)
    same_tree(tmp_path / "cli", tmp_path / "py")
    assert (tmp_path / "cli.jsonl").read_bytes() == (tmp_path / "py.jsonl").read_bytes()
    # The corpus is worth comparing on: it has drops, boilerplate and a repeat.
    assert summary["dropped"] >= 6 and summary["boilerplate_spans"] > 0 and summary["repeat_spans"] >= 1
    assert summary["issues"] == [] and summary["read"] == summary["kept"] + summary["dropped"]


def test_scan_equals_cli(cli, corpus, tmp_path):
    folder, _, _ = corpus
    run_cli(cli, "scan", folder, "--report", tmp_path / "cli.jsonl", "--threshold", "0.6")
    summary = dupstrip.scan(folder, tmp_path / "py.jsonl", threshold=0.6)
    assert (tmp_path / "cli.jsonl").read_bytes() == (tmp_path / "py.jsonl").read_bytes()
    cli_summary = read_jsonl(tmp_path / "cli.jsonl")[-1]["data"]
    assert {k: summary[k] for k in cli_summary} == cli_summary


def test_jsonl_clean_files_equals_cli(cli, corpus, tmp_path):
    _, shards, _ = corpus
    run_cli(cli, "clean", shards, "-o", tmp_path / "cli.jsonl", "--report", tmp_path / "cli-report.jsonl",
            "--group-field", "url")
    dupstrip.clean_files(shards, tmp_path / "py.jsonl", tmp_path / "py-report.jsonl", group_field="url")
    assert (tmp_path / "cli.jsonl").read_bytes() == (tmp_path / "py.jsonl").read_bytes()
    assert (tmp_path / "cli-report.jsonl").read_bytes() == (tmp_path / "py-report.jsonl").read_bytes()


def test_records_equal_cli(cli, corpus, tmp_path):
    """clean() over the records of a JSONL file: the kept records are the CLI's output records,
    the decisions its report's doc records, and report= writes its report byte for byte."""
    _, _, whole = corpus
    run_cli(cli, "clean", whole, "-o", tmp_path / "cli.jsonl", "--report", tmp_path / "cli-report.jsonl",
            "--group-field", "url", "--jobs", "3")
    records = read_jsonl(whole)
    results = list(dupstrip.clean(iter(records), group="url", keep_dropped=True, report=tmp_path / "py-report.jsonl",
                                  jobs=1))
    assert (tmp_path / "cli-report.jsonl").read_bytes() == (tmp_path / "py-report.jsonl").read_bytes()
    cli_docs = [r["data"] for r in read_jsonl(tmp_path / "cli-report.jsonl") if r["type"] == "doc"]
    assert [r.report for r in results] == cli_docs
    kept = [r.record for r in results if r.kept]
    assert kept == read_jsonl(tmp_path / "cli.jsonl")
    # Dropped records come with their decision and their text as given.
    dropped = [r for r in results if r.status == "dropped"]
    assert dropped and all(r.duplicate_of and r.similarity >= 0.75 for r in dropped)
    assert all(r.record == records[r.index] for r in dropped)
    # Removed ranges with reason and evidence, as the report has them.
    reasons = {span["reason"] for r in results for span in r.removed}
    assert {"boilerplate", "repeat"} <= reasons


def test_results_do_not_depend_on_jobs(corpus):
    _, _, whole = corpus
    records = read_jsonl(whole)
    one = [(r.record, r.report) for r in dupstrip.clean(records, group="url", keep_dropped=True, jobs=1)]
    four = [(r.record, r.report) for r in dupstrip.clean(records, group="url", keep_dropped=True, jobs=4)]
    assert one == four


def test_strings_equal_dicts(corpus):
    _, _, whole = corpus
    records = read_jsonl(whole)
    texts = [r["text"] for r in records]
    from_dicts = [r.text for r in dupstrip.clean([{"text": t} for t in texts])]
    from_strings = list(dupstrip.clean(texts))
    assert [r.record for r in from_strings] == from_dicts == [r.text for r in from_strings]
    assert all(isinstance(r.record, str) for r in from_strings)
    assert from_strings[0].name == "<records>:1"


def test_html_field_equals_cli(cli, tmp_path):
    page = ("<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a> <a href='/s'>Sports</a></nav>"
            "<article><h1>Title {n}</h1><p>{body}</p></article><footer>Copyright Example News</footer>"
            "</body></html>")
    records = [{"id": f"p{n}", "page": page.format(n=n, body=" ".join(f"word{n}x{k}" for k in range(60))),
                "site": "https://example.com/a"} for n in range(6)]
    with open(tmp_path / "in.jsonl", "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
    run_cli(cli, "clean", tmp_path / "in.jsonl", "-o", tmp_path / "cli.jsonl", "--html-field", "page",
            "--group-field", "site", "--report", tmp_path / "cli-report.jsonl")
    results = list(dupstrip.clean(records, html="page", group="site", report=tmp_path / "py-report.jsonl"))
    assert (tmp_path / "cli-report.jsonl").read_bytes() == (tmp_path / "py-report.jsonl").read_bytes()
    assert [r.record for r in results] == read_jsonl(tmp_path / "cli.jsonl")
    assert all(r.record["page"] == records[r.index]["page"] for r in results)

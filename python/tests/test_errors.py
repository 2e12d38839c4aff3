"""Bad options are ValueErrors naming the option; I/O errors are OSError subclasses with the
file name; a generator raising midway propagates its exception and leaves no temporary file."""

import os
import stat

import pytest

import dupstrip


@pytest.mark.parametrize("kwargs, match", [
    ({"shingle_size": 0}, "shingle size must be between 1 and 64.*shingle_size=0"),
    ({"threshold": 1.5}, "threshold"),
    ({"num_perm": 100000}, "permutations"),
    ({"bands": 4}, "bands and rows"),
    ({"keep": "oldest"}, "keep: expected one of 'longest', 'first'"),
    ({"utf8": "latin1"}, "utf8"),
    ({"jobs": -1}, "jobs: -1 is out of range"),
    ({"shingle_size": "2"}, "shingle_size: expected an integer"),
    ({"template_lines": 1}, "template_lines: expected True or False"),
    ({"max_size": 0}, "max size|document"),
])
def test_bad_options_raise_value_error(kwargs, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        dupstrip.clean(["x"], **kwargs)
    with pytest.raises(ValueError, match=match):
        dupstrip.scan(tmp_path, **kwargs)
    with pytest.raises(ValueError, match=match):
        dupstrip.Options(**kwargs).validate()


def test_unknown_option_is_a_type_error():
    with pytest.raises(TypeError, match="shingle_sise"):
        dupstrip.clean(["x"], shingle_sise=3)
    with pytest.raises(TypeError, match="options must be a dupstrip.Options"):
        dupstrip.clean(["x"], options={"threshold": 0.5})


def test_options_object_and_overrides():
    opts = dupstrip.Options(threshold=0.9, jobs=2)
    texts = ["one two three four five six seven eight nine ten"] * 2
    assert [r.status for r in dupstrip.clean(texts, options=opts, keep_dropped=True)] == ["kept", "dropped"]
    with pytest.raises(ValueError, match="threshold"):
        dupstrip.clean(texts, options=opts, threshold=2.0)


def test_bad_run_arguments(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("hello\n")
    with pytest.raises(ValueError, match="group_by"):
        dupstrip.scan(tmp_path / "in", group_by="site")
    with pytest.raises(ValueError, match="must not be INPUT or inside it"):
        dupstrip.clean_files(tmp_path / "in", tmp_path / "in" / "out")
    with pytest.raises(ValueError, match="--group-by field needs JSONL input"):
        dupstrip.scan(tmp_path / "in", group_by="field")
    with pytest.raises(ValueError, match="output"):
        dupstrip.clean_files(tmp_path / "in")


def test_missing_input_is_file_not_found(tmp_path):
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(FileNotFoundError) as e:
        dupstrip.scan(missing)
    assert e.value.filename == str(missing)
    with pytest.raises(FileNotFoundError) as e:
        dupstrip.scan(files_from=tmp_path / "list.txt")
    assert e.value.filename == str(tmp_path / "list.txt")


def test_output_not_a_folder(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("hello\n")
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError) as e:
        dupstrip.clean_files(tmp_path / "in", tmp_path / "file")
    assert e.value.filename == str(tmp_path / "file")
    with pytest.raises(OSError) as e:
        dupstrip.clean_files(tmp_path / "in", tmp_path / "out", tmp_path / "file" / "report.jsonl")
    assert e.value.filename == str(tmp_path / "file" / "report.jsonl")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_jsonl_is_permission_error(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text('{"text": "a"}\n')
    f.chmod(0)
    with pytest.raises(PermissionError) as e:
        dupstrip.scan(f)
    assert e.value.filename == str(f)


def test_unreadable_files_are_issues_of_the_summary(tmp_path):
    """Files the run cannot read are skipped and listed (the CLI's exit status 1), whoever runs it:
    a corrupt .gz file and a file made unreadable (for root: a FIFO, which the walk skips)."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.txt").write_text("some text here\n")
    (tmp_path / "in" / "bad.txt.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    os.mkfifo(tmp_path / "in" / "pipe.txt")
    summary = dupstrip.clean_files(tmp_path / "in", tmp_path / "out")
    where = {i["where"]: i["reason"] for i in summary["issues"]}
    assert any(w.endswith("bad.txt.gz") for w in where), where
    assert any(w.endswith("pipe.txt") for w in where), where
    assert summary["kept"] == 1 and summary["skipped"] == 1
    assert stat.S_ISREG(os.stat(tmp_path / "out" / "good.txt").st_mode)


def test_generator_raising_midway(tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    seen = []

    def records():
        for i in range(1000):
            if i == 700:
                assert os.listdir(temp) == []  # the spool is unlinked as soon as it is made
                raise RuntimeError("source broke at 700")
            seen.append(i)
            yield {"id": i, "text": f"document {i} " * 50}

    run = dupstrip.clean(records(), temp_dir=str(temp))
    with pytest.raises(RuntimeError, match="source broke at 700"):
        next(run)
    assert len(seen) == 700
    assert os.listdir(temp) == []
    with pytest.raises(StopIteration):
        next(run)


def test_missing_temp_dir_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        next(dupstrip.clean(["a"], temp_dir=str(tmp_path / "no-such-dir")))
    assert e.value.filename == str(tmp_path / "no-such-dir")

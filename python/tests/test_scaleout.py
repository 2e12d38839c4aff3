"""scan(fingerprints=)/merge()/apply(): the scale-out steps give clean's bytes, and say what is
wrong with a bad state or arguments."""

import pytest

import dupstrip


def test_steps_equal_clean(corpus, tmp_path):
    _, shards, _ = corpus
    parts = sorted(shards.iterdir())
    dupstrip.clean_files(shards, tmp_path / "ref.jsonl", tmp_path / "ref-report.jsonl", group_field="url",
                         threshold=0.7)
    fps = [dupstrip.scan(p, fingerprints=tmp_path / f"fp-{k}.dsfp", group_field="url", threshold=0.7)["fingerprints"]
           for k, p in enumerate(parts)]
    status = dupstrip.merge(fps, tmp_path / "s0.dsm")
    state, r = tmp_path / "s0.dsm", 0
    while not status["complete"]:
        r += 1
        content = [dupstrip.scan(parts[s["index"]], fingerprints=tmp_path / f"c{r}-{s['index']}.dsfp",
                                 state=state, group_field="url")["fingerprints"]
                   for s in status["shards"] if s["pending"]]
        status = dupstrip.merge(content, tmp_path / f"s{r}.dsm", state=state)
        state = tmp_path / f"s{r}.dsm"
    assert status["documents"] == 50 and [s["label"] for s in status["shards"]] == [str(p) for p in parts]
    summaries = [dupstrip.apply(p, tmp_path / f"out-{k}.jsonl", state=state, group_field="url")
                 for k, p in enumerate(parts)]
    assert sum(s["kept"] for s in summaries) == status["summary"]["kept"]
    out = b"".join((tmp_path / f"out-{k}.jsonl").read_bytes() for k in range(len(parts)))
    assert out == (tmp_path / "ref.jsonl").read_bytes()
    dupstrip.merge(state=state, report=tmp_path / "report.jsonl")
    assert (tmp_path / "report.jsonl").read_bytes() == (tmp_path / "ref-report.jsonl").read_bytes()


def test_scaleout_errors(corpus, tmp_path):
    _, shards, _ = corpus
    part = sorted(shards.iterdir())[0]
    (tmp_path / "junk.dsm").write_bytes(b"not a state")
    with pytest.raises(ValueError, match="junk.dsm"):
        dupstrip.apply(part, tmp_path / "out.jsonl", state=tmp_path / "junk.dsm")
    with pytest.raises(ValueError, match="junk.dsfp"):
        (tmp_path / "junk.dsfp").write_bytes(b"nope")
        dupstrip.merge([tmp_path / "junk.dsfp"], tmp_path / "s.dsm")
    with pytest.raises(ValueError, match="output"):
        dupstrip.merge([tmp_path / "junk.dsfp"])
    with pytest.raises(TypeError, match="threshold"):
        dupstrip.apply(part, tmp_path / "out.jsonl", state=tmp_path / "junk.dsm", threshold=0.5)
    with pytest.raises(FileNotFoundError):
        dupstrip.scan(tmp_path / "missing.jsonl", fingerprints=tmp_path / "fp.dsfp")
    for call in (lambda: dupstrip.merge(state=tmp_path / "missing.dsm"),
                 lambda: dupstrip.merge([tmp_path / "missing.dsfp"], tmp_path / "s.dsm"),
                 lambda: dupstrip.apply(part, tmp_path / "out.jsonl", state=tmp_path / "missing.dsm")):
        with pytest.raises(FileNotFoundError) as e:
            call()
        assert e.value.filename.startswith(str(tmp_path / "missing."))
    with pytest.raises(ValueError, match="not a dupstrip fingerprint or state file"):
        dupstrip.merge(state=tmp_path)  # a folder

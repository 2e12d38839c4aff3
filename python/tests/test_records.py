"""clean() on records: fields pass through, input order, strings vs dicts, keep_dropped, summary."""

import datetime
import decimal
import random

import pytest

import dupstrip

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "da", "fe", "gu", "ha", "jo", "pe"]


def article(n):
    """A distinct article per n (the engine masks digits: the words are letters only)."""
    rng = random.Random(n)
    words = ["".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(100)]
    paragraphs = [" ".join(words[25 * k:25 * k + 25]) for k in range(4)]
    return f"Headline {words[0].title()}\n" + "\n".join(paragraphs) + "\n"


FURNITURE = "Subscribe to our newsletter today\nCopyright Example Media Group, all rights reserved\n"


def corpus(n=8):
    recs = [{"id": f"a{i}", "text": article(i) + FURNITURE, "url": f"https://news.example/{i}",
             "when": datetime.date(2024, 1, 1 + i), "price": decimal.Decimal("1.5"), "tags": ["x", {"y": i}],
             "raw": bytes([i, 255])} for i in range(n)]
    recs.append(dict(recs[2], id="copy-of-a2", when=None))  # an exact duplicate, dropped
    return recs


def test_extra_fields_pass_through_unchanged():
    recs = corpus()
    # (flow_tokens=0: the furniture follows the articles' last paragraph, where the article flow
    # guard would keep it.)
    results = list(dupstrip.clean(recs, group="url", keep_dropped=True, flow_tokens=0))
    assert [r.index for r in results] == list(range(len(recs)))
    for r, given in zip(results, recs):
        assert list(r.record) == list(given)  # same keys, same order
        assert {k: v for k, v in r.record.items() if k != "text"} == {k: v for k, v in given.items() if k != "text"}
        assert r.record is not given
    # Furniture on every page of the site is boilerplate: stripped from the kept texts.
    kept = [r for r in results if r.kept]
    assert kept and all("Subscribe to our newsletter" not in r.text for r in kept)
    assert all(r.record["text"] == r.text for r in kept)
    assert all(any(s["reason"] == "boilerplate" and s["pages"] >= 3 for s in r.removed) for r in kept)


def test_dropped_are_skipped_by_default_and_yielded_on_request():
    recs = corpus()
    default = list(dupstrip.clean(recs))
    everything = list(dupstrip.clean(recs, keep_dropped=True))
    dropped = [r for r in everything if not r.kept]
    assert [r.name for r in dropped] == ["copy-of-a2"]
    assert dropped[0].duplicate_of == "a2" and dropped[0].similarity == 1.0
    assert dropped[0].record["text"] == recs[-1]["text"]  # as given
    assert [r.name for r in default] == [r.name for r in everything if r.kept]


def test_summary_after_the_last_result():
    run = dupstrip.clean(corpus())
    assert run.summary is None
    n = sum(1 for _ in run)
    assert run.summary["read"] == 9 and run.summary["kept"] == n == 8 and run.summary["dropped"] == 1


def test_close_ends_the_iteration():
    with dupstrip.clean(corpus()) as run:
        first = next(run)
        assert first.index == 0
    with pytest.raises(StopIteration):
        next(run)
    assert run.summary is None


def test_strings_in_strings_out():
    texts = [article(i) for i in range(5)] + [article(0)]
    results = list(dupstrip.clean(iter(texts), keep_dropped=True))
    assert [type(r.record) for r in results] == [str] * 6
    assert [r.status for r in results] == ["kept"] * 5 + ["dropped"]
    assert results[5].duplicate_of == "<records>:1"


def test_ids_that_are_not_strings_are_named_by_their_json():
    results = list(dupstrip.clean([{"id": 7, "text": "a b c"}, {"id": {"k": [1]}, "text": "d e f"}, {"text": "g"}]))
    assert [r.name for r in results] == ["7", '{"k":[1]}', "<records>:3"]


def test_unicode_and_lone_surrogates_round_trip():
    texts = ["Ünïcödé – 漢字テキスト 🙂\nline two\n", "bad \ud800 surrogate kept\n"]
    results = list(dupstrip.clean(texts))
    assert [r.text for r in results] == texts


def test_empty_input():
    run = dupstrip.clean([])
    assert list(run) == [] and run.summary["read"] == 0


def test_mixed_records_are_refused():
    with pytest.raises(TypeError, match="record 1"):
        list(dupstrip.clean([{"text": "a"}, "b"]))
    with pytest.raises(TypeError, match="record 0"):
        list(dupstrip.clean([3]))
    with pytest.raises(ValueError, match="record 1: no 'text' field"):
        list(dupstrip.clean([{"text": "a"}, {"body": "b"}]))
    with pytest.raises(ValueError, match="is not a string"):
        list(dupstrip.clean([{"text": b"bytes"}]))


def test_a_dataframe_is_refused_with_a_hint():
    pd = pytest.importorskip("pandas")
    with pytest.raises(TypeError, match="column names"):
        dupstrip.clean(pd.DataFrame({"text": ["a", "b"]}))
    with pytest.raises(TypeError, match="not one record"):
        dupstrip.clean({"text": "a"})


def test_progress_is_reported():
    calls = []
    list(dupstrip.clean(corpus(), progress=lambda *a: calls.append(a)))
    phases = {c[0] for c in calls}
    assert "scan" in phases
    assert all(isinstance(done, int) and isinstance(total, int) for _, done, total, _ in calls)


def test_progress_exception_propagates():
    def progress(*_):
        raise KeyError("from progress")
    with pytest.raises(KeyError, match="from progress"):
        list(dupstrip.clean(corpus(), progress=progress))

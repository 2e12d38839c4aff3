"""dupstrip: strip repeated blocks and boilerplate from scraped articles and drop near-duplicates.

The same engine as the ``dupstrip`` command, in the same process:

* :func:`clean` takes an iterable of dicts (or of strings) and yields a :class:`Result` per
  record, in input order: the record with its text cleaned, and the decision (kept, dropped or
  skipped, ``duplicate_of``, similarity, removed ranges with reason and evidence).
* :func:`clean_files` and :func:`scan` take paths, as ``dupstrip clean`` and ``dupstrip scan``
  do, and return the run's summary.
* :class:`Options` (or the same names as keyword arguments) holds the engine's options, named
  after the CLI's flags (``--shingle-size`` is ``shingle_size``).
* Scale-out (doc/scaleout.md): :func:`scan` with ``fingerprints=`` per shard, :func:`merge`
  once, :func:`apply` per shard: the steps an engine (Dask, Spark...) distributes.

Decisions are those of the CLI on the same corpus, byte for byte, whatever ``jobs``. The
engine runs without the GIL; records are spooled to an unlinked temporary file (under
``temp_dir``), never kept in Python memory.

Example::

    import dupstrip
    docs = [{"id": "a", "text": "..."}, {"id": "b", "text": "..."}]
    for r in dupstrip.clean(docs, threshold=0.8):
        print(r.name, r.status, len(r.text))
"""

from __future__ import annotations

import base64
import dataclasses
import errno
import json
import os
import pickle
from collections import deque
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Union

from . import _dupstrip

__all__ = ["Options", "Result", "CleanRun", "clean", "clean_files", "scan", "merge", "apply", "__version__"]

__version__: str = _dupstrip.__version__

ProgressCallback = Callable[[str, int, int, int], None]
"""progress(phase, docs_done, docs_total, bytes_done); phase is "index", "scan", "content",
"write"...; docs_total is 0 while a stream is being indexed."""

_U32 = (1 << 32) - 1
_U64 = (1 << 64) - 1


@dataclasses.dataclass
class Options:
    """The engine's options, named after the CLI's flags (doc/dupstrip.1.md explains each).

    Invalid values raise :class:`ValueError` naming the option, from :meth:`validate` and from
    every function taking options. ``jobs`` and ``temp_dir`` never change a result.
    """

    threshold: float = 0.75
    """Estimated Jaccard of content at or above which documents are duplicates (0..1)."""
    shingle_size: int = 2
    """Longest document shingle in tokens (words; characters for CJK), 1..64."""
    min_shingle_size: int = 1
    """Shortest document shingle; every size in between is used."""
    num_perm: int = 128
    """MinHash signature length, 1..4096."""
    bands: int = 0
    """LSH bands (0 with rows 0: chosen from the threshold)."""
    rows: int = 0
    """LSH rows per band."""
    seed: int = 0x64757073747269
    """Master seed of the hash functions."""
    keep: str = "longest"
    """Copy kept per duplicate cluster: "longest" (most content; ties by name) or "first" (by name)."""
    min_boilerplate_pages: int = 3
    """A line on this many pages of a group is boilerplate."""
    boilerplate_fraction: float = 0.05
    """... and on at least this fraction of the group's pages."""
    block_similarity: float = 0.7
    """Near-identical template lines: estimated Jaccard of 3-shingles."""
    flow_tokens: int = 10
    """Article flow guard (0: off)."""
    corpus_sites: int = 5
    """A line on this many sites (groups) is boilerplate outside an article flow (0: off)."""
    template_lines: bool = True
    """Template lines ("Read more: <title>") are boilerplate."""
    min_repeat_tokens: int = 40
    """A run repeated inside a document must hold this many tokens."""
    line_repeat_run: int = 2
    """Remove the later copy of a run of this many short lines printed twice (0: off)."""
    max_strip_fraction: float = 0.85
    """Above this share of a document's text, keep only the surest removals."""
    utf8: str = "replace"
    """Invalid UTF-8: "replace" (count U+FFFD), "strict" (skip the document) or "bytes"."""
    max_size: int = 256 << 20
    """Skip documents larger than this many bytes."""
    jobs: int = 0
    """Worker threads (0: all cores); results never depend on it."""
    temp_dir: str = ""
    """Folder of the run's temporary files (empty: $TMPDIR, else /tmp)."""

    _CHOICES = {"keep": ("longest", "first"), "utf8": ("replace", "strict", "bytes")}

    def validate(self) -> "Options":
        """Checks every option; raises ValueError naming the first invalid one. Returns self."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            default = f.default
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{f.name}: expected True or False, got {value!r}")
            elif isinstance(default, int):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{f.name}: expected an integer, got {value!r}")
                limit = _U64 if f.name in ("seed", "max_size") else _U32
                if not 0 <= value <= limit:
                    raise ValueError(f"{f.name}: {value} is out of range (0..{limit})")
            elif isinstance(default, float):
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ValueError(f"{f.name}: expected a number, got {value!r}")
            elif f.name in self._CHOICES:
                if value not in self._CHOICES[f.name]:
                    choices = ", ".join(repr(c) for c in self._CHOICES[f.name])
                    raise ValueError(f"{f.name}: expected one of {choices}, got {value!r}")
            elif not isinstance(value, str):
                raise ValueError(f"{f.name}: expected a string, got {value!r}")
        try:
            _dupstrip.check_options(self._engine())
        except ValueError as e:
            raise ValueError(f"{e} ({self._changed()})") from None
        return self

    def _engine(self) -> Dict[str, Any]:
        d = dataclasses.asdict(self)
        for k in ("threshold", "boilerplate_fraction", "block_similarity", "max_strip_fraction"):
            d[k] = float(d[k])
        d["temp_dir"] = str(d["temp_dir"])
        return d

    def _changed(self) -> str:
        changed = [f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self)
                   if getattr(self, f.name) != f.default]
        return "options given: " + (", ".join(changed) if changed else "none")


_OPTION_NAMES = frozenset(f.name for f in dataclasses.fields(Options))


def _options(options: Optional[Options], kwargs: Mapping[str, Any], function: str) -> Options:
    unknown = sorted(set(kwargs) - _OPTION_NAMES)
    if unknown:
        raise TypeError(f"{function}() got unknown option(s): {', '.join(unknown)} "
                        f"(see help(dupstrip.Options))")
    if options is not None and not isinstance(options, Options):
        raise TypeError(f"{function}(): options must be a dupstrip.Options, got {type(options).__name__}")
    base = dataclasses.asdict(options) if options is not None else {}
    base.update(kwargs)
    if "temp_dir" in base:  # a path-like, or None for the default
        base["temp_dir"] = _path(base["temp_dir"], "temp_dir") or ""
    return Options(**base).validate()


def _path(value: Any, name: str) -> Optional[str]:
    if value is None:
        return None
    try:
        p = os.fspath(value)
    except TypeError:
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {type(value).__name__}") from None
    if isinstance(p, bytes):
        p = os.fsdecode(p)
    return p


def _existing(path: Optional[str]) -> Optional[str]:
    """A file the library reads whole (a state, fingerprints): a missing one is FileNotFoundError
    here, where the library would report an unusable file."""
    if path is not None and not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
    return path


def _name_of(value: Mapping[str, str]) -> str:
    if "text" in value:
        return value["text"]
    return base64.b64decode(value["bytes"]).decode("utf-8", "surrogateescape")


class Result:
    """One record's outcome, as :func:`clean` yields it.

    Attributes:
        record: the record: a dict with its text field replaced by the cleaned text (dropped
            and skipped records keep their text), or the cleaned string for string input.
        report: the record's ``doc`` record of the JSON Lines report (doc/json.md), as the CLI
            writes it: ``path``, ``group``, ``index``, ``status``, ``bytes``, ``kept_bytes``,
            ``cluster``, ``duplicate_of``, ``similarity``, ``removed``...
    """

    __slots__ = ("record", "_text", "_index", "_status", "_report_json", "_report")

    def __init__(self, record: Union[Dict[str, Any], str], text: str, index: int, status: str,
                 report_json: str) -> None:
        self.record = record
        self._text = text
        self._index = index
        self._status = status
        self._report_json = report_json
        self._report: Optional[Dict[str, Any]] = None

    @property
    def report(self) -> Dict[str, Any]:
        """The record's ``doc`` record of the report (parsed on first use)."""
        if self._report is None:
            self._report = json.loads(self._report_json)["data"]
        return self._report

    @property
    def text(self) -> str:
        """The cleaned text (kept), or the text as given (dropped, skipped)."""
        return self._text

    @property
    def index(self) -> int:
        """Position of the record in the input (0-based)."""
        return self._index

    @property
    def name(self) -> str:
        """The record's name in the report: its id, or "<records>:LINE" (LINE = index + 1)."""
        return _name_of(self.report["path"])

    @property
    def status(self) -> str:
        """"kept", "dropped" (a near-duplicate of a kept record) or "skipped" (see error)."""
        return self._status

    @property
    def kept(self) -> bool:
        return self._status == "kept"

    @property
    def duplicate_of(self) -> Optional[str]:
        """Dropped records: the name of the kept copy."""
        d = self.report.get("duplicate_of")
        return None if d is None else _name_of(d)

    @property
    def similarity(self) -> Optional[float]:
        """Dropped records: the estimated Jaccard similarity with the kept copy."""
        return self.report.get("similarity")

    @property
    def removed(self) -> List[Dict[str, Any]]:
        """Removed byte ranges of the text's UTF-8 (begin, end, reason and its evidence:
        pages/group_pages, sites/run_sites, first_copy_at...), as in the report."""
        return self.report.get("removed", [])

    @property
    def error(self) -> Optional[str]:
        """Skipped records: why."""
        return self.report.get("reason")

    def __repr__(self) -> str:
        extra = ""
        if self.status == "dropped":
            extra = f", duplicate_of={self.duplicate_of!r}, similarity={self.similarity}"
        elif self.status == "kept":
            extra = f", removed={len(self.removed)}"
        return f"Result(name={self.name!r}, status={self.status!r}{extra})"


class CleanRun(Iterator[Result]):
    """The iterator :func:`clean` returns. The records are read, spooled and analysed on the first
    ``next()``; results follow in input order. After the last one, :attr:`summary` holds the run's
    totals. ``close()`` (or leaving a ``with`` block) frees the engine's state and temporary files
    early."""

    _BATCH = 1024

    def __init__(self, records: Iterable[Any], text: str, id: Optional[str], group: Optional[str],
                 html: Union[None, bool, str], keep_dropped: bool, report: Optional[str],
                 progress: Optional[ProgressCallback], options: Options) -> None:
        self._records = records
        self._text_field = text
        self._id_field = id
        self._group_field = group
        self._html = html
        self._keep_dropped = keep_dropped
        self._report = report
        self._progress = progress
        self._options = options
        self._run: Optional[_dupstrip.RecordsRun] = None
        self._buffer: deque = deque()
        self._strings: Optional[bool] = None
        self._done = False
        self.summary: Optional[Dict[str, Any]] = None
        """The run's totals (the report's summary record), once every result was taken."""

    def __iter__(self) -> "CleanRun":
        return self

    def __enter__(self) -> "CleanRun":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Frees the engine's state and the temporary files."""
        if self._run is not None:
            self._run.close()
            self._run = None
        self._buffer.clear()
        self._done = True

    def __next__(self) -> Result:
        if not self._buffer:
            if self._done:
                raise StopIteration
            if self._run is None:
                self._start()
            assert self._run is not None
            batch = self._run.next_batch(self._BATCH, self._keep_dropped)
            if not batch:
                summary = self._run.summary()
                self.close()
                self.summary = summary
                raise StopIteration
            self._buffer.extend(batch)
        return self._result(*self._buffer.popleft())

    def _start(self) -> None:
        html_field = self._html if isinstance(self._html, str) else None
        run = _dupstrip.RecordsRun(self._options._engine(), self._group_field is not None,
                                   bool(self._html), self._progress)
        try:
            self._spool(run, html_field)
            run.analyse()
            if self._report is not None:
                run.write_report(self._report)
        except BaseException:
            run.close()
            self._done = True
            raise
        finally:
            self._records = None  # the iterable is not needed any more
        self._run = run

    def _spool(self, run: "_dupstrip.RecordsRun", html_field: Optional[str]) -> None:
        text_field, id_field, group_field = self._text_field, self._id_field, self._group_field
        source_field = html_field if html_field is not None else text_field
        dumps = json.dumps
        add = run.add
        strings: Optional[bool] = None
        for n, rec in enumerate(self._records):
            if isinstance(rec, str):
                if strings is False:
                    raise TypeError(f"record {n}: a string among dicts")
                strings = True
                add(rec, None, None, None)
                continue
            if not isinstance(rec, Mapping):
                raise TypeError(f"record {n}: expected a dict or a str, got {type(rec).__name__}")
            if strings:
                raise TypeError(f"record {n}: a dict among strings")
            strings = False
            try:
                text = rec[source_field]
            except KeyError:
                raise ValueError(f"record {n}: no {source_field!r} field") from None
            if not isinstance(text, str):
                raise ValueError(f"record {n}: {source_field!r} is not a string ({type(text).__name__})")
            ident = rec.get(id_field) if id_field is not None else None
            id_json = None if ident is None else dumps(ident, separators=(",", ":"))
            grp = rec.get(group_field) if group_field is not None else None
            group_json = None if grp is None else dumps(grp, separators=(",", ":"))
            rest = dict(rec)
            rest[source_field] = None
            add(text, id_json, group_json, pickle.dumps(rest, protocol=pickle.HIGHEST_PROTOCOL))
        self._strings = bool(strings)

    def _result(self, index: int, status: str, cleaned: Optional[str], original: Optional[str],
                report: str, extra: Optional[bytes]) -> Result:
        text = cleaned if cleaned is not None else original
        assert text is not None
        if extra is None:
            return Result(text, text, index, status, report)
        rec = pickle.loads(extra)
        if isinstance(self._html, str):
            rec[self._html] = original
            if cleaned is not None:
                rec[self._text_field] = cleaned
        else:
            rec[self._text_field] = text
        return Result(rec, text, index, status, report)


def clean(records: Iterable[Union[Mapping[str, Any], str]], *, text: str = "text", id: Optional[str] = "id",
          group: Optional[str] = None, html: Union[None, bool, str] = None, keep_dropped: bool = False,
          report: Optional[str] = None, progress: Optional[ProgressCallback] = None,
          options: Optional[Options] = None, **kwargs: Any) -> CleanRun:
    """Cleans records: strips repeated blocks and boilerplate, drops near-duplicates.

    Args:
        records: an iterable of dicts (each with a string ``text`` field) or of strings, read
            once (a generator is fine). It is spooled to a temporary file under ``temp_dir``,
            as the CLI does with standard input, so that the engine can make its passes; the
            other fields of a dict are pickled there, so they must be picklable, and come back
            as equal copies.
        text: the field holding the text; with ``html``, the field the cleaned text goes to.
        id: the field naming a record in results and reports (a string's text, any other value
            as its JSON); records without one are named "<records>:N" (N = index + 1). None:
            no names.
        group: the field grouping records for boilerplate (a site); a URL value groups by host.
            None: one group (the CLI's ``--group-by none``).
        html: a field holding a web page (its cleaned text goes to ``text``, the page stays), or
            True: the ``text`` field (or the strings) are web pages.
        keep_dropped: also yield dropped (near-duplicate) and skipped records, with their
            decision and their text as given.
        report: also write the run's JSON Lines report (the CLI's ``--report``) to this path.
        progress: called as ``progress(phase, docs_done, docs_total, bytes_done)`` from the
            engine's threads, at most about ten times a second.
        options: a :class:`Options`; keyword arguments of the same names override it.

    Returns:
        A :class:`CleanRun` iterator of :class:`Result`, in input order. The work starts on the
        first ``next()``; :attr:`CleanRun.summary` holds the totals at the end.

    Raises:
        ValueError: an invalid option or record (no text field); TypeError: an unknown option or
        a record that is neither a dict nor a str; OSError: the temporary files cannot be
        written. An exception raised by ``records`` propagates as it is. No temporary file is
        left behind in any case.
    """
    opts = _options(options, kwargs, "clean")
    if not isinstance(text, str) or not text:
        raise ValueError("text: expected a field name")
    if id is not None and not isinstance(id, str):
        raise ValueError("id: expected a field name or None")
    if group is not None and not isinstance(group, str):
        raise ValueError("group: expected a field name or None")
    if html is not None and not isinstance(html, (bool, str)):
        raise ValueError("html: expected a field name, True, or None")
    if isinstance(records, (str, bytes, Mapping)):
        raise TypeError("records: expected an iterable of records (a list, a generator...), not one record")
    if hasattr(records, "columns") and hasattr(records, "itertuples"):
        # Iterating a DataFrame gives its column names, not its rows.
        raise TypeError("records: a DataFrame iterates over its column names: give its rows, e.g. "
                        "df.to_dict('records') or examples/python/pandas_dataframe.py's generator")
    return CleanRun(records, text, id, group, html or None, bool(keep_dropped), _path(report, "report"), progress,
                    opts)


_RUN_FIELDS = ("group_by", "text_field", "id_field", "group_field", "html_field", "input_format")


def _spec(function: str, input: Any, output: Any, report: Any, files_from: Any, root: Any,
          options: Optional[Options], kwargs: Dict[str, Any], flags: Dict[str, bool]):
    spec: Dict[str, Any] = {}
    for key in _RUN_FIELDS:
        if key in kwargs:
            value = kwargs.pop(key)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{key}: expected a string, got {value!r}")
            spec[key] = value
    if spec.get("group_by") not in (None, "folder", "field", "none"):
        raise ValueError(f"group_by: expected 'folder', 'field' or 'none', got {spec['group_by']!r}")
    if spec.get("input_format") not in (None, "text", "html", "auto"):
        raise ValueError(f"input_format: expected 'text', 'html' or 'auto', got {spec['input_format']!r}")
    opts = _options(options, kwargs, function)
    spec["input"] = _path(input, "input")
    spec["output"] = _path(output, "output")
    spec["report"] = _path(report, "report")
    spec["files_from"] = _path(files_from, "files_from")
    spec["root"] = _path(root, "root")
    spec.update({k: bool(v) for k, v in flags.items()})
    return spec, opts._engine()


def clean_files(input: Any = None, output: Any = None, report: Any = None, *, files_from: Any = None,
                root: Any = None, annotate: bool = False, strict: bool = False, force: bool = False,
                progress: Optional[ProgressCallback] = None, options: Optional[Options] = None,
                **kwargs: Any) -> Dict[str, Any]:
    """``dupstrip clean INPUT -o OUTPUT [--report REPORT]`` without a subprocess.

    Args:
        input: a folder of documents (walked recursively; text files and web pages), a JSONL
            file (.jsonl, .ndjson, optionally .gz/.zst), or a folder of JSONL shards.
        output: a folder (mirrors INPUT; must not be inside it) or a .jsonl/.ndjson file.
        report: write the JSON Lines report of every decision here.
        files_from: a file listing the input paths (instead of ``input``); ``root``: they are
            relative to this folder.
        annotate, strict, force: the CLI's ``--annotate``, ``--strict``, ``--force``.
        group_by, text_field, id_field, group_field, html_field, input_format: the CLI's
            options of the same names (keyword arguments).
        progress: see :func:`clean`. options / other keyword arguments: see :class:`Options`.

    Returns:
        The run summary: the report's ``summary`` record (read, kept, dropped, skipped,
        clusters, bytes_in, bytes_out, ..., elapsed_seconds), plus ``issues`` (inputs skipped
        with an error: where, reason, errno; the CLI's exit status 1) and ``warnings``.

    Raises:
        ValueError: invalid options or paths that clash (OUTPUT inside INPUT...);
        OSError (FileNotFoundError, PermissionError...) with ``filename``: INPUT cannot be read
        or OUTPUT cannot be written.
    """
    if output is None:
        raise ValueError("output: clean_files() needs an output folder or JSONL file (scan() writes none)")
    spec, opts = _spec("clean_files", input, output, report, files_from, root, options, kwargs,
                       {"annotate": annotate, "strict": strict, "force": force})
    return _dupstrip.run_paths(spec, opts, progress)


def scan(input: Any = None, report: Any = None, *, fingerprints: Any = None, state: Any = None,
         files_from: Any = None, root: Any = None, strict: bool = False,
         progress: Optional[ProgressCallback] = None, options: Optional[Options] = None,
         **kwargs: Any) -> Dict[str, Any]:
    """``dupstrip scan INPUT [--report REPORT]``: the analysis of :func:`clean_files`, writing
    only the report (when given). Arguments, return value and errors as :func:`clean_files`.

    Scale-out (doc/scaleout.md): with ``fingerprints=F``, INPUT is one shard (a JSONL file, or
    ``files_from`` with ``root``) and its fingerprints are written to F for :func:`merge`
    (round 0: give the algorithm options here); with ``state=S`` too, the content round of the
    shard that merge state S asks for. Returns ``{"fingerprints", "issues", "warnings"}`` then.
    """
    if fingerprints is None:
        if state is not None:
            raise ValueError("state: goes with fingerprints= (a content round of a shard)")
        spec, opts = _spec("scan", input, None, report, files_from, root, options, kwargs, {"strict": strict})
        return _dupstrip.run_paths(spec, opts, progress)
    if report is not None:
        raise ValueError("report: a shard's scan writes fingerprints; the report comes from merge() or apply()")
    spec, opts = _spec("scan", input, None, None, files_from, root, options, kwargs, {"strict": strict})
    return _dupstrip.scan_shard(spec, opts, _path(fingerprints, "fingerprints"),
                                _existing(_path(state, "state")) or "", progress)


def merge(fingerprints: Iterable[Any] = (), output: Any = None, *, state: Any = None, report: Any = None,
          jobs: int = 0, temp_dir: Any = "") -> Dict[str, Any]:
    """``dupstrip merge``: merges shard fingerprints into a state (near-duplicate clusters,
    boilerplate, decisions), once per round of a scale-out run (doc/scaleout.md).

    Args:
        fingerprints: round 0: the files of ``scan(shard, fingerprints=...)``, in corpus order;
            a content round: the files of ``scan(shard, fingerprints=..., state=state)``.
        output: the state to write (``.dsm``); needed with fingerprints.
        state: the previous round's state (a content round), or, without fingerprints, a
            complete state to write the report of.
        report: when the run is complete, write the JSON Lines report of the whole run (the
            report of ``clean`` on the whole corpus).

    Returns:
        The status as ``dupstrip merge --json`` prints it: ``round``, ``complete``,
        ``documents``, ``shards`` (``index``, ``label``, ``documents``, ``pending``: scan those
        with ``pending`` > 0 again with ``state=output`` while not complete) and ``notes``;
        plus ``summary`` (the run's totals) when complete.

    Raises:
        ValueError: an unusable fingerprint or state file; OSError: a file cannot be written.
    """
    files = [_existing(_path(f, "fingerprints")) for f in fingerprints]
    if files and output is None:
        raise ValueError("output: merge() writes its state to output (a .dsm file)")
    if not files and state is None:
        raise ValueError("merge() needs fingerprint files, or state= of a complete run")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 0 <= jobs < (1 << 32):
        raise ValueError(f"jobs: expected a count of threads, got {jobs!r}")
    return _dupstrip.merge(files, _existing(_path(state, "state")) or "", _path(output, "output") or "",
                           _path(report, "report") or "", jobs, _path(temp_dir, "temp_dir") or "")


def apply(input: Any = None, output: Any = None, *, state: Any, report: Any = None, files_from: Any = None,
          root: Any = None, annotate: bool = False, strict: bool = False,
          progress: Optional[ProgressCallback] = None, jobs: int = 0, temp_dir: Any = "",
          **kwargs: Any) -> Dict[str, Any]:
    """``dupstrip apply --state S SHARD -o OUTPUT``: writes one shard's cleaned documents as a
    complete merge state decided (doc/scaleout.md). Shards may share an output folder.

    ``report`` gets the shard's ``doc`` records; the input keywords (group_by, text_field,
    id_field, group_field, html_field, input_format) must be those of the shard's scan; the
    algorithm options are the state's. Returns the shard's summary (as :func:`clean_files`).
    """
    if output is None:
        raise ValueError("output: apply() needs an output folder or JSONL file")
    algorithm = sorted(set(kwargs) - set(_RUN_FIELDS))
    if algorithm:
        raise TypeError(f"apply() got {', '.join(algorithm)}: the algorithm options are the state's "
                        f"(give them to the round-0 scan)")
    kwargs = dict(kwargs, jobs=jobs, temp_dir=_path(temp_dir, "temp_dir") or "")
    spec, opts = _spec("apply", input, output, report, files_from, root, None, kwargs,
                       {"annotate": annotate, "strict": strict})
    return _dupstrip.apply_shard(spec, opts, _existing(_path(state, "state")), progress)

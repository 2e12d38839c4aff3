"""The package's surface: Options' defaults are the engine's, docstrings and stubs exist."""

import dataclasses
import pathlib
import pydoc

import dupstrip
from dupstrip import _dupstrip


def test_options_defaults_are_the_engines():
    ours = {f.name: f.default for f in dataclasses.fields(dupstrip.Options)}
    assert ours == _dupstrip.default_options()


def test_help_is_useful():
    text = pydoc.render_doc(dupstrip.clean, renderer=pydoc.plaintext)
    for words in ("records", "keep_dropped", "Returns", "Raises", "OSError", "temp_dir"):
        assert words in text
    for f in (dupstrip.clean_files, dupstrip.scan, dupstrip.Options, dupstrip.Result):
        assert f.__doc__ and len(f.__doc__) > 80


def test_typed_package():
    """py.typed is there, and the stub of the compiled module names everything it has."""
    pkg = pathlib.Path(dupstrip.__file__).resolve().parent
    assert (pkg / "py.typed").exists()
    stub = (pkg / "_dupstrip.pyi").read_text()
    names = [n for n in dir(_dupstrip) if not n.startswith("_")]
    names += [n for n in dir(_dupstrip.RecordsRun) if not n.startswith("_")]
    assert "RecordsRun" in names and "next_batch" in names
    missing = [n for n in names if n not in stub]
    assert not missing, f"_dupstrip.pyi lacks {missing}"


def test_version():
    assert dupstrip.__version__.count(".") == 2

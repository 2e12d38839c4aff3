"""Type stubs of dupstrip._dupstrip, the compiled engine under the dupstrip package (python/src/_dupstrip.cpp).
Use the package (dupstrip.clean, clean_files, scan, Options), not this module."""

from typing import Any, Callable, Dict, List, Optional, Tuple

__version__: str
git_revision: str

ProgressCallback = Optional[Callable[[str, int, int, int], None]]

def default_options() -> Dict[str, Any]:
    """The engine's default options, under dupstrip.Options' names."""

def check_options(options: Dict[str, Any]) -> None:
    """Raises ValueError when the options (dupstrip.Options' names) are invalid."""

def run_paths(spec: Dict[str, Any], options: Dict[str, Any], progress: ProgressCallback) -> Dict[str, Any]:
    """clean_files() and scan(): a run from paths (run.hpp); returns the summary. Raises ValueError or OSError."""

class RecordsRun:
    """One clean() of an iterable: records spooled to an unlinked temporary file, then analysed."""

    documents: int

    def __init__(self, options: Dict[str, Any], has_groups: bool, html: bool, progress: ProgressCallback) -> None: ...
    def add(self, text: str, id_json: Optional[str], group_json: Optional[str], extra: Optional[bytes]) -> None:
        """One record: its text, id and group as JSON texts (or None), the rest of it pickled (or None)."""
    def analyse(self) -> int:
        """Runs the engine over the spooled records (GIL released); returns the number of records."""
    def next_batch(
        self, n: int, with_dropped: bool
    ) -> List[Tuple[int, str, Optional[str], Optional[str], str, Optional[bytes]]]:
        """Up to n results: (index, status, cleaned text, original text, report doc record, extra)."""
    def summary(self) -> Dict[str, Any]: ...
    def write_report(self, path: str) -> None: ...
    def close(self) -> None: ...

def scan_shard(spec: Dict[str, Any], options: Dict[str, Any], fingerprints: str, state: str,
               progress: ProgressCallback) -> Dict[str, Any]:
    """scan(fingerprints=...): pass 1 of a shard, or with state a content round."""

def merge(inputs: List[str], state: str, output: str, report: str, jobs: int, temp_dir: str) -> Dict[str, Any]:
    """merge(): fingerprint files into a state; the whole run's report when complete."""

def apply_shard(spec: Dict[str, Any], options: Dict[str, Any], state: str, progress: ProgressCallback) -> Dict[str, Any]:
    """apply(): a shard's kept documents as a complete state decided."""

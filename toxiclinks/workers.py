"""Worker processes started ahead of the work, so that their imports overlap this process's own.

A worker process spends about 1.3 s importing pandas, pyarrow and
scikit-learn before it can take a batch. The ``toxiclinks`` command starts a
large triage's workers before it imports them itself (this module imports
neither), which took a million-row triage from 12.8 to 12.2 s on 2 cores
(5.7 to 5.0 s at 100,000 rows; interleaved runs, the same scores).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from toxiclinks.settings import DEFAULT_CHUNK_ROWS, Settings

#: bytes a row of an export takes at most in practice: a larger file surely holds more rows than that
_MAX_ROW_BYTES = 300


def holds_more_than(export_path: str | Path, rows: int) -> bool:
    """Whether the file surely holds more than ``rows`` rows (at 300 bytes a row, more than any tool writes)."""
    try:
        return Path(export_path).stat().st_size > rows * _MAX_ROW_BYTES
    except OSError:  # the reader says what is wrong with the path
        return False


def start_workers(jobs: int, module: str) -> None:
    """Start joblib's reusable worker processes (``-1``: one a core) and have each import ``module``, without
    waiting for them. Harmless to call again: the pool is the same, the import already done."""
    from joblib import effective_n_jobs
    from joblib.executor import get_memmapping_executor

    count = effective_n_jobs(jobs)
    executor = get_memmapping_executor(count)
    for _ in range(count):
        executor.submit(_import, module)


def start_for_large_triage(arguments: Sequence[str]) -> bool:
    """Start the worker processes now if the command line is a triage (``scan ... --no-fetch``) of an export
    of more than one batch; return whether it did.

    Read before click parses the command line: the command is the first
    argument, the export any argument naming a file that large. Nothing else
    starts anything here (the triage starts its workers itself when it needs
    them): a small export is scored in this process alone.
    """
    if not arguments or arguments[0] != "scan" or "--no-fetch" not in arguments:
        return False
    if not any(holds_more_than(argument, DEFAULT_CHUNK_ROWS) for argument in arguments[1:]):
        return False
    start_workers(Settings.jobs, "toxiclinks.pipeline")  # scan has no --jobs: the default
    return True


def _import(module: str) -> None:
    importlib.import_module(module)

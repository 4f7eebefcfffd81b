"""The worker processes: one pool for every parallel step, started ahead of the work when it pays.

Every parallel step (describing pages, topic similarity, triage batches)
takes its processes from ``worker_pool``, so they are started (and import
toxiclinks) once per run, and ``in_order_in_workers`` makes calls there,
results in order.

A worker process spends 1.4-2.0 s importing pandas, pyarrow and
scikit-learn before it can take a page. A triage's workers import less
(``TRIAGE_WORKER_MODULE``: no scikit-learn, 0.7-0.9 s), and the
``toxiclinks`` command starts them before it imports anything itself (this
module imports neither), which took a million-row triage from 12.8 to 12.2 s
on 2 cores (5.7 to 5.0 s at 100,000 rows; interleaved runs, the same scores).
"""

from __future__ import annotations

import collections
import ctypes
import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from toxiclinks.settings import DEFAULT_CHUNK_ROWS, Settings

#: the module whose ``triage_batch`` a triage's workers run: it imports no scikit-learn
TRIAGE_WORKER_MODULE = "toxiclinks.triage"
#: bytes a row of an export takes at most in practice: a larger file surely holds more rows than that
_MAX_ROW_BYTES = 300


def holds_more_than(export_path: str | Path, rows: int) -> bool:
    """Whether the file surely holds more than ``rows`` rows (at 300 bytes a row, more than any tool writes)."""
    try:
        return Path(export_path).stat().st_size > rows * _MAX_ROW_BYTES
    except OSError:  # the reader says what is wrong with the path
        return False


def worker_pool(jobs: int) -> Any:
    """joblib's reusable pool of ``jobs`` worker processes, the one every parallel step of a scan uses.

    Asked for with the same options everywhere, it stays the same processes:
    a ``Parallel`` call asks with others, and its pool replaces the processes
    (which then import everything again), and back again at the next step:
    1.5 s lost each time, in every chunk of a chunked scan. Arguments are
    pickled through the pipe, none memory-mapped: the file of a memory-mapped
    argument (the topic's IDF, 32 MB) outlived the pool, with a warning at exit.
    """
    from joblib.executor import get_memmapping_executor  # imported here: this module is imported before joblib

    return get_memmapping_executor(jobs, max_nbytes=None)


def start_workers(jobs: int, module: str) -> None:
    """Start joblib's reusable worker processes (``-1``: one a core) and have each import ``module``, without
    waiting for them. Harmless to call again: the pool is the same, the import already done."""
    from joblib import effective_n_jobs

    count = effective_n_jobs(jobs)
    executor = worker_pool(count)
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
    set_triage_environment()
    start_workers(Settings.jobs, TRIAGE_WORKER_MODULE)  # scan has no --jobs: the default
    return True


def set_triage_environment() -> None:
    """Set up this process and the worker processes started later for a triage's batches.

    The allocators keep freed memory for the next batch: a triage's batches
    allocate and free the same hundred megabytes over and over; glibc and
    mimalloc (pyarrow's) handed them back to the system each time, and the
    next batch faulted them in again, zeroed by the kernel. Kept (glibc's mmap
    threshold at 32 MB, its heap trimmed past 256 MB, mimalloc never purging):
    a million-row triage 5.53 -> 5.09 s, 9.9 -> 9.2 s of CPU, 350,000 ->
    168,000 page faults (mean of 3, interleaved), for 80 MB more at its peak
    (1.03 -> 1.11 GB, all processes). OpenBLAS gets one thread: a triage
    multiplies no matrices, and its idle threads spun (5.06 -> 4.90 s, 9.1 ->
    8.8 s of CPU, mean of 4). A variable the user has set is left as it is.
    """
    set_allocator_environment(TRIAGE_ENVIRONMENT)


def set_allocator_environment(variables: Mapping[str, str]) -> None:
    """Set ``variables`` for the worker processes started later (glibc reads its own as a process starts,
    mimalloc as pyarrow first allocates), a variable the user has set left as it is; and tell this process's
    glibc the malloc thresholds among them, which it read when it started."""
    for name, value in variables.items():
        os.environ.setdefault(name, value)
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        for name, option in _MALLOPT_OPTIONS.items():
            if name in variables:
                libc.mallopt(option, int(os.environ[name]))
    except (OSError, AttributeError, ValueError):  # no glibc mallopt here, or a value that is no number
        pass


#: the environment ``set_triage_environment`` gives a triage's processes
TRIAGE_ENVIRONMENT = {
    "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(256 << 20),
    "MIMALLOC_PURGE_DELAY": "-1",
    "OPENBLAS_NUM_THREADS": "1",
}
#: the malloc variables glibc also takes through ``mallopt``, and their options there (glibc's malloc.h)
_MALLOPT_OPTIONS = {"MALLOC_TRIM_THRESHOLD_": -1, "MALLOC_MMAP_THRESHOLD_": -3}


def in_order_in_workers(calls: Iterable[tuple[Callable[..., Any], tuple[Any, ...]]], jobs: int) -> Iterator[Any]:
    """The results of ``(function, arguments)`` calls made in ``jobs`` worker processes, in the calls' order.

    The next call is taken from ``calls`` (and sent) only when a result has
    been taken, so at most ``jobs + 1`` calls are under way and no result waits
    long: joblib's ``Parallel`` sends the next call whenever a worker is done,
    and its results pile up in memory when the consumer is the slower side.
    """
    executor = worker_pool(jobs)
    under_way: collections.deque[Future[Any]] = collections.deque()
    try:
        for function, arguments in calls:
            under_way.append(executor.submit(function, *arguments))
            if len(under_way) > jobs:
                yield under_way.popleft().result()
        while under_way:
            yield under_way.popleft().result()
    finally:
        for future in under_way:  # the consumer stopped early, or a call failed
            future.cancel()


def _import(module: str) -> None:
    importlib.import_module(module)
    gc.freeze()  # see launch.main

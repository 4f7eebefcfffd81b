"""The worker processes: one pool for every parallel step, started ahead of the work when it pays.

Every parallel step (describing pages, topic similarity, triage batches)
takes its processes from ``worker_pool``, so they are started (and import
toxiclinks) once per run, and ``in_order_in_workers`` makes calls there,
results in order.

A worker process spends 1.4-2.0 s importing pandas, pyarrow and
scikit-learn before it can take a page. A triage's workers need less
(``TRIAGE_WORKER_MODULE``: no scikit-learn, 0.5 s), and on Linux the
``toxiclinks`` command forks them from itself once it has imported that
module (``start_for_large_triage``), so they import nothing at all; elsewhere
it starts joblib's before it imports anything itself (this module imports
neither pandas nor joblib), so their imports overlap its own.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import gc
import importlib
import multiprocessing
import os
import signal
import stat
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from toxiclinks.settings import DEFAULT_CHUNK_ROWS, Settings

#: the module whose ``triage_batch`` a triage's workers run: it imports no scikit-learn
TRIAGE_WORKER_MODULE = "toxiclinks.triage"
#: bytes a row of an export takes at most in practice: a larger file surely holds more rows than that
_MAX_ROW_BYTES = 300
#: the worker count and pool of ``fork_triage_workers``, once it has forked them
_forked: tuple[int, ProcessPoolExecutor] | None = None


def holds_more_than(export_path: str | Path, rows: int) -> bool:
    """Whether the file surely holds more than ``rows`` rows (at 300 bytes a row, more than any tool writes)."""
    try:
        return Path(export_path).stat().st_size > rows * _MAX_ROW_BYTES
    except OSError:  # the reader says what is wrong with the path
        return False


def triage_batch_rows(export_path: str | Path) -> int:
    """The rows of each batch of a triage of this export: ``DEFAULT_CHUNK_ROWS``, and up to twice as many once the
    export holds more than eight such batches (its rows estimated from its size and its first lines' length).

    A worker's batch costs ~45 ms whatever its size (most of it looking up
    again the hosts, domain names and anchors the batch shares with the ones
    before): a million rows in batches of 100,000 4.63 -> 4.44 s, 8.1 -> 7.65 s
    of CPU (four interleaved series, 21 runs each), for ~330 MB more in all
    processes (PSS 0.86 -> 1.19 GB). A smaller export keeps the smaller batches:
    each worker gets several, and none waits long for the last (300,000 rows in
    batches of 100,000: 1.81 -> 2.02 s).
    """
    try:
        status = Path(export_path).stat()
        if not stat.S_ISREG(status.st_mode):  # a pipe would block the opening, for a writer that never comes
            return DEFAULT_CHUNK_ROWS
        with open(export_path, "rb") as stream:
            head = stream.read(1 << 16)
    except OSError:  # the reader says what is wrong with the path
        return DEFAULT_CHUNK_ROWS
    rows = status.st_size * head.count(b"\n") / max(len(head), 1)
    return int(min(max(rows / 8, DEFAULT_CHUNK_ROWS), 2 * DEFAULT_CHUNK_ROWS))


def worker_pool(jobs: int) -> Any:
    """The pool of ``jobs`` worker processes every parallel step of a run uses: the command's forked triage
    workers if it has that many (``start_for_large_triage``), else joblib's reusable pool.

    Asked for with the same options everywhere, it stays the same processes:
    a ``Parallel`` call asks with others, and its pool replaces the processes
    (which then import everything again), and back again at the next step:
    1.5 s lost each time, in every chunk of a chunked scan. Arguments are
    pickled through the pipe, none memory-mapped: the file of a memory-mapped
    argument (the topic's IDF, 32 MB) outlived the pool, with a warning at exit.
    """
    if _forked is not None and _forked[0] == jobs:
        return _forked[1]
    from joblib.executor import get_memmapping_executor  # imported here: this module is imported before joblib

    return get_memmapping_executor(jobs, max_nbytes=None)


def start_workers(jobs: int, module: str) -> None:
    """Start joblib's reusable worker processes (``-1``: one a core) and have each import ``module``, without
    waiting for them. Harmless to call again: the pool is the same, the import already done."""
    from joblib import effective_n_jobs

    count = effective_n_jobs(jobs)
    executor = worker_pool(count)
    for _ in range(count):
        executor.submit(_import, module, True)


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
    if not fork_triage_workers(Settings.jobs):  # scan has no --jobs: the default
        start_workers(Settings.jobs, TRIAGE_WORKER_MODULE)
    return True


def fork_triage_workers(jobs: int) -> bool:
    """Import ``TRIAGE_WORKER_MODULE`` here and fork ``jobs`` worker processes (``-1``: one a core) from this
    process, for ``worker_pool`` to give; return whether it did.

    A forked worker has every module already (copy-on-write) where a started
    one spends 0.5 s of a core importing them: a million-row triage 5.36 ->
    4.89 s, 9.5 -> 8.1 s of CPU (mean of 4, interleaved, the same scores).
    Only on Linux (forking is unsafe under macOS's system libraries) and only
    from a process with no other thread (``_other_threads``): a thread holding
    a lock as the process forks (OpenBLAS's pool, a user's thread) leaves that
    lock held forever in the child. Each worker then runs the module's ``prepare_worker`` while this process
    reads the export's first batches: a million-row triage's workers took their first batch 0.1 s sooner.
    """
    global _forked
    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return False
    _import(TRIAGE_WORKER_MODULE)  # frozen out of the collector, which would touch (and so copy) shared pages
    from joblib import effective_n_jobs

    if _other_threads():
        return False
    count = effective_n_jobs(jobs)
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"), initializer=_ignore_interrupts)
    with warnings.catch_warnings():  # Python 3.12+ warns at a fork with any other thread: jemalloc's, checked above
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        pool.submit(int)  # the first call forks every worker at once, before the pool's own threads start
    _forked = (count, pool)
    start_workers(count, TRIAGE_WORKER_MODULE)  # they prepare, idle until this process has read the first batch
    return True


def _other_threads() -> list[str]:
    """The names of this process's threads but this one, native ones too (OpenBLAS's pool), leaving out
    jemalloc's background threads (pyarrow starts one as it is imported): jemalloc's own fork handlers take its
    locks before a fork and reset them in the child. Python's threads alone where there is no /proc."""
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return [thread.name for thread in threading.enumerate() if thread is not threading.current_thread()]
    names = []
    for task in tasks:
        if int(task) != threading.get_native_id():
            with contextlib.suppress(OSError):  # the thread may have ended meanwhile
                names.append(Path(f"/proc/self/task/{task}/comm").read_text(encoding="utf-8").strip())
    return [name for name in names if name != "jemalloc_bg_thd"]


def _ignore_interrupts() -> None:
    """A forked worker leaves Ctrl-C to the command, which says it stopped in one line (each worker would print
    a traceback of its own) and ends the workers as it exits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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


def _import(module: str, prepare: bool = False) -> None:
    """Import ``module``; with ``prepare``, also have it build what its work needs first (``_prepare``)."""
    importlib.import_module(module)
    if prepare:
        _prepare(module)
    gc.freeze()  # see launch.main


def _prepare(module: str) -> None:
    """Run ``module``'s ``prepare_worker`` if it has one: in a worker, before its first call."""
    prepare = getattr(importlib.import_module(module), "prepare_worker", None)
    if prepare is not None:
        prepare()

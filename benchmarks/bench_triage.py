"""``scan --no-fetch`` at scale: seconds and peak memory against export size, vs ``pandas.read_csv`` of the same file.

    python benchmarks/bench_triage.py [--sizes 1000 10000 100000 1000000] [--repeat 3] [--out benchmarks/results]

For each size, a generated Ahrefs export (``large_export.py``, seeded) is
scored by ``toxiclinks scan --no-fetch`` with scores, report and disavow
outputs, and read by ``pandas.read_csv``; each runs in its own process, so the
peak resident memory (``wait4``) is that run's alone, start-up included; each
command runs ``--repeat`` times, the two in turn, and the fastest run of each
is kept (this machine's speed drifts from minute to minute). Writes
``triage-scaling.csv`` and ``triage-scaling.png`` (time and memory against
size, log-log, with a linear guide) to ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from large_export import write_export


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one command in its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{command[:3]} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command per size; the fastest is kept")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    toxiclinks = str(Path(sys.executable).with_name("toxiclinks"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for size in args.sizes:
            export = work / f"ahrefs-{size}.csv"
            write_export(size, export)
            os.sync()  # the new file on disk first: neither command competes with its write-back
            scan = [toxiclinks, "scan", str(export), "--no-fetch", "-o", str(work / "d.txt"),
                    "--scores", str(work / "s.csv"), "--report", str(work / "r.html")]  # fmt: skip
            read_csv = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(export)!r})"]
            runs = [(measure(scan), measure(read_csv)) for _ in range(args.repeat)]
            ours, pandas = min(run[0] for run in runs), min(run[1] for run in runs)
            row = {
                "rows": size,
                "megabytes": round(export.stat().st_size / 1e6, 1),
                "toxiclinks_seconds": round(ours[0], 2),
                "toxiclinks_peak_mb": round(ours[1]),
                "read_csv_seconds": round(pandas[0], 2),
                "read_csv_peak_mb": round(pandas[1]),
                "time_ratio": round(ours[0] / pandas[0], 1),
            }
            rows.append(row)
            print(row, flush=True)
            export.unlink()
    with (args.out / "triage-scaling.csv").open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    plot(rows, args.out / "triage-scaling.png")


def plot(rows: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [row["rows"] for row in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for axis, ours, theirs, unit in (
        (left, "toxiclinks_seconds", "read_csv_seconds", "seconds"),
        (right, "toxiclinks_peak_mb", "read_csv_peak_mb", "peak memory, MB"),
    ):
        axis.loglog(sizes, [row[ours] for row in rows], "o-", color="#b42318", label="toxiclinks scan --no-fetch")
        axis.loglog(sizes, [row[theirs] for row in rows], "s--", color="#475467", label="pandas.read_csv")
        last = rows[-1][ours]
        axis.loglog(sizes, [last * size / sizes[-1] for size in sizes], ":", color="#98a2b3", label="linear")
        axis.set_xlabel("backlinks in the export")
        axis.set_ylabel(unit)
        axis.grid(True, which="both", alpha=0.3)
    left.legend()
    figure.suptitle(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


if __name__ == "__main__":
    main()

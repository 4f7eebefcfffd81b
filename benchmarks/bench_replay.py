"""``scan --pages crawl.warc.gz --offline``: wall time and peak memory against the size of the WARC file.

    python benchmarks/bench_replay.py [--links 1000 3000 10000] [--shared ../shared]

For each size, the export and pages of ``bench_scan.py`` (a generated Ahrefs
export whose referring pages are the 110 real pages of
``../shared/corpus/real-pages``, each with its backlink added, plus the 300
target pages) are written to a gzipped WARC file, and ``toxiclinks scan`` reads
them from it, offline and with the page cache off, in a process of its own.
The floor, in the same run: reading every record of the same WARC with warcio
(decompressing and parsing it, keeping nothing). Peak memory is the scan's
own high-water mark (``VmHWM``, not ``ru_maxrss``, which Linux carries over
``exec`` from this process).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_scan import build_site
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

#: runs ``toxiclinks`` with the given arguments, then prints its own peak memory (MB) as the last line
_SCAN_AND_PEAK = """
import sys
from pathlib import Path
from toxiclinks.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    if stop.code:
        raise
for line in Path("/proc/self/status").read_text().splitlines():
    if line.startswith("VmHWM:"):
        print(int(line.split()[1]) / 1024)
"""


def write_warc(export: Path, served: dict[str, bytes], path: Path) -> int:
    """Write every served page to a gzipped WARC under the URL the export names it by; return how many."""
    export.write_text(export.read_text(encoding="utf-8").replace(":PORT/", ":8000/"), encoding="utf-8")
    table = pd.read_csv(export, dtype=str, keep_default_na=False)
    urls = sorted({*table["Referring page URL"], *table["Target URL"]})
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url in urls:
            body = served[url.split(":8000", 1)[1]].replace(b":PORT/", b":8000/")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)
    return len(urls)


def read_every_record(path: Path) -> float:
    """Seconds to decompress and parse every record of the WARC, keeping nothing: the floor."""
    started = time.perf_counter()
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            record.content_stream().read()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--links", type=int, nargs="+", default=[1_000, 3_000, 10_000])
    parser.add_argument("--chunk-links", type=int, default=None, help="scan --chunk-links (default: the scan's)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for links in args.links:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            export, served = build_site(args.shared, links, 50, folder)
            warc = folder / "pages.warc.gz"
            pages = write_warc(export, served, warc)
            del served
            floor = read_every_record(warc)
            command = [sys.executable, "-c", _SCAN_AND_PEAK, "scan", str(export), "--pages", str(warc), "--offline",
                       "--no-cache", "-o", str(folder / "d.txt"), "--scores", str(folder / "s.csv")]  # fmt: skip
            if args.chunk_links:
                command += ["--chunk-links", str(args.chunk_links)]
            started = time.perf_counter()
            run = subprocess.run(command, check=True, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            peak = float(run.stdout.strip().splitlines()[-1])
            result = {"links": links, "chunk_links": args.chunk_links, "pages": pages,
                      "warc_mb": round(warc.stat().st_size / 1e6, 1), "scan_s": round(seconds, 1),
                      "peak_mb": round(peak), "read_warc_s": round(floor, 2)}  # fmt: skip
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

"""End-to-end ``scan`` of 10,000 backlinks against local servers serving real pages: wall time and its split.

    python benchmarks/bench_scan.py [--links 10000] [--hosts 50] [--latency 0.05] [--shared ../shared] [--dask]
        [--runs stages scan chunks] [--chunk-links 10000]

The export is a generated Ahrefs export (``large_export.py``) whose referring
pages are moved to HTTP servers on the loopback addresses 127.0.0.1 ..
127.0.0.N (``bench_fetch.serve``, each request delayed by ``--latency``). Each
referring page is one of the 110 real pages of ``../shared/corpus/real-pages``
with the backlink (target URL and anchor of its row) added at the end of its
body, so the link signals have a link to find.

Runs, each in a process of its own (so its peak memory is its own), with the page cache off:

* ``stages``: the stages one after the other, each timed alone: read the
  export, fetch every page, extract the features, score and decide, write the outputs;
* ``scan``: the whole export at once (``pipeline.scan``), pages parsed in
  worker processes while the rest are fetched, plus the same writing;
* ``chunks``: ``--chunk-links`` links at a time (``pipeline.scan_chunks``, what
  the scan command runs), each chunk written as it comes.

With ``--dask``, a third run on a ``LocalCluster`` of this machine's cores. The scores of every run
must be the same.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
from bench_fetch import serve
from large_export import write_export

from toxiclinks import schema
from toxiclinks.disavow import decide, plan_disavow
from toxiclinks.features import build_features, target_urls_of
from toxiclinks.model import load_model
from toxiclinks.pipeline import ScanResult, get_pages, read_links, scan, scan_chunks, write_outputs
from toxiclinks.score import score_links
from toxiclinks.settings import SCAN_CHUNK_ROWS, Settings


def build_site(shared: Path, links: int, hosts: int, folder: Path) -> tuple[Path, dict[str, bytes]]:
    """Write the export; return it and the pages to serve, by path."""
    corpus = shared / "corpus" / "real-pages"
    with (corpus / "manifest.csv").open(encoding="utf-8") as stream:
        bodies = [(corpus / row["file"]).read_bytes() for row in csv.DictReader(stream)]
    generated = folder / "generated.csv"
    write_export(links, generated)
    table = pd.read_csv(generated, dtype=str, keep_default_na=False)
    served: dict[str, bytes] = {}
    moved: dict[str, str] = {}
    # The target site's own pages are served too (from 127.0.0.1): a scan reads them for the target's topic.
    targets = {}
    for number, target in enumerate(dict.fromkeys(table["Target URL"])):
        path = f"/brightkettle{urlsplit(target).path or '/'}"
        targets[target] = f"http://127.0.0.1:PORT{path}"
        served[path] = bodies[number % len(bodies)]
    table["Target URL"] = table["Target URL"].map(targets)
    for number, (url, target, anchor) in enumerate(
        zip(table["Referring page URL"], table["Target URL"], table["Anchor"], strict=True)
    ):
        if url in moved:
            continue
        parts = urlsplit(url)
        path = f"/{parts.hostname}/{number}.html"
        address = f"127.0.0.{1 + zlib.crc32((parts.hostname or '').encode()) % hosts}"
        moved[url] = f"http://{address}:PORT{path}"
        link = f'<p>See <a href="{html.escape(target)}">{html.escape(anchor)}</a>.</p></body>'.encode()
        body = bodies[number % len(bodies)]
        served[path] = body.replace(b"</body>", link, 1) if b"</body>" in body else body + link
    table["Referring page URL"] = table["Referring page URL"].map(moved)
    export = folder / "backlinks.csv"
    table.to_csv(export, index=False)
    return export, served


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--links", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--dask", action="store_true", help="also run on a LocalCluster of this machine's cores")
    parser.add_argument("--runs", nargs="+", choices=RUNS, default=["stages", "scan"], help="which runs to make")
    parser.add_argument("--chunk-links", type=int, default=SCAN_CHUNK_ROWS, help="links a chunk, for the chunks run")
    parser.add_argument("--run", choices=RUNS, help=argparse.SUPPRESS)  # one run, in a process of its own
    parser.add_argument("--export", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(one_run(args.run, args.export, args.hosts, args.chunk_links)))
        return

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        export, served = build_site(args.shared, args.links, args.hosts, folder)
        servers, port = serve(served, args.latency, args.hosts)
        export.write_text(export.read_text(encoding="utf-8").replace(":PORT/", f":{port}/"), encoding="utf-8")
        for path, body in served.items():  # the servers read this very dict
            served[path] = body.replace(b":PORT/", f":{port}/".encode())
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"{args.links:,} backlinks, {len(served):,} distinct pages (referring and target) on {args.hosts} hosts, "
            f"{args.latency * 1000:.0f} ms latency, {2 * args.hosts} requests in flight at most (2 per host)",
            flush=True,
        )
        probabilities = {}
        for run in dict.fromkeys([*args.runs, *(["dask"] if args.dask else [])]):
            command = [sys.executable, __file__, "--run", run, "--export", str(export), "--hosts", str(args.hosts),
                       "--chunk-links", str(args.chunk_links)]  # fmt: skip
            measured = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
            total = sum(measured["stages"].values())
            split = ", ".join(
                f"{stage} {seconds:.1f} s ({100 * seconds / total:.0f}%)"
                for stage, seconds in measured["stages"].items()
            )
            print(f"{RUNS[run]}: {total:.1f} s = {split}; peak memory {measured['peak_mb']:.0f} MB", flush=True)
            print(f"  {measured['summary']}", flush=True)
            probabilities[run] = pd.read_csv(folder / f"scores-{run}.csv")[schema.PROBABILITY]
        first = next(iter(probabilities.values()))
        for run, values in probabilities.items():
            assert values.round(9).equals(first.round(9)), f"{run} scores differ"
        for server in servers:
            server.shutdown()


#: the runs, each in its own process so that its peak memory is its own
RUNS = {
    "stages": "stages one after the other",
    "scan": "scan (parsing overlaps fetching)",
    "chunks": "scan in chunks (what the scan command runs)",
    "dask": "scan --dask local",
}


def peak_resident_mb() -> float:
    """This process's peak resident memory since it started, in MB.

    Not ``ru_maxrss``: Linux carries the forked parent's resident size over
    ``exec`` into it, and this benchmark's parent holds every served page.
    ``VmHWM`` is the high-water mark of this program's own memory.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_run(run: str, export: Path, hosts: int, chunk_links: int = SCAN_CHUNK_ROWS) -> dict[str, object]:
    """Run one way of scanning; its stage timings, peak memory (this process and its largest child) and summary."""
    settings = Settings(
        allow_private=True,
        use_cache=False,
        host_delay=0.0,
        respect_robots=False,  # the servers have no robots.txt; it would add one request per host
        workers=2 * hosts,
        max_per_host=2,
        retries=0,
    )
    folder = export.parent
    stages: dict[str, float] = {}
    mark = time.perf_counter()
    if run == "stages":
        links, completed = read_links(export, settings)
        stages["read"] = time.perf_counter() - mark
        mark = time.perf_counter()
        urls = pd.Series([*links[schema.SOURCE_URL], *target_urls_of(links)], dtype=object)
        pages = get_pages(urls, completed)
        stages["fetch"] = time.perf_counter() - mark
        mark = time.perf_counter()
        features = build_features(links, pages, completed)
        stages["extract"] = time.perf_counter() - mark
        mark = time.perf_counter()
        model = load_model()
        scores = decide(score_links(links, features, model), features)
        plan = plan_disavow(scores, export.name, completed.level)
        stages["score"] = time.perf_counter() - mark
        result = ScanResult(links=links, features=features, scores=scores, planned=plan, threshold=model.threshold)
    elif run == "chunks":  # each chunk written as it comes, as the scan command does
        tally = {"ok": 0, "found": 0}

        def counted(results: Iterable[ScanResult]) -> Iterator[ScanResult]:
            for part in results:
                tally["ok"] += int((part.features[schema.FETCH_STATUS] == "ok").sum())
                tally["found"] += int(part.features["link_found"].fillna(False).sum())
                yield part

        chunks = counted(scan_chunks(export, settings, chunk_rows=chunk_links))
        write_outputs(chunks, export.name, folder / f"disavow-{run}.txt", folder / f"scores-{run}.csv")
        stages["read, fetch, extract, score, write"] = time.perf_counter() - mark
        ok, found = tally["ok"], tally["found"]
    else:
        if run == "dask":
            settings = replace(settings, dask="local", work_dir=str(folder / "work"))
        result = scan(export, settings)
        stages["read, fetch, extract, score"] = time.perf_counter() - mark
    if run != "chunks":
        mark = time.perf_counter()
        write_outputs(result, export.name, folder / f"disavow-{run}.txt", folder / f"scores-{run}.csv")
        stages["write"] = time.perf_counter() - mark
        ok = int((result.features[schema.FETCH_STATUS] == "ok").sum())
        found = int(result.features["link_found"].fillna(False).sum())
    own = peak_resident_mb()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "stages": stages,
        "peak_mb": max(own, children),
        "summary": f"{ok:,} links on pages read, {found:,} found on their page; "
        f"main process {own:.0f} MB, largest child {children:.0f} MB",
    }


if __name__ == "__main__":
    main()

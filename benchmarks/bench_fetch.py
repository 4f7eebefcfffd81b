"""Fetch throughput: toxiclinks' crawler vs trafilatura's ``fetch_url`` over a thread pool, same run.

    python benchmarks/bench_fetch.py [--shared ../shared] [--latency 0.05] [--hosts 10] [--rounds 3]

Serves the 110 real pages of ``../shared/corpus/real-pages`` from local HTTP
servers, one per loopback address 127.0.0.1 .. 127.0.0.N (so per-host limits
act as they would across real sites), each request delayed by ``--latency``.
toxiclinks runs with at most ``--per-host`` requests in flight per host and
``workers`` = hosts x per-host, no per-host delay and robots.txt off (the
servers have none). trafilatura's ``fetch_url`` has no per-host limit, so it
runs twice over a thread pool:

* same politeness: ``--per-host`` threads, the only pool size that can never
  send more than ``--per-host`` requests at once to one host;
* same total concurrency: ``workers`` threads, which is less polite (up to
  ``workers`` requests at once to one host).

Reports pages per second, the ratios, and toxiclinks' peak Python memory.
"""

from __future__ import annotations

import argparse
import csv
import platform
import threading
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trafilatura
from trafilatura.settings import use_config

from toxiclinks.fetch import fetch_pages
from toxiclinks.settings import Settings


def serve(pages: dict[str, bytes], latency: float, hosts: int) -> tuple[list[ThreadingHTTPServer], int]:
    """Start one server per loopback address on the same port; return them and the port."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            time.sleep(latency)
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: object) -> None:
            pass

    first = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = first.server_address[1]
    servers = [first] + [ThreadingHTTPServer((f"127.0.0.{n}", port), Handler) for n in range(2, hosts + 1)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return servers, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    corpus = args.shared / "corpus" / "real-pages"
    with (corpus / "manifest.csv").open(encoding="utf-8") as stream:
        files = [row["file"] for row in csv.DictReader(stream)]
    pages = {f"/{number}.html": (corpus / file).read_bytes() for number, file in enumerate(files)}
    servers, port = serve(pages, args.latency, args.hosts)
    urls = [f"http://127.0.0.{1 + number % args.hosts}:{port}{path}" for number, path in enumerate(pages)]
    workers = args.hosts * args.per_host
    settings = Settings(
        allow_private=True,
        respect_robots=False,
        workers=workers,
        max_per_host=args.per_host,
        host_delay=0.0,
        retries=0,
        use_cache=False,
    )

    def ours() -> int:
        return sum(page.ok for page in fetch_pages(urls, settings).values())

    # trafilatura refuses loopback addresses by default, as toxiclinks does; allow them in both.
    config = use_config()
    config.set("DEFAULT", "SSRF_PROTECTION", "off")

    def theirs(threads: int) -> Callable[[], int]:
        def run() -> int:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                fetched = pool.map(lambda url: trafilatura.fetch_url(url, config=config), urls)
                return sum(bool(html) for html in fetched)

        return run

    same_politeness = f"trafilatura, {args.per_host} threads"
    same_concurrency = f"trafilatura, {workers} threads"
    runs = {"toxiclinks": ours, same_politeness: theirs(args.per_host), same_concurrency: theirs(workers)}
    results: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            fetched = run()
            elapsed = time.perf_counter() - started
            assert fetched == len(urls), f"{name} fetched {fetched} of {len(urls)}"
            results[name].append(len(urls) / elapsed)

    tracemalloc.start()
    ours()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    for server in servers:
        server.shutdown()

    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores"
    )
    print(
        f"{len(urls)} real pages, {sum(map(len, pages.values())) / 1e6:.1f} MB, {args.hosts} hosts, "
        f"{args.latency * 1000:.0f} ms latency, {workers} requests in flight at most ({args.per_host} per host)"
    )
    best = {name: max(rates) for name, rates in results.items()}
    for name, rate in best.items():
        print(f"{name:>26}: {rate:7.1f} pages/s (best of {args.rounds})")
    print(f"{'ratio, same politeness':>26}: {best['toxiclinks'] / best[same_politeness]:.2f}x")
    print(f"{'ratio, same concurrency':>26}: {best['toxiclinks'] / best[same_concurrency]:.2f}x")
    print(f"{'toxiclinks peak memory':>26}: {peak / 1e6:.1f} MB traced, all {len(urls)} pages held in memory")


if __name__ == "__main__":
    main()

"""Feature extraction speed: every page signal of toxiclinks vs bare ``trafilatura.extract``, same pages, same run.

    python benchmarks/bench_extract.py [--shared ../shared] [--rounds 3]

On the 110 real pages of ``../shared/corpus/real-pages`` (decoded once, up
front, for both): pages per second for toxiclinks' full page analysis (one
lxml parse, the six classic features, every link with its placement, main
content by trafilatura, language, author, date, page signals) and for bare
``trafilatura.extract`` on the HTML string, on one core and on every core
(joblib processes), with the ratios.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import time
from pathlib import Path

import trafilatura
from joblib import Parallel, delayed

from toxiclinks import urls
from toxiclinks.features import _analyse
from toxiclinks.page import decode_html


def ours(batch: list[tuple[str, str]]) -> int:
    # Start cold every time: the URL caches would otherwise remember the previous round.
    urls.normalize_url.cache_clear()
    urls._registered_domain_of_host.cache_clear()
    urls.host_of.cache_clear()
    return sum(bool(_analyse(url, html)[0].words) for url, html in batch)


def theirs(batch: list[tuple[str, str]]) -> int:
    return sum(bool(trafilatura.extract(html, url=url)) for url, html in batch)


def rate(function, pages: list[tuple[str, str]], jobs: int, rounds: int) -> float:  # type: ignore[no-untyped-def]
    best = 0.0
    chunks = [pages[i::jobs] for i in range(jobs)]
    for _ in range(rounds):
        started = time.perf_counter()
        if jobs == 1:
            function(pages)
        else:
            Parallel(n_jobs=jobs)(delayed(function)(chunk) for chunk in chunks)
        best = max(best, len(pages) / (time.perf_counter() - started))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    corpus = args.shared / "corpus" / "real-pages"
    with (corpus / "manifest.csv").open(encoding="utf-8") as stream:
        pages = [(row["url"], decode_html((corpus / row["file"]).read_bytes())) for row in csv.DictReader(stream)]
    cores = os.cpu_count() or 1
    ours(pages[:5]), theirs(pages[:5])  # warm up imports and caches
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {cores} cores")
    print(f"{len(pages)} real pages, {sum(len(h) for _, h in pages) / 1e6:.1f} M characters of HTML")
    results = {}
    for jobs in sorted({1, cores}):
        results[jobs] = (rate(ours, pages, jobs, args.rounds), rate(theirs, pages, jobs, args.rounds))
        mine, bare = results[jobs]
        print(
            f"{jobs} core(s): toxiclinks all features {mine:6.1f} pages/s | bare trafilatura.extract "
            f"{bare:6.1f} pages/s | ratio {mine / bare:.2f}"
        )
    if cores > 1:
        print(
            f"speed-up on {cores} cores: toxiclinks {results[cores][0] / results[1][0]:.2f}x, "
            f"trafilatura {results[cores][1] / results[1][1]:.2f}x"
        )


if __name__ == "__main__":
    main()

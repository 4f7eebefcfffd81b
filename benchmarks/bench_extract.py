"""Feature extraction speed: every page signal of toxiclinks vs bare ``trafilatura.extract``, same pages, same run.

    python benchmarks/bench_extract.py [--shared ../shared] [--rounds 3]

On the 110 real pages of ``../shared/corpus/real-pages`` (decoded once, up
front, for both): pages per second for toxiclinks describing each page as a
scan does (``describe_page``: one lxml parse, the six classic features, main
content by trafilatura, language, author, date, every page signal, the topic
text, and the link signals of one backlink: the page's middle external link,
standing in for the link to the audited site) and for bare
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
from toxiclinks.extract import external_link_urls, parse_page
from toxiclinks.features import LinkContext, describe_page
from toxiclinks.page import decode_html

CONTEXT = LinkContext(site=None, brand=("example",), keywords=("electric kettles",))


def backlink_of(url: str, html: str) -> str:
    """The link that stands in for the backlink: the page's middle external link (a made-up one if none)."""
    external = external_link_urls(parse_page(url, html))
    return external[len(external) // 2] if external else "https://www.example.com/"


def ours(batch: list[tuple[str, str, str]]) -> int:
    # Start cold every time: the URL caches would otherwise remember the previous round.
    urls.normalize_url.cache_clear()
    urls._registered_domain_of_host.cache_clear()
    urls.host_of.cache_clear()
    return sum(
        bool(describe_page(url, html, False, [(0, backlink, "anchor")], CONTEXT).signals["words"])
        for url, html, backlink in batch
    )


def theirs(batch: list[tuple[str, str, str]]) -> int:
    return sum(bool(trafilatura.extract(html, url=url)) for url, html, _ in batch)


def rate(function, pages: list[tuple[str, str, str]], jobs: int, rounds: int) -> float:  # type: ignore[no-untyped-def]
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
        decoded = [(row["url"], decode_html((corpus / row["file"]).read_bytes())) for row in csv.DictReader(stream)]
    pages = [(url, html, backlink_of(url, html)) for url, html in decoded]
    cores = os.cpu_count() or 1
    ours(pages[:5]), theirs(pages[:5])  # warm up imports and caches
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {cores} cores")
    print(f"{len(pages)} real pages, {sum(len(html) for _, html, _ in pages) / 1e6:.1f} M characters of HTML")
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

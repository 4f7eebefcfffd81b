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
import statistics
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


def seconds(function, chunks: list[list[tuple[str, str, str]]]) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    if len(chunks) == 1:
        function(chunks[0])
    else:
        Parallel(n_jobs=len(chunks))(delayed(function)(chunk) for chunk in chunks)
    return time.perf_counter() - started


def paired_rounds(pages: list[tuple[str, str, str]], jobs: int, rounds: int) -> tuple[list[float], list[float]]:
    """Pages per second of each round, ours and theirs timed back to back.

    This machine's speed drifts by 20% and more over a minute; timing the two
    side by side in every round and taking the median of the per-round ratios
    compares them under the same conditions.
    """
    chunks = [pages[i::jobs] for i in range(jobs)]
    mine, bare = [], []
    for _ in range(rounds):
        mine.append(len(pages) / seconds(ours, chunks))
        bare.append(len(pages) / seconds(theirs, chunks))
    return mine, bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    corpus = args.shared / "corpus" / "real-pages"
    with (corpus / "manifest.csv").open(encoding="utf-8") as stream:
        decoded = [(row["url"], decode_html((corpus / row["file"]).read_bytes())) for row in csv.DictReader(stream)]
    pages = [(url, html, backlink_of(url, html)) for url, html in decoded]
    cores = os.cpu_count() or 1
    ours(pages[:5]), theirs(pages[:5])  # warm up imports and caches
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {cores} cores")
    print(f"{len(pages)} real pages, {sum(len(html) for _, html, _ in pages) / 1e6:.1f} M characters of HTML")
    best = {}
    for jobs in sorted({1, cores}):
        mine, bare = paired_rounds(pages, jobs, args.rounds)
        ratios = sorted(m / b for m, b in zip(mine, bare, strict=True))
        best[jobs] = (max(mine), max(bare))
        print(
            f"{jobs} core(s): toxiclinks all features {max(mine):6.1f} pages/s | bare trafilatura.extract "
            f"{max(bare):6.1f} pages/s (best rounds) | ratio per round: median {statistics.median(ratios):.2f}, "
            f"range {ratios[0]:.2f}-{ratios[-1]:.2f} ({args.rounds} rounds)"
        )
    if cores > 1:
        print(
            f"speed-up on {cores} cores: toxiclinks {best[cores][0] / best[1][0]:.2f}x, "
            f"trafilatura {best[cores][1] / best[1][1]:.2f}x"
        )


if __name__ == "__main__":
    main()

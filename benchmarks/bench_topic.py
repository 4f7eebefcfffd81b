"""Topic similarity at scale: seconds and peak memory for N page texts, as a scan computes it vs one TF-IDF matrix.

    python benchmarks/bench_topic.py [--shared ../shared] [--pages 10000]

The texts are the main texts of ``../shared/corpus/real-pages``, each made
into a distinct page of about 5,000 characters by drawing sentences from three
real pages (seeded). ``topic_similarities`` (hashed character 4-grams in two
passes of 500 pages, what a scan runs; in this process, then on every core as
a scan runs it), scikit-learn's ``TfidfVectorizer`` on
every text at once with 4-grams, and the same with 3- to 5-grams (what a scan
ran before) each run in their own process, so the peak resident memory is
that run's alone; the Spearman correlation of each ranking with the scan's is
printed too.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

MEASURE = """
import json, sys, time
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from toxiclinks.features.topic import topic_similarities
texts = json.load(open(sys.argv[1]))
topic = texts.pop()
pages = {str(i): text for i, text in enumerate(texts)}
started = time.perf_counter()
if sys.argv[2].startswith("scan"):
    jobs = -1 if sys.argv[2] == "scan-all-cores" else 1
    similarity = list(topic_similarities(pages, {}, topic, jobs=jobs).values())
else:
    shortest, longest = (4, 4) if sys.argv[2] == "4-grams" else (3, 5)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(shortest, longest), sublinear_tf=True)
    matrix = vectorizer.fit_transform([topic, *pages.values()])
    similarity = (matrix[1:] @ matrix[0].T).toarray().ravel().tolist()
seconds = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux carries the forked parent's resident size (the texts, the parsed corpus) over exec.
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "similarity": similarity}))
"""


def page_texts(shared: Path, count: int) -> list[str]:
    """``count`` distinct texts of about 5,000 characters from the sentences of the real pages."""
    from toxiclinks.extract import parse_page
    from toxiclinks.page import decode_html

    corpus = shared / "corpus" / "real-pages"
    with (corpus / "manifest.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    texts = [parse_page(row["url"], decode_html((corpus / row["file"]).read_bytes())).main_text for row in rows]
    sentences = [re.split(r"(?<=[.!?])\s+", text) for text in texts if len(text) > 1000]
    rng = random.Random(0)
    result = []
    for _ in range(count):
        drawn = [sentence for source in rng.sample(sentences, 3) for sentence in source]
        rng.shuffle(drawn)
        text, total = [], 0
        for sentence in drawn:
            if total > 5000:
                break
            text.append(sentence)
            total += len(sentence) + 1
        result.append(" ".join(text))
    return result


def run(texts_path: Path, variant: str) -> dict:  # type: ignore[type-arg]
    import json

    output = subprocess.run(
        [sys.executable, "-c", MEASURE, str(texts_path), variant], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output)


def main() -> None:
    import json

    from scipy.stats import spearmanr

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    parser.add_argument("--pages", type=int, default=10_000)
    args = parser.parse_args()
    texts = page_texts(args.shared, args.pages + 1)  # the last one is the topic
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{args.pages} texts, {sum(map(len, texts[:-1])) / args.pages:.0f} characters on average")
    with tempfile.TemporaryDirectory() as folder:
        texts_path = Path(folder) / "texts.json"
        texts_path.write_text(json.dumps(texts), encoding="utf-8")
        variants = ("scan", "scan-all-cores", "4-grams", "3-5-grams")
        results = {variant: run(texts_path, variant) for variant in variants}
    labels = {
        "scan": "topic_similarities (hashed 4-grams, 2 passes)",
        "scan-all-cores": "the same, chunks hashed on every core",
        "4-grams": "TfidfVectorizer, 4-grams, all at once",
        "3-5-grams": "TfidfVectorizer, 3- to 5-grams, all at once",
    }
    for variant, result in results.items():
        rho = spearmanr(results["scan"]["similarity"], result["similarity"]).correlation
        print(
            f"{labels[variant]:>46}: {result['seconds']:6.1f} s, peak {result['peak_mb']:6.0f} MB, "
            f"Spearman with the scan's {rho:.3f}"
        )


if __name__ == "__main__":
    main()

"""The default model's training data, built from the real data in ../shared (never copied into the repository).

* WEBSPAM-UK2006 set 1: 4,363 UK hosts labelled spam/normal by human judges,
  with the six classic content features of each home page (page model);
* the real editorial links in the article bodies of ``corpus/real-pages``
  (natural), and one artificial twin of each made from the same page by the
  transformations of ``toxiclinks.synthetic`` (link model);
* ``referrer-spam/spammers.txt``: real spam domain names, used as the other
  links of the directory pages and link blocks the transformations write.
"""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import GroupShuffleSplit

from toxiclinks import schema
from toxiclinks.extract import external_links, parse_page
from toxiclinks.features import FEATURE_COLUMNS
from toxiclinks.features.link import link_features
from toxiclinks.features.page import CLASSIC_FEATURES, page_features
from toxiclinks.page import decode_html
from toxiclinks.synthetic import TRANSFORMATIONS
from toxiclinks.urls import registered_domain, resolve_href

SEED = 20261123
NATURAL_LINKS_PER_PAGE = 4
WEBSPAM = Path("data/webspam-uk2006/train.csv")
REAL_PAGES = Path("corpus/real-pages")
SPAMMERS = Path("data/referrer-spam/spammers.txt")


@dataclass(frozen=True)
class LinkExamples:
    """The link model's training rows: features, labels (1 = artificial), groups and provenance."""

    features: pd.DataFrame
    labels: np.ndarray
    groups: np.ndarray  #: the source page file: never on both sides of a split
    scheme: np.ndarray  #: "natural" or the transformation's name


def load_webspam(shared: Path) -> pd.DataFrame:
    """The WEBSPAM-UK2006 set 1 table, with ``y`` (1 = spam) and ``group`` (registered domain)."""
    table = pd.read_csv(shared / WEBSPAM)
    table["y"] = (table["label"] == "spam").astype(int)
    table["group"] = table["host"].map(registered_domain)
    return table


def new_page_model() -> CalibratedClassifierCV:
    """Gradient boosting over the six classic features, with isotonic calibration."""
    booster = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, l2_regularization=1.0, random_state=SEED
    )
    return CalibratedClassifierCV(booster, method="isotonic", cv=5)


def evaluate_page_model(webspam: pd.DataFrame) -> dict[str, float]:
    """ROC and PR AUC on a held-out quarter of WEBSPAM, split so no registered domain is on both sides."""
    split = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=SEED)
    train_index, test_index = next(split.split(webspam, webspam["y"], webspam["group"]))
    train, test = webspam.iloc[train_index], webspam.iloc[test_index]
    model = new_page_model().fit(train[list(CLASSIC_FEATURES)], train["y"])
    probability = model.predict_proba(test[list(CLASSIC_FEATURES)])[:, 1]
    return {
        "page_roc_auc": float(roc_auc_score(test["y"], probability)),
        "page_pr_auc": float(average_precision_score(test["y"], probability)),
        "page_test_hosts": len(test),
        "page_test_spam": int(test["y"].sum()),
    }


def _page_examples(url: str, html: str, file_name: str, seed: int, pool: list[str]) -> list[dict[str, Any]]:
    """Natural rows for up to N article links of one page, and one artificial twin of each."""
    rng = random.Random(f"{seed}:{file_name}")
    parsed = parse_page(url, html)
    page_signals = page_features(parsed)
    candidates = [
        link
        for link in external_links(parsed)
        if link.placement == "main" and link.anchor and not link.hidden and link.url.startswith("http")
    ]
    unique = list({link.url: link for link in candidates}.values())
    chosen = rng.sample(unique, min(NATURAL_LINKS_PER_PAGE, len(unique)))
    rows: list[dict[str, Any]] = []
    for number, link in enumerate(chosen):
        rows.append(_row(parsed, page_signals, link.url, link.anchor, file_name, "natural"))
        transformation = TRANSFORMATIONS[(rng.randrange(len(TRANSFORMATIONS)) + number) % len(TRANSFORMATIONS)]
        tree = lxml.html.fromstring(
            html.encode("utf-8", errors="replace"), parser=lxml.html.HTMLParser(encoding="utf-8")
        )
        element = next((a for a in tree.iter("a") if resolve_href(url, a.get("href", "")) == link.url), None)
        if element is None:
            continue
        anchor = transformation(tree, element, link.url, rng, [u for u in pool if u != link.url])
        changed = parse_page(url, lxml.html.tostring(tree, encoding="unicode"))
        row = _row(changed, page_features(changed), link.url, anchor, file_name, transformation.__name__)
        if row["link_found"]:
            rows.append(row)
    return rows


def _row(
    parsed: Any, page_signals: dict[str, float], target: str, anchor: str, file_name: str, scheme: str
) -> dict[str, Any]:
    row: dict[str, Any] = {schema.FETCH_STATUS: "ok", schema.HTTP_STATUS: 200.0, **page_signals}
    row.update(link_features(parsed, target, anchor))
    row.update(group=file_name, scheme=scheme)
    return row


def build_link_examples(shared: Path, seed: int = SEED, n_jobs: int = -1) -> LinkExamples:
    """Build the link model's training rows from ``corpus/real-pages`` (deterministic for a seed)."""
    pages = []
    with (shared / REAL_PAGES / "manifest.csv").open(encoding="utf-8") as stream:
        for entry in csv.DictReader(stream):
            html = decode_html((shared / REAL_PAGES / entry["file"]).read_bytes())
            pages.append((entry["url"], html, entry["file"]))
    pool = sorted({link.url for url, html, _ in pages for link in external_links(parse_page(url, html))})
    spam_domains = (shared / SPAMMERS).read_text(encoding="utf-8").split()
    pool += [f"http://{domain}/" for domain in sorted(set(spam_domains))]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_page_examples)(url, html, file_name, seed, pool) for url, html, file_name in pages
    )
    table = pd.DataFrame([row for rows in results for row in rows])
    features = table.reindex(columns=list(FEATURE_COLUMNS))
    return LinkExamples(
        features=features,
        labels=(table["scheme"] != "natural").astype(int).to_numpy(),
        groups=table["group"].to_numpy(),
        scheme=table["scheme"].to_numpy(),
    )


def training_data_hash(shared: Path) -> str:
    """SHA-256 over every file the default model is trained from, in a fixed order."""
    digest = hashlib.sha256()
    files = [shared / WEBSPAM, shared / SPAMMERS, shared / REAL_PAGES / "manifest.csv"]
    files += sorted((shared / REAL_PAGES / "html").glob("*.html"))
    for path in files:
        digest.update(path.relative_to(shared).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()

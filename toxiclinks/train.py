"""Train the default model from the real data in ../shared, reproducibly, and write its model card.

    python -m toxiclinks.train --shared ../shared

Sources (see models/README.md, written by this module):

* page model: WEBSPAM-UK2006 set 1, 4,363 UK hosts labelled spam/normal by
  human judges, with the six classic content features of each home page;
* link model: the real editorial links in the article bodies of the pages in
  ``corpus/real-pages`` (natural), and artificial links made from the same
  pages by the transformations in ``toxiclinks.synthetic``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html
import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import GroupKFold, GroupShuffleSplit
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from toxiclinks import schema
from toxiclinks.extract import external_links, parse_page
from toxiclinks.features import FEATURE_COLUMNS
from toxiclinks.features.link import link_features
from toxiclinks.features.page import CLASSIC_FEATURES, page_features
from toxiclinks.model import LinkSpamModel, model_inputs, page_spam_probability, save_model
from toxiclinks.model_card import model_card
from toxiclinks.page import decode_html
from toxiclinks.synthetic import TRANSFORMATIONS
from toxiclinks.urls import registered_domain, resolve_href

LOGGER = logging.getLogger(__name__)

SEED = 20261123
NATURAL_LINKS_PER_PAGE = 4
DEFAULT_THRESHOLD = 0.7
WEBSPAM = Path("data/webspam-uk2006/train.csv")
REAL_PAGES = Path("corpus/real-pages")


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
    spam_domains = (shared / "data/referrer-spam/spammers.txt").read_text(encoding="utf-8").split()
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


def new_link_model() -> Pipeline:
    """Standardised inputs into a logistic regression: exact per-link contributions for the reasons."""
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000))


def evaluate_link_model(examples: LinkExamples, page_model: Any, threshold: float) -> dict[str, Any]:
    """Out-of-fold metrics, 5 folds grouped by source page (no page on both sides of a split)."""
    inputs = model_inputs(examples.features, page_spam_probability(page_model, examples.features))
    probability = np.zeros(len(inputs))
    for train_index, test_index in GroupKFold(n_splits=5).split(inputs, examples.labels, examples.groups):
        model = new_link_model().fit(inputs.iloc[train_index], examples.labels[train_index])
        probability[test_index] = model.predict_proba(inputs.iloc[test_index])[:, 1]
    predicted = (probability >= threshold).astype(int)
    natural = examples.labels == 0
    metrics: dict[str, Any] = {
        "link_roc_auc": float(roc_auc_score(examples.labels, probability)),
        "link_pr_auc": float(average_precision_score(examples.labels, probability)),
        "link_precision": float(precision_score(examples.labels, predicted, zero_division=0)),
        "link_recall": float(recall_score(examples.labels, predicted)),
        "link_false_positive_rate": float(predicted[natural].mean()),
        "link_examples": len(inputs),
        "link_natural": int(natural.sum()),
        "link_source_pages": len(set(examples.groups)),
        "recall_by_scheme": {
            str(scheme): float(predicted[examples.scheme == scheme].mean())
            for scheme in sorted(set(examples.scheme))
            if scheme != "natural"
        },
    }
    return metrics


def training_data_hash(shared: Path) -> str:
    """SHA-256 over every file the default model is trained from, in a fixed order."""
    digest = hashlib.sha256()
    files = [shared / WEBSPAM, shared / "data/referrer-spam/spammers.txt", shared / REAL_PAGES / "manifest.csv"]
    files += sorted((shared / REAL_PAGES / "html").glob("*.html"))
    for path in files:
        digest.update(path.relative_to(shared).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def train_default(shared: Path, out: Path, threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
    """Train, evaluate and save the default model; write its model card beside it. Returns the metrics."""
    webspam = load_webspam(shared)
    metrics: dict[str, Any] = evaluate_page_model(webspam)
    page_model = new_page_model().fit(webspam[list(CLASSIC_FEATURES)], webspam["y"])
    examples = build_link_examples(shared)
    metrics.update(evaluate_link_model(examples, page_model, threshold))
    inputs = model_inputs(examples.features, page_spam_probability(page_model, examples.features))
    link_model = new_link_model().fit(inputs, examples.labels)
    model = LinkSpamModel(page_model_=page_model, link_model_=link_model, threshold=threshold)
    counts = {str(k): int(v) for k, v in pd.Series(examples.scheme).value_counts().sort_index().items()}
    manifest_file = save_model(
        model,
        out,
        extra={
            "metrics": metrics,
            "training_data_sha256": training_data_hash(shared),
            "training_rows": {"webspam_hosts": len(webspam), "webspam_spam": int(webspam["y"].sum()), **counts},
            "trained_on": date.today().isoformat(),
        },
    )
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    (out.parent / "README.md").write_text(model_card(manifest), encoding="utf-8")
    coefficients = dict(zip(inputs.columns, link_model[-1].coef_[0].round(3).tolist(), strict=False))
    LOGGER.info("link model coefficients: %s", coefficients)
    return metrics


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m toxiclinks.train --shared ../shared [--out models/default.joblib]``."""
    parser = argparse.ArgumentParser(description="Train the default toxiclinks model from ../shared.")
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="the shared data folder")
    parser.add_argument("--out", type=Path, default=Path("models/default.joblib"), help="where to write the model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    metrics = train_default(args.shared, args.out)
    for name, value in metrics.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()

"""Triage without fetching: score links from the export alone (URL, domain name, anchor, the export's metrics).

For a first cut through a million backlinks in seconds. The triage model is
trained on real labels where they exist: real spam domain names (Matomo's
referrer-spam list) against the real sites that real pages link to, with the
same URL paths on both sides, and anchors half commercial, half real. Triage
never writes a disavow entry: it reads no page, so it cannot tell whether a
link is still there or passes anything.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from toxiclinks import schema
from toxiclinks.features.link import classify_anchor
from toxiclinks.features.url import url_features
from toxiclinks.features.vocabulary import spam_word_fraction
from toxiclinks.urls import registered_domain

TRIAGE_MODEL_NAME = "triage.joblib"
NUMERIC = (
    "subdomain_depth",
    "hostname_length",
    "hostname_digits",
    "hostname_hyphens",
    "ip_host",
    "free_host",
    "path_depth",
    "links_page_path",
    "paginated",
    "url_length",
    "anchor_words",
    "anchor_spam_fraction",
)
CATEGORICAL = ("source_tld", "anchor_class")
TEXT = "domain_name"


def triage_features(links: pd.DataFrame, brand: tuple[str, ...] = (), keywords: tuple[str, ...] = ()) -> pd.DataFrame:
    """The signals of each link that the export alone gives: URL shape, domain name and anchor.

    >>> links = pd.DataFrame({"source_url": ["http://best-seo-links4u.example/links.html"],
    ...                       "target_url": ["https://shop.example/"], "anchor": ["cheap casino bonus"]})
    >>> row = triage_features(links).iloc[0]
    >>> row["domain_name"], bool(row["links_page_path"]), row["anchor_class"]
    ('best-seo-links4u', True, 'other')
    """
    rows = []
    for source, target, anchor in zip(
        links[schema.SOURCE_URL], links[schema.TARGET_URL], links[schema.ANCHOR], strict=True
    ):
        signals: dict[str, Any] = url_features(source)
        domain = registered_domain(source)
        signals[TEXT] = domain.rsplit(".", 1)[0] if "." in domain else domain
        signals["anchor_class"] = classify_anchor(str(anchor), str(target), brand, keywords)
        signals["anchor_words"] = float(len(str(anchor).split()))
        signals["anchor_spam_fraction"] = spam_word_fraction(str(anchor))
        rows.append(signals)
    table = pd.DataFrame(rows, index=links.index)
    for column in NUMERIC:
        table[column] = table[column].astype(float)
    return table


def new_triage_model() -> Pipeline:
    """Domain-name character n-grams, URL and anchor signals, one logistic regression."""
    columns = ColumnTransformer(
        [
            ("domain", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, min_df=2), TEXT),
            ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(NUMERIC)),
            ("categories", OneHotEncoder(handle_unknown="ignore", min_frequency=5), list(CATEGORICAL)),
        ]
    )
    return make_pipeline(columns, LogisticRegression(C=1.0, max_iter=5000))


@dataclass
class TriageModel:
    """A fitted triage model. Learned attributes end in ``_``."""

    pipeline_: Pipeline
    calibrator_: IsotonicRegression
    threshold: float = 0.8
    metadata: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that each link is artificial, from the export alone."""
        return np.asarray(self.calibrator_.predict(self.pipeline_.predict_proba(features)[:, 1]))

    def explain(self, features: pd.DataFrame, top: int = 3) -> list[list[str]]:
        """The signals that pushed each link most, in plain words (exact logistic contributions)."""
        columns, classifier = self.pipeline_[0], self.pipeline_[-1]
        transformed = columns.transform(features)
        dense = transformed.toarray() if hasattr(transformed, "toarray") else np.asarray(transformed)
        contributions = dense * classifier.coef_[0]
        names = list(columns.get_feature_names_out())
        domain_part = np.array([name.startswith("domain__") for name in names])
        probabilities = self.predict_proba(features)
        explanations = []
        for row, (values, probability) in enumerate(zip(contributions, probabilities, strict=True)):
            sign = 1.0 if probability >= self.threshold else -1.0
            grouped = {"domain": float(values[domain_part].sum())}
            for name, value in zip(names, values, strict=True):
                if not name.startswith("domain__"):
                    grouped[name] = grouped.get(name, 0.0) + float(value)
            reasons: list[str] = []
            for name, value in sorted(grouped.items(), key=lambda item: -sign * item[1]):
                if sign * value <= 0.05 or len(reasons) >= top:
                    break
                text = _describe(name, features.iloc[row], towards_artificial=sign > 0)
                if text:
                    reasons.append(text)
            explanations.append(reasons)
        return explanations


def _describe(name: str, row: pd.Series, towards_artificial: bool) -> str:
    if name == "domain":
        kind = "resembles" if towards_artificial else "does not resemble"
        return f"domain name '{row[TEXT]}' {kind} known spam domains"
    short = name.split("__", 1)[-1]
    if short.startswith("anchor_class_"):
        return f"{short.removeprefix('anchor_class_')} anchor" if short != "anchor_class_infrequent_sklearn" else ""
    if short.startswith("source_tld_"):
        return f"top-level domain .{row['source_tld']}"
    if short in ("links_page_path", "paginated", "free_host", "ip_host"):
        words = {
            "links_page_path": "the URL names a links page",
            "paginated": "a paginated listing URL",
            "free_host": "on a free-host platform",
            "ip_host": "an IP address as host",
        }
        return words[short] if bool(row[short]) else ""
    if short == "anchor_spam_fraction":
        return "anchor uses spam vocabulary" if row[short] > 0 else ""
    return f"{short.replace('_', ' ')} {float(row[short]):.0f}"


def triage_model_path() -> Path:
    """The shipped triage model, beside the default model."""
    from toxiclinks.model import default_model_path

    return default_model_path().with_name(TRIAGE_MODEL_NAME)


def load_triage_model(path: Path | None = None) -> TriageModel:
    """Load the triage model, checked against its manifest before unpickling."""
    from toxiclinks.errors import ToxiclinksError
    from toxiclinks.model import load_checked

    model = load_checked(path or triage_model_path())
    if not isinstance(model, TriageModel):
        raise ToxiclinksError(f"{path}: not a toxiclinks triage model")
    return model


def score_triage(links: pd.DataFrame, features: pd.DataFrame, model: TriageModel) -> pd.DataFrame:
    """The scores table from the export alone (``features`` from ``triage_features``); nothing is disavowed,
    and every row says no page was read.
    """
    probability = model.predict_proba(features)
    reasons = model.explain(features)
    scores = pd.DataFrame(index=links.index)
    for column in (schema.SOURCE_URL, schema.TARGET_URL, schema.ANCHOR):
        scores[column] = links[column]
    scores[schema.PROBABILITY] = probability.round(4)
    scores[schema.LABEL] = np.where(probability >= model.threshold, schema.LABEL_ARTIFICIAL, schema.LABEL_NATURAL)
    scores[schema.REASONS] = ["triage, no page read: " + ("; ".join(r) or "no strong signal") for r in reasons]
    scores[schema.FETCH_STATUS] = "not_fetched"
    scores[schema.LEVEL] = links[schema.EXPORT_LEVEL] if schema.EXPORT_LEVEL in links.columns else "link"
    scores[schema.DISAVOW] = False
    scores[schema.DECISION] = "kept: triage only, no page read; run a full scan to disavow"
    return scores


def triage_training_rows(shared: Path, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Links and labels for the triage model from ../shared (see the module docstring). Deterministic for a seed."""

    from toxiclinks.default_data import REAL_PAGES, SPAMMERS
    from toxiclinks.extract import external_links, parse_page
    from toxiclinks.page import decode_html
    from toxiclinks.synthetic import COMMERCIAL_ANCHORS

    rng = random.Random(seed)
    natural: dict[str, tuple[str, str]] = {}
    with (shared / REAL_PAGES / "manifest.csv").open(encoding="utf-8") as stream:
        for entry in csv.DictReader(stream):
            page = parse_page(entry["url"], decode_html((shared / REAL_PAGES / entry["file"]).read_bytes()))
            for link in external_links(page):
                domain = registered_domain(link.url)
                if link.anchor and domain not in natural and "." in domain:
                    natural[domain] = (link.url, link.anchor)  # one link per real site
    spam = sorted(set((shared / SPAMMERS).read_text(encoding="utf-8").split()) - set(natural))
    count = min(len(natural), len(spam))
    natural_rows = rng.sample(sorted(natural.values()), count)
    anchors = [anchor for _, anchor in natural_rows]
    rows = [{schema.SOURCE_URL: url, schema.ANCHOR: anchor} for url, anchor in natural_rows]
    for domain, (url, _) in zip(rng.sample(spam, count), natural_rows, strict=True):
        # The same scheme, subdomain prefix (www., blog.) and path as a natural row: only the domain name differs.
        parts = urlsplit(url)
        host = parts.hostname or ""
        prefix = host[: -len(registered_domain(host))] if host.endswith(registered_domain(host)) else ""
        anchor = rng.choice(COMMERCIAL_ANCHORS) if rng.random() < 0.5 else rng.choice(anchors)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        rows.append({schema.SOURCE_URL: f"{parts.scheme}://{prefix}{domain}{path}", schema.ANCHOR: anchor})
    links = pd.DataFrame(rows)
    links[schema.TARGET_URL] = "https://target.example/"
    labels = np.array([0] * count + [1] * count)
    groups = links[schema.SOURCE_URL].map(registered_domain).to_numpy()
    return links, labels, groups

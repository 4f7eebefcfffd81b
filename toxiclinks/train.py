"""Fitting the link model, honestly measured: the default model from ../shared, and models on users' labels.

python -m toxiclinks.train --shared ../shared          # the default model, its manifest and model card
toxiclinks train labelled.csv -o models/mine.joblib    # a model on your own labelled links
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline

from toxiclinks import schema
from toxiclinks.default_data import (
    SEED,
    build_link_examples,
    evaluate_page_model,
    load_webspam,
    new_page_model,
    training_data_hash,
)
from toxiclinks.errors import ToxiclinksError
from toxiclinks.features.page import CLASSIC_FEATURES
from toxiclinks.model import (
    EXTENDED_INPUTS,
    LINK_MODEL_INPUTS,
    LinkSpamModel,
    load_model,
    model_inputs,
    new_link_model,
    page_spam_probability,
    save_model,
)
from toxiclinks.model_card import model_card
from toxiclinks.triage import TRIAGE_MODEL_NAME, TriageModel, new_triage_model, triage_features, triage_training_rows
from toxiclinks.urls import registered_domain

LOGGER = logging.getLogger(__name__)

TARGET_PRECISION = 0.95  #: the threshold is the lowest at which out-of-fold precision reaches this
MIN_LABELLED = 10


@dataclass(frozen=True)
class FittedLinkModel:
    """A link model fitted on all rows, its calibrator and threshold, and its out-of-fold metrics."""

    pipeline: Pipeline
    calibrator: IsotonicRegression
    threshold: float
    metrics: dict[str, Any]


def fit_link_model(
    inputs: pd.DataFrame,
    labels: np.ndarray,
    groups: np.ndarray,
    target_precision: float = TARGET_PRECISION,
    schemes: np.ndarray | None = None,
    new_model: Callable[[], Pipeline] = new_link_model,
) -> FittedLinkModel:
    """Fit the link model with honest, grouped out-of-fold metrics and calibration.

    Folds are grouped (no group on both sides). Each fold's raw probabilities
    are calibrated by an isotonic map fitted on the *other* folds' out-of-fold
    probabilities, so the reported metrics never see their own calibration. The
    threshold is the lowest probability at which out-of-fold precision reaches
    ``target_precision`` (never under 0.5); the final calibrator is fitted on
    all out-of-fold probabilities.
    """
    folds = min(5, len(set(groups)))
    if folds < 2 or len(set(labels.tolist())) < 2:
        raise ToxiclinksError("training needs labelled links of both kinds from at least 2 referring domains")
    splits = list(GroupKFold(n_splits=folds).split(inputs, labels, groups))
    raw = np.zeros(len(inputs))
    for train_index, test_index in splits:
        if len(set(labels[train_index].tolist())) < 2:
            raise ToxiclinksError("too few labelled links of one kind to cross-validate; label more of them")
        fold_model = new_model().fit(inputs.iloc[train_index], labels[train_index])
        raw[test_index] = fold_model.predict_proba(inputs.iloc[test_index])[:, 1]
    calibrated = np.zeros(len(inputs))
    for train_index, test_index in splits:
        calibrated[test_index] = _isotonic(raw[train_index], labels[train_index]).predict(raw[test_index])
    threshold = pick_threshold(labels, calibrated, target_precision)
    metrics = classification_metrics(labels, calibrated, threshold)
    metrics.update(
        examples=len(labels),
        artificial=int(labels.sum()),
        groups=len(set(groups)),
        folds=folds,
        target_precision=target_precision,
    )
    if schemes is not None:
        predicted = calibrated >= threshold
        metrics["recall_by_scheme"] = {
            str(scheme): float(predicted[schemes == scheme].mean())
            for scheme in sorted(set(schemes))
            if scheme != "natural"
        }
    pipeline = new_model().fit(inputs, labels)
    return FittedLinkModel(pipeline, _isotonic(raw, labels), threshold, metrics)


def _isotonic(raw: np.ndarray, labels: np.ndarray) -> IsotonicRegression:
    return IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, labels)


def pick_threshold(labels: np.ndarray, probability: np.ndarray, target_precision: float) -> float:
    """The lowest threshold (at least 0.5) whose precision reaches the target; the most precise one otherwise.

    >>> pick_threshold(np.array([0, 0, 1, 1, 1]), np.array([0.1, 0.6, 0.55, 0.8, 0.9]), 0.99)
    0.8
    """
    best, best_precision = 0.5, -1.0
    for threshold in sorted({float(p) for p in probability if p >= 0.5}):
        predicted = probability >= threshold
        precision = float(labels[predicted].mean())
        if precision >= target_precision:
            return round(threshold, 4)
        if precision > best_precision:
            best, best_precision = threshold, precision
    return round(best, 4)


def classification_metrics(labels: np.ndarray, probability: np.ndarray, threshold: float) -> dict[str, Any]:
    """ROC AUC, PR AUC, precision, recall, false-positive rate, confusion matrix and calibration."""
    predicted = (probability >= threshold).astype(int)
    natural = labels == 0
    bins = np.clip((probability * 10).astype(int), 0, 9)
    calibration = [
        {
            "bin": f"{b / 10:.1f}-{(b + 1) / 10:.1f}",
            "links": int((bins == b).sum()),
            "mean_probability": float(probability[bins == b].mean()),
            "artificial_share": float(labels[bins == b].mean()),
        }
        for b in range(10)
        if (bins == b).any()
    ]
    # expected calibration error: the gap between mean probability and observed share, weighted by bin size
    ece = sum(abs(probability[bins == b].mean() - labels[bins == b].mean()) * (bins == b).sum() for b in set(bins))
    both_kinds = len(set(labels.tolist())) == 2
    return {
        "roc_auc": float(roc_auc_score(labels, probability)) if both_kinds else float("nan"),
        "pr_auc": float(average_precision_score(labels, probability)) if both_kinds else float("nan"),
        "threshold": threshold,
        "precision": float(precision_score(labels, predicted, zero_division=0)),
        "recall": float(recall_score(labels, predicted, zero_division=0)),
        "false_positive_rate": float(predicted[natural].mean()) if natural.any() else 0.0,
        "confusion_matrix": confusion_matrix(labels, predicted, labels=[0, 1]).tolist(),
        "brier": float(brier_score_loss(labels, probability)),
        "expected_calibration_error": float(ece / len(labels)),
        "calibration": calibration,
    }


def evaluate_link_model(shared: Path, page_model: Any) -> dict[str, Any]:
    """Out-of-fold metrics of the default link model, 5 folds grouped by source page (as ``train_default``)."""
    examples = build_link_examples(shared, n_jobs=2)
    inputs = model_inputs(examples.features, page_spam_probability(page_model, examples.features), LINK_MODEL_INPUTS)
    fitted = fit_link_model(inputs, examples.labels, examples.groups, schemes=examples.scheme)
    return {f"link_{name}": value for name, value in fitted.metrics.items()}


def train_default(shared: Path, out: Path) -> dict[str, Any]:
    """Train, evaluate and save the default model; write its model card beside it. Returns the metrics."""
    webspam = load_webspam(shared)
    metrics: dict[str, Any] = evaluate_page_model(webspam)
    page_model = new_page_model().fit(webspam[list(CLASSIC_FEATURES)], webspam["y"])
    examples = build_link_examples(shared)
    inputs = model_inputs(examples.features, page_spam_probability(page_model, examples.features), LINK_MODEL_INPUTS)
    fitted = fit_link_model(inputs, examples.labels, examples.groups, schemes=examples.scheme)
    metrics.update({f"link_{name}": value for name, value in fitted.metrics.items()})
    model = LinkSpamModel(
        page_model_=page_model,
        link_model_=fitted.pipeline,
        input_names_=LINK_MODEL_INPUTS,
        calibrator_=fitted.calibrator,
        threshold=fitted.threshold,
    )
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
    triage_manifest = train_triage(shared, out.with_name(TRIAGE_MODEL_NAME))
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    (out.parent / "README.md").write_text(model_card(manifest, triage_manifest), encoding="utf-8")
    coefficients = dict(
        zip(
            fitted.pipeline[:-1].get_feature_names_out(list(inputs.columns)),
            fitted.pipeline[-1].coef_[0].round(3),
            strict=False,
        )
    )
    LOGGER.info("link model coefficients: %s", coefficients)
    return metrics


def train_triage(shared: Path, out: Path) -> dict[str, Any]:
    """Train and save the triage model (export-only signals); return its manifest."""
    links, labels, groups = triage_training_rows(shared, SEED)
    fitted = fit_link_model(triage_features(links), labels, groups, new_model=new_triage_model)
    model = TriageModel(pipeline_=fitted.pipeline, calibrator_=fitted.calibrator, threshold=fitted.threshold)
    manifest_file = save_model(
        model,
        out,
        extra={
            "metrics": fitted.metrics,
            "training_data_sha256": training_data_hash(shared),
            "training_rows": {"natural": int((labels == 0).sum()), "artificial": int(labels.sum())},
            "trained_on": date.today().isoformat(),
        },
    )
    return json.loads(manifest_file.read_text(encoding="utf-8"))


def train_on_labels(
    links: pd.DataFrame,
    features: pd.DataFrame,
    labels: pd.Series,
    out: Path,
    source: Path,
    label_source: str,
    target_precision: float = TARGET_PRECISION,
    default_data: Path | None = None,
) -> dict[str, Any]:
    """Train a model on a user's labelled links (optionally with the default training data) and save it.

    Only links whose page was read and whose label is known are used. Folds
    are grouped by referring domain. Without default data the model uses
    every signal and no WEBSPAM-trained part (so it does not inherit that
    data's licence); with it, it uses the default model's inputs, which both
    data sets have.
    """
    usable = (features[schema.FETCH_STATUS] == "ok") & labels.notna()
    if usable.sum() < MIN_LABELLED:
        raise ToxiclinksError(
            f"only {int(usable.sum())} labelled links with a readable page; at least {MIN_LABELLED} are needed"
        )
    user_features = features[usable]
    user_labels = labels[usable].astype(int).to_numpy()
    user_groups = links.loc[usable, schema.SOURCE_URL].map(registered_domain).to_numpy()
    if default_data is None:
        page_model = None
        metric_columns = [c for c in features.columns if c.startswith("metric_") and features[c].notna().any()]
        names = tuple(n for n in LINK_MODEL_INPUTS if n != "page_spam_probability") + EXTENDED_INPUTS
        names += tuple(metric_columns)
        inputs = model_inputs(user_features, None, names)
        all_labels, groups = user_labels, user_groups
    else:
        page_model = load_model().page_model_
        examples = build_link_examples(default_data)
        names = LINK_MODEL_INPUTS
        both = pd.concat([user_features, examples.features], ignore_index=True)
        inputs = model_inputs(both, page_spam_probability(page_model, both[list(CLASSIC_FEATURES)].fillna(0.0)), names)
        all_labels = np.concatenate([user_labels, examples.labels])
        groups = np.concatenate([user_groups, "default:" + examples.groups.astype(str)])
    fitted = fit_link_model(inputs, all_labels, groups, target_precision)
    model = LinkSpamModel(
        page_model_=page_model,
        link_model_=fitted.pipeline,
        input_names_=names,
        calibrator_=fitted.calibrator,
        threshold=fitted.threshold,
    )
    save_model(
        model,
        out,
        extra={
            "metrics": fitted.metrics,
            "training_data": {
                "file": source.name,
                "sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
                "labels_from": label_source,
                "labelled_links": int(usable.sum()),
                "artificial": int(user_labels.sum()),
                "with_default_data": default_data is not None,
            },
            "licence": "CC BY-NC-SA 2.5 (trained with WEBSPAM-UK2006)"
            if default_data is not None
            else "trained on your own labels only",
            "trained_on": date.today().isoformat(),
        },
    )
    return fitted.metrics


def format_metrics(metrics: dict[str, Any]) -> str:
    """The metrics as a few lines of text."""
    (tn, fp), (fn, tp) = metrics["confusion_matrix"]
    return "\n".join(
        [
            f"ROC AUC {metrics['roc_auc']:.3f}, PR AUC {metrics['pr_auc']:.3f}",
            f"at threshold {metrics['threshold']:.3f}: precision {metrics['precision']:.3f}, "
            f"recall {metrics['recall']:.3f}, false positives on natural links {metrics['false_positive_rate']:.3f}",
            f"confusion matrix: {tn} natural kept, {fp} natural flagged, "
            f"{fn} artificial missed, {tp} artificial caught",
            f"calibration: Brier {metrics['brier']:.3f}, expected calibration error "
            f"{metrics['expected_calibration_error']:.3f}",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m toxiclinks.train --shared ../shared [--out models/default.joblib]``."""
    parser = argparse.ArgumentParser(description="Train the default toxiclinks model from ../shared.")
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="the shared data folder")
    parser.add_argument("--out", type=Path, default=Path("models/default.joblib"), help="where to write the model")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    metrics = train_default(args.shared, args.out)
    for name, value in metrics.items():
        if name not in ("link_calibration",):
            print(f"{name}: {value}")


if __name__ == "__main__":
    main()

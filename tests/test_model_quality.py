"""The quality gate: the shipped model's held-out metrics and training data are pinned.

Raising a floor is fine; lowering one needs a reason in the commit message.
"""

import json

import pytest

from toxiclinks.default_data import evaluate_page_model, load_webspam, training_data_hash
from toxiclinks.model import default_model_path, load_model, manifest_path
from toxiclinks.train import evaluate_link_model

from conftest import SHARED

FLOORS = {
    "page_roc_auc": 0.77,
    "link_roc_auc": 0.90,
    "link_pr_auc": 0.92,
    "link_precision": 0.95,
    "link_recall": 0.85,
}
CEILINGS = {"link_false_positive_rate": 0.03, "link_expected_calibration_error": 0.08, "link_brier": 0.09}

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def manifest():
    return json.loads(manifest_path(default_model_path()).read_text())


def test_training_data_is_what_the_shipped_model_was_trained_on(manifest):
    assert training_data_hash(SHARED) == manifest["training_data_sha256"]


def test_shipped_metrics_meet_the_floors(manifest):
    metrics = manifest["metrics"]
    for name, floor in FLOORS.items():
        assert metrics[name] >= floor, f"{name} {metrics[name]:.3f} is under its floor {floor}"
    for name, ceiling in CEILINGS.items():
        assert metrics[name] <= ceiling, f"{name} {metrics[name]:.3f} is over its ceiling {ceiling}"
    assert manifest["threshold"] == metrics["link_threshold"] >= 0.5


def test_held_out_metrics_reproduce_from_the_code(manifest):
    """Re-run the held-out evaluation with today's code: a change that lowers a metric fails here."""
    metrics = {**evaluate_page_model(load_webspam(SHARED)), **evaluate_link_model(SHARED, load_model().page_model_)}
    for name, floor in FLOORS.items():
        assert metrics[name] >= floor, f"{name} {metrics[name]:.3f} is under its floor {floor}"
        assert metrics[name] == pytest.approx(manifest["metrics"][name], abs=0.02), f"{name} drifted"
    for name, ceiling in CEILINGS.items():
        assert metrics[name] <= ceiling, f"{name} {metrics[name]:.3f} is over its ceiling {ceiling}"


TRIAGE_FLOORS = {"roc_auc": 0.92, "pr_auc": 0.92, "precision": 0.94, "recall": 0.70}


def test_triage_metrics_meet_their_floors_and_reproduce():
    from toxiclinks.default_data import SEED
    from toxiclinks.train import fit_link_model
    from toxiclinks.triage import new_triage_model, triage_features, triage_model_path, triage_training_rows

    shipped = json.loads(manifest_path(triage_model_path()).read_text())
    assert shipped["training_data_sha256"] == training_data_hash(SHARED)
    links, labels, groups = triage_training_rows(SHARED, SEED)
    metrics = fit_link_model(triage_features(links), labels, groups, new_model=new_triage_model).metrics
    for name, floor in TRIAGE_FLOORS.items():
        assert shipped["metrics"][name] >= floor and metrics[name] >= floor, f"triage {name} under {floor}"
        assert metrics[name] == pytest.approx(shipped["metrics"][name], abs=0.02), f"triage {name} drifted"

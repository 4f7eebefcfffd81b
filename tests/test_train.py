"""Training on users' labels, evaluation, and the shipped model in a built wheel."""

import json
import subprocess
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from toxiclinks.cli import main
from toxiclinks.errors import ToxiclinksError
from toxiclinks.labels import labels_from_column
from toxiclinks.model import load_model, manifest_path
from toxiclinks.train import classification_metrics, fit_link_model, pick_threshold

from conftest import EXAMPLE, ROOT, SHARED

LABELLED = EXAMPLE / "labelled.csv"
OFFLINE = ["--pages", str(EXAMPLE / "pages.warc.gz"), "--offline"]


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("artificial", 1.0),
        ("Natural", 0.0),
        ("TOXIC", 1.0),
        ("ok", 0.0),
        ("disavow", 1.0),
        ("keep", 0.0),
        ("1", 1.0),
        ("0", 0.0),
        ("yes", 1.0),
        ("no", 0.0),
        ("", None),
        ("maybe", None),
    ],
)
def test_label_values(value, label):
    links = pd.DataFrame(
        {"export_raw": [json.dumps({"URL": "a", "Verdict": value}), json.dumps({"URL": "b", "Verdict": "ok"})]}
    )
    got = labels_from_column(links, "verdict")[0]
    assert np.isnan(got) if label is None else got == label


def test_no_label_column_is_a_clear_error():
    links = pd.DataFrame({"export_raw": [json.dumps({"URL": "a", "Anchor": "x"})]})
    with pytest.raises(ToxiclinksError, match=r"no label column found .*--disavowed"):
        labels_from_column(links)


def test_threshold_is_the_lowest_reaching_the_target_precision():
    labels = np.array([0, 0, 0, 1, 1, 1, 1])
    probability = np.array([0.1, 0.6, 0.7, 0.65, 0.8, 0.9, 0.95])
    assert pick_threshold(labels, probability, 0.99) == 0.8
    assert pick_threshold(labels, probability, 0.7) == 0.65  # 4 of 6 at 0.6 (0.67), 4 of 5 at 0.65 (0.8)


def test_metrics_count_the_confusion_matrix():
    metrics = classification_metrics(np.array([0, 0, 1, 1]), np.array([0.2, 0.9, 0.1, 0.95]), 0.5)
    assert metrics["confusion_matrix"] == [[1, 1], [1, 1]]
    assert metrics["precision"] == 0.5 and metrics["recall"] == 0.5 and metrics["false_positive_rate"] == 0.5


def test_training_needs_both_kinds_and_several_domains():
    inputs = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    with pytest.raises(ToxiclinksError, match="both kinds"):
        fit_link_model(inputs, np.array([1, 1, 1, 1]), np.array(["a", "b", "c", "d"]))
    with pytest.raises(ToxiclinksError, match="at least 2 referring domains"):
        fit_link_model(inputs, np.array([0, 1, 0, 1]), np.array(["a", "a", "a", "a"]))


def test_train_then_scan_and_evaluate_with_the_new_model(tmp_path):
    model_path = tmp_path / "mine.joblib"
    result = CliRunner().invoke(main, ["train", str(LABELLED), *OFFLINE, "-o", str(model_path)])
    assert result.exit_code == 0, result.output
    assert "trained on 19 labelled links (11 artificial)" in result.output and "ROC AUC" in result.output
    manifest = json.loads(manifest_path(model_path).read_text())
    assert manifest["training_data"]["labelled_links"] == 19
    assert manifest["training_data"]["with_default_data"] is False
    model = load_model(model_path)
    assert model.page_model_ is None  # trained on the user's labels alone: no WEBSPAM-trained part
    assert "topic_similarity" in model.input_names_ and "metric_domain_rating" in model.input_names_

    scan = CliRunner().invoke(
        main,
        [
            "scan",
            str(EXAMPLE / "backlinks.csv"),
            *OFFLINE,
            "--model",
            str(model_path),
            "-o",
            str(tmp_path / "d.txt"),
            "--scores",
            str(tmp_path / "s.csv"),
        ],
    )
    assert scan.exit_code == 0, scan.output
    scores = pd.read_csv(tmp_path / "s.csv")
    assert scores["reasons"].str.len().gt(0).all()

    report = tmp_path / "evaluation.html"
    evaluated = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(LABELLED),
            *OFFLINE,
            "--model",
            str(model_path),
            "--report",
            str(report),
            "--plots",
            str(tmp_path / "plots"),
        ],
    )
    assert evaluated.exit_code == 0, evaluated.output
    assert "19 labelled links" in evaluated.output and "confusion matrix" in evaluated.output
    page = report.read_text()
    assert page.count("data:image/png;base64,") == 3 and "Confusion matrix" in page
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "calibration.png",
        "precision_recall.png",
        "roc.png",
    ]


def test_old_disavow_file_as_labels(tmp_path):
    old = tmp_path / "old.txt"
    old.write_text(
        "# old file\ndomain:free-web-directory.example\ndomain:linkhub-pro.example\n"
        "domain:casino-news-daily.example\ndomain:autoparts-deals.example\n"
        "https://www.wanderer-travels.example/2025/12/lisbon-in-winter\n"
    )
    result = CliRunner().invoke(
        main,
        ["train", str(EXAMPLE / "backlinks.csv"), *OFFLINE, "--disavowed", str(old), "-o", str(tmp_path / "m.joblib")],
    )
    assert result.exit_code == 0, result.output
    assert "(8 artificial)" in result.output  # 2 directory pages, 3 car-parts pages, casino, linkhub, comment
    assert "few labelled links" in result.output  # 19 noisy labels: the metrics are unreliable, and it says so
    manifest = json.loads(manifest_path(tmp_path / "m.joblib").read_text())
    assert manifest["training_data"]["labels_from"] == "disavow file old.txt"


def test_training_on_too_few_labels_fails_cleanly(tmp_path):
    few = tmp_path / "few.csv"
    lines = LABELLED.read_text().splitlines()
    few.write_text("\n".join(lines[:6]) + "\n")
    result = CliRunner().invoke(main, ["train", str(few), *OFFLINE, "-o", str(tmp_path / "m.joblib")])
    assert result.exit_code != 0 and "at least 10 are needed" in result.output
    assert not (tmp_path / "m.joblib").exists()


@pytest.mark.shared
def test_train_with_the_default_data(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "train",
            str(LABELLED),
            *OFFLINE,
            "--with-default-data",
            "--shared",
            str(SHARED),
            "-o",
            str(tmp_path / "m.joblib"),
        ],
    )
    assert result.exit_code == 0, result.output
    model = load_model(tmp_path / "m.joblib")
    assert model.page_model_ is not None
    manifest = json.loads(manifest_path(tmp_path / "m.joblib").read_text())
    assert manifest["metrics"]["examples"] > 200 and "CC BY-NC-SA" in manifest["licence"]


def test_default_model_loads_from_a_built_wheel(tmp_path):
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("toxiclinks-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("default.joblib", "default.manifest.json", "triage.joblib", "triage.manifest.json"):
        assert f"toxiclinks/models/{name}" in names
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    check = (
        "import toxiclinks.model as m, toxiclinks.triage as t; p = m.default_model_path(); m.load_model(); "
        "t.load_triage_model(); "
        f"assert str(p).startswith({str(site)!r}), p; print('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-c", check],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"

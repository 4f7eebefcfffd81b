import json
import shutil

import numpy as np
import pandas as pd
import pytest

from toxiclinks.errors import ToxiclinksError
from toxiclinks.model import (
    FEATURE_SCHEMA_VERSION,
    LINK_MODEL_INPUTS,
    default_model_path,
    load_model,
    manifest_path,
    page_spam_probability,
)
from toxiclinks.pipeline import scan
from toxiclinks.settings import Settings

from conftest import EXAMPLE


@pytest.fixture(scope="module")
def model():
    return load_model()


@pytest.fixture(scope="module")
def example_features():
    result = scan(EXAMPLE / "backlinks.csv", Settings(pages_path=EXAMPLE / "pages.warc.gz", offline=True))
    return result.features[result.features["fetch_status"] == "ok"]


def test_default_model_manifest_matches_the_model(model):
    manifest = json.loads(manifest_path(default_model_path()).read_text())
    assert manifest["feature_schema_version"] == FEATURE_SCHEMA_VERSION
    assert model.link_model_[-1].coef_.shape == (1, len(LINK_MODEL_INPUTS))
    assert 0 < model.threshold < 1


def test_probabilities_are_probabilities_and_reasons_are_given(model, example_features):
    probability = model.predict_proba(example_features)
    assert ((probability >= 0) & (probability <= 1)).all()
    reasons = model.explain(example_features)
    assert len(reasons) == len(example_features) and all(reasons)


def test_reasons_follow_the_signals(model, example_features):
    hidden = example_features[example_features["link_hidden"].fillna(False).astype(bool)]
    assert len(hidden) == 1
    assert "link is hidden from readers" in model.explain(hidden)[0]
    footer = example_features[example_features["link_placement"] == "footer"].head(1)
    assert "link sits in the footer" in model.explain(footer)[0]


def test_moving_a_link_into_the_footer_raises_its_probability(model, example_features):
    main = example_features[example_features["link_placement"] == "main"].head(3).copy()
    moved = main.copy()
    moved["link_placement"] = "footer"
    assert (model.predict_proba(moved) > model.predict_proba(main)).all()


def test_page_model_alone_scores_classic_features(model):
    thin_link_page = {
        "words": 120,
        "title_words": 2,
        "avg_word_length": 6.5,
        "anchor_text_fraction": 0.9,
        "visible_text_fraction": 0.05,
        "compression_ratio": 4.0,
    }
    ordinary = {
        "words": 900,
        "title_words": 8,
        "avg_word_length": 5.0,
        "anchor_text_fraction": 0.08,
        "visible_text_fraction": 0.2,
        "compression_ratio": 2.2,
    }
    probability = page_spam_probability(model.page_model_, pd.DataFrame([thin_link_page, ordinary]))
    assert probability.shape == (2,) and np.all((probability >= 0) & (probability <= 1))
    with pytest.raises(ToxiclinksError, match="missing classic feature"):
        page_spam_probability(model.page_model_, pd.DataFrame([{"words": 1}]))


def _copy_model(tmp_path):
    target = tmp_path / "copy.joblib"
    shutil.copy(default_model_path(), target)
    shutil.copy(manifest_path(default_model_path()), manifest_path(target))
    return target


def test_a_tampered_model_is_refused_before_unpickling(tmp_path, monkeypatch):
    target = _copy_model(tmp_path)
    with target.open("r+b") as stream:
        stream.seek(100)
        byte = stream.read(1)
        stream.seek(100)
        stream.write(bytes([byte[0] ^ 0xFF]))
    import joblib

    monkeypatch.setattr(joblib, "load", lambda *a, **k: pytest.fail("unpickled a tampered model"))
    with pytest.raises(ToxiclinksError, match="SHA-256 does not match"):
        load_model(target)


def test_a_model_for_another_feature_schema_is_refused(tmp_path):
    target = _copy_model(tmp_path)
    manifest = json.loads(manifest_path(target).read_text())
    manifest["feature_schema_version"] = FEATURE_SCHEMA_VERSION + 1
    manifest_path(target).write_text(json.dumps(manifest))
    with pytest.raises(ToxiclinksError, match="feature schema"):
        load_model(target)


def test_a_model_without_manifest_or_file_is_refused(tmp_path):
    target = _copy_model(tmp_path)
    manifest_path(target).unlink()
    with pytest.raises(ToxiclinksError, match="no manifest"):
        load_model(target)
    with pytest.raises(ToxiclinksError, match="no such model"):
        load_model(tmp_path / "missing.joblib")


def test_another_scikit_learn_version_warns(tmp_path):
    target = _copy_model(tmp_path)
    manifest = json.loads(manifest_path(target).read_text())
    manifest["scikit_learn_version"] = "0.0.1"
    manifest_path(target).write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match="scikit-learn 0.0.1"):
        load_model(target)

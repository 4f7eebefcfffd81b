"""The classifier: turns the features table into a probability that each link is artificial.

Two stages, both scikit-learn:

* the page model: web-spam probability of the referring page from the six
  classic content features, trained on the human labels of WEBSPAM-UK2006;
* the link model: a logistic regression over the page model's output and the
  link signals (placement, anchor, density, vocabulary, ...). Logistic
  regression on standardised inputs gives each link's exact per-signal
  contributions, which become its reasons.

Models are saved with joblib beside a JSON manifest holding the file's
SHA-256; ``load_model`` checks it before unpickling anything.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from toxiclinks.errors import ToxiclinksError
from toxiclinks.extract import PLACEMENTS
from toxiclinks.features import is_true
from toxiclinks.features.link import ANCHOR_CLASSES
from toxiclinks.features.page import CLASSIC_FEATURES

LOGGER = logging.getLogger(__name__)

#: bump when the features table changes meaning; a model of another version is refused
FEATURE_SCHEMA_VERSION = 1
DEFAULT_MODEL_NAME = "default.joblib"

#: the link model's inputs, in order; built by ``model_inputs``
LINK_MODEL_INPUTS: tuple[str, ...] = (
    "page_spam_probability",
    "log_main_words",
    "log_outbound_link_density",
    "log_external_domains",
    "spam_word_fraction",
    "anchor_spam_fraction",
    "log_link_count",
    "link_hidden",
    "link_is_image",
    *(f"placement_{placement}" for placement in PLACEMENTS),
    *(f"anchor_{anchor_class}" for anchor_class in ANCHOR_CLASSES if anchor_class != "other"),
)


#: the features-table columns the link model reads (through ``model_inputs``)
MODEL_FEATURE_COLUMNS = frozenset(
    {
        *CLASSIC_FEATURES,
        "main_words",
        "outbound_link_density",
        "external_domains",
        "spam_word_fraction",
        "anchor_spam_fraction",
        "link_count",
        "link_hidden",
        "link_is_image",
        "link_placement",
        "anchor_class",
    }
)


def page_spam_probability(page_model: Any, classic: pd.DataFrame) -> np.ndarray:
    """Probability that each page is web spam, from the six classic content features.

    ``classic`` needs the columns ``words``, ``title_words``, ``avg_word_length``,
    ``anchor_text_fraction``, ``visible_text_fraction`` and ``compression_ratio``
    (as defined in Castillo et al. 2007). Researchers can call it on other
    labelled web-spam data with ``load_model().page_model_``.
    """
    missing = [name for name in CLASSIC_FEATURES if name not in classic.columns]
    if missing:
        raise ToxiclinksError(f"missing classic feature columns: {', '.join(missing)}")
    X = classic[list(CLASSIC_FEATURES)].astype(float)
    return np.asarray(page_model.predict_proba(X)[:, 1])


def model_inputs(features: pd.DataFrame, page_probability: np.ndarray) -> pd.DataFrame:
    """Turn the features table into the link model's numeric inputs (``LINK_MODEL_INPUTS``)."""

    def number(column: str) -> pd.Series:
        return pd.to_numeric(features[column], errors="coerce").astype(float).fillna(0.0)

    def flag(column: str) -> pd.Series:
        return features[column].map(is_true).astype(float)

    inputs = pd.DataFrame(index=features.index)
    inputs["page_spam_probability"] = page_probability
    inputs["log_main_words"] = np.log1p(number("main_words"))
    inputs["log_outbound_link_density"] = np.log1p(number("outbound_link_density"))
    inputs["log_external_domains"] = np.log1p(number("external_domains"))
    inputs["spam_word_fraction"] = number("spam_word_fraction")
    inputs["anchor_spam_fraction"] = number("anchor_spam_fraction")
    inputs["log_link_count"] = np.log1p(number("link_count"))
    inputs["link_hidden"] = flag("link_hidden")
    inputs["link_is_image"] = flag("link_is_image")
    for placement in PLACEMENTS:
        inputs[f"placement_{placement}"] = (features["link_placement"] == placement).astype(float)
    for anchor_class in ANCHOR_CLASSES:
        if anchor_class != "other":
            inputs[f"anchor_{anchor_class}"] = (features["anchor_class"] == anchor_class).astype(float)
    return inputs[list(LINK_MODEL_INPUTS)]


@dataclass
class LinkSpamModel:
    """A fitted two-stage model (see the module docstring). Learned attributes end in ``_``."""

    page_model_: Any
    link_model_: Pipeline
    threshold: float = 0.7
    metadata: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Probability that each link of the features table is artificial."""
        check_is_fitted(self.link_model_)
        inputs = self._inputs(features)
        return np.asarray(self.link_model_.predict_proba(inputs)[:, 1])

    def explain(self, features: pd.DataFrame, top: int = 3) -> list[list[str]]:
        """For each link, the few signals that pushed its probability most, in plain words.

        Contributions are exact for a logistic regression: coefficient times the
        standardised input. An artificial verdict lists the strongest pushes
        towards artificial; a natural one the strongest towards natural.
        """
        inputs = self._inputs(features)
        scaler, classifier = self.link_model_[0], self.link_model_[-1]
        standardised = scaler.transform(inputs)
        contributions = standardised * classifier.coef_[0]
        probabilities = classifier.predict_proba(standardised)[:, 1]
        explanations = []
        for row_index, (row_contributions, probability) in enumerate(zip(contributions, probabilities, strict=True)):
            sign = 1.0 if probability >= self.threshold else -1.0
            order = np.argsort(-sign * row_contributions)
            reasons: list[str] = []
            for column in order:
                if sign * row_contributions[column] <= 0.05 or len(reasons) >= top:
                    break
                name = LINK_MODEL_INPUTS[column]
                text = describe(name, features.iloc[row_index], inputs.iloc[row_index])
                if text and text not in reasons:
                    reasons.append(text)
            explanations.append(reasons)
        return explanations

    def _inputs(self, features: pd.DataFrame) -> pd.DataFrame:
        probability = page_spam_probability(self.page_model_, features[list(CLASSIC_FEATURES)].fillna(0.0))
        return model_inputs(features, probability)


def _count(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "?" if math.isnan(number) else f"{number:,.0f}"


def _plural(value: object, word: str) -> str:
    return f"{_count(value)} {word}" + ("" if _count(value) == "1" else "s")


#: a plain-words description of each model input's value for one link; "" says nothing worth showing
_DESCRIPTIONS: dict[str, Callable[[pd.Series, pd.Series], str]] = {
    "page_spam_probability": lambda f, x: (
        f"page content scores {x['page_spam_probability']:.2f} on the web-spam page model"
    ),
    "log_main_words": lambda f, x: f"{_plural(f['main_words'], 'word')} of main content",
    "log_outbound_link_density": lambda f, x: (
        f"{_plural(f['external_links'], 'external link')} ({float(f['outbound_link_density']):.1f} per 100 words)"
    ),
    "log_external_domains": lambda f, x: f"page links to {_plural(f['external_domains'], 'other site')}",
    "spam_word_fraction": lambda f, x: (
        f"spam vocabulary is {100 * float(f['spam_word_fraction']):.1f}% of the page's words"
        if float(f["spam_word_fraction"]) > 0
        else "no spam vocabulary on the page"
    ),
    "anchor_spam_fraction": lambda f, x: (
        f"anchor '{f['page_anchor']}' uses spam vocabulary" if float(f["anchor_spam_fraction"]) > 0 else ""
    ),
    "log_link_count": lambda f, x: f"{_plural(f['link_count'], 'link')} to the target on the page",
    "link_hidden": lambda f, x: "link is hidden from readers" if x["link_hidden"] else "",
    "link_is_image": lambda f, x: "image link" if x["link_is_image"] else "",
}


def _placement_text(features: pd.Series, inputs: pd.Series, where: str) -> str:
    return f"link sits in {where}"


def _anchor_text(features: pd.Series, inputs: pd.Series, words: str) -> str:
    return f"{words} '{features['page_anchor']}'"


_PLACES = {"main": "the main content", "body": "the page body, outside the main content"}
for _placement in PLACEMENTS:
    _where = _PLACES.get(_placement, f"the {_placement}")
    _DESCRIPTIONS[f"placement_{_placement}"] = functools.partial(_placement_text, where=_where)
_ANCHOR_WORDS = {
    "empty": "empty anchor",
    "url": "naked-URL anchor",
    "generic": "generic anchor",
    "brand": "brand anchor",
    "exact": "exact-match anchor",
    "partial": "partial-match anchor",
}
for _class, _words in _ANCHOR_WORDS.items():
    _DESCRIPTIONS[f"anchor_{_class}"] = functools.partial(_anchor_text, words=_words)


def describe(name: str, features: pd.Series, inputs: pd.Series) -> str:
    """One plain-words reason for a model input of one link ("" when it says nothing)."""
    if name.startswith(("placement_", "anchor_")) and name != "anchor_spam_fraction" and inputs[name] == 0:
        return ""  # the absence of a placement or anchor class is no reason to show a user
    return _DESCRIPTIONS[name](features, inputs)


# --- saving and loading -------------------------------------------------------


def default_model_path() -> Path:
    """The default model shipped in ``models/`` (installed as ``toxiclinks.models``)."""
    try:
        return Path(str(resources.files("toxiclinks.models").joinpath(DEFAULT_MODEL_NAME)))
    except ModuleNotFoundError:
        # Running from a source checkout that shadows a non-editable install: models/ sits beside the package.
        return Path(__file__).resolve().parent.parent / "models" / DEFAULT_MODEL_NAME


def manifest_path(model_path: Path) -> Path:
    """The manifest beside a model file: ``default.joblib`` -> ``default.manifest.json``."""
    return model_path.with_suffix(".manifest.json")


def save_model(model: LinkSpamModel, path: str | Path, extra: Mapping[str, Any] | None = None) -> Path:
    """Save a model with joblib, then its manifest (versions, schema, SHA-256). Returns the manifest path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    joblib.dump(model, temporary, compress=3)
    os.replace(temporary, path)
    manifest = {
        "file": path.name,
        "sha256": _sha256(path),
        "scikit_learn_version": sklearn.__version__,
        "feature_schema_version": FEATURE_SCHEMA_VERSION,
        "threshold": model.threshold,
        **(extra or {}),
    }
    target = manifest_path(path)
    target.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def load_model(path: str | Path | None = None) -> LinkSpamModel:
    """Load a model, refusing it before unpickling when its hash does not match its manifest.

    Refuses a model built for another feature-schema version; warns when it was
    trained with another scikit-learn version.
    """
    path = Path(path) if path else default_model_path()
    manifest_file = manifest_path(path)
    if not path.is_file():
        raise ToxiclinksError(f"{path}: no such model file")
    if not manifest_file.is_file():
        raise ToxiclinksError(
            f"{path}: no manifest {manifest_file.name} beside it; refusing to load an unchecked model"
        )
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ToxiclinksError(f"{manifest_file}: unreadable manifest ({exc})") from None
    if manifest.get("sha256") != _sha256(path):
        raise ToxiclinksError(f"{path}: SHA-256 does not match its manifest; refusing to load it")
    if manifest.get("feature_schema_version") != FEATURE_SCHEMA_VERSION:
        raise ToxiclinksError(
            f"{path}: built for feature schema {manifest.get('feature_schema_version')}, "
            f"this toxiclinks uses {FEATURE_SCHEMA_VERSION}; retrain it with 'toxiclinks train'"
        )
    if manifest.get("scikit_learn_version") != sklearn.__version__:
        warnings.warn(
            f"{path.name} was trained with scikit-learn {manifest.get('scikit_learn_version')}, "
            f"this is {sklearn.__version__}; results may differ slightly",
            stacklevel=2,
        )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="sklearn")
        model = joblib.load(path)
    if not isinstance(model, LinkSpamModel):
        raise ToxiclinksError(f"{path}: not a toxiclinks model")
    model.metadata = manifest
    return model


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

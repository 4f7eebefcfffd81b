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
import importlib.metadata
import json
import logging
import math
import os
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import joblib
import numpy as np
import pandas as pd

from toxiclinks.errors import ToxiclinksError
from toxiclinks.extract import PLACEMENTS
from toxiclinks.features import is_true
from toxiclinks.features.link import ANCHOR_CLASSES
from toxiclinks.features.page import CLASSIC_FEATURES

if TYPE_CHECKING:  # scikit-learn is imported where a model is made or unpickled: a triage needs none (0.8 s)
    from sklearn.isotonic import IsotonicRegression
    from sklearn.pipeline import Pipeline

LOGGER = logging.getLogger(__name__)

#: bump when the features table changes meaning; a model of another version is refused
FEATURE_SCHEMA_VERSION = 2
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


#: further inputs a model trained on a user's own labelled links may use. The default model cannot learn
#: them: its natural and artificial examples are twins of the same page, with the same URL and profile.
EXTENDED_INPUTS: tuple[str, ...] = (
    "topic_similarity",
    "has_author",
    "has_date",
    "log_words",
    "title_words",
    "link_position",
    "subdomain_depth",
    "hostname_length",
    "hostname_digits",
    "hostname_hyphens",
    "ip_host",
    "free_host",
    "path_depth",
    "links_page_path",
    "paginated",
    "profile_exact_anchor_share",
    "anchor_text_share",
    "log_domain_link_count",
    "subnet_share",
    "velocity_share",
)
_BOOLEAN_INPUTS = {"has_author", "has_date", "ip_host", "free_host", "links_page_path", "paginated"}


def page_spam_probabilities(classic: pd.DataFrame, model: LinkSpamModel | None = None) -> np.ndarray:
    """Web-spam probability of pages from the six classic content features, with the default model's page part.

    For researchers checking it on other labelled web-spam data: ``classic``
    needs the columns ``words``, ``title_words``, ``avg_word_length``,
    ``anchor_text_fraction``, ``visible_text_fraction`` and
    ``compression_ratio`` (definitions of Castillo et al. 2007). The page part
    is trained on WEBSPAM-UK2006 (CC BY-NC-SA 2.5).

    >>> import pandas as pd
    >>> thin = {"words": 120, "title_words": 2, "avg_word_length": 6.5, "anchor_text_fraction": 0.9,
    ...         "visible_text_fraction": 0.05, "compression_ratio": 4.0}
    >>> probability = page_spam_probabilities(pd.DataFrame([thin]))
    >>> 0.0 <= float(probability[0]) <= 1.0
    True
    """
    model = model or load_model()
    if model.page_model_ is None:
        raise ToxiclinksError("this model has no page part (it was trained on your labels alone)")
    return page_spam_probability(model.page_model_, classic)


def model_inputs(features: pd.DataFrame, page_probability: np.ndarray | None, names: Sequence[str]) -> pd.DataFrame:
    """Turn the features table into a model's numeric inputs, in the order of ``names``.

    The default inputs (``LINK_MODEL_INPUTS``) read missing values as 0; the
    extended ones and the export's ``metric_*`` columns keep them missing, for
    the model's imputer (which also learns from the fact that they are missing).
    """

    def number(column: str, fill: float | None = 0.0) -> pd.Series:
        if column not in features.columns:
            return pd.Series(np.nan, index=features.index, dtype=float)
        values = pd.to_numeric(features[column], errors="coerce").astype(float)
        return values if fill is None else values.fillna(fill)

    def flag(column: str) -> pd.Series:
        return features[column].map(is_true).astype(float)

    inputs = pd.DataFrame(index=features.index)
    inputs["page_spam_probability"] = page_probability if page_probability is not None else np.nan
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
    for name in names:
        if name in inputs.columns:
            continue
        if name in _BOOLEAN_INPUTS:
            inputs[name] = features[name].map(lambda v: np.nan if v is pd.NA or v is None else float(bool(v)))
        elif name.startswith("log_"):
            inputs[name] = np.log1p(number(name.removeprefix("log_"), fill=None))
        else:
            inputs[name] = number(name, fill=None)
    return inputs[list(names)].astype(float)


def new_link_model() -> Pipeline:
    """Impute (with missing-value indicators), standardise, logistic regression: exact per-link contributions."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(C=0.5, max_iter=5000),
    )


@dataclass
class LinkSpamModel:
    """A fitted model (see the module docstring). Learned attributes end in ``_``.

    ``page_model_`` is None for a model trained on a user's labels alone; then
    ``page_spam_probability`` is not among ``input_names_``. ``calibrator_``
    maps the link model's raw probability to a calibrated one (isotonic,
    fitted on out-of-fold predictions).
    """

    page_model_: Any
    link_model_: Pipeline
    input_names_: tuple[str, ...] = LINK_MODEL_INPUTS
    calibrator_: IsotonicRegression | None = None
    threshold: float = 0.7
    metadata: dict[str, Any] = field(default_factory=dict)

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that each link of the features table is artificial."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self.link_model_)
        return self._calibrate(np.asarray(self.link_model_.predict_proba(self.inputs(features))[:, 1]))

    def explain(self, features: pd.DataFrame, top: int = 3, threshold: float | None = None) -> list[list[str]]:
        """For each link, the few signals that pushed its probability most, in plain words.

        Contributions are exact for a logistic regression: coefficient times the
        imputed, standardised input. An artificial verdict (at ``threshold``,
        the model's own by default) lists the strongest pushes towards
        artificial; a natural one the strongest towards natural.
        """
        inputs = self.inputs(features)
        prepared = self.link_model_[:-1].transform(inputs)
        names = list(self.link_model_[:-1].get_feature_names_out(list(self.input_names_)))
        classifier = self.link_model_[-1]
        contributions = prepared * classifier.coef_[0]
        probabilities = self._calibrate(classifier.predict_proba(prepared)[:, 1])
        threshold = self.threshold if threshold is None else threshold
        explanations = []
        for row_index, (row_contributions, probability) in enumerate(zip(contributions, probabilities, strict=True)):
            sign = 1.0 if probability >= threshold else -1.0
            reasons: list[str] = []
            for column in np.argsort(-sign * row_contributions):
                if sign * row_contributions[column] <= 0.05 or len(reasons) >= top:
                    break
                if names[column] not in inputs.columns:
                    continue  # a missing-value indicator: no reason to show a user
                text = describe(names[column], features.iloc[row_index], inputs.iloc[row_index])
                if text and text not in reasons:
                    reasons.append(text)
            explanations.append(reasons)
        return explanations

    def inputs(self, features: pd.DataFrame) -> pd.DataFrame:
        """The model's numeric inputs for a features table."""
        probability = None
        if self.page_model_ is not None:
            probability = page_spam_probability(self.page_model_, features[list(CLASSIC_FEATURES)].fillna(0.0))
        return model_inputs(features, probability, self.input_names_)

    def _calibrate(self, raw: np.ndarray) -> np.ndarray:
        return np.asarray(self.calibrator_.predict(raw)) if self.calibrator_ is not None else raw


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
    "log_link_count": lambda f, x: (
        f"{_plural(f['link_count'], 'link')} to the target on the page" if float(f["link_count"]) > 0 else ""
    ),
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


_DESCRIPTIONS.update(
    {
        "topic_similarity": lambda f, x: (
            f"topic similarity to the target {float(f['topic_similarity']):.2f}"
            if not pd.isna(f["topic_similarity"])
            else ""
        ),
        "has_author": lambda f, x: "the page names an author" if is_true(f["has_author"]) else "no author named",
        "has_date": lambda f, x: "the page is dated" if is_true(f["has_date"]) else "no publication date",
        "free_host": lambda f, x: "on a free-host platform" if is_true(f["free_host"]) else "",
        "links_page_path": lambda f, x: "the URL names a links page" if is_true(f["links_page_path"]) else "",
        "anchor_text_share": lambda f, x: (
            f"{100 * float(f['anchor_text_share']):.0f}% of the profile uses this anchor"
            if not pd.isna(f["anchor_text_share"])
            else ""
        ),
        "log_domain_link_count": lambda f, x: f"{_plural(f['domain_link_count'], 'link')} from this referring domain",
    }
)


def describe(name: str, features: pd.Series, inputs: pd.Series) -> str:
    """One plain-words reason for a model input of one link ("" when it says nothing)."""
    if name.startswith(("placement_", "anchor_")) and name != "anchor_spam_fraction" and inputs[name] == 0:
        return ""  # the absence of a placement or anchor class is no reason to show a user
    if name in _DESCRIPTIONS:
        return _DESCRIPTIONS[name](features, inputs)
    value = inputs[name]
    if pd.isna(value):
        return ""
    label = name.removeprefix("log_").removeprefix("metric_").replace("_", " ")
    shown = features.get(name.removeprefix("log_"), value)
    return f"{label}: {float(shown):.3g}" if isinstance(shown, (int, float, np.number)) else f"{label}: {shown}"


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


def save_model(model: Any, path: str | Path, extra: Mapping[str, Any] | None = None) -> Path:
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
        "scikit_learn_version": _scikit_learn_version(),
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
    model = load_checked(Path(path) if path else default_model_path())
    if not isinstance(model, LinkSpamModel):
        raise ToxiclinksError(f"{path}: not a toxiclinks link model")
    return model


def load_checked(path: Path) -> Any:
    """Unpickle a model file only after checking it against its manifest (hash, schema, versions)."""
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
    if manifest.get("scikit_learn_version") != _scikit_learn_version():
        warnings.warn(
            f"{path.name} was trained with scikit-learn {manifest.get('scikit_learn_version')}, "
            f"this is {_scikit_learn_version()}; results may differ slightly",
            stacklevel=2,
        )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="sklearn")
        model = joblib.load(path)
    if hasattr(model, "metadata"):
        model.metadata = manifest
    return model


def _scikit_learn_version() -> str:
    """The installed scikit-learn's version, from its metadata: without importing it."""
    return importlib.metadata.version("scikit-learn")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

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
import itertools
import pickle
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toxiclinks import schema
from toxiclinks.exports import ExportFormat, link_hashes, links_table, text_array
from toxiclinks.features.link import ANCHOR_CLASSES, classify_anchors
from toxiclinks.features.url import url_features_table
from toxiclinks.features.vocabulary import spam_word_fractions
from toxiclinks.settings import Settings
from toxiclinks.urls import brand_of, plain_registered_domains, registered_domain

if TYPE_CHECKING:  # scikit-learn is imported where a model is made or read: a triage's workers never import it
    from sklearn.isotonic import IsotonicRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

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


def triage_features(
    links: pd.DataFrame, brand: tuple[str, ...] = (), keywords: tuple[str, ...] = (), has_anchors: bool = True
) -> pd.DataFrame:
    """The signals of each link that the export alone gives: URL shape, domain name and anchor.

    ``has_anchors``: whether the export gives anchor texts. Without (a URL list,
    Search Console), the anchor signals are missing, not those of an empty
    anchor: the model fills in its training medians and gives no reason from them.

    Column-wise: host signals are computed once per distinct host and anchor
    signals once per distinct anchor, so a million links cost seconds.

    >>> links = pd.DataFrame({"source_url": ["http://best-seo-links4u.example/links.html"],
    ...                       "target_url": ["https://shop.example/"], "anchor": ["cheap casino bonus"]})
    >>> row = triage_features(links).iloc[0]
    >>> row["domain_name"], bool(row["links_page_path"]), row["anchor_class"]
    ('best-seo-links4u', True, 'other')
    """
    table = url_features_table(links[schema.SOURCE_URL])
    domains = pc.dictionary_encode(text_array(table["source_domain"]))  # a domain has many links: once each
    names = pc.replace_substring_regex(domains.dictionary, r"\.[^.]*$", "")  # the name without its last label
    table[TEXT] = pd.Series(names.take(domains.indices), index=table.index, dtype="str")
    anchors = links[schema.ANCHOR].fillna("").astype(str)
    targets = links[schema.TARGET_URL].fillna("").astype(str)
    # The brand of an anchor depends on its target only through the target's brand word.
    target_codes, unique_targets = pd.factorize(targets)
    brands = np.array([brand_of(url) if url else "" for url in unique_targets], dtype=object)[target_codes]
    anchor_codes, unique_anchors = pd.factorize(anchors)
    brand_codes, unique_brands = pd.factorize(brands)
    pair_codes, unique_pairs = pd.factorize(anchor_codes * len(unique_brands) + brand_codes)
    pair_anchors, pair_brands = divmod(unique_pairs, len(unique_brands))
    anchor_texts = unique_anchors.tolist()
    brand_lists = [brand or ((word,) if word else ()) for word in unique_brands.tolist()]
    classes = classify_anchors([anchor_texts[a] for a in pair_anchors.tolist()], brand_lists, pair_brands, keywords)
    table["anchor_class"] = classes[pair_codes]
    table["anchor_words"] = np.array([float(len(a.split())) for a in anchor_texts])[anchor_codes]
    table["anchor_spam_fraction"] = spam_word_fractions(anchor_texts)[anchor_codes]
    if not has_anchors:
        table["anchor_class"] = None
        table[["anchor_words", "anchor_spam_fraction"]] = np.nan
    table.index = links.index
    for column in NUMERIC:
        table[column] = table[column].astype(float)
    return table


def new_triage_model() -> Pipeline:
    """Domain-name character n-grams, URL and anchor signals, one logistic regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

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
    """A fitted triage model. Learned attributes end in ``_``.

    Scoring goes through ``scorer()``, the same model as plain arrays; the
    methods here are that scorer's, for callers that hold the model.
    """

    pipeline_: Pipeline
    calibrator_: IsotonicRegression
    threshold: float = 0.8
    metadata: dict[str, Any] = field(default_factory=dict)

    def scorer(self) -> TriageScorer:
        """The model as plain arrays (``TriageScorer``): what a worker process gets, with no scikit-learn."""
        saved = self.__dict__.get("_saved_scorer")
        if saved is not None:  # loaded from a file, the pipeline untouched
            return saved
        columns, classifier = self.pipeline_[0], self.pipeline_[-1]
        weights, spans = classifier.coef_[0], columns.output_indices_
        vectorizer = columns.named_transformers_["domain"]
        imputer, scaler = columns.named_transformers_["numbers"]
        return TriageScorer(
            domain_terms=dict(vectorizer.vocabulary_),
            domain_term_set=pa.array(list(vectorizer.vocabulary_), type=pa.string()),
            domain_term_columns=np.array(list(vectorizer.vocabulary_.values()), dtype=np.int64),
            domain_ngrams=tuple(vectorizer.ngram_range),
            domain_idf=np.asarray(vectorizer.idf_, dtype=float),
            domain_weights=weights[spans["domain"]],
            number_fill=np.asarray(imputer.statistics_, dtype=float),
            number_mean=np.asarray(scaler.mean_, dtype=float),
            number_scale=np.asarray(scaler.scale_, dtype=float),
            number_weights=weights[spans["numbers"]],
            category_shares=_category_shares(columns.named_transformers_["categories"], weights[spans["categories"]]),
            intercept=float(classifier.intercept_[0]),
            calibration_bounds=(float(self.calibrator_.X_min_), float(self.calibrator_.X_max_)),
            calibration_x=np.asarray(self.calibrator_.X_thresholds_, dtype=float),
            calibration_y=np.asarray(self.calibrator_.y_thresholds_, dtype=float),
            threshold=self.threshold,
            infrequent_anchor_classes=_infrequent(columns.named_transformers_["categories"], "anchor_class"),
        )

    def __getstate__(self) -> dict[str, Any]:
        """Pickled as its scorer's plain arrays and, apart, the fitted pipeline in a pickle of its own: a triage
        loads the model without unpickling a scikit-learn object, so without importing it (0.8 s of start-up)."""
        fitted = pickle.dumps((self.pipeline_, self.calibrator_), protocol=pickle.HIGHEST_PROTOCOL)
        return {"scorer": self.scorer(), "fitted": fitted, "threshold": self.threshold, "metadata": self.metadata}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.threshold, self.metadata = state["threshold"], state["metadata"]
        self._saved_scorer, self._fitted = state["scorer"], state["fitted"]

    def __getattr__(self, name: str) -> Any:
        """The fitted pipeline and calibrator of a loaded model, unpickled when first asked for; from then on
        the scorer is made from them (they may be changed)."""
        if name not in ("pipeline_", "calibrator_") or "_fitted" not in self.__dict__:
            raise AttributeError(name)
        self.pipeline_, self.calibrator_ = pickle.loads(self.__dict__.pop("_fitted"))
        self.__dict__.pop("_saved_scorer", None)
        return self.__dict__[name]

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that each link is artificial, from the export alone."""
        return self.scorer().predict_proba(features)

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Each signal's exact share of each link's logit (see ``TriageScorer.contributions``)."""
        return self.scorer().contributions(features)

    def explain(self, features: pd.DataFrame, top: int = 3) -> list[list[str]]:
        """The signals that pushed each link most, in plain words (exact logistic contributions)."""
        return self.scorer().explain(features, top)


def _category_shares(encoder: OneHotEncoder, weights: np.ndarray) -> tuple[dict[str, float], ...]:
    """Each categorical column's share of the logit for each category it knows (an unknown one encodes to
    zeros: no share), from the encoder itself, infrequent categories and all."""
    output_names = encoder.get_feature_names_out()
    shares = []
    for column, categories in zip(CATEGORICAL, encoder.categories_, strict=True):
        frame = pd.DataFrame({other: [known[0]] * len(categories)
                              for other, known in zip(CATEGORICAL, encoder.categories_, strict=True)})  # fmt: skip
        frame[column] = categories
        encoded = encoder.transform(frame)
        per_category = (encoded.toarray() if hasattr(encoded, "toarray") else np.asarray(encoded)) * weights
        mine = np.array([name.startswith(f"{column}_") for name in output_names])
        shares.append(dict(zip(categories.tolist(), per_category[:, mine].sum(axis=1).tolist(), strict=True)))
    return tuple(shares)


def _infrequent(encoder: OneHotEncoder, column: str) -> frozenset[str]:
    infrequent = getattr(encoder, "infrequent_categories_", None) or [None] * len(CATEGORICAL)
    found = infrequent[CATEGORICAL.index(column)]
    return frozenset(found) if found is not None else frozenset()


@dataclass(frozen=True)
class TriageScorer:
    """A fitted triage model as plain arrays: scores, contributions and reasons without scikit-learn.

    What ``TriageModel.scorer`` makes and the triage's worker processes get:
    they then import no scikit-learn (about 1 s of a worker's start-up on 2
    cores). Computes what the fitted pipeline computes, in its order of
    operations: the same numbers (a test compares them).
    """

    domain_terms: Mapping[str, int]  #: the domain name n-grams the vectorizer knows, and their columns
    domain_term_set: pa.Array  #: the same n-grams in Arrow, for ``index_in``
    domain_term_columns: np.ndarray  #: and their columns, in that order
    domain_ngrams: tuple[int, int]  #: shortest and longest n-gram
    domain_idf: np.ndarray
    domain_weights: np.ndarray
    number_fill: np.ndarray  #: the imputer's medians
    number_mean: np.ndarray
    number_scale: np.ndarray
    number_weights: np.ndarray
    category_shares: tuple[Mapping[str, float], ...]  #: per ``CATEGORICAL`` column: the share of each category
    intercept: float
    calibration_bounds: tuple[float, float]  #: raw probabilities are clipped to these before calibration
    calibration_x: np.ndarray
    calibration_y: np.ndarray
    threshold: float
    infrequent_anchor_classes: frozenset[str]

    def predict_proba(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated probability that each link is artificial, from the export alone."""
        return self._probability(self.contributions(features))

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Each signal's exact share of each link's logit (columns ``CONTRIBUTION_GROUPS``); with the intercept
        they sum to the logistic regression's decision value.

        The domain-name n-grams are weighed once per distinct name and the
        categories once per distinct value: the cost is a few array operations
        per link, whatever the size of the n-gram vocabulary.
        """
        parts, _ = self._contributions(features)
        return pd.DataFrame(parts, index=features.index, columns=list(CONTRIBUTION_GROUPS))

    def _contributions(self, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """``contributions`` as an array, and the ``NUMERIC`` signals as given (NaN where missing)."""
        parts = np.zeros((len(features), len(CONTRIBUTION_GROUPS)))
        codes, names = pd.factorize(features[TEXT].fillna("").astype(str))
        parts[:, 0] = self._domain_shares(names.tolist())[codes] if len(names) else 0.0
        given = features[list(NUMERIC)].to_numpy(dtype=float)
        numbers = np.where(np.isnan(given), self.number_fill, given)  # the imputer's medians where missing
        numbers -= self.number_mean  # as the scaler does it, in place: the same bits
        numbers /= self.number_scale
        parts[:, 1 : 1 + len(NUMERIC)] = numbers * self.number_weights
        for offset, column in enumerate(CATEGORICAL):
            value_codes, values = pd.factorize(features[column].astype(str), use_na_sentinel=False)
            shares = np.array([self.category_shares[offset].get(value, 0.0) for value in values.tolist()])
            parts[:, 1 + len(NUMERIC) + offset] = shares[value_codes] if len(values) else 0.0
        return parts, given

    def _domain_shares(self, names: list[str]) -> np.ndarray:
        """The domain n-grams' share of the logit for each name, each name's n-grams counted once per process.

        The names of a large export repeat from chunk to chunk (one domain, many
        links), and counting n-grams in Python is most of a chunk's scoring.
        """
        known = _DOMAIN_SHARES.setdefault(self.domain_weights.tobytes(), {})
        if len(known) > _DOMAIN_SHARES_KEPT:
            known.clear()
        new = list(itertools.filterfalse(known.__contains__, names))  # C loops, not Python's
        if new:
            known.update(zip(new, _char_ngram_shares(new, self).tolist(), strict=True))
        return np.fromiter(map(known.__getitem__, names), dtype=float, count=len(names))

    def _probability(self, contributions: pd.DataFrame | np.ndarray) -> np.ndarray:
        logit = np.asarray(contributions).sum(axis=1) + self.intercept
        raw = np.clip(1.0 / (1.0 + np.exp(-logit)), *self.calibration_bounds)
        x, y = self.calibration_x, self.calibration_y
        if len(x) == 1:
            return np.repeat(y, len(raw))
        # Linear interpolation between the isotonic steps, as the calibrator's own (SciPy's) computes it.
        upper = np.clip(np.searchsorted(x, raw), 1, len(x) - 1)
        lower = upper - 1
        slope = (y[upper] - y[lower]) / (x[upper] - x[lower])
        return np.asarray(slope * (raw - x[lower]) + y[lower])

    def explain(self, features: pd.DataFrame, top: int = 3) -> list[list[str]]:
        """The signals that pushed each link most, in plain words (exact logistic contributions)."""
        _, reasons, words = self.scored(features, top)
        return [[words[code] for code in row if code] for row in reasons.tolist()]

    def scored(self, features: pd.DataFrame, top: int = 3) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Probabilities and reasons in one pass over the contributions.

        The reasons are a (link, ``top``) array of codes into the list of words
        returned with it, strongest first, 0 (the word "") where a link has
        fewer: the signals that pushed the link towards its label by more than
        0.05 of the logit and have something to say.
        """
        contributions, given = self._contributions(features)
        probabilities = self._probability(contributions)
        towards = probabilities >= self.threshold
        signed = contributions * np.where(towards, 1.0, -1.0)[:, None]
        # The strongest of the signals that may speak, picked one rank at a time: a full sort of every link's
        # signals cost three times as much. argmax takes the first of equals, as a stable sort would.
        candidates = np.where((signed > 0.05) & self._says_something(features, given), signed, -np.inf)
        links = np.arange(len(features))
        picked = np.full((len(features), top), -1, dtype=np.int64)  # the signal at each rank, -1 for none
        for rank in range(top):
            strongest = candidates.argmax(axis=1)
            found = candidates[links, strongest] > -np.inf
            picked[found, rank] = strongest[found]
            candidates[links, strongest] = -np.inf
        reasons, words = self._reason_words(features, picked, towards)
        return probabilities, reasons, words

    def _says_something(self, features: pd.DataFrame, given: np.ndarray) -> np.ndarray:
        """A (link, signal) array: whether the signal has words for the link (``_describe_value`` is not "");
        ``given``: the ``NUMERIC`` signals as a (link, signal) array, NaN where missing."""
        says = np.ones((len(features), len(CONTRIBUTION_GROUPS)), dtype=bool)  # a domain name always speaks
        numeric = ~np.isnan(given)
        for number, group in enumerate(NUMERIC):
            if group in _FLAG_WORDS:
                numeric[:, number] &= given[:, number] != 0
            elif group == "anchor_spam_fraction":
                numeric[:, number] &= given[:, number] > 0
        says[:, 1 : 1 + len(NUMERIC)] = numeric
        for offset, group in enumerate(CATEGORICAL):
            values = features[group]
            known = values.notna().to_numpy()
            if group == "anchor_class":
                known = known & values.isin(set(ANCHOR_CLASSES) - self.infrequent_anchor_classes).to_numpy()
            says[:, 1 + len(NUMERIC) + offset] = known
        return says

    def _reason_words(
        self, features: pd.DataFrame, picked: np.ndarray, towards: np.ndarray
    ) -> tuple[np.ndarray, list[str]]:
        """The codes of the words of the signals ``picked`` (a (link, rank) array of signals, -1 for none) and the
        words (code 0: ""): made once per distinct value a signal speaks of, for the links it speaks for."""
        words = [""]
        reasons = np.zeros(picked.shape, dtype=np.int64)
        # The (link, rank) places of each signal: one sort of them all by signal, not a scan per signal.
        places = np.argsort(picked.ravel(), kind="stable")
        ends = np.cumsum(np.bincount(picked.ravel() + 1, minlength=len(CONTRIBUTION_GROUPS) + 1))
        for number, group in enumerate(CONTRIBUTION_GROUPS):
            links, ranks = np.divmod(places[ends[number] : ends[number + 1]], picked.shape[1])
            if not len(links):
                continue
            values = features[TEXT if group == "domain" else group]
            column = values.iloc[links] if values.dtype == "str" else pd.Series(values.to_numpy()[links])
            value_codes, distinct = pd.factorize(column, use_na_sentinel=False)
            said = distinct.tolist()  # Python values: iterating Arrow-backed ones costs a call each
            if group == "domain":  # its words say which way the name pushed
                value_codes, pairs = pd.factorize(value_codes * 2 + towards[links])
                verbs = ("does not resemble", "resembles")
                texts = [f"domain name '{said[p // 2]}' {verbs[p % 2]} known spam domains" for p in pairs.tolist()]
            else:
                texts = [_describe_value(group, value, self.infrequent_anchor_classes) for value in said]
            reasons[links, ranks] = len(words) + value_codes
            words.extend(texts)
        return reasons, words


def _char_ngram_shares(names: list[str], scorer: TriageScorer) -> np.ndarray:
    """The domain names' TF-IDF character n-grams times the domain weights, as the fitted vectorizer weighs them.

    Names of lowercase printable ASCII without spaces (nearly all) are cut into
    n-grams column-wise in Arrow, as ``char_wb`` cuts a single word (padded
    with a space each side; a word no longer than n gives one n-gram, itself);
    other names are lowercased and cut word by word in Python, as the
    vectorizer does. Both are weighted as it weighs them: sublinear counts,
    IDF, unit length.
    """
    low, high = scorer.domain_ngrams
    plain = np.array([name.isascii() and name.isprintable() and " " not in name and name == name.lower() and name != ""
                      for name in names], dtype=bool)  # fmt: skip
    gram_rows, gram_columns = [], []
    for row in np.flatnonzero(~plain).tolist():
        found = [scorer.domain_terms.get(gram) for gram in _char_wb_ngrams(names[row].lower(), low, high)]
        columns = [column for column in found if column is not None]
        gram_rows.append(np.full(len(columns), row, dtype=np.int64))
        gram_columns.append(np.array(columns, dtype=np.int64))
    rows = np.flatnonzero(plain)
    if len(rows):
        padded = pa.array([f" {names[i]} " for i in rows], type=pa.string())
        lengths = pc.utf8_length(padded).to_numpy()
        grams, owners = [], []
        for size in range(low, high + 1):
            for offset in range(int(lengths.max()) - size + 1):
                at = np.flatnonzero(lengths >= offset + size)
                grams.append(pc.utf8_slice_codeunits(padded.take(at), offset, offset + size))
                owners.append(rows[at])
        # One lookup of them all: each index_in builds its own hash table of the vocabulary (0.13 ms a call).
        found = pc.index_in(pa.concat_arrays(grams), value_set=scorer.domain_term_set)
        known = ~pc.is_null(found).to_numpy(zero_copy_only=False)
        gram_rows.append(np.concatenate(owners)[known])
        gram_columns.append(scorer.domain_term_columns[found.to_numpy(zero_copy_only=False)[known].astype(int)])
    shares = np.zeros(len(names))
    if not gram_rows:
        return shares
    width, idf, weights = len(scorer.domain_idf), scorer.domain_idf, scorer.domain_weights
    pairs, counts = np.unique(np.concatenate(gram_rows) * width + np.concatenate(gram_columns), return_counts=True)
    row, column = np.divmod(pairs, width)
    value = (1.0 + np.log(counts)) * idf[column]  # sublinear term frequency times IDF
    norm = np.sqrt(np.bincount(row, value * value, minlength=len(names)))
    dot = np.bincount(row, value * weights[column], minlength=len(names))
    return np.divide(dot, norm, out=shares, where=norm > 0)


def _char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """The n-grams ``char_wb`` cuts from a (lowercased) text: within each word padded with a space each side;
    a word no longer than n gives one n-gram, itself."""
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        for size in range(low, high + 1):
            grams.extend(padded[offset : offset + size] for offset in range(max(len(padded) - size, 0) + 1))
            if len(padded) <= size:
                break
    return grams


CONTRIBUTION_GROUPS = ("domain", *NUMERIC, *CATEGORICAL)
#: each domain name's logit share, per model (keyed by its domain weights), kept for the life of the process
_DOMAIN_SHARES: dict[bytes, dict[str, float]] = {}
_DOMAIN_SHARES_KEPT = 1_000_000  #: names remembered per model before starting over (about 100 MB)


def _describe_value(group: str, value: Any, infrequent_anchor_classes: frozenset[str]) -> str:
    if pd.isna(value):  # missing (the export gives no anchor): the model used its median, nothing to say
        return ""
    if group == "anchor_class":
        unknown = value in infrequent_anchor_classes or value not in ANCHOR_CLASSES
        return "" if unknown else f"{value} anchor"
    if group == "source_tld":
        return f"top-level domain .{value}"
    if group in _FLAG_WORDS:
        return _FLAG_WORDS[group] if bool(value) else ""
    if group == "anchor_spam_fraction":
        return "anchor uses spam vocabulary" if value > 0 else ""
    return f"{group.replace('_', ' ')} {float(value):.0f}"


_FLAG_WORDS = {
    "links_page_path": "the URL names a links page",
    "paginated": "a paginated listing URL",
    "free_host": "on a free-host platform",
    "ip_host": "an IP address as host",
}


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


def score_triage(links: pd.DataFrame, features: pd.DataFrame, model: TriageScorer) -> pd.DataFrame:
    """The scores table from the export alone (``features`` from ``triage_features``); nothing is disavowed,
    and every row says no page was read.
    """
    probability, reasons, words = model.scored(features)  # one pass over the contributions for both
    # Each link's words joined in Arrow: code 0 (nothing to say, always after the rest) is null and skipped.
    word_array = pa.array([None, *words[1:]], type=pa.string())
    said = pc.binary_join_element_wise(*(word_array.take(column) for column in reasons.T), "; ", null_handling="skip")
    said = pc.if_else(pc.equal(said, ""), "no strong signal", said)
    scores = pd.DataFrame(index=links.index)
    for column in (schema.SOURCE_URL, schema.TARGET_URL, schema.ANCHOR):
        scores[column] = links[column].astype("str")  # in Arrow: cheap to hand between processes and to write
    scores[schema.PROBABILITY] = probability.round(4)
    artificial = (probability >= model.threshold).view(np.int8)
    labels = pa.array([schema.LABEL_NATURAL, schema.LABEL_ARTIFICIAL]).take(artificial)
    scores[schema.LABEL] = pd.Series(labels, index=links.index, dtype="str")  # in Arrow: no Python string a row
    scores[schema.REASONS] = pc.binary_join_element_wise("triage, no page read: ", said, "").to_pandas().array
    scores[schema.FETCH_STATUS] = "not_fetched"
    scores[schema.LEVEL] = links[schema.EXPORT_LEVEL] if schema.EXPORT_LEVEL in links.columns else "link"
    scores[schema.DISAVOW] = False
    scores[schema.DECISION] = "kept: triage only, no page read; run a full scan to disavow"
    return scores


def prepare_worker() -> None:
    """Build what every batch needs once per process, ahead of the first (``workers`` calls it in each worker
    while the command reads the export's first batches): the public suffix rules, 0.09 s."""
    plain_registered_domains(pa.array(["www.example.co.uk"]))


#: what ``triage_batch`` sends back: features, scores, link hashes, rows left out as unusable, rows read
#: (not the links table: the scores have the link's columns, and sending it back costs as much as scoring;
#: text columns of few values as categories, and only the features asked for: a 50,000-row batch of the
#: benchmark's export, its scores and the report's features, is 9.9 MB to unpickle instead of 25.7)
TriagedBatch = tuple[pd.DataFrame, pd.DataFrame, np.ndarray, list[int], int]


def triage_batch(
    batch: Any,
    first: int,
    fmt: ExportFormat,
    header: list[str],
    scorer: TriageScorer,
    settings: Settings,
    feature_columns: tuple[str, ...] | None = None,
) -> TriagedBatch:
    """One batch of export rows (a ``text_only`` reader's ``batches``) mapped to links, scored and hashed, in
    any process."""
    links, unusable = links_table(batch, first, fmt, header, text_only=True)
    rows_read = first + batch.size
    if not len(links):  # every row unusable
        empty = pd.DataFrame(index=links.index)
        return empty, empty, link_hashes(links), unusable, rows_read
    features = triage_features(links, settings.brand, settings.keywords, has_anchors=schema.ANCHOR in fmt.columns)
    scores = score_triage(links, features, scorer)
    if feature_columns is None:
        features["link_found"] = pd.NA  # no page read: whether it links to the target is unknown
    else:
        features = features[list(feature_columns)]
    packed = _as_categories(scores)  # hashed as categories: each target and anchor once (the same hashes)
    return _as_categories(features), packed, link_hashes(packed), unusable, rows_read


def _as_categories(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its text columns of few distinct values (half the rows at most) as categories, to be sent
    between processes (``from_categories`` makes them text again): the label, status and decision columns,
    and targets and anchors as an export repeats them."""
    packed = table.copy(deep=False)
    for column in table.columns:
        if table[column].dtype == "str" and column not in _ALL_DIFFERENT:
            codes, values = pd.factorize(table[column])
            if 2 * len(values) <= len(table):
                packed[column] = pd.Categorical.from_codes(codes, categories=values)
    return packed


#: text columns whose values are nearly all different: not worth counting
_ALL_DIFFERENT = (schema.SOURCE_URL, schema.REASONS)


def from_categories(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its categories (``_as_categories``) as text columns again, in Arrow."""
    unpacked = table.copy(deep=False)
    for column in table.columns:
        if isinstance(table[column].dtype, pd.CategoricalDtype):
            values = table[column].array
            texts = pa.array(values.categories.to_numpy(dtype=object), type=pa.large_string())
            codes = values.codes
            unpacked[column] = pd.Series(texts.take(pa.array(codes, mask=codes < 0)), index=table.index, dtype="str")
    return unpacked


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

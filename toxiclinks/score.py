"""Score every link: probability that it is artificial, a label and the reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd

from toxiclinks import schema
from toxiclinks.model import LinkSpamModel


def score_links(
    links: pd.DataFrame, features: pd.DataFrame, model: LinkSpamModel, threshold: float | None = None
) -> pd.DataFrame:
    """Return the scores table (same index as ``links``).

    Links whose referring page could not be read get no probability and the
    label ``unknown``: the model never guesses about a page it has not seen.
    ``threshold`` defaults to the model's own.
    """
    threshold = model.threshold if threshold is None else threshold
    scores = pd.DataFrame(index=links.index)
    scores[schema.SOURCE_URL] = links[schema.SOURCE_URL]
    scores[schema.TARGET_URL] = links[schema.TARGET_URL]
    scores[schema.ANCHOR] = links[schema.ANCHOR]
    scores[schema.FETCH_STATUS] = features[schema.FETCH_STATUS]
    scores[schema.LEVEL] = links[schema.EXPORT_LEVEL]
    scores[schema.PROBABILITY] = np.nan
    scores[schema.LABEL] = schema.LABEL_UNKNOWN
    scores[schema.REASONS] = "page not read: " + features[schema.FETCH_STATUS].astype(str)

    readable = features[schema.FETCH_STATUS] == "ok"
    if readable.any():
        readable_features = features[readable]
        probability = model.predict_proba(readable_features)
        reasons = model.explain(readable_features, threshold=threshold)
        scores.loc[readable, schema.PROBABILITY] = probability.round(4)
        scores.loc[readable, schema.LABEL] = np.where(
            probability >= threshold, schema.LABEL_ARTIFICIAL, schema.LABEL_NATURAL
        )
        found = readable_features["link_found"].fillna(False).to_numpy(dtype=bool)
        domain_level = (links.loc[readable, schema.EXPORT_LEVEL] == "domain").to_numpy()
        scores.loc[readable, schema.REASONS] = [
            "; ".join(_context(on_page, whole_domain) + r) or "no strong signal"
            for r, on_page, whole_domain in zip(reasons, found, domain_level, strict=True)
        ]
    return scores


def _context(link_on_page: bool, domain_level: bool) -> list[str]:
    if domain_level:
        return ["referring domain scored through its home page"]
    return [] if link_on_page else ["no link to the target on the page any more"]

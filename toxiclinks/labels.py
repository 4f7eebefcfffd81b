"""Labels for training and evaluation: a label column of the export, or the user's old disavow file."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd

from toxiclinks import schema
from toxiclinks.disavow import DisavowFile
from toxiclinks.errors import ToxiclinksError

LOGGER = logging.getLogger(__name__)

#: header names taken for the label column, in this order, when none is named
LABEL_HEADERS = ("label", "labels", "verdict", "toxic", "is_toxic", "is toxic", "artificial", "disavow", "class")
ARTIFICIAL_VALUES = frozenset({"artificial", "toxic", "disavow", "1", "yes", "y", "true", "spam", "bad", "unnatural"})
NATURAL_VALUES = frozenset({"natural", "ok", "keep", "0", "no", "n", "false", "normal", "good", "clean", "fine"})


def labels_from_column(links: pd.DataFrame, column: str | None = None) -> pd.Series:
    """1 (artificial), 0 (natural) or NaN (blank or unknown) for each link, from a column of the export.

    Accepts artificial/natural, toxic/ok, disavow/keep, 1/0, yes/no, true/false, spam/normal.

    >>> links = pd.DataFrame({"export_raw": ['{"URL": "a", "Label": "toxic"}', '{"URL": "b", "Label": "ok"}',
    ...                                      '{"URL": "c", "Label": ""}']})
    >>> labels_from_column(links).tolist()
    [1.0, 0.0, nan]
    """
    rows = [json.loads(raw) for raw in links[schema.EXPORT_RAW]]
    headers = {name.strip().lower(): name for row in rows[:1] for name in row}
    wanted = [column.strip().lower()] if column else list(LABEL_HEADERS)
    found = next((headers[name] for name in wanted if name in headers), None)
    if found is None:
        listed = ", ".join(headers.values())
        if column:
            raise ToxiclinksError(f"no column named {column!r} (headers: {listed})")
        raise ToxiclinksError(
            f"no label column found (headers: {listed}); name it with --label-column, "
            "or give the old disavow file with --disavowed"
        )
    values = [str(row.get(found, "")).strip().lower() for row in rows]
    labels = pd.Series([_label(value) for value in values], index=links.index, dtype=float)
    unknown = sorted({value for value in values if value and value not in ARTIFICIAL_VALUES | NATURAL_VALUES})
    if unknown:
        LOGGER.warning("label values not understood, left unlabelled: %s", ", ".join(unknown[:5]))
    if labels.isna().all():
        raise ToxiclinksError(f"the column {found!r} holds no label this tool understands (artificial/natural, ...)")
    return labels


def labels_from_disavow(links: pd.DataFrame, disavow: DisavowFile) -> pd.Series:
    """1 for links whose URL or domain the old disavow file lists, 0 for the rest.

    The labels are noisy: an old file misses bad links and may hold good ones.
    """
    LOGGER.warning("labels from a disavow file are noisy: links it does not list count as natural, whatever they are")
    return links[schema.SOURCE_URL].map(lambda url: 1.0 if disavow.covers(url) else 0.0).astype(float)


def _label(value: str) -> float:
    if value in ARTIFICIAL_VALUES:
        return 1.0
    if value in NATURAL_VALUES:
        return 0.0
    return np.nan

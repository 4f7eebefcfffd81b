"""Profile signals: computed across the whole export, so each link is seen against the others.

Every signal here is one pass of grouping or sorting (no pairwise
comparisons), so the cost grows linearly with the export.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from toxiclinks import schema
from toxiclinks.urls import registered_domain

VELOCITY_WINDOW_DAYS = 15


def profile_features(links: pd.DataFrame, anchor_classes: pd.Series) -> pd.DataFrame:
    """Profile columns for the links table (same index).

    * ``profile_exact_anchor_share``: share of the profile with exact-match anchors (anchor over-optimisation);
    * ``anchor_text_share``: share of the profile using this link's very anchor text;
    * ``domain_link_count``: links in the export from the same referring domain (sitewide links);
    * ``subnet_share``: share of the profile from the same /24 network, where the export gives IPs;
    * ``velocity_share``: share of the profile first seen within 15 days of this link, where dates exist.
    """
    total = max(len(links), 1)
    profile = pd.DataFrame(index=links.index)
    profile["profile_exact_anchor_share"] = float((anchor_classes == "exact").sum()) / total
    # Each distinct anchor and URL worked on once, then counted by code: no new string a link.
    anchors, distinct_anchors = _codes_of(links[schema.ANCHOR].fillna(""), lambda text: " ".join(text.lower().split()))
    blank = np.asarray([anchor == "" for anchor in distinct_anchors], dtype=bool)[anchors]
    profile["anchor_text_share"] = np.where(blank, np.nan, np.bincount(anchors)[anchors] / total)
    domains, _ = _codes_of(links[schema.SOURCE_URL], registered_domain)
    profile["domain_link_count"] = np.bincount(domains)[domains].astype(float)
    profile["subnet_share"] = _subnet_share(links, total)
    profile["velocity_share"] = _velocity_share(links, total)
    return profile


def _codes_of(values: pd.Series, key: Callable[[str], str]) -> tuple[np.ndarray, list[str]]:
    """Each value's code among the distinct keys of ``values`` (``key`` called once per distinct value), and those
    keys."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    key_codes, keys = pd.factorize(np.asarray([key(str(value)) for value in distinct], dtype=object))
    return np.asarray(key_codes, dtype=np.int64)[codes], list(keys)


def _subnet_share(links: pd.DataFrame, total: int) -> pd.Series:
    if schema.EXPORT_IP not in links.columns:
        return pd.Series(np.nan, index=links.index)
    subnets = links[schema.EXPORT_IP].fillna("").map(_subnet)
    counts = subnets[subnets != ""].value_counts()
    return subnets.map(lambda subnet: counts.get(subnet, 0) / total if subnet else np.nan).astype(float)


def _subnet(ip: str) -> str:
    """The /24 network of an IPv4 address ("192.0.2" for "192.0.2.10"), or "" when not one."""
    parts = ip.strip().split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 and all(p.isdigit() for p in parts[:3]) else ""


def _velocity_share(links: pd.DataFrame, total: int) -> pd.Series:
    if schema.FIRST_SEEN not in links.columns:
        return pd.Series(np.nan, index=links.index)
    seen = pd.to_datetime(links[schema.FIRST_SEEN], errors="coerce", format="mixed")
    if seen.notna().sum() < 2:
        return pd.Series(np.nan, index=links.index)
    days = (seen - seen.min()).dt.days.to_numpy(dtype=float)
    known = ~np.isnan(days)
    ordered = np.sort(days[known])
    window = VELOCITY_WINDOW_DAYS
    within = np.searchsorted(ordered, days + window, side="right") - np.searchsorted(ordered, days - window)
    return pd.Series(np.where(known, within / total, np.nan), index=links.index)

"""Profile signals: computed across the whole export, so each link is seen against the others.

Every signal here is one pass of grouping or sorting (no pairwise
comparisons), so the cost grows linearly with the export. ``ProfileCounts``
gathers what they need chunk by chunk (counts by distinct anchor, domain and
network, and the dates), so a scan in chunks gives each link the same values
as a scan of the whole export at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd

from toxiclinks import schema
from toxiclinks.urls import registered_domain

VELOCITY_WINDOW_DAYS = 15
_DAY_NS = 86_400 * 10**9


def profile_features(links: pd.DataFrame, anchor_classes: pd.Series) -> pd.DataFrame:
    """Profile columns for the links table (same index), the whole profile being ``links``.

    * ``profile_exact_anchor_share``: share of the profile with exact-match anchors (anchor over-optimisation);
    * ``anchor_text_share``: share of the profile using this link's very anchor text;
    * ``domain_link_count``: links in the export from the same referring domain (sitewide links);
    * ``subnet_share``: share of the profile from the same /24 network, where the export gives IPs;
    * ``velocity_share``: share of the profile first seen within 15 days of this link, where dates exist.
    """
    counts = ProfileCounts()
    counts.add_links(links)
    counts.add_anchor_classes(anchor_classes)
    return counts.features(links)


class ProfileCounts:
    """What the profile signals are taken from, added a chunk of links at a time: memory grows with the
    distinct anchors, domains and networks, and 8 bytes a dated link, not with the links table."""

    def __init__(self) -> None:
        self.links = 0
        self.exact_anchors = 0
        self._anchors: Counter[str] = Counter()  # spaces evened out, lower case; "" for none
        self._domains: Counter[str] = Counter()
        self._subnets: Counter[str] = Counter()
        self._dates: list[np.ndarray] = []  # first-seen instants known, in nanoseconds
        self._days: tuple[int, np.ndarray] | None = None  # the earliest date and every link's day, sorted

    def add_links(self, links: pd.DataFrame) -> None:
        """Count a chunk of the links table (its anchors, domains, networks and dates)."""
        self.links += len(links)
        _count_into(self._anchors, *_codes_of(links[schema.ANCHOR].fillna(""), _anchor_key))
        _count_into(self._domains, *_codes_of(links[schema.SOURCE_URL], registered_domain))
        if schema.EXPORT_IP in links.columns:
            subnets = links[schema.EXPORT_IP].fillna("").map(_subnet)
            for subnet, count in subnets[subnets != ""].value_counts().items():
                self._subnets[str(subnet)] += int(count)
        if schema.FIRST_SEEN in links.columns:
            seen = _first_seen(links)
            self._dates.append(seen[seen.notna()].to_numpy(dtype="datetime64[ns]").astype(np.int64))
            self._days = None

    def add_anchor_classes(self, anchor_classes: pd.Series) -> None:
        """Count a chunk's anchor classes (from the pages read: ``anchor_class``, "" where unknown)."""
        self.exact_anchors += int((anchor_classes == "exact").sum())

    def features(self, links: pd.DataFrame) -> pd.DataFrame:
        """The profile columns of ``links`` (some or all of the links counted), same index."""
        total = max(self.links, 1)
        profile = pd.DataFrame(index=links.index)
        profile["profile_exact_anchor_share"] = float(self.exact_anchors) / total
        # Each distinct anchor and URL worked on once, then looked up by code: no new string a link.
        anchors, distinct_anchors = _codes_of(links[schema.ANCHOR].fillna(""), _anchor_key)
        blank = np.asarray([anchor == "" for anchor in distinct_anchors], dtype=bool)[anchors]
        anchor_links = np.asarray([self._anchors[anchor] for anchor in distinct_anchors], dtype=np.int64)
        profile["anchor_text_share"] = np.where(blank, np.nan, anchor_links[anchors] / total)
        domains, distinct_domains = _codes_of(links[schema.SOURCE_URL], registered_domain)
        domain_links = np.asarray([self._domains[domain] for domain in distinct_domains], dtype=np.int64)
        profile["domain_link_count"] = domain_links[domains].astype(float)
        profile["subnet_share"] = self._subnet_share(links, total)
        profile["velocity_share"] = self._velocity_share(links, total)
        return profile

    def _subnet_share(self, links: pd.DataFrame, total: int) -> pd.Series:
        if schema.EXPORT_IP not in links.columns:
            return pd.Series(np.nan, index=links.index)
        subnets = links[schema.EXPORT_IP].fillna("").map(_subnet)
        counts = self._subnets
        return subnets.map(lambda subnet: counts.get(subnet, 0) / total if subnet else np.nan).astype(float)

    def _velocity_share(self, links: pd.DataFrame, total: int) -> pd.Series:
        if schema.FIRST_SEEN not in links.columns or sum(len(dates) for dates in self._dates) < 2:
            return pd.Series(np.nan, index=links.index)
        if self._days is None:
            dates = np.concatenate(self._dates)
            earliest = int(dates.min())
            self._days = earliest, np.sort((dates - earliest) // _DAY_NS).astype(float)
        earliest, ordered = self._days
        seen = _first_seen(links)
        known = seen.notna().to_numpy()
        instants = seen.to_numpy(dtype="datetime64[ns]").astype(np.int64)  # NaT: a value nobody reads
        days = np.where(known, (instants - earliest) // _DAY_NS, 0).astype(float)
        window = VELOCITY_WINDOW_DAYS
        within = np.searchsorted(ordered, days + window, side="right") - np.searchsorted(ordered, days - window)
        return pd.Series(np.where(known, within / total, np.nan), index=links.index)


def _first_seen(links: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(links[schema.FIRST_SEEN], errors="coerce", format="mixed")


def _anchor_key(text: str) -> str:
    return " ".join(text.lower().split())


def _codes_of(values: pd.Series, key: Callable[[str], str]) -> tuple[np.ndarray, list[str]]:
    """Each value's code among the distinct keys of ``values`` (``key`` called once per distinct value), and those
    keys."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    key_codes, keys = pd.factorize(np.asarray([key(str(value)) for value in distinct], dtype=object))
    return np.asarray(key_codes, dtype=np.int64)[codes], list(keys)


def _count_into(counter: Counter[str], codes: np.ndarray, keys: list[str]) -> None:
    for key, count in zip(keys, np.bincount(codes, minlength=len(keys)).tolist(), strict=True):
        counter[key] += count


def _subnet(ip: str) -> str:
    """The /24 network of an IPv4 address ("192.0.2" for "192.0.2.10"), or "" when not one."""
    parts = ip.strip().split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 and all(p.isdigit() for p in parts[:3]) else ""

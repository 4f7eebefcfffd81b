"""Turn (backlink, referring page) pairs into the features table, one row per backlink.

Each distinct referring page is parsed once; its page signals are shared by
every backlink from it. ``FEATURE_COLUMNS`` documents every column.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from toxiclinks import schema
from toxiclinks.extract import ParsedPage, parse_page
from toxiclinks.features.link import link_features
from toxiclinks.features.page import page_features
from toxiclinks.page import Page
from toxiclinks.settings import Settings

LOGGER = logging.getLogger(__name__)

#: every column of the features table: name -> (type, meaning)
FEATURE_COLUMNS: dict[str, tuple[str, str]] = {
    schema.FETCH_STATUS: ("str", "what became of the referring page: ok, http_404, error:timeout, not_fetched"),
    schema.HTTP_STATUS: ("float", "HTTP status of the referring page, missing without a response"),
    "words": ("float", "words of visible text on the page (classic feature)"),
    "title_words": ("float", "words in the page title (classic feature)"),
    "avg_word_length": ("float", "average length of the visible words, characters (classic feature)"),
    "anchor_text_fraction": ("float", "words inside links / all visible words (classic feature)"),
    "visible_text_fraction": ("float", "bytes of visible text / bytes of HTML (classic feature)"),
    "compression_ratio": ("float", "visible text bytes / bzip2-compressed bytes (classic feature)"),
    "main_words": ("float", "words of the main content, as trafilatura extracts it"),
    "external_links": ("float", "links to other registered domains"),
    "external_domains": ("float", "distinct registered domains linked"),
    "outbound_link_density": ("float", "external links per 100 words of main content"),
    "spam_word_fraction": ("float", "share of main-content words from the spam vocabulary"),
    "link_found": ("bool", "a link to the target (URL, else site) is on the page"),
    "link_count": ("float", "links to the target on the page"),
    "link_placement": ("str", "where the link sits: main, comments, footer, nav, sidebar, header, body"),
    "link_hidden": ("bool", "the link is hidden by inline style or the hidden attribute"),
    "link_is_image": ("bool", "the link wraps an image and has no text"),
    "link_position": ("float", "the link's index among the page's links, 0 (first) to 1 (last)"),
    "link_nofollow": ("bool", "rel=nofollow on the page or in the export"),
    "link_sponsored": ("bool", "rel=sponsored on the page or in the export"),
    "link_ugc": ("bool", "rel=ugc on the page or in the export"),
    "page_anchor": ("str", "anchor text on the page (the export's when the link is not found)"),
    "anchor_class": ("str", "empty, url, generic, brand, exact, partial or other"),
    "anchor_words": ("float", "words in the anchor"),
    "anchor_spam_fraction": ("float", "share of anchor words from the spam vocabulary"),
    "same_host": ("bool", "the referring page is on the target's own host"),
}


def build_features(links: pd.DataFrame, pages: Mapping[str, Page], settings: Settings) -> pd.DataFrame:
    """Compute the features table for the links table, one row per link, same index.

    Links whose page is missing or unreadable get their fetch status and
    missing values for every page signal.
    """
    parsed_signals: dict[str, tuple[ParsedPage, dict[str, float]]] = {}
    for url in links[schema.SOURCE_URL].unique():
        page = pages.get(url)
        if page is not None and page.ok:
            parsed = parse_page(page.final_url or url, page.html or "")
            parsed_signals[url] = (parsed, page_features(parsed))

    rows = []
    for link in links.itertuples(index=False):
        source = getattr(link, schema.SOURCE_URL)
        page = pages.get(source)
        row: dict[str, object] = {
            schema.FETCH_STATUS: page.status if page else "not_fetched",
            schema.HTTP_STATUS: page.http_status if page and page.http_status else float("nan"),
        }
        if source in parsed_signals:
            parsed, signals = parsed_signals[source]
            row.update(signals)
            row.update(
                link_features(
                    parsed,
                    getattr(link, schema.TARGET_URL),
                    getattr(link, schema.ANCHOR),
                    site=settings.site,
                    brand=settings.brand,
                    keywords=settings.keywords,
                )
            )
        for flag, export_column in (
            ("link_nofollow", schema.EXPORT_NOFOLLOW),
            ("link_sponsored", schema.EXPORT_SPONSORED),
            ("link_ugc", schema.EXPORT_UGC),
        ):
            row[flag] = is_true(row.get(flag)) or is_true(getattr(link, export_column))
        rows.append(row)
    features = pd.DataFrame(rows, index=links.index, columns=list(FEATURE_COLUMNS))
    for column, (kind, _) in FEATURE_COLUMNS.items():
        if kind == "bool":
            features[column] = features[column].astype("boolean")
        elif kind == "float":
            features[column] = features[column].astype(float)
    return features


def is_true(value: object) -> bool:
    """True for a set flag (Python or numpy bool); False for False, None, NaN and ``pd.NA``.

    >>> is_true(pd.NA), is_true(None), is_true(float("nan")), is_true(True)
    (False, False, False, True)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return False
    return bool(value)

"""Turn (backlink, referring page) pairs into the features table, one row per backlink.

Each distinct referring page is parsed once (in parallel over the cores for
large exports) and every page and link signal comes from that one parse.
``FEATURES`` documents every column; ``python -m toxiclinks.features`` prints
that documentation as the Markdown table in ``docs/features.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import effective_n_jobs

from toxiclinks import schema
from toxiclinks.extract import ParsedPage, parse_page
from toxiclinks.features.language import detect_language
from toxiclinks.features.link import link_features, target_domain
from toxiclinks.features.page import page_features
from toxiclinks.features.profile import ProfileCounts
from toxiclinks.features.read_pages import PageDescription, ReadPages, SignalColumns
from toxiclinks.features.topic import PAGE_TEXT_CHARS, target_topic, topic_language, topic_similarities
from toxiclinks.features.url import url_features_table
from toxiclinks.files import SpillFile
from toxiclinks.page import Page
from toxiclinks.settings import Settings
from toxiclinks.urls import brand_of
from toxiclinks.workers import worker_pool

LOGGER = logging.getLogger(__name__)

#: below this many pages, parsing in worker processes costs more than it saves
PARALLEL_MIN_PAGES = 32
#: pages handed to each worker process ahead of time: enough to keep it busy, few enough to bound memory
PENDING_PER_WORKER = 4


@dataclass(frozen=True)
class Feature:
    """One column of the features table."""

    name: str
    kind: str  #: "float", "bool" or "str"
    unit: str  #: "" when unitless
    group: str  #: page, link, anchor, topic, url, profile, fetch
    meaning: str


FEATURES: tuple[Feature, ...] = (
    Feature(
        schema.FETCH_STATUS, "str", "", "fetch", "what became of the page: ok, http_404, error:timeout, not_fetched"
    ),
    Feature(schema.HTTP_STATUS, "float", "", "fetch", "HTTP status of the page; missing without a response"),
    Feature("words", "float", "words", "page", "visible words on the page (classic feature, Ntoulas et al. 2006)"),
    Feature("title_words", "float", "words", "page", "words in the title (classic feature)"),
    Feature("avg_word_length", "float", "characters", "page", "average length of the visible words (classic)"),
    Feature("anchor_text_fraction", "float", "share", "page", "words inside links / all visible words (classic)"),
    Feature("visible_text_fraction", "float", "share", "page", "bytes of visible text / bytes of HTML (classic)"),
    Feature("compression_ratio", "float", "ratio", "page", "visible text bytes / its bzip2-compressed bytes (classic)"),
    Feature("main_words", "float", "words", "page", "words of the main content, as trafilatura extracts it"),
    Feature("external_links", "float", "links", "page", "links to other registered domains"),
    Feature("external_domains", "float", "domains", "page", "distinct registered domains linked"),
    Feature("outbound_link_density", "float", "links per 100 words", "page", "external links per 100 main words"),
    Feature("spam_word_fraction", "float", "share", "page", "main-content words from the spam vocabulary"),
    Feature("language", "str", "", "page", "language of the page: declared, else detected from function words"),
    Feature("has_author", "bool", "", "page", "the page names an author (meta, rel/itemprop author, byline)"),
    Feature("has_date", "bool", "", "page", "the page carries a publication date (meta, <time>, itemprop)"),
    Feature("link_found", "bool", "", "link", "a link to the target (its URL, else its site) is on the page"),
    Feature("link_count", "float", "links", "link", "links to the target on the page"),
    Feature("link_placement", "str", "", "link", "main, comments, footer, nav, sidebar, header or body"),
    Feature("link_hidden", "bool", "", "link", "hidden by inline style or the hidden attribute"),
    Feature("link_is_image", "bool", "", "link", "the link wraps an image and has no text"),
    Feature("link_position", "float", "share", "link", "index among the page's links, 0 (first) to 1 (last)"),
    Feature("link_nofollow", "bool", "", "link", "rel=nofollow on the page or in the export"),
    Feature("link_sponsored", "bool", "", "link", "rel=sponsored on the page or in the export"),
    Feature("link_ugc", "bool", "", "link", "rel=ugc on the page or in the export"),
    Feature("page_anchor", "str", "", "anchor", "anchor text on the page (the export's when the link is not found)"),
    Feature("anchor_class", "str", "", "anchor", "empty, url, generic, brand, exact, partial or other"),
    Feature("anchor_words", "float", "words", "anchor", "words in the anchor"),
    Feature("anchor_spam_fraction", "float", "share", "anchor", "anchor words from the spam vocabulary"),
    Feature("same_host", "bool", "", "link", "the referring page is on the target's own host"),
    Feature(
        "topic_similarity",
        "float",
        "cosine",
        "topic",
        "TF-IDF (character 4-grams) cosine of the main text to the target's topic; missing across languages",
    ),
    Feature("source_domain", "str", "", "url", "registered domain of the referring page (public suffix list)"),
    Feature("source_tld", "str", "", "url", "top-level domain of the referring host"),
    Feature("subdomain_depth", "float", "labels", "url", "labels in front of the registered domain"),
    Feature("hostname_length", "float", "characters", "url", "length of the referring host name"),
    Feature("hostname_digits", "float", "characters", "url", "digits in the referring host name"),
    Feature("hostname_hyphens", "float", "characters", "url", "hyphens in the referring host name"),
    Feature("ip_host", "bool", "", "url", "the referring host is an IP address"),
    Feature("free_host", "bool", "", "url", "on a free-host or shared platform (blogspot.com, wordpress.com, ...)"),
    Feature("path_depth", "float", "segments", "url", "segments in the URL path"),
    Feature("links_page_path", "bool", "", "url", "the path names a links page (/links.html, /partners, /blogroll)"),
    Feature("paginated", "bool", "", "url", "the query paginates (?p=3, ?page=2)"),
    Feature("url_length", "float", "characters", "url", "length of the referring URL"),
    Feature("profile_exact_anchor_share", "float", "share", "profile", "exact-match anchors in the whole profile"),
    Feature("anchor_text_share", "float", "share", "profile", "links in the profile with this very anchor text"),
    Feature("domain_link_count", "float", "links", "profile", "links in the export from the same referring domain"),
    Feature(
        "subnet_share", "float", "share", "profile", "profile from the same /24 network (where the export has IPs)"
    ),
    Feature("velocity_share", "float", "share", "profile", "profile first seen within 15 days of this link"),
)
FEATURE_COLUMNS: dict[str, tuple[str, str]] = {feature.name: (feature.kind, feature.meaning) for feature in FEATURES}
#: the export's own metrics follow as ``metric_*`` float columns, missing when the export has none


@dataclass(frozen=True)
class LinkContext:
    """What each link is judged against: the target site, its brand words and money keywords."""

    site: str | None
    brand: tuple[str, ...]
    keywords: tuple[str, ...]


def link_context(links: pd.DataFrame, settings: Settings) -> LinkContext:
    """The link context of an export: keywords given, else read from its target URLs."""
    return context_of_targets(target_urls_of(links), settings)


def context_of_targets(target_urls: list[str], settings: Settings) -> LinkContext:
    """The link context of an export with these distinct target URLs (in order of first appearance)."""
    return LinkContext(settings.site, settings.brand, settings.keywords or _keywords_from_urls(target_urls))


def target_urls_of(links: pd.DataFrame) -> list[str]:
    """The export's distinct target URLs, in order of first appearance."""
    return [url for url in links[schema.TARGET_URL].unique() if url]


#: (row position in the export, target URL, anchor) of each link from a page
LinkRows = list[tuple[int, str, str]]


def link_rows_by_source(links: pd.DataFrame, positions: Sequence[int] | None = None) -> dict[str, LinkRows]:
    """The links grouped by referring page, as (row position, target URL, anchor).

    Positions count the rows of ``links``, or are given (a part of an export knows its rows' places in the whole).
    """
    rows: dict[str, LinkRows] = {}
    for position, source, target, anchor in zip(
        range(len(links)) if positions is None else positions,
        links[schema.SOURCE_URL],
        links[schema.TARGET_URL],
        links[schema.ANCHOR],
        strict=True,
    ):
        rows.setdefault(source, []).append((position, target, anchor))
    return rows


def describe_page(url: str, html: str, is_target: bool, link_rows: LinkRows, context: LinkContext) -> PageDescription:
    """Parse one page once and compute its page signals and the signals of the given links from it."""
    domains = {target_domain(target, context.site) for _, target, _ in link_rows}
    parsed, signals = _analyse(url, html, domains - {""})
    return PageDescription(
        signals=signals,
        text=parsed.main_text if is_target else parsed.main_text[:PAGE_TEXT_CHARS],
        links={
            position: link_features(
                parsed, target, anchor, site=context.site, brand=context.brand, keywords=context.keywords
            )
            for position, target, anchor in link_rows
        },
    )


def build_features(links: pd.DataFrame, pages: Mapping[str, Page], settings: Settings) -> pd.DataFrame:
    """Compute the features table for the links table, one row per link, same index.

    ``pages`` holds the referring pages, and the target pages when the crawl
    has them (they give the target's topic). Links whose page is missing or
    unreadable get their fetch status and missing values for page signals.
    """
    analyser = PageAnalyser.for_links(links, settings, len(pages))
    for page in pages.values():  # the analyser keeps to the export's referring and target pages
        analyser.submit(page)
    statuses = {url: (page.status, page.http_status) for url, page in pages.items()}
    with analyser.results() as described:
        return features_from_descriptions(links, settings, statuses, described)


def features_from_descriptions(
    links: pd.DataFrame,
    settings: Settings,
    statuses: Mapping[str, tuple[str, float | None]],
    described: ReadPages,
) -> pd.DataFrame:
    """The features table from each page's fetch status and the descriptions of the pages read."""
    sources = [url for url in links[schema.SOURCE_URL].unique() if url in described]
    similarity = page_similarities(links, settings, described, sources)
    pages = described.signal_columns(sources)
    pages.columns["topic_similarity"] = [similarity[url] for url in pages.keys]
    return assemble_features(links, statuses, pages, described.link_signal_columns(sources))


def page_similarities(
    links: pd.DataFrame, settings: Settings, described: ReadPages, sources: Sequence[str]
) -> dict[str, float]:
    """Topic similarity of each read referring page in ``sources`` to the target's topic (``site_topic``).

    The pages' texts are read from ``described`` a chunk at a time, never all at once.
    """
    topic, language = site_topic(target_urls_of(links), settings, described)
    languages = {url: str(described.signals(url)["language"]) for url in sources}
    return topic_similarities(described.texts(), languages, topic, language, urls=sources, jobs=settings.jobs)


def site_topic(target_urls: Sequence[str], settings: Settings, described: ReadPages) -> tuple[str, str]:
    """The target's topic and its language: the text of the target pages read (in ``described``), else the
    keywords, the target URLs' words and the brand."""
    targets = [url for url in target_urls if url in described]
    target_texts = [described.text(url) for url in targets]
    site = target_urls[0] if target_urls else settings.site
    brand = list(settings.brand) or ([brand_of(site)] if site else [])
    topic = target_topic(target_texts, settings.keywords, target_urls, brand)
    return topic, topic_language(target_texts, [str(described.signals(url)["language"]) for url in targets])


def assemble_features(
    links: pd.DataFrame,
    statuses: Mapping[str, tuple[str, float | None]],
    page_signals: SignalColumns,
    link_signals: SignalColumns,
    profile: ProfileCounts | None = None,
) -> pd.DataFrame:
    """The features table from the per-page and per-link signals, with the URL, profile and export columns.

    ``statuses`` maps each page looked at to its fetch status and HTTP status;
    ``page_signals`` (page signals and topic similarity) holds the pages that
    were read, by URL; ``link_signals`` the links on them, by row position.
    The profile is ``links``, or the links counted in ``profile`` (an export
    read in chunks).
    """
    features = signal_features(links, statuses, page_signals, link_signals)
    if profile is None:
        profile = ProfileCounts()
        profile.add_links(links)
        profile.add_anchor_classes(anchor_classes(features))
    return completed_features(features, links, profile)


def signal_features(
    links: pd.DataFrame,
    statuses: Mapping[str, tuple[str, float | None]],
    page_signals: SignalColumns,
    link_signals: SignalColumns,
) -> pd.DataFrame:
    """``assemble_features`` up to the profile: the profile columns missing, the values not typed yet."""
    # Column by column: a row of Python values per link took 2.7 KB a link at its peak.
    sources = links[schema.SOURCE_URL]
    codes, pages = pd.factorize(sources)
    place = {url: number for number, url in enumerate(page_signals.keys)}
    at = np.array([place.get(url, -1) for url in pages], dtype=np.int64)[codes]  # -1: not read, the NaN put last
    read = at >= 0
    found = [statuses.get(url, ("not_fetched", None)) for url in pages]
    columns: dict[str, np.ndarray] = {
        schema.FETCH_STATUS: np.array([status for status, _ in found], dtype=object)[codes],
        schema.HTTP_STATUS: np.array([float(code) if code and code == code else np.nan for _, code in found])[codes],
    }
    # Float features as doubles from the start (a Python float a value took 1 KB a link at the peak); the rest
    # as objects, typed below as the features say.
    for name, url_column in url_features_table(sources).items():
        columns[str(name)] = url_column.to_numpy(dtype=float if _is_float(str(name)) else object)
    for name, values in page_signals.columns.items():
        columns[name] = _array(name, [*values, np.nan])[at]
    positions = np.asarray(link_signals.keys, dtype=np.int64)
    on_read_pages = read[positions] if len(positions) else np.zeros(0, dtype=bool)
    for name, values in link_signals.columns.items():
        per_link = np.full(len(links), np.nan, dtype=float if _is_float(name) else object)
        per_link[positions[on_read_pages]] = _array(name, values)[on_read_pages]
        columns[name] = per_link
    for flag, export_column in (
        ("link_nofollow", schema.EXPORT_NOFOLLOW),
        ("link_sponsored", schema.EXPORT_SPONSORED),
        ("link_ugc", schema.EXPORT_UGC),
    ):
        on_page = columns.get(flag, np.full(len(links), np.nan, dtype=object))
        either = [is_true(here) or is_true(there) for here, there in zip(on_page, links[export_column], strict=True)]
        columns[flag] = np.array(either, dtype=object)
    # In the features' order, each column taken out of ``columns`` as it goes in (no second copy of the table);
    # lists, not arrays, for the other than floats: pandas infers their type from their values, as it did from
    # rows; a column no page gave comes out float, all missing.
    missing = np.full(len(links), np.nan)
    features = pd.DataFrame(
        {
            name: values if values.dtype == float else list(values)
            for name in FEATURE_COLUMNS
            for values in (columns.pop(name, missing),)
        },
        index=links.index,
        copy=False,
    )
    del columns
    return features


def anchor_classes(features: pd.DataFrame) -> pd.Series:
    """The anchor classes of the links of ``features`` ("" where unknown), as the profile counts them."""
    return features["anchor_class"].astype(object).fillna("")


def completed_features(features: pd.DataFrame, links: pd.DataFrame, profile: ProfileCounts) -> pd.DataFrame:
    """``signal_features`` given their profile and export columns, and each column its type."""
    profile_columns = profile.features(links)
    for column in profile_columns.columns:
        features[column] = profile_columns[column]
    for column in links.columns:
        if column.startswith("metric_"):
            features[column] = links[column].astype(float)
    for feature in FEATURES:
        if feature.kind == "bool":
            features[feature.name] = features[feature.name].astype("boolean")
        elif feature.kind == "float":
            features[feature.name] = features[feature.name].astype(float)
    return features


def _array(name: str, values: Sequence[object]) -> np.ndarray:
    """A signal's values as doubles when its feature is a float (``None`` as NaN, as ``astype(float)`` reads it),
    else as a one-dimensional object array, each value as it is."""
    if _is_float(name):
        return np.asarray(values, dtype=float)
    return np.fromiter(values, dtype=object, count=len(values))


def _is_float(name: str) -> bool:
    return FEATURE_COLUMNS.get(name, ("", ""))[0] == "float"


class PageAnalyser:
    """Describes pages (``describe_page``) in worker processes as they arrive, so parsing overlaps fetching.

    ``submit`` each page as it is had (``fetch_pages(on_page=...)``), then
    ``results`` waits for the last. Only the descriptions come back, never the
    parsed tree or the page's own links, so the main process stays small. With
    fewer than ``PARALLEL_MIN_PAGES`` pages, or ``jobs=1``, pages are described
    right away in this process.
    """

    def __init__(
        self,
        rows: Mapping[str, LinkRows],
        targets: Collection[str],
        context: LinkContext,
        expected_pages: int,
        jobs: int = -1,
        texts: SpillFile | None = None,
    ) -> None:
        self._rows, self._targets, self._context = rows, set(targets), context
        inline = jobs == 1 or expected_pages < PARALLEL_MIN_PAGES
        # joblib's reusable pool: the same worker processes for every parallel step, started once per run.
        self._executor = None if inline else worker_pool(effective_n_jobs(jobs))
        # Pages waiting for a worker hold their HTML: past this many, ``submit`` waits (and so does the crawl).
        self._max_pending = PENDING_PER_WORKER * effective_n_jobs(jobs)
        self._pending: dict[str, Future[PageDescription]] = {}
        self._done = ReadPages(texts)  # the texts in ``texts`` when given (see ``ReadPages``)

    def submit(self, page: Page) -> None:
        """Start describing ``page`` if it is readable and wanted (a referring or target page of the export)."""
        url = page.url
        if not page.ok or url in self._done or url in self._pending or not (url in self._rows or url in self._targets):
            return
        job = (page.final_url or url, page.html or "", url in self._targets, self._rows.get(url, []), self._context)
        if self._executor is None:
            self._done.add(url, describe_page(*job))
        else:
            self._pending[url] = self._executor.submit(describe_page, *job)
            if len(self._pending) >= self._max_pending:
                wait(self._pending.values(), return_when=FIRST_COMPLETED)
                self._collect()

    @classmethod
    def for_links(cls, links: pd.DataFrame, settings: Settings, expected_pages: int) -> PageAnalyser:
        """An analyser for the referring and target pages of an export."""
        rows = link_rows_by_source(links)
        return cls(rows, target_urls_of(links), link_context(links, settings), expected_pages, settings.jobs)

    @property
    def parsed(self) -> int:
        """Pages described so far."""
        return len(self._done) + sum(future.done() for future in list(self._pending.values()))

    @property
    def waiting(self) -> int:
        """Pages submitted and not yet collected (each holds its HTML until then)."""
        return len(self._pending)

    def results(self) -> ReadPages:
        """Every submitted readable page's description, keyed by the URL asked for (close it when done)."""
        wait(self._pending.values())
        self._collect()
        return self._done

    def _collect(self) -> None:
        """Keep the descriptions of finished pages; their futures, and the HTML they hold, go."""
        for url in [url for url, future in self._pending.items() if future.done()]:
            self._done.add(url, self._pending.pop(url).result())


def _analyse(url: str, html: str, described_domains: Collection[str]) -> tuple[ParsedPage, dict[str, object]]:
    """Parse a page and compute its page signals, describing only its links to ``described_domains``."""
    parsed = parse_page(url, html, described_domains)
    signals: dict[str, object] = dict(page_features(parsed))
    signals["language"] = detect_language(parsed.main_text or parsed.title, parsed.declared_language)
    signals["has_author"] = parsed.has_author
    signals["has_date"] = parsed.has_date
    return parsed, signals


def _keywords_from_urls(target_urls: list[str]) -> tuple[str, ...]:
    """Money keywords read from the target URLs' last path segment (/shop/electric-kettles -> electric kettles)."""
    keywords = []
    for url in target_urls:
        slug = url.rstrip("/").rsplit("/", 1)[-1].split("?")[0].rsplit(".", 1)[0]
        words = [word for word in slug.replace("_", "-").split("-") if word.isalpha() and len(word) > 2]
        if len(words) >= 2 and "://" not in slug:
            keywords.append(" ".join(words).lower())
    return tuple(dict.fromkeys(keywords))


def is_true(value: object) -> bool:
    """True for a set flag (Python or numpy bool); False for False, None, NaN and ``pd.NA``.

    >>> is_true(pd.NA), is_true(None), is_true(float("nan")), is_true(True)
    (False, False, False, True)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return False
    return bool(value)


def features_markdown() -> str:
    """The feature schema as a Markdown table (``docs/features.md``), generated from ``FEATURES``."""
    from toxiclinks.model import MODEL_FEATURE_COLUMNS

    lines = [
        "# Features",
        "",
        "One row per backlink. Generated from `toxiclinks/features/__init__.py` by",
        "`python -m toxiclinks.features > docs/features.md`; a test keeps the two in step.",
        "",
        "| column | type | unit | group | meaning | used by the default model |",
        "|---|---|---|---|---|---|",
    ]
    for feature in FEATURES:
        used = "yes" if feature.name in MODEL_FEATURE_COLUMNS else ""
        lines.append(
            f"| `{feature.name}` | {feature.kind} | {feature.unit} | {feature.group} | {feature.meaning} | {used} |"
        )
    lines += [
        "",
        "Then one `metric_*` float column per metric the export carries (`metric_domain_rating`,",
        "`metric_trust_flow`, `metric_spam_score`, ...), missing when the export has none.",
        "",
    ]
    return "\n".join(lines)

"""Turn (backlink, referring page) pairs into the features table, one row per backlink.

Each distinct referring page is parsed once (in parallel over the cores for
large exports) and every page and link signal comes from that one parse.
``FEATURES`` documents every column; ``python -m toxiclinks.features`` prints
that documentation as the Markdown table in ``docs/features.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass

import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from joblib.externals.loky import get_reusable_executor

from toxiclinks import schema
from toxiclinks.extract import ParsedPage, parse_page
from toxiclinks.features.language import detect_language
from toxiclinks.features.link import link_features
from toxiclinks.features.page import page_features
from toxiclinks.features.profile import profile_features
from toxiclinks.features.topic import target_topic, topic_language, topic_similarities
from toxiclinks.features.url import url_features
from toxiclinks.page import Page
from toxiclinks.settings import Settings
from toxiclinks.urls import brand_of

LOGGER = logging.getLogger(__name__)

#: below this many pages, parsing in worker processes costs more than it saves
PARALLEL_MIN_PAGES = 32


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
        "TF-IDF (character 3-5-grams) cosine of the main text to the target's topic; missing across languages",
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
    return LinkContext(settings.site, settings.brand, settings.keywords or _keywords_from_urls(target_urls_of(links)))


def target_urls_of(links: pd.DataFrame) -> list[str]:
    """The export's distinct target URLs, in order of first appearance."""
    return [url for url in links[schema.TARGET_URL].unique() if url]


def build_features(
    links: pd.DataFrame,
    pages: Mapping[str, Page],
    settings: Settings,
    analysed: Mapping[str, tuple[ParsedPage, dict[str, object]]] | None = None,
) -> pd.DataFrame:
    """Compute the features table for the links table, one row per link, same index.

    ``pages`` holds the referring pages, and the target pages when the crawl
    has them (they give the target's topic). Links whose page is missing or
    unreadable get their fetch status and missing values for page signals.
    ``analysed`` holds the readable pages already parsed (``PageAnalyser``);
    without it they are parsed here, from the pages' HTML.
    """
    if analysed is None:
        readable = [url for url in [*links[schema.SOURCE_URL].unique(), *target_urls_of(links)] if url in pages]
        analysed = analyse_pages({url: pages[url] for url in dict.fromkeys(readable) if pages[url].ok}, settings.jobs)
    sources = [url for url in links[schema.SOURCE_URL].unique() if url in analysed]
    targets = [url for url in target_urls_of(links) if url in analysed]
    similarity = page_similarities(
        links,
        settings,
        {url: (analysed[url][0].main_text, str(analysed[url][1]["language"])) for url in sources},
        {url: (analysed[url][0].main_text, str(analysed[url][1]["language"])) for url in targets},
    )
    page_signals = {url: {**analysed[url][1], "topic_similarity": similarity[url]} for url in sources}
    parsed = {url: analysed[url][0] for url in sources}
    return assemble_features(
        links,
        {url: (page.status, page.http_status) for url, page in pages.items()},
        page_signals,
        link_signals(links, parsed, link_context(links, settings)),
    )


def page_similarities(
    links: pd.DataFrame,
    settings: Settings,
    sources: Mapping[str, tuple[str, str]],
    targets: Mapping[str, tuple[str, str]],
) -> dict[str, float]:
    """Topic similarity of each read referring page (main text, language) to the target's topic.

    The topic is the target pages' text (main text, language) when read,
    else the keywords, the target URLs' words and the brand.
    """
    target_urls = target_urls_of(links)
    site = target_urls[0] if target_urls else settings.site
    brand = list(settings.brand) or ([brand_of(site)] if site else [])
    topic = target_topic([text for text, _ in targets.values()], settings.keywords, target_urls, brand)
    topic_lang = topic_language([text for text, _ in targets.values()], [language for _, language in targets.values()])
    return topic_similarities(
        {url: text for url, (text, _) in sources.items()},
        {url: language for url, (_, language) in sources.items()},
        topic,
        topic_lang,
    )


def link_signals(
    links: pd.DataFrame, parsed: Mapping[str, ParsedPage], context: LinkContext
) -> dict[int, dict[str, object]]:
    """Link and anchor signals of each link whose referring page was read, keyed by the link's row position."""
    signals = {}
    for position, (source, target, anchor) in enumerate(
        zip(links[schema.SOURCE_URL], links[schema.TARGET_URL], links[schema.ANCHOR], strict=True)
    ):
        page = parsed.get(source)
        if page is not None:
            signals[position] = link_features(
                page, target, anchor, site=context.site, brand=context.brand, keywords=context.keywords
            )
    return signals


def assemble_features(
    links: pd.DataFrame,
    statuses: Mapping[str, tuple[str, float | None]],
    page_signals: Mapping[str, Mapping[str, object]],
    link_signals: Mapping[int, Mapping[str, object]],
) -> pd.DataFrame:
    """The features table from the per-page and per-link signals, with the URL, profile and export columns.

    ``statuses`` maps each page looked at to its fetch status and HTTP status;
    ``page_signals`` (page signals and topic similarity) holds the pages that
    were read; ``link_signals`` the links on them, by row position.
    """
    rows = []
    for position, link in enumerate(links.itertuples(index=False)):
        source = getattr(link, schema.SOURCE_URL)
        status, http_status = statuses.get(source, ("not_fetched", None))
        row: dict[str, object] = {
            schema.FETCH_STATUS: status,
            schema.HTTP_STATUS: float(http_status) if http_status and http_status == http_status else float("nan"),
            **url_features(source),
        }
        if source in page_signals:
            row.update(page_signals[source])
            row.update(link_signals[position])
        for flag, export_column in (
            ("link_nofollow", schema.EXPORT_NOFOLLOW),
            ("link_sponsored", schema.EXPORT_SPONSORED),
            ("link_ugc", schema.EXPORT_UGC),
        ):
            row[flag] = is_true(row.get(flag)) or is_true(getattr(link, export_column))
        rows.append(row)
    features = pd.DataFrame(rows, index=links.index, columns=list(FEATURE_COLUMNS))
    profile = profile_features(links, features["anchor_class"].astype(object).fillna(""))
    for column in profile.columns:
        features[column] = profile[column]
    for column in links.columns:
        if column.startswith("metric_"):
            features[column] = links[column].astype(float)
    for feature in FEATURES:
        if feature.kind == "bool":
            features[feature.name] = features[feature.name].astype("boolean")
        elif feature.kind == "float":
            features[feature.name] = features[feature.name].astype(float)
    return features


def analyse_pages(pages: Mapping[str, Page], jobs: int = -1) -> dict[str, tuple[ParsedPage, dict[str, object]]]:
    """Parse each readable page once and compute its page signals; in parallel for many pages."""
    work = [(url, page.final_url or url, page.html or "") for url, page in pages.items() if page.ok]
    if len(work) >= PARALLEL_MIN_PAGES and jobs != 1:
        results = Parallel(n_jobs=jobs, batch_size=8)(delayed(_analyse)(url, html) for _, url, html in work)
    else:
        results = [_analyse(url, html) for _, url, html in work]
    return {asked: result for (asked, _, _), result in zip(work, results, strict=True)}


class PageAnalyser:
    """Parses pages in worker processes as they arrive, so that parsing overlaps fetching.

    ``submit`` each page as it is fetched (``fetch_pages(on_page=...)``), then
    ``results`` waits for the last. Fewer than ``PARALLEL_MIN_PAGES`` pages, or
    ``jobs=1``, are parsed right away in this process.
    """

    def __init__(self, expected_pages: int, jobs: int = -1) -> None:
        self._inline = jobs == 1 or expected_pages < PARALLEL_MIN_PAGES
        self._executor = None if self._inline else get_reusable_executor(max_workers=effective_n_jobs(jobs))
        self._pending: dict[str, Future[tuple[ParsedPage, dict[str, object]]]] = {}
        self._done: dict[str, tuple[ParsedPage, dict[str, object]]] = {}

    def submit(self, page: Page) -> None:
        """Start parsing ``page`` if it is readable (else it has no signals to compute)."""
        if not page.ok or page.url in self._done or page.url in self._pending:
            return
        if self._executor is None:
            self._done[page.url] = _analyse(page.final_url or page.url, page.html or "")
        else:
            self._pending[page.url] = self._executor.submit(_analyse, page.final_url or page.url, page.html or "")

    @property
    def parsed(self) -> int:
        """Pages parsed so far."""
        return len(self._done) + sum(future.done() for future in list(self._pending.values()))

    def results(self) -> dict[str, tuple[ParsedPage, dict[str, object]]]:
        """Every submitted readable page, parsed, keyed by the URL asked for."""
        for url, future in self._pending.items():
            self._done[url] = future.result()
        self._pending.clear()
        return self._done


def _analyse(url: str, html: str) -> tuple[ParsedPage, dict[str, object]]:
    parsed = parse_page(url, html)
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

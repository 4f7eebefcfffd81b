"""HTML -> one parsed page: visible text, the classic content features, every link and where it sits.

Each page is parsed once with lxml. Our own measurements walk that tree
first; trafilatura gets the same tree last (it prunes what it reads), to say
which links stand in the main content and which in the comments.
"""

from __future__ import annotations

import bz2
import logging
import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html
import trafilatura

from toxiclinks.urls import registered_domain, resolve_href

LOGGER = logging.getLogger(__name__)

WORD = re.compile(r"\w+", re.UNICODE)
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "iframe"})
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])|left\s*:\s*-\d{3,}px"
)

#: regions a link can sit in, looked up on the link's ancestors (tag, or a word in id/class)
REGION_TAGS = {"footer": "footer", "nav": "nav", "aside": "sidebar", "header": "header"}
REGION_WORDS = (
    ("comments", ("comment", "comments", "kommentar", "kommentare", "disqus")),
    ("footer", ("footer", "foot", "site-info", "colophon")),
    ("nav", ("nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs")),
    ("sidebar", ("sidebar", "widget", "blogroll", "aside")),
    ("header", ("header", "masthead", "topbar")),
)
#: placements, in the order the features one-hot encode them
PLACEMENTS = ("main", "comments", "footer", "nav", "sidebar", "header", "body")


@dataclass(frozen=True)
class PageLink:
    """One ``<a href>`` of a page."""

    url: str  #: resolved, normalised target of the link ("" for non-http links)
    anchor: str  #: visible anchor text, whitespace folded; image alt text for image links
    rel: frozenset[str]  #: lowercased rel tokens (nofollow, sponsored, ugc, ...)
    placement: str  #: one of ``PLACEMENTS``
    hidden: bool  #: hidden by inline style or the ``hidden`` attribute, on it or an ancestor
    is_image: bool  #: the link wraps an image and has no text
    position: float  #: index among the page's links / number of links (0 = first)


@dataclass(frozen=True)
class ParsedPage:
    """Everything later stages need from one page's HTML."""

    url: str
    title: str = ""
    #: the six classic content features (Ntoulas et al. 2006; Castillo et al. 2007)
    words: int = 0
    title_words: int = 0
    avg_word_length: float = 0.0
    anchor_text_fraction: float = 0.0
    visible_text_fraction: float = 0.0
    compression_ratio: float = 0.0
    main_text: str = ""  #: the main content as trafilatura sees it
    links: tuple[PageLink, ...] = field(default=())
    declared_language: str = ""  #: the page's own language tag (html lang, content-language), lowercased primary subtag
    has_author: bool = False  #: names an author (meta author, rel/itemprop author, a byline)
    has_date: bool = False  #: carries a publication date (article:published_time, <time datetime>, ...)
    parse_error: str = ""  #: set when the HTML could not be parsed at all


def parse_page(url: str, html: str) -> ParsedPage:
    """Parse one page's HTML. Never raises: broken or empty HTML gives a page with no words.

    >>> page = parse_page("https://blog.example/post", '<html><head><title>A post</title></head>'
    ...     '<body><p>Read <a href="https://shop.example/">this shop</a> now.</p>'
    ...     '<footer><a href="/about">About</a></footer></body></html>')
    >>> page.words, page.title_words, round(page.anchor_text_fraction, 2)
    (5, 2, 0.6)
    >>> [(link.url, link.placement) for link in page.links]
    [('https://shop.example/', 'main'), ('https://blog.example/about', 'footer')]
    """
    html_bytes = len(html.encode("utf-8", errors="replace"))
    try:
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
        tree = lxml.html.fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        return ParsedPage(url=url, parse_error=str(exc) or "empty document")

    title = _folded(tree.findtext(".//title") or "")
    visible_parts, anchor_words = _visible_text(tree)
    visible_text = _folded(" ".join(visible_parts))
    tokens = WORD.findall(visible_text)
    text_bytes = visible_text.encode("utf-8")

    declared_language = _declared_language(tree)
    has_author = bool(tree.xpath(_AUTHOR_XPATH))
    has_date = bool(tree.xpath(_DATE_XPATH))
    raw_links = _collect_links(tree, url)
    main_urls, comment_urls, main_text = _main_content(tree, url)
    links = tuple(
        PageLink(
            url=link.url,
            anchor=link.anchor,
            rel=link.rel,
            placement=_final_placement(link, main_urls, comment_urls),
            hidden=link.hidden,
            is_image=link.is_image,
            position=link.position,
        )
        for link in raw_links
    )
    return ParsedPage(
        url=url,
        title=title,
        words=len(tokens),
        title_words=len(WORD.findall(title)),
        avg_word_length=(sum(map(len, tokens)) / len(tokens)) if tokens else 0.0,
        anchor_text_fraction=(anchor_words / len(tokens)) if tokens else 0.0,
        visible_text_fraction=(len(text_bytes) / html_bytes) if html_bytes else 0.0,
        compression_ratio=(len(text_bytes) / len(bz2.compress(text_bytes))) if text_bytes else 0.0,
        main_text=main_text,
        links=links,
        declared_language=declared_language,
        has_author=has_author,
        has_date=has_date,
    )


_AUTHOR_XPATH = (
    "//meta[@name='author' or @property='article:author' or @name='dc.creator' or @name='DC.creator']"
    "[normalize-space(@content)] | //*[@rel='author' or @itemprop='author'] | "
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' author ') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' byline ') or "
    "contains(concat(' ', normalize-space(@class), ' '), ' autor ')]"
)
_DATE_XPATH = (
    "//meta[@property='article:published_time' or @property='article:modified_time' or @name='date' or "
    "@name='pubdate' or @name='dc.date' or @name='DC.date' or @itemprop='datePublished'][normalize-space(@content)]"
    " | //time[@datetime] | //*[@itemprop='datePublished' or @itemprop='dateModified']"
)


def _declared_language(tree: lxml.html.HtmlElement) -> str:
    """The primary language subtag the page declares (``de`` for ``de-AT``), or ""."""
    candidates = [
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        *tree.xpath("//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')='content-language']/@content"),
        *tree.xpath("//meta[@property='og:locale']/@content"),
    ]
    for candidate in candidates:
        tag = re.split(r"[-_,;\s]", (candidate or "").strip().lower(), maxsplit=1)[0]
        if re.fullmatch(r"[a-z]{2,3}", tag):
            return tag
    return ""


def external_links(page: ParsedPage) -> list[PageLink]:
    """The page's links to other registered domains than its own."""
    own = registered_domain(page.url)
    return [link for link in page.links if link.url and registered_domain(link.url) != own]


@dataclass(frozen=True)
class _RawLink:
    url: str
    anchor: str
    rel: frozenset[str]
    region: str
    hidden: bool
    is_image: bool
    position: float


def _collect_links(tree: lxml.html.HtmlElement, base_url: str) -> list[_RawLink]:
    anchors = [a for a in tree.iter("a") if a.get("href")]
    context = _AncestorContext()
    links = []
    for index, element in enumerate(anchors):
        text = _folded(element.text_content())
        images = element.findall(".//img")
        anchor = text or _folded(" ".join(img.get("alt", "") for img in images))
        region, hidden_above = context.of(element.getparent())
        links.append(
            _RawLink(
                url=resolve_href(base_url, element.get("href", "")),
                anchor=anchor,
                rel=frozenset(element.get("rel", "").lower().split()),
                region=region,
                hidden=hidden_above or _hides(element),
                is_image=bool(images) and not text,
                position=index / max(len(anchors) - 1, 1),
            )
        )
    return links


class _AncestorContext:
    """For any element: the nearest template region at or above it, and whether it or an ancestor is hidden.

    Memoised per element, so a page's links cost one visit per ancestor in all,
    not one climb to the root per link.
    """

    def __init__(self) -> None:
        self._memo: dict[lxml.html.HtmlElement, tuple[str, bool]] = {}

    def of(self, element: lxml.html.HtmlElement | None) -> tuple[str, bool]:
        path = []
        node = element
        while node is not None and isinstance(node.tag, str) and node not in self._memo:
            path.append(node)
            node = node.getparent()
        region, hidden = self._memo.get(node, ("", False)) if node is not None else ("", False)
        for current in reversed(path):  # from the top down: the nearest region wins
            region = _own_region(current) or region
            hidden = hidden or _hides(current)
            self._memo[current] = (region, hidden)
        return region, hidden


def _own_region(node: lxml.html.HtmlElement) -> str:
    """The template region this element itself marks (by tag, or a word in its id/class), or ""."""
    if node.tag in REGION_TAGS:
        return REGION_TAGS[node.tag]
    marks = f"{node.get('id', '')} {node.get('class', '')}"
    if not marks.strip():
        return ""
    words = set(re.split(r"[\s_-]+", marks.lower()))
    for region, markers in REGION_WORDS:
        if words.intersection(markers):
            return region
    return ""


def _hides(node: lxml.html.HtmlElement) -> bool:
    style = node.get("style")
    return node.get("hidden") is not None or bool(style and _HIDDEN_STYLE.search(style.lower()))


def _main_content(tree: lxml.html.HtmlElement, url: str) -> tuple[set[str], set[str], str]:
    """Links trafilatura keeps in the main content and in the comments, and the main text."""
    try:
        xml = trafilatura.extract(
            tree,
            url=url,
            output_format="xml",
            include_links=True,
            include_comments=True,
            include_tables=True,
            with_metadata=False,
            fast=True,  # no fallback extractors: a third faster, and the same main-content links on real pages
        )
    except Exception as exc:  # trafilatura on hostile HTML: a page without main content, not a crash
        LOGGER.debug("trafilatura failed on %s: %s", url, exc)
        return set(), set(), ""
    if not xml:
        return set(), set(), ""
    doc = lxml.etree.fromstring(xml.encode("utf-8"))
    main = doc.find("main")
    comments = doc.find("comments")

    def refs(node: lxml.etree._Element | None) -> set[str]:
        if node is None:
            return set()
        return {resolve_href(url, ref.get("target", "")) for ref in node.iter("ref")} - {""}

    main_text = _folded(" ".join(main.itertext())) if main is not None else ""
    return refs(main), refs(comments), main_text


def _final_placement(link: _RawLink, main_urls: set[str], comment_urls: set[str]) -> str:
    if link.region in ("footer", "nav", "sidebar", "header", "comments"):
        return link.region
    if link.url in comment_urls:
        return "comments"
    if link.url in main_urls:
        return "main"
    return "body"


def _visible_text(tree: lxml.html.HtmlElement) -> tuple[list[str], int]:
    """The page's visible text pieces in document order, and how many words sit inside links.

    One walk with an explicit stack, so deep nesting costs neither recursion nor
    a climb to the root per element. A tail is text of the parent, so it takes
    the parent's visibility and link state.
    """
    parts: list[str] = []
    anchor_words = 0
    stack: list[tuple[object, bool, bool]] = [(tree, False, False)]
    while stack:
        item, invisible, in_link = stack.pop()
        if isinstance(item, str):  # a tail, queued behind its element's children
            text = item
        else:
            element = item
            if not isinstance(element.tag, str):  # type: ignore[attr-defined]
                continue
            if element.tail:  # type: ignore[attr-defined]
                stack.append((element.tail, invisible, in_link))  # type: ignore[attr-defined]
            invisible = invisible or element.tag in _INVISIBLE_TAGS  # type: ignore[attr-defined]
            in_link = in_link or element.tag == "a"  # type: ignore[attr-defined]
            for child in reversed(element):  # type: ignore[call-overload]
                stack.append((child, invisible, in_link))
            text = element.text or ""  # type: ignore[attr-defined]
        if text and not invisible:
            parts.append(text)
            if in_link:
                anchor_words += len(WORD.findall(text))
    return parts, anchor_words


def _folded(text: str) -> str:
    return " ".join(text.split())

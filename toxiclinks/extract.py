"""HTML -> one parsed page: visible text, the classic content features, every link and where it sits.

Each page is parsed once with lxml. trafilatura reads that tree first (it
works on its own copy) to say which links stand in the main content and which
in the comments; then every link is placed, and last the invisible elements
are cut from the tree so lxml hands back the visible text by itself.
"""

from __future__ import annotations

import bz2
import functools
import logging
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

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


#: lxml.html's parser, but every element is a plain ``HtmlElement``: lxml.html's own
#: lookup calls into Python for each element touched, ours and trafilatura's, to give
#: forms their own classes, which nothing here uses
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False)
_PARSER.set_element_class_lookup(
    lxml.etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


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
    #: every link, or only those to the domains asked for (see ``parse_page``)
    links: tuple[PageLink, ...] = field(default=())
    link_urls: tuple[str, ...] = field(default=())  #: every link's URL ("" for non-http links), in page order
    declared_language: str = ""  #: the page's own language tag (html lang, content-language), lowercased primary subtag
    has_author: bool = False  #: names an author (meta author, rel/itemprop author, a byline)
    has_date: bool = False  #: carries a publication date (article:published_time, <time datetime>, ...)
    parse_error: str = ""  #: set when the HTML could not be parsed at all


def parse_page(url: str, html: str, described_domains: Collection[str] | None = None) -> ParsedPage:
    """Parse one page's HTML. Never raises: broken or empty HTML gives a page with no words.

    ``links`` describes every link (anchor, rel, placement, ...), or with
    ``described_domains`` only the links to those registered domains: a scan
    reads the links to the target's site, and describing the rest of a page's
    links is a third of the work. ``link_urls`` always has every link.

    >>> page = parse_page("https://blog.example/post", '<html><head><title>A post</title></head>'
    ...     '<body><p>Read <a href="https://shop.example/">this shop</a> now.</p>'
    ...     '<footer><a href="/about">About</a></footer></body></html>')
    >>> page.words, page.title_words, round(page.anchor_text_fraction, 2)
    (5, 2, 0.6)
    >>> [(link.url, link.placement) for link in page.links]
    [('https://shop.example/', 'main'), ('https://blog.example/about', 'footer')]
    """
    encoded = html.encode("utf-8", errors="replace")
    html_bytes = len(encoded)
    try:
        tree = lxml.html.fromstring(encoded, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        return ParsedPage(url=url, parse_error=str(exc) or "empty document")

    title = _folded(tree.findtext(".//title") or "")
    metadata = _page_metadata(tree)
    main_urls, comment_urls, main_text = _main_content(tree, url)
    link_urls, links = _collect_links(tree, url, main_urls, comment_urls, described_domains)
    visible_parts, anchor_words = _visible_text(tree)  # last: it cuts the invisible elements out of the tree
    visible_text = _folded(" ".join(visible_parts))
    tokens = WORD.findall(visible_text)
    text_bytes = visible_text.encode("utf-8")
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
        link_urls=link_urls,
        declared_language=metadata.declared_language,
        has_author=metadata.has_author,
        has_date=metadata.has_date,
    )


_AUTHOR_META = frozenset(
    {("name", "author"), ("property", "article:author"), ("name", "dc.creator"), ("name", "DC.creator")}
)
_DATE_META = frozenset(
    {
        ("property", "article:published_time"),
        ("property", "article:modified_time"),
        ("name", "date"),
        ("name", "pubdate"),
        ("name", "dc.date"),
        ("name", "DC.date"),
        ("itemprop", "datePublished"),
    }
)
_AUTHOR_CLASSES = frozenset({"author", "byline", "autor"})
_XML_SPACE = " \t\r\n"


@dataclass(frozen=True)
class _Metadata:
    declared_language: str
    has_author: bool
    has_date: bool


def _page_metadata(tree: lxml.html.HtmlElement) -> _Metadata:
    """The page's declared language, and whether it names an author and carries a date.

    An author: ``<meta name=author>`` (or article:author, dc.creator) with content,
    ``rel``/``itemprop`` author, or an ``author``/``byline``/``autor`` class (a byline).
    A date: a publication/modification meta tag with content, ``<time datetime>``,
    ``itemprop`` datePublished/dateModified. One walk over the whole document in
    Python: cheaper than one XPath scan per question.
    """
    has_author = has_date = False
    content_languages: list[str] = []
    locales: list[str] = []
    for element in _document_elements(tree):
        tag = element.tag
        attributes = element.attrib
        if not attributes:
            continue
        if tag == "meta":
            content = attributes.get("content")
            has_content = bool(content and content.strip(_XML_SPACE))
            keys = {(key, attributes.get(key)) for key in ("name", "property", "itemprop")}
            has_author = has_author or (has_content and not _AUTHOR_META.isdisjoint(keys))
            has_date = has_date or (has_content and not _DATE_META.isdisjoint(keys))
            if content is not None and (attributes.get("http-equiv") or "").lower() == "content-language":
                content_languages.append(content)
            if content is not None and attributes.get("property") == "og:locale":
                locales.append(content)
        elif tag == "time" and "datetime" in attributes:
            has_date = True
        itemprop = attributes.get("itemprop")
        if itemprop in ("datePublished", "dateModified"):
            has_date = True
        if itemprop == "author" or attributes.get("rel") == "author":
            has_author = True
        if not has_author and "class" in attributes:
            has_author = not _AUTHOR_CLASSES.isdisjoint(attributes["class"].split())
    candidates = [
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        *content_languages,
        *locales,
    ]
    return _Metadata(_primary_language(candidates), has_author, has_date)


def _document_elements(tree: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """Every element of the document ``tree`` belongs to, in document order.

    Not just the root's: libxml2 makes markup after ``</html>`` a second root beside the first.
    """
    root = tree.getroottree().getroot()
    for top in (*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()):
        yield from top.iter(lxml.etree.Element)


def _primary_language(candidates: list[str | None]) -> str:
    """The first primary language subtag among the declarations (``de`` for ``de-AT``), or ""."""
    for candidate in candidates:
        tag = re.split(r"[-_,;\s]", (candidate or "").strip().lower(), maxsplit=1)[0]
        if re.fullmatch(r"[a-z]{2,3}", tag):
            return tag
    return ""


def external_links(page: ParsedPage) -> list[PageLink]:
    """The page's described links to other registered domains than its own."""
    own = registered_domain(page.url)
    return [link for link in page.links if link.url and registered_domain(link.url) != own]


def external_link_urls(page: ParsedPage) -> list[str]:
    """The URLs of all the page's links to other registered domains than its own, repeats included."""
    own = registered_domain(page.url)
    return [url for url in page.link_urls if url and registered_domain(url) != own]


_NO_REL: frozenset[str] = frozenset()


def _collect_links(
    tree: lxml.html.HtmlElement,
    base_url: str,
    main_urls: set[str],
    comment_urls: set[str],
    described_domains: Collection[str] | None,
) -> tuple[tuple[str, ...], tuple[PageLink, ...]]:
    """Every link's URL, and the description of every link (or of those to ``described_domains``)."""
    anchors = [a for a in tree.iter("a") if a.get("href")]
    context = _AncestorContext()
    resolved: dict[str, str] = {}  # menus and footers repeat the same hrefs
    urls = []
    links = []
    for index, element in enumerate(anchors):
        href = element.get("href", "")
        if href not in resolved:
            resolved[href] = resolve_href(base_url, href)
        url = resolved[href]
        urls.append(url)
        if described_domains is not None and not (url and registered_domain(url) in described_domains):
            continue
        text = _folded("".join(element.itertext()))
        # an image link: no text of its own, so its anchor is the images' alt text
        images = () if text else element.findall(".//img")
        region, hidden_above = context.of(element.getparent())
        rel = element.get("rel")
        links.append(
            PageLink(
                url=url,
                anchor=text or _folded(" ".join(img.get("alt", "") for img in images)),
                rel=frozenset(rel.lower().split()) if rel else _NO_REL,
                placement=_placement(region, url, main_urls, comment_urls),
                hidden=hidden_above or _hides(element),
                is_image=bool(images),
                position=index / max(len(anchors) - 1, 1),
            )
        )
    return tuple(urls), tuple(links)


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
    element_id, element_class = node.get("id"), node.get("class")
    if not (element_id or element_class):
        return ""
    return _region_of_marks(f"{element_id or ''} {element_class or ''}")


_MARK_SEPARATORS = re.compile(r"[\s_-]+")


@functools.lru_cache(maxsize=4096)
def _region_of_marks(marks: str) -> str:
    """The region an id/class string names, or "" (cached: templates repeat their classes)."""
    words = set(_MARK_SEPARATORS.split(marks.lower()))
    for region, markers in REGION_WORDS:
        if words.intersection(markers):
            return region
    return ""


def _hides(node: lxml.html.HtmlElement) -> bool:
    style = node.get("style")
    return node.get("hidden") is not None or bool(style and _HIDDEN_STYLE.search(style.lower()))


def _main_content(tree: lxml.html.HtmlElement, url: str) -> tuple[set[str], set[str], str]:
    """Links trafilatura keeps in the main content and in the comments, and the main text.

    ``bare_extraction`` hands back trafilatura's own trees, so nothing is
    serialised to XML and parsed again. It is not given the page URL: each kept
    link's raw ``href`` is resolved here exactly as ``_collect_links`` resolves
    the same link, so the two always match (trafilatura's own resolution differs
    on protocol-relative and ``#fragment`` links).
    """
    # Imported when a page is first parsed: a triage, which parses none, is spared its 45 ms in each process.
    import trafilatura
    from trafilatura.settings import Document

    try:
        document = trafilatura.bare_extraction(
            tree,
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
    if not isinstance(document, Document) or document.body is None:  # None: no main content found
        return set(), set(), ""

    def refs(node: lxml.etree._Element | None) -> set[str]:
        if node is None:
            return set()
        return {resolve_href(url, ref.get("target", "")) for ref in node.iter("ref")} - {""}

    return refs(document.body), refs(document.commentsbody), _clean_text(" ".join(document.body.itertext()))


def _clean_text(text: str) -> str:
    """Text as trafilatura's own output gives it: no control or format characters, spaces folded, NFC."""
    text = _folded(text)
    if not text.isprintable():  # soft hyphens, bidi marks, zero-width spaces...
        text = _folded("".join(character for character in text if character.isprintable()))
    return unicodedata.normalize("NFC", text.replace("\u2424", ""))


def _placement(region: str, url: str, main_urls: set[str], comment_urls: set[str]) -> str:
    """A template region found on the link's ancestors wins; else where trafilatura put the link."""
    if region in ("footer", "nav", "sidebar", "header", "comments"):
        return region
    if url in comment_urls:
        return "comments"
    if url in main_urls:
        return "main"
    return "body"


_ANCHOR_TEXT = lxml.etree.XPath("descendant-or-self::a//text()", smart_strings=False)


def _visible_text(tree: lxml.html.HtmlElement) -> tuple[list[str], int]:
    """The page's visible text pieces in document order, and how many words sit inside links.

    Cuts the invisible elements (scripts, styles, the head...) out of ``tree``,
    keeping their tails, which are text of the parent; then lxml walks the
    rest in C.
    """
    lxml.etree.strip_elements(tree, *_INVISIBLE_TAGS, with_tail=False)
    anchor_words = len(WORD.findall(" ".join(_ANCHOR_TEXT(tree))))
    return list(tree.itertext()), anchor_words


def _folded(text: str) -> str:
    return " ".join(text.split())

"""Link signals: the link to the target on the referring page, and its anchor."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from toxiclinks.extract import PLACEMENTS, PageLink, ParsedPage
from toxiclinks.features.vocabulary import spam_word_fraction
from toxiclinks.urls import brand_of, host_of, normalize_url, registered_domain

#: anchors that say nothing about the target, in English, German and French
GENERIC_ANCHORS = frozenset(
    """
    click here | here | this | this site | this website | website | web site | site | link | this link |
    read more | more | learn more | more info | more information | source | visit | visit site |
    homepage | home page | go | see here | details | hier | hier klicken | mehr | weiterlesen |
    mehr erfahren | quelle | webseite | website besuchen | link | ici | cliquez ici | en savoir plus |
    lire la suite | source | site web
    """.replace("\n", " ").split("|")
)
GENERIC_ANCHORS = frozenset(anchor.strip() for anchor in GENERIC_ANCHORS if anchor.strip())

ANCHOR_CLASSES = ("empty", "url", "generic", "brand", "exact", "partial", "other")
_GENERIC_PUNCTUATION = " .!:»›>"  #: stripped from an anchor before it is looked up among ``GENERIC_ANCHORS``
_NOT_WORD = re.compile(r"[\W_]+")
_URL_ANCHOR = re.compile(r"^(https?://)?(www\.)?[\w.-]+\.[a-z]{2,}(/\S*)?$")


def classify_anchor(anchor: str, target: str, brand: Sequence[str] = (), keywords: Sequence[str] = ()) -> str:
    """Classify an anchor text against the target site: one of ``ANCHOR_CLASSES``.

    ``brand`` defaults to the target's domain name; ``exact``/``partial`` need
    ``keywords`` (the target's money keywords); without them a descriptive
    anchor is ``other``.

    >>> classify_anchor("", "https://brightkettle.com/")
    'empty'
    >>> classify_anchor("www.brightkettle.com", "https://brightkettle.com/")
    'url'
    >>> classify_anchor("Click here", "https://brightkettle.com/")
    'generic'
    >>> classify_anchor("Bright Kettle", "https://brightkettle.com/")
    'brand'
    >>> classify_anchor("best electric kettle", "https://brightkettle.com/", keywords=["best electric kettle"])
    'exact'
    >>> classify_anchor("a good electric kettle for tea", "https://brightkettle.com/", keywords=["electric kettle"])
    'partial'
    """
    return AnchorClassifier(target, brand, keywords)(anchor)


class AnchorClassifier:
    """``classify_anchor`` against one target, brand and keyword list, those prepared once for many anchors."""

    def __init__(self, target: str, brand: Sequence[str] = (), keywords: Sequence[str] = ()) -> None:
        brands = list(brand) or ([brand_of(target)] if target else [])
        self._brands = [squashed for squashed in (_NOT_WORD.sub("", b.lower()) for b in brands) if squashed]
        self._keywords = [" ".join(k.lower().split()) for k in keywords if k.strip()]
        self._keyword_words = [(keyword, set(keyword.split()), len(keyword.split())) for keyword in self._keywords]

    def __call__(self, anchor: str) -> str:
        """The anchor's class, one of ``ANCHOR_CLASSES``."""
        text = " ".join(anchor.lower().split())
        if not text:
            return "empty"
        if _URL_ANCHOR.match(text):
            return "url"
        if text.strip(_GENERIC_PUNCTUATION) in GENERIC_ANCHORS:
            return "generic"
        if self._brands:
            squashed = _NOT_WORD.sub("", text)
            if any(brand in squashed for brand in self._brands):
                return "brand"
        if text in self._keywords:
            return "exact"
        words = set(text.split())
        for keyword, keyword_words, count in self._keyword_words:
            shared_words = keyword_words & words
            if keyword in text or (shared_words and 2 * len(shared_words) >= count):
                return "partial"
        return "other"


def classify_anchors(
    anchors: Sequence[str], brands: Sequence[Sequence[str]], brand_codes: np.ndarray, keywords: Sequence[str] = ()
) -> np.ndarray:
    """``classify_anchor`` of many anchors at once: anchor ``i`` against the brand ``brands[brand_codes[i]]``.

    ASCII anchors (nearly all) are tested column-wise in Arrow, as
    ``AnchorClassifier`` tests them (RE2's ``\\w`` is Python's on ASCII); the
    others, and the exact or partial keyword matches when ``keywords`` are
    given, go through it one by one.

    >>> classify_anchors(["Bright  Kettle", "click here!", "www.x.example", "tea"], [("brightkettle",)],
    ...                  np.zeros(4, dtype=int)).tolist()
    ['brand', 'generic', 'url', 'other']
    """
    classes = np.full(len(anchors), "other", dtype=object)
    plain = np.fromiter((anchor.isascii() for anchor in anchors), dtype=bool, count=len(anchors))
    rows = np.flatnonzero(plain)
    undecided = rows
    if len(rows):
        # Evened out in Python (str.split is faster than a regular expression in Arrow), tested in Arrow.
        text = pa.array([" ".join(anchors[row].lower().split()) for row in rows.tolist()], type=pa.string())
        empty = pc.equal(text, "").to_numpy(zero_copy_only=False)
        url = pc.match_substring_regex(text, _URL_ANCHOR.pattern).to_numpy(zero_copy_only=False)
        generic = pc.is_in(pc.utf8_trim(text, _GENERIC_PUNCTUATION), pa.array(sorted(GENERIC_ANCHORS)))
        brand = np.zeros(len(rows), dtype=bool)
        codes = np.asarray(brand_codes)[rows]
        for code in np.unique(codes).tolist():
            mine = np.flatnonzero(codes == code)
            for word in AnchorClassifier("", brands[code])._brands:
                # The brand within the text with its [\\W_] squashed out: its letters with only those between.
                letters = "[^a-z0-9]*".join(re.escape(letter) for letter in word)
                brand[mine] |= pc.match_substring_regex(text.take(mine), letters).to_numpy(zero_copy_only=False)
        decided = np.select(
            [empty, url, generic.to_numpy(zero_copy_only=False), brand], ["empty", "url", "generic", "brand"], ""
        )
        classes[rows] = np.where(decided == "", "other", decided)
        undecided = rows[decided == ""]
    # What Arrow did not decide: the non-ASCII anchors, and the keyword classes when there are keywords.
    rest = np.concatenate([np.flatnonzero(~plain), undecided if keywords else undecided[:0]])
    classifiers: dict[int, AnchorClassifier] = {}
    for row in rest.tolist():
        code = int(brand_codes[row])
        if code not in classifiers:
            classifiers[code] = AnchorClassifier("", brands[code], keywords)
        classes[row] = classifiers[code](anchors[row])
    return classes


def find_target_links(page: ParsedPage, target_url: str, site: str | None = None) -> list[PageLink]:
    """The page's links to the target: to the same URL if any, else to the target's site.

    Matching ignores scheme, ``www.`` and a trailing slash. With no target URL,
    ``site`` (a domain) is the target.
    """
    if target_url:
        key = _page_key(target_url)
        exact = [link for link in page.links if link.url and _page_key(link.url) == key]
        if exact:
            return exact
    domain = target_domain(target_url, site)
    if not domain:
        return []
    return [link for link in page.links if link.url and registered_domain(link.url) == domain]


def target_domain(target_url: str, site: str | None = None) -> str:
    """The registered domain a backlink's target lives on: the target URL's, else the site's ("" if neither)."""
    if target_url:
        return registered_domain(target_url)
    if site:
        return registered_domain(normalize_url(site) or site)
    return ""


def link_features(
    page: ParsedPage,
    target_url: str,
    export_anchor: str,
    site: str | None = None,
    brand: Sequence[str] = (),
    keywords: Sequence[str] = (),
) -> dict[str, object]:
    """The link-level signals of one backlink on its parsed referring page.

    When several links point to the target, the most visible one is described
    (main content first), since that is the one that passes most value.
    """
    links = find_target_links(page, target_url, site)
    target = target_url or (normalize_url(site) if site else "")
    signals: dict[str, object] = {
        "link_found": bool(links),
        "link_count": float(len(links)),
    }
    if links:
        link = min(links, key=lambda candidate: (PLACEMENTS.index(candidate.placement), candidate.hidden))
        anchor = link.anchor
        signals.update(
            link_placement=link.placement,
            link_hidden=link.hidden,
            link_is_image=link.is_image,
            link_position=link.position,
            link_nofollow="nofollow" in link.rel,
            link_sponsored="sponsored" in link.rel,
            link_ugc="ugc" in link.rel,
        )
    else:
        anchor = export_anchor
        signals.update(
            link_placement="",
            link_hidden=False,
            link_is_image=False,
            link_position=float("nan"),
            link_nofollow=False,
            link_sponsored=False,
            link_ugc=False,
        )
    signals.update(
        page_anchor=anchor,
        anchor_class=classify_anchor(anchor, target, brand, keywords),
        anchor_words=float(len(anchor.split())),
        anchor_spam_fraction=spam_word_fraction(anchor),
        same_host=bool(target) and host_of(target).removeprefix("www.") == host_of(page.url).removeprefix("www."),
    )
    return signals


def _page_key(url: str) -> str:
    host = host_of(url).removeprefix("www.")
    path = url.split(host, 1)[-1] if host else url
    return host + (path.rstrip("/") or "")

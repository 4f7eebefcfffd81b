"""Artificial link contexts derived from real pages, one named function per link scheme.

No public data labels individual backlinks. The natural examples of the
default model are the real editorial links in the article bodies of real
pages; the artificial ones are made from the *same* pages by the seeded
transformations below, each imitating one scheme that Google's link-spam
policy names. Every transformation keeps the page's template, language and
text, and changes only what the scheme changes, so that the model learns the
scheme and not an artefact of how the examples were made.

Each function takes the parsed page (modified in place), the ``<a>`` element
of the natural link, the target URL, a seeded ``random.Random`` and a pool of
other URLs, and returns the anchor text the artificial link ends up with.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import lxml.html
from lxml.html import builder as E

#: money anchors as link sellers' customers ask for them: spam verticals and ordinary trades
COMMERCIAL_ANCHORS = (
    "best online casino",
    "casino bonus ohne einzahlung",
    "cheap payday loans",
    "kredit ohne schufa",
    "buy viagra online",
    "essay writing service",
    "replica watches",
    "sportwetten bonus",
    "cheap car insurance",
    "best vpn service",
    "weight loss pills",
    "seo agency",
    "web design agency",
    "cheap hotels in berlin",
    "buy instagram followers",
    "online pharmacy",
    "forex trading platform",
    "beste matratze kaufen",
    "günstige ferienwohnung",
    "assurance auto pas cher",
    "dentist near me",
    "cheap flights to london",
    "personal injury lawyer",
    "best electric toothbrush",
)

_PRAISE = (
    "Great post, thanks for sharing!",
    "Very informative article, bookmarked.",
    "Thanks, this helped me a lot.",
    "Nice write-up. Keep it up!",
    "Toller Beitrag, danke!",
    "Interesting read, I agree with most points.",
)


def _replace_with_text(element: lxml.html.HtmlElement) -> None:
    """Remove a link but keep its text and tail in place."""
    parent = element.getparent()
    if parent is None:
        return
    text = (element.text_content() or "") + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)


def _body(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    body = tree.find(".//body")
    return body if body is not None else tree


def _link_block(
    target: str, anchor: str, pool: Sequence[str], rng: random.Random, count: int
) -> list[lxml.html.HtmlElement]:
    urls = rng.sample(list(pool), min(count - 1, len(pool)))
    links = [E.A(rng.choice(COMMERCIAL_ANCHORS), href=url) for url in urls]
    links.insert(rng.randrange(len(links) + 1), E.A(anchor, href=target))
    return links


def link_directory_page(
    tree: lxml.html.HtmlElement, link: lxml.html.HtmlElement, target: str, rng: random.Random, pool: Sequence[str]
) -> str:
    """Low-quality directory and bookmark sites: the article becomes a long list of links."""
    anchor = rng.choice(COMMERCIAL_ANCHORS)
    block = link.getparent()
    container = block.getparent() if block is not None and block.getparent() is not None else _body(tree)
    for child in list(container):
        container.remove(child)
    container.text = None
    items = [E.LI(a) for a in _link_block(target, anchor, pool, rng, rng.randint(25, 60))]
    container.append(E.H2(rng.choice(("Useful resources", "Web directory", "Linkliste", "Partner sites"))))
    container.append(E.UL(*items))
    return anchor


def _template_block(
    tree: lxml.html.HtmlElement,
    link: lxml.html.HtmlElement,
    target: str,
    rng: random.Random,
    pool: Sequence[str],
    wrapper: Callable[..., lxml.html.HtmlElement],
) -> str:
    anchor = rng.choice(COMMERCIAL_ANCHORS)
    _replace_with_text(link)
    links = _link_block(target, anchor, pool, rng, rng.randint(3, 8))
    spaced: list[object] = [rng.choice(("Partners: ", "Sponsors: ", "Empfehlungen: ", "Friends: "))]
    for a in links:
        a.tail = " | "
        spaced.append(a)
    _body(tree).append(wrapper(*spaced))
    return anchor


def sitewide_footer_links(
    tree: lxml.html.HtmlElement, link: lxml.html.HtmlElement, target: str, rng: random.Random, pool: Sequence[str]
) -> str:
    """Widely distributed footer links: the link moves into a block of paid links in the footer."""
    return _template_block(tree, link, target, rng, pool, lambda *c: E.FOOTER(E.DIV(*c, E.CLASS("partner-links"))))


def sidebar_link_widget(
    tree: lxml.html.HtmlElement, link: lxml.html.HtmlElement, target: str, rng: random.Random, pool: Sequence[str]
) -> str:
    """Widget links spread across many sites: the link moves into a sidebar widget of sponsored links."""
    return _template_block(tree, link, target, rng, pool, lambda *c: E.ASIDE(E.DIV(*c), E.CLASS("sidebar widget")))


def comment_signature_spam(
    tree: lxml.html.HtmlElement, link: lxml.html.HtmlElement, target: str, rng: random.Random, pool: Sequence[str]
) -> str:
    """Comment spam and forum signature links: the link appears in a short comment under the article."""
    anchor = rng.choice(COMMERCIAL_ANCHORS)
    _replace_with_text(link)
    comments = [E.DIV(E.P(rng.choice(_PRAISE)), E.CLASS("comment")) for _ in range(rng.randint(1, 3))]
    spam = E.DIV(E.P(rng.choice(_PRAISE), " ", E.A(anchor, href=target)), E.CLASS("comment"))
    comments.insert(rng.randrange(len(comments) + 1), spam)
    _body(tree).append(E.DIV(E.H3("Comments"), *comments, id="comments"))
    return anchor


def hidden_link(
    tree: lxml.html.HtmlElement, link: lxml.html.HtmlElement, target: str, rng: random.Random, pool: Sequence[str]
) -> str:
    """Hidden links: the same link in the same place, hidden from readers by CSS."""
    link.set("style", rng.choice(("display:none", "display: none;", "visibility:hidden", "font-size:0")))
    return link.text_content()


def keyword_rich_advertorial(
    tree: lxml.html.HtmlElement, link: lxml.html.HtmlElement, target: str, rng: random.Random, pool: Sequence[str]
) -> str:
    """Advertorials and guest posts with keyword-rich anchors: the article link gets a money anchor and a pitch."""
    anchor = rng.choice(COMMERCIAL_ANCHORS)
    for child in list(link):
        link.remove(child)
    link.text = anchor
    block = link.getparent()
    if block is not None and block.getparent() is not None:
        # The pitch carries no second link: the twin differs from the natural page by the scheme only.
        pitch = E.P(f"Looking for {anchor}? Compare offers for {anchor} before you decide: {anchor} made easy.")
        block.addnext(pitch)
    return anchor


TRANSFORMATIONS: tuple[Callable[..., str], ...] = (
    link_directory_page,
    sitewide_footer_links,
    sidebar_link_widget,
    comment_signature_spam,
    hidden_link,
    keyword_rich_advertorial,
)

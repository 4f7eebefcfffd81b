"""Page signals: one dict per referring page, the same for every backlink from it."""

from __future__ import annotations

from toxiclinks.extract import WORD, ParsedPage, external_link_urls
from toxiclinks.features.vocabulary import spam_word_fraction
from toxiclinks.urls import registered_domain

#: the six classic content features, named as in ../shared/data/webspam-uk2006
CLASSIC_FEATURES = (
    "words",
    "title_words",
    "avg_word_length",
    "anchor_text_fraction",
    "visible_text_fraction",
    "compression_ratio",
)


def page_features(page: ParsedPage) -> dict[str, float]:
    """The page-level signals of one parsed page.

    ``outbound_link_density`` is external links per 100 words of main text
    (main words floored at 1, so a page of bare links scores high, not infinite).

    >>> from toxiclinks.extract import parse_page
    >>> html = '<p>' + 'word ' * 50 + '<a href="http://x.example/">x</a> <a href="http://y.example/">y</a></p>'
    >>> signals = page_features(parse_page("http://blog.example/", html))
    >>> signals["external_links"], signals["external_domains"]
    (2.0, 2.0)
    """
    external = external_link_urls(page)
    main_words = len(WORD.findall(page.main_text))
    signals = {name: float(getattr(page, name)) for name in CLASSIC_FEATURES}
    signals.update(
        main_words=float(main_words),
        external_links=float(len(external)),
        external_domains=float(len({registered_domain(url) for url in external})),
        outbound_link_density=100.0 * len(external) / max(main_words, 1),
        spam_word_fraction=spam_word_fraction(page.main_text or page.title),
    )
    return signals

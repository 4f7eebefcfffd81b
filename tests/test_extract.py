import bz2

import pytest

from toxiclinks.extract import external_links, parse_page

ARTICLE = """<html><head><title>Three word title</title><style>.x{color:red}</style></head><body>
<nav class="menu"><a href="/">Home</a></nav>
<article><h1>Green tea</h1>
<p>Green tea wants water at seventy degrees, not boiling water, or the leaves turn bitter quickly.
Our tasting panel tried many kettles over three months and kept careful notes on every single cup they brewed.
See <a href="https://shop.example/kettles">this kettle guide</a> for details on temperatures and timing.</p>
<p>Store the leaves airtight and away from light, and use them within a year for the best aroma.</p></article>
<aside class="sidebar"><a href="https://ads.example/">Sponsor</a></aside>
<div id="comments"><div class="comment">Nice! <a href="https://spam.example/">cheap pills</a></div></div>
<p><span style="display: none"><a href="https://hidden.example/">hidden link</a></span></p>
<footer><a href="https://partner.example/"><img src="logo.png" alt="Partner logo"></a></footer>
<script>var words = "not visible at all";</script>
</body></html>"""


@pytest.fixture(scope="module")
def page():
    return parse_page("https://blog.example/green-tea", ARTICLE)


def test_classic_features_match_their_definitions():
    html = (
        "<html><head><title>Three word title</title><style>p{color:red}</style></head>"
        '<body><p>one two three <a href="/x">four five</a> six</p><script>var hidden = 1;</script></body></html>'
    )
    page = parse_page("https://a.example/", html)
    assert page.title_words == 3
    assert page.words == 6  # title, style and script text are not page text
    assert page.avg_word_length == pytest.approx(len("onetwothreefourfivesix") / 6)
    assert page.anchor_text_fraction == pytest.approx(2 / 6)
    visible = "one two three four five six"
    assert page.visible_text_fraction == pytest.approx(len(visible) / len(html.encode()))


def test_a_rich_page_counts_anchor_words_of_every_link(page):
    from toxiclinks.extract import WORD

    anchor_words = len(WORD.findall("Home this kettle guide Sponsor cheap pills hidden link"))
    assert page.anchor_text_fraction == pytest.approx(anchor_words / page.words)
    assert page.title_words == 3


def test_compression_ratio_is_text_over_bzip2_size():
    text = "alpha beta gamma " * 50
    page = parse_page("https://a.example/", f"<p>{text}</p>")
    folded = " ".join(text.split()).encode()
    assert page.compression_ratio == pytest.approx(len(folded) / len(bz2.compress(folded)))


def test_placement_of_each_link(page):
    placements = {link.url: link.placement for link in page.links}
    assert placements["https://blog.example/"] == "nav"
    assert placements["https://shop.example/kettles"] == "main"
    assert placements["https://ads.example/"] == "sidebar"
    assert placements["https://spam.example/"] == "comments"
    assert placements["https://partner.example/"] == "footer"


def test_hidden_and_image_links(page):
    by_url = {link.url: link for link in page.links}
    assert by_url["https://hidden.example/"].hidden
    assert not by_url["https://shop.example/kettles"].hidden
    assert by_url["https://partner.example/"].is_image
    assert by_url["https://partner.example/"].anchor == "Partner logo"


def test_external_links_exclude_the_pages_own_domain(page):
    assert "https://blog.example/" not in {link.url for link in external_links(page)}
    assert len(external_links(page)) == 5


def test_main_content_links_placed_whatever_form_their_href_takes():
    # trafilatura's own URL resolution turns "//host/x" into http: and "#part" into the site's root;
    # the placement must match each link as it is resolved everywhere else
    body = " ".join(["Green tea wants water at seventy degrees and not boiling water."] * 6)
    html = (
        f"<html><body><nav><a href='/'>Home</a></nav><article><p>{body} "
        "<a href='//cdn.example/paper'>the paper</a>, <a href='../notes.html'>notes</a> and "
        f"<a href='#part-two'>part two</a>.</p><p>{body}</p></article></body></html>"
    )
    page = parse_page("https://blog.example/posts/tea.html", html)
    placements = {link.url: link.placement for link in page.links}
    assert placements == {
        "https://blog.example/": "nav",
        "https://cdn.example/paper": "main",
        "https://blog.example/notes.html": "main",
        "": "body",  # a link within the page itself has no URL
    }


def test_main_text_is_cleaned_like_trafilatura_output():
    # a soft hyphen and a zero-width space vanish; a decomposed umlaut is composed (NFC)
    body = "Gru\u0308ne Tee\u00adbl\u00e4tter wollen Wasser mit siebzig Grad\u200b. " * 8
    page = parse_page("https://a.example/", f"<html><body><article><p>{body}</p></article></body></html>")
    assert "Grüne Teeblätter wollen Wasser mit siebzig Grad." in page.main_text
    assert "\u00ad" not in page.main_text and "\u200b" not in page.main_text and "u\u0308" not in page.main_text


def test_described_domains_describe_only_those_links_and_count_every_link(page):
    from toxiclinks.features.page import page_features

    partial = parse_page("https://blog.example/green-tea", ARTICLE, described_domains={"shop.example"})
    assert [link.url for link in partial.links] == ["https://shop.example/kettles"]
    full_link = next(link for link in page.links if link.url == "https://shop.example/kettles")
    assert partial.links[0] == full_link  # same placement, anchor and position as in a full parse
    assert partial.link_urls == tuple(link.url for link in page.links)
    assert page_features(partial) == page_features(page)


def test_rel_tokens_are_read():
    page = parse_page("https://a.example/", '<p>x <a rel="NoFollow UGC" href="https://b.example/">b</a></p>')
    assert page.links[0].rel == frozenset({"nofollow", "ugc"})


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<html",
        "<<<>>>",
        "\x00\x01binary\xff",
        "<p>unclosed <b>tags <a href='x'>",
        "<html><body></body></html>",
    ],
)
def test_broken_and_empty_html_never_raise(html):
    page = parse_page("https://a.example/", html)
    assert page.words >= 0 and page.anchor_text_fraction >= 0


def test_xml_declaration_with_encoding_is_accepted():
    page = parse_page(
        "https://a.example/",
        '<?xml version="1.0" encoding="ISO-8859-1"?><html><body><p>Grüße aus Köln</p></body></html>',
    )
    assert page.words == 3


def test_deep_nesting_is_linear_and_counts_text():
    html = "<div>" * 5000 + "deep words here" + "</div>" * 5000
    assert parse_page("https://a.example/", html).words >= 0  # libxml2 caps the depth; no recursion error

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

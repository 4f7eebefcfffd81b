"""Every page, topic, URL and profile signal on small hand-written inputs where the right value is known."""

import math

import pandas as pd
import pytest

from toxiclinks import schema
from toxiclinks.extract import parse_page
from toxiclinks.features import build_features, features_markdown
from toxiclinks.features.language import detect_language
from toxiclinks.features.page import CLASSIC_FEATURES
from toxiclinks.features.profile import ProfileCounts, profile_features
from toxiclinks.features.topic import TopicComparer, topic_similarities, url_words
from toxiclinks.page import Page, decode_html
from toxiclinks.settings import Settings

from conftest import ROOT, SHARED

GERMAN = "Der Wasserkocher ist für den grünen Tee gedacht, und die Temperatur wird auf das Grad genau gehalten."
ENGLISH = "The kettle is made for green tea, and the temperature is held to the degree for an hour or more."


def test_language_declared_wins_then_function_words():
    assert parse_page("https://a.example/", '<html lang="de-AT"><p>x</p></html>').declared_language == "de"
    html = '<html><head><meta http-equiv="Content-Language" content="fr"></head><p>x</p></html>'
    assert parse_page("https://a.example/", html).declared_language == "fr"
    # the content-language header comes before og:locale, whatever their order in the page
    html = '<head><meta property="og:locale" content="it_IT"><meta http-equiv="CONTENT-LANGUAGE" content="nl">'
    assert parse_page("https://a.example/", html + "<p>x</p>").declared_language == "nl"
    html = '<head><meta property="og:locale" content="it_IT"><meta http-equiv="content-language"></head>'
    assert parse_page("https://a.example/", html + "<p>x</p>").declared_language == "it"
    assert detect_language(GERMAN) == "de" and detect_language(ENGLISH) == "en"
    assert detect_language("kettle kettle kettle") == ""


@pytest.mark.parametrize(
    ("html", "author", "date"),
    [
        ('<meta name="author" content="Ann Lee"><p>x</p>', True, False),
        ('<p class="byline">By Ann</p>', True, False),
        ('<a rel="author" href="/ann">Ann</a>', True, False),
        ('<meta property="article:published_time" content="2026-01-02T10:00:00Z"><p>x</p>', False, True),
        ('<p>Posted <time datetime="2026-01-02">2 Jan</time></p>', False, True),
        ("<p>No one wrote this, ever.</p>", False, False),
        ('<meta name="author" content=""><p>empty author</p>', False, False),
        ('<p class="coauthors">Ann and Bo</p>', False, False),  # a word of the class, not a part of one
        ('<div itemprop="dateModified">today</div><span itemprop="author">Ann</span>', True, True),
        ('<meta name="DC.date" content=" 2026 "><meta property="article:author" content="Ann">', True, True),
        ('<meta name="pubdate" content="  "><time>no datetime</time>', False, False),
        # libxml2 makes markup after </html> a second root: it is still the page's
        ('<p>x</p></body></html><span class="author">Ann</span><time datetime="2026">', True, True),
    ],
)
def test_author_and_date_presence(html, author, date):
    page = parse_page("https://a.example/", f"<html><head></head><body>{html}</body></html>")
    assert (page.has_author, page.has_date) == (author, date)


def test_topic_similarity_same_language_compared_other_language_not():
    topic = "electric kettle green tea water temperature degrees"
    sims = topic_similarities(
        {"de": GERMAN, "en": ENGLISH, "casino": "Casino bonus, free spins, poker and roulette odds tonight!"},
        {"de": "de", "en": "en", "casino": "en"},
        topic,
        topic_language="en",
    )
    assert math.isnan(sims["de"])  # another language: not compared, not "off topic"
    assert sims["en"] > 0.3 > sims["casino"]
    german_site = topic_similarities({"de": GERMAN}, {"de": "de"}, "Wasserkocher Tee Temperatur", "de")
    assert german_site["de"] > 0.2  # a German page about a German site's topic is on topic


def test_topic_similarity_is_tfidf_cosine_whatever_the_chunk_size(monkeypatch):
    # the two hashed passes give scikit-learn's TF-IDF cosine (vocabulary, all texts at once), chunk by chunk
    from sklearn.feature_extraction.text import TfidfVectorizer

    from toxiclinks.features import topic as topic_module

    texts = {
        "de": GERMAN,
        "en": ENGLISH,
        "tea": "Green tea leaves want water below boiling; a kettle with a temperature dial helps every morning.",
        "casino": "Casino bonus, free spins, poker and roulette odds tonight!",
        "empty": "  ",
    }
    topic = "electric kettle green tea water temperature degrees"
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True)
    matrix = vectorizer.fit_transform([topic, *(text for text in texts.values() if text.strip())])
    read = [url for url, text in texts.items() if text.strip()]
    expected = dict(zip(read, (matrix[1:] @ matrix[0].T).toarray().ravel(), strict=True))
    for chunk, jobs in ((1, 1), (2, 1), (500, 1), (2, 2)):  # 2 jobs: the chunks hashed in worker processes
        monkeypatch.setattr(topic_module, "SIMILARITY_CHUNK", chunk)
        sims = topic_similarities(texts, {}, topic, jobs=jobs)
        assert math.isnan(sims["empty"])
        for url, value in expected.items():
            assert sims[url] == pytest.approx(value, abs=1e-9), (chunk, url)
        if chunk == 2:  # the same numbers, to the last bit, in this process or in workers
            assert repr(sims) == repr(topic_similarities(texts, {}, topic, jobs=1))


def test_topic_similarity_judges_only_the_urls_given_and_reads_each_text_twice():
    # a scan hands texts that wait on disk: each is read once per pass, never all kept, and only sources judged
    from collections.abc import Mapping

    texts = {"en": ENGLISH, "de": GERMAN, "tea": "Green tea wants water below boiling.", "blank": " "}
    reads: dict[str, int] = {}

    class OnDisk(Mapping):
        def __getitem__(self, url):
            reads[url] = reads.get(url, 0) + 1
            return texts[url]

        def __iter__(self):
            return iter(texts)

        def __len__(self):
            return len(texts)

    topic = "electric kettle green tea water temperature degrees"
    sims = topic_similarities(OnDisk(), {}, topic, urls=["en", "tea", "blank"])
    assert reads == {"en": 2, "tea": 2, "blank": 2}
    alone = topic_similarities({url: texts[url] for url in ("en", "tea", "blank")}, {}, topic)
    assert sims.keys() == alone.keys() and math.isnan(sims["blank"])
    assert sims["en"] == alone["en"] and sims["tea"] == alone["tea"]


def test_topic_compared_a_chunk_at_a_time_is_the_whole_comparison():
    texts = {"en": ENGLISH, "de": GERMAN, "tea": "green tea and kettles " * 20, "blank": " "}
    topic = "electric kettle green tea temperature"
    comparer = TopicComparer(topic)
    comparer.count(texts, ["en", "de"])
    comparer.count(texts, ["tea", "blank"])  # the IDF counts every page of both chunks
    chunked = {**comparer.similarities(texts, {}, ["tea"]), **comparer.similarities(texts, {}, ["en", "de", "blank"])}
    whole = topic_similarities(texts, {}, topic)
    assert set(chunked) == set(whole) and all(repr(chunked[url]) == repr(whole[url]) for url in whole)  # NaN too
    assert chunked["tea"] > chunked["en"] > 0 and math.isnan(chunked["blank"])
    with pytest.raises(RuntimeError, match="counted before"):
        comparer.count(texts, ["en"])  # the IDF is fixed once a page is compared


def test_topic_words_from_target_urls():
    assert url_words(["https://s.example/shop/electric-kettles?x=1", "https://s.example/"]) == "electric kettles"


def test_profile_signals():
    links = pd.DataFrame(
        {
            schema.SOURCE_URL: ["http://a.example/1", "http://a.example/2", "http://b.example/", "http://c.example/"],
            schema.ANCHOR: ["best kettle", "Best  Kettle", "Bright Kettle", ""],
            schema.EXPORT_IP: ["192.0.2.1", "192.0.2.9", "198.51.100.7", ""],
            schema.FIRST_SEEN: ["2026-01-01", "2026-01-10", "2026-06-01", ""],
        }
    )
    profile = profile_features(links, pd.Series(["exact", "exact", "brand", "empty"]))
    assert profile["profile_exact_anchor_share"].tolist() == [0.5] * 4
    assert profile["anchor_text_share"].tolist()[:3] == [0.5, 0.5, 0.25] and math.isnan(profile["anchor_text_share"][3])
    assert profile["domain_link_count"].tolist() == [2, 2, 1, 1]
    assert profile["subnet_share"].tolist()[:3] == [0.5, 0.5, 0.25] and math.isnan(profile["subnet_share"][3])
    assert profile["velocity_share"].tolist()[:3] == [0.5, 0.5, 0.25] and math.isnan(profile["velocity_share"][3])


def test_profile_counted_in_chunks_is_the_profile_of_the_whole():
    links = pd.DataFrame(
        {
            schema.SOURCE_URL: [f"http://s{n % 7}.example/{n}" for n in range(40)],
            schema.ANCHOR: [["best kettle", "Best  Kettle", "", "tea"][n % 4] for n in range(40)],
            schema.EXPORT_IP: [f"192.0.{n % 3}.{n}" if n % 5 else "" for n in range(40)],
            schema.FIRST_SEEN: [f"2026-0{1 + n % 9}-{1 + n % 28:02d}" if n % 6 else "" for n in range(40)],
        }
    )
    classes = pd.Series([["exact", "brand", ""][n % 3] for n in range(40)])
    counts = ProfileCounts()
    chunks = [slice(0, 13), slice(13, 29), slice(29, 40)]
    for rows in chunks:
        counts.add_links(links.iloc[rows])
        counts.add_anchor_classes(classes.iloc[rows])
    chunked = pd.concat([counts.features(links.iloc[rows]) for rows in chunks])
    whole = profile_features(links, classes)
    pd.testing.assert_frame_equal(chunked, whole, check_exact=True)
    # each chunk sees the whole profile: a link's domain counts links of every chunk
    assert chunked["domain_link_count"].iloc[0] == 6 and whole["velocity_share"].notna().sum() == 33


def test_profile_without_ips_or_dates_is_missing_not_zero():
    links = pd.DataFrame({schema.SOURCE_URL: ["http://a.example/"], schema.ANCHOR: ["x"]})
    profile = profile_features(links, pd.Series(["other"]))
    assert math.isnan(profile["subnet_share"][0]) and math.isnan(profile["velocity_share"][0])


def _links(*sources):
    return pd.DataFrame(
        {
            schema.SOURCE_URL: list(sources),
            schema.TARGET_URL: ["https://shop.example/kettles"] * len(sources),
            schema.ANCHOR: ["kettles"] * len(sources),
            schema.EXPORT_NOFOLLOW: pd.array([None] * len(sources), dtype="boolean"),
            schema.EXPORT_SPONSORED: pd.array([None] * len(sources), dtype="boolean"),
            schema.EXPORT_UGC: pd.array([None] * len(sources), dtype="boolean"),
            "metric_domain_rating": [12.5] * len(sources),
        }
    )


def test_hard_pages_end_as_feature_rows():
    latin = '<html><head><meta charset="iso-8859-1"></head><body><p>Grüße aus Köln, <a href="https://shop.example/kettles">kettles</a></p></body></html>'
    pages = {
        "http://latin.example/": Page("http://latin.example/", "ok", html=decode_html(latin.encode("latin-1"))),
        "http://empty.example/": Page("http://empty.example/", "ok", html=""),
        "http://script.example/": Page("http://script.example/", "ok", html="<script>document.write('x')</script>"),
        "http://broken.example/": Page(
            "http://broken.example/", "ok", html="<div><p>unclosed <a href='https://shop.example/kettles'>k"
        ),
    }
    features = build_features(_links(*pages), pages, Settings(jobs=1))
    assert len(features) == 4 and (features[schema.FETCH_STATUS] == "ok").all()
    assert features.loc[0, "words"] == 4 and features.loc[0, "link_found"]  # Grüße aus Köln, kettles
    assert features.loc[1, "words"] == 0 and features.loc[1, "main_words"] == 0  # no main content at all
    assert features.loc[2, "words"] == 0
    assert features.loc[3, "link_found"]
    assert (features["metric_domain_rating"] == 12.5).all()  # the export's own metric passes through


def test_parallel_and_serial_extraction_agree():
    pages = {
        f"http://p{n}.example/": Page(
            f"http://p{n}.example/", "ok", html=f'<p>{"word " * n}<a href="https://shop.example/kettles">k</a></p>'
        )
        for n in range(40)
    }
    links = _links(*pages)
    serial = build_features(links, pages, Settings(jobs=1))
    parallel = build_features(links, pages, Settings(jobs=2))
    pd.testing.assert_frame_equal(serial, parallel)


def test_docs_feature_table_is_generated_from_the_code():
    assert (ROOT / "docs" / "features.md").read_text(encoding="utf-8") == features_markdown()


@pytest.mark.shared
def test_classic_features_of_real_pages_fall_in_the_webspam_ranges():
    import csv

    corpus = SHARED / "corpus" / "real-pages"
    with (corpus / "manifest.csv").open(encoding="utf-8") as stream:
        rows = [
            parse_page(row["url"], decode_html((corpus / row["file"]).read_bytes())) for row in csv.DictReader(stream)
        ]
    ours = pd.DataFrame([{name: getattr(page, name) for name in CLASSIC_FEATURES} for page in rows])
    webspam = pd.read_csv(SHARED / "data" / "webspam-uk2006" / "train.csv")
    normal = webspam[webspam["label"] == "normal"]
    for column in ours.columns:
        # Modern article pages are longer than 2006 home pages: compare with the 1-99% band of normal hosts.
        low, high = normal[column].quantile(0.01), normal[column].quantile(0.99)
        median = ours[column].median()
        assert low <= median <= high, f"{column}: our median {median:.3f} outside WEBSPAM's 1-99% [{low}, {high}]"

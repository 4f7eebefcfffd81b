import os

import pandas as pd
import pytest

from toxiclinks import schema
from toxiclinks.extract import parse_page
from toxiclinks.features import FEATURE_COLUMNS, build_features
from toxiclinks.features.link import classify_anchor, link_features
from toxiclinks.features.page import page_features
from toxiclinks.features.vocabulary import spam_word_fraction
from toxiclinks.page import Page
from toxiclinks.settings import Settings

TARGET = "https://www.brightkettle.example/shop"


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        ("", "empty"),
        ("https://www.brightkettle.example/shop", "url"),
        ("brightkettle.example", "url"),
        ("click here", "generic"),
        ("Weiterlesen", "generic"),
        ("Bright Kettle", "brand"),
        ("BrightKettle's guide", "brand"),
        ("electric kettle", "exact"),
        ("the best electric kettle for tea", "partial"),
        ("a lovely afternoon", "other"),
    ],
)
def test_anchor_classes(anchor, expected):
    assert classify_anchor(anchor, TARGET, keywords=["electric kettle"]) == expected


def test_brand_override():
    assert classify_anchor("BK Shop", TARGET, brand=["BK"]) == "brand"
    assert classify_anchor("Bright Kettle", TARGET, brand=["BK"]) == "other"


def test_page_signals_density_and_domains():
    html = (
        "<article><p>"
        + "word " * 200
        + "".join(f'<a href="https://site{i % 3}.example/{i}">l{i}</a> ' for i in range(10))
        + "</p></article>"
    )
    signals = page_features(parse_page("https://blog.example/p", html))
    assert signals["external_links"] == 10
    assert signals["external_domains"] == 3
    assert signals["outbound_link_density"] == pytest.approx(100 * 10 / signals["main_words"])


def test_spam_vocabulary_share():
    assert spam_word_fraction("cheap casino loans") == pytest.approx(2 / 3)
    assert spam_word_fraction("a quiet walk in the park") == 0


def test_link_found_by_url_ignoring_www_and_slash_else_by_site():
    page = parse_page("https://blog.example/", '<p><a href="http://brightkettle.example/shop/">kettles</a></p>')
    assert link_features(page, TARGET, "kettles")["link_found"] is True
    other_page = parse_page("https://blog.example/", '<p><a href="https://brightkettle.example/about">us</a></p>')
    found = link_features(other_page, TARGET, "x")
    assert found["link_found"] is True and found["page_anchor"] == "us"  # same site, another page
    none = link_features(parse_page("https://blog.example/", "<p>no links</p>"), TARGET, "old anchor")
    assert none["link_found"] is False and none["page_anchor"] == "old anchor"


def test_build_features_one_row_per_link_with_statuses_and_export_flags():
    links = pd.DataFrame(
        {
            schema.SOURCE_URL: ["https://a.example/", "https://a.example/", "https://dead.example/"],
            schema.TARGET_URL: [TARGET, "https://other.example/", TARGET],
            schema.ANCHOR: ["kettle", "x", "y"],
            schema.EXPORT_NOFOLLOW: pd.array([True, None, False], dtype="boolean"),
            schema.EXPORT_SPONSORED: pd.array([None, None, None], dtype="boolean"),
            schema.EXPORT_UGC: pd.array([None, None, None], dtype="boolean"),
        }
    )
    pages = {
        "https://a.example/": Page("https://a.example/", "ok", html=f'<p>Buy <a href="{TARGET}">kettle</a></p>'),
        "https://dead.example/": Page("https://dead.example/", "http_404", http_status=404),
    }
    features = build_features(links, pages, Settings())
    assert list(features.columns) == list(FEATURE_COLUMNS)
    assert features[schema.FETCH_STATUS].tolist() == ["ok", "ok", "http_404"]
    assert features["link_found"].tolist()[:2] == [True, False]
    assert pd.isna(features["link_found"].iloc[2]) and pd.isna(features["words"].iloc[2])
    assert features["link_nofollow"].tolist() == [True, False, False]  # from the export
    assert features[schema.HTTP_STATUS].iloc[2] == 404


def test_read_pages_keep_the_texts_in_a_file_and_give_each_description_back():
    import tracemalloc

    from toxiclinks.features import PageDescription, ReadPages

    def description(n: int) -> PageDescription:
        text = "" if n == 7 else f"Grüße, tea ☕ {n} " * 3_000  # about 100 KB each in memory, one blank
        signals: dict[str, object] = {"language": "de", "words": float(n)}
        return PageDescription(signals=signals, text=text, links={n: {"link_found": True}})

    urls = [f"https://blog{n}.example/post" for n in range(150)]
    with ReadPages() as read:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for n, url in enumerate(urls):
            read.add(url, description(n))
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        assert held < 2_000_000  # the 15 MB of texts are in the file, not in memory
        assert list(read) == urls and len(read) == 150 and urls[3] in read and "https://other.example/" not in read
        for n in (0, 7, 149, 3):  # in any order
            assert read[urls[n]] == description(n)
            assert read.texts()[urls[n]] == description(n).text
            assert read.signals(urls[n]) == {"language": "de", "words": float(n)}
            assert read.links(urls[n]) == {n: {"link_found": True}}
    with pytest.raises(ValueError):  # closed: the file is gone
        read.text(urls[0])


def test_read_pages_give_their_signals_as_columns_with_nan_where_a_page_has_none():
    import math

    from toxiclinks.features import PageDescription, ReadPages

    with ReadPages() as read:
        read.add("https://a.example/", PageDescription({"words": 1.0, "language": "en"}, "", {0: {"link_found": True}}))
        read.add("https://b.example/", PageDescription({"language": "de", "has_date": True}, "", {}))
        read.add("https://c.example/", PageDescription({"words": 3.0}, "", {2: {"link_count": 2.0}, 5: {}}))
        pages = read.signal_columns(["https://c.example/", "https://unread.example/", "https://a.example/"])
        assert pages.keys == ["https://c.example/", "https://a.example/"]  # in the order asked, unread left out
        assert list(pages.columns) == ["words", "language"]
        assert pages.columns["words"] == [3.0, 1.0]
        assert math.isnan(pages.columns["language"][0]) and pages.columns["language"][1] == "en"
        links = read.link_signal_columns(["https://a.example/", "https://b.example/", "https://c.example/"])
        assert links.keys == [0, 2, 5]
        assert links.columns["link_found"][0] is True and math.isnan(links.columns["link_found"][1])
        assert links.columns["link_count"][1] == 2.0 and math.isnan(links.columns["link_count"][2])


def test_signals_kept_by_name_come_back_as_they_were_given():
    import math

    import numpy as np

    from toxiclinks.features.read_pages import _Rows

    given = [
        {"words": 12.0, "language": "en", "has_date": True},
        {"words": math.nan, "language": "de"},  # no has_date: absent, not missing
        {"words": np.float64(3.5), "count": 2, "has_date": None},  # a numpy float and an int turn the column to objects
        {"language": "en", "words": 7.25},
    ]
    rows = _Rows()
    assert [rows.append(signals) for signals in given] == [0, 1, 2, 3]
    for number, signals in enumerate(given):
        back = rows.row(number)
        assert list(back) == list(signals)  # the same names, in the same order
        for name, value in signals.items():
            assert type(back[name]) is type(value)
            assert back[name] == value or (value != value and back[name] != back[name])
    twins = _Rows()
    for _ in range(2):
        twins.append({"language": "".join(["e", "n"])})  # two equal texts, two objects
    assert twins.row(0)["language"] is twins.row(1)["language"]  # kept once
    columns = rows.columns([3, 1, 0])
    assert list(columns) == ["language", "words", "has_date"]
    assert columns["words"][0] == 7.25 and math.isnan(columns["words"][1]) and columns["words"][2] == 12.0
    assert math.isnan(columns["has_date"][0]) and math.isnan(columns["has_date"][1]) and columns["has_date"][2] is True


def test_read_pages_that_cannot_write_their_file_say_so_in_one_line(tmp_path, monkeypatch):
    import tempfile

    from toxiclinks.errors import ToxiclinksError
    from toxiclinks.features import PageDescription, ReadPages

    page = PageDescription(signals={"language": "en"}, text="tea " * 10_000, links={})
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))  # TMPDIR names a folder that is not there
    with pytest.raises(ToxiclinksError, match=r"in .*gone .*set TMPDIR to another folder"):
        ReadPages()
    monkeypatch.undo()
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here to stand for a full disk")
    # a file where every write fails with ENOSPC, as on a full disk
    monkeypatch.setattr(tempfile, "TemporaryFile", lambda **_: open("/dev/full", "w+b"))
    read = ReadPages()
    with pytest.raises(ToxiclinksError, match=r"No space left on device.*free space there"):
        read.add("https://blog.example/", page)
        read.text("https://blog.example/")  # a write still buffered fails when the file is read
    read.close()


def test_host_signals_kept_from_call_to_call_are_those_computed_afresh():
    # each host's signals are computed once per process and taken again for later batches
    import pyarrow as pa

    from toxiclinks.features.url import _host_signals_table, _HostSignalsKept

    kept = _HostSignalsKept(limit=6)
    batches = [
        [],  # nothing yet
        ["a.example", "www.b.co.uk", "10.0.0.1", "x.blogspot.com"],
        ["www.b.co.uk", "c.blogspot.com", "a.example", "bücher.example"],  # two known, two new, in another order
        ["x.blogspot.com", "10.0.0.1"],  # all known
        ["d.example", "e.example", "a.example"],  # past the limit: starts over
    ]
    for batch in batches:
        hosts = pa.array(batch, type=pa.string())
        assert kept.signals(hosts).equals(_host_signals_table(hosts)), batch
        assert len(kept._hosts) <= 6
    assert kept._hosts.to_pylist() == ["d.example", "e.example", "a.example"]

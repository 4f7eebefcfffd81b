"""Saved pages (a WARC file, a folder with a manifest): indexed in one pass, each page read when looked up."""

import gzip
import tracemalloc

import numpy as np
import pytest

from toxiclinks.archives import read_page_folder, read_pages, read_warc
from toxiclinks.errors import ToxiclinksError
from toxiclinks.fetch import fetch_pages
from toxiclinks.settings import Settings

from conftest import write_warc


def test_read_warc_keeps_html_errors_and_non_html(tmp_path):
    path = write_warc(
        tmp_path / "pages.warc.gz",
        [
            ("https://a.example/", "200 OK", "text/html; charset=utf-8", "<p>café</p>".encode()),
            ("https://b.example/", "404 Not Found", "text/html", b"nope"),
            ("https://c.example/x.pdf", "200 OK", "application/pdf", b"%PDF"),
        ],
    )
    pages = read_warc(path)
    assert pages["https://a.example/"].html == "<p>café</p>"
    assert pages["https://a.example/"].size == len("<p>café</p>".encode())
    assert pages["https://b.example/"].status == "http_404"
    assert pages["https://c.example/x.pdf"].status == "error:not_html"
    assert sorted(pages) == ["https://a.example/", "https://b.example/", "https://c.example/x.pdf"]


@pytest.mark.parametrize("gzip_records", [True, False], ids=["warc.gz", "warc"])
def test_redirects_are_followed_within_the_file_and_the_first_response_wins(tmp_path, gzip_records):
    path = write_warc(
        tmp_path / ("pages.warc.gz" if gzip_records else "pages.warc"),
        [
            ("https://old.example/", "301 Moved Permanently", "text/html", b"https://hop.example/"),
            ("https://hop.example/", "302 Found", "text/html", b"https://new.example/"),
            ("https://new.example/", "200 OK", "text/html", b"<p>first</p>"),
            ("https://new.example/", "200 OK", "text/html", b"<p>second</p>"),
            ("https://loop.example/", "302 Found", "text/html", b"https://loop.example/"),
        ],
        gzip_records=gzip_records,
    )
    pages = read_warc(path)
    moved = pages["https://old.example/"]
    assert (moved.url, moved.final_url, moved.html) == ("https://old.example/", "https://new.example/", "<p>first</p>")
    assert pages["https://new.example/"].html == "<p>first</p>"
    assert "https://loop.example/" not in pages  # a redirect that lands nowhere in the file is no page


def test_a_warc_index_holds_places_not_pages(tmp_path):
    bodies = {f"https://site{number}.example/": f"<p>{number}</p>".encode() + bytes(50_000) for number in range(200)}
    path = write_warc(tmp_path / "big.warc.gz", [(url, "200 OK", "text/html", body) for url, body in bodies.items()])
    tracemalloc.start()
    try:
        pages = read_warc(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # the pages' bodies are 10 MB; read whole, the index held them all
    for url, body in bodies.items():
        assert pages[url].html == body.decode()
        assert pages[url].html == body.decode()  # read again, from the file again


def test_a_warc_index_keeps_a_few_dozen_bytes_a_page(tmp_path):
    # the index stays for a whole scan: URLs in Arrow and sorted hashes and offsets, not a dict of strings
    # (215 bytes a page before; a million-page crawl's index is then 64 MB, not 215 MB)
    import pyarrow as pa

    from toxiclinks.urls import normalize_url

    urls = [f"https://site{number % 500}.example/blog/post-{number}" for number in range(4000)]
    path = write_warc(tmp_path / "crawl.warc.gz", [(url, "200 OK", "text/html", b"<p>x</p>") for url in urls])
    normalize_url.cache_clear()
    arrow_before = pa.total_allocated_bytes()
    tracemalloc.start()
    try:
        pages = read_warc(path)
        normalize_url.cache_clear()  # a bounded cache of its own, not the index
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    held += pa.total_allocated_bytes() - arrow_before
    assert held / len(urls) < 100
    assert len(pages) == len(urls) and sorted(pages) == sorted(urls)
    assert pages[urls[1234]].url == urls[1234] and "https://site1.example/blog/post-2" not in pages


def test_urls_of_one_hash_are_told_apart_by_the_url(tmp_path, monkeypatch):
    # two URLs may share a 64-bit hash: both stay, each finds its own page, and the first of a URL still wins
    from toxiclinks import archives

    monkeypatch.setattr(archives, "_url_hashes", lambda urls: np.zeros(len(urls), dtype=np.uint64))
    records = [
        ("https://a.example/", "200 OK", "text/html", b"<p>a</p>"),
        ("https://b.example/", "200 OK", "text/html", b"<p>b</p>"),
        ("https://a.example/", "200 OK", "text/html", b"<p>a again</p>"),
        ("https://old.example/", "301 Moved Permanently", "text/html", b"https://b.example/"),
    ]
    pages = read_warc(write_warc(tmp_path / "pages.warc.gz", records))
    assert {url: pages[url].html for url in pages} == {
        "https://a.example/": "<p>a</p>",
        "https://b.example/": "<p>b</p>",
        "https://old.example/": "<p>b</p>",
    }
    assert pages["https://old.example/"].final_url == "https://b.example/"
    assert "https://c.example/" not in pages


def test_unreadable_warc_is_a_clear_one_line_error(tmp_path):
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"this is not a warc file at all")
    with pytest.raises(ToxiclinksError, match=r"bad\.warc\.gz: .*WARC") as raised:
        read_warc(bad)
    assert "\n" not in str(raised.value)
    with pytest.raises(ToxiclinksError, match="no such WARC"):
        read_warc(tmp_path / "missing.warc")
    empty = write_warc(tmp_path / "empty.warc.gz", [])
    with pytest.raises(ToxiclinksError, match="holds no HTTP responses"):
        read_warc(empty)


def test_a_warc_gzipped_whole_asks_for_recompressing_in_one_line(tmp_path):
    plain = write_warc(
        tmp_path / "pages.warc",
        [(f"https://{name}.example/", "200 OK", "text/html", b"<p>x</p>") for name in ("a", "b", "c")],
        gzip_records=False,
    )
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))  # one gzip member for every record: nothing to seek to
    with pytest.raises(ToxiclinksError, match="warcio recompress") as raised:
        read_warc(whole)
    assert "\n" not in str(raised.value)


def test_a_warc_changed_after_indexing_is_a_one_line_error(tmp_path):
    path = write_warc(tmp_path / "pages.warc.gz", [("https://a.example/", "200 OK", "text/html", b"<p>a</p>")] * 2)
    pages = read_warc(path)
    path.write_bytes(b"")
    with pytest.raises(ToxiclinksError, match="the file changed") as raised:
        pages["https://a.example/"]
    assert "\n" not in str(raised.value)


def test_a_pages_folder_reads_each_file_when_asked(tmp_path):
    (tmp_path / "a.html").write_bytes("<p>é</p>".encode())
    (tmp_path / "b.html").write_bytes(b"<p>b</p>")
    (tmp_path / "manifest.csv").write_text(
        "url,file\nhttps://a.example/,a.html\nhttps://b.example/,b.html\nhttps://c.example/,../outside.html\n",
        encoding="utf-8",
    )
    pages = read_page_folder(tmp_path)
    assert sorted(pages) == ["https://a.example/", "https://b.example/"]  # the file outside the folder is refused
    (tmp_path / "a.html").write_bytes(b"<p>changed</p>")
    (tmp_path / "b.html").unlink()
    assert pages["https://a.example/"].html == "<p>changed</p>"  # read at lookup, not at indexing
    assert pages["https://b.example/"].status == "not_fetched"
    assert read_pages(tmp_path).keys() == pages.keys()


def test_offline_scan_of_saved_pages_reads_each_page_once_in_order(tmp_path):
    urls = [f"https://site{number}.example/" for number in range(5)]
    path = write_warc(tmp_path / "pages.warc.gz", [(url, "200 OK", "text/html", url.encode()) for url in urls])
    seen = []
    pages = fetch_pages(
        [*reversed(urls), urls[0]],
        Settings(pages_path=path, offline=True, use_cache=False),
        keep_html=False,
        on_page=lambda page: seen.append((page.url, page.html)),
    )
    assert seen == [(url, url) for url in reversed(urls)]  # each handed over with its HTML, once
    assert all(page.status == "ok" and page.html is None for page in pages.values())  # and not kept


def test_a_wget_warc_with_its_target_uris_in_angle_brackets_is_read(tmp_path):
    # wget 1.19.4 and later follow WARC 1.0's grammar: "WARC-Target-URI: <https://a.example/>".
    path = write_warc(tmp_path / "wget.warc.gz", [("<https://a.example/>", "200 OK", "text/html", b"<p>a</p>")])
    assert b"<https://a.example/>" in gzip.decompress(path.read_bytes())
    assert read_warc(path)["https://a.example/"].html == "<p>a</p>"


@pytest.mark.parametrize("gzip_records", [True, False], ids=["warc.gz", "warc"])
def test_a_warc_cut_short_keeps_its_whole_records_and_says_the_rest_is_missing(tmp_path, caplog, gzip_records):
    records = [(f"https://s{n}.example/", "200 OK", "text/html", f"<p>{n}</p>".encode() * 500) for n in range(4)]
    whole = write_warc(tmp_path / "whole.warc", records, gzip_records=gzip_records)
    assert len(read_warc(whole)) == 4 and "not a whole record" not in caplog.text  # an intact file: no warning
    last = write_warc(tmp_path / "last.warc", records[-1:], gzip_records=gzip_records).stat().st_size
    cut = tmp_path / "cut.warc"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size - last // 2])  # wget killed while writing the last
    pages = read_warc(cut)
    assert sorted(pages) == [url for url, *_ in records[:3]]
    assert pages["https://s2.example/"].html == "<p>2</p>" * 500
    assert "cut.warc: the file ends with" in caplog.text and "not a whole record" in caplog.text

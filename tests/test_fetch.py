import pytest

from toxiclinks import fetch
from toxiclinks.fetch import fetch_page, fetch_pages
from toxiclinks.page import decode_html
from toxiclinks.settings import Settings

from conftest import Response, gzip_bytes, write_warc

LOCAL = Settings(allow_private=True, timeout_seconds=2.0, max_bytes=50_000, retries=0, respect_robots=False)


def test_fetch_ok_page(http_server):
    http_server.routes["/a"] = Response(200, b"<html><body><p>hello</p></body></html>")
    page = fetch_page(http_server.url("/a"), LOCAL)
    assert page.ok and "hello" in (page.html or "")
    assert page.http_status == 200 and page.fetched_at


def test_http_errors_are_results_not_exceptions(http_server):
    http_server.routes["/gone"] = Response(410, b"gone")
    assert fetch_page(http_server.url("/gone"), LOCAL).status == "http_410"
    assert fetch_page(http_server.url("/missing"), LOCAL).status == "http_404"


def test_redirects_are_followed_and_loops_stopped(http_server):
    http_server.routes["/old"] = Response(301, b"", {"Location": "/new"})
    http_server.routes["/new"] = Response(200, b"<p>moved here</p>")
    http_server.routes["/loop"] = Response(302, b"", {"Location": "/loop"})
    page = fetch_page(http_server.url("/old"), LOCAL)
    assert page.ok and page.final_url == http_server.url("/new")
    assert fetch_page(http_server.url("/loop"), LOCAL).status == "error:too_many_redirects"
    assert http_server.hits["/loop"] == 11  # the first request and ten redirects, no more


def test_non_html_is_not_parsed(http_server):
    http_server.routes["/img"] = Response(200, b"\x89PNG", {"Content-Type": "image/png"})
    page = fetch_page(http_server.url("/img"), LOCAL)
    assert page.status == "error:not_html" and page.html is None


def test_body_over_the_limit_and_gzip_bomb_are_cut_off(http_server):
    http_server.routes["/big"] = Response(200, b"x" * 60_000)
    bomb = gzip_bytes(b"<p>" + b"a" * 5_000_000)
    http_server.routes["/bomb"] = Response(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    assert fetch_page(http_server.url("/big"), LOCAL).status == "error:too_large"
    assert len(bomb) < LOCAL.max_bytes  # small on the wire, huge once inflated
    assert fetch_page(http_server.url("/bomb"), LOCAL).status == "error:too_large"


def test_timeout_is_recorded(http_server):
    http_server.routes["/slow"] = Response(200, b"late", delay=1.5)
    page = fetch_page(http_server.url("/slow"), Settings(allow_private=True, timeout_seconds=0.3, retries=0))
    assert page.status == "error:timeout"


def test_private_addresses_are_refused_by_default(http_server):
    http_server.routes["/a"] = Response(200, b"<p>secret</p>")
    page = fetch_page(http_server.url("/a"), Settings())
    assert page.status == "error:private_address"
    assert "/a" not in http_server.hits  # refused before any request


def test_redirect_to_private_address_is_refused(http_server, monkeypatch):
    # Let the test server count as public, so that only the redirect's target can be refused.
    monkeypatch.setattr(fetch, "address_is_public", lambda address: address == "127.0.0.1")
    http_server.routes["/hop"] = Response(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    page = fetch_page(http_server.url("/hop"), Settings(allow_private=False, timeout_seconds=1))
    assert http_server.hits["/hop"] == 1  # the first hop was allowed and fetched
    assert page.status == "error:private_address"
    assert page.final_url == "http://169.254.169.254/latest/meta-data/"


def test_charset_from_header_meta_and_fallback():
    assert decode_html("Grüße".encode("iso-8859-1"), "text/html; charset=iso-8859-1") == "Grüße"
    assert (
        decode_html(b'<meta charset="windows-1252"><p>\x93quoted\x94</p>')
        == '<meta charset="windows-1252"><p>\u201cquoted\u201d</p>'
    )
    assert decode_html(b"\xff\xfe broken \xc3") == "\xff\xfe broken \xc3"  # cp1252 fallback never raises
    assert decode_html(b"<p>x</p>", "text/html; charset=no-such-charset") == "<p>x</p>"


def test_offline_records_missing_pages_as_not_fetched(tmp_path, http_server):
    path = write_warc(tmp_path / "pages.warc.gz", [("https://a.example/", "200 OK", "text/html", b"<p>a</p>")])
    pages = fetch_pages(["https://a.example/", http_server.url("/x")], Settings(pages_path=path, offline=True))
    assert pages["https://a.example/"].ok
    assert pages[http_server.url("/x")].status == "not_fetched"
    assert http_server.hits == {}  # offline: the network was never touched


def test_pages_missing_from_the_warc_are_fetched_over_http(tmp_path, http_server):
    http_server.routes["/live"] = Response(200, b"<p>live</p>")
    path = write_warc(tmp_path / "pages.warc.gz", [("https://a.example/", "200 OK", "text/html", b"<p>a</p>")])
    settings = Settings(pages_path=path, allow_private=True, timeout_seconds=2)
    pages = fetch_pages(["https://a.example/", http_server.url("/live")], settings)
    assert pages[http_server.url("/live")].ok and http_server.hits == {"/robots.txt": 1, "/live": 1}


def test_fetch_command_fills_the_cache_with_each_distinct_referring_page_once(http_server, tmp_path):
    # the export is read in chunks keeping only its distinct referring URLs: pages linking twice are read once
    import sqlite3

    from click.testing import CliRunner

    from toxiclinks.cli import main

    for number in range(3):
        http_server.routes[f"/p{number}"] = Response(200, f"<p>page {number}</p>".encode())
    rows = [(0, "kettle"), (1, "tea"), (0, "green tea"), (0, "kettle"), (2, "brew"), (9, "gone")]  # a duplicate
    body = "".join(f"{http_server.url(f'/p{number}')},https://s.example/,{anchor}\n" for number, anchor in rows)
    export = tmp_path / "links.csv"
    export.write_text("Referring page URL,Target URL,Anchor\n" + body)
    cache = tmp_path / "cache.sqlite"
    arguments = ["fetch", str(export), "--cache", str(cache), "--allow-private", "--ignore-robots", "--quiet"]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert "read 6 rows of ahrefs export; 1 exact duplicates dropped" in result.output
    assert "4 pages: 3 ok, 1 not read (http_404: 1)" in result.output
    assert {path: http_server.hits[path] for path in ("/p0", "/p1", "/p2")} == {"/p0": 1, "/p1": 1, "/p2": 1}
    with sqlite3.connect(cache) as db:
        assert len(list(db.execute("SELECT url FROM pages"))) == 4
    again = CliRunner().invoke(main, arguments)  # run again: everything is in the cache, nothing is fetched
    assert again.exit_code == 0 and "4 pages: 3 ok, 1 not read (http_404: 1)" in again.output
    assert {path: http_server.hits[path] for path in ("/p0", "/p1", "/p2")} == {"/p0": 1, "/p1": 1, "/p2": 1}


def test_pages_wanted_without_html_are_taken_from_the_cache_without_decompressing_their_bodies(tmp_path, monkeypatch):
    # a fetch run again over a million cached pages decompressed every body only to drop it (20,000 pages: 8 s)
    from toxiclinks import cache as cache_module
    from toxiclinks.cache import PageCache
    from toxiclinks.page import Page

    page = Page("https://a.example/", "ok", http_status=200, html="<p>kettles</p>", fetched_at="2026-11-01T00:00:00Z")
    with PageCache(tmp_path / "cache.sqlite") as cache:
        cache.put(page)
        monkeypatch.setattr(cache_module.zlib, "decompress", lambda data: pytest.fail("a body was decompressed"))
        record = fetch_pages([page.url], Settings(offline=True), cache, keep_html=False)[page.url]
        assert record == Page(page.url, "ok", http_status=200, fetched_at=page.fetched_at)
        monkeypatch.undo()
        seen = []  # a caller that parses the pages gets them whole, even without keeping the HTML
        fetch_pages([page.url], Settings(offline=True), cache, keep_html=False, on_page=seen.append)
        assert seen == [page]

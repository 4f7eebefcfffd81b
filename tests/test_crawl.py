"""The crawler against a real loopback server: politeness, retries, robots.txt, the cache, interruption."""

import csv
import time

from toxiclinks.cache import PageCache
from toxiclinks.fetch import fetch_page, fetch_pages
from toxiclinks.settings import Settings

from conftest import Response

FAST = Settings(
    allow_private=True, timeout_seconds=2, connect_timeout=2, host_delay=0.0, backoff_seconds=0.05, respect_robots=False
)


def _pages(server, count, delay=0.0):
    for number in range(count):
        server.routes[f"/p{number}"] = Response(200, f"<p>page {number}</p>".encode(), delay=delay)
    return [server.url(f"/p{number}") for number in range(count)]


def test_at_most_two_requests_in_flight_per_host(http_server):
    urls = _pages(http_server, 12, delay=0.1)
    pages = fetch_pages(urls, Settings(**{**FAST.__dict__, "workers": 16, "max_per_host": 2}))
    assert all(page.ok for page in pages.values())
    assert http_server.peak[0] == 2


def test_delay_between_requests_to_one_host(http_server):
    urls = _pages(http_server, 4)
    fetch_pages(urls, Settings(**{**FAST.__dict__, "max_per_host": 1, "host_delay": 0.2}))
    gaps = [later - earlier for earlier, later in zip(http_server.starts, http_server.starts[1:], strict=False)]
    assert len(gaps) == 3 and min(gaps) >= 0.19


def test_429_with_retry_after_is_retried_then_succeeds(http_server):
    answers = iter([Response(429, b"slow down", {"Retry-After": "1"}), Response(200, b"<p>ok now</p>")])
    http_server.routes["/busy"] = lambda: next(answers)
    started = time.monotonic()
    page = fetch_page(http_server.url("/busy"), FAST)
    assert page.ok and http_server.hits["/busy"] == 2
    assert time.monotonic() - started >= 0.95  # Retry-After honoured


def test_503_is_retried_a_bounded_number_of_times(http_server):
    http_server.routes["/down"] = Response(503, b"down")
    page = fetch_page(http_server.url("/down"), Settings(**{**FAST.__dict__, "retries": 2}))
    assert page.status == "http_503" and http_server.hits["/down"] == 3


def test_retry_after_beyond_our_patience_is_recorded_not_waited(http_server):
    http_server.routes["/later"] = Response(503, b"down", {"Retry-After": "3600"})
    started = time.monotonic()
    page = fetch_page(http_server.url("/later"), FAST)
    assert page.status == "http_503" and http_server.hits["/later"] == 1 and time.monotonic() - started < 1


def test_500_and_404_are_not_retried(http_server):
    http_server.routes["/broken"] = Response(500, b"oops")
    assert fetch_page(http_server.url("/broken"), FAST).status == "http_500"
    assert fetch_page(http_server.url("/none"), FAST).status == "http_404"
    assert http_server.hits == {"/broken": 1, "/none": 1}


def test_connection_reset_is_retried(http_server):
    answers = iter([Response(0), Response(200, b"<p>back</p>")])
    http_server.routes["/flaky"] = lambda: next(answers)
    page = fetch_page(http_server.url("/flaky"), FAST)
    assert page.ok and http_server.hits["/flaky"] == 2


def test_robots_txt_disallow_is_respected_unless_ignored(http_server):
    http_server.routes["/robots.txt"] = Response(
        200, b"User-agent: toxiclinks\nDisallow: /private/\n", {"Content-Type": "text/plain"}
    )
    http_server.routes["/private/page"] = Response(200, b"<p>secret</p>")
    http_server.routes["/public"] = Response(200, b"<p>public</p>")
    polite = Settings(**{**FAST.__dict__, "respect_robots": True})
    pages = fetch_pages([http_server.url("/private/page"), http_server.url("/public")], polite)
    assert pages[http_server.url("/private/page")].status == "error:robots"
    assert pages[http_server.url("/public")].ok
    assert "/private/page" not in http_server.hits and http_server.hits["/robots.txt"] == 1
    assert fetch_page(http_server.url("/private/page"), FAST).ok  # --ignore-robots


def test_robots_txt_server_error_disallows_everything(http_server):
    http_server.routes["/robots.txt"] = Response(500, b"")
    http_server.routes["/a"] = Response(200, b"<p>a</p>")
    polite = Settings(**{**FAST.__dict__, "respect_robots": True})
    assert fetch_pages([http_server.url("/a")], polite)[http_server.url("/a")].status == "error:robots"


def test_a_server_that_drips_is_cut_off_by_the_page_time_limit(http_server, monkeypatch):
    from toxiclinks import fetch

    def dripping(response, max_bytes, time_limit):
        time.sleep(time_limit + 0.05)
        raise TimeoutError

    http_server.routes["/drip"] = Response(200, b"<p>x</p>")
    monkeypatch.setattr(fetch, "_read_capped", dripping)
    page = fetch_page(http_server.url("/drip"), Settings(**{**FAST.__dict__, "page_time_limit": 0.1}))
    assert page.status == "error:timeout"


def test_second_run_comes_from_the_cache_and_refresh_refetches(http_server, tmp_path):
    urls = _pages(http_server, 3)
    with PageCache(tmp_path / "cache.sqlite") as cache:
        first = fetch_pages(urls, FAST, cache)
        again = fetch_pages(urls, FAST, cache)
        assert sum(http_server.hits.values()) == 3
        assert again == first
        fetch_pages(urls, Settings(**{**FAST.__dict__, "refresh": True}), cache)
        assert sum(http_server.hits.values()) == 6


def test_failed_pages_are_cached_results_too(http_server, tmp_path):
    with PageCache(tmp_path / "cache.sqlite") as cache:
        fetch_pages([http_server.url("/gone")], FAST, cache)
        assert cache.get(http_server.url("/gone")).status == "http_404"


def test_pages_folder_with_manifest(tmp_path):
    (tmp_path / "a.html").write_text("<p>saved page</p>", encoding="utf-8")
    with (tmp_path / "manifest.csv").open("w", newline="") as stream:
        csv.writer(stream).writerows(
            [["url", "file"], ["https://a.example/x", "a.html"], ["https://b.example/", "../x"]]
        )
    pages = fetch_pages(["https://a.example/x", "https://b.example/"], Settings(pages_path=tmp_path, offline=True))
    assert pages["https://a.example/x"].html == "<p>saved page</p>"
    assert pages["https://b.example/"].status == "not_fetched"  # outside the folder: never read


def test_progress_line(capsys, http_server):
    urls = _pages(http_server, 3)
    fetch_pages(urls, FAST, progress=True)
    err = capsys.readouterr().err
    assert "fetched 3/3 pages" in err and "0 errors" in err


def test_403_from_a_cloaking_server_is_recorded_with_its_status(http_server):
    http_server.routes["/cloak"] = Response(403, b"forbidden")
    page = fetch_page(http_server.url("/cloak"), FAST)
    assert page.status == "http_403" and page.http_status == 403 and http_server.hits["/cloak"] == 1


def test_max_age_refetches_only_old_pages(http_server, tmp_path):
    from toxiclinks.page import Page

    urls = _pages(http_server, 2)
    with PageCache(tmp_path / "cache.sqlite") as cache:
        cache.put(Page(urls[0], "ok", html="<p>old</p>", fetched_at="2020-01-01T00:00:00+00:00"))
        cache.put(
            Page(urls[1], "ok", html="<p>new</p>", fetched_at=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()))
        )
        pages = fetch_pages(urls, Settings(**{**FAST.__dict__, "max_age_days": 30}), cache)
    assert pages[urls[0]].html == "<p>page 0</p>" and pages[urls[1]].html == "<p>new</p>"
    assert http_server.hits == {"/p0": 1}


def test_requests_go_through_the_proxy_from_the_environment(http_server, monkeypatch):
    # The loopback server plays the proxy: it receives the absolute URL of a host that does not resolve here.
    http_server.routes["http://shop.invalid/page"] = Response(200, b"<p>via proxy</p>")
    monkeypatch.setenv("HTTP_PROXY", http_server.base_url)
    monkeypatch.setenv("NO_PROXY", "")
    page = fetch_page("http://shop.invalid/page", Settings(**{**FAST.__dict__, "allow_private": False}))
    assert page.ok and page.html == "<p>via proxy</p>"
    assert http_server.hits == {"http://shop.invalid/page": 1}


def test_pages_are_parsed_while_the_slowest_is_still_being_fetched(http_server):
    from toxiclinks.features import LinkContext, PageAnalyser, describe_page

    def article(number: int) -> bytes:
        words = " ".join(f"tea{number} kettle water" for _ in range(60))
        link = '<a href="https://shop.example/">a shop</a>'
        return f"<html><body><article><h1>Post {number}</h1><p>{words} {link}</p></article></body></html>".encode()

    fast = [f"/post/{number}" for number in range(40)]
    for number, path in enumerate(fast):
        http_server.routes[path] = Response(200, article(number))
    urls = [http_server.url(path) for path in [*fast, "/slowest"]]
    target = "https://shop.example/"
    link_rows = {url: [(number, target, "a shop")] for number, url in enumerate(urls)}
    context = LinkContext(site=None, brand=(), keywords=())
    analyser = PageAnalyser(link_rows, [], context, len(urls), jobs=2)
    waited_out = []

    def slowest() -> Response:
        # Answers only once every other page is parsed: if parsing waited for the crawl to end, this would time out.
        deadline = time.monotonic() + 20
        while analyser.parsed < len(fast):
            if time.monotonic() > deadline:
                waited_out.append(True)
                break
            time.sleep(0.01)
        return Response(200, article(99))

    http_server.routes["/slowest"] = slowest
    settings = Settings(allow_private=True, respect_robots=False, host_delay=0.0, max_per_host=8, timeout_seconds=30)
    pages = fetch_pages(urls, settings, keep_html=False, on_page=analyser.submit)

    assert not waited_out and pages[urls[-1]].status == "ok"
    assert all(page.html is None for page in pages.values())  # the HTML went to the parsers, not into the result
    described = analyser.results()
    assert set(described) == set(urls)
    # The same as describing each page after the crawl, in this process.
    for url, page in fetch_pages(urls, settings).items():
        again = describe_page(url, page.html or "", False, link_rows[url], context)
        assert repr(described[url]) == repr(again)  # repr: NaN equals NaN
    assert all(signals["link_found"] for description in described.values() for signals in description.links.values())


def test_a_host_that_does_not_resolve_is_looked_up_once_not_once_per_page(http_server, monkeypatch):
    import socket

    from toxiclinks import fetch

    lookups = []
    real_getaddrinfo = socket.getaddrinfo

    def counting(host, *args, **kwargs):
        lookups.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(fetch.socket, "getaddrinfo", counting)
    dead = [f"http://gone.invalid/post/{number}" for number in range(6)]  # .invalid never resolves (RFC 2606)
    settings = Settings(timeout_seconds=2, connect_timeout=2, host_delay=0.0, respect_robots=False, max_per_host=1)
    pages = fetch_pages(dead, settings)
    assert [page.status for page in pages.values()] == ["error:dns"] * 6
    assert lookups.count("gone.invalid") == 1


def test_pages_waiting_for_a_parser_are_bounded_so_a_fast_crawl_cannot_pile_up_html():
    from toxiclinks.features import PENDING_PER_WORKER, LinkContext, PageAnalyser, describe_page
    from toxiclinks.page import Page

    pages = [
        Page(f"https://blog{n}.example/post", "ok", html=f"<article><p>{'tea kettle water ' * 200} {n}</p></article>")
        for n in range(60)
    ]
    context = LinkContext(site=None, brand=(), keywords=())
    rows = {page.url: [(n, "https://shop.example/", "shop")] for n, page in enumerate(pages)}
    analyser = PageAnalyser(rows, [], context, len(pages), jobs=2)
    most = 0
    for page in pages:  # as fast as a crawl could ever hand them over
        analyser.submit(page)
        most = max(most, analyser.waiting)
    assert most <= PENDING_PER_WORKER * 2
    described = analyser.results()
    assert analyser.waiting == 0 and len(described) == len(pages)
    for page in pages:
        assert repr(described[page.url]) == repr(describe_page(page.url, page.html, False, rows[page.url], context))

"""Get the referring pages: from the cache, from saved pages (WARC or folder), or over HTTP like a polite crawler.

The only module that touches the network. One bad URL never raises: every URL
ends as a ``Page`` whose ``status`` says what happened.

Politeness and safety:

* at most ``workers`` requests in flight, at most ``max_per_host`` per host,
  and ``host_delay`` seconds between two requests to the same host;
* connect and read timeouts, a total time limit per page, at most 10 redirects;
* bounded retries with exponential back-off for connection resets, 429 and
  503 (``Retry-After`` honoured up to ``max_retry_after``);
* a host whose name does not resolve is looked up once, not once per page;
* robots.txt honoured for the ``toxiclinks`` user agent (RFC 9309: a 4xx
  robots.txt allows everything, a 5xx disallows everything);
* the body is cut off past ``max_bytes`` while streaming, after decompression,
  so a gzip bomb is never inflated; only HTML and XHTML are kept;
* loopback, private, link-local and metadata addresses are refused unless
  ``allow_private``, checked after DNS resolution on every hop (through an
  ``HTTP(S)_PROXY``, the proxy resolves and connects, so the check is its own).
"""

from __future__ import annotations

import email.utils
import ipaddress
import logging
import socket
import sys
import threading
import time
import urllib.robotparser
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import requests

from toxiclinks.archives import read_pages
from toxiclinks.cache import PageCache
from toxiclinks.page import Page, not_fetched, now, page_from_response
from toxiclinks.settings import Settings
from toxiclinks.urls import host_of, normalize_url

LOGGER = logging.getLogger(__name__)

MAX_REDIRECTS = 10
ROBOTS_MAX_BYTES = 512 * 1024
ROBOTS_AGENT = "toxiclinks"
RETRY_STATUSES = (429, 503)


def fetch_pages(
    urls: Iterable[str],
    settings: Settings,
    cache: PageCache | None = None,
    progress: bool = False,
    keep_html: bool = True,
    on_page: Callable[[Page], None] | None = None,
    saved: Mapping[str, Page] | None = None,
    progress_label: str = "",
) -> dict[str, Page]:
    """Get every URL once: from ``settings.pages_path``, then the cache, then over HTTP.

    Fetched pages go into ``cache`` as they arrive. With ``settings.offline``
    the network is never touched and missing pages are recorded as
    ``not_fetched``. ``progress`` draws a progress line on stderr. Without
    ``keep_html`` the returned pages hold no HTML (it is in the cache), so
    filling the cache for a huge export takes little memory. ``on_page`` is
    called with each page, HTML included, as soon as it is had, so its
    parsing can start while the rest are still being fetched. ``saved`` is
    ``settings.pages_path`` already opened (``read_pages``), for many calls.
    """
    wanted = list(dict.fromkeys(urls))
    if saved is None:
        saved = read_pages(settings.pages_path) if settings.pages_path else {}
    pages: dict[str, Page] = {}

    def keep(page: Page, url: str) -> None:
        if on_page is not None:
            on_page(page)
        pages[url] = page if keep_html else replace(page, html=None)

    for url in wanted:
        if url in saved:
            keep(saved[url], url)
    missing = [url for url in wanted if url not in pages]
    if cache is not None and not settings.refresh:
        max_age = timedelta(days=settings.max_age_days) if settings.max_age_days is not None else None
        for url in missing:
            cached = cache.get(url, max_age, with_html=keep_html or on_page is not None)
            if cached is not None:
                keep(cached, url)
        missing = [url for url in missing if url not in pages]
    if missing and settings.offline:
        for url in missing:
            keep(not_fetched(url), url)
    elif missing:
        LOGGER.info("fetching %d pages over HTTP", len(missing))
        meter = Progress(len(missing), progress_label) if progress else None

        def store(page: Page) -> None:
            if cache is not None:
                cache.put(page)
            keep(page, page.url)
            if meter:
                meter.update(page)

        crawl(missing, settings, store)
        if meter:
            meter.finish()
    return {url: pages[url] for url in wanted}


def crawl(urls: list[str], settings: Settings, on_page: Callable[[Page], None]) -> None:
    """Fetch ``urls`` concurrently within the global and per-host limits; call ``on_page`` on this thread."""
    queues: dict[str, deque[str]] = {}
    for url in urls:
        queues.setdefault(host_of(url), deque()).append(url)
    in_flight: Counter[str] = Counter()
    ready_at: dict[str, float] = {}
    robots = RobotsCache(settings)
    running: dict[Future[Page], str] = {}
    session = _session(settings)
    with ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="fetch") as pool:
        while queues or running:
            clock = time.monotonic()
            for host in list(queues):
                while (
                    queues.get(host)
                    and len(running) < settings.workers
                    and in_flight[host] < settings.max_per_host
                    and ready_at.get(host, 0.0) <= clock
                ):
                    url = queues[host].popleft()
                    if not queues[host]:
                        del queues[host]
                    in_flight[host] += 1
                    ready_at[host] = clock + settings.host_delay
                    running[pool.submit(fetch_page, url, settings, session, robots)] = host
            waits = [ready_at.get(host, 0.0) - clock for host in queues if in_flight[host] < settings.max_per_host]
            timeout = max(min(waits, default=1.0), 0.005) if len(running) < settings.workers else None
            done, _ = wait(running, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                host = running.pop(future)
                in_flight[host] -= 1
                page = future.result()
                on_page(page)
                if page.status == "error:dns" and host_of(page.final_url or page.url) == host and host in queues:
                    # A name that does not resolve fails the same for every page of the host: ask no more.
                    for url in queues.pop(host):
                        on_page(Page(url=url, status="error:dns", final_url=url, fetched_at=now()))


def fetch_page(
    url: str, settings: Settings, session: requests.Session | None = None, robots: RobotsCache | None = None
) -> Page:
    """Fetch one page, following up to ten redirects, retrying transient failures. Never raises."""
    session = session or _session(settings)
    attempt = 0
    while True:
        page, retry_after = _fetch_once(url, settings, session, robots)
        if retry_after is None or attempt >= settings.retries:
            return page
        attempt += 1
        delay = max(retry_after, settings.backoff_seconds * 2 ** (attempt - 1))
        if delay > settings.max_retry_after:
            return page  # the server asks for more patience than we have: record its answer
        LOGGER.debug("retrying %s in %.1fs (%s)", url, delay, page.status)
        time.sleep(delay)


def _fetch_once(
    url: str, settings: Settings, session: requests.Session, robots: RobotsCache | None
) -> tuple[Page, float | None]:
    """One attempt, with redirects. Returns the page, and a retry delay when worth retrying."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        # Through a proxy, the proxy resolves names and connects: the address check is its job.
        direct = not requests.utils.get_environ_proxies(current)
        refusal = private_address_refusal(current) if direct and not settings.allow_private else None
        if refusal:
            return Page(url=url, status=refusal, final_url=current, fetched_at=now()), None
        if robots is not None and settings.respect_robots and not robots.allowed(current, session):
            return Page(url=url, status="error:robots", final_url=current, fetched_at=now()), None
        try:
            response = session.get(
                current,
                timeout=(settings.connect_timeout, settings.timeout_seconds),
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as exc:
            kind = error_kind(exc)
            retry = 0.0 if kind in ("connection", "refused", "timeout") else None
            return Page(url=url, status=f"error:{kind}", final_url=current, fetched_at=now()), retry
        with response:
            if response.is_redirect and response.headers.get("Location"):
                current = normalize_url(urljoin(current, response.headers["Location"]))
                if not current:
                    return Page(url=url, status="error:bad_redirect", fetched_at=now()), None
                continue
            content_type = response.headers.get("Content-Type", "")
            if response.status_code in RETRY_STATUSES:
                page = Page(
                    url=url,
                    status=f"http_{response.status_code}",
                    final_url=current,
                    http_status=response.status_code,
                    content_type=content_type,
                    fetched_at=now(),
                )
                return page, _retry_after(response.headers.get("Retry-After"))
            try:
                body = _read_capped(response, settings.max_bytes, settings.page_time_limit)
            except requests.exceptions.RequestException as exc:
                return Page(url=url, status=f"error:{error_kind(exc)}", final_url=current, fetched_at=now()), 0.0
            except TimeoutError:
                return Page(url=url, status="error:timeout", final_url=current, fetched_at=now()), None
            if body is None:
                return Page(
                    url=url,
                    status="error:too_large",
                    final_url=current,
                    http_status=response.status_code,
                    content_type=content_type,
                    fetched_at=now(),
                ), None
            return page_from_response(url, current, response.status_code, content_type, body, now()), None
    return Page(url=url, status="error:too_many_redirects", final_url=current, fetched_at=now()), None


def _session(settings: Settings) -> requests.Session:
    """A session with the user agent; it honours HTTP(S)_PROXY and NO_PROXY from the environment."""
    session = requests.Session()
    session.headers.update(
        {"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
    )
    adapter = requests.adapters.HTTPAdapter(pool_connections=64, pool_maxsize=max(settings.workers, 10))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _read_capped(response: requests.Response, max_bytes: int, time_limit: float) -> bytes | None:
    """Read the decompressed body, or None as soon as it passes ``max_bytes``.

    Raises ``TimeoutError`` past ``time_limit`` seconds in all, so a server that
    drips bytes cannot hold a worker forever.
    """
    chunks, size, started = [], 0, time.monotonic()
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > max_bytes:
            return None
        if time.monotonic() - started > time_limit:
            raise TimeoutError
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (seconds or an HTTP date); 0 when absent or unreadable."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(when.timestamp() - time.time(), 0.0)


class RobotsCache:
    """robots.txt of each host, fetched once per run, shared by the worker threads."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._rules: dict[str, urllib.robotparser.RobotFileParser | bool] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def allowed(self, url: str, session: requests.Session) -> bool:
        """True when robots.txt of the URL's host lets ``toxiclinks`` fetch it."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._rules:
                self._rules[origin] = self._load(origin, session)
        rules = self._rules[origin]
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(ROBOTS_AGENT, url)

    def _load(self, origin: str, session: requests.Session) -> urllib.robotparser.RobotFileParser | bool:
        try:
            response = session.get(
                origin + "/robots.txt",
                timeout=(self._settings.connect_timeout, self._settings.timeout_seconds),
                stream=True,
            )
            with response:
                if 400 <= response.status_code < 500:
                    return True  # no robots.txt: everything allowed
                if response.status_code >= 500:
                    return False  # RFC 9309: an unreachable robots.txt disallows everything
                body = _read_capped(response, ROBOTS_MAX_BYTES, self._settings.page_time_limit) or b""
        except (requests.exceptions.RequestException, TimeoutError):
            return True  # the page fetch will meet, and record, the same network problem
        rules = urllib.robotparser.RobotFileParser()
        rules.parse(body.decode("utf-8", errors="replace").splitlines())
        return rules


def private_address_refusal(url: str) -> str | None:
    """An error status when ``url``'s host resolves to a non-public address, else None."""
    host = host_of(url)
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return "error:dns"
    for info in infos:
        if not address_is_public(str(info[4][0]).split("%")[0]):
            return "error:private_address"
    return None


def address_is_public(address: str) -> bool:
    """False for loopback, private, link-local (cloud metadata), reserved and other non-global addresses.

    >>> address_is_public("93.184.215.14"), address_is_public("169.254.169.254"), address_is_public("::1")
    (True, False, False)
    """
    return ipaddress.ip_address(address).is_global


def error_kind(exc: Exception) -> str:
    """The error kind of a failed request: timeout, tls, dns, refused, too_many_redirects or connection."""
    text = str(exc).lower()
    if isinstance(exc, requests.exceptions.Timeout) or "timed out" in text:
        return "timeout"  # a read timeout in the body arrives as a ConnectionError that says so
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "dns"
    if "refused" in text:
        return "refused"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return "too_many_redirects"
    return "connection"


class Progress:
    """A one-line progress meter on stderr: pages done, pages per second, errors, time left."""

    def __init__(self, total: int, label: str = "") -> None:
        self.total, self.done, self.errors = total, 0, 0
        self.label = f"{label}: " if label else ""
        self.started = self._drawn = time.monotonic()

    def update(self, page: Page) -> None:
        self.done += 1
        self.errors += page.status != "ok"
        if time.monotonic() - self._drawn >= 0.2 or self.done == self.total:
            self._drawn = time.monotonic()
            sys.stderr.write("\r" + self.line())
            sys.stderr.flush()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate else 0.0
        return (
            f"{self.label}fetched {self.done:,}/{self.total:,} pages · {rate:.1f}/s · {self.errors:,} errors · "
            f"ETA {int(left // 60)}m{int(left % 60):02d}s "
        )

    def finish(self) -> None:
        elapsed = time.monotonic() - self.started
        sys.stderr.write(
            f"\r{self.label}fetched {self.done:,} pages in {elapsed:.0f}s ({self.done / max(elapsed, 1e-9):.1f}/s), "
            f"{self.errors:,} not read{' ' * 24}\n"
        )
        sys.stderr.flush()


def fetch_summary(pages: Iterable[Page]) -> str:
    """One line: how many pages were read, and why the others were not.

    >>> fetch_summary([Page("a", "ok", html=""), Page("b", "http_404"), Page("c", "http_404")])
    '3 pages: 1 ok, 2 not read (http_404: 2)'
    """
    statuses = Counter(page.status for page in pages)
    total = sum(statuses.values())
    ok = statuses.pop("ok", 0)
    reasons = ", ".join(f"{status}: {count}" for status, count in statuses.most_common())
    return f"{total} pages: {ok} ok, {total - ok} not read" + (f" ({reasons})" if reasons else "")

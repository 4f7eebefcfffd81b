"""Get the referring pages: replayed from a WARC file, or fetched over HTTP.

The only module that touches the network. One bad URL never raises: every URL
ends as a ``Page`` whose ``status`` says what happened.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin

import requests
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from toxiclinks.errors import ToxiclinksError
from toxiclinks.settings import Settings
from toxiclinks.urls import host_of, normalize_url

LOGGER = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_REDIRECTS = 10


@dataclass(frozen=True)
class Page:
    """What became of one referring page.

    ``status`` is ``"ok"`` when ``html`` holds the page, otherwise ``"http_<code>"``,
    ``"error:<kind>"`` (timeout, dns, refused, tls, too_large, not_html,
    private_address, connection) or ``"not_fetched"``.
    """

    url: str
    status: str
    final_url: str = ""
    http_status: int | None = None
    content_type: str = ""
    html: str | None = None
    size: int = 0
    fetched_at: str = ""

    @property
    def ok(self) -> bool:
        """True when the page's HTML is available."""
        return self.status == "ok" and self.html is not None


def not_fetched(url: str) -> Page:
    """The record of a page that was not looked at (``--offline`` and not in ``--pages``)."""
    return Page(url=url, status="not_fetched")


def read_warc(path: str | Path) -> dict[str, Page]:
    """Read every HTML response of a WARC file (``.warc`` or ``.warc.gz``), keyed by normalised URL.

    Non-HTML responses are kept as ``error:not_html``; HTTP errors keep their
    status so they reach the features. The first response for a URL wins.
    """
    path = Path(path)
    pages: dict[str, Page] = {}
    try:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                url = normalize_url(record.rec_headers.get_header("WARC-Target-URI") or "")
                if not url or url in pages:
                    continue
                fetched_at = record.rec_headers.get_header("WARC-Date") or ""
                code = int(record.http_headers.get_statuscode() or 0)
                content_type = record.http_headers.get_header("Content-Type") or ""
                body = record.content_stream().read()
                pages[url] = _page_from_response(url, url, code, content_type, body, fetched_at)
    except FileNotFoundError:
        raise ToxiclinksError(f"{path}: no such WARC file") from None
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        raise ToxiclinksError(f"{path}: not a readable WARC file ({exc})") from None
    if not pages:
        raise ToxiclinksError(f"{path}: the WARC file holds no HTTP responses")
    return pages


def fetch_pages(urls: Iterable[str], settings: Settings) -> dict[str, Page]:
    """Get every URL once: from ``settings.pages_path`` when given, else over HTTP.

    With ``settings.offline`` the network is never touched and pages missing
    from the WARC are recorded as ``not_fetched``.
    """
    wanted = list(dict.fromkeys(urls))
    pages = read_warc(settings.pages_path) if settings.pages_path else {}
    missing = [url for url in wanted if url not in pages]
    if missing and settings.offline:
        pages.update({url: not_fetched(url) for url in missing})
    elif missing:
        LOGGER.info("fetching %d pages over HTTP", len(missing))
        with requests.Session() as session, ThreadPoolExecutor(max_workers=settings.workers) as pool:
            for page in pool.map(lambda u: fetch_page(u, settings, session), missing):
                pages[page.url] = page
    return {url: pages[url] for url in wanted}


def fetch_page(url: str, settings: Settings, session: requests.Session | None = None) -> Page:
    """Fetch one page, following up to ten redirects, checking every hop's address.

    Never raises for a network problem: the ``Page`` records it.
    """
    session = session or requests.Session()
    headers = {"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        refusal = None if settings.allow_private else _private_address_refusal(current)
        if refusal:
            return Page(url=url, status=refusal, final_url=current, fetched_at=_now())
        try:
            response = session.get(
                current, headers=headers, timeout=settings.timeout_seconds, stream=True, allow_redirects=False
            )
        except requests.exceptions.RequestException as exc:
            return Page(url=url, status=f"error:{_error_kind(exc)}", final_url=current, fetched_at=_now())
        with response:
            if response.is_redirect and response.headers.get("Location"):
                current = normalize_url(urljoin(current, response.headers["Location"]))
                if not current:
                    return Page(url=url, status="error:bad_redirect", fetched_at=_now())
                continue
            content_type = response.headers.get("Content-Type", "")
            try:
                body = _read_capped(response, settings.max_bytes)
            except requests.exceptions.RequestException as exc:
                return Page(url=url, status=f"error:{_error_kind(exc)}", final_url=current, fetched_at=_now())
            if body is None:
                return Page(
                    url=url,
                    status="error:too_large",
                    final_url=current,
                    http_status=response.status_code,
                    content_type=content_type,
                    fetched_at=_now(),
                )
            return _page_from_response(url, current, response.status_code, content_type, body, _now())
    return Page(url=url, status="error:too_many_redirects", final_url=current, fetched_at=_now())


def _read_capped(response: requests.Response, max_bytes: int) -> bytes | None:
    """Read the decompressed body, or None as soon as it passes ``max_bytes``."""
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _page_from_response(url: str, final_url: str, code: int, content_type: str, body: bytes, fetched_at: str) -> Page:
    common = dict(
        url=url, final_url=final_url, http_status=code, content_type=content_type, size=len(body), fetched_at=fetched_at
    )
    if code >= 400 or code < 200:
        return Page(status=f"http_{code}", **common)  # type: ignore[arg-type]
    media_type = content_type.split(";")[0].strip().lower()
    if media_type and media_type not in HTML_TYPES:
        return Page(status="error:not_html", **common)  # type: ignore[arg-type]
    return Page(status="ok", html=decode_html(body, content_type), **common)  # type: ignore[arg-type]


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_html(body: bytes, content_type: str = "") -> str:
    """Decode an HTML body: charset from the header, then the meta tag, then UTF-8, then cp1252.

    Never raises: undecodable bytes become U+FFFD.

    >>> decode_html("café".encode("latin-1"), "text/html; charset=ISO-8859-1")
    'café'
    >>> decode_html(b'<meta charset="utf-8">caf\\xc3\\xa9')
    '<meta charset="utf-8">café'
    """
    candidates = []
    header_charset = re.search(r"charset=([\w.:-]+)", content_type, re.IGNORECASE)
    if header_charset:
        candidates.append(header_charset.group(1))
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    for charset in [*candidates, "utf-8"]:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")


def _private_address_refusal(url: str) -> str | None:
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


def _error_kind(exc: Exception) -> str:
    text = str(exc).lower()
    if isinstance(exc, requests.exceptions.Timeout):
        return "timeout"
    if isinstance(exc, requests.exceptions.SSLError):
        return "tls"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "dns"
    if "refused" in text:
        return "refused"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return "too_many_redirects"
    return "connection"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

"""The record of one referring page, whatever its source (HTTP, cache, WARC, folder), and HTML decoding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

HTML_TYPES = ("text/html", "application/xhtml+xml")

#: ``Page.status`` error kinds
ERROR_KINDS = (
    "timeout",
    "dns",
    "tls",
    "refused",
    "connection",
    "too_large",
    "not_html",
    "robots",
    "private_address",
    "too_many_redirects",
    "bad_redirect",
)


@dataclass(frozen=True, slots=True)
class Page:
    """What became of one referring page.

    ``status`` is ``"ok"`` when ``html`` holds the page, otherwise ``"http_<code>"``
    (the server answered with an error: a signal, e.g. a cloaking 403),
    ``"error:<kind>"`` with a kind of ``ERROR_KINDS``, or ``"not_fetched"``.
    """

    url: str  #: the URL asked for (normalised)
    status: str
    final_url: str = ""  #: after redirects
    http_status: int | None = None
    content_type: str = ""
    html: str | None = None
    size: int = 0  #: bytes of the (decompressed) body
    fetched_at: str = ""  #: ISO 8601, UTC

    @property
    def ok(self) -> bool:
        """True when the page's HTML is available."""
        return self.status == "ok" and self.html is not None


def not_fetched(url: str) -> Page:
    """The record of a page that was not looked at (``--offline`` and not in ``--pages``)."""
    return Page(url=url, status="not_fetched")


def page_from_response(url: str, final_url: str, code: int, content_type: str, body: bytes, fetched_at: str) -> Page:
    """Classify an HTTP response: an error status, a non-HTML body, or a decoded HTML page."""
    common = {
        "url": url,
        "final_url": final_url,
        "http_status": code,
        "content_type": content_type,
        "size": len(body),
        "fetched_at": fetched_at,
    }
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
    header_charset = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
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


def now() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

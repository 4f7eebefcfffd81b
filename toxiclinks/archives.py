"""Offline page sources: a WARC file, or a folder of saved HTML pages with a manifest."""

from __future__ import annotations

import csv
import logging
from pathlib import Path
from urllib.parse import urljoin

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from toxiclinks.errors import ToxiclinksError
from toxiclinks.page import Page, page_from_response
from toxiclinks.urls import normalize_url

LOGGER = logging.getLogger(__name__)


def read_pages(path: str | Path) -> dict[str, Page]:
    """Read saved pages from a WARC file (``.warc``, ``.warc.gz``) or a folder with ``manifest.csv``."""
    path = Path(path)
    if path.is_dir():
        return read_page_folder(path)
    return read_warc(path)


def read_warc(path: str | Path) -> dict[str, Page]:
    """Read every response of a WARC file, keyed by normalised URL.

    Works with WARCs written by ``wget --warc-file``, warcio and browsertrix.
    Non-HTML responses are kept as ``error:not_html``; HTTP errors keep their
    status so they reach the features. Redirect responses are followed within
    the file. The first response for a URL wins.
    """
    path = Path(path)
    pages: dict[str, Page] = {}
    redirects: dict[str, str] = {}
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
                location = record.http_headers.get_header("Location")
                if 300 <= code < 400 and location:
                    redirects[url] = normalize_url(urljoin(url, location))
                    continue
                content_type = record.http_headers.get_header("Content-Type") or ""
                body = record.content_stream().read()
                pages[url] = page_from_response(url, url, code, content_type, body, fetched_at)
    except FileNotFoundError:
        raise ToxiclinksError(f"{path}: no such WARC file") from None
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        raise ToxiclinksError(f"{path}: not a readable WARC file ({exc})") from None
    for source, target in redirects.items():
        seen = {source}
        while target in redirects and target not in seen:  # follow chains, never loops
            seen.add(target)
            target = redirects[target]
        if source not in pages and target in pages:
            landed = pages[target]
            pages[source] = Page(**{**landed.__dict__, "url": source, "final_url": target})
    if not pages:
        raise ToxiclinksError(f"{path}: the WARC file holds no HTTP responses")
    return pages


def read_page_folder(folder: str | Path) -> dict[str, Page]:
    """Read saved ``.html`` files listed in ``manifest.csv`` (columns ``url`` and ``file``, paths relative to it)."""
    folder = Path(folder)
    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        raise ToxiclinksError(f"{folder}: a pages folder needs a manifest.csv with the columns url,file")
    pages: dict[str, Page] = {}
    with manifest.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        if not reader.fieldnames or not {"url", "file"} <= {name.strip().lower() for name in reader.fieldnames}:
            raise ToxiclinksError(f"{manifest}: needs the columns url,file (found: {reader.fieldnames})")
        for row in reader:
            entry = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
            url = normalize_url(entry["url"])
            file = (folder / entry["file"]).resolve()
            if not url:
                continue
            if folder.resolve() not in file.parents:
                LOGGER.warning("%s: %s is outside the folder; skipped", manifest, entry["file"])
                continue
            try:
                body = file.read_bytes()
            except OSError:
                pages[url] = Page(url=url, status="not_fetched")
                continue
            pages[url] = page_from_response(url, url, 200, "text/html", body, "")
    return pages

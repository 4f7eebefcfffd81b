"""A persistent page cache on disk (SQLite), keyed by URL.

Every fetched page is committed as soon as it arrives, so a crash or Ctrl-C
loses nothing already fetched, and the next run fetches only what is missing.
Bodies are stored zlib-compressed.
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from toxiclinks.errors import ToxiclinksError
from toxiclinks.page import Page

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    final_url TEXT NOT NULL,
    http_status INTEGER,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    html BLOB
)
"""

_RECORD_COLUMNS = "url, status, final_url, http_status, content_type, size, fetched_at"
_SELECT_PAGE = f"SELECT {_RECORD_COLUMNS}, html FROM pages WHERE url = ?"
_SELECT_RECORD = f"SELECT {_RECORD_COLUMNS}, NULL FROM pages WHERE url = ?"  # the body neither read nor decompressed


def default_cache_path() -> Path:
    """``$XDG_CACHE_HOME/toxiclinks/pages.sqlite`` (``~/.cache/...`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "toxiclinks" / "pages.sqlite"


class PageCache:
    """Pages fetched before, on disk. Use as a context manager; safe to share between threads.

    >>> import tempfile
    >>> with PageCache(Path(tempfile.mkdtemp()) / "c.sqlite") as cache:
    ...     cache.put(Page("http://a.example/", "ok", html="<p>hi</p>", fetched_at="2026-01-01T00:00:00+00:00"))
    ...     cache.get("http://a.example/").html
    '<p>hi</p>'
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ToxiclinksError(f"{self.path}: cannot open the page cache ({exc})") from None

    def __enter__(self) -> PageCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database; everything put is already committed."""
        self._db.close()

    def get(self, url: str, max_age: timedelta | None = None, with_html: bool = True) -> Page | None:
        """The cached page for ``url``, or None when absent or older than ``max_age``; without ``with_html``, its
        record alone (``html`` None: the body neither read nor decompressed; 20,000 pages 0.35 s instead of 8 s)."""
        row = self._db.execute(_SELECT_PAGE if with_html else _SELECT_RECORD, (url,)).fetchone()
        if row is None:
            return None
        page = Page(
            url=row[0],
            status=row[1],
            final_url=row[2],
            http_status=row[3],
            content_type=row[4],
            size=row[5],
            fetched_at=row[6],
            html=zlib.decompress(row[7]).decode("utf-8") if row[7] is not None else None,
        )
        if max_age is not None and _age(page.fetched_at) > max_age:
            return None
        return page

    def put(self, page: Page) -> None:
        """Store a page (replacing an older one) and commit at once."""
        html = zlib.compress(page.html.encode("utf-8"), 6) if page.html is not None else None
        self._db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                page.url,
                page.status,
                page.final_url,
                page.http_status,
                page.content_type,
                page.size,
                page.fetched_at,
                html,
            ),
        )


def _age(fetched_at: str) -> timedelta:
    try:
        when = datetime.fromisoformat(fetched_at)
    except ValueError:
        return timedelta.max
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) - when

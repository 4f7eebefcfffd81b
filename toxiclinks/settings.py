"""One settings object with every default in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toxiclinks import __version__

#: rows per chunk of an export read in chunks: tens of MB of working memory for a wide export
DEFAULT_CHUNK_ROWS = 50_000
#: links a full scan fetches, reads and scores at a time (``scan --chunk-links``): what its memory grows with
SCAN_CHUNK_ROWS = 10_000


@dataclass(frozen=True)
class Settings:
    """Everything a scan can be told. The CLI builds one; library users may too.

    >>> Settings().workers, Settings(workers=4).workers
    (16, 4)
    """

    #: links at or above this probability are labelled artificial; None: the model's own threshold,
    #: chosen when it was trained for high precision (disavowing a good link costs more than missing a bad one)
    threshold: float | None = None
    #: the target site (``example.com``); needed when the export has no target column
    site: str | None = None
    #: brand words of the target site; derived from its domain when not given
    brand: tuple[str, ...] = ()
    #: money keywords of the target site, used to spot exact-match anchors
    keywords: tuple[str, ...] = ()
    #: saved pages (a WARC file, or a folder of .html files with manifest.csv) read before the network
    pages_path: Path | None = None
    #: never touch the network: pages missing from ``pages_path`` and the cache are not fetched
    offline: bool = False
    #: the page cache (SQLite); None means the default under ~/.cache/toxiclinks
    cache_path: Path | None = None
    use_cache: bool = True
    #: re-fetch pages even when cached; or only those older than ``max_age_days``
    refresh: bool = False
    max_age_days: float | None = None
    #: HTTP: politeness, limits and retries
    user_agent: str = f"toxiclinks/{__version__} (backlink audit; python-requests)"
    workers: int = 16  #: requests in flight at once, over all hosts
    max_per_host: int = 2  #: requests in flight to one host
    host_delay: float = 0.5  #: seconds between two requests to the same host
    connect_timeout: float = 10.0
    timeout_seconds: float = 20.0  #: read timeout: longest silence from a server
    page_time_limit: float = 60.0  #: longest time for one page's body in all
    retries: int = 2  #: extra attempts after a connection reset, a timeout, 429 or 503
    backoff_seconds: float = 1.0  #: first retry delay, doubled each time
    max_retry_after: float = 30.0  #: longest Retry-After we wait for
    max_bytes: int = 5 * 1024 * 1024  #: larger bodies (after decompression) are cut off
    respect_robots: bool = True
    allow_private: bool = False  #: fetch loopback/private addresses (refused by default: exports are untrusted)
    #: disavow policy: "auto", "domain" or "url"; sites never to disavow; your own sites
    level: str = "auto"
    allow_path: Path | None = None
    own_sites: tuple[str, ...] = ()
    #: processes for feature extraction (-1: every core)
    jobs: int = -1
    #: fetch and extract on a Dask cluster: its scheduler (``tcp://host:8786``) or ``local``; None: this machine
    dask: str | None = None
    #: where the cluster's workers write pages and features (a folder or an fsspec URL), so a run can resume
    work_dir: str | None = None
    #: the trained model to use; None means the default model shipped in ``models/``
    model_path: Path | None = None

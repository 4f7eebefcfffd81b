"""One settings object with every default in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from toxiclinks import __version__


@dataclass(frozen=True)
class Settings:
    """Everything a scan can be told. The CLI builds one; library users may too.

    >>> Settings().threshold
    0.7
    >>> Settings(threshold=0.9).threshold
    0.9
    """

    #: links at or above this probability are labelled artificial. Set high on
    #: purpose: disavowing a good link costs more than missing a bad one.
    threshold: float = 0.7
    #: the target site (``example.com``); needed when the export has no target column
    site: str | None = None
    #: brand words of the target site; derived from its domain when not given
    brand: tuple[str, ...] = ()
    #: money keywords of the target site, used to spot exact-match anchors
    keywords: tuple[str, ...] = ()
    #: pages come from this WARC file instead of the network
    pages_path: Path | None = None
    #: never touch the network: pages missing from ``pages_path`` are not fetched
    offline: bool = False
    #: HTTP settings
    user_agent: str = f"toxiclinks/{__version__} (backlink audit; python-requests)"
    timeout_seconds: float = 15.0
    max_bytes: int = 5 * 1024 * 1024
    workers: int = 8
    allow_private: bool = False
    #: the trained model to use; None means the default model shipped in ``models/``
    model_path: Path | None = None

"""The descriptions of the pages a scan read, kept until the features that need every page are computed.

Topic similarity needs every referring page's main text at once (its IDF
counts the pages each 4-gram occurs in), so a scan keeps the texts until the
crawl is over. Held in memory they would grow with the crawl (5 KB a page on
average in the real-pages corpus, up to 50,000 characters; gigabytes for a
million pages); here they wait in a temporary file, compressed, and memory
keeps only where each one is. The signals stay in memory as tuples of values
under one shared tuple of names (1.3 KB a page where the dicts a worker sends
back took 3.8 KB, each with its own copy of every name).
"""

from __future__ import annotations

import contextlib
import math
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toxiclinks.files import temporary_file_errors

_TEXTS = "the pages' texts"  #: what the temporary file keeps, for its errors
#: zlib's fastest level: the texts shrink to about half (0.07 ms a page), more would cost the crawl time
_COMPRESSION = 1


@dataclass(frozen=True)
class PageDescription:
    """What the features need from one read page, small enough to keep for every page of a large export."""

    signals: dict[str, object]  #: page signals (``page_features``, language, author, date)
    text: str  #: main text: a target page's whole text (its topic), else the part topic similarity reads
    links: dict[int, dict[str, object]]  #: link and anchor signals of the export's links from this page, by row


class ReadPages(Mapping[str, PageDescription]):
    """Page descriptions by URL: the texts in a temporary file (``TMPDIR``), the signals in memory.

    ``read[url]`` gives the whole description back; ``signals``, ``links`` and
    ``text`` give one part without reading the others. ``close`` (or the end of
    a ``with`` block) deletes the file; so does the operating system if the
    process dies, since the file has no name. A folder that cannot take the
    file (missing, read-only, full) is a ``ToxiclinksError`` naming it.
    """

    def __init__(self) -> None:
        self._signals: dict[str, _Values] = {}
        self._links: dict[str, tuple[tuple[int, _Values], ...]] = {}
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {}  # each tuple of names once
        self._places: dict[str, tuple[int, int]] = {}  # where each text is in the file: offset, length
        with temporary_file_errors(_TEXTS):
            self._file = tempfile.TemporaryFile(prefix="toxiclinks-texts-")
        self._end = 0

    def add(self, url: str, description: PageDescription) -> None:
        """Keep ``description`` as the description of ``url``."""
        data = zlib.compress(description.text.encode("utf-8"), _COMPRESSION)
        with temporary_file_errors(_TEXTS):
            self._file.seek(self._end)
            self._file.write(data)
        self._places[url] = (self._end, len(data))
        self._end += len(data)
        self._signals[url] = self._values(description.signals)
        self._links[url] = tuple((position, self._values(signals)) for position, signals in description.links.items())

    def text(self, url: str) -> str:
        """The main text of ``url``, read back from the file."""
        offset, length = self._places[url]
        with temporary_file_errors(_TEXTS):
            self._file.seek(offset)  # flushes what is buffered: a full disk may show here
            data = self._file.read(length)
        return zlib.decompress(data).decode("utf-8")

    def signals(self, url: str) -> dict[str, object]:
        """The page signals of ``url``."""
        return _as_dict(self._signals[url])

    def links(self, url: str) -> dict[int, dict[str, object]]:
        """The signals of the export's links from ``url``, by row position."""
        return {position: _as_dict(values) for position, values in self._links[url]}

    def signal_columns(self, urls: Iterable[str]) -> SignalColumns:
        """The page signals of those of ``urls`` read, as columns (a dict per page and per link, all made at once
        for the features table, took 0.7 KB a backlink at its peak)."""
        read = [url for url in urls if url in self._signals]
        return _columns(read, [self._signals[url] for url in read])

    def link_signal_columns(self, urls: Iterable[str]) -> SignalColumns:
        """The signals of the export's links from those of ``urls`` read, as columns keyed by row position."""
        pairs = [pair for url in urls if url in self._links for pair in self._links[url]]
        return _columns([position for position, _ in pairs], [signals for _, signals in pairs])

    def texts(self) -> Mapping[str, str]:
        """The main texts by URL, each read from the file when asked for."""
        return _Texts(self)

    def close(self) -> None:
        """Delete the texts' file; the descriptions can no longer be read whole."""
        with contextlib.suppress(OSError):  # what a full disk kept in the buffer goes with the file
            self._file.close()

    def __enter__(self) -> ReadPages:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getitem__(self, url: str) -> PageDescription:
        return PageDescription(signals=self.signals(url), text=self.text(url), links=self.links(url))

    def __iter__(self) -> Iterator[str]:
        return iter(self._signals)

    def __len__(self) -> int:
        return len(self._signals)

    def __contains__(self, url: object) -> bool:
        return url in self._signals

    def _values(self, signals: dict[str, object]) -> _Values:
        names = tuple(signals)
        return self._names.setdefault(names, names), tuple(signals.values())


#: signals as (names, values): the names shared by every page described by the same code
_Values = tuple[tuple[str, ...], tuple[object, ...]]


@dataclass(frozen=True)
class SignalColumns:
    """The signals of many pages or links as columns: ``columns[name][i]`` is the value of ``keys[i]``."""

    keys: list[Any]  #: URLs or row positions
    columns: dict[str, list[object]]  #: by signal name, in the order names first occur; NaN where one has none


def _columns(keys: list[Any], rows: Sequence[_Values]) -> SignalColumns:
    columns: dict[str, list[object]] = {}
    for row, (names, values) in enumerate(rows):
        for name, value in zip(names, values, strict=True):
            if name not in columns:
                columns[name] = [math.nan] * len(rows)
            columns[name][row] = value
    return SignalColumns(keys=keys, columns=columns)


def _as_dict(signals: _Values) -> dict[str, object]:
    names, values = signals
    return dict(zip(names, values, strict=True))


class _Texts(Mapping[str, str]):
    """The texts of a ``ReadPages`` as a mapping, read one at a time."""

    def __init__(self, pages: ReadPages) -> None:
        self._pages = pages

    def __getitem__(self, url: str) -> str:
        return self._pages.text(url)

    def __iter__(self) -> Iterator[str]:
        return iter(self._pages)

    def __len__(self) -> int:
        return len(self._pages)

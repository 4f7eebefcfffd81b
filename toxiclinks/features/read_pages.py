"""The descriptions of the pages a scan read, kept until the features that need every page are computed.

Topic similarity needs every referring page's main text at once (its IDF
counts the pages each 4-gram occurs in), so a scan keeps the texts until the
crawl is over. Held in memory they would grow with the crawl (5 KB a page on
average in the real-pages corpus, up to 50,000 characters; gigabytes for a
million pages); here they wait in a temporary file, compressed, and memory
keeps only where each one is. The signals stay in memory column by column
(``_Rows``): a signal's numbers packed as doubles, each text kept once, each
row's tuple of names shared: 0.65 KB a page with one link, its URL included
(dicts as a worker sends them back took 3.8 KB; tuples of values under shared
names, 1.4 KB).
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toxiclinks.files import Place, SpillFile


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
    Given ``texts``, the texts go to that file instead, which outlives this
    object: a scan in chunks keeps every chunk's texts in one file.
    """

    def __init__(self, texts: SpillFile | None = None) -> None:
        self._pages = _Rows()  # one row of page signals a page
        self._page_rows: dict[str, int] = {}
        self._links = _Rows()  # one row of link signals a link, a page's links in consecutive rows
        self._link_rows: dict[str, tuple[int, int]] = {}  # a page's first row and the row past its last
        self._link_positions = array("q")  # each link row's position in the export
        self._places: dict[str, Place] = {}  # where each text is in the file
        self._owns_file = texts is None
        self._texts = SpillFile("the pages' texts") if texts is None else texts
        self._stored = StoredTexts(self._texts, self._places)  # sees each text as it is added

    def add(self, url: str, description: PageDescription) -> None:
        """Keep ``description`` as the description of ``url``."""
        self._places[url] = self._texts.put(description.text.encode("utf-8"))
        self._page_rows[url] = self._pages.append(description.signals)
        first = len(self._link_positions)
        for position, signals in description.links.items():
            self._links.append(signals)
            self._link_positions.append(position)
        self._link_rows[url] = (first, len(self._link_positions))

    def text(self, url: str) -> str:
        """The main text of ``url``, read back from the file."""
        return self._stored[url]

    def signals(self, url: str) -> dict[str, object]:
        """The page signals of ``url``."""
        return self._pages.row(self._page_rows[url])

    def links(self, url: str) -> dict[int, dict[str, object]]:
        """The signals of the export's links from ``url``, by row position."""
        first, stop = self._link_rows[url]
        return {self._link_positions[row]: self._links.row(row) for row in range(first, stop)}

    def signal_columns(self, urls: Iterable[str]) -> SignalColumns:
        """The page signals of those of ``urls`` read, as columns (a dict per page and per link, all made at once
        for the features table, took 0.7 KB a backlink at its peak)."""
        read = [url for url in urls if url in self._page_rows]
        return SignalColumns(keys=read, columns=self._pages.columns([self._page_rows[url] for url in read]))

    def link_signal_columns(self, urls: Iterable[str]) -> SignalColumns:
        """The signals of the export's links from those of ``urls`` read, as columns keyed by row position."""
        spans = [self._link_rows[url] for url in urls if url in self._link_rows]
        rows = [row for first, stop in spans for row in range(first, stop)]
        return SignalColumns(keys=[self._link_positions[row] for row in rows], columns=self._links.columns(rows))

    def texts(self) -> Mapping[str, str]:
        """The main texts by URL, each read from the file when asked for."""
        return self._stored

    def text_places(self, urls: Iterable[str]) -> dict[str, Place]:
        """Where the texts of ``urls`` (pages read) are in the texts' file: for ``StoredTexts`` once this is gone."""
        return {url: self._places[url] for url in urls}

    def close(self) -> None:
        """Delete the texts' file (unless it was given); the descriptions can no longer be read whole."""
        if self._owns_file:
            self._texts.close()

    def __enter__(self) -> ReadPages:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getitem__(self, url: str) -> PageDescription:
        return PageDescription(signals=self.signals(url), text=self.text(url), links=self.links(url))

    def __iter__(self) -> Iterator[str]:
        return iter(self._page_rows)

    def __len__(self) -> int:
        return len(self._page_rows)

    def __contains__(self, url: object) -> bool:
        return url in self._page_rows


@dataclass(frozen=True)
class SignalColumns:
    """The signals of many pages or links as columns: ``columns[name][i]`` is the value of ``keys[i]``."""

    keys: list[Any]  #: URLs or row positions
    columns: dict[str, list[object]]  #: by signal name, in the order names first occur; NaN where one has none


class _Rows:
    """Rows of signals (dicts of name to value) kept by name: each name's values in an array of doubles while
    they are all floats, else in a list with each text kept once; each row keeps its tuple of names (shared
    by the rows that have the same), so ``row`` gives back exactly what ``append`` was given."""

    def __init__(self) -> None:
        self._names: list[tuple[str, ...]] = []  # each row's names
        self._shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._values: dict[str, array[float] | list[object]] = {}

    def append(self, signals: Mapping[str, object]) -> int:
        """Keep one row; return its number."""
        row = len(self._names)
        names = tuple(signals)
        self._names.append(self._shared.setdefault(names, names))
        for name, value in signals.items():
            values = self._values.setdefault(name, array("d"))
            if len(values) < row:  # rows without this name: places nobody reads (their names leave it out)
                values.extend([math.nan] * (row - len(values)))
            if isinstance(values, array) and not (isinstance(value, float) and type(value) is float):
                values = self._values[name] = list(values)
            if isinstance(values, array):
                values.append(value)  # type: ignore[arg-type]
            else:
                values.append(sys.intern(value) if type(value) is str else value)
        return row

    def row(self, row: int) -> dict[str, object]:
        """Row ``row`` as it was appended."""
        return {name: self._values[name][row] for name in self._names[row]}

    def columns(self, rows: Sequence[int]) -> dict[str, list[object]]:
        """The values of ``rows`` by name, NaN where a row has none, names in the order they first occur."""
        found: dict[str, list[object]] = {}
        for place, row in enumerate(rows):
            for name in self._names[row]:
                if name not in found:
                    found[name] = [math.nan] * len(rows)
                found[name][place] = self._values[name][row]
        return found


class StoredTexts(Mapping[str, str]):
    """Texts in a ``SpillFile`` by URL, each read (and decoded) when asked for."""

    def __init__(self, file: SpillFile, places: Mapping[str, Place]) -> None:
        self._file, self._places = file, places

    def __getitem__(self, url: str) -> str:
        return self._file.get(self._places[url]).decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)

"""Read a backlink export, exactly as the tool wrote it, into the links table.

The tool is recognised from the header row (the known format whose headers
match best), the encoding from BOMs and NUL bytes, the delimiter from the
header line. Each known column is mapped onto ``schema.LINK_COLUMNS``; the
tool's own metrics land under normalised names (``metric_*``); the raw row is
kept as JSON for the report. Formats:

* Ahrefs backlinks: current (34 and 37 columns) and older headers, UTF-8
  comma-separated or UTF-16 tab-separated "for Excel";
* Google Search Console links report: Latest links, More sample links, Top
  linking sites (domain level); the target site comes from the file name or
  ``site``;
* Bing Webmaster Tools inbound links;
* Semrush backlinks, Backlink Audit, referring domains (domain level);
* Majestic backlinks, referring domains (domain level);
* Moz Link Explorer inbound links and SE Ranking backlinks;
* toxiclinks' own ``scores.csv`` and review sheets;
* a plain list of URLs (one a line, or a one-column CSV with any header).

Anything else: ``columns={"source": ..., "target": ..., "anchor": ...}``.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import html
import io
import itertools
import json
import logging
import operator
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from toxiclinks import schema
from toxiclinks.errors import ToxiclinksError
from toxiclinks.files import Utf8Check, open_user_text, temporary_file_errors
from toxiclinks.settings import DEFAULT_CHUNK_ROWS
from toxiclinks.urls import CANONICAL_URL, normalize_url

LOGGER = logging.getLogger(__name__)

LINK_LEVEL = "link"
DOMAIN_LEVEL = "domain"  #: each row is a referring domain, scored through its home page


@dataclass(frozen=True)
class ExportFormat:
    """How one tool's export maps onto the links table.

    ``required`` headers must all be present (compared case-insensitively);
    ``columns`` maps a links-table column to the header names the tool has
    used for it; ``metrics`` maps a normalised metric name (stored as
    ``metric_<name>``) to its headers; ``unsupported`` is a message for a
    report that lists no links.
    """

    name: str
    required: tuple[str, ...]
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    metrics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    level: str = LINK_LEVEL
    dayfirst: bool = False  #: dates written day first (dd/mm/yyyy)
    unsupported: str = ""

    def known_headers(self) -> set[str]:
        """Every header this format names."""
        names = set(self.required)
        for headers in (*self.columns.values(), *self.metrics.values()):
            names.update(headers)
        return names


S = schema
#: the columns of the link itself, all a triage reads of an export (``text_only``)
LINK_TEXT = (S.SOURCE_URL, S.TARGET_URL, S.ANCHOR)
FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        name="ahrefs",
        required=("referring page url", "target url", "anchor"),
        columns={
            S.SOURCE_URL: ("referring page url",),
            S.TARGET_URL: ("target url",),
            S.ANCHOR: ("anchor",),
            S.EXPORT_NOFOLLOW: ("nofollow",),
            S.EXPORT_SPONSORED: ("sponsored",),
            S.EXPORT_UGC: ("ugc",),
            S.FIRST_SEEN: ("first seen",),
            S.LAST_SEEN: ("last seen",),
            S.EXPORT_LOST: ("lost", "lost status"),
        },
        metrics={
            "domain_rating": ("domain rating",),
            "url_rating": ("ur",),
            "domain_traffic": ("domain traffic",),
            "referring_domains": ("referring domains",),
            "linked_domains": ("linked domains",),
            "external_links": ("external links",),
            "page_traffic": ("page traffic",),
            "http_code": ("referring page http code",),
            "is_spam": ("is spam",),
        },
    ),
    ExportFormat(
        name="ahrefs-legacy",
        required=("referring page url", "link url"),
        columns={
            S.SOURCE_URL: ("referring page url",),
            S.TARGET_URL: ("link url",),
            S.ANCHOR: ("link anchor",),
            S.EXPORT_NOFOLLOW: ("nofollow",),
            S.FIRST_SEEN: ("first seen",),
            S.LAST_SEEN: ("last check",),
        },
        metrics={"domain_rating": ("domain rating",), "url_rating": ("url rating",)},
    ),
    ExportFormat(
        name="gsc-latest-links",
        required=("linking page", "last crawled"),
        columns={S.SOURCE_URL: ("linking page",), S.LAST_SEEN: ("last crawled",)},
    ),
    ExportFormat(name="gsc-sample-links", required=("linking page",), columns={S.SOURCE_URL: ("linking page",)}),
    ExportFormat(
        name="gsc-top-linking-sites",
        required=("site", "linking pages", "target pages"),
        columns={S.SOURCE_URL: ("site",)},
        metrics={"linking_pages": ("linking pages",), "target_pages": ("target pages",)},
        level=DOMAIN_LEVEL,
    ),
    ExportFormat(
        name="gsc-top-linking-text",
        required=("rank", "link text"),
        unsupported="Search Console's 'Top linking text' report lists anchor texts, not links; "
        "export 'Latest links' or 'Top linking sites' instead",
    ),
    ExportFormat(
        name="gsc-top-target-pages",
        required=("target page", "incoming links", "linking sites"),
        unsupported="Search Console's 'Top target pages' report lists your own pages, not the links to them; "
        "export 'Latest links' or 'Top linking sites' instead",
    ),
    ExportFormat(
        name="bing",
        required=("source url", "anchor text", "target url"),
        columns={S.SOURCE_URL: ("source url",), S.TARGET_URL: ("target url",), S.ANCHOR: ("anchor text",)},
    ),
    ExportFormat(
        name="semrush-backlinks",
        required=("page ascore", "source url", "target url"),
        columns={
            S.SOURCE_URL: ("source url",),
            S.TARGET_URL: ("target url",),
            S.ANCHOR: ("anchor",),
            S.EXPORT_NOFOLLOW: ("nofollow",),
            S.EXPORT_SPONSORED: ("sponsored",),
            S.EXPORT_UGC: ("ugc",),
            S.FIRST_SEEN: ("first seen",),
            S.LAST_SEEN: ("last seen",),
            S.EXPORT_LOST: ("lost link",),
        },
        metrics={
            "page_ascore": ("page ascore",),
            "external_links": ("external links",),
            "internal_links": ("internal links",),
            "sitewide": ("sitewide",),
        },
    ),
    ExportFormat(
        name="semrush-audit",
        required=("source url", "target url", "toxic score"),
        columns={
            S.SOURCE_URL: ("source url",),
            S.TARGET_URL: ("target url",),
            S.ANCHOR: ("anchor",),
            S.EXPORT_NOFOLLOW: ("no follow",),
            S.FIRST_SEEN: ("first seen",),
            S.LAST_SEEN: ("last seen",),
        },
        metrics={
            "toxic_score": ("toxic score",),
            "domain_authority": ("domain authority score",),
            "page_authority": ("page authority score",),
        },
    ),
    ExportFormat(
        name="semrush-refdomains",
        required=("domain ascore", "domain", "backlinks"),
        columns={
            S.SOURCE_URL: ("domain",),
            S.FIRST_SEEN: ("first seen",),
            S.LAST_SEEN: ("last seen",),
            S.EXPORT_IP: ("ip address",),
        },
        metrics={"domain_ascore": ("domain ascore",), "backlinks": ("backlinks",)},
        level=DOMAIN_LEVEL,
    ),
    ExportFormat(
        name="majestic-backlinks",
        required=("source url", "target url", "flagnofollow"),
        columns={
            S.SOURCE_URL: ("source url",),
            S.TARGET_URL: ("target url",),
            S.ANCHOR: ("anchor text",),
            S.EXPORT_NOFOLLOW: ("flagnofollow",),
            S.FIRST_SEEN: ("source first found date", "firstindexeddate"),
            S.LAST_SEEN: ("source crawl date", "lastseendate"),
            S.EXPORT_LOST: ("flagdeleted",),
        },
        metrics={
            "citation_flow": ("sourcecitationflow",),
            "trust_flow": ("sourcetrustflow",),
            "image_link": ("flagimagelink",),
        },
        dayfirst=True,
    ),
    ExportFormat(
        name="majestic-refdomains",
        required=("position", "domain", "refdomains"),
        columns={
            S.SOURCE_URL: ("domain",),
            S.FIRST_SEEN: ("firstindexeddate",),
            S.LAST_SEEN: ("lastseendate",),
            S.EXPORT_IP: ("ip",),
        },
        metrics={"citation_flow": ("citationflow",), "trust_flow": ("trustflow",), "ref_domains": ("refdomains",)},
        level=DOMAIN_LEVEL,
        dayfirst=True,
    ),
    ExportFormat(
        name="moz",
        required=("url", "target url", "anchor text"),
        columns={
            S.SOURCE_URL: ("url",),
            S.TARGET_URL: ("target url",),
            S.ANCHOR: ("anchor text",),
            S.EXPORT_NOFOLLOW: ("link type", "nofollow"),
            S.FIRST_SEEN: ("first seen", "date first seen"),
            S.LAST_SEEN: ("last seen", "date last seen"),
        },
        metrics={
            "spam_score": ("spam score",),
            "domain_authority": ("domain authority",),
            "page_authority": ("page authority",),
        },
    ),
    ExportFormat(
        name="toxiclinks",  # our own scores.csv and review sheets, with a label column filled in
        required=("source_url", "target_url", "anchor"),
        columns={S.SOURCE_URL: ("source_url",), S.TARGET_URL: ("target_url",), S.ANCHOR: ("anchor",)},
    ),
    ExportFormat(
        name="se-ranking",
        required=("target url", "domain inlink rank"),
        columns={
            S.SOURCE_URL: ("source url", "referring page url", "referring page"),
            S.TARGET_URL: ("target url",),
            S.ANCHOR: ("anchor", "anchor text"),
            S.EXPORT_NOFOLLOW: ("nofollow",),
            S.FIRST_SEEN: ("first seen",),
            S.LAST_SEEN: ("last seen", "last visited"),
        },
        metrics={"domain_inlink_rank": ("domain inlink rank",), "page_inlink_rank": ("page inlink rank",)},
    ),
)

_TRUE = {"true", "1", "yes", "y", "+", "nofollow", "x", "lost", "deleted", "broken"}
_FALSE = {"false", "0", "no", "n", "-", "follow", "dofollow", "", "live", "active"}
_USER_COLUMN_KEYS = {"source": S.SOURCE_URL, "target": S.TARGET_URL, "anchor": S.ANCHOR}
_HEADER_SEARCH_ROWS = 20  # tools put a title or a blank line above the header at most a few rows down
_GSC_FILE_NAME = re.compile(
    r"^(?P<site>.+?)[-_ ]+(latest links|more sample links|top linking sites|top linking text|top target pages)",
    re.IGNORECASE,
)


def read_export(
    path: str | Path, columns: Mapping[str, str] | None = None, site: str | None = None, keep_raw: bool = False
) -> pd.DataFrame:
    """Read a backlink export file into the links table.

    ``columns`` maps ``source``/``target``/``anchor`` to headers of an export
    this reader does not know. ``site`` is the target site for exports that do
    not name it. ``keep_raw`` keeps each row as JSON (``export_raw``, for a
    label column); otherwise that column is empty. Rows without a usable
    referring URL are skipped with a warning; exact duplicate links are
    dropped. ``table.attrs["export"]`` says what was read: format, level,
    rows, duplicates, skipped, site. For exports too large for memory, read
    them in chunks with ``ExportReader``.

    Raises ``ToxiclinksError`` with a one-line message for a missing, empty or
    unrecognised file.

    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "links.txt")
    >>> _ = open(f, "w").write("https://a.example/x\\nb.example/page\\n")
    >>> read_export(f)[["source_url", "export_format"]].values.tolist()
    [['https://a.example/x', 'url-list'], ['http://b.example/page', 'url-list']]
    """
    reader = ExportReader(path, columns, site, keep_raw=keep_raw)
    chunks = list(reader.chunks())
    table = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0].reset_index(drop=True)
    table.attrs["export"] = dict(reader.info)
    return table


class ExportReader:
    """An export opened for reading in chunks: memory is bounded by the chunk size, not the file.

    Opening reads only the first rows (to recognise the tool and its header,
    or a plain URL list); ``chunks()`` then streams the links table in pieces
    of ``chunk_rows`` rows, numbered on from one chunk to the next. ``info``
    holds what ``read_export`` puts in ``attrs["export"]``; its counts are
    final once ``chunks()`` is exhausted.

    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "links.txt")
    >>> _ = open(f, "w").write("".join(f"https://a.example/{n}\\n" for n in range(5)))
    >>> reader = ExportReader(f, chunk_rows=2)
    >>> [len(chunk) for chunk in reader.chunks()], reader.info["rows"]
    ([2, 2, 1], 5)
    """

    def __init__(
        self,
        path: str | Path,
        columns: Mapping[str, str] | None = None,
        site: str | None = None,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        keep_raw: bool = False,
        text_only: bool = False,
        ramp_up: bool = False,
    ) -> None:
        """``text_only``: the batches hold only the columns of ``LINK_TEXT`` (for ``links_table(text_only=True)``,
        what a triage reads); ``keep_raw``: every column, for each row's JSON; ``ramp_up``: the first two batches
        a quarter and a half of ``chunk_rows``, for worker processes to start on them sooner."""
        self.path = Path(path)
        self.chunk_rows = max(int(chunk_rows), 1)
        self.keep_raw, self.text_only, self.ramp_up = keep_raw, text_only, ramp_up
        with _open_rows(self.path) as rows:
            self.delimiter, self.encoding = rows.delimiter, rows.encoding
            head = list(itertools.islice(rows, _HEADER_SEARCH_ROWS))
            if not head:
                raise ToxiclinksError(f"{self.path}: the file has no rows")
            fmt: ExportFormat | None
            if columns:
                self.header_at, fmt = 0, _user_format(_cleaned(head[0]), columns, self.path)
            else:
                self.header_at, fmt = _find_format([_cleaned(row) for row in head])
            if fmt is None:
                sample = [*head, *itertools.islice(rows, self.chunk_rows)]
                fmt, self.header_at = self._url_list_format(sample)
        if fmt.unsupported:
            raise ToxiclinksError(f"{self.path}: {fmt.unsupported}")
        self.format = fmt
        self.header = _cleaned(head[self.header_at]) if fmt.name != "url-list" else ["url"]
        if fmt.name != "url-list":
            site = site or _site_from_headers(self.header) or _site_from_file_name(self.path)
        self.info: dict[str, object] = {
            "format": fmt.name,
            "level": fmt.level,
            "rows": 0,
            "skipped": 0,
            "duplicates": 0,
            "site": site,
        }
        #: what parsed the body, once read: pyarrow, the csv module, or both (the csv module from a ragged row on)
        self.read_with: tuple[str, ...] = ()

    def _url_list_format(self, sample: list[list[str]]) -> tuple[ExportFormat, int]:
        """A plain list: one URL a line, or a one-column CSV with any header (judged on the first chunk)."""
        cleaned = [_cleaned(row) for row in sample]
        values = [next((c for c in row if c), "") for row in cleaned]
        one_column = all(sum(1 for c in row if c) == 1 for row in cleaned)
        looks_like_url = [bool(normalize_url(v)) and "." in v and " " not in v for v in values]
        header_at = 0 if looks_like_url[0] else 1  # else the first row is a header
        body = looks_like_url[header_at:]
        if not one_column or not body or sum(body) < len(body) / 2:
            headers = ", ".join(c for c in cleaned[0] if c) or "(none)"
            raise ToxiclinksError(
                f"{self.path}: no column of referring page URLs recognised (headers found: {headers}); "
                "name it with --columns source=HEADER[,target=HEADER,anchor=HEADER]"
            )
        return ExportFormat(name="url-list", required=("url",), columns={S.SOURCE_URL: ("url",)}), header_at - 1

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The links table in chunks of at most ``chunk_rows`` rows (after dropping unusable and duplicate rows).

        Raises ``ToxiclinksError`` at the end when no row at all had a usable referring URL.
        """
        for batch, first in self.batches():
            table, unusable = links_table(batch, first, self.format, self.header, self.keep_raw, self.text_only)
            table = table[self.admit(link_hashes(table), unusable, first + batch.size)]
            if len(table):
                yield table
        self.finish()

    def batches(self) -> Iterator[tuple[_Batch, int]]:
        """The body rows in batches of ``chunk_rows``, each with the number of rows before it.

        The sequential half of ``chunks``: ``links_table`` turns a batch into
        links in any process; ``admit`` then counts it here, in order.
        """
        self._seen = SeenHashes()
        self._kept, self._skipped, self._duplicates = 0, 0, 0
        self._skipped_rows: list[int] = []
        self.info.update(rows=0, skipped=0, duplicates=0)
        number = 0
        for batch in self._batches():
            yield batch, number
            number += batch.size

    def admit(self, hashes: np.ndarray, unusable: list[int], rows_read: int) -> np.ndarray:
        """Count one batch in ``info``: the ``link_hashes`` of its links table, the rows left out as unusable,
        the rows read so far. Returns which of its links are new (duplicates are dropped, also across chunks).
        """
        new = _new_links(hashes, self._seen)
        self._skipped += len(unusable)
        self._skipped_rows.extend(unusable[: 5 - len(self._skipped_rows)])
        self._duplicates += int((~new).sum())
        self._kept += int(new.sum())
        self.info.update(rows=rows_read, skipped=self._skipped, duplicates=self._duplicates)
        return new

    def finish(self) -> None:
        """Say what was left out, once every batch was admitted; an error when no row was usable."""
        if self._kept == 0:
            raise ToxiclinksError(f"{self.path}: no row has a usable referring page URL")
        if self._skipped:
            LOGGER.warning(
                "%s: skipped %d rows without a usable referring URL (rows %s)",
                self.path,
                self._skipped,
                self._skipped_rows,
            )
        if self._duplicates:
            LOGGER.info("%s: dropped %d exact duplicate links", self.path, self._duplicates)

    def _batches(self) -> Iterator[_Batch]:
        """Batches of body rows: pyarrow's CSV reader while the rows are as wide as the header (what the tools
        write; one cell for a URL list), the csv module for the rest, from the first row of another width on
        (a URL list's first cell that holds anything is its URL). Both read a row alike, and leave out the same
        blank rows.
        """
        width = len(self.header)
        given = 0  # the rows pyarrow gave (none of them blank): the csv module reads on after them
        url_list = self.format.name == "url-list"
        sizes = self._batch_rows()
        with self._utf8_body() as (source, offset, carriage_returns):
            used = None if self.keep_raw else _used_columns(self.format, self.header, self.text_only)
            try:
                with _arrow_reader(source, offset, width, self.delimiter) as batches:
                    for table in _rebatched(batches, sizes):
                        batch = _ArrowBatch(table, used, carriage_returns)
                        if batch.size:
                            yield batch
                            given += batch.size
                self.read_with = ("pyarrow",)
                return
            except pa.ArrowInvalid as exc:  # a row of another width (or what pyarrow cannot parse)
                LOGGER.info("%s: read on with the csv module after %d rows (%s)", self.path, given, exc)
        self.read_with = ("pyarrow", "csv module") if given else ("csv module",)
        with _open_rows(self.path, self.encoding) as rows:
            body = itertools.islice(rows, self.header_at + 1 + given, None)
            while rows_read := list(itertools.islice(body, next(sizes))):
                yield _RowBatch(rows_read, width, url_list)

    def _batch_rows(self) -> Iterator[int]:
        """The rows of each batch in turn: ``chunk_rows``, after a quarter and a half of it with ``ramp_up``."""
        if self.ramp_up:
            yield from (max(self.chunk_rows // 4, 1), max(self.chunk_rows // 2, 1))
        yield from itertools.repeat(self.chunk_rows)

    @contextlib.contextmanager
    def _utf8_body(self) -> Iterator[tuple[Path, int, bool]]:
        """A UTF-8 file for pyarrow to read itself, the offset of the body in it, and whether its cells may need
        their line breaks translated: the export when it is plain UTF-8, else a UTF-8 copy of its body as the csv
        module reads it (decoded, universal newlines, NUL characters left out) in a temporary file, removed after.
        """
        plain, carriage_returns = _plain_utf8(self.path, self.encoding)
        if plain:
            yield self.path, _body_offset(self.path, self.encoding, self.header_at, self.delimiter), carriage_returns
            return
        copy = None
        try:
            with temporary_file_errors(f"a UTF-8 copy of {self.path}"):
                handle, name = tempfile.mkstemp(prefix="toxiclinks-", suffix=".csv")
                copy = Path(name)
                with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                    with open_user_text(self.path, "export file", self.encoding) as text:
                        lines = (line.replace("\x00", "") for line in iter(text.readline, ""))
                        rows = _checked_rows(csv.reader(lines, delimiter=self.delimiter), self.path)
                        if self.header_at >= 0:  # past the header, as the csv module (a URL list may have none)
                            next(itertools.islice(rows, self.header_at, None), None)
                        for block in iter(lambda: text.read(1 << 20), ""):
                            out.write(block.replace("\x00", ""))
        except BaseException:  # nothing left behind
            if copy is not None:
                copy.unlink(missing_ok=True)
            raise
        try:
            yield copy, 0, False
        finally:
            copy.unlink(missing_ok=True)


@contextlib.contextmanager
def _arrow_reader(source: Path, offset: int, width: int, delimiter: str) -> Iterator[Iterator[pa.RecordBatch]]:
    """pyarrow's streaming CSV reader over a UTF-8 file from ``offset`` on, reading the file itself (no Python
    on its threads); a row of another width raises ``pyarrow.ArrowInvalid``. The file must be valid UTF-8 (as
    ``_utf8_body`` gives it): the cells are not checked again."""
    names = [str(at) for at in range(width)]
    with pa.OSFile(str(source)) as stream:
        stream.seek(offset)
        reader = pa_csv.open_csv(
            stream,
            read_options=pa_csv.ReadOptions(column_names=names, block_size=_ARROW_BLOCK),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,  # 15% of the reading
            ),
        )
        yield iter(reader)


def links_table(
    batch: _Batch, first: int, fmt: ExportFormat, header: list[str], keep_raw: bool = False, text_only: bool = False
) -> tuple[pd.DataFrame, list[int]]:
    """One batch of rows as links (numbered on from ``first``), and the export rows left out as unusable.

    Column by column, not row by row; depends on nothing but its arguments, so
    batches can be mapped in worker processes. ``text_only``: the columns of
    ``LINK_TEXT`` and the row's number, format and level, nothing else (no
    dates, flags or metrics, a third of the time; from a reader's ``text_only`` batches).
    """
    table = _map_columns(batch, first, fmt, header, keep_raw, text_only)
    return _drop_unusable(table, fmt)


def _map_columns(
    batch: _Batch, first: int, fmt: ExportFormat, header: list[str], keep_raw: bool, text_only: bool
) -> pd.DataFrame:
    index = _index_of(header)
    rows = pd.RangeIndex(first, first + batch.size)

    def cells(names: tuple[str, ...] | None) -> pd.Series:
        at = _position(index, names)
        if at is None:  # not in this export (a URL list has no target, anchor or IP)
            return pd.Series("", index=rows, dtype=object)
        return pd.Series(batch.column(at), index=rows, dtype=object)

    def texts(names: tuple[str, ...] | None) -> pa.Array:
        at = _position(index, names)
        return pa.repeat("", batch.size) if at is None else batch.texts(at)

    def converted(names: tuple[str, ...] | None, convert: Callable[[str], object]) -> list[object]:
        at = _position(index, names)
        if at is None:
            return [convert("")] * batch.size
        return batch.converted(at, convert)

    # The link's text in Arrow from the file to the scores: no Python string a cell, but for the rare cells changed.
    table = pd.DataFrame(index=rows)
    for column in (S.SOURCE_URL, S.TARGET_URL):
        table[column] = pd.Series(texts(fmt.columns.get(column)), index=rows, dtype="str")
    anchors = texts(fmt.columns.get(S.ANCHOR))
    table[S.ANCHOR] = pd.Series(
        _changed(anchors, pc.match_substring(anchors, "&"), html.unescape), index=rows, dtype="str"
    )
    table[S.EXPORT_ROW] = np.arange(first + 1, first + batch.size + 1)
    table[S.EXPORT_FORMAT] = fmt.name
    table[S.EXPORT_LEVEL] = fmt.level
    if text_only:
        return table
    table[S.EXPORT_IP] = cells(fmt.columns.get(S.EXPORT_IP))
    iso_date = functools.partial(_iso_date, dayfirst=fmt.dayfirst)
    for column in (S.FIRST_SEEN, S.LAST_SEEN):
        table[column] = pd.Series(converted(fmt.columns.get(column), iso_date), index=rows, dtype=object)
    for column in (S.EXPORT_NOFOLLOW, S.EXPORT_SPONSORED, S.EXPORT_UGC):
        table[column] = pd.Series(converted(fmt.columns.get(column), _flag), index=rows, dtype=object).astype("boolean")
    if any(name in index for name in fmt.columns.get(S.EXPORT_LOST, ())):
        lost = converted(fmt.columns[S.EXPORT_LOST], _lost)
        table[S.EXPORT_LOST] = pd.Series(lost, index=rows, dtype=object).astype("boolean")
    else:
        table[S.EXPORT_LOST] = pd.Series(pd.NA, index=rows, dtype="boolean")
    table[S.EXPORT_RAW] = (
        [json.dumps(dict(zip(header, row, strict=False)), ensure_ascii=False) for row in batch.rows()]
        if keep_raw
        else ""
    )
    for name, headers in fmt.metrics.items():
        if (at := _position(index, headers)) is not None:
            table[f"metric_{name}"] = batch.numbers(at)
    return table[[*S.LINK_COLUMNS, *(column for column in table.columns if column.startswith("metric_"))]]


def _position(index: Mapping[str, int], names: tuple[str, ...] | None) -> int | None:
    """The position of the first of ``names`` the header has."""
    return next((index[name] for name in names or () if name in index), None)


def _used_columns(fmt: ExportFormat, header: list[str], text_only: bool = False) -> list[int]:
    """The positions of the columns ``links_table`` reads (a URL list's one column is its header's "url");
    only those of ``LINK_TEXT`` when ``text_only``."""
    index = _index_of(header)
    wanted = [fmt.columns.get(column) for column in LINK_TEXT] if text_only else fmt.columns.values()
    found = {_position(index, names) for names in (*wanted, *(() if text_only else fmt.metrics.values()))}
    return sorted(at for at in found if at is not None)


def _drop_unusable(table: pd.DataFrame, fmt: ExportFormat) -> tuple[pd.DataFrame, list[int]]:
    sources = table[S.SOURCE_URL]
    if fmt.level == DOMAIN_LEVEL:  # a referring domain: score it through its home page
        bare = ~sources.str.contains("://", regex=False)
        sources = sources.where(~bare, "http://" + sources.str.strip("/") + "/")
    table[S.SOURCE_URL] = normalize_urls(sources)
    # An export links to a few pages of the site: each target normalised once ("" stays "").
    targets = pc.dictionary_encode(text_array(table[S.TARGET_URL]))
    distinct = text_array(normalize_urls(pd.Series(targets.dictionary, dtype="str")))
    table[S.TARGET_URL] = pd.Series(distinct.take(targets.indices), index=table.index, dtype="str")
    unusable = table[S.SOURCE_URL] == ""
    return table[~unusable], table.loc[unusable, S.EXPORT_ROW].tolist()


def link_hashes(table: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each link (source, target, anchor): what exact duplicates are recognised by."""
    return pd.util.hash_pandas_object(table[[S.SOURCE_URL, S.TARGET_URL, S.ANCHOR]], index=False).to_numpy()


def _new_links(hashes: np.ndarray, seen: SeenHashes) -> np.ndarray:
    """Which links are not exact duplicates, also of earlier chunks (``seen``: the hashes kept so far)."""
    duplicated = pd.Series(hashes).duplicated().to_numpy(copy=True)
    duplicated |= seen.contains(hashes)
    seen.add(hashes[~duplicated])
    return ~duplicated


class SeenHashes:
    """A growing set of 64-bit hashes in sorted NumPy runs: 8 bytes a hash (a Python set of ints takes about 70).

    A new run swallows the last one while that is less than twice as long,
    so each run is at least twice as long as the next: at most log2(n) + 1
    runs, a lookup is a binary search in each, and merging costs O(n log n)
    in all (with chunks of equal size, runs merge as a binary counter carries).

    >>> seen = SeenHashes()
    >>> seen.add(np.array([7, 3], dtype=np.uint64)); seen.add(np.array([5], dtype=np.uint64))
    >>> seen.contains(np.array([3, 4, 5, 7], dtype=np.uint64)).tolist(), len(seen)
    ([True, False, True, True], 3)
    """

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(run) for run in self._runs)

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        """Which of ``hashes`` were added before."""
        order = np.argsort(hashes)
        needles = hashes[order]  # in order, the searches walk each run forward: twice as fast on a million
        found_in_order = np.zeros(len(hashes), dtype=bool)
        for run in self._runs:
            at = np.minimum(np.searchsorted(run, needles), len(run) - 1)
            found_in_order |= run[at] == needles
        found = np.empty(len(hashes), dtype=bool)
        found[order] = found_in_order
        return found

    def add(self, hashes: np.ndarray) -> None:
        """Add hashes that are not in the set yet (``contains`` is False for each, and they are distinct)."""
        run = np.sort(hashes.astype(np.uint64, copy=False))
        while self._runs and len(self._runs[-1]) < 2 * len(run):
            run = np.sort(np.concatenate([self._runs.pop(), run]), kind="stable")  # two sorted halves: linear
        if len(run):
            self._runs.append(run)


class _Batch:
    """Body rows of an export, read by column: ``column(at)`` gives the cleaned cells of one column."""

    size: int

    def column(self, at: int) -> list[str]:
        raise NotImplementedError

    def numbers(self, at: int) -> np.ndarray:
        """The cells of one column as numbers (``_number``; NaN for a blank cell)."""
        return _numbers(pd.Series(self.column(at), dtype=object)).to_numpy()

    def texts(self, at: int) -> pa.Array:
        """The cleaned cells of one column, in Arrow."""
        return pa.array(self.column(at), type=pa.string())

    def converted(self, at: int, convert: Callable[[str], object]) -> list[object]:
        """``convert`` of each cleaned cell of one column, called once per distinct cell (a column of flags or
        dates holds few)."""
        cells = self.column(at)
        found = {cell: convert(cell) for cell in set(cells)}
        return [found[cell] for cell in cells]

    def rows(self) -> list[list[str]]:
        raise NotImplementedError


class _RowBatch(_Batch):
    """Rows from the csv module (blank rows already left out)."""

    def __init__(self, rows: list[list[str]], width: int, url_list: bool) -> None:
        if not url_list and min(map(len, rows)) < width:  # pad short rows so that every column has a cell
            rows = [row + [""] * (width - len(row)) if len(row) < width else row for row in rows]
        self._rows, self._url_list, self.size = rows, url_list, len(rows)

    def column(self, at: int) -> list[str]:
        if self._url_list:  # the first cell that holds anything
            return [_clean_cell(next((c for c in row if _clean_cell(c)), "")) for row in self._rows]
        return _clean_column(list(map(operator.itemgetter(at), self._rows)))

    def rows(self) -> list[list[str]]:
        return self._rows


class _ArrowBatch(_Batch):
    """Rows from pyarrow's CSV reader; rows whose every cell is blank are left out, as the csv path leaves them out."""

    def __init__(self, table: pa.Table, used: list[int] | None = None, carriage_returns: bool = True) -> None:
        """``used``: the columns the links table is made of; the others are left out once blank rows are found
        (they travel to worker processes for nothing). All are kept when ``None``, for ``rows``.
        ``carriage_returns``: whether the file has any (else no cell needs its line breaks translated)."""
        blank = np.arange(table.num_rows)  # the rows blank so far, narrowed column by column
        for column in table.columns:
            if not len(blank):
                break
            cells = column.take(blank) if len(blank) < table.num_rows else column
            blank = blank[pc.match_substring_regex(cells, _blank_cell()).to_numpy(zero_copy_only=False)]
        if len(blank):
            kept = np.ones(table.num_rows, dtype=bool)
            kept[blank] = False
            table = table.filter(kept)
        if used is not None:
            table = table.select([str(at) for at in used])
        self._table, self.size = _universal_newlines(table) if carriage_returns else table, table.num_rows

    def column(self, at: int) -> list[str]:
        return self.texts(at).to_numpy(zero_copy_only=False).tolist()  # only the columns asked for become lists

    def texts(self, at: int) -> pa.Array:
        cells = self._table.column(str(at)).combine_chunks()
        # Cells whose first or last byte may start or end a space or a BOM, found from the bytes alone; those
        # are looked at as characters: slicing every cell's ends took 40% of a batch's reading.
        maybe = np.flatnonzero(_may_end_in_space(cells))
        if not len(maybe):
            return cells
        ends = cells.take(maybe)
        first, last = pc.utf8_slice_codeunits(ends, 0, 1), pc.utf8_slice_codeunits(ends, -1)
        starts = pc.or_(pc.is_in(first, _spaces()), pc.equal(first, "\ufeff"))
        spaced = np.zeros(len(cells), dtype=bool)
        spaced[maybe] = pc.or_(starts, pc.is_in(last, _spaces())).to_numpy(zero_copy_only=False)
        return _changed(cells, pa.array(spaced), _clean_cell)  # spaces or a BOM at an end

    def converted(self, at: int, convert: Callable[[str], object]) -> list[object]:
        encoded = pc.dictionary_encode(self._table.column(str(at)).combine_chunks())
        found = [convert(_clean_cell(cell)) for cell in encoded.dictionary.to_pylist()]
        return np.asarray(found, dtype=object)[encoded.indices.to_numpy()].tolist()

    def numbers(self, at: int) -> np.ndarray:
        cells = self._table.column(str(at))
        try:  # plain numbers (nothing to clean: pyarrow refuses spaces) without a Python string each
            return pc.cast(pc.if_else(pc.equal(cells, ""), None, cells), pa.float64()).to_numpy()
        except pa.ArrowInvalid:
            return super().numbers(at)

    def rows(self) -> list[list[str]]:
        columns = [column.to_pylist() for column in self._table.columns]
        return [list(row) for row in zip(*columns, strict=True)]


_ARROW_BLOCK = 1 << 20  #: bytes pyarrow parses at a time


def _may_end_in_space(cells: pa.Array) -> np.ndarray:
    """Which cells (strings, none null) have a first or last byte that may be part of a space or a BOM: an
    ASCII space (what ``str.isspace`` says of one) or any byte of a multi-byte character."""
    buffers = cells.buffers()
    width = np.int64 if pa.types.is_large_string(cells.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[cells.offset : cells.offset + len(cells) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, dtype=np.uint8)
    starts, stops = offsets[:-1], offsets[1:]
    filled = np.flatnonzero(stops > starts)
    found = np.zeros(len(cells), dtype=bool)
    found[filled] = _SPACE_OR_WIDE_BYTE[data[starts[filled]]] | _SPACE_OR_WIDE_BYTE[data[stops[filled] - 1]]
    return found


_SPACE_OR_WIDE_BYTE = np.array([chr(byte).isspace() or byte >= 0x80 for byte in range(256)])


def _universal_newlines(table: pa.Table) -> pa.Table:
    """The cells as a text stream with universal newlines gives them to the csv module: "\\r\\n" and "\\r" as
    "\\n" (pyarrow, reading the file's bytes, keeps them as they are in quoted cells)."""
    for at, column in enumerate(table.columns):
        if _may_hold_carriage_returns(column):
            table = table.set_column(at, table.field(at), pc.replace_substring_regex(column, "\r\n?", "\n"))
    return table


def _may_hold_carriage_returns(column: pa.ChunkedArray) -> bool:
    """Whether the bytes under the column's cells hold a "\\r" (a whole buffer is looked at, so a cell just outside
    a sliced column may say yes): a scan of its bytes, 20 times faster than ``match_substring`` on its cells."""
    for chunk in column.chunks:
        data = chunk.buffers()[-1]
        if data is not None and bool((np.frombuffer(data, dtype=np.uint8) == ord("\r")).any()):
            return True
    return False


def _rebatched(batches: Iterator[pa.RecordBatch], sizes: Iterator[int]) -> Iterator[pa.Table]:
    """pyarrow's batches (of a block of bytes each) regrouped into tables of the rows ``sizes`` gives in turn, the
    last one shorter."""
    held: list[pa.RecordBatch] = []
    count = 0
    rows = next(sizes)
    for batch in batches:
        held.append(batch)
        count += batch.num_rows
        while count >= rows:
            table = pa.Table.from_batches(held)
            yield table.slice(0, rows)
            rest = table.slice(rows)
            held, count = rest.to_batches(), rest.num_rows
            rows = next(sizes)
    if count:
        yield pa.Table.from_batches(held)


@functools.cache
def _whitespace() -> str:
    """What ``str.strip`` strips (Python's ``\\s``), as the inside of an RE2 character class."""
    return "".join(f"\\x{{{ord(space):x}}}" for space in _spaces().to_pylist())


@functools.cache
def _blank_cell() -> str:
    """A cell ``_clean_cell`` makes empty: spaces, then byte order marks, then spaces."""
    return f"^[{_whitespace()}]*\\x{{feff}}*[{_whitespace()}]*$"


@functools.cache
def _spaces() -> pa.Array:
    """What ``str.strip`` strips, one character each."""
    return pa.array([chr(code) for code in range(_LAST_SPACE + 1) if chr(code).isspace()], type=pa.string())


_LAST_SPACE = 0x3000  #: the highest code point ``str.isspace`` knows (a test checks all of Unicode)


def _clean_column(values: list[str]) -> list[str]:
    values = [value.strip() for value in values]
    return [_clean_cell(value) for value in values] if "\ufeff" in "".join(values) else values


class _Rows(Iterator[list[str]]):
    """The rows of an open export, with the delimiter and encoding that were found for it."""

    def __init__(self, rows: Iterator[list[str]], delimiter: str, encoding: str) -> None:
        self._rows, self.delimiter, self.encoding = rows, delimiter, encoding

    def __next__(self) -> list[str]:
        return next(self._rows)


@contextlib.contextmanager
def _open_rows(path: Path, encoding: str | None = None) -> Iterator[_Rows]:
    """The file's CSV rows, decoded and streamed, blank rows left out; the delimiter guessed from the top lines.

    ``encoding`` is the one found when the file was first opened (found again when not given).
    """
    with open_user_text(path, "export file", encoding) as stream:
        lines = (line.replace("\x00", "") if "\x00" in line else line for line in stream)
        top = list(itertools.islice(lines, _HEADER_SEARCH_ROWS))
        if top:
            top[0] = top[0].lstrip("\ufeff")
        delimiter = _delimiter(top)
        reader = csv.reader(itertools.chain(top, lines), delimiter=delimiter)
        yield _Rows(_checked_rows(reader, path), delimiter, str(stream.encoding))


def _plain_utf8(path: Path, encoding: str) -> tuple[bool, bool]:
    """Whether the file is UTF-8 without NUL bytes (what pyarrow reads as the csv module would, bar line breaks
    in quoted cells), and whether it has carriage returns (only then may a cell need its line breaks translated)."""
    if encoding not in ("utf-8", "utf-8-sig"):
        return False, True
    # A file with a byte order mark was not checked byte by byte when its encoding was found: check it here.
    utf8 = Utf8Check() if encoding == "utf-8-sig" else None
    carriage_returns = False
    try:
        with path.open("rb") as raw:
            for block in iter(lambda: raw.read(1 << 22), b""):
                if b"\x00" in block:
                    return False, True
                carriage_returns = carriage_returns or b"\r" in block
                if utf8 is not None:
                    utf8.feed(block)
            if utf8 is not None:
                utf8.finish()
    except UnicodeDecodeError:  # decoded with replacement characters: the csv module's path does that
        return False, True
    return True, carriage_returns


def _delimiter(top_lines: list[str]) -> str:
    head = "".join(top_lines)  # a title line above the header has no delimiters
    return max(("\t", ",", ";"), key=head.count)


def _body_offset(path: Path, encoding: str, header_at: int, delimiter: str) -> int:
    """The byte offset of the body of a UTF-8 file: past its non-blank record number ``header_at`` (the header)."""
    read = 3 if encoding == "utf-8-sig" else 0  # the byte order mark the decoder drops
    if header_at < 0:  # no header (a URL list): the body is the whole file
        return read

    def counted(lines: Iterator[str]) -> Iterator[str]:
        nonlocal read
        for line in lines:
            read += len(line.encode("utf-8"))
            yield line

    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")  # newlines as they are: every byte counted
        rows = _checked_rows(csv.reader(counted(iter(text.readline, "")), delimiter=delimiter), path)
        next(itertools.islice(rows, header_at, None), None)  # the csv module asks for no line past the record
    return read


def _checked_rows(reader: Iterator[list[str]], path: Path) -> Iterator[list[str]]:
    try:
        for row in reader:
            first = row[0].strip() if row else ""
            if (first and first[0] != "\ufeff") or any(_clean_cell(cell) for cell in row):
                yield row  # cleaned first: a row of a stray BOM is a blank row
    except csv.Error as exc:
        raise ToxiclinksError(f"{path}: not a readable CSV file ({exc})") from None


def _clean_cell(cell: str) -> str:
    return cell.strip().lstrip("\ufeff").strip()


def _cleaned(row: list[str]) -> list[str]:
    return [_clean_cell(cell) for cell in row]


def _per_value(values: pd.Series, convert: Callable[[str], object]) -> pd.Series:
    """Apply ``convert`` once per distinct value: export columns repeat few values over many rows."""
    converted = {value: convert(value) for value in set(values.tolist())}
    return pd.Series([converted[value] for value in values.tolist()], index=values.index, dtype=object)


def normalize_urls(urls: pd.Series) -> pd.Series:
    """``normalize_url`` over a column: URLs already in canonical form (most of an export) pass untouched.

    >>> normalize_urls(pd.Series(["https://a.example/x", "B.example/y z"])).tolist()
    ['https://a.example/x', 'http://b.example/y%20z']
    """
    values = text_array(urls)
    normalized = _changed(values, pc.invert(pc.match_substring_regex(values, _canonical_url())), normalize_url)
    return pd.Series(normalized, index=urls.index, dtype="str")


def text_array(texts: pd.Series) -> pa.Array:
    """A column of texts as one Arrow array of strings: the cells themselves when the column is in Arrow."""
    values = pa.array(texts.array if texts.dtype == "str" else texts.to_numpy(dtype=object), type=pa.string())
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _changed(values: pa.Array, which: pa.Array, change: Callable[[str], str]) -> pa.Array:
    """``values`` with ``change`` applied to those ``which`` says, in Python (the rest stay in Arrow)."""
    if not pc.any(which).as_py():
        return values
    changed = [change(value) for value in values.filter(which).to_pylist()]
    return pc.replace_with_mask(values, which, pa.array(changed, type=values.type))


@functools.cache
def _canonical_url() -> str:
    """``CANONICAL_URL`` in RE2 syntax (Python's ``\\s`` spelled out, ``\\Z`` as ``$``)."""
    return "^" + CANONICAL_URL.pattern.replace("\\s", _whitespace()).replace("\\Z", "$")


def _normalise_header(name: str) -> str:
    return " ".join(name.strip().strip('"').lower().split())


def _index_of(header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(_normalise_header(name), position)
    return index


def _find_format(rows: list[list[str]]) -> tuple[int, ExportFormat | None]:
    """The header row and the format whose headers match it best, among those whose required headers are there."""
    for row_number, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        index = _index_of(row)
        candidates = [fmt for fmt in FORMATS if all(name in index for name in fmt.required)]
        if candidates:
            best = max(candidates, key=lambda fmt: (len(fmt.known_headers() & index.keys()), len(fmt.required)))
            return row_number, best
    return 0, None


def _user_format(header: list[str], columns: Mapping[str, str], path: Path) -> ExportFormat:
    index = _index_of(header)
    mapping: dict[str, tuple[str, ...]] = {}
    for key, name in columns.items():
        if key not in _USER_COLUMN_KEYS:
            raise ToxiclinksError(f"--columns: unknown key {key!r}; use source, target or anchor")
        if _normalise_header(name) not in index:
            found = ", ".join(h for h in header if h.strip())
            raise ToxiclinksError(f"{path}: no column named {name!r} (headers found: {found})")
        mapping[_USER_COLUMN_KEYS[key]] = (_normalise_header(name),)
    if S.SOURCE_URL not in mapping:
        raise ToxiclinksError("--columns must name the source column, e.g. --columns source='Source URL'")
    return ExportFormat(name="custom", required=mapping[S.SOURCE_URL], columns=mapping)


def _flag(value: str) -> bool | None:
    """A yes/no cell: true/false, 1/0, yes/no, +/-, and Moz's "nofollow"/"follow" link type."""
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _lost(value: str) -> bool | None:
    """Lost-link cells hold a flag, a date (Ahrefs' "Lost") or a status word; anything set means lost."""
    flag = _flag(value)
    return flag if flag is not None else bool(value.strip())


def _number(value: str) -> float:
    text = value.strip().replace("%", "").replace("\u00a0", "")
    if not text:
        return float("nan")
    flag = _flag(text)
    if flag is not None and not text.replace(".", "").isdigit():
        return 1.0 if flag else 0.0
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return float("nan")


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%b %d, %Y", "%d %b %Y", "%Y/%m/%d")


@functools.lru_cache(maxsize=1 << 16)  # an export's dates repeat from batch to batch, and strptime is slow
def _iso_date(value: str, dayfirst: bool) -> str:
    """Write a date as ISO 8601 when it parses; keep the cell as it was otherwise."""
    text = value.strip()
    if not text:
        return ""
    slashed = ("%d/%m/%Y", "%d/%m/%Y %H:%M:%S") if dayfirst else ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S")
    for date_format in (*_DATE_FORMATS, *slashed, "%d.%m.%Y"):
        try:
            parsed = datetime.strptime(text.rstrip("Z"), date_format)
        except ValueError:
            continue
        has_time = "%H" in date_format
        return parsed.isoformat(sep=" ") if has_time else parsed.date().isoformat()
    return text


def _numbers(values: pd.Series) -> pd.Series:
    """``_number`` over a column: plain numbers in one conversion in Arrow, anything else value by value."""
    cells = pa.array(values.to_numpy(dtype=object), type=pa.string())
    try:
        numbers = pc.cast(pc.if_else(pc.equal(cells, ""), None, cells), pa.float64())
    except pa.ArrowInvalid:
        return _per_value(values, _number).astype(float)
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=values.index, dtype=float)


def _site_from_headers(header: list[str]) -> str | None:
    """Majestic's referring-domains export names the target in a "BackLinks_<target>" header."""
    for name in header:
        if name.lower().startswith("backlinks_") and "." in name:
            return name.split("_", 1)[1]
    return None


def _site_from_file_name(path: Path) -> str | None:
    """Search Console names its exports after the property: ``https___www.example.com_-Latest links-….csv``.

    >>> _site_from_file_name(Path("https___www.example.com_-Latest links-2026-05-10.csv"))
    'https://www.example.com'
    >>> _site_from_file_name(Path("example.com-Top linking sites-2026-05-10.csv"))
    'example.com'
    """
    match = _GSC_FILE_NAME.match(path.name)
    if not match:
        return None
    return match.group("site").replace("___", "://").rstrip("-_ ")

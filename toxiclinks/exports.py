"""Read a backlink export into the links table (see ``schema.LINK_COLUMNS``).

The tool that wrote the export is recognised from its header row, so users
never rename columns. Supported so far: Ahrefs backlinks (current and older
headers, UTF-8 or UTF-16 "for Excel") and a plain list of URLs. Anything else
can be mapped with ``columns={"source": ..., "target": ..., "anchor": ...}``.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from toxiclinks import schema
from toxiclinks.errors import ToxiclinksError
from toxiclinks.urls import normalize_url

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportFormat:
    """How one tool's export maps onto the links table.

    ``columns`` maps a links-table column to the header names the tool has used
    for it (compared case-insensitively); ``required`` are the headers that
    must all be present for the file to be recognised as this format.
    """

    name: str
    required: tuple[str, ...]
    columns: Mapping[str, tuple[str, ...]]


FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        name="ahrefs",
        required=("referring page url", "target url", "anchor"),
        columns={
            schema.SOURCE_URL: ("referring page url",),
            schema.TARGET_URL: ("target url",),
            schema.ANCHOR: ("anchor",),
            schema.EXPORT_NOFOLLOW: ("nofollow",),
            schema.EXPORT_SPONSORED: ("sponsored",),
            schema.EXPORT_UGC: ("ugc",),
            schema.FIRST_SEEN: ("first seen",),
            schema.LAST_SEEN: ("last seen",),
        },
    ),
    ExportFormat(
        name="ahrefs-legacy",
        required=("referring page url", "link url"),
        columns={
            schema.SOURCE_URL: ("referring page url",),
            schema.TARGET_URL: ("link url",),
            schema.ANCHOR: ("link anchor",),
            schema.FIRST_SEEN: ("first seen",),
            schema.LAST_SEEN: ("last check",),
        },
    ),
)

_FLAG_VALUES = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_USER_COLUMN_KEYS = {"source": schema.SOURCE_URL, "target": schema.TARGET_URL, "anchor": schema.ANCHOR}


def read_export(path: str | Path, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read a backlink export file into the links table.

    ``columns`` maps ``source``/``target``/``anchor`` to header names of an
    export this reader does not know. Rows without a usable referring URL are
    skipped with a warning; exact duplicate links are dropped and counted.

    Raises ``ToxiclinksError`` with a one-line message for a missing, empty or
    unrecognised file.

    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "links.txt")
    >>> _ = open(f, "w").write("https://a.example/x\\nb.example/page\\n")
    >>> read_export(f)[["source_url", "export_format"]].values.tolist()
    [['https://a.example/x', 'url-list'], ['http://b.example/page', 'url-list']]
    """
    path = Path(path)
    text = decode_export(path)
    rows = _parse_rows(text, path)
    header, body = rows[0], rows[1:]
    table: pd.DataFrame | None
    if columns:
        table = _map_user_columns(header, body, columns, path)
    else:
        table = _map_known_format(header, body)
        if table is None:
            table = _map_url_list(rows)
        if table is None:
            found = ", ".join(h for h in header if h.strip()) or "(none)"
            raise ToxiclinksError(
                f"{path}: no column of referring page URLs recognised (headers found: {found}); "
                "name it with --columns source=HEADER[,target=HEADER,anchor=HEADER]"
            )
    return _finish(table, path)


def decode_export(path: Path) -> str:
    """Read ``path`` and decode it: BOMs first, then UTF-16 without BOM, UTF-8, cp1252."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ToxiclinksError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ToxiclinksError(f"{path}: is a directory, not an export file") from None
    except OSError as exc:
        raise ToxiclinksError(f"{path}: cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise ToxiclinksError(f"{path}: the file is empty")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    head = data[:4096]
    if head[1::2].count(0) > len(head) // 4:
        return data.decode("utf-16-le", errors="replace")
    if head[0::2].count(0) > len(head) // 4:
        return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _parse_rows(text: str, path: Path) -> list[list[str]]:
    text = text.replace("\x00", "")
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = max(("\t", ",", ";"), key=first_line.count)
    rows = [
        row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if any(c.strip() for c in row)
    ]
    if not rows:
        raise ToxiclinksError(f"{path}: the file has no rows")
    return rows


def _index_of(header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name.strip().strip('"').lower(), position)
    return index


def _map_known_format(header: list[str], body: list[list[str]]) -> pd.DataFrame | None:
    index = _index_of(header)
    for fmt in FORMATS:
        if all(name in index for name in fmt.required):
            mapping = {column: index[name] for column, names in fmt.columns.items() for name in names if name in index}
            return _table_from(body, mapping, fmt.name)
    return None


def _map_user_columns(header: list[str], body: list[list[str]], columns: Mapping[str, str], path: Path) -> pd.DataFrame:
    index = _index_of(header)
    mapping: dict[str, int] = {}
    for key, name in columns.items():
        if key not in _USER_COLUMN_KEYS:
            raise ToxiclinksError(f"--columns: unknown key {key!r}; use source, target or anchor")
        if name.strip().lower() not in index:
            found = ", ".join(h for h in header if h.strip())
            raise ToxiclinksError(f"{path}: no column named {name!r} (headers found: {found})")
        mapping[_USER_COLUMN_KEYS[key]] = index[name.strip().lower()]
    if schema.SOURCE_URL not in mapping:
        raise ToxiclinksError("--columns must name the source column, e.g. --columns source='Source URL'")
    return _table_from(body, mapping, "custom")


def _map_url_list(rows: list[list[str]]) -> pd.DataFrame | None:
    """A plain list: one URL a line, or a one-column CSV with any header."""
    if any(len([c for c in row if c.strip()]) > 1 for row in rows):
        return None
    values = [next(c for c in row if c.strip()).strip() for row in rows]
    looks_like_url = [bool(normalize_url(v)) and "." in v and " " not in v.strip() for v in values]
    if not looks_like_url[0]:
        values, looks_like_url = values[1:], looks_like_url[1:]  # a header row
    if not values or sum(looks_like_url) < len(values) / 2:
        return None
    return _table_from([[v] for v in values], {schema.SOURCE_URL: 0}, "url-list")


def _table_from(body: list[list[str]], mapping: Mapping[str, int], fmt: str) -> pd.DataFrame:
    def cell(row: list[str], column: str) -> str:
        position = mapping.get(column)
        return row[position].strip() if position is not None and position < len(row) else ""

    data: dict[str, list[object]] = {column: [] for column in schema.LINK_COLUMNS}
    for number, row in enumerate(body, start=1):
        for column in (schema.SOURCE_URL, schema.TARGET_URL, schema.ANCHOR, schema.FIRST_SEEN, schema.LAST_SEEN):
            data[column].append(cell(row, column))
        for column in (schema.EXPORT_NOFOLLOW, schema.EXPORT_SPONSORED, schema.EXPORT_UGC):
            data[column].append(_FLAG_VALUES.get(cell(row, column).lower()))
        data[schema.EXPORT_ROW].append(number)
        data[schema.EXPORT_FORMAT].append(fmt)
    table = pd.DataFrame(data)
    for column in (schema.EXPORT_NOFOLLOW, schema.EXPORT_SPONSORED, schema.EXPORT_UGC):
        table[column] = table[column].astype("boolean")
    return table


def _finish(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    raw_sources = table[schema.SOURCE_URL]
    table[schema.SOURCE_URL] = raw_sources.map(normalize_url)
    table[schema.TARGET_URL] = table[schema.TARGET_URL].map(lambda u: normalize_url(u) if u else "")
    unusable = table[schema.SOURCE_URL] == ""
    if unusable.all():
        raise ToxiclinksError(f"{path}: no row has a usable referring page URL")
    if unusable.any():
        rows = table.loc[unusable, schema.EXPORT_ROW].head(5).tolist()
        LOGGER.warning("%s: skipped %d rows without a usable referring URL (rows %s)", path, int(unusable.sum()), rows)
        table = table[~unusable]
    key = [schema.SOURCE_URL, schema.TARGET_URL, schema.ANCHOR]
    duplicated = table.duplicated(subset=key)
    if duplicated.any():
        LOGGER.info("%s: dropped %d exact duplicate links", path, int(duplicated.sum()))
        table = table[~duplicated]
    return table.reset_index(drop=True)

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

import csv
import html
import io
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from toxiclinks import schema
from toxiclinks.errors import ToxiclinksError
from toxiclinks.files import read_user_text
from toxiclinks.urls import normalize_url

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


def read_export(path: str | Path, columns: Mapping[str, str] | None = None, site: str | None = None) -> pd.DataFrame:
    """Read a backlink export file into the links table.

    ``columns`` maps ``source``/``target``/``anchor`` to headers of an export
    this reader does not know. ``site`` is the target site for exports that do
    not name it. Rows without a usable referring URL are skipped with a
    warning; exact duplicate links are dropped. ``table.attrs["export"]`` says
    what was read: format, level, rows, duplicates, skipped, site.

    Raises ``ToxiclinksError`` with a one-line message for a missing, empty or
    unrecognised file.

    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "links.txt")
    >>> _ = open(f, "w").write("https://a.example/x\\nb.example/page\\n")
    >>> read_export(f)[["source_url", "export_format"]].values.tolist()
    [['https://a.example/x', 'url-list'], ['http://b.example/page', 'url-list']]
    """
    path = Path(path)
    text = read_user_text(path, "export file").replace("\x00", "")
    rows = _parse_rows(text, path)
    if columns:
        header_at, fmt = 0, _user_format(rows[0], columns, path)
    else:
        header_at, found = _find_format(rows)
        if found is None:
            table = _map_url_list(rows)
            if table is None:
                headers = ", ".join(h.strip() for h in rows[0] if h.strip()) or "(none)"
                raise ToxiclinksError(
                    f"{path}: no column of referring page URLs recognised (headers found: {headers}); "
                    "name it with --columns source=HEADER[,target=HEADER,anchor=HEADER]"
                )
            return _finish(table, path, "url-list", LINK_LEVEL, site)
        fmt = found
    if fmt.unsupported:
        raise ToxiclinksError(f"{path}: {fmt.unsupported}")
    header, body = rows[header_at], rows[header_at + 1 :]
    table = _map_rows(header, body, fmt)
    site = site or _site_from_headers(header) or _site_from_file_name(path)
    return _finish(table, path, fmt.name, fmt.level, site)


def _parse_rows(text: str, path: Path) -> list[list[str]]:
    lines = text.lstrip("\ufeff").splitlines()
    head = "\n".join(lines[:_HEADER_SEARCH_ROWS])  # a title line above the header has no delimiters
    delimiter = max(("\t", ",", ";"), key=head.count)
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    try:
        cleaned = ([cell.strip().lstrip("\ufeff").strip() for cell in row] for row in reader)
        rows = [row for row in cleaned if any(row)]  # clean first: a row of a stray BOM is a blank row
    except csv.Error as exc:
        raise ToxiclinksError(f"{path}: not a readable CSV file ({exc})") from None
    if not rows:
        raise ToxiclinksError(f"{path}: the file has no rows")
    return rows


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


def _map_url_list(rows: list[list[str]]) -> pd.DataFrame | None:
    """A plain list: one URL a line, or a one-column CSV with any header."""
    if any(len([c for c in row if c.strip()]) > 1 for row in rows):
        return None
    values = [next(c for c in row if c.strip()).strip() for row in rows]
    looks_like_url = [bool(normalize_url(v)) and "." in v and " " not in v for v in values]
    if not looks_like_url[0]:
        values, looks_like_url = values[1:], looks_like_url[1:]  # a header row
    if not values or sum(looks_like_url) < len(values) / 2:
        return None
    fmt = ExportFormat(name="url-list", required=("url",), columns={S.SOURCE_URL: ("url",)})
    return _map_rows(["url"], [[v] for v in values], fmt)


def _map_rows(header: list[str], body: list[list[str]], fmt: ExportFormat) -> pd.DataFrame:
    index = _index_of(header)

    def position(names: tuple[str, ...]) -> int | None:
        return next((index[name] for name in names if name in index), None)

    columns = {column: position(names) for column, names in fmt.columns.items()}
    metrics = {f"metric_{name}": position(names) for name, names in fmt.metrics.items()}
    metrics = {name: at for name, at in metrics.items() if at is not None}
    data: dict[str, list[object]] = {column: [] for column in [*S.LINK_COLUMNS, *metrics]}
    for number, row in enumerate(body, start=1):

        def cell(at: int | None, row: list[str] = row) -> str:
            return row[at].strip() if at is not None and at < len(row) else ""

        for column in (S.SOURCE_URL, S.TARGET_URL, S.EXPORT_IP):
            data[column].append(cell(columns.get(column)))
        data[S.ANCHOR].append(html.unescape(cell(columns.get(S.ANCHOR))))
        for column in (S.FIRST_SEEN, S.LAST_SEEN):
            data[column].append(_iso_date(cell(columns.get(column)), fmt.dayfirst))
        for column in (S.EXPORT_NOFOLLOW, S.EXPORT_SPONSORED, S.EXPORT_UGC):
            data[column].append(_flag(cell(columns.get(column))))
        lost_at = columns.get(S.EXPORT_LOST)
        data[S.EXPORT_LOST].append(None if lost_at is None else _lost(cell(lost_at)))
        for name, at in metrics.items():
            data[name].append(_number(cell(at)))
        data[S.EXPORT_ROW].append(number)
        data[S.EXPORT_FORMAT].append(fmt.name)
        data[S.EXPORT_LEVEL].append(fmt.level)
        data[S.EXPORT_RAW].append(json.dumps(dict(zip(header, row, strict=False)), ensure_ascii=False))
    table = pd.DataFrame(data)
    for column in (S.EXPORT_NOFOLLOW, S.EXPORT_SPONSORED, S.EXPORT_UGC, S.EXPORT_LOST):
        table[column] = table[column].astype("boolean")
    for name in metrics:
        table[name] = table[name].astype(float)
    return table


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


def _finish(table: pd.DataFrame, path: Path, fmt: str, level: str, site: str | None) -> pd.DataFrame:
    rows = len(table)
    sources = table[S.SOURCE_URL]
    if level == DOMAIN_LEVEL:  # a referring domain: score it through its home page
        sources = sources.map(lambda domain: domain if "://" in domain else f"http://{domain.strip('/')}/")
    table[S.SOURCE_URL] = sources.map(normalize_url)
    table[S.TARGET_URL] = table[S.TARGET_URL].map(lambda url: normalize_url(url) if url else "")
    unusable = table[S.SOURCE_URL] == ""
    if unusable.all():
        raise ToxiclinksError(f"{path}: no row has a usable referring page URL")
    if unusable.any():
        examples = table.loc[unusable, S.EXPORT_ROW].head(5).tolist()
        LOGGER.warning(
            "%s: skipped %d rows without a usable referring URL (rows %s)", path, int(unusable.sum()), examples
        )
        table = table[~unusable]
    duplicated = table.duplicated(subset=[S.SOURCE_URL, S.TARGET_URL, S.ANCHOR])
    if duplicated.any():
        LOGGER.info("%s: dropped %d exact duplicate links", path, int(duplicated.sum()))
        table = table[~duplicated]
    table = table.reset_index(drop=True)
    table.attrs["export"] = {
        "format": fmt,
        "level": level,
        "rows": rows,
        "skipped": int(unusable.sum()),
        "duplicates": int(duplicated.sum()),
        "site": site,
    }
    return table

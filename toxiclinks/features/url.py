"""Domain and URL signals of the referring page, and the export's own metrics."""

from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toxiclinks.exports import text_array
from toxiclinks.urls import SHARED_PLATFORMS, host_of, is_ip, plain_hosts, plain_registered_domains, registered_domain

#: path words of pages that exist to list links
_LINK_PAGE = re.compile(
    r"(^|[/_.-])(links?|linkliste|resources|partners?|friends|blogroll|directory|verzeichnis|webkatalog|"
    r"sponsors?|links?-?exchange|add-?url|submit)([/_.-]|$)",
    re.IGNORECASE,
)
_PAGINATION = re.compile(r"(^|&)(p|page|pg|start|offset)=[0-9]+", re.IGNORECASE)


def url_features(url: str) -> dict[str, object]:
    """Signals from the referring page's URL alone.

    >>> signals = url_features("http://best-links-4u.free-host.blogspot.com/links.html?p=3")
    >>> signals["source_tld"], signals["subdomain_depth"], signals["hostname_hyphens"], signals["free_host"]
    ('com', 2.0, 3.0, True)
    >>> signals["links_page_path"], signals["paginated"]
    (True, True)
    """
    parts = urlsplit(url)
    signals: dict[str, object] = dict(zip(HOST_COLUMNS, host_signals(host_of(url)), strict=True))
    signals.update(_path_signals(parts.path, parts.query, url))
    return signals


HOST_COLUMNS = (
    "source_domain",
    "source_tld",
    "subdomain_depth",
    "hostname_length",
    "hostname_digits",
    "hostname_hyphens",
    "ip_host",
    "free_host",
)


def host_signals(host: str) -> tuple[object, ...]:
    """The host's signals, in the order of ``HOST_COLUMNS``."""
    domain = registered_domain(host)
    ip = is_ip(host)
    labels_before = host[: -len(domain)].rstrip(".") if host.endswith(domain) and host != domain else ""
    return (
        domain,
        "" if ip else host.rsplit(".", 1)[-1],
        float(len(labels_before.split(".")) if labels_before else 0),
        float(len(host)),
        float(sum(character.isdigit() for character in host)),
        float(host.count("-")),
        ip,
        domain in SHARED_PLATFORMS,
    )


def _path_signals(path: str, query: str, url: str) -> dict[str, object]:
    return {
        "path_depth": float(sum(1 for segment in path.split("/") if segment)),
        "links_page_path": bool(_LINK_PAGE.search(path)),
        "paginated": bool(_PAGINATION.search(query)),
        "url_length": float(len(url)),
    }


#: scheme://host[:port]/path?query#fragment with an ASCII host and no space or control character (which urlsplit
#: strips): the URLs whose signals are computed column-wise (RE2 syntax, for Arrow)
_PLAIN_URL = (
    r"^[a-zA-Z][a-zA-Z0-9+.-]*://(?P<host>[A-Za-z0-9.-]*)(?::[0-9]*)?"
    r"(?P<path>/[^?#\x00-\x20\x7f]*)?(?:\?(?P<query>[^#\x00-\x20\x7f]*))?(?:#[^\x00-\x20\x7f]*)?$"
)


def url_features_table(urls: pd.Series) -> pd.DataFrame:
    """``url_features`` for a column of URLs, computed column-wise in Arrow (the same values).

    The usual shapes are parsed by one regular expression and their signals
    computed for the whole column at once, host signals once per distinct
    host; the rare shapes (userinfo, IPv6 literals, non-ASCII hosts, spaces or control characters)
    go through ``url_features`` one by one.

    >>> row = url_features_table(pd.Series(["http://best-links-4u.free-host.blogspot.com/links.html?p=3"])).iloc[0]
    >>> str(row["source_tld"]), float(row["subdomain_depth"]), bool(row["links_page_path"]), bool(row["paginated"])
    ('com', 2.0, True, True)
    """
    values = text_array(urls)
    parts = pc.extract_regex(values, _PLAIN_URL)
    host = pc.ascii_lower(pc.struct_field(parts, [0]))
    path = pc.fill_null(pc.struct_field(parts, [1]), "")
    query = pc.fill_null(pc.struct_field(parts, [2]), "")
    hosts = pc.dictionary_encode(pc.fill_null(host, ""))
    table = _HOST_SIGNALS.signals(hosts.dictionary).take(pc.fill_null(hosts.indices, 0)).to_pandas()
    table["path_depth"] = _path_depths(path)
    for column, text, pattern in (("links_page_path", path, _LINK_PAGE), ("paginated", query, _PAGINATION)):
        found = pc.match_substring_regex(text, pattern.pattern, ignore_case=True)
        table[column] = found.to_numpy(zero_copy_only=False)
    table["url_length"] = pc.utf8_length(values).to_numpy().astype(float)
    unusual = np.flatnonzero(pc.is_null(parts).to_numpy(zero_copy_only=False))
    if len(unusual):  # the rare shapes, as url_features sees them
        rare = pd.DataFrame([url_features(url) for url in urls.iloc[unusual].tolist()])
        for column in table.columns:
            text = column in ("source_domain", "source_tld")
            merged = table[column].to_numpy(dtype=object if text else None, copy=True)
            merged[unusual] = rare[column].to_numpy()
            table[column] = merged
    table.index = urls.index
    for column in ("ip_host", "free_host", "links_page_path", "paginated"):
        table[column] = table[column].astype(bool)
    return table


def _path_depths(paths: pa.Array) -> np.ndarray:
    """The number of non-empty segments of each path, as floats: split in Arrow (counting runs of a regular
    expression's matches took twice as long)."""
    segments = pc.split_pattern(paths, "/")
    filled = pc.greater(pc.binary_length(pc.list_flatten(segments)), 0).to_numpy(zero_copy_only=False)
    owners = pc.list_parent_indices(segments).to_numpy()
    return np.bincount(owners[filled], minlength=len(paths)).astype(float)


class _HostSignalsKept:
    """``_host_signals_table`` rows of the hosts seen so far in this process, computed once per host.

    A large export's batches share their heavy hosts: a worker of a
    million-row triage meets 42% new hosts in its batches, the rest again.
    Starts over past ``limit`` hosts; thread-safe (a Dask worker runs tasks in threads).
    """

    def __init__(self, limit: int = 250_000) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._hosts = pa.array([], type=pa.string())
        self._table: pa.Table | None = None

    def signals(self, hosts: pa.Array) -> pa.Table:
        """The signals of ``hosts`` (distinct lowercase hosts), one row each, in their order."""
        if not len(hosts):
            return _host_signals_table(hosts)
        with self._lock:
            if len(self._hosts) + len(hosts) > self.limit:
                self._hosts, self._table = pa.array([], type=pa.string()), None
            rows = pc.fill_null(pc.index_in(hosts, value_set=self._hosts), -1).to_numpy().copy()
            new = np.flatnonzero(rows < 0)
            if len(new):
                new_hosts = hosts.take(new)
                rows[new] = np.arange(len(self._hosts), len(self._hosts) + len(new))
                computed = _host_signals_table(new_hosts)
                self._hosts = pa.concat_arrays([self._hosts, new_hosts])
                self._table = computed if self._table is None else pa.concat_tables([self._table, computed])
                self._table = self._table.combine_chunks()  # one chunk: a take from many is slower
            assert self._table is not None  # every host was new, or seen before
            return self._table.take(rows)


def _host_signals_table(hosts: pa.Array) -> pa.Table:
    """``host_signals`` of distinct lowercase hosts (columns ``HOST_COLUMNS``): column-wise for plain hosts."""
    plain = plain_hosts(hosts)
    domains = plain_registered_domains(hosts)  # the other hosts' rows are replaced below
    dots_before = pc.subtract(pc.count_substring(hosts, "."), pc.count_substring(domains, "."))
    columns = {
        "source_domain": domains,
        "source_tld": pc.struct_field(pc.extract_regex(hosts, r"(?P<tld>[^.]*)$"), [0]),
        "subdomain_depth": pc.cast(pc.if_else(pc.equal(hosts, domains), 0, dots_before), pa.float64()),
        "hostname_length": pc.cast(pc.utf8_length(hosts), pa.float64()),
        "hostname_digits": pc.cast(pc.count_substring_regex(hosts, "[0-9]"), pa.float64()),
        "hostname_hyphens": pc.cast(pc.count_substring(hosts, "-"), pa.float64()),
        "ip_host": pa.repeat(False, len(hosts)),
        "free_host": pc.is_in(domains, pa.array(sorted(SHARED_PLATFORMS))),
    }
    table = pa.table(columns)
    is_plain = plain.to_numpy(zero_copy_only=False)
    if is_plain.all():
        return table
    # IP addresses, all-digit or non-ASCII labels: as host_signals computes them, put in their places (a batch of
    # a real export has a few, and they must not send its thousands of plain hosts through Python).
    unusual = np.flatnonzero(~is_plain)
    rows = [dict(zip(HOST_COLUMNS, host_signals(host), strict=True)) for host in hosts.take(unusual).to_pylist()]
    joined = pa.concat_tables([table.filter(plain), pa.Table.from_pylist(rows, schema=table.schema)])
    places = np.concatenate([np.flatnonzero(is_plain), unusual])
    return joined.take(np.argsort(places, kind="stable"))


_HOST_SIGNALS = _HostSignalsKept()

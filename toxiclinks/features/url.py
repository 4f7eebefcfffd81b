"""Domain and URL signals of the referring page, and the export's own metrics."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pandas as pd

from toxiclinks.urls import SHARED_PLATFORMS, host_of, hosts_of, is_ip, registered_domain

#: path words of pages that exist to list links
_LINK_PAGE = re.compile(
    r"(^|[/_.-])(links?|linkliste|resources|partners?|friends|blogroll|directory|verzeichnis|webkatalog|"
    r"sponsors?|links?-?exchange|add-?url|submit)([/_.-]|$)",
    re.IGNORECASE,
)
_PAGINATION = re.compile(r"(^|&)(p|page|pg|start|offset)=\d+", re.IGNORECASE)


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


_URL_PATH = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#@\[\]]*(?=[/?#]|$)([^?#]*)(?:\?([^#]*))?")


def url_features_table(urls: pd.Series) -> pd.DataFrame:
    """``url_features`` for a column of URLs, the host signals computed once per distinct host (same values).

    >>> row = url_features_table(pd.Series(["http://best-links-4u.free-host.blogspot.com/links.html?p=3"])).iloc[0]
    >>> str(row["source_tld"]), float(row["subdomain_depth"]), bool(row["links_page_path"]), bool(row["paginated"])
    ('com', 2.0, True, True)
    """
    values = urls.tolist()
    host_codes, unique_hosts = pd.factorize(pd.Series(hosts_of(values), dtype=object))
    table = pd.DataFrame([host_signals(host) for host in unique_hosts], columns=list(HOST_COLUMNS))
    table = table.iloc[host_codes].reset_index(drop=True)
    paths = []
    for url in values:
        match = _URL_PATH.match(url)
        if match is None:  # the rare shapes: userinfo, IPv6 literals, no scheme
            parts = urlsplit(url)
            paths.append(_path_signals(parts.path, parts.query, url))
        else:
            paths.append(_path_signals(match.group(1), match.group(2) or "", url))
    table = pd.concat([table, pd.DataFrame(paths)], axis=1)
    table.index = urls.index
    for column in ("ip_host", "free_host"):
        table[column] = table[column].astype(bool)
    return table

"""Domain and URL signals of the referring page, and the export's own metrics."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from toxiclinks.urls import SHARED_PLATFORMS, host_of, is_ip, registered_domain

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
    host = host_of(url)
    domain = registered_domain(host)
    parts = urlsplit(url)
    path_segments = [segment for segment in parts.path.split("/") if segment]
    labels_before = host[: -len(domain)].rstrip(".") if host.endswith(domain) and host != domain else ""
    return {
        "source_domain": domain,
        "source_tld": "" if is_ip(host) else host.rsplit(".", 1)[-1],
        "subdomain_depth": float(len(labels_before.split(".")) if labels_before else 0),
        "hostname_length": float(len(host)),
        "hostname_digits": float(sum(character.isdigit() for character in host)),
        "hostname_hyphens": float(host.count("-")),
        "ip_host": is_ip(host),
        "free_host": domain in SHARED_PLATFORMS,
        "path_depth": float(len(path_segments)),
        "links_page_path": bool(_LINK_PAGE.search(parts.path)),
        "paginated": bool(_PAGINATION.search(parts.query)),
        "url_length": float(len(url)),
    }

"""URL and domain helpers shared by every stage: normalisation and registered domains."""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

import idna
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    import tldextract

#: free-host and shared platforms: their subdomains are separate sites, so the platform is never disavowed whole
SHARED_PLATFORMS = frozenset(
    """
    blogspot.com wordpress.com medium.com github.io tumblr.com wixsite.com weebly.com substack.com
    livejournal.com over-blog.com jimdo.com jimdofree.com webnode.com strikingly.com netlify.app
    vercel.app herokuapp.com pages.dev sites.google.com google.com blogger.com typepad.com
    squarespace.com ghost.io hubspot.com notion.site canalblog.com webflow.io firebaseapp.com
    """.split()
)

#: an http(s) URL already in the form ``normalize_url`` gives (lowercase host, no port, a path, no
#: fragment, no whitespace): most URLs of an export or a page, returned as they are
CANONICAL_URL = re.compile(r"https?://(?:[a-z0-9-]+\.)*[a-z0-9-]+/[^\s#?]*(?:\?[^\s#]+)?\Z")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")
#: "/path?query" in printable ASCII: no second slash (protocol-relative), no whitespace or control
#: character (urlsplit drops or strips some, which can change the URL), no ";" (urljoin's parameters);
#: dot segments are checked apart
_PLAIN_ROOT_RELATIVE = re.compile(r"/(?!/)[\x21-\x3a\x3c-\x7e]*\Z")


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    """tldextract over its bundled public suffix snapshot only: it never fetches the list at run time.

    Imported when first needed: tldextract imports requests (50 ms of a triage's start, before its workers
    can take their first batch); a triage's workers import it while the command reads that batch.
    """
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@functools.lru_cache(maxsize=131072)
def normalize_url(url: str) -> str:
    """Return ``url`` in a canonical form, or ``""`` when it is not an http(s) URL.

    Adds ``http://`` to a bare host, lowercases scheme and host, encodes an IDN
    host as punycode, drops the fragment and default ports, encodes raw spaces.

    >>> normalize_url(" Example.COM/a b#top ")
    'http://example.com/a%20b'
    >>> normalize_url("https://bücher.de:443/")
    'https://xn--bcher-kva.de/'
    >>> normalize_url("mailto:someone@example.com")
    ''
    """
    url = url.strip()
    if CANONICAL_URL.match(url):
        return url
    return _normalized(url) if url else ""


def _normalized(url: str) -> str:
    """``normalize_url`` of a stripped, non-empty URL not already canonical."""
    if "://" not in url:
        if url.startswith("//"):
            url = "http:" + url
        elif ":" in url.split("/")[0] and not url.split("/")[0].split(":")[-1].isdigit():
            return ""  # another scheme: mailto:, javascript:, tel:
        else:
            url = "http://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    hostname = parts.hostname  # a property that parses the netloc again: read once
    if scheme not in ("http", "https") or not hostname:
        return ""
    host = _ascii_host(hostname)
    if not host or _CONTROL_OR_SPACE.search(host):
        return ""  # empty, or a control character or space in the host: no such host
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = (parts.path or "/").replace(" ", "%20")
    query = parts.query.replace(" ", "%20")
    return urlunsplit((scheme, host, path, query, ""))


def _ascii_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if host.isascii():
        return host
    try:
        encoded = host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return encoded.rstrip(".")  # its normalisation may make dots: "…" is "..."


def resolve_href(base_url: str, href: str) -> str:
    """Resolve a link's ``href`` against the page URL and normalise it.

    >>> resolve_href("https://a.org/blog/post", "../shop?x=1")
    'https://a.org/shop?x=1'
    """
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return ""
    if href.startswith(("http://", "https://")):
        return normalize_url(href)  # already absolute: no join needed
    if _PLAIN_ROOT_RELATIVE.match(href) and "/." not in href and (origin := _origin(base_url)):
        return normalize_url(origin + href)  # what urljoin gives, for the commonest case, without its cost
    try:
        return normalize_url(urljoin(base_url, href))
    except ValueError:
        return ""


@functools.lru_cache(maxsize=1024)
def _origin(url: str) -> str:
    """``scheme://netloc`` of an http(s) URL, as written; "" for anything else."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


@functools.lru_cache(maxsize=131072)
def host_of(url: str) -> str:
    """Return the lowercased host name of ``url`` without port (``""`` if none).

    >>> host_of("https://WWW.Example.com:8080/x")
    'www.example.com'
    """
    if CANONICAL_URL.match(url):
        return url.split("/", 3)[2]  # already lowercase, without port or user
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def registered_domain(host_or_url: str) -> str:
    """Return the registered domain (eTLD+1) of a host or URL, via the public suffix list.

    IP addresses and hosts without a known suffix are returned as they are.

    >>> registered_domain("https://forums.news.example.co.uk/x")
    'example.co.uk'
    >>> registered_domain("myblog.blogspot.com")
    'blogspot.com'
    >>> registered_domain("127.0.0.1")
    '127.0.0.1'
    >>> registered_domain("www.shop.example")
    'shop.example'
    """
    host = host_of(host_or_url) if "/" in host_or_url else host_or_url.lower()
    return _registered_domain_of_host(host)


@functools.lru_cache(maxsize=131072)
def _registered_domain_of_host(host: str) -> str:
    if is_ip(host):
        return host
    parts = _extractor()(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    # No known public suffix (a private TLD such as .example or .internal): take the last two labels.
    return ".".join(host.split(".")[-2:])


def registered_domains(hosts: Sequence[str] | pa.Array) -> list[str]:
    """``registered_domain`` of many lowercase hosts at once: the public suffix rules matched column-wise.

    The plain hosts (ASCII letters, digits and hyphens in dot-separated labels,
    not all digits) are looked up in Arrow, the last one to four labels at a
    time against the same rules tldextract walks as a trie; the rest (IP
    addresses, other characters) go through ``registered_domain`` one by one.

    >>> registered_domains(["forums.news.example.co.uk", "a.b.kawasaki.jp", "city.kawasaki.jp", "10.0.0.1"])
    ['example.co.uk', 'a.b.kawasaki.jp', 'city.kawasaki.jp', '10.0.0.1']
    """
    table = hosts if isinstance(hosts, pa.Array) else pa.array(hosts, type=pa.string())
    plain = plain_hosts(table)
    found = plain_registered_domains(table).to_pylist()
    for i in np.flatnonzero(~plain.to_numpy(zero_copy_only=False)):
        found[i] = registered_domain(table[i].as_py())
    return found


def plain_registered_domains(table: pa.Array) -> pa.Array:
    """The column-wise half of ``registered_domains``, in Arrow: right for the ``plain_hosts``, not for the rest."""
    rules = _suffix_rules()
    labels = pc.add(pc.count_substring(table, "."), 1)
    # last[k]: the host's last k labels (null when it has fewer)
    last = [None, *(pc.struct_field(pc.extract_regex(table, rf"(?P<s>[^.]+(?:\.[^.]+){{{k - 1}}})$"), [0])
                    for k in range(1, _MAX_SUFFIX_LABELS + 2))]  # fmt: skip
    # Each rule set looked up once for the last 1 to 4 labels together: every is_in builds a hash table of its set.
    size, labelled = len(table), pa.concat_arrays(last[1 : _MAX_SUFFIX_LABELS + 1])

    def lookup(rules_set: pa.Array) -> list[pa.Array | None]:
        found = pc.fill_null(pc.is_in(labelled, rules_set), False)
        return [None, *(found.slice((k - 1) * size, size) for k in range(1, _MAX_SUFFIX_LABELS + 1))]

    nodes, ends = lookup(rules.nodes), lookup(rules.ends)
    wildcard_parents, exceptions = lookup(rules.wildcard_parents), lookup(rules.exceptions)
    suffix = pa.repeat(0, size).cast(pa.int64())
    walking = pa.repeat(True, size)  # still on the trie's path, as tldextract walks it from the right
    for k in range(1, _MAX_SUFFIX_LABELS + 1):
        on_path = nodes[k]
        if k > 1:  # a wildcard rule ("*.ck") under the node reached: one label more, unless an exception ("!www.ck")
            wild = pc.and_(pc.and_(walking, pc.invert(on_path)), wildcard_parents[k - 1])
            suffix = pc.if_else(wild, pc.if_else(exceptions[k], k - 1, k), suffix)
            walking = pc.and_(walking, pc.invert(wild))
        walking = pc.and_(walking, on_path)
        suffix = pc.if_else(pc.and_(walking, ends[k]), k, suffix)
    # No suffix, or the whole host is one: its last two labels (as ``registered_domain`` does).
    keep = pc.if_else(pc.or_(pc.equal(suffix, 0), pc.greater_equal(suffix, labels)), 2, pc.add(suffix, 1))
    domains = table
    for k in range(1, _MAX_SUFFIX_LABELS + 2):
        domains = pc.if_else(pc.fill_null(pc.equal(keep, k), False), pc.fill_null(last[k], table), domains)
    return domains


def plain_hosts(hosts: pa.Array) -> pa.Array:
    """Which hosts are dot-separated labels of lowercase ASCII letters, digits and hyphens, not all digits: the
    hosts whose domain signals are computed column-wise (the rest, IP addresses among them, one by one)."""
    return pc.and_(
        pc.match_substring_regex(hosts, r"^[a-z0-9-]+(\.[a-z0-9-]+)*$"),
        pc.invert(pc.match_substring_regex(hosts, r"^[0-9.]+$")),
    )


_MAX_SUFFIX_LABELS = 4  #: the longest public suffix rule has four labels (the test on every rule would fail)


@dataclass(frozen=True)
class _SuffixRules:
    """The public suffix rules as sets of suffixes, for ``pyarrow.compute.is_in``."""

    ends: pa.Array  #: the suffixes that are rules
    nodes: pa.Array  #: every rule's last labels: the trie's nodes
    wildcard_parents: pa.Array  #: "ck" for "*.ck"
    exceptions: pa.Array  #: "www.ck" for "!www.ck"


@functools.cache
def _suffix_rules() -> _SuffixRules:
    """tldextract's own public suffix rules (ICANN section), with their Unicode labels also in punycode."""

    def forms(rule: str) -> set[str]:
        try:
            ascii_labels = (label if label.isascii() else idna.encode(label).decode() for label in rule.split("."))
            return {rule, ".".join(ascii_labels)}
        except idna.IDNAError:
            return {rule}

    ends, nodes, wildcard_parents, exceptions = set(), set(), set(), set()
    for rule in _extractor()._get_tld_extractor().tlds(include_psl_private_domains=False):
        body = rule.lstrip("!").removeprefix("*.")
        labels = body.split(".")
        for k in range(1, len(labels) + 1):
            nodes |= forms(".".join(labels[-k:]))
        if rule.startswith("!"):
            exceptions |= forms(body)
            nodes -= forms(body)
        elif rule.startswith("*."):
            wildcard_parents |= forms(body)
        else:
            ends |= forms(body)
    found = (ends, nodes, wildcard_parents, exceptions)
    return _SuffixRules(*(pa.array(sorted(values), type=pa.string()) for values in found))


def is_ip(host: str) -> bool:
    """True when ``host`` is an IPv4 or IPv6 address.

    >>> is_ip("10.0.0.1"), is_ip("example.com")
    (True, False)
    """
    if not (host[:1].isdigit() or ":" in host):
        return False  # neither IPv4 nor IPv6: skip the costly parse (most hosts are names)
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


_URL_HOST = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#@\[\]]*)(?:[/?#]|$)")


def hosts_of(urls: Iterable[str]) -> list[str]:
    """``host_of`` over many URLs: a regular expression for the usual shape, ``host_of`` for the rest.

    >>> hosts_of(["https://WWW.Example.com:8080/x", "http://user@a.example/", "http://[::1]/"])
    ['www.example.com', 'a.example', '::1']
    """
    match = _URL_HOST.match
    hosts = []
    for url in urls:
        found = match(url)
        if found is None:
            hosts.append(host_of(url))
        else:
            host = found.group(1)
            hosts.append((host.rsplit(":", 1)[0] if ":" in host else host).lower())
    return hosts


def brand_of(site: str) -> str:
    """Return the brand word of a site: its registered domain without the suffix.

    >>> brand_of("https://www.bright-kettle.co.uk/")
    'bright-kettle'
    """
    return registered_domain(site).split(".")[0]

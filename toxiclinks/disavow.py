"""Decide what to disavow, and write Google's disavow file.

Google's format: a UTF-8 text file, one URL or ``domain:example.com`` per line,
``#`` comments, at most 2 MB and 100,000 lines. A ``domain:`` line has no
scheme, path or port.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from toxiclinks import __version__, schema
from toxiclinks.errors import ToxiclinksError
from toxiclinks.features import is_true
from toxiclinks.files import decode_bytes, read_user_text
from toxiclinks.urls import (
    SHARED_PLATFORMS,
    host_of,
    hosts_of,
    is_ip,
    normalize_url,
    registered_domain,
    registered_domains,
)

MAX_LINES = 100_000
MAX_BYTES = 2 * 1024 * 1024
MAX_URL_LENGTH = 2048


@dataclass(frozen=True)
class DisavowPlan:
    """What goes into the disavow file: ``domain:`` entries and single URLs."""

    domains: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    comments: tuple[str, ...] = field(default=())

    def lines(self) -> list[str]:
        """The file's lines, comments first, then domains, then URLs."""
        body = [f"domain:{domain}" for domain in self.domains] + list(self.urls)
        return [f"# {comment}" for comment in self.comments] + body


LEVELS = ("auto", "domain", "url")
CONFIDENTLY_NATURAL = 0.2  #: a site with a link under this probability is never disavowed whole


@dataclass(frozen=True)
class Allowlist:
    """Sites and pages never to disavow: exact hosts (with www.), wildcard subdomains, and single URLs."""

    hosts: frozenset[str] = frozenset()  #: ``example.com``: that host and its www. host
    wildcards: frozenset[str] = frozenset()  #: ``*.example.com``: the domain and every subdomain
    urls: frozenset[str] = frozenset()

    def allows(self, url: str) -> bool:
        """True when ``url`` is on the allowlist.

        >>> allow = Allowlist(hosts=frozenset({"news.example"}), wildcards=frozenset({"partner.example"}))
        >>> allow.allows("https://www.news.example/a"), allow.allows("https://blog.partner.example/")
        (True, True)
        >>> allow.allows("https://other.news.example/")
        False
        """
        host = host_of(url)
        if normalize_url(url) in self.urls or host.removeprefix("www.") in self.hosts:
            return True
        return _covering_domain(host, set(self.wildcards)) is not None


def read_allowlist(path: str | Path | None, own: Iterable[str] = ()) -> Allowlist:
    """Read an allowlist file (``#`` comments, hosts, ``*.`` wildcards, ``domain:`` lines, URLs); add ``own`` sites.

    Your own sites count as wildcards: nothing on them or their subdomains is disavowed.
    """
    hosts: set[str] = set()
    wildcards = {registered_domain(site if "/" in site else f"http://{site}/") for site in own if site.strip()}
    urls: set[str] = set()
    text = read_user_text(path, "allowlist") if path else ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = (
            raw.split("#", 1)[0].strip().lower() if not raw.strip().startswith(("http://", "https://")) else raw.strip()
        )
        if not line:
            continue
        if line.startswith(("http://", "https://")):
            url = normalize_url(line)
            if not url:
                raise ToxiclinksError(f"{path}:{number}: not a valid URL: {raw.strip()!r}")
            urls.add(url)
        elif line.startswith("*."):
            wildcards.add(_ascii_host(line[2:]))
        else:
            host = _ascii_host(line.removeprefix("domain:").strip())
            if not _HOST.match(host):
                raise ToxiclinksError(f"{path}:{number}: not a domain, *.domain or URL: {raw.strip()!r}")
            if line.startswith("domain:"):
                wildcards.add(host)  # as in a disavow file: the domain and its subdomains
            else:
                hosts.add(host.removeprefix("www."))
    return Allowlist(frozenset(hosts), frozenset(wildcards), frozenset(urls))


def _ascii_host(host: str) -> str:
    host = host.strip().strip(".").lower()
    try:
        return host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def site_of(url: str) -> str:
    """The site a link comes from: its registered domain, or its host on a shared platform.

    >>> site_of("https://a.b.example.co.uk/x"), site_of("https://someone.blogspot.com/post")
    ('example.co.uk', 'someone.blogspot.com')
    """
    return _site_of_host(host_of(url))


def sites_of(urls: Iterable[str]) -> list[str]:
    """``site_of`` over many URLs, once per distinct host (their registered domains found column-wise)."""
    hosts = hosts_of(urls)
    distinct = list(dict.fromkeys(hosts))
    sites = {
        host: host if domain in SHARED_PLATFORMS else domain
        for host, domain in zip(distinct, registered_domains(distinct), strict=True)
    }
    return [sites[host] for host in hosts]


def _site_of_host(host: str) -> str:
    domain = registered_domain(host)
    return host if domain in SHARED_PLATFORMS else domain


def decide(scores: pd.DataFrame, features: pd.DataFrame, allowlist: Allowlist | None = None) -> pd.DataFrame:
    """Add ``disavow`` and ``decision`` to the scores: which artificial links to disavow and why not others.

    Never disavowed: links not labelled artificial, links no longer on the page,
    links that pass no PageRank (nofollow, sponsored, ugc), the target's own
    site, and anything on the allowlist (which holds your own sites too).
    """
    decided = scores.copy()
    feature = features.loc[scores.index]
    sources = scores[schema.SOURCE_URL]
    targets = scores[schema.TARGET_URL].fillna("")
    label = scores[schema.LABEL]
    level = scores[schema.LEVEL] if schema.LEVEL in scores.columns else pd.Series("link", index=scores.index)
    own_site = np.asarray(sites_of(sources), dtype=object) == np.asarray(sites_of(targets), dtype=object)
    # The first reason that holds, in this order, is the link's decision.
    reasons = [
        (_flags(sources.map(allowlist.allows)) if allowlist else False, "kept: on your allowlist or one of your sites"),
        (label == schema.LABEL_UNKNOWN, "kept: page not read, cannot judge"),
        ((level == "link") & ~_flags(feature["link_found"]), "kept: link no longer on the page"),
        (label != schema.LABEL_ARTIFICIAL, "kept: natural"),
        (
            _flags(feature["link_nofollow"]) | _flags(feature["link_sponsored"]) | _flags(feature["link_ugc"]),
            "kept: link passes no PageRank (nofollow/sponsored/ugc)",
        ),
        (_flags(feature["same_host"]) | ((targets != "") & own_site), "kept: the target's own site"),
    ]
    conditions = [np.broadcast_to(np.asarray(condition, dtype=bool), len(scores)) for condition, _ in reasons]
    decided[schema.DECISION] = np.select(conditions, [reason for _, reason in reasons], default="disavow")
    decided[schema.DISAVOW] = decided[schema.DECISION] == "disavow"
    return decided


def _flags(values: pd.Series) -> pd.Series:
    """A flag column as plain booleans: missing (NA, NaN, None) is False, as ``is_true`` has it."""
    return values.map(is_true).astype(bool)


def plan_disavow(scores: pd.DataFrame, source_name: str = "", level: str = "auto") -> DisavowPlan:
    """Turn decided scores into ``domain:`` and URL entries.

    * ``url``: the disavowed URLs only;
    * ``domain``: a ``domain:`` line for every site with a link to disavow;
    * ``auto``: a ``domain:`` line when most of the site's judged links are to
      be disavowed and none of its links is natural with confidence
      (probability under 0.2) or kept on purpose; otherwise the URLs.

    A site is a registered domain, or a host on a shared platform
    (``someone.blogspot.com``): the platform itself is never disavowed whole.
    """
    planner = DisavowPlanner(level)
    planner.add(scores)
    return planner.plan(source_name)


class DisavowPlanner:
    """``plan_disavow`` over scores given a chunk at a time: a site's entry is decided from all its links, while
    memory keeps a few counts a site and the URLs to disavow, not the scores."""

    def __init__(self, level: str = "auto") -> None:
        if level not in LEVELS:
            raise ToxiclinksError(f"--level must be one of {', '.join(LEVELS)}")
        self.level = level
        self._tallies: dict[str, list[int]] = {}  # site -> links to disavow, judged, confidently natural, kept
        self._urls: dict[str, set[str]] = {}  # site -> the URLs to disavow

    def add(self, scores: pd.DataFrame) -> None:
        """Count a chunk of decided scores (``decide``) in."""
        sources = scores[schema.SOURCE_URL]
        codes, urls = pd.factorize(sources)
        sites = np.asarray(sites_of(urls.tolist()), dtype=object)[codes]  # site_of once a distinct URL
        judged = (scores[schema.LABEL] != schema.LABEL_UNKNOWN).to_numpy()
        disavow = scores[schema.DISAVOW].to_numpy(dtype=bool)
        per_link = pd.DataFrame(
            {
                "disavow": disavow,
                "judged": judged,
                "natural": judged & (scores[schema.PROBABILITY] < CONFIDENTLY_NATURAL).to_numpy(),
                "kept": scores[schema.DECISION].str.startswith("kept: on your allowlist").to_numpy(dtype=bool),
            }
        )
        per_site = per_link.groupby(sites, sort=False).agg(
            {"disavow": "sum", "judged": "sum", "natural": "any", "kept": "any"}
        )
        for site, to_disavow, judged_links, natural, kept in per_site.itertuples(name=None):
            tally = self._tallies.setdefault(site, [0, 0, 0, 0])
            tally[0] += int(to_disavow)
            tally[1] += int(judged_links)
            tally[2] |= bool(natural)
            tally[3] |= bool(kept)
        for site, url in zip(sites[disavow], sources.to_numpy(dtype=object)[disavow], strict=True):
            self._urls.setdefault(site, set()).add(url)

    def plan(self, source_name: str = "") -> DisavowPlan:
        """The plan for every chunk added so far."""
        domains: list[str] = []
        urls: list[str] = []
        for site in sorted(self._urls):
            to_disavow, judged, confidently_natural, kept_on_purpose = self._tallies[site]
            whole_site = self.level == "domain" or (
                self.level == "auto" and 2 * to_disavow > judged and not confidently_natural
            )
            if whole_site and not kept_on_purpose and "." in str(site) and not is_ip(str(site)):
                domains.append(str(site))
            else:
                urls.extend(sorted(self._urls[site]))
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        comments = (
            f"Disavow file written by toxiclinks {__version__} on {now}"
            + (f" from {source_name}" if source_name else ""),
            f"{len(domains)} domains, {len(urls)} URLs; review before uploading to Google Search Console",
        )
        return DisavowPlan(domains=tuple(domains), urls=tuple(urls), comments=comments)


@dataclass(frozen=True)
class MergeResult:
    """A merged disavow file, the new entries alone, and what changed."""

    merged: str  #: the old file, every line kept in order, then the new entries under a dated comment
    new_entries: str  #: the new entries alone
    added_domains: tuple[str, ...]
    added_urls: tuple[str, ...]
    already_listed: int  #: new entries the old file already had, to the letter
    implied: int  #: new URLs and domains the old file's domain: lines already cover
    invalid_kept_as_comments: tuple[int, ...]  #: old line numbers Google would reject, kept as comments

    def summary(self) -> str:
        """One line saying what the merge changed."""
        parts = [f"added {len(self.added_domains)} domains and {len(self.added_urls)} URLs"]
        if self.already_listed or self.implied:
            parts.append(f"skipped {self.already_listed} already listed and {self.implied} covered by domain: lines")
        if self.invalid_kept_as_comments:
            lines = ", ".join(map(str, self.invalid_kept_as_comments[:5]))
            parts.append(f"kept {len(self.invalid_kept_as_comments)} invalid old lines as comments (lines {lines})")
        return "; ".join(parts)


def merge_disavow(old: DisavowFile, plan: DisavowPlan, source_name: str = "") -> MergeResult:
    """Merge new entries into a user's disavow file without ever losing one of their lines.

    Every old line stays, in order, as written; a line Google would reject is
    kept as a comment that says why. New entries the old file already lists,
    or covers with a ``domain:`` line, are skipped; the rest go under a dated
    comment at the end.
    """
    invalid = {problem.line for problem in old.errors if problem.line}
    kept = [
        f"# toxiclinks: kept as a comment, Google would reject it: {line.text}" if line.number in invalid else line.text
        for line in old.lines
    ]
    old_domains, old_urls = set(old.domains), set(old.urls)
    added_domains, added_urls, already, implied = [], [], 0, 0
    for domain in plan.domains:
        if domain in old_domains:
            already += 1
        elif _covering_domain(domain, old_domains):
            implied += 1
        else:
            added_domains.append(domain)
    for url in plan.urls:
        if url in old_urls:
            already += 1
        elif _covering_domain(host_of(url), old_domains | set(added_domains)):
            implied += 1
        else:
            added_urls.append(url)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    entries = [f"domain:{domain}" for domain in added_domains] + added_urls
    section = [f"# added by toxiclinks {__version__} on {now}" + (f" from {source_name}" if source_name else "")]
    merged_lines = kept + ([""] if kept and kept[-1].strip() else []) + section + entries if entries else kept
    new_only = [*plan.comments[:1], *entries]
    return MergeResult(
        merged="\n".join(merged_lines) + "\n" if merged_lines else "",
        new_entries="\n".join(new_only) + "\n",
        added_domains=tuple(added_domains),
        added_urls=tuple(added_urls),
        already_listed=already,
        implied=implied,
        invalid_kept_as_comments=tuple(sorted(invalid)),
    )


def check_google_limits(text: str) -> str:
    """Check a finished file against Google's limits; return it unchanged."""
    lines = text.splitlines()
    size = len(text.encode("utf-8"))
    if len(lines) > MAX_LINES or size > MAX_BYTES:
        raise ToxiclinksError(
            f"the disavow file would have {len(lines):,} lines / {size:,} bytes, over Google's "
            f"limit of {MAX_LINES:,} lines and 2 MB; disavow whole domains instead of URLs (--level domain)"
        )
    return text


def disavow_text(plan: DisavowPlan) -> str:
    """The file's text, checked against Google's limits and format.

    >>> disavow_text(DisavowPlan(domains=("spam.example",), urls=("http://x.example/a",)))
    'domain:spam.example\\nhttp://x.example/a\\n'
    """
    text = check_google_limits("\n".join(plan.lines()) + "\n")
    errors = parse_disavow(text).errors
    if errors:
        raise ToxiclinksError(f"the disavow file would be invalid: line {errors[0].line}: {errors[0].message}")
    return text


@dataclass(frozen=True)
class DisavowLine:
    """One line of a disavow file, as written and as understood."""

    number: int  #: 1-based
    text: str  #: as written, without the line ending
    kind: str  #: "comment", "blank", "domain", "url" or "invalid"
    value: str = ""  #: the normalised domain (lowercase, punycode) or URL; "" for other kinds


@dataclass(frozen=True)
class DisavowProblem:
    """Something wrong with a line (``line`` 0: the whole file)."""

    line: int
    severity: str  #: "error": Google rejects or misreads it; "warning": valid, but likely not what was meant
    message: str


@dataclass(frozen=True)
class DisavowFile:
    """A disavow file read leniently: every line kept, every problem listed."""

    lines: tuple[DisavowLine, ...]
    problems: tuple[DisavowProblem, ...]

    @property
    def domains(self) -> list[str]:
        """The disavowed domains, in file order, without duplicates."""
        return list(dict.fromkeys(line.value for line in self.lines if line.kind == "domain" and line.value))

    @property
    def urls(self) -> list[str]:
        """The disavowed URLs, in file order, without duplicates."""
        return list(dict.fromkeys(line.value for line in self.lines if line.kind == "url" and line.value))

    @property
    def errors(self) -> list[DisavowProblem]:
        """The problems Google would reject or misread."""
        return [problem for problem in self.problems if problem.severity == "error"]

    def covers(self, url: str) -> bool:
        """True when ``url`` is disavowed by this file: listed itself, or on a listed domain or its subdomain."""
        normalised = normalize_url(url)
        if normalised in set(self.urls):
            return True
        return _covering_domain(host_of(normalised), set(self.domains)) is not None


_HOST = re.compile(r"^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)+$")


def parse_disavow(text: str) -> DisavowFile:
    r"""Understand a disavow file's text leniently, listing every problem with its line number.

    >>> parsed = parse_disavow("# old\ndomain: www.spam.example\nhttp://x.example/a \nhttp://x.example/a\n")
    >>> parsed.domains, parsed.urls
    (['www.spam.example'], ['http://x.example/a'])
    >>> [(p.line, p.severity) for p in parsed.problems]
    [(2, 'warning'), (2, 'warning'), (3, 'warning'), (4, 'warning')]
    """
    lines: list[DisavowLine] = []
    problems: list[DisavowProblem] = []
    first_seen: dict[tuple[str, str], int] = {}
    raw_lines = text.lstrip("\ufeff").splitlines()
    for number, raw in enumerate(raw_lines, start=1):
        line, line_problems = _parse_line(number, raw)
        problems.extend(line_problems)
        if line.value:
            key = (line.kind, line.value)
            if key in first_seen:
                problems.append(DisavowProblem(number, "warning", f"duplicate of line {first_seen[key]}"))
            else:
                first_seen[key] = number
        lines.append(line)
    domains = {value: number for (kind, value), number in first_seen.items() if kind == "domain"}
    for line in lines:
        if line.kind == "url" and line.value:
            domain = _covering_domain(host_of(line.value), set(domains))
            if domain:
                problems.append(
                    DisavowProblem(
                        line.number, "warning", f"already covered by domain:{domain} on line {domains[domain]}"
                    )
                )
    if len(raw_lines) > MAX_LINES:
        problems.append(DisavowProblem(0, "error", f"{len(raw_lines):,} lines, over Google's limit of {MAX_LINES:,}"))
    if len(text.encode("utf-8")) > MAX_BYTES:
        problems.append(DisavowProblem(0, "error", "over Google's limit of 2 MB"))
    problems.sort(key=lambda problem: problem.line)
    return DisavowFile(lines=tuple(lines), problems=tuple(problems))


def _parse_line(number: int, raw: str) -> tuple[DisavowLine, list[DisavowProblem]]:
    problems: list[DisavowProblem] = []
    stripped = raw.strip()

    def problem(severity: str, message: str) -> None:
        problems.append(DisavowProblem(number, severity, message))

    if not stripped:
        return DisavowLine(number, raw, "blank"), problems
    if stripped.startswith("#"):
        return DisavowLine(number, raw, "comment"), problems
    if raw != raw.rstrip():
        problem("warning", "trailing spaces")
    if stripped.lower().startswith("domain:"):
        written = stripped[len("domain:") :]
        if written[:1].isspace():
            problem("warning", "space after 'domain:'; Google's format has none")
        host = written.strip().lower().rstrip(".")
        if "://" in host or "/" in host or ":" in host:
            problem("error", "domain: takes a bare host name (no scheme, path or port)")
            return DisavowLine(number, raw, "invalid"), problems
        try:
            ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
        except UnicodeError:
            problem("error", f"not a valid domain name: {host!r}")
            return DisavowLine(number, raw, "invalid"), problems
        if ascii_host != host:
            problem("warning", f"Unicode domain; its punycode form is {ascii_host}")
        if is_ip(ascii_host):
            problem("warning", "an IP address, not a domain name: disavow its URLs instead")
        elif not _HOST.match(ascii_host):
            problem("error", f"not a valid domain name: {host!r}")
            return DisavowLine(number, raw, "invalid"), problems
        if ascii_host.startswith("www."):
            problem(
                "warning",
                f"domain:{ascii_host} covers only the www host; write domain:{ascii_host[4:]} for the whole site",
            )
        return DisavowLine(number, raw, "domain", ascii_host), problems
    if not re.match(r"^https?://", stripped, re.IGNORECASE):
        problem("error", "not a URL (http:// or https://) nor a domain: line")
        return DisavowLine(number, raw, "invalid"), problems
    if len(stripped) > MAX_URL_LENGTH:
        problem("error", f"URL longer than {MAX_URL_LENGTH:,} characters")
        return DisavowLine(number, raw, "invalid"), problems
    url = normalize_url(stripped)
    if not url:
        problem("error", "not a valid URL")
        return DisavowLine(number, raw, "invalid"), problems
    return DisavowLine(number, raw, "url", url), problems


def _covering_domain(host: str, domains: set[str]) -> str | None:
    """The listed domain that covers ``host`` (itself or a parent), if any."""
    labels = host.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        if candidate in domains:
            return candidate
    return None


def read_disavow(path: str | Path) -> DisavowFile:
    """Read a user's disavow file leniently (any encoding, CRLF or LF, no final newline).

    An empty file is a valid, empty disavow file. A file that is not UTF-8 or
    ASCII is read anyway, with a warning, since Google requires UTF-8.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ToxiclinksError(f"{path}: no such file") from None
    except OSError as exc:
        raise ToxiclinksError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    parsed = parse_disavow(decode_bytes(data))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        warning = DisavowProblem(0, "warning", "not UTF-8: Google requires UTF-8 or 7-bit ASCII")
        parsed = DisavowFile(parsed.lines, (warning, *parsed.problems))
    return parsed


def validate_lines(lines: Iterable[str]) -> Iterable[tuple[int, str]]:
    """Yield ``(line number, problem)`` for every line Google would reject or misread.

    >>> [number for number, _ in validate_lines(["# ok", "domain:example.com", "domain:http://x.com/", "ftp://x.com"])]
    [3, 4]
    """
    for problem in parse_disavow("\n".join(lines)).errors:
        yield problem.line, problem.message


def check_writable(path: Path) -> None:
    """Fail early, before any work, when an output file cannot be written."""
    if path.is_dir():
        raise ToxiclinksError(f"{path}: is a directory; give a file name")
    if not path.parent.exists():
        raise ToxiclinksError(f"{path.parent}: no such directory")

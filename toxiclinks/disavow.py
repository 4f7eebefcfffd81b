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

import pandas as pd

from toxiclinks import __version__, schema
from toxiclinks.errors import ToxiclinksError
from toxiclinks.features import is_true
from toxiclinks.files import decode_bytes
from toxiclinks.urls import SHARED_PLATFORMS, host_of, is_ip, normalize_url, registered_domain

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


def decide(scores: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """Add ``disavow`` and ``decision`` to the scores: which artificial links to disavow and why not others.

    Never disavowed: links not labelled artificial, links no longer on the page,
    links that pass no PageRank (nofollow, sponsored, ugc), and links from the
    target's own host.
    """
    decided = scores.copy()
    reasons = []
    for (_, row), (_, feature) in zip(scores.iterrows(), features.loc[scores.index].iterrows(), strict=True):
        if row[schema.LABEL] == schema.LABEL_UNKNOWN:
            reasons.append("kept: page not read, cannot judge")
        elif row.get(schema.LEVEL, "link") == "link" and not is_true(feature["link_found"]):
            reasons.append("kept: link no longer on the page")
        elif row[schema.LABEL] != schema.LABEL_ARTIFICIAL:
            reasons.append("kept: natural")
        elif any(is_true(feature[flag]) for flag in ("link_nofollow", "link_sponsored", "link_ugc")):
            reasons.append("kept: link passes no PageRank (nofollow/sponsored/ugc)")
        elif is_true(feature["same_host"]):
            reasons.append("kept: the target's own site")
        else:
            reasons.append("disavow")
    decided[schema.DECISION] = reasons
    decided[schema.DISAVOW] = decided[schema.DECISION] == "disavow"
    return decided


def plan_disavow(scores: pd.DataFrame, source_name: str = "") -> DisavowPlan:
    """Turn decided scores into domain and URL entries.

    A referring domain is disavowed whole when every one of its links that
    could be judged is to be disavowed and it is not a shared platform;
    otherwise only its artificial URLs are.
    """
    domains: list[str] = []
    urls: list[str] = []
    judged = scores[scores[schema.LABEL] != schema.LABEL_UNKNOWN]
    by_domain = judged.groupby(judged[schema.SOURCE_URL].map(registered_domain), sort=True)
    for domain, group in by_domain:
        to_disavow = group[group[schema.DISAVOW]]
        if to_disavow.empty:
            continue
        if len(to_disavow) == len(group) and domain not in SHARED_PLATFORMS and "." in str(domain):
            domains.append(str(domain))
        else:
            urls.extend(sorted(set(to_disavow[schema.SOURCE_URL])))
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    comments = (
        f"Disavow file written by toxiclinks {__version__} on {now}" + (f" from {source_name}" if source_name else ""),
        f"{len(domains)} domains, {len(urls)} URLs; review before uploading to Google Search Console",
    )
    return DisavowPlan(domains=tuple(domains), urls=tuple(urls), comments=comments)


def disavow_text(plan: DisavowPlan) -> str:
    """The file's text, checked against Google's limits and format.

    >>> disavow_text(DisavowPlan(domains=("spam.example",), urls=("http://x.example/a",)))
    'domain:spam.example\\nhttp://x.example/a\\n'
    """
    lines = plan.lines()
    text = "\n".join(lines) + "\n"
    size = len(text.encode("utf-8"))
    if len(lines) > MAX_LINES or size > MAX_BYTES:
        raise ToxiclinksError(
            f"the disavow file would have {len(lines):,} lines / {size:,} bytes, over Google's "
            f"limit of {MAX_LINES:,} lines and 2 MB; disavow whole domains instead of URLs"
        )
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

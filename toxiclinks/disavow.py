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
from toxiclinks.urls import registered_domain

MAX_LINES = 100_000
MAX_BYTES = 2 * 1024 * 1024
MAX_URL_LENGTH = 2048

#: platforms whose subdomains are separate sites: never disavow the whole platform
SHARED_PLATFORMS = frozenset(
    """
    blogspot.com wordpress.com medium.com github.io tumblr.com wixsite.com weebly.com substack.com
    livejournal.com over-blog.com jimdo.com jimdofree.com webnode.com strikingly.com netlify.app
    vercel.app herokuapp.com pages.dev sites.google.com google.com blogger.com typepad.com
    squarespace.com ghost.io hubspot.com notion.site canalblog.com
    """.split()
)

_DOMAIN_LINE = re.compile(r"^domain:[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


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
    """The file's text, checked against Google's limits.

    >>> disavow_text(DisavowPlan(domains=("spam.example",), urls=("http://x.example/a",)))
    'domain:spam.example\\nhttp://x.example/a\\n'
    """
    lines = plan.lines()
    problems = list(validate_lines(lines))
    if problems:
        number, problem = problems[0]
        raise ToxiclinksError(f"the disavow file would be invalid: line {number}: {problem}")
    text = "\n".join(lines) + "\n"
    if len(lines) > MAX_LINES or len(text.encode("utf-8")) > MAX_BYTES:
        raise ToxiclinksError(
            f"the disavow file would have {len(lines):,} lines / {len(text.encode()):,} bytes, over Google's "
            f"limit of {MAX_LINES:,} lines and 2 MB; disavow whole domains instead of URLs"
        )
    return text


def validate_lines(lines: Iterable[str]) -> Iterable[tuple[int, str]]:
    """Yield ``(line number, problem)`` for every line Google would reject or misread.

    >>> list(validate_lines(["# ok", "domain:example.com", "domain:http://x.com/", "ftp://x.com"]))
    [(3, 'domain: entry must be a bare host name (no scheme, path or port)'), (4, 'not a URL or domain: entry')]
    """
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("domain:"):
            if not _DOMAIN_LINE.match("domain:" + line[7:].strip().lower()):
                yield number, "domain: entry must be a bare host name (no scheme, path or port)"
        elif not re.match(r"^https?://[^\s/]+", line, re.IGNORECASE):
            yield number, "not a URL or domain: entry"
        elif len(line) > MAX_URL_LENGTH:
            yield number, f"URL longer than {MAX_URL_LENGTH} characters"


def check_writable(path: Path) -> None:
    """Fail early, before any work, when an output file cannot be written."""
    if path.is_dir():
        raise ToxiclinksError(f"{path}: is a directory; give a file name")
    if not path.parent.exists():
        raise ToxiclinksError(f"{path.parent}: no such directory")

"""Write a large, realistic Ahrefs backlinks export (the 34-column header) for the scale benchmarks.

    python benchmarks/large_export.py 1000000 /tmp/ahrefs-1m.csv

Seeded and invented (``.example`` sites and made-up words): a profile of one
target site with a few hundred target pages, referring pages spread over
about one domain per 15 links (sitewide links make some domains heavy), anchors
mixed the way real profiles are (brand, URL, generic, keyword, descriptive),
the metrics and dates Ahrefs writes, a few pages (0.2%) on bare IP addresses.
About 280 bytes a row.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

HEADER = (
    "Referring page title,Referring page URL,Language,Platform,Referring page HTTP code,Domain rating,UR,"
    "Domain traffic,Referring domains,Linked domains,External links,Page traffic,Keywords,Target URL,Left context,"
    "Anchor,Right context,Redirect Chain URLs,Redirect Chain status codes,Type,Content,Nofollow,UGC,Sponsored,"
    "Rendered,Raw,Lost status,Drop reason,Discovered status,First seen,Last seen,Lost,Author,Links in group"
).split(",")

_SYLLABLES = "ka lo mi nu ter ban sol vik dor pel ran tos mer lin gar fen bro cla dri eno".split()
_WORDS = (
    "kettle tea green water temperature guide review best cheap buy online shop home kitchen gadget brew "
    "morning coffee cup steel glass electric quiet fast boil cordless vintage design price deal news blog"
).split()
_GENERIC = ("click here", "here", "website", "read more", "this site", "source", "more info")
_TLDS = ("com", "com", "com", "net", "org", "co.uk", "de", "info", "xyz", "top", "ru", "example")


def _domain(rng: random.Random) -> str:
    name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
    if rng.random() < 0.15:
        name += "-" + rng.choice(_WORDS)
    if rng.random() < 0.05:
        name += str(rng.randint(1, 99))
    return f"{name}.{rng.choice(_TLDS)}"


def write_export(rows: int, path: Path, seed: int = 7) -> None:
    """Write ``rows`` backlinks to ``path`` as Ahrefs writes them (UTF-8, comma-separated, quoted as needed)."""
    rng = random.Random(seed)
    rare = random.Random(seed + 1)  # its own draws: the rows are the same as before it was added, but for these
    domains = [_domain(rng) for _ in range(max(rows // 15, 10))]
    targets = [
        "https://www.brightkettle.example/" + ("" if i == 0 else f"blog/{rng.choice(_WORDS)}-{rng.choice(_WORDS)}-{i}")
        for i in range(300)
    ]
    keywords = [" ".join(rng.sample(_WORDS, 3)) for _ in range(40)]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for number in range(rows):
            # A few heavy (sitewide) domains, a long tail of light ones.
            domain = domains[int(len(domains) * rng.random() ** 2)]
            host = ("www." if rng.random() < 0.6 else rng.choice(("", "blog.", "forum.", "news."))) + domain
            path_part = "/".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 3)))
            if rng.random() < 0.05:
                path_part += "/links.html"
            query = f"?p={rng.randint(2, 40)}" if rng.random() < 0.03 else ""
            if rare.random() < 0.002:  # a page on a bare IP address, as real exports have a few
                host = ".".join(str(rare.randint(1, 254)) for _ in range(4))
            source = f"{'https' if rng.random() < 0.8 else 'http'}://{host}/{path_part}{number}{query}"
            draw = rng.random()
            if draw < 0.3:
                anchor = "Bright Kettle"
            elif draw < 0.45:
                anchor = "brightkettle.example"
            elif draw < 0.6:
                anchor = rng.choice(_GENERIC)
            elif draw < 0.8:
                anchor = rng.choice(keywords)
            else:
                anchor = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 7)))
            title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 10))).capitalize()
            first_seen = f"20{rng.randint(19, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:15:00"
            writer.writerow(
                [
                    title, source, rng.choice(("en", "en", "de", "fr")), "", 200, rng.randint(0, 90),
                    rng.randint(0, 40), rng.randint(0, 100000), rng.randint(0, 5000), rng.randint(0, 3000),
                    rng.randint(1, 300), rng.randint(0, 1000), rng.randint(0, 200), rng.choice(targets), "",
                    anchor, "", "", "", "text", "", str(rng.random() < 0.2).lower(), "false", "false", "true",
                    "true", "", "", "", first_seen, "2026-11-01 08:00:00", "", "", 1,
                ]
            )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_export(args.rows, args.path, args.seed)


if __name__ == "__main__":
    main()

"""Every supported export format, from a hand-written fixture in that tool's exact bytes, into the expected table."""

import json
from dataclasses import dataclass, field

import pytest

from toxiclinks import schema
from toxiclinks.errors import ToxiclinksError
from toxiclinks.exports import read_export

from conftest import FIXTURES

EXPORTS = FIXTURES / "exports"
HOME = "https://www.brightkettle.example/"
SHOP = "https://www.brightkettle.example/shop"
REVIEW = "https://www.leafandcup.example/reviews/kettles"
DIRECTORY = "http://free-web-directory.example/home/page-7.html"


@dataclass(frozen=True)
class Expected:
    file: str
    format: str
    rows: int
    first: dict  # column -> value of the first row
    level: str = "link"
    site: str | None = None
    checks: dict = field(default_factory=dict)  # (row, column) -> value


CASES = [
    Expected(
        "ahrefs-37-backlinks-subdomains_2026-05-10_09-30-12.csv",
        "ahrefs",
        2,
        {
            schema.SOURCE_URL: REVIEW,
            schema.TARGET_URL: HOME,
            schema.ANCHOR: "Bright Kettle",
            schema.FIRST_SEEN: "2025-03-19 21:59:31",
            "metric_domain_rating": 54.5,
            "metric_is_spam": 0.0,
        },
        checks={
            (1, schema.EXPORT_SPONSORED): True,
            (1, schema.EXPORT_LOST): True,
            (0, schema.EXPORT_LOST): False,
            (1, "metric_is_spam"): 1.0,
        },
    ),
    Expected(
        "https___www.brightkettle.example_-Latest links-2026-05-10.csv",
        "gsc-latest-links",
        3,
        {
            schema.SOURCE_URL: "https://forum.teahouse-talk.example/t/sencha%20temperature/4412",
            schema.TARGET_URL: "",
            schema.LAST_SEEN: "2026-05-08",
        },
        site="https://www.brightkettle.example",
    ),
    Expected(
        "brightkettle.example-More sample links-2026-05-10.csv",
        "gsc-sample-links",
        2,
        {schema.SOURCE_URL: REVIEW},
        site="brightkettle.example",
    ),
    Expected(
        "brightkettle.example-Top linking sites-2026-05-10.csv",
        "gsc-top-linking-sites",
        3,
        {schema.SOURCE_URL: "http://leafandcup.example/", "metric_linking_pages": 12.0},
        level="domain",
        site="brightkettle.example",
    ),
    Expected(
        "bing-inbound-links.csv",
        "bing",
        2,
        {schema.SOURCE_URL: REVIEW, schema.TARGET_URL: HOME, schema.ANCHOR: "Bright Kettle"},
    ),
    Expected(
        "brightkettle.example-backlinks.csv",
        "semrush-backlinks",
        3,
        {
            schema.SOURCE_URL: REVIEW,
            schema.TARGET_URL: HOME,
            schema.ANCHOR: "Bright Kettle",
            "metric_page_ascore": 34.0,
            schema.EXPORT_NOFOLLOW: False,
        },
        checks={
            (1, schema.EXPORT_SPONSORED): True,
            (1, schema.EXPORT_LOST): True,
            (2, schema.EXPORT_NOFOLLOW): True,
            (2, schema.EXPORT_UGC): True,
            (1, "metric_sitewide"): 1.0,
        },
    ),
    Expected(
        "brightkettle.example-backlink_audit.csv",
        "semrush-audit",
        2,
        {schema.SOURCE_URL: REVIEW, schema.ANCHOR: "Bright Kettle's guide", "metric_toxic_score": 12.0},
        checks={(1, "metric_toxic_score"): 87.0},
    ),
    Expected(
        "brightkettle.example-refdomains.csv",
        "semrush-refdomains",
        2,
        {schema.SOURCE_URL: "http://leafandcup.example/", "metric_domain_ascore": 41.0},
        level="domain",
    ),
    Expected(
        "brightkettle.example_backlinks_majestic.csv",
        "majestic-backlinks",
        3,
        {
            schema.SOURCE_URL: REVIEW,
            schema.TARGET_URL: HOME,
            schema.ANCHOR: "Bright Kettle",
            schema.FIRST_SEEN: "2025-03-20",
            schema.LAST_SEEN: "2026-05-01",
            "metric_trust_flow": 27.0,
        },
        checks={(2, schema.EXPORT_NOFOLLOW): True, (0, schema.EXPORT_NOFOLLOW): False},
    ),
    Expected(
        "brightkettle.example_refdomains_majestic.csv",
        "majestic-refdomains",
        2,
        {schema.SOURCE_URL: "http://leafandcup.example/", "metric_trust_flow": 27.0},
        level="domain",
        site="brightkettle.example",
    ),
    Expected(
        "moz-inbound-links-brightkettle.example.csv",
        "moz",
        2,
        {schema.SOURCE_URL: REVIEW, schema.TARGET_URL: HOME, "metric_spam_score": 1.0, schema.EXPORT_NOFOLLOW: False},
        checks={(1, schema.EXPORT_NOFOLLOW): True, (1, "metric_spam_score"): 68.0},
    ),
    Expected(
        "se-ranking-backlinks-brightkettle.example.csv",
        "se-ranking",
        2,
        {schema.SOURCE_URL: REVIEW, schema.TARGET_URL: HOME, "metric_domain_inlink_rank": 44.0},
        checks={(1, schema.TARGET_URL): SHOP, (1, schema.ANCHOR): "best electric kettle"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.format)
def test_export_reads_into_the_expected_table(case):
    links = read_export(EXPORTS / case.file)
    summary = links.attrs["export"]
    assert (summary["format"], summary["level"], len(links)) == (case.format, case.level, case.rows)
    assert summary["site"] == case.site
    for column, value in case.first.items():
        assert links.iloc[0][column] == value, column
    for (row, column), value in case.checks.items():
        assert links.iloc[row][column] == value, (row, column)
    assert set(links[schema.EXPORT_LEVEL]) == {case.level}
    assert (links[schema.EXPORT_RAW] == "").all()  # the raw rows cost memory: kept only when asked for
    raw = read_export(EXPORTS / case.file, keep_raw=True)[schema.EXPORT_RAW]
    assert raw.map(lambda row: isinstance(json.loads(row), dict) and len(json.loads(row)) >= 1).all()


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("brightkettle.example-Top linking text-2026-05-10.csv", "lists anchor texts, not links"),
        ("brightkettle.example-Top target pages-2026-05-10.csv", "lists your own pages"),
    ],
)
def test_search_console_reports_without_links_are_explained(file, message):
    with pytest.raises(ToxiclinksError, match=message):
        read_export(EXPORTS / file)


def test_site_given_by_the_user_wins_over_the_file_name():
    links = read_export(EXPORTS / "brightkettle.example-More sample links-2026-05-10.csv", site="other.example")
    assert links.attrs["export"]["site"] == "other.example"


def test_header_below_a_title_line_is_found(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Backlinks report for brightkettle.example\n\nSource Url,Anchor text,Target Url\n"
        "https://a.example/,hi,https://www.brightkettle.example/\n"
    )
    links = read_export(path)
    assert links.attrs["export"]["format"] == "bing" and len(links) == 1


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.format)
def test_scan_accepts_the_export_unchanged(case, tmp_path):
    import pandas as pd
    from click.testing import CliRunner

    from toxiclinks.cli import main

    scores_path = tmp_path / "scores.csv"
    args = ["scan", str(EXPORTS / case.file), "--offline", "-o", str(tmp_path / "d.txt"), "--scores", str(scores_path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"read {case.rows} rows of {case.format} export" in result.output
    scores = pd.read_csv(scores_path, keep_default_na=False)
    assert len(scores) == case.rows
    for column in (schema.SOURCE_URL, schema.TARGET_URL, schema.ANCHOR):
        if column in case.first:
            assert scores.iloc[0][column] == case.first[column], column
    assert set(scores[schema.LEVEL]) == {case.level}
    assert set(scores[schema.FETCH_STATUS]) == {"not_fetched"}  # --offline: nothing fetched, nothing judged


def test_domain_level_rows_say_they_were_scored_through_the_home_page(http_server, tmp_path):
    from toxiclinks.pipeline import scan
    from toxiclinks.settings import Settings

    from conftest import Response

    host = http_server.base_url.removeprefix("http://")
    http_server.routes["/"] = Response(
        200, b"<html><body><p>" + b"a home page with words " * 30 + b"</p></body></html>"
    )
    export = tmp_path / "brightkettle.example-Top linking sites-2026-05-10.csv"
    export.write_text(f"Site,Linking pages,Target pages\n{host},3,1\n")
    result = scan(export, Settings(allow_private=True, respect_robots=False, use_cache=False))
    row = result.scores.iloc[0]
    assert row["level"] == "domain" and row["fetch_status"] == "ok"
    assert row["reasons"].startswith("referring domain scored through its home page")
    assert row["decision"] != "kept: link no longer on the page"  # a domain's link need not be on its home page

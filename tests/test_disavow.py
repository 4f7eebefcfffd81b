import pandas as pd
import pytest

from toxiclinks import schema
from toxiclinks.disavow import (
    MAX_LINES,
    DisavowPlan,
    decide,
    disavow_text,
    plan_disavow,
    validate_lines,
)
from toxiclinks.errors import ToxiclinksError


def _scores_and_features(rows):
    scores = pd.DataFrame(
        [
            {
                schema.SOURCE_URL: r["url"],
                schema.TARGET_URL: "https://me.example/",
                schema.ANCHOR: "a",
                schema.PROBABILITY: r.get("p", 0.9),
                schema.LABEL: r.get("label", "artificial"),
                schema.REASONS: "",
                schema.FETCH_STATUS: "ok",
            }
            for r in rows
        ]
    )
    features = pd.DataFrame(
        [
            {
                "link_found": r.get("found", True),
                "link_nofollow": r.get("nofollow", False),
                "link_sponsored": r.get("sponsored", False),
                "link_ugc": r.get("ugc", False),
                "same_host": r.get("same_host", False),
            }
            for r in rows
        ]
    )
    features = features.astype("boolean")
    return scores, features


def test_decide_never_disavows_what_passes_nothing_or_is_gone():
    scores, features = _scores_and_features(
        [
            {"url": "http://a.example/1"},
            {"url": "http://b.example/1", "nofollow": True},
            {"url": "http://c.example/1", "sponsored": True},
            {"url": "http://d.example/1", "ugc": True},
            {"url": "http://e.example/1", "found": False},
            {"url": "http://f.example/1", "label": "natural", "p": 0.1},
            {"url": "http://g.example/1", "label": "unknown", "p": float("nan"), "found": pd.NA},
            {"url": "http://me.example/blog", "same_host": True},
        ]
    )
    decided = decide(scores, features)
    assert decided[schema.DISAVOW].tolist() == [True] + [False] * 7
    assert decided[schema.DECISION].iloc[1].startswith("kept: link passes no PageRank")
    assert decided[schema.DECISION].iloc[4] == "kept: link no longer on the page"


def test_plan_uses_domains_when_every_link_is_bad_and_urls_otherwise():
    scores, features = _scores_and_features(
        [
            {"url": "http://spam.example/1"},
            {"url": "https://www.spam.example/2"},
            {"url": "http://mixed.example/bad"},
            {"url": "http://mixed.example/good", "label": "natural", "p": 0.1},
            {"url": "https://someone.blogspot.com/post"},
        ]
    )
    plan = plan_disavow(decide(scores, features))
    assert plan.domains == ("spam.example",)
    assert set(plan.urls) == {"http://mixed.example/bad", "https://someone.blogspot.com/post"}


def test_disavow_text_is_valid_for_google():
    text = disavow_text(DisavowPlan(domains=("spam.example",), urls=("http://x.example/a",), comments=("hi",)))
    assert text == "# hi\ndomain:spam.example\nhttp://x.example/a\n"
    assert list(validate_lines(text.splitlines())) == []


def test_validator_reports_every_bad_line_with_its_number():
    lines = [
        "# comment",
        "",
        "domain:ok.example",
        "domain:https://bad.example/",
        "domain:bad.example:8080",
        "not a url",
        "http://ok.example/" + "a" * 2100,
    ]
    assert [number for number, _ in validate_lines(lines)] == [4, 5, 6, 7]


def test_over_the_line_limit_suggests_domain_level():
    urls = tuple(f"http://spam{i}.example/page" for i in range(MAX_LINES + 1))
    with pytest.raises(ToxiclinksError, match="disavow whole domains"):
        disavow_text(DisavowPlan(urls=urls))

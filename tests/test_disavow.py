import pandas as pd
import pytest

from toxiclinks import schema
from toxiclinks.disavow import (
    MAX_LINES,
    DisavowPlan,
    DisavowProblem,
    decide,
    disavow_text,
    plan_disavow,
    read_disavow,
    validate_lines,
)
from toxiclinks.errors import ToxiclinksError

from conftest import FIXTURES


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


OLD = FIXTURES / "old-disavow.txt"


def test_reading_a_real_looking_old_file_keeps_every_line_and_lists_every_problem():
    parsed = read_disavow(OLD)
    assert len(parsed.lines) == 16  # every line kept, the last one without a newline too
    assert [line.kind for line in parsed.lines[:4]] == ["comment", "comment", "blank", "domain"]
    assert parsed.domains == [
        "spam-links.example",
        "casino-partner.example",
        "www.cheap-seo.example",
        "xn--bcher-spam-9db.example",
        "192.0.2.44",
    ]
    assert parsed.urls == [
        "http://spam-links.example/page-1.html",
        "https://blog.example/guest-post",
        "https://forum.example/thread?id=7",
    ]
    problems = {(p.line, p.severity, p.message.split(";")[0].split(" on line")[0]) for p in parsed.problems}
    assert problems == {
        (5, "warning", "space after 'domain:'"),
        (6, "warning", "domain:www.cheap-seo.example covers only the www host"),
        (7, "warning", "Unicode domain"),
        (8, "warning", "an IP address, not a domain name: disavow its URLs instead"),
        (9, "warning", "already covered by domain:spam-links.example"),
        (10, "warning", "trailing spaces"),
        (11, "warning", "duplicate of line 10"),
        (12, "warning", "duplicate of line 4"),
        (13, "error", "domain: takes a bare host name (no scheme, path or port)"),
        (14, "error", "not a URL (http:// or https://) nor a domain: line"),
    }


def test_covers_urls_under_disavowed_domains_and_subdomains():
    parsed = read_disavow(OLD)
    assert parsed.covers("https://sub.spam-links.example/anything")
    assert parsed.covers("https://blog.example/guest-post")
    assert not parsed.covers("https://blog.example/other")
    assert not parsed.covers("https://cheap-seo.example/")  # domain:www. covers only the www host


def test_an_empty_disavow_file_is_valid_and_a_missing_one_is_an_error(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert read_disavow(empty).lines == () and read_disavow(empty).problems == ()
    with pytest.raises(ToxiclinksError, match="no such file"):
        read_disavow(tmp_path / "missing.txt")


def test_non_utf8_file_is_read_with_a_warning(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("# Müller\ndomain:spam.example\n".encode("latin-1"))
    parsed = read_disavow(path)
    assert parsed.domains == ["spam.example"]
    assert parsed.problems[0] == DisavowProblem(0, "warning", "not UTF-8: Google requires UTF-8 or 7-bit ASCII")


def test_validate_command_lists_problems_with_line_numbers_and_fails_on_errors(tmp_path):
    from click.testing import CliRunner

    from toxiclinks.cli import main

    result = CliRunner().invoke(main, ["validate", str(OLD)])
    assert result.exit_code == 1
    assert f"{OLD}:13: error: domain: takes a bare host name" in result.output
    assert f"{OLD}:6: warning: domain:www.cheap-seo.example covers only the www host" in result.output
    assert result.output.strip().endswith("5 domains, 3 URLs; 2 errors, 8 warnings")
    clean = tmp_path / "clean.txt"
    clean.write_text("# fine\ndomain:spam.example\nhttps://x.example/a\n")
    ok = CliRunner().invoke(main, ["validate", str(clean)])
    assert ok.exit_code == 0 and "1 domains, 1 URLs; 0 errors, 0 warnings" in ok.output

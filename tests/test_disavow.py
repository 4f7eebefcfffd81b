import pandas as pd
import pytest

from toxiclinks import schema
from toxiclinks.disavow import (
    MAX_LINES,
    DisavowPlan,
    DisavowPlanner,
    DisavowProblem,
    decide,
    disavow_text,
    merge_disavow,
    plan_disavow,
    read_allowlist,
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
    # a blog on a shared platform is its own site: its host is disavowed, never the platform
    assert plan.domains == ("someone.blogspot.com", "spam.example")
    assert plan.urls == ("http://mixed.example/bad",)  # the site also has a confidently natural link


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


def _bad_links(*urls, natural=()):
    rows = [{"url": url} for url in urls] + [{"url": url, "label": "natural", "p": 0.1} for url in natural]
    return _scores_and_features(rows)


def test_levels_url_domain_and_auto():
    scores, features = _bad_links(
        "http://spam.example/1", "http://spam.example/2", "http://mixed.example/1", natural=("http://mixed.example/2",)
    )
    decided = decide(scores, features)
    assert plan_disavow(decided, level="url").domains == ()
    assert set(plan_disavow(decided, level="url").urls) == {
        "http://spam.example/1",
        "http://spam.example/2",
        "http://mixed.example/1",
    }
    assert plan_disavow(decided, level="domain").domains == ("mixed.example", "spam.example")
    auto = plan_disavow(decided, level="auto")
    assert auto.domains == ("spam.example",) and auto.urls == ("http://mixed.example/1",)
    with pytest.raises(ToxiclinksError, match="--level"):
        plan_disavow(decided, level="everything")


def test_plan_made_chunk_by_chunk_decides_each_site_on_all_its_links():
    # spam.example's natural link comes in the last chunk: the site is no longer disavowed whole
    scores, features = _bad_links(
        "http://spam.example/1", "http://a.spam.example/2", "http://other.example/1", natural=("http://spam.example/3",)
    )
    decided = decide(scores, features)
    planner = DisavowPlanner("auto")
    planner.add(decided.iloc[:2])
    assert planner.plan().domains == ("spam.example",)
    planner.add(decided.iloc[2:])
    whole = plan_disavow(decided)
    assert planner.plan().domains == whole.domains == ("other.example",)
    assert planner.plan().urls == whole.urls == ("http://a.spam.example/2", "http://spam.example/1")


def test_idn_sites_are_written_as_punycode(tmp_path):
    from toxiclinks.urls import normalize_url

    scores, features = _bad_links(normalize_url("http://bücher-spam.example/x"))
    text = disavow_text(plan_disavow(decide(scores, features)))
    assert "domain:xn--bcher-spam-9db.example" in text and text.isascii()


def test_allowlist_file_forms_and_own_sites(tmp_path):
    allow = tmp_path / "allow.txt"
    allow.write_text(
        "# partners we trust\nnews.example\n*.partner.example  # every subdomain\n"
        "domain:friend.example\nhttps://blog.example/the-good-post\n"
    )
    allowlist = read_allowlist(allow, own=["mysite.example"])
    assert allowlist.allows("https://www.news.example/x") and not allowlist.allows("https://sub.news.example/x")
    assert allowlist.allows("https://a.b.partner.example/") and allowlist.allows("https://friend.example/")
    assert allowlist.allows("https://blog.example/the-good-post") and not allowlist.allows("https://blog.example/other")
    assert allowlist.allows("https://shop.mysite.example/")
    scores, features = _bad_links("https://www.news.example/x", "https://spam.example/1")
    decided = decide(scores, features, allowlist)
    assert decided[schema.DISAVOW].tolist() == [False, True]
    assert decided[schema.DECISION].iloc[0] == "kept: on your allowlist or one of your sites"


def test_a_bad_allowlist_line_is_a_clear_error(tmp_path):
    allow = tmp_path / "allow.txt"
    allow.write_text("good.example\nnot a domain at all\n")
    with pytest.raises(ToxiclinksError, match=r"allow.txt:2: not a domain"):
        read_allowlist(allow)


def test_the_targets_own_site_is_never_disavowed():
    scores, features = _scores_and_features([{"url": "https://blog.me.example/post"}])
    scores[schema.TARGET_URL] = "https://www.me.example/"
    assert decide(scores, features)[schema.DECISION].iloc[0] == "kept: the target's own site"


def test_merge_keeps_every_old_line_and_adds_only_what_is_new():
    old = read_disavow(OLD)
    plan = DisavowPlan(
        domains=("spam-links.example", "sub.casino-partner.example", "fresh-spam.example"),
        urls=("https://blog.example/guest-post", "http://spam-links.example/other", "https://new.example/p"),
        comments=("Disavow file written by toxiclinks",),
    )
    merged = merge_disavow(old, plan, "backlinks.csv")
    lines = merged.merged.splitlines()
    old_lines = OLD.read_bytes().decode("utf-8-sig").splitlines()
    for number, line in enumerate(old_lines, start=1):  # every line the user wrote is still there, in order
        expected = (
            line if number not in (13, 14) else f"# toxiclinks: kept as a comment, Google would reject it: {line}"
        )
        assert lines[number - 1] == expected
    assert merged.added_domains == ("fresh-spam.example",) and merged.added_urls == ("https://new.example/p",)
    assert merged.already_listed == 2  # domain:spam-links.example, the guest post
    assert merged.implied == 2  # sub.casino-partner.example and a URL under spam-links.example
    assert merged.invalid_kept_as_comments == (13, 14)
    assert (
        lines[len(old_lines) + 1].startswith("# added by toxiclinks") and "backlinks.csv" in lines[len(old_lines) + 1]
    )
    assert lines[-2:] == ["domain:fresh-spam.example", "https://new.example/p"]
    assert merged.new_entries.splitlines()[1:] == ["domain:fresh-spam.example", "https://new.example/p"]
    assert read_disavow_text_errors(merged.merged) == []


def read_disavow_text_errors(text):
    from toxiclinks.disavow import parse_disavow

    return parse_disavow(text).errors


def test_merging_nothing_new_leaves_the_file_as_it_was():
    old = read_disavow(OLD)
    merged = merge_disavow(old, DisavowPlan(domains=("spam-links.example",)), "x.csv")
    assert merged.added_domains == () and "added by toxiclinks" not in merged.merged


def test_scan_with_merge_writes_merged_and_new_only_files(tmp_path):
    from click.testing import CliRunner

    from toxiclinks.cli import main

    from conftest import EXAMPLE

    old = tmp_path / "current.txt"
    old.write_text("# my manual entries\ndomain:autoparts-deals.example\nhttps://old-spam.example/page\n")
    out = tmp_path / "disavow.txt"
    result = CliRunner().invoke(
        main,
        [
            "scan",
            str(EXAMPLE / "backlinks.csv"),
            "--pages",
            str(EXAMPLE / "pages.warc.gz"),
            "--offline",
            "-o",
            str(out),
            "--merge",
            str(old),
        ],
    )
    assert result.exit_code == 0, result.output
    merged = out.read_text().splitlines()
    assert merged[:3] == ["# my manual entries", "domain:autoparts-deals.example", "https://old-spam.example/page"]
    assert merged.count("domain:autoparts-deals.example") == 1  # already there: not added twice
    new_only = (tmp_path / "disavow.new.txt").read_text().splitlines()
    assert "domain:casino-news-daily.example" in new_only and "domain:autoparts-deals.example" not in new_only
    assert "added 6 domains and 0 URLs; skipped 1 already listed" in result.output


def _decision_of_one_link(row, feature, allowlist):
    """The rules of ``decide`` for one link, written out plainly: the reference the column-wise code must match."""
    from toxiclinks.disavow import site_of
    from toxiclinks.features import is_true

    if allowlist is not None and allowlist.allows(row[schema.SOURCE_URL]):
        return "kept: on your allowlist or one of your sites"
    if row[schema.LABEL] == "unknown":
        return "kept: page not read, cannot judge"
    if row.get(schema.LEVEL, "link") == "link" and not is_true(feature["link_found"]):
        return "kept: link no longer on the page"
    if row[schema.LABEL] != "artificial":
        return "kept: natural"
    if any(is_true(feature[flag]) for flag in ("link_nofollow", "link_sponsored", "link_ugc")):
        return "kept: link passes no PageRank (nofollow/sponsored/ugc)"
    target = row[schema.TARGET_URL]
    if is_true(feature["same_host"]) or (target and site_of(row[schema.SOURCE_URL]) == site_of(target)):
        return "kept: the target's own site"
    return "disavow"


def test_decisions_made_column_wise_follow_the_rules_link_by_link():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from toxiclinks.disavow import Allowlist

    urls = st.sampled_from(
        ["https://spam.example/1", "https://www.me.example/a", "https://friend.example/", "https://x.blogspot.com/p"]
    )
    flag = st.sampled_from([True, False, pd.NA])
    link = st.fixed_dictionaries(
        {
            "url": urls,
            "target": st.sampled_from(["https://me.example/", "", "https://friend.example/x"]),
            "label": st.sampled_from(["artificial", "natural", "unknown"]),
            "level": st.sampled_from(["link", "domain"]),
            **{name: flag for name in ("link_found", "link_nofollow", "link_sponsored", "link_ugc", "same_host")},
        }
    )

    @settings(max_examples=200, deadline=None)
    @given(st.lists(link, min_size=1, max_size=12), st.booleans())
    def check(rows, with_allowlist):
        scores = pd.DataFrame(
            {
                schema.SOURCE_URL: [r["url"] for r in rows],
                schema.TARGET_URL: [r["target"] for r in rows],
                schema.LABEL: [r["label"] for r in rows],
                schema.LEVEL: [r["level"] for r in rows],
                schema.PROBABILITY: 0.9,
            }
        )
        features = pd.DataFrame(
            {
                name: pd.array([r[name] for r in rows], dtype="boolean")
                for name in rows[0]
                if name.startswith(("link", "same"))
            }
        )
        allowlist = Allowlist(hosts=frozenset({"friend.example"})) if with_allowlist else None
        decided = decide(scores, features, allowlist)
        expected = [_decision_of_one_link(scores.iloc[i], features.iloc[i], allowlist) for i in range(len(rows))]
        assert decided[schema.DECISION].tolist() == expected
        assert decided[schema.DISAVOW].tolist() == [reason == "disavow" for reason in expected]

    check()

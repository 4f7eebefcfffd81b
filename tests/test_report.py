import pandas as pd

from toxiclinks import schema
from toxiclinks.disavow import DisavowPlan
from toxiclinks.report import report_html


def test_report_escapes_everything_from_pages_and_exports():
    scores = pd.DataFrame(
        [
            {
                schema.SOURCE_URL: "http://evil.example/<script>alert(1)</script>",
                schema.TARGET_URL: "",
                schema.ANCHOR: "<img src=x onerror=alert(2)>",
                schema.PROBABILITY: 0.95,
                schema.LABEL: "artificial",
                schema.REASONS: "anchor '<b>bold</b>'",
                schema.FETCH_STATUS: "ok",
                schema.DISAVOW: True,
                schema.DECISION: "disavow",
            }
        ]
    )
    page = report_html(scores, DisavowPlan(urls=("http://evil.example/<script>",)), "<export>.csv")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_report_counts_and_lists_unread_pages():
    scores = pd.DataFrame(
        [
            {
                schema.SOURCE_URL: "http://a.example/",
                schema.TARGET_URL: "",
                schema.ANCHOR: "",
                schema.PROBABILITY: None,
                schema.LABEL: "unknown",
                schema.REASONS: "",
                schema.FETCH_STATUS: "http_404",
                schema.DISAVOW: False,
                schema.DECISION: "kept",
            }
        ]
    )
    page = report_html(scores, DisavowPlan(), "x.csv")
    assert "<b>1</b>not read" in page and "http_404" in page
    assert '<td class="num" data-value="-1.0"> <span class="bar" style="width:0px">' in page  # unscored: no number
    assert "http://" not in page.split("<body>")[0].replace("http://a.example", "")  # no external resources


def _example_report():
    from toxiclinks.pipeline import scan
    from toxiclinks.settings import Settings

    from conftest import EXAMPLE

    result = scan(EXAMPLE / "backlinks.csv", Settings(pages_path=EXAMPLE / "pages.warc.gz", offline=True))
    return result, report_html(result.scores, result.plan, "backlinks.csv", result.features, result.threshold)


def test_report_groups_artificial_links_by_site_with_charts_and_the_threshold():
    result, page = _example_report()
    assert "autoparts-deals.example · 3 artificial links" in page
    assert (
        page.count("<details>")
        == result.scores["label"]
        .eq("artificial")
        .groupby(result.scores["source_url"].str.split("/").str[2].str.removeprefix("www."))
        .any()
        .sum()
    )
    assert page.count("<rect") >= 10 + 7  # ten histogram bins and seven anchor classes
    assert f"threshold {result.threshold:.2f}" in page
    assert "use keyword anchors" in page  # the over-optimisation note: most example anchors are money keywords
    assert 'id="search"' in page and 'class="sortable"' in page
    assert "http_404: 1" in page and "http_503: 1" in page


def test_a_large_report_shows_the_highest_links_and_counts_every_one(monkeypatch):
    from toxiclinks import report

    monkeypatch.setattr(report, "TABLE_ROWS", 3)
    scores = pd.DataFrame(
        {
            schema.SOURCE_URL: [f"http://site{n}.example/p" for n in range(10)],
            schema.TARGET_URL: "",
            schema.ANCHOR: "x",
            schema.PROBABILITY: [n / 10 for n in range(10)],
            schema.LABEL: ["artificial" if n >= 8 else "natural" for n in range(10)],
            schema.REASONS: "",
            schema.FETCH_STATUS: "ok",
            schema.DISAVOW: False,
            schema.DECISION: "kept",
        }
    )
    summary = report.ReportSummary(0.75)
    summary.add(scores.iloc[:6])
    summary.add(scores.iloc[6:])  # in two chunks, as a streamed scan adds them
    page = report.render_report(summary, DisavowPlan(), "x.csv")
    table = page.split('id="links"')[1].split("</table>")[0]
    assert [f"site{n}.example" in table for n in (9, 8, 7, 6)] == [True, True, True, False]
    assert "<b>10</b>backlinks" in page and "<b>2</b>artificial" in page
    assert "The 3 links most likely artificial of 10" in page
    assert summary.bins == [1] * 10


def test_the_highest_links_kept_chunk_by_chunk_are_those_of_one_sort_ties_and_unscored_included(monkeypatch):
    # once a table is full, only rows above its last one are let in: a tie must lose to the earlier row and
    # an unscored row (NaN) must come last, exactly as one stable sort of the whole export would have it
    import numpy as np

    from toxiclinks import report

    monkeypatch.setattr(report, "TABLE_ROWS", 4)
    rng = np.random.default_rng(5)
    probability = rng.integers(0, 6, size=120) / 5  # six values: ties everywhere
    probability[rng.random(120) < 0.2] = np.nan
    scores = pd.DataFrame(
        {
            schema.SOURCE_URL: [f"http://site{n % 9}.example/{n}" for n in range(120)],
            schema.TARGET_URL: "",
            schema.ANCHOR: "x",
            schema.PROBABILITY: probability,
            schema.LABEL: np.where(probability >= 0.6, "artificial", np.where(np.isnan(probability), "", "natural")),
            schema.REASONS: "",
            schema.FETCH_STATUS: "ok",
            schema.DISAVOW: False,
            schema.DECISION: "kept",
        }
    )
    whole = report.ReportSummary(0.6)
    whole.add(scores)
    for size in (1, 7, 50):
        chunked = report.ReportSummary(0.6)
        for start in range(0, len(scores), size):
            chunked.add(scores.iloc[start : start + size])
        expected = scores.sort_values(schema.PROBABILITY, ascending=False, na_position="last", kind="stable")
        assert chunked.top.index.tolist() == expected.index[:4].tolist()
        assert chunked.top_artificial.index.tolist() == whole.top_artificial.index.tolist()
        assert report.render_report(chunked, DisavowPlan(), "x.csv") == report.render_report(
            whole, DisavowPlan(), "x.csv"
        )
    sparse = report.ReportSummary(0.6)  # a full table ending in unscored rows: any scored row gets in
    sparse.add(scores.iloc[:4].assign(**{schema.PROBABILITY: [np.nan, 0.2, np.nan, np.nan], schema.LABEL: ""}))
    sparse.add(scores.iloc[4:7].assign(**{schema.PROBABILITY: [np.nan, 0.1, 0.9], schema.LABEL: ""}))
    assert sparse.top.index.tolist() == [6, 1, 5, 0]


def test_sites_from_the_features_are_the_sites_of_the_urls():
    # the report groups artificial links by site, taken from the features' registered domain (the host on a
    # shared platform): the same as site_of on every URL
    from toxiclinks.disavow import sites_of
    from toxiclinks.report import _sites
    from toxiclinks.triage import triage_features

    urls = [
        "https://www.a.example.co.uk/x",
        "https://someone.blogspot.com/post",
        "http://other.blogspot.com/",
        "https://b.example/",
        "http://10.0.0.1/x",
        "http://user@c.example:8080/y",
        "https://news.d.example/a?p=2",
    ]
    links = pd.DataFrame({schema.SOURCE_URL: urls, schema.TARGET_URL: "https://s.example/", schema.ANCHOR: "x"})
    links.index = pd.RangeIndex(10, 10 + len(urls))
    features = triage_features(links)
    assert _sites(links, features).tolist() == sites_of(urls)
    assert _sites(links.iloc[[1, 3]], features).tolist() == ["someone.blogspot.com", "b.example"]
    assert _sites(links, None).tolist() == sites_of(urls)


def test_counts_by_anchor_and_by_site_summed_across_chunks_are_those_of_a_plain_loop(monkeypatch):
    # anchors and sites are counted per chunk as arrays and summed now and then (here every few rows): the
    # anchors with spaces evened out, the sites' links, highest probability and disavowed links, and the
    # orders the report lists them in (ties in order of first appearance) must be a plain loop's
    from collections import Counter

    import numpy as np

    from toxiclinks import report

    monkeypatch.setattr(report, "_COMBINE_ROWS", 3)
    rng = np.random.default_rng(11)
    anchors = ["Shop", " Shop ", "shop", "best  kettle", "best kettle", "", "  ", "click\there", "click here", "x"]
    probability = rng.integers(0, 5, size=300) / 4
    scores = pd.DataFrame(
        {
            schema.SOURCE_URL: [f"http://www.site{rng.integers(0, 40)}.example/{n}" for n in range(300)],
            schema.TARGET_URL: "",
            schema.ANCHOR: [anchors[n % len(anchors)] for n in range(300)],  # counts that tie
            schema.PROBABILITY: probability,
            schema.LABEL: np.where(probability >= 0.5, "artificial", "natural"),
            schema.REASONS: "",
            schema.FETCH_STATUS: "ok",
            schema.DISAVOW: rng.random(300) < 0.3,
            schema.DECISION: "kept",
        }
    )
    expected_anchors: Counter[str] = Counter()
    expected_sites: dict[str, list[float]] = {}
    for row in scores.itertuples(index=False):
        expected_anchors[" ".join(row.anchor.split()) or "(empty)"] += 1
        if row.label == "artificial":
            site = expected_sites.setdefault(row.source_url.split("/")[2].removeprefix("www."), [0, 0.0, 0])
            site[0] += 1
            site[1] = max(site[1], row.probability)
            site[2] += int(row.disavow)
    summary = report.ReportSummary(0.5)
    for start in range(0, len(scores), 7):
        summary.add(scores.iloc[start : start + 7])
    assert report._most_common(summary.anchors(), 20) == expected_anchors.most_common(20)
    sites = summary.sites()
    ranked = sorted(expected_sites.items(), key=lambda item: -item[1][1])
    listed = sites.sort_values("highest", ascending=False, kind="stable")
    assert listed.index.tolist() == [site for site, _ in ranked]
    assert listed.to_numpy().tolist() == [values for _, values in ranked]
    page = report.render_report(summary, DisavowPlan(), "x.csv")
    assert page.index("(empty)") > page.index("Anchor texts of the profile")

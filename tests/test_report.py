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

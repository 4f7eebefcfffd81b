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

"""scan --no-fetch: triage from the export alone, no page read, nothing disavowed."""

import pandas as pd
from click.testing import CliRunner

from toxiclinks.cli import main
from toxiclinks.triage import load_triage_model, triage_features

from conftest import EXAMPLE


def test_no_fetch_scores_every_link_reads_no_page_and_disavows_nothing(tmp_path, http_server):
    export = tmp_path / "links.csv"
    urls = [http_server.url(f"/page{n}") for n in range(3)]
    export.write_text(
        "Referring page URL,Target URL,Anchor\n"
        + "".join(f"{url},https://shop.example/,cheap casino bonus\n" for url in urls)
    )
    out, scores = tmp_path / "disavow.txt", tmp_path / "scores.csv"
    result = CliRunner().invoke(
        main, ["scan", str(export), "--no-fetch", "--allow-private", "-o", str(out), "--scores", str(scores)]
    )
    assert result.exit_code == 0, result.output
    assert http_server.hits == {}  # not one request
    table = pd.read_csv(scores)
    assert len(table) == 3 and table["reasons"].str.startswith("triage, no page read").all()
    assert table["probability"].between(0, 1).all() and not table["disavow"].any()
    assert [line for line in out.read_text().splitlines() if not line.startswith("#")] == []


def test_triage_ranks_a_spam_style_domain_above_an_editorial_one():
    model = load_triage_model()
    links = pd.DataFrame(
        {
            "source_url": [
                "http://free-seo-backlinks-4u.xyz/links.html",
                "https://www.theguardian.com/science/2026/jan",
            ],
            "target_url": ["https://shop.example/"] * 2,
            "anchor": ["buy cheap viagra online", "this study"],
        }
    )
    probability = model.predict_proba(triage_features(links))
    assert probability[0] > 0.8 > 0.3 > probability[1]
    reasons = model.explain(triage_features(links))
    assert any("spam" in reason for reason in reasons[0])


def test_triage_of_the_example_is_fast_and_complete(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "scan",
            str(EXAMPLE / "backlinks.csv"),
            "--no-fetch",
            "-o",
            str(tmp_path / "d.txt"),
            "--report",
            str(tmp_path / "r.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "21 backlinks" in result.output and "0 domains, 0 URLs" in result.output
    assert "triage, no page read" in (tmp_path / "r.html").read_text()

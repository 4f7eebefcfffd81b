"""The review loop: least-sure links first, labels filled in, retrain, and the next sheet skips what was labelled."""

import pandas as pd
from click.testing import CliRunner

from toxiclinks.cli import main

from conftest import EXAMPLE

OFFLINE = ["--pages", str(EXAMPLE / "pages.warc.gz"), "--offline"]


def _truth():
    labelled = pd.read_csv(EXAMPLE / "labelled.csv", keep_default_na=False)
    return dict(zip(labelled["Referring page URL"], labelled["Label"], strict=True))


def test_review_train_review_again(tmp_path):
    first, model, second = tmp_path / "review-1.csv", tmp_path / "mine.joblib", tmp_path / "review-2.csv"
    result = CliRunner().invoke(main, ["review", str(EXAMPLE / "backlinks.csv"), *OFFLINE, "-o", str(first)])
    assert result.exit_code == 0, result.output
    assert "19 links to label, least sure first; 0 labelled links carried over" in result.output
    sheet = pd.read_csv(first, keep_default_na=False)
    assert list(sheet.columns[:4]) == ["label", "source_url", "target_url", "anchor"]
    assert (sheet["label"] == "").all()
    threshold = 0.7867  # the shipped model's
    distance = (sheet["probability"] - threshold).abs()
    assert distance.is_monotonic_increasing  # least sure first

    truth = _truth()
    sheet.loc[:14, "label"] = sheet.loc[:14, "source_url"].map(lambda url: truth[url])  # a person labels 15 links
    sheet.to_csv(first, index=False)
    trained = CliRunner().invoke(main, ["train", str(first), *OFFLINE, "-o", str(model)])
    assert trained.exit_code == 0, trained.output
    assert "trained on 15 labelled links" in trained.output

    again = CliRunner().invoke(
        main,
        [
            "review",
            str(EXAMPLE / "backlinks.csv"),
            *OFFLINE,
            "--model",
            str(model),
            "--labelled",
            str(first),
            "-o",
            str(second),
        ],
    )
    assert again.exit_code == 0, again.output
    assert "4 links to label, least sure first; 15 labelled links carried over" in again.output
    next_sheet = pd.read_csv(second, keep_default_na=False)
    asked, carried = next_sheet.iloc[:4], next_sheet.iloc[4:]
    assert (asked["label"] == "").all()
    assert not set(asked["source_url"]) & set(sheet.loc[:14, "source_url"])  # labelled links are not asked again
    assert dict(zip(carried["source_url"], carried["label"], strict=True)) == {
        url: truth[url] for url in sheet.loc[:14, "source_url"]
    }


def test_a_broken_previous_sheet_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = CliRunner().invoke(
        main,
        ["review", str(EXAMPLE / "backlinks.csv"), *OFFLINE, "--labelled", str(bad), "-o", str(tmp_path / "r.csv")],
    )
    assert result.exit_code != 0 and "not a review sheet" in result.output
    assert not (tmp_path / "r.csv").exists()

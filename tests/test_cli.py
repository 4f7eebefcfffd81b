import os
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from toxiclinks.cli import main
from toxiclinks.disavow import validate_lines
from toxiclinks.errors import ToxiclinksError

from conftest import EXAMPLE

GOOGLE_LINE = re.compile(r"^(#.*|domain:[a-z0-9.-]+\.[a-z0-9-]+|https?://\S+)$")

ARTIFICIAL_EXAMPLE_DOMAINS = {
    "free-web-directory.example",  # thin directory pages of links
    "linkhub-pro.example",
    "casino-news-daily.example",  # paid post off topic, exact-match anchor
    "autoparts-deals.example",  # footer link block on every page
    "wanderer-travels.example",  # comment spam
    "garden-tips.example",  # hidden link
    "betting-tips-daily.example",  # sidebar widget
}
EDITORIAL_EXAMPLE_DOMAINS = {
    "leafandcup.example",
    "teahouse-talk.example",
    "dailybrew-news.example",
    "homecooking.example",
    "coffeeandtea-guide.example",
    "teeblog.example",
}


def run(args, cwd):
    """Run the CLI in an empty directory ``cwd``; return the result and the files it left there."""
    cwd = Path(cwd) / "run"
    cwd.mkdir()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(previous)
    files = {path.name: path.read_text(encoding="utf-8") for path in cwd.iterdir() if path.is_file()}
    return result, files


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    args = [
        "scan",
        str(EXAMPLE / "backlinks.csv"),
        "--pages",
        str(EXAMPLE / "pages.warc.gz"),
        "-o",
        "disavow.txt",
        "--scores",
        "scores.csv",
        "--report",
        "report.html",
    ]
    return run(args, tmp_path_factory.mktemp("scan"))


def test_scan_example_writes_a_valid_disavow_file(example_run):
    result, files = example_run
    assert result.exit_code == 0, result.output
    lines = files["disavow.txt"].splitlines()
    assert lines, "the disavow file is empty"
    for line in lines:
        assert GOOGLE_LINE.match(line), f"not Google's format: {line!r}"
    assert list(validate_lines(lines)) == []
    assert files["disavow.txt"].encode("utf-8").decode("ascii")  # 7-bit ASCII, a subset of UTF-8


def test_scan_example_disavows_the_artificial_and_keeps_the_editorial(example_run):
    _, files = example_run
    entries = [line for line in files["disavow.txt"].splitlines() if not line.startswith("#")]
    disavowed = {
        line.removeprefix("domain:").split("/")[2] if "://" in line else line.removeprefix("domain:")
        for line in entries
    }
    assert ARTIFICIAL_EXAMPLE_DOMAINS <= disavowed
    assert not disavowed & EDITORIAL_EXAMPLE_DOMAINS
    assert "bake-simple.example" not in disavowed  # artificial-looking, but nofollow: passes nothing


def test_scan_example_scores_csv_has_one_row_per_backlink(example_run, tmp_path):
    _, files = example_run
    path = tmp_path / "scores.csv"
    path.write_text(files["scores.csv"], encoding="utf-8")
    scores = pd.read_csv(path)
    export = pd.read_csv(EXAMPLE / "backlinks.csv")
    assert len(scores) == len(export)
    for column in ("source_url", "target_url", "anchor", "probability", "label", "reasons", "fetch_status"):
        assert column in scores.columns
    assert set(scores["label"]) == {"artificial", "natural", "unknown"}
    assert scores["reasons"].notna().all()
    unread = scores[scores["label"] == "unknown"]
    assert set(unread["fetch_status"]) == {"http_404", "http_503"} and unread["probability"].isna().all()


def test_scan_example_report_is_self_contained_html(example_run):
    _, files = example_run
    report = files["report.html"]
    assert report.startswith("<!doctype html>") and "Backlink audit" in report
    assert not re.search(r"""(src|href)=["']https?://""", report)  # nothing loaded from the network


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("", "the file is empty"),
        ("title,words\nhello,3\n", "no column of referring page URLs"),
    ],
)
def test_bad_exports_fail_in_one_line_and_write_nothing(tmp_path, content, message):
    export = tmp_path / "export.csv"
    if content is not None:
        export.write_text(content)
    result, files = run(["scan", str(export), "-o", "disavow.txt", "--scores", "s.csv", "--report", "r.html"], tmp_path)
    assert result.exit_code != 0
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert files == {}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_an_export_given_as_a_pipe_fails_in_one_line_and_writes_nothing(tmp_path):
    # toxiclinks scan <(zcat export.csv.gz): an export is read more than once, a pipe only once
    import threading

    export = tmp_path / "export.csv"
    os.mkfifo(export)

    def write() -> None:
        try:
            with open(export, "w") as stream:  # waits for the reader to open the pipe
                stream.write((EXAMPLE / "backlinks.csv").read_text())
        except BrokenPipeError:
            pass  # the reader gave up on it: as it should

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    result, files = run(["scan", str(export), "--no-fetch", "-o", "disavow.txt"], tmp_path)
    writer.join(timeout=10)
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == f"Error: {export}: a pipe, which can be read only once; save it to a file and give its path"
    )
    assert files == {}


def test_unwritable_output_fails_before_any_work(tmp_path):
    result, _ = run(["scan", str(EXAMPLE / "backlinks.csv"), "-o", "no/such/dir/disavow.txt"], tmp_path)
    assert result.exit_code != 0 and "no such directory" in result.output


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0 and "Example" in top.output
    for name, command in main.commands.items():
        output = runner.invoke(main, [name, "--help"]).output
        assert "Example" in output, f"'{name} --help' has no example"
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, f"option {param.opts} of {name} has no help"


def test_outputs_get_the_usual_file_mode(tmp_path):
    result, _ = run(["scan", str(EXAMPLE / "backlinks.csv"), "--pages", str(EXAMPLE / "pages.warc.gz")], tmp_path)
    assert result.exit_code == 0
    mode = (tmp_path / "run" / "disavow.txt").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_features_command_writes_one_row_per_backlink_with_every_column(tmp_path):
    from toxiclinks.features import FEATURES

    args = [
        "features",
        str(EXAMPLE / "backlinks.csv"),
        "--pages",
        str(EXAMPLE / "pages.warc.gz"),
        "--offline",
        "-o",
        "features.csv",
    ]
    result, _ = run(args, tmp_path)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "run" / "features.csv")
    assert len(table) == len(pd.read_csv(EXAMPLE / "backlinks.csv"))
    assert list(table.columns[:3]) == ["source_url", "target_url", "anchor"]
    assert {feature.name for feature in FEATURES} <= set(table.columns)
    assert "metric_domain_rating" in table.columns


def test_features_command_in_chunks_writes_the_table_of_the_whole_export_as_csv_and_parquet(tmp_path):
    from toxiclinks.pipeline import feature_table, write_table
    from toxiclinks.settings import Settings

    whole = feature_table(EXAMPLE / "backlinks.csv", Settings(pages_path=EXAMPLE / "pages.warc.gz", offline=True))
    write_table(whole, tmp_path / "whole.csv")
    write_table(whole, tmp_path / "whole.parquet")
    args = ["features", str(EXAMPLE / "backlinks.csv"), "--pages", str(EXAMPLE / "pages.warc.gz"), "--offline"]
    for name in ("features.csv", "features.parquet"):
        result = CliRunner().invoke(main, [*args, "--chunk-links", "4", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert f"21 rows, {len(whole.columns)} columns written" in result.output
    assert (tmp_path / "features.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    from_parquet = pd.read_parquet(tmp_path / "features.parquet")
    pd.testing.assert_frame_equal(from_parquet, pd.read_parquet(tmp_path / "whole.parquet"), check_exact=True)


def test_a_column_empty_in_the_first_chunk_gets_its_type_from_a_later_one_in_parquet(tmp_path):
    from toxiclinks.pipeline import write_table

    chunks = [
        pd.DataFrame({"url": ["a", "b"], "language": [None, None], "words": [1.0, 2.0]}),
        pd.DataFrame({"url": ["c"], "language": ["de"], "words": [3.0]}),
    ]
    assert write_table(iter(chunks), tmp_path / "t.parquet") == (3, 3)
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert back["language"].tolist()[2] == "de" and back["language"].isna().tolist() == [True, True, False]
    assert back["words"].tolist() == [1.0, 2.0, 3.0]
    one = pd.DataFrame({"url": ["a"], "language": ["en"]})
    assert write_table(one, tmp_path / "one.parquet") == (1, 2)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one.parquet"), one)
    for name in ("none.csv", "none.parquet"):  # no chunk at all: an error, and no file
        with pytest.raises(ToxiclinksError, match="no table to write"):
            write_table(iter([]), tmp_path / name)
        assert not (tmp_path / name).exists() and not list(tmp_path.glob(f".{name}*"))


def test_all_features_adds_every_signal_to_the_scores(tmp_path):
    from toxiclinks.features import FEATURES

    args = [
        "scan",
        str(EXAMPLE / "backlinks.csv"),
        "--pages",
        str(EXAMPLE / "pages.warc.gz"),
        "--offline",
        "--scores",
        "scores.csv",
        "--all-features",
    ]
    result, _ = run(args, tmp_path)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "run" / "scores.csv")
    assert list(table.columns[:10]) == [
        "source_url",
        "target_url",
        "anchor",
        "probability",
        "label",
        "reasons",
        "fetch_status",
        "level",
        "disavow",
        "decision",
    ]
    assert {feature.name for feature in FEATURES} - {"fetch_status"} <= set(table.columns)


def test_a_scan_needs_nothing_of_dask(tmp_path, monkeypatch):
    """Without the [dask] extra (its modules made unimportable) a scan runs unchanged, with the same disavow file."""
    import sys

    for module in [name for name in sys.modules if name.split(".")[0] in ("dask", "distributed", "fsspec")]:
        monkeypatch.delitem(sys.modules, module)
    for module in ("dask", "distributed", "fsspec"):
        monkeypatch.setitem(sys.modules, module, None)
    arguments = ["--pages", str(EXAMPLE / "pages.warc.gz"), "--offline", "--no-cache"]
    result = CliRunner().invoke(
        main, ["scan", str(EXAMPLE / "backlinks.csv"), "-o", str(tmp_path / "d.txt"), *arguments]
    )
    assert result.exit_code == 0, result.output
    entries = [line for line in (tmp_path / "d.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert len(entries) == 7 and all(entry.startswith("domain:") for entry in entries)


def test_scan_hands_freed_page_buffers_back_without_overriding_the_user(monkeypatch):
    # worker processes started after it read the threshold from the environment; a user's own setting wins
    from toxiclinks.pipeline import MMAP_THRESHOLD, hand_freed_buffers_back

    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    hand_freed_buffers_back()
    assert os.environ["MALLOC_MMAP_THRESHOLD_"] == str(MMAP_THRESHOLD)
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    hand_freed_buffers_back()
    assert os.environ["MALLOC_MMAP_THRESHOLD_"] == "65536"

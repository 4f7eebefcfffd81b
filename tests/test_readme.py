"""The README's set-up commands and worked example are checked against the code, so they cannot rot."""

import re

import pandas as pd
from click.testing import CliRunner

from toxiclinks.cli import EXAMPLE as CLI_EXAMPLE
from toxiclinks.cli import main

from conftest import EXAMPLE, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
TOP = README.split("---", 1)[0]


def test_exactly_two_one_line_setup_commands_at_the_top():
    blocks = re.findall(r"```\n(.*?)```", TOP, re.DOTALL)
    assert len(blocks) == 2
    assert all(block.count("\n") == 1 for block in blocks), "each set-up command is one line"
    run_example, run_tests = (block.strip() for block in blocks)
    assert run_example.startswith("python3 -m venv .venv && ")
    assert run_example.endswith(CLI_EXAMPLE.replace("toxiclinks scan", ".venv/bin/toxiclinks scan"))
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert run_tests in ci, ".ci/run must run the README's test command"


def test_worked_example_output_is_what_the_cli_prints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["scan", str(EXAMPLE / "backlinks.csv"), "--pages", str(EXAMPLE / "pages.warc.gz"), "-o", "disavow.txt"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    quoted = re.search(r"\$ toxiclinks scan .*?\n(.*?)```", README, re.DOTALL).group(1)
    assert quoted.strip() == result.output.strip()
    entries = [line for line in (tmp_path / "disavow.txt").read_text().splitlines() if not line.startswith("#")]
    quoted_block = re.search(r"`disavow.txt`, ready for Google Search Console:\n\n```\n(.*?)```", README, re.DOTALL)
    quoted_entries = [line for line in quoted_block.group(1).splitlines() if not line.startswith("#")]
    assert quoted_entries == entries


def test_the_readme_scans_the_links_triage_flags_from_its_scores_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    triage = ["scan", str(EXAMPLE / "backlinks.csv"), "--no-fetch", "-o", "t.txt", "--scores", "triage.csv"]
    assert runner.invoke(main, triage).exit_code == 0
    block = re.search(r"```\n(python -c .*?triage\.csv.*?)\n(toxiclinks scan flagged\.csv .*?)\n```", README, re.DOTALL)
    code = re.fullmatch(r'python -c "(.*)"', block.group(1)).group(1)
    exec(code, {})  # the README's filter, as written: the triage scores file is an export toxiclinks reads
    flagged = pd.read_csv("flagged.csv")
    ranked = pd.read_csv("triage.csv")
    assert 0 < len(flagged) < len(ranked) and (flagged["probability"] >= 0.5).all()
    offline = ["--pages", str(EXAMPLE / "pages.warc.gz"), "--offline", "--no-cache", "-o", "d.txt"]
    result = runner.invoke(main, [*block.group(2).split()[1:], *offline])
    assert result.exit_code == 0, result.output
    scanned = pd.read_csv("scores.csv")
    assert scanned["source_url"].tolist() == flagged["source_url"].tolist()
    assert not scanned["reasons"].str.startswith("triage").any()  # judged on their pages this time
    assert (scanned["fetch_status"] == "ok").any() and (tmp_path / "report.html").exists()

"""The report as a person sees it: rendered by a real headless Chromium, screenshot checked."""

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from toxiclinks.cli import main

from conftest import EXAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Chromium (Debian package 'chromium'; .ci/run installs it when it can)"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(
        main,
        [
            "scan",
            str(EXAMPLE / "backlinks.csv"),
            "--pages",
            str(EXAMPLE / "pages.warc.gz"),
            "--offline",
            "-o",
            str(folder / "d.txt"),
            "--report",
            str(folder / "report.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    return folder / "report.html"


def _chromium(tmp_path, *args):
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done


def test_report_screenshot_shows_the_audit(report, tmp_path):
    from matplotlib.image import imread

    png = tmp_path / "report.png"
    _chromium(tmp_path, "--window-size=1280,900", f"--screenshot={png}", report.as_uri())
    image = imread(png)[:, :, :3]
    assert image.shape[:2] == (900, 1280)
    assert image.std() > 0.05  # not a blank page
    luminance = image.mean(axis=2)
    assert (luminance[:130] < 0.35).mean() > 0.003  # the title and counts are drawn as text at the top
    red = (image[:, :, 0] > 0.55) & (image[:, :, 1] < 0.3) & (image[:, :, 2] < 0.3)
    assert red.sum() > 800  # the artificial bars of the histogram and the red counts


def test_report_script_runs_in_the_browser(report, tmp_path):
    dom = _chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    assert "Artificial links by referring site" in dom
    assert 'data-sort=""' in dom  # set by the report's script on every sortable header: the script ran
    assert "<svg" in dom and "threshold" in dom

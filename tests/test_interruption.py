"""Interrupted runs lose nothing: Ctrl-C while fetching resumes from the cache; an output is whole or absent."""

import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from toxiclinks import files
from toxiclinks.cache import PageCache
from toxiclinks.fetch import fetch_pages
from toxiclinks.files import write_atomic
from toxiclinks.settings import Settings

from conftest import ROOT, Response


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_a_fetch_stopped_mid_run_resumes_with_only_the_rest(http_server, tmp_path, stop):
    for number in range(30):
        http_server.routes[f"/p{number}"] = Response(200, f"<p>{number}</p>".encode(), delay=0.1)
    urls = [http_server.url(f"/p{number}") for number in range(30)]
    export = tmp_path / "urls.txt"
    export.write_text("\n".join(urls) + "\n")
    cache = tmp_path / "cache.sqlite"
    # A suite run in the background (a shell's `&`) ignores SIGINT, and a child inherits an ignored signal:
    # give the child the default handling, as a terminal gives it, so Ctrl-C is really tested.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = _start_fetch(export, cache)
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 30
    while sum(http_server.hits.values()) < 8 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(stop)
    _, err = process.communicate(timeout=30)
    assert process.returncode != 0
    if stop == signal.SIGINT:
        assert "Traceback" not in err  # click says "Aborted!", no traceback
    with sqlite3.connect(cache) as db:
        saved = {row[0] for row in db.execute("SELECT url FROM pages")}
    assert 0 < len(saved) < 30  # what was fetched before the stop is kept
    before = dict(http_server.hits)
    with PageCache(cache) as resumed:
        pages = fetch_pages(urls, Settings(allow_private=True, respect_robots=False, host_delay=0), resumed)
    assert all(page.ok for page in pages.values())
    fetched_again = {path for path, count in http_server.hits.items() if count > before.get(path, 0)}
    assert not {url.removeprefix(http_server.base_url) for url in saved} & fetched_again


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "disavow.txt"
    target.write_text("domain:old.example\n")

    def failing_fsync(descriptor):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "domain:new.example\n" * 1000)
    assert target.read_text() == "domain:old.example\n"
    assert [path.name for path in tmp_path.iterdir()] == ["disavow.txt"]


def _whole(path):
    text = path.read_text()
    return text.endswith("</html>\n") if path.suffix == ".html" else text.endswith("\n")


def test_killing_a_scan_never_leaves_a_half_written_output(http_server, tmp_path):
    for number in range(10):
        http_server.routes[f"/p{number}"] = Response(200, b"<p>x</p>")
    export = tmp_path / "urls.txt"
    export.write_text("".join(f"{http_server.url(f'/p{number}')}\n" for number in range(10)))
    outputs = [tmp_path / name for name in ("d.txt", "s.csv", "r.html")]
    command = [
        sys.executable,
        "-m",
        "toxiclinks",
        "scan",
        str(export),
        "--site",
        "shop.example",
        "--allow-private",
        "--ignore-robots",
        "--no-cache",
        "--delay",
        "0",
        "-q",
        "-o",
        str(outputs[0]),
        "--scores",
        str(outputs[1]),
        "--report",
        str(outputs[2]),
    ]
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    duration = time.monotonic() - started
    assert all(_whole(path) for path in outputs)  # an uninterrupted run writes every output whole
    for path in outputs:
        path.unlink()
    for step in range(12):  # kills spread over the whole run, the writing at its end included
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * (0.55 + step * 0.05))
        process.kill()
        process.wait()
        for path in outputs:
            assert not path.exists() or _whole(path), path


def _start_fetch(export, cache):
    """``toxiclinks fetch`` of ``export`` into ``cache``, in a process of its own."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "toxiclinks",
            "fetch",
            str(export),
            "--cache",
            str(cache),
            "--allow-private",
            "--ignore-robots",
            "--quiet",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

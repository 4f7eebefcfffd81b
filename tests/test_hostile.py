"""Hostile pages, written for these tests, through the whole scan: each ends as a scored row or a recorded error.

The scan runs in a subprocess so that its time and memory can be bounded from outside (a hang detector and
a memory ceiling, not speed claims).
"""

import os
import resource
import subprocess
import sys

import pandas as pd

from conftest import ROOT, Response

TARGET = "https://shop.example/"
LINK = f'<a href="{TARGET}">shop</a>'


def hostile_pages() -> dict[str, Response]:
    html = {"Content-Type": "text/html"}
    return {
        "/deep": Response(200, ("<div>" * 100_000 + f"deep {LINK}" + "</div>" * 100_000).encode(), html),
        "/many-links": Response(
            200,
            (
                "<p>" + "".join(f'<a href="http://l{i}.example/">x</a> ' for i in range(100_000)) + LINK + "</p>"
            ).encode(),
            html,
        ),
        "/huge": Response(200, b"<p>" + b"spam words " * 5_000_000 + b"</p>", html),  # 55 MB
        "/broken": Response(200, f"<html><body><p>unclosed <b><i>tags <table><tr><td>{LINK}<div".encode(), html),
        "/script-only": Response(200, b"<script>" + b"document.write('x');" * 1000 + b"</script>", html),
        "/refresh-loop": Response(
            200, f'<meta http-equiv="refresh" content="0; url=/refresh-loop"><p>{LINK}</p>'.encode(), html
        ),
        "/wrong-charset": Response(
            200,
            f"<meta charset='utf-8'><p>Gr\xfc\xdfe {LINK}</p>".encode("latin-1"),
            {"Content-Type": "text/html; charset=utf-8"},
        ),
        "/unknown-charset": Response(
            200, f"<p>caf\u00e9 {LINK}</p>".encode(), {"Content-Type": "text/html; charset=x-nope"}
        ),
        "/binary": Response(200, bytes(range(256)) * 4000, html),
        "/png-as-html": Response(200, b"\x89PNG\r\n\x1a\n" + os.urandom(50_000), html),
        "/empty": Response(200, b"", html),
        "/nul": Response(200, b"<p>\x00\x00" + LINK.encode() + b"\x00</p>", html),
    }


def test_every_hostile_page_ends_as_a_row_within_bounds(http_server, tmp_path):
    pages = hostile_pages()
    http_server.routes.update(pages)
    export = tmp_path / "hostile.csv"
    export.write_text(
        "Referring page URL,Target URL,Anchor\n" + "".join(f"{http_server.url(path)},{TARGET},shop\n" for path in pages)
    )
    scores = tmp_path / "scores.csv"
    command = [
        sys.executable,
        "-m",
        "toxiclinks",
        "scan",
        str(export),
        "--allow-private",
        "--ignore-robots",
        "--no-cache",
        "--retries",
        "0",
        "--timeout",
        "5",
        "-q",
        "-o",
        str(tmp_path / "d.txt"),
        "--scores",
        str(scores),
        "--report",
        str(tmp_path / "r.html"),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    assert peak_mb < 2000, f"peak memory {peak_mb:.0f} MB"
    table = pd.read_csv(scores, keep_default_na=False)
    status = dict(zip(table["source_url"].str.rsplit("/", n=1).str[-1], table["fetch_status"], strict=True))
    assert len(table) == len(pages)
    assert status["huge"] == "error:too_large"  # cut off at 5 MB while streaming
    assert all(value in ("ok", "error:too_large") for value in status.values()), status
    labels = dict(zip(table["source_url"].str.rsplit("/", n=1).str[-1], table["label"], strict=True))
    assert all(labels[name] in ("artificial", "natural") for name in status if status[name] == "ok")


def test_names_that_resolve_to_loopback_are_refused(http_server):
    from toxiclinks.fetch import fetch_page
    from toxiclinks.settings import Settings

    http_server.routes["/secret"] = Response(200, b"<p>internal</p>")
    port = http_server.base_url.rsplit(":", 1)[1]
    page = fetch_page(f"http://localhost:{port}/secret", Settings(retries=0))
    assert page.status == "error:private_address" and http_server.hits == {}

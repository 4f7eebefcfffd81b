"""Shared fixtures: paths to the bundled example, ../shared, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE = ROOT / "data" / "example"
SHARED = ROOT.parent / "shared"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked ``shared`` when ../shared is not beside the repository."""
    if (SHARED / "data" / "webspam-uk2006" / "train.csv").is_file():
        return
    skip = pytest.mark.skip(reason=f"needs the real data in {SHARED}, which is absent")
    for item in items:
        if "shared" in item.keywords:
            item.add_marker(skip)


@dataclass
class Response:
    """What the test server answers for one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0


@dataclass
class LoopbackServer:
    """A real HTTP server on 127.0.0.1 serving ``routes``; ``hits`` counts requests per path."""

    base_url: str
    routes: dict[str, Response | Callable[[], Response]]
    hits: dict[str, int]

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    routes: dict[str, Response | Callable[[], Response]] = {}
    hits: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits[self.path] = hits.get(self.path, 0) + 1
            route = routes.get(self.path)
            response = route() if callable(route) else route
            if response is None:
                response = Response(404, b"<h1>not found</h1>")
            time.sleep(response.delay)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LoopbackServer(f"http://127.0.0.1:{server.server_address[1]}", routes, hits)
    finally:
        server.shutdown()
        server.server_close()


def gzip_bytes(data: bytes) -> bytes:
    """Gzip ``data`` for a Content-Encoding: gzip response."""
    return gzip.compress(data)

"""Shared fixtures: paths to the bundled example, ../shared, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import io
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

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


@pytest.fixture(autouse=True)
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default page cache lives in a temporary folder, never in the user's home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture(autouse=True)
def allocator_variables_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan sets the allocators' variables for the workers it starts (``workers.set_triage_environment``,
    ``pipeline.hand_freed_buffers_back``): each test starts without them and leaves none behind."""
    from toxiclinks.workers import TRIAGE_ENVIRONMENT

    for name in TRIAGE_ENVIRONMENT:  # the full scan's MALLOC_MMAP_THRESHOLD_ among them
        monkeypatch.delenv(name, raising=False)


@dataclass
class Response:
    """What the test server answers for one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0


@dataclass
class LoopbackServer:
    """A real HTTP server on 127.0.0.1 serving ``routes``.

    ``hits`` counts requests per path; ``peak`` is the most requests it ever had
    in flight at once; ``starts`` the monotonic time each request arrived.
    """

    base_url: str
    routes: dict[str, Response | Callable[[], Response]]
    hits: dict[str, int]
    peak: list[int] = field(default_factory=lambda: [0])
    starts: list[float] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    routes: dict[str, Response | Callable[[], Response]] = {}
    hits: dict[str, int] = {}
    lock = threading.Lock()
    in_flight = [0]
    state = LoopbackServer("", routes, hits)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with lock:
                hits[self.path] = hits.get(self.path, 0) + 1
                in_flight[0] += 1
                state.peak[0] = max(state.peak[0], in_flight[0])
                state.starts.append(time.monotonic())
            try:
                route = routes.get(self.path)
                response = route() if callable(route) else route
                if response is None:
                    response = Response(404, b"<h1>not found</h1>")
                if response.status == 0:  # reset the connection without answering
                    self.connection.shutdown(2)
                    self.close_connection = True
                    return
                time.sleep(response.delay)
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)
            finally:
                with lock:
                    in_flight[0] -= 1

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        yield state
    finally:
        server.shutdown()
        server.server_close()


def gzip_bytes(data: bytes) -> bytes:
    """Gzip ``data`` for a Content-Encoding: gzip response."""
    return gzip.compress(data)


def write_warc(path: Path, records: list[tuple[str, str, str, bytes]], gzip_records: bool = True) -> Path:
    """Write HTTP responses (URL, status line, Content-Type, body) to a WARC file, as warcio writes one.

    A status of 3xx takes its body as the Location header instead.
    """
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gzip_records)
        for url, status, content_type, body in records:
            fields = [("Content-Type", content_type)]
            if status.startswith("3"):
                fields, body = [*fields, ("Location", body.decode())], b""
            headers = StatusAndHeaders(status, fields, protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            )
    return path

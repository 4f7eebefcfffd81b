"""A few thousand pages from faulty loopback servers: every failure recorded, only transient ones retried."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from toxiclinks.fetch import fetch_pages
from toxiclinks.settings import Settings

HOSTS = 8
PAGES = 2000
#: fault by page number modulo 20: (fault, expected status, requests expected with one retry)
FAULTS = {
    0: ("slow", "error:timeout", 2),  # no answer before the read timeout: retried
    1: ("reset", "error:connection", 2),  # the connection is closed without an answer: retried
    2: ("truncated", "error:connection", 2),  # fewer bytes than Content-Length: retried
    3: ("server-error", "http_500", 1),  # a 500 is an answer: not retried
    4: ("busy-then-ok", "ok", 2),  # 503 with Retry-After: 0, then the page
    5: ("hang-after-headers", "error:timeout", 2),  # headers, then silence
    6: ("forbidden", "http_403", 1),  # a cloaking 403: recorded, not retried
}


class FaultyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: ClassVar[dict[str, int]] = {}
    lock = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            self.hits[self.path] = self.hits.get(self.path, 0) + 1
            attempt = self.hits[self.path]
        number = int(self.path.strip("/").removeprefix("p"))
        fault = FAULTS.get(number % 20, ("ok", "ok", 1))[0]
        body = f"<html><body><p>page {number}</p></body></html>".encode()
        if fault == "slow":
            time.sleep(0.6)
        elif fault == "reset":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        elif fault == "server-error" or fault == "forbidden" or (fault == "busy-then-ok" and attempt == 1):
            code = {"server-error": 500, "forbidden": 403}.get(fault, 503)
            self._answer(code, b"no", {"Retry-After": "0"})
            return
        elif fault in ("truncated", "hang-after-headers"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body) + 500))
            self.end_headers()
            self.wfile.write(body[:20])
            self.wfile.flush()
            if fault == "hang-after-headers":
                time.sleep(0.6)
            self.close_connection = True
            return
        self._answer(200, body, {})

    def _answer(self, code: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def faulty_servers():
    FaultyHandler.hits = {}
    first = ThreadingHTTPServer(("127.0.0.1", 0), FaultyHandler)
    port = first.server_address[1]
    servers = [first] + [ThreadingHTTPServer((f"127.0.0.{n}", port), FaultyHandler) for n in range(2, HOSTS + 1)]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield port
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_few_thousand_faulty_pages(faulty_servers):
    port = faulty_servers
    urls = [f"http://127.0.0.{1 + n % HOSTS}:{port}/p{n}" for n in range(PAGES)]
    settings = Settings(
        allow_private=True,
        respect_robots=False,
        use_cache=False,
        workers=2 * HOSTS,
        host_delay=0.0,
        connect_timeout=2,
        timeout_seconds=0.3,
        retries=1,
        backoff_seconds=0.01,
    )
    pages = fetch_pages(urls, settings)
    assert len(pages) == PAGES
    injected = 0
    for number, url in enumerate(urls):
        _, expected_status, expected_hits = FAULTS.get(number % 20, ("ok", "ok", 1))
        injected += number % 20 in FAULTS and FAULTS[number % 20][0] != "ok"
        assert pages[url].status == expected_status, (url, pages[url].status)
        assert FaultyHandler.hits[f"/p{number}"] == expected_hits, (url, FaultyHandler.hits[f"/p{number}"])
    assert injected == PAGES * len(FAULTS) // 20 == 700

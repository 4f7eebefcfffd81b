"""Fetching and feature extraction on a Dask cluster: a LocalCluster against real HTTP servers on loopback."""

from __future__ import annotations

import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from click.testing import CliRunner

from toxiclinks import cluster
from toxiclinks.archives import read_warc
from toxiclinks.cli import main
from toxiclinks.errors import ToxiclinksError
from toxiclinks.pipeline import scan
from toxiclinks.settings import Settings

from conftest import EXAMPLE

distributed = pytest.importorskip("distributed", reason="the Dask extra is not installed (pip install '.[dask]')")
pytest.importorskip("pyarrow", reason="the Dask extra is not installed (pip install '.[dask]')")

#: three hosts, one server each: the example's referring sites are spread over them
HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")


class Web:
    """The example's referring pages, served by real HTTP servers on three loopback addresses."""

    def __init__(self) -> None:
        self.pages = {url: page for url, page in read_warc(EXAMPLE / "pages.warc.gz").items() if page.ok}
        self.hits: Counter[str] = Counter()
        self.moved: dict[str, str] = {}  #: example URL -> loopback URL
        self.referring: set[str] = set()  #: the example URLs the export links from
        self._servers: list[ThreadingHTTPServer] = []

    def start(self) -> None:
        routes = {}
        for address in HOSTS:
            server = ThreadingHTTPServer((address, 0), self._handler(routes))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
        for index, (url, page) in enumerate(sorted(self.pages.items())):
            server = self._servers[index % len(HOSTS)]
            parts = urlsplit(url)
            path = f"/{parts.hostname}{parts.path or '/'}"
            self.moved[url] = f"http://{server.server_address[0]}:{server.server_address[1]}{path}"
            routes[(server.server_address[0], path)] = (page.html or "").encode()

    def _handler(self, routes: dict[tuple[str, str], bytes]) -> type[BaseHTTPRequestHandler]:
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                address = self.server.server_address[0]
                body = routes.get((address, self.path))
                web.hits[f"{address}{self.path}"] += 1
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler

    def page_hits(self) -> int:
        return sum(count for path, count in self.hits.items() if not path.endswith("/robots.txt"))

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()


@pytest.fixture
def web() -> Iterator[Web]:
    served = Web()
    served.start()
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    """Two worker processes, as on a real cluster (every task and result crosses a process boundary)."""
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as local,
        distributed.Client(local) as dask_client,
    ):
        yield dask_client


@pytest.fixture
def export(tmp_path: Path, web: Web) -> Path:
    """The bundled example export, its referring pages moved to the loopback servers."""
    table = pd.read_csv(EXAMPLE / "backlinks.csv", dtype=str, keep_default_na=False)
    web.referring = set(table["Referring page URL"]) & set(web.moved)
    table["Referring page URL"] = [web.moved.get(url, url) for url in table["Referring page URL"]]
    path = tmp_path / "backlinks.csv"
    table.to_csv(path, index=False)
    return path


def crawl_settings(**changes: object) -> Settings:
    # Generous time and one retry: the runs compared must both read every page, on a loaded 2-core CI machine too.
    return replace(
        Settings(allow_private=True, use_cache=False, host_delay=0.0, retries=1, timeout_seconds=30.0, jobs=1),
        **changes,
    )


def test_the_cluster_gives_the_scores_of_a_single_machine_scan(client, export, web, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "BATCH_PAGES", 4)
    single = scan(export, crawl_settings())
    work = tmp_path / "work"
    spread = scan(export, crawl_settings(work_dir=str(work)), client=client)

    pd.testing.assert_frame_equal(spread.features, single.features)
    pd.testing.assert_frame_equal(spread.scores, single.scores)
    # the same plan but for the minute in its first comment (the two scans may straddle one)
    assert replace(spread.plan, comments=spread.plan.comments[1:]) == replace(
        single.plan, comments=single.plan.comments[1:]
    )
    assert spread.plan.comments[0].startswith("Disavow file written by toxiclinks")
    read = single.features["fetch_status"].eq("ok").sum()
    assert read >= 15  # the pages really came over HTTP, in both runs
    assert set(single.scores["label"]) >= {"artificial", "natural"}
    assert len(list((work / "features").glob("*.parquet"))) >= 3  # spread over several tasks


def test_an_export_whose_pages_all_fail_scores_as_on_a_single_machine(client, tmp_path):
    settings = crawl_settings(allow_private=False)  # the example's .example hosts do not resolve
    single = scan(EXAMPLE / "backlinks.csv", settings)
    spread = scan(EXAMPLE / "backlinks.csv", replace(settings, work_dir=str(tmp_path / "work")), client=client)
    assert set(single.features["fetch_status"]) == {"error:dns"}
    pd.testing.assert_frame_equal(spread.features, single.features)
    pd.testing.assert_frame_equal(spread.scores, single.scores)


def test_the_work_folder_holds_the_pages_as_warc_and_parquet(client, export, web, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "BATCH_PAGES", 4)
    work = tmp_path / "work"
    scan(export, crawl_settings(work_dir=str(work)), client=client)

    archived = {}
    for warc in (work / "pages").glob("*.warc.gz"):
        archived.update(read_warc(warc))
    assert len(web.referring) >= 15
    for example_url in web.referring:
        assert archived[web.moved[example_url]].html == web.pages[example_url].html
    tables = pd.concat(pd.read_parquet(path) for path in (work / "pages").glob("*.parquet"))
    assert {web.moved[url] for url in web.referring} <= set(tables.loc[tables["status"] == "ok", "url"])
    assert {"words", "compression_ratio", "language", "main_text"} <= set(tables.columns)
    assert not list(work.rglob("*.tmp-*"))


def test_a_second_run_resumes_from_the_work_folder(client, export, web, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "BATCH_PAGES", 4)
    settings = crawl_settings(work_dir=str(tmp_path / "work"))
    first = scan(export, settings, client=client)
    fetched = web.page_hits()
    assert fetched >= 15

    again = scan(export, settings, client=client)
    assert web.page_hits() == fetched  # nothing fetched again
    pd.testing.assert_frame_equal(again.scores, first.scores)

    # An interrupted run: one batch never finished. Only its pages are fetched again.
    pages = {
        part: pd.read_parquet(tmp_path / "work" / "pages" / part.name)
        for part in (tmp_path / "work" / "features").glob("*.parquet")
    }
    lost = next(part for part, table in sorted(pages.items()) if table["status"].eq("ok").any())
    lost_urls = set(pages[lost]["url"])
    lost.unlink()
    resumed = scan(export, settings, client=client)
    assert 0 < web.page_hits() - fetched <= len(lost_urls)
    pd.testing.assert_frame_equal(resumed.scores, first.scores)

    refreshed = scan(export, replace(settings, refresh=True), client=client)
    assert web.page_hits() - fetched >= fetched  # --refresh fetches every page again
    pd.testing.assert_frame_equal(refreshed.scores, first.scores)


def test_batches_keep_each_host_in_one_task_and_every_link_in_one_batch(export):
    from toxiclinks.exports import read_export
    from toxiclinks.features import link_context

    links = read_export(export)
    settings = crawl_settings()
    batches = cluster.plan_batches(links, settings, link_context(links, settings), batch_pages=3)
    hosts = [{urlsplit(url).hostname for url in batch.urls} for batch in batches]
    for one, other in ((a, b) for i, a in enumerate(hosts) for b in hosts[i + 1 :]):
        assert not one & other
    positions = sorted(position for batch in batches for position in batch.links["position"])
    assert positions == list(range(len(links)))
    again = cluster.plan_batches(links, settings, link_context(links, settings), batch_pages=3)
    assert [batch.key for batch in again] == [batch.key for batch in batches]  # stable: a rerun resumes
    # What shapes the results names the batches: other brand words, another user agent.
    for changed in (replace(settings, brand=("Other",)), replace(settings, user_agent="another")):
        other = cluster.plan_batches(links, changed, link_context(links, changed), batch_pages=3)
        assert not {batch.key for batch in other} & {batch.key for batch in batches}


def test_cli_scan_on_a_cluster_writes_the_single_machine_files(client, export, web, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "BATCH_PAGES", 4)
    address = client.scheduler.address
    common = ["--allow-private", "--no-cache", "--delay", "0", "--retries", "0", "-q"]
    runner = CliRunner()
    one = ["-o", str(tmp_path / "one.txt"), "--scores", str(tmp_path / "one.csv")]
    single = runner.invoke(main, ["scan", str(export), *one, *common])
    assert single.exit_code == 0, single.output
    two = ["-o", str(tmp_path / "two.txt"), "--scores", str(tmp_path / "two.csv")]
    spread_arguments = ["scan", str(export), *two, *common, "--dask", address, "--work-dir", str(tmp_path / "work")]
    spread = runner.invoke(main, spread_arguments)
    assert spread.exit_code == 0, spread.output
    assert (tmp_path / "one.csv").read_text() == (tmp_path / "two.csv").read_text()
    assert single.output.splitlines()[-1].replace("one.txt", "two.txt") == spread.output.splitlines()[-1]
    assert "fetched and parsed now, 0 done in" in spread.output
    again = runner.invoke(main, spread_arguments)
    assert again.exit_code == 0, again.output
    assert "cluster: " in again.output and " 0 fetched and parsed now" in again.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--dask", "tcp://127.0.0.1:9"], "--dask needs --work-dir"),
        (["--dask", "tcp://127.0.0.1:9", "--work-dir", "WORK", "--offline"], "drop --pages and --offline"),
        (["--dask", "tcp://127.0.0.1:9", "--work-dir", "WORK"], "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
        (["--dask", "tcp://127.0.0.1:9", "--no-fetch"], "--no-fetch reads no page"),
    ],
)
def test_cluster_mistakes_are_one_line_errors(arguments, message, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 0.5)
    arguments = [argument.replace("WORK", str(tmp_path / "work")) for argument in arguments]
    result = CliRunner().invoke(
        main, ["scan", str(EXAMPLE / "backlinks.csv"), "-o", str(tmp_path / "d.txt"), "--no-cache", *arguments]
    )
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "d.txt").exists()


def test_without_dask_installed_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an install without the extra looks like
    result = CliRunner().invoke(
        main,
        [
            "scan",
            str(EXAMPLE / "backlinks.csv"),
            "-o",
            str(tmp_path / "d.txt"),
            "--no-cache",
            "--dask",
            "tcp://127.0.0.1:9",
            "--work-dir",
            str(tmp_path / "work"),
        ],
    )
    assert result.exit_code == 1
    assert "pip install 'toxiclinks[dask]'" in result.output


def test_the_work_folder_warc_reads_back_with_redirects_and_any_charset(tmp_path):
    from toxiclinks.page import Page

    pages = [
        Page("https://a.example/", "ok", final_url="https://a.example/", http_status=200, html="<p>plain</p>"),
        Page(  # a page decoded from Latin-1 is archived as UTF-8, and says so
            "https://b.example/old",
            "ok",
            final_url="https://b.example/new",
            http_status=200,
            content_type="text/html; charset=ISO-8859-1",
            html="<p>café crème</p>",
            fetched_at="2026-11-24T03:00:00+00:00",
        ),
    ]
    path = tmp_path / "pages.warc.gz"
    with path.open("wb") as stream:
        cluster.write_warc(stream, pages)
    archived = read_warc(path)
    assert archived["https://a.example/"].html == "<p>plain</p>"
    assert archived["https://b.example/new"].html == "<p>café crème</p>"
    assert archived["https://b.example/old"].html == "<p>café crème</p>"  # through the redirect record
    assert archived["https://b.example/old"].final_url == "https://b.example/new"
    import gzip

    assert gzip.decompress(path.read_bytes()).count(b"WARC/1.") == 3  # one gzip member per record, all readable


def test_the_work_folder_may_be_an_fsspec_url(client, export, web, tmp_path, monkeypatch):
    # --work-dir s3://... goes through fsspec on every worker and here; a file:// URL takes the same road
    # (s3 needs a bucket), and an unknown protocol is a one-line error
    monkeypatch.setattr(cluster, "BATCH_PAGES", 4)
    single = scan(export, crawl_settings())
    work = tmp_path / "work"
    spread = scan(export, crawl_settings(work_dir=work.as_uri()), client=client)
    pd.testing.assert_frame_equal(spread.scores, single.scores)
    assert len(list((work / "features").glob("*.parquet"))) >= 3 and list((work / "pages").glob("*.warc.gz"))
    with pytest.raises(ToxiclinksError, match="--work-dir nosuch://bucket/run: "):
        scan(export, crawl_settings(work_dir="nosuch://bucket/run"), client=client)


def test_a_work_folder_the_workers_cannot_write_is_a_one_line_error(client, export, web, tmp_path):
    not_a_folder = tmp_path / "taken"
    not_a_folder.write_text("a file where the work folder should be")
    address = client.scheduler.address
    arguments = ["scan", str(export), "-o", str(tmp_path / "d.txt"), "--allow-private", "--no-cache", "--delay", "0"]
    result = CliRunner().invoke(main, [*arguments, "--dask", address, "--work-dir", str(not_a_folder)])
    assert result.exit_code == 1
    assert "a Dask task failed" in result.output and "run again to resume" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "d.txt").exists()


def test_an_unreadable_result_says_how_to_recover(client, export, web, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "BATCH_PAGES", 4)
    settings = crawl_settings(work_dir=str(tmp_path / "work"))
    first = scan(export, settings, client=client)
    part = sorted((tmp_path / "work" / "features").glob("*.parquet"))[0]
    part.write_bytes(b"not parquet")
    with pytest.raises(ToxiclinksError, match="run again with --refresh"):
        scan(export, settings, client=client)
    again = scan(export, replace(settings, refresh=True), client=client)
    pd.testing.assert_frame_equal(again.scores, first.scores)

"""Fetching and feature extraction on a Dask cluster, with every result on a path the workers share.

The referring pages (and target pages) are split into batches by host, so
each host is crawled by one task only and the per-host politeness limits hold
across the whole cluster. Each task fetches its pages, parses each once, and
writes three files under the work folder (a local path or an fsspec URL such
as ``s3://bucket/run``):

* ``pages/<batch>.warc.gz``: the pages read (if any), as WARC response records
  (``toxiclinks scan --pages`` reads them back);
* ``pages/<batch>.parquet``: one row per page: fetch status, page signals and
  the main text the topic similarity needs;
* ``features/<batch>.parquet``: the link and anchor signals of the batch's
  links. Written last: a batch whose features file exists is done.

A batch's name is a hash of its pages, its links and the settings that shape
them, so running the same scan again resumes: finished batches are read, not
fetched again. The machine that runs the scan then computes what needs the
whole export (topic similarity, profile signals) with the same code as a
single-machine scan, and scores. Dask is an optional extra
(``pip install 'toxiclinks[dask]'``); without it nothing here is imported.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import math
import sys
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from toxiclinks import __version__, schema
from toxiclinks.errors import ToxiclinksError
from toxiclinks.features import (
    LinkContext,
    PageAnalyser,
    PageDescription,
    ReadPages,
    features_from_descriptions,
    link_context,
    link_rows_by_source,
    target_urls_of,
)
from toxiclinks.fetch import fetch_pages
from toxiclinks.page import Page
from toxiclinks.settings import Settings
from toxiclinks.urls import host_of

LOGGER = logging.getLogger(__name__)

#: pages per batch (one task): large enough that a task's start-up is noise, small enough to resume cheaply
BATCH_PAGES = 200
#: columns of a page row that are not page signals
PAGE_RECORD = ("url", "status", "final_url", "http_status", "content_type", "size", "fetched_at", "main_text")
#: seconds to wait for the scheduler
CONNECT_TIMEOUT = 10.0
INSTALL_HINT = "pip install 'toxiclinks[dask]'"


@dataclass(frozen=True)
class Batch:
    """One task: a set of pages (whole hosts) and the links whose referring page is among them."""

    key: str  #: file name stem under the work folder; changes when anything the results depend on changes
    urls: tuple[str, ...]
    targets: frozenset[str]  #: those of ``urls`` that are target pages (their whole text is the topic)
    links: pd.DataFrame  #: ``position`` (row in the export), source, target and anchor


@dataclass(frozen=True)
class ClusterRun:
    """What a cluster run did: how many batches it ran and how many it found done under the work folder."""

    batches: int
    reused: int
    work_dir: str

    def summary(self) -> str:
        """One line for the user.

        >>> ClusterRun(batches=40, reused=12, work_dir="s3://bucket/run").summary()
        'cluster: 40 batches, 28 fetched and parsed now, 12 done in s3://bucket/run before'
        """
        return (
            f"cluster: {self.batches} batches, {self.batches - self.reused} fetched and parsed now, "
            f"{self.reused} done in {self.work_dir} before"
        )


def cluster_features(
    links: pd.DataFrame,
    settings: Settings,
    client: Any = None,
    progress: bool = False,
    batch_pages: int | None = None,
) -> tuple[pd.DataFrame, ClusterRun]:
    """The features table of ``links``, fetched and extracted on a Dask cluster.

    ``client`` is a ``distributed.Client``; without one, ``settings.dask``
    names the scheduler (``tcp://host:8786``, or ``local`` for a cluster of
    this machine's cores). ``settings.work_dir`` is where the workers write;
    this machine must read it too. The table is the one ``build_features``
    makes from the same pages.
    """
    if not settings.work_dir:
        raise ToxiclinksError("--dask needs --work-dir: a folder or URL (s3://...) every worker and this machine share")
    if settings.pages_path or settings.offline:
        raise ToxiclinksError("--dask fetches the pages on the cluster: drop --pages and --offline")
    fs, root = _filesystem(settings.work_dir)
    context = link_context(links, settings)
    fetch_settings = replace(settings, pages_path=None, offline=False, use_cache=False, jobs=1)
    batches = plan_batches(links, fetch_settings, context, batch_pages)
    done = set() if settings.refresh else {batch.key for batch in batches if fs.exists(_part(root, batch.key))}
    todo = [batch for batch in batches if batch.key not in done]
    LOGGER.info("%d batches, %d done under %s already", len(batches), len(done), settings.work_dir)
    if todo:
        with _client(settings, client) as dask_client:
            _run(dask_client, todo, fetch_settings, context, settings.work_dir, progress)
    features = features_from_parts(links, settings, [batch.key for batch in batches], settings.work_dir)
    return features, ClusterRun(batches=len(batches), reused=len(done), work_dir=settings.work_dir)


def plan_batches(
    links: pd.DataFrame, settings: Settings, context: LinkContext, batch_pages: int | None = None
) -> list[Batch]:
    """Split the export's pages into batches of whole hosts, about ``batch_pages`` pages each.

    A host goes to the batch its name hashes to, so one host is never crawled by two tasks at once.
    """
    sources = links[schema.SOURCE_URL]
    targets = target_urls_of(links)
    all_targets = set(targets)
    urls = list(dict.fromkeys([*sources.unique(), *targets]))
    count = max(1, math.ceil(len(urls) / max(batch_pages or BATCH_PAGES, 1)))
    members: dict[int, list[str]] = defaultdict(list)
    for url in urls:
        members[zlib.crc32(host_of(url).encode()) % count].append(url)
    bucket_of = {url: bucket for bucket, group in members.items() for url in group}
    positions = pd.Series(np.arange(len(links))).groupby(sources.map(bucket_of).to_numpy()).indices
    shape = {
        "version": __version__,
        "context": [context.site, list(context.brand), list(context.keywords)],
        "fetch": [settings.user_agent, settings.respect_robots, settings.allow_private, settings.max_bytes],
    }
    batches = []
    for bucket in sorted(members):
        group = members[bucket]
        rows = positions.get(bucket, np.array([], dtype=np.int64))
        batch_links = links.iloc[rows][[schema.SOURCE_URL, schema.TARGET_URL, schema.ANCHOR]].reset_index(drop=True)
        batch_links.insert(0, "position", rows)
        target_set = frozenset(url for url in group if url in all_targets)
        digest = hashlib.sha256(json.dumps(shape, sort_keys=True).encode())
        digest.update(json.dumps(sorted(group)).encode())
        digest.update(json.dumps(sorted(target_set)).encode())
        digest.update(pd.util.hash_pandas_object(batch_links, index=False).to_numpy().tobytes())
        batches.append(Batch(f"batch-{digest.hexdigest()[:24]}", tuple(group), target_set, batch_links))
    return batches


def run_batch(batch: Batch, settings: Settings, context: LinkContext, work_dir: str) -> str:
    """Fetch, parse and describe one batch's pages and links; write its files under ``work_dir``. Runs on a worker."""
    fs, root = _filesystem(work_dir)
    link_rows = link_rows_by_source(batch.links, batch.links["position"].tolist())
    # Each page is described as it arrives, while the requests already sent are still under way.
    analyser = PageAnalyser(link_rows, batch.targets, context, len(batch.urls), jobs=1)
    pages = fetch_pages(batch.urls, settings, on_page=analyser.submit)
    with analyser.results() as described:
        readable = [page for url, page in pages.items() if url in described]
        if readable:
            _write(fs, f"{root}/pages/{batch.key}.warc.gz", lambda stream: write_warc(stream, readable))
        rows = []
        for url, page in pages.items():
            row: dict[str, object] = {
                "url": url,
                "status": page.status,
                "final_url": page.final_url,
                "http_status": float(page.http_status) if page.http_status else float("nan"),
                "content_type": page.content_type,
                "size": page.size,
                "fetched_at": page.fetched_at,
                "main_text": described.text(url) if url in described else None,
            }
            row.update(described.signals(url) if url in described else {})
            rows.append(row)
        by_position = {position: signals for url in described for position, signals in described.links(url).items()}
    _write(fs, f"{root}/pages/{batch.key}.parquet", lambda stream: pd.DataFrame(rows).to_parquet(stream, index=False))
    table = pd.DataFrame.from_dict(by_position, orient="index")
    table.insert(0, "position", np.array(list(by_position), dtype=np.int64))
    _write(fs, _part(root, batch.key), lambda stream: table.reset_index(drop=True).to_parquet(stream, index=False))
    return batch.key


def features_from_parts(links: pd.DataFrame, settings: Settings, keys: list[str], work_dir: str) -> pd.DataFrame:
    """Read the batches' page and link files and assemble the features table, as ``build_features`` would.

    The link files first (their signals stay in memory, as a scan keeps them),
    then the page files one at a time, each page's text going to a
    ``ReadPages`` file: the texts of the whole crawl are never in memory at once.
    """
    fs, root = _filesystem(work_dir)
    sources = links[schema.SOURCE_URL].to_numpy()
    links_of: defaultdict[str, dict[int, dict[str, object]]] = defaultdict(dict)
    for key in keys:
        table = _read_part(fs, _part(root, key), work_dir, key)
        positions = table.pop("position").astype("int64").tolist()
        for position, record in zip(positions, table.to_dict(orient="records"), strict=True):
            links_of[sources[position]][position] = {str(name): value for name, value in record.items()}
    statuses: dict[str, tuple[str, float | None]] = {}
    with ReadPages() as described:
        for key in keys:
            pages = _read_part(fs, f"{root}/pages/{key}.parquet", work_dir, key)
            statuses.update(zip(pages["url"], zip(pages["status"], pages["http_status"], strict=True), strict=True))
            readable = pages[pages["main_text"].notna()]
            signal_columns = [column for column in readable.columns if column not in PAGE_RECORD]
            for url, record, text in zip(
                readable["url"], readable[signal_columns].to_dict(orient="records"), readable["main_text"], strict=True
            ):
                signals = {str(name): value for name, value in record.items()}
                described.add(url, PageDescription(signals=signals, text=text, links=links_of.get(url, {})))
        return features_from_descriptions(links, settings, statuses, described)


def _read_part(fs: Any, path: str, work_dir: str, key: str) -> pd.DataFrame:
    """One of a batch's Parquet files; a clear error when it is missing or unreadable."""
    try:
        with fs.open(path, "rb") as stream:
            return pd.read_parquet(stream)
    except (OSError, ValueError) as exc:
        raise ToxiclinksError(
            f"{work_dir}: the results of {key} are missing or unreadable ({exc}); "
            "run again with --refresh, or delete that batch's files"
        ) from None


def write_warc(stream: Any, pages: Iterable[Page]) -> None:
    """Write read pages as WARC response records (UTF-8 HTML), with a redirect record where the URL moved.

    Each record is its own gzip member, as ``.warc.gz`` files are made, at
    gzip's default level: as small as warcio's level 9 on web pages, and half again as fast.
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    record_buffer = io.BytesIO()
    writer = WARCWriter(record_buffer, gzip=False)

    def put(url: str, headers: StatusAndHeaders, body: bytes, date: dict[str, str]) -> None:
        record_buffer.seek(0)
        record_buffer.truncate()
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict=date
        )
        writer.write_record(record)
        stream.write(gzip.compress(record_buffer.getvalue(), compresslevel=6))

    for page in pages:
        landed = page.final_url or page.url
        date = {"WARC-Date": page.fetched_at.replace("+00:00", "Z")} if page.fetched_at else {}
        media_type = page.content_type.split(";")[0].strip() or "text/html"
        headers = StatusAndHeaders(
            f"{page.http_status or 200} OK", [("Content-Type", f"{media_type}; charset=utf-8")], protocol="HTTP/1.1"
        )
        put(landed, headers, (page.html or "").encode("utf-8"), date)
        if landed != page.url:
            moved = StatusAndHeaders("301 Moved Permanently", [("Location", landed)], protocol="HTTP/1.1")
            put(page.url, moved, b"", date)


def _run(client: Any, batches: list[Batch], settings: Settings, context: LinkContext, work_dir: str, progress: bool):
    from distributed import as_completed

    futures = [
        client.submit(run_batch, batch, settings, context, work_dir, key=f"toxiclinks-{batch.key}", pure=False)
        for batch in batches
    ]
    for finished, future in enumerate(as_completed(futures), start=1):
        try:
            future.result()
        except ToxiclinksError:
            raise
        except Exception as exc:  # a worker's failure, reported as one line; finished batches stay for a resume
            client.cancel(futures)  # a client handed in lives on: leave nothing running on its cluster
            raise ToxiclinksError(f"a Dask task failed ({type(exc).__name__}: {exc}); run again to resume") from None
        if progress:
            sys.stderr.write(f"\rcluster: {finished}/{len(batches)} batches fetched and extracted ")
            sys.stderr.flush()
    if progress:
        sys.stderr.write("\n")


@contextmanager
def _client(settings: Settings, client: Any) -> Iterator[Any]:
    """The client handed in, else one connected to ``settings.dask`` (closed afterwards)."""
    if client is not None:
        yield client
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ToxiclinksError(f"--dask needs Dask: {INSTALL_HINT}") from None
    if not LOGGER.isEnabledFor(logging.INFO):  # Dask sets its own loggers to INFO; say only what goes wrong
        logging.getLogger("distributed").setLevel(logging.WARNING)
    address = settings.dask or ""
    try:
        if address == "local":
            cluster = LocalCluster(threads_per_worker=1, dashboard_address=None)
            made = Client(cluster)
        else:
            cluster, made = None, Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ToxiclinksError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        versions = made.run(_version)
        wrong = {worker: version for worker, version in versions.items() if version != __version__}
        if wrong:
            raise ToxiclinksError(f"Dask workers run another toxiclinks version than {__version__}: {wrong}")
        yield made
    finally:
        made.close()
        if cluster is not None:
            cluster.close()


def _version() -> str:
    return __version__


def _filesystem(work_dir: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError:
        raise ToxiclinksError(f"--work-dir needs fsspec: {INSTALL_HINT}") from None
    try:
        fs, root = fsspec.core.url_to_fs(work_dir)
    except (ImportError, ValueError) as exc:
        raise ToxiclinksError(f"--work-dir {work_dir}: {exc}") from None
    return fs, root.rstrip("/")


def _part(root: str, key: str) -> str:
    return f"{root}/features/{key}.parquet"


def _write(fs: Any, path: str, write: Callable[[Any], None]) -> None:
    """Write a file whole or not at all: into a temporary name, then moved into place."""
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    temporary = f"{path}.tmp-{uuid.uuid4().hex[:12]}"  # a task Dask runs twice writes two temporaries
    with fs.open(temporary, "wb") as stream:
        write(stream)
    fs.mv(temporary, path)

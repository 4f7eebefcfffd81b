"""``scan``: the stages in order, from an export file to the disavow file, scores and report."""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pyarrow as pa

from toxiclinks import schema
from toxiclinks.cache import PageCache, default_cache_path
from toxiclinks.disavow import (
    Allowlist,
    DisavowPlan,
    DisavowPlanner,
    MergeResult,
    check_google_limits,
    check_writable,
    decide,
    disavow_text,
    merge_disavow,
    plan_disavow,
    read_allowlist,
    read_disavow,
)
from toxiclinks.errors import ToxiclinksError
from toxiclinks.exports import (
    LINK_LEVEL,
    ExportReader,
    SeenHashes,
    read_export,
)
from toxiclinks.features import (
    LinkContext,
    PageAnalyser,
    anchor_classes,
    completed_features,
    context_of_targets,
    features_from_descriptions,
    link_rows_by_source,
    signal_features,
    site_topic,
    target_urls_of,
)
from toxiclinks.features.profile import ProfileCounts
from toxiclinks.features.read_pages import StoredTexts
from toxiclinks.features.topic import TopicComparer
from toxiclinks.files import Place, SpillFile, atomic_writer, start_writeback, write_atomic, write_csv_rows
from toxiclinks.labels import labels_from_column, labels_from_disavow
from toxiclinks.model import load_model
from toxiclinks.page import Page
from toxiclinks.report import REPORT_FEATURES, ReportSummary, render_report
from toxiclinks.score import score_links
from toxiclinks.settings import SCAN_CHUNK_ROWS, Settings
from toxiclinks.triage import from_categories, load_triage_model, triage_batch
from toxiclinks.workers import (
    TRIAGE_WORKER_MODULE,
    holds_more_than,
    in_order_in_workers,
    set_allocator_environment,
    set_triage_environment,
    start_workers,
    triage_batch_rows,
)

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan produced, as plain tables."""

    links: pd.DataFrame
    features: pd.DataFrame
    scores: pd.DataFrame
    planned: DisavowPlan | Callable[[], DisavowPlan]  #: the disavow plan, or what makes it when first asked for
    threshold: float | None = None  #: the threshold the labels were given with

    @functools.cached_property
    def plan(self) -> DisavowPlan:
        """The disavow plan. A chunk's (``scan_chunks``) is made when first asked for and covers the chunks
        scanned by then: the last chunk's is the export's."""
        return self.planned if isinstance(self.planned, DisavowPlan) else self.planned()


def read_links(
    export_path: str | Path,
    settings: Settings,
    columns: Mapping[str, str] | None = None,
    need_target: bool = True,
    keep_raw: bool = False,
) -> tuple[pd.DataFrame, Settings]:
    """Read the export; return the links and the settings completed with the site the export names.

    With ``need_target``, an export that names no linked site, given none with ``--site``, is an error:
    without a target nobody can tell whether a page still links to it.
    """
    links = read_export(export_path, columns, settings.site, keep_raw=keep_raw)
    LOGGER.info("read %d backlinks from %s", len(links), export_path)
    settings = replace(settings, site=settings.site or links.attrs["export"]["site"])
    if need_target:
        _check_target(links, settings, export_path)
    return links, settings


def get_pages(
    urls: pd.Series,
    settings: Settings,
    progress: bool = False,
    keep_html: bool = True,
    on_page: Callable[[Page], None] | None = None,
    saved: Mapping[str, Page] | None = None,
    progress_label: str = "",
) -> dict[str, Page]:
    """Fetch (or replay, or take from the cache) every referring page once; see ``fetch_pages``."""
    from toxiclinks.fetch import fetch_pages  # with requests: not imported by a triage, which fetches nothing

    if not settings.use_cache:
        return fetch_pages(urls, settings, None, progress, keep_html, on_page, saved, progress_label)
    with PageCache(settings.cache_path or default_cache_path()) as cache:
        return fetch_pages(urls, settings, cache, progress, keep_html, on_page, saved, progress_label)


def features_of(links: pd.DataFrame, settings: Settings, progress: bool = False, client: Any = None) -> pd.DataFrame:
    """The features of the links: pages fetched and parsed here, or on a Dask cluster (``client`` or ``--dask``)."""
    if client is not None or settings.dask:
        from toxiclinks.cluster import cluster_features

        features, run = cluster_features(links, settings, client, progress)
        features.attrs["cluster"] = run
        return features
    urls = [*links[schema.SOURCE_URL], *target_urls_of(links)]
    hand_freed_buffers_back()
    analyser = PageAnalyser.for_links(links, settings, len(set(urls)))
    # Pages are described in worker processes while the rest are still being fetched; only records stay here.
    pages = get_pages(pd.Series(urls, dtype=object), settings, progress, keep_html=False, on_page=analyser.submit)
    statuses = {url: (page.status, page.http_status) for url, page in pages.items()}
    del pages  # the records (about 250 bytes a page) are not needed past their statuses
    with analyser.results() as described:
        return features_from_descriptions(links, settings, statuses, described)


#: buffers at least this large get their own memory map, handed back to the system when freed
MMAP_THRESHOLD = 32 * 1024


def hand_freed_buffers_back() -> None:
    """Make glibc give a freed page's memory back to the system, here and in worker processes started later.

    Every page's HTML passes through this process on its way to the parsers.
    glibc serves buffers of 128 KB and more from their own memory maps, but
    after the first is freed it raises that threshold, and later pages land in
    the heap, whose freed space it keeps, in fragments between the small
    objects that stay. Fixed at 128 KB, a scan of 10,000 backlinks peaked at
    572 MB in its main process instead of 722 MB; at 32 KB (most pages' HTML
    gets a map of its own), 410 MB instead of 481 MB, and 461 MB instead of
    556 MB at 20,000 backlinks, in the same time. 8 KB saved 5-9 MB more but
    took 8% longer. Elsewhere than glibc (musl, macOS) nothing changes.
    """
    set_allocator_environment({"MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD)})


def fetch_export(
    export_path: str | Path, settings: Settings, columns: Mapping[str, str] | None = None, progress: bool = False
) -> tuple[dict[str, object], dict[str, Page]]:
    """Fill the page cache with the export's referring pages, without scoring; return what was read (as
    ``read_export``'s ``attrs["export"]``) and the pages' records.

    The export is read in chunks, keeping its distinct referring URLs alone
    (the links table took 556 bytes a row, for the whole night's fetching).
    """
    reader = ExportReader(export_path, columns, settings.site, text_only=True)
    sources: dict[str, None] = {}
    for links in reader.chunks():
        sources.update(dict.fromkeys(links[schema.SOURCE_URL].tolist()))
    return reader.info, get_pages(pd.Series(list(sources), dtype=object), settings, progress, keep_html=False)


def scan(
    export_path: str | Path,
    settings: Settings,
    columns: Mapping[str, str] | None = None,
    progress: bool = False,
    client: Any = None,
) -> ScanResult:
    """Read the export, get the pages, compute features, score and decide. Writes nothing.

    The pages are fetched and parsed on this machine, or on a Dask cluster:
    the ``client`` handed in, or the scheduler named by ``settings.dask``.
    Every table is whole in memory: ``scan_chunks`` gives the same a chunk at
    a time (what the ``scan`` command runs on this machine).

    >>> from pathlib import Path
    >>> example = Path("data/example")
    >>> result = scan(example / "backlinks.csv", Settings(pages_path=example / "pages.warc.gz", offline=True))
    >>> sorted(set(result.scores["label"]))
    ['artificial', 'natural', 'unknown']
    """
    allowlist = _allowlist(settings)
    links, settings = read_links(export_path, settings, columns)
    features = features_of(links, settings, progress, client)
    model = load_model(settings.model_path)
    scores = decide(score_links(links, features, model, settings.threshold), features, allowlist)
    LOGGER.info("scored %d links", len(scores))
    plan = plan_disavow(scores, Path(export_path).name, settings.level)
    threshold = model.threshold if settings.threshold is None else settings.threshold
    return ScanResult(links=links, features=features, scores=scores, planned=plan, threshold=threshold)


def _saved_pages(settings: Settings) -> Mapping[str, Page] | None:
    """The pages of ``--pages`` (a WARC file or a folder), if given."""
    if not settings.pages_path:
        return None
    from toxiclinks.archives import read_pages  # with warcio: not imported by a triage, which reads no page

    return read_pages(settings.pages_path)


def _allowlist(settings: Settings) -> Allowlist | None:
    """The sites never to disavow (``--allow`` and the user's own sites), or None when there are none."""
    if not (settings.allow_path or settings.own_sites):
        return None
    return read_allowlist(settings.allow_path, settings.own_sites)


def scan_chunks(
    export_path: str | Path,
    settings: Settings,
    columns: Mapping[str, str] | None = None,
    progress: bool = False,
    chunk_rows: int = SCAN_CHUNK_ROWS,
) -> Iterator[ScanResult]:
    """``scan`` a chunk of ``chunk_rows`` links at a time: memory bounded by the chunk, the same scores.

    Each chunk's features come from ``feature_chunks``, and it is scored and
    decided. Its ``plan``, made when asked for, covers the links scanned by
    then: the last one's is the export's, each site's entry decided on all its
    links (``DisavowPlanner``). Local only: ``settings.dask`` is ``scan``'s.
    """
    allowlist = _allowlist(settings)
    model = load_model(settings.model_path)  # before any page is read
    threshold = model.threshold if settings.threshold is None else settings.threshold
    planner = DisavowPlanner(settings.level)
    for links, features in feature_chunks(export_path, settings, columns, progress, chunk_rows):
        scores = decide(score_links(links, features, model, settings.threshold), features, allowlist)
        planner.add(scores)
        # Planned when asked for (the last chunk's, once): a plan after every chunk sorted every site's URLs each
        # time, quadratic in the export.
        plan = functools.partial(planner.plan, Path(export_path).name)
        yield ScanResult(links=links, features=features, scores=scores, planned=plan, threshold=threshold)


def feature_chunks(
    export_path: str | Path,
    settings: Settings,
    columns: Mapping[str, str] | None = None,
    progress: bool = False,
    chunk_rows: int = SCAN_CHUNK_ROWS,
    need_target: bool = True,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """The links of the export and their features, ``chunk_rows`` links at a time: memory bounded by the chunk,
    the same features as ``features_of`` all the links at once. Local only.

    A link's profile signals and its page's topic similarity depend on every
    other link, so the export goes through in three passes, and what waits
    between them is set aside in temporary files:

    1. the export is read, counting what the profile signals need (``ProfileCounts``) and the target URLs;
    2. the target pages are read (the topic); then each chunk's pages are
       fetched and described, its features computed but for the profile and
       topic similarity, and the pages' 4-gram document frequencies counted;
    3. each chunk gets its topic similarities and profile columns and comes out.

    A page linking from links in several chunks is described in each (from
    the page cache: fetched once, unless ``use_cache`` is off). With
    ``need_target``, an export that names no linked site, given none with
    ``--site``, is an error (as for ``read_links``).
    """
    reader = ExportReader(export_path, columns, settings.site, chunk_rows=chunk_rows)
    settings = replace(settings, site=settings.site or str(reader.info["site"] or "") or None)
    with SpillFile("the export's links and features") as set_aside, SpillFile("the pages' texts") as texts:
        profile = ProfileCounts()
        target_urls: dict[str, None] = {}
        chunks = []
        for links in reader.chunks():
            if need_target:
                _check_target(links, settings, export_path)
            profile.add_links(links)
            target_urls.update(dict.fromkeys(target_urls_of(links)))
            chunks.append(set_aside.put_object(links))
        LOGGER.info("read %d backlinks from %s, in %d chunks", profile.links, export_path, len(chunks))
        hand_freed_buffers_back()
        saved = _saved_pages(settings)
        context = context_of_targets(list(target_urls), settings)
        topic = _site_topic(list(target_urls), settings, context, saved)
        counted = SeenHashes()  # the pages whose 4-grams are counted: each page once, as in a scan of the whole
        described = []
        for number, place in enumerate(chunks, 1):
            LOGGER.info("chunk %d of %d: reading its pages", number, len(chunks))
            label = f"chunk {number} of {len(chunks)}" if len(chunks) > 1 else ""
            links = set_aside.get_object(place)
            features, places, languages = _describe_chunk(links, settings, context, saved, texts, progress, label)
            topic.count(StoredTexts(texts, places), _not_counted(list(places), counted))
            profile.add_anchor_classes(anchor_classes(features))
            described.append(set_aside.put_object((features, places, languages)))
        for links_place, described_place in zip(chunks, described, strict=True):
            links = set_aside.get_object(links_place)
            links.attrs["export"] = reader.info
            features, places, languages = set_aside.get_object(described_place)
            similarity = topic.similarities(StoredTexts(texts, places), languages, list(places))
            codes, sources = pd.factorize(links[schema.SOURCE_URL])
            features["topic_similarity"] = np.array([similarity.get(url, np.nan) for url in sources])[codes]
            yield links, completed_features(features, links, profile)


def _not_counted(urls: list[str], counted: SeenHashes) -> list[str]:
    """Those of ``urls`` not in ``counted`` (their hashes), which now holds them all."""
    hashes = pd.util.hash_array(np.asarray(urls, dtype=object)) if urls else np.zeros(0, dtype=np.uint64)
    new = ~counted.contains(hashes)
    counted.add(hashes[new])
    return [url for url, is_new in zip(urls, new, strict=True) if is_new]


def _check_target(links: pd.DataFrame, settings: Settings, export_path: str | Path) -> None:
    """Without a target nobody can tell whether a page still links to it: an export that names no linked site,
    given none with ``--site``, is an error."""
    lacks_target = (links[schema.TARGET_URL] == "") & (links[schema.EXPORT_LEVEL] == LINK_LEVEL)
    if lacks_target.any() and not settings.site:
        raise ToxiclinksError(
            f"{Path(export_path).name}: the export does not name the linked site; give it with --site example.com"
        )


def _site_topic(
    target_urls: list[str], settings: Settings, context: LinkContext, saved: Mapping[str, Page] | None
) -> TopicComparer:
    """The target pages read, and what compares a page with their topic."""
    analyser = PageAnalyser({}, target_urls, context, len(target_urls), settings.jobs)
    get_pages(pd.Series(target_urls, dtype=object), settings, keep_html=False, on_page=analyser.submit, saved=saved)
    with analyser.results() as described:
        topic, language = site_topic(target_urls, settings, described)
    return TopicComparer(topic, language, settings.jobs)


def _describe_chunk(
    links: pd.DataFrame,
    settings: Settings,
    context: LinkContext,
    saved: Mapping[str, Page] | None,
    texts: SpillFile,
    progress: bool,
    progress_label: str = "",
) -> tuple[pd.DataFrame, dict[str, Place], dict[str, str]]:
    """A chunk's pages fetched and described: its features but the profile and topic similarity, and where the
    texts of its pages read are in ``texts`` and their languages."""
    rows = link_rows_by_source(links)
    analyser = PageAnalyser(rows, (), context, len(rows), settings.jobs, texts)
    pages = get_pages(links[schema.SOURCE_URL], settings, progress, False, analyser.submit, saved, progress_label)
    statuses = {url: (page.status, page.http_status) for url, page in pages.items()}
    del pages
    with analyser.results() as described:
        sources = [url for url in links[schema.SOURCE_URL].unique() if url in described]
        page_signals = described.signal_columns(sources)
        features = signal_features(links, statuses, page_signals, described.link_signal_columns(sources))
        languages = {url: str(described.signals(url)["language"]) for url in sources}
        return features, described.text_places(sources), languages


def triage_chunks(
    export_path: str | Path,
    settings: Settings,
    columns: Mapping[str, str] | None = None,
    chunk_rows: int | None = None,
    all_features: bool = True,
) -> Iterator[ScanResult]:
    """``scan --no-fetch`` chunk by chunk: memory stays bounded by ``chunk_rows`` (by default what
    ``triage_batch_rows`` gives for the export, 50,000 to 100,000), whatever the export's size.

    Without ``all_features``, each result's ``features`` are only those the report needs (``REPORT_FEATURES``).

    Each result's ``links`` holds the links' source, target and anchor (the
    full links table stays in the worker that made it); its
    ``attrs["export"]`` is the reader's summary, final once the iteration is done.
    """
    chunk_rows = chunk_rows or triage_batch_rows(export_path)
    large = settings.jobs != 1 and holds_more_than(export_path, chunk_rows)
    if large:
        set_triage_environment()
        start_workers(settings.jobs, TRIAGE_WORKER_MODULE)  # they import while this process checks the file
    reader = ExportReader(export_path, columns, settings.site, chunk_rows=chunk_rows, text_only=True, ramp_up=large)
    scorer = load_triage_model().scorer()  # plain arrays: the workers need no scikit-learn
    feature_columns = None if all_features else REPORT_FEATURES
    plan = DisavowPlan(
        comments=(
            f"toxiclinks triage of {Path(export_path).name}: no page was read, so nothing is disavowed",
            "run 'toxiclinks scan' without --no-fetch to write disavow entries",
        )
    )
    batches = reader.batches()
    # Batches of rows are mapped to links and scored in worker processes while this one reads the next, counts
    # duplicates in order and writes the last; a single batch is not worth starting them. A large file has
    # more than one: its first batch goes to a worker before the second is read, and its first two are a quarter
    # and a half of the rest, for the workers to start sooner (a million rows: 4.14 -> 4.03 s, three
    # interleaved series of 5-6 runs).
    head = [] if large else list(itertools.islice(batches, 2))
    jobs = 1 if settings.jobs == 1 or (len(head) < 2 and not large) else joblib.effective_n_jobs(settings.jobs)
    tasks = (
        (triage_batch, (batch, first, reader.format, reader.header, scorer, settings, feature_columns))
        for batch, first in itertools.chain(head, batches)
    )
    results = (call(*args) for call, args in tasks) if jobs == 1 else in_order_in_workers(tasks, jobs)
    for packed_features, packed_scores, hashes, unusable, rows_read in results:
        features, scores = from_categories(packed_features), from_categories(packed_scores)
        new = reader.admit(hashes, unusable, rows_read)
        if not new.all():
            features, scores = features[new], scores[new]
        if len(scores):
            links = scores[[schema.SOURCE_URL, schema.TARGET_URL, schema.ANCHOR]]
            links.attrs["export"] = reader.info
            yield ScanResult(links=links, features=features, scores=scores, planned=plan, threshold=scorer.threshold)
    reader.finish()


@dataclass(frozen=True)
class Written:
    """What ``write_outputs`` wrote: the report's summary (counts of every link), the plan, the merge."""

    summary: ReportSummary
    plan: DisavowPlan
    export: Mapping[str, object]
    merge: MergeResult | None = None


def write_outputs(
    results: ScanResult | Iterable[ScanResult],
    export_name: str,
    disavow_path: Path | None = None,
    scores_path: Path | None = None,
    report_path: Path | None = None,
    merge_path: Path | None = None,
    new_entries_path: Path | None = None,
    all_features: bool = False,
) -> Written:
    """Write the outputs of a scan, or of a stream of chunk results; each file is whole or not written.

    The scores file is streamed chunk by chunk into a temporary file; the
    report and the disavow file are rendered at the end; nothing replaces a
    user's file before every chunk went through. With ``merge_path`` the
    disavow file is the user's old file with the new entries merged in (every
    old line kept), and the new entries alone go to ``new_entries_path``
    (default: ``<output>.new.txt``).
    """
    chunks = [results] if isinstance(results, ScanResult) else results
    for path in (disavow_path, scores_path, report_path):
        if path:
            check_writable(path)
    old_disavow = read_disavow(merge_path) if disavow_path and merge_path else None
    summary, last = None, None
    with contextlib.ExitStack() as stack:
        scores_stream = stack.enter_context(atomic_writer(scores_path)) if scores_path else None
        for result in chunks:
            if summary is None:
                summary = ReportSummary(result.threshold)
            if scores_stream is not None:
                table = result.scores[schema.SCORE_COLUMNS]
                if all_features:
                    extra = [column for column in result.features.columns if column not in table.columns]
                    table = pd.concat([table, result.features[extra]], axis=1)
                write_csv_rows(table, scores_stream, header=last is None)
                start_writeback(scores_stream)
            summary.add(result.scores, result.features)
            last = result
        if summary is None or last is None:
            raise ToxiclinksError(f"{export_name}: nothing to write")
        rendered: list[tuple[Path, str]] = []
        merge = None
        if disavow_path and old_disavow is not None:
            merge = merge_disavow(old_disavow, last.plan, export_name)
            rendered.append((disavow_path, check_google_limits(merge.merged)))
            new_entries_path = new_entries_path or disavow_path.with_name(f"{disavow_path.stem}.new.txt")
            rendered.append((new_entries_path, merge.new_entries))
        elif disavow_path:
            rendered.append((disavow_path, disavow_text(last.plan)))
        if report_path:
            rendered.append((report_path, render_report(summary, last.plan, export_name)))
        for path, _ in rendered:
            check_writable(path)
        for path, text in rendered:
            write_atomic(path, text)
    return Written(summary=summary, plan=last.plan, export=last.links.attrs.get("export", {}), merge=merge)


def feature_table(
    export_path: str | Path,
    settings: Settings,
    columns: Mapping[str, str] | None = None,
    progress: bool = False,
    client: Any = None,
) -> pd.DataFrame:
    """The features table of an export, with the link's source, target and anchor in front (no scoring)."""
    links, settings = read_links(export_path, settings, columns, need_target=False)
    features = features_of(links, settings, progress, client)
    return _with_link_columns(links, features)


def feature_table_chunks(
    export_path: str | Path,
    settings: Settings,
    columns: Mapping[str, str] | None = None,
    progress: bool = False,
    chunk_rows: int = SCAN_CHUNK_ROWS,
) -> Iterator[pd.DataFrame]:
    """``feature_table`` ``chunk_rows`` links at a time (``feature_chunks``): the same rows, in bounded memory."""
    for links, features in feature_chunks(export_path, settings, columns, progress, chunk_rows, need_target=False):
        yield _with_link_columns(links, features)


def _with_link_columns(links: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([links[[schema.SOURCE_URL, schema.TARGET_URL, schema.ANCHOR]], features], axis=1)


def write_table(table: pd.DataFrame | Iterable[pd.DataFrame], path: Path) -> tuple[int, int]:
    """Write a table, or the tables one after another (chunks of one table), as CSV, or Parquet for a
    ``.parquet`` path; atomically. Returns the rows and columns written.

    Chunks are written as they come: to a CSV file, or set aside in a
    temporary file for Parquet, whose column types are only known once every
    chunk has been seen (a column empty in one chunk has no type there).
    """
    check_writable(path)
    tables = [table] if isinstance(table, pd.DataFrame) else table
    rows, width = 0, 0
    if path.suffix.lower() != ".parquet":
        with atomic_writer(path) as stream:
            for number, chunk in enumerate(tables):
                write_csv_rows(chunk, stream, header=number == 0)
                rows, width = rows + len(chunk), len(chunk.columns)
            if not width:
                raise ToxiclinksError(f"{path}: no table to write")
        return rows, width
    import pyarrow.parquet as pq  # here: a triage, which imports this module, writes no Parquet

    temporary = path.with_name(f".{path.name}.tmp")
    try:
        if isinstance(table, pd.DataFrame):  # one table: its types are known
            pq.write_table(pa.Table.from_pandas(table, preserve_index=False), temporary)
            rows, width = len(table), len(table.columns)
        else:
            with SpillFile("the table for Parquet") as set_aside:
                places, schemas = [], []
                for chunk in table:
                    arrow = pa.Table.from_pandas(chunk, preserve_index=False)
                    places.append(set_aside.put_object(arrow))
                    schemas.append(arrow.schema)
                    rows, width = rows + len(chunk), len(chunk.columns)
                if not schemas:
                    raise ToxiclinksError(f"{path}: no table to write")
                with pq.ParquetWriter(temporary, _typed_schema(schemas)) as writer:
                    for place in places:
                        writer.write_table(set_aside.get_object(place).cast(writer.schema))
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return rows, width


def _typed_schema(schemas: list[pa.Schema]) -> pa.Schema:
    """The first chunk's schema, with a column of no type there (all empty: Arrow's null type) given the type
    it has in the first chunk where it has one."""
    fields = []
    for field in schemas[0]:
        typed = (other.field(field.name) for other in schemas if other.field(field.name).type != pa.null())
        fields.append(next(typed, field))
    return pa.schema(fields, metadata=schemas[0].metadata)


@dataclass(frozen=True)
class LabelledLinks:
    """A labelled export, read and turned into features: what training and evaluation start from."""

    links: pd.DataFrame
    features: pd.DataFrame
    labels: pd.Series  #: 1 artificial, 0 natural, NaN unlabelled
    label_source: str


def labelled_links(
    export_path: str | Path,
    settings: Settings,
    label_column: str | None = None,
    disavowed: Path | None = None,
    columns: Mapping[str, str] | None = None,
    progress: bool = False,
) -> LabelledLinks:
    """Read a labelled export (a label column, or the old disavow file as labels) and compute its features."""
    links, settings = read_links(export_path, settings, columns, keep_raw=disavowed is None)
    if disavowed is not None:
        labels = labels_from_disavow(links, read_disavow(disavowed))
        source = f"disavow file {disavowed.name}"
    else:
        labels = labels_from_column(links, label_column)
        source = f"label column of {Path(export_path).name}"
    return LabelledLinks(links, features_of(links, settings, progress), labels, source)


REVIEW_COLUMNS = [
    "label",
    schema.SOURCE_URL,
    schema.TARGET_URL,
    schema.ANCHOR,
    schema.PROBABILITY,
    "model_label",
    schema.REASONS,
    schema.FETCH_STATUS,
]


def review_sheet(result: ScanResult, labelled: Sequence[Path] = ()) -> tuple[pd.DataFrame, int, int]:
    """The links the model is least sure about first (uncertainty sampling), with a blank ``label`` column.

    Links already labelled in the ``labelled`` sheets are not asked again: they
    follow at the end with their labels, so the newest sheet holds every label
    given so far and ``toxiclinks train`` on it learns from all of them.
    Returns the sheet, the number of links to label and the number carried over.
    """
    key = [schema.SOURCE_URL, schema.TARGET_URL, schema.ANCHOR]
    done = pd.DataFrame(columns=REVIEW_COLUMNS)
    for path in labelled:
        try:
            sheet = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise ToxiclinksError(f"{path}: not a readable review sheet ({exc})") from None
        if not {*key, "label"} <= set(sheet.columns):
            raise ToxiclinksError(
                f"{path}: not a review sheet (it needs the columns label, source_url, target_url, anchor)"
            )
        done = pd.concat([done, sheet[sheet["label"].str.strip() != ""].reindex(columns=REVIEW_COLUMNS)])
    done = done.drop_duplicates(subset=key, keep="last")
    scores = result.scores[result.scores[schema.LABEL] != schema.LABEL_UNKNOWN].rename(
        columns={schema.LABEL: "model_label"}
    )
    threshold = result.threshold if result.threshold is not None else 0.5
    already = scores[key].apply(tuple, axis=1).isin(set(done[key].apply(tuple, axis=1)))
    todo = scores[~already].assign(label="")
    todo = todo.iloc[(todo[schema.PROBABILITY] - threshold).abs().argsort(kind="stable")]
    sheet = pd.concat([todo.reindex(columns=REVIEW_COLUMNS), done], ignore_index=True)
    return sheet, len(todo), len(done)

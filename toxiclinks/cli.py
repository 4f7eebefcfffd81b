"""The command line: a thin layer that builds settings, calls the library and reports errors in one line.

Options shared by several commands are defined once, as decorators
(``export_options``, ``fetch_options``), and turned into ``Settings`` by
``_settings``.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import BrokenExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from toxiclinks import __version__, schema
from toxiclinks.cache import default_cache_path
from toxiclinks.disavow import check_writable, read_disavow
from toxiclinks.errors import ToxiclinksError
from toxiclinks.pipeline import (
    ScanResult,
    feature_table,
    feature_table_chunks,
    fetch_export,
    scan,
    scan_chunks,
    triage_chunks,
    write_outputs,
    write_table,
)
from toxiclinks.settings import SCAN_CHUNK_ROWS, Settings

EXAMPLE = (
    "toxiclinks scan data/example/backlinks.csv --pages data/example/pages.warc.gz "
    "-o disavow.txt --scores scores.csv --report report.html"
)
F = TypeVar("F", bound=Callable[..., Any])


def _parse_columns(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    mapping = {}
    for part in value.split(","):
        key, sep, name = part.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected KEY=HEADER, got {part!r}", param_hint="--columns")
        mapping[key.strip().lower()] = name.strip()
    return mapping


def _split_list(value: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def _apply(options: list[Callable[[F], F]]) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


export_options = _apply(
    [
        click.argument("export", type=click.Path(path_type=Path)),
        click.option("--site", help="The target site, when the export does not name it, e.g. --site example.com."),
        click.option(
            "--columns",
            help="Map the columns of an export this tool does not recognise, "
            "e.g. --columns source='Source URL',target='Target',anchor='Anchor Text'.",
        ),
    ]
)

fetch_options = _apply(
    [
        click.option(
            "--pages",
            "pages_path",
            type=click.Path(path_type=Path),
            help="Read referring pages from a WARC file (.warc, .warc.gz) or a folder of .html files with a "
            "manifest.csv (url,file), e.g. --pages crawl.warc.gz. Pages missing from it are fetched unless --offline.",
        ),
        click.option(
            "--offline", is_flag=True, help="Never touch the network; pages not in --pages or the cache are not judged."
        ),
        click.option(
            "--cache",
            "cache_path",
            type=click.Path(path_type=Path),
            help=f"The page cache (SQLite), e.g. --cache pages.sqlite. Default: {default_cache_path()}.",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor fill the page cache."),
        click.option("--refresh", is_flag=True, help="Fetch pages again even when they are in the cache."),
        click.option(
            "--max-age",
            type=click.FloatRange(min=0),
            help="Fetch again cached pages older than this, in days, e.g. --max-age 30.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(1, 256),
            default=Settings.workers,
            show_default=True,
            help="Requests in flight at once, over all hosts, e.g. --workers 32.",
        ),
        click.option(
            "--per-host",
            type=click.IntRange(1, 16),
            default=Settings.max_per_host,
            show_default=True,
            help="Requests in flight at once to one host, e.g. --per-host 1.",
        ),
        click.option(
            "--delay",
            type=click.FloatRange(min=0),
            default=Settings.host_delay,
            show_default=True,
            help="Seconds between two requests to the same host, e.g. --delay 1.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            default=Settings.timeout_seconds,
            show_default=True,
            help="Seconds a server may stay silent before the page counts as timed out, e.g. --timeout 30.",
        ),
        click.option(
            "--retries",
            type=click.IntRange(0, 10),
            default=Settings.retries,
            show_default=True,
            help="Extra attempts after a connection reset, a timeout, 429 or 503, e.g. --retries 0.",
        ),
        click.option(
            "--user-agent",
            default=Settings.user_agent,
            show_default=True,
            help="User-Agent header sent with every request.",
        ),
        click.option("--ignore-robots", is_flag=True, help="Fetch pages even where robots.txt disallows it."),
        click.option(
            "--allow-private",
            is_flag=True,
            help="Allow fetching loopback and private addresses (refused by default: exports are untrusted).",
        ),
        click.option(
            "--dask",
            metavar="SCHEDULER",
            help="Fetch and parse the pages on a Dask cluster (pip install 'toxiclinks[dask]'), e.g. "
            "--dask tcp://10.0.0.5:8786, or --dask local for a cluster of this machine's cores. Needs --work-dir.",
        ),
        click.option(
            "--work-dir",
            metavar="PATH_OR_URL",
            help="With --dask: where the workers write pages (WARC, Parquet) and features (Parquet); a folder or "
            "URL every worker and this machine reach, e.g. --work-dir s3://bucket/audit. Run again to resume.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress line."),
        click.option("-v", "--verbose", is_flag=True, help="Say what each stage does."),
    ]
)


label_options = _apply(
    [
        click.option(
            "--label-column",
            help="The column holding the labels (artificial/natural, toxic/ok, disavow/keep, 1/0, yes/no), "
            "e.g. --label-column Verdict. Default: a column named label, verdict, toxic, ...",
        ),
        click.option(
            "--disavowed",
            type=click.Path(path_type=Path),
            help="Take labels from your old disavow file instead: links it lists are artificial, the rest natural "
            "(noisy labels), e.g. --disavowed old-disavow.txt.",
        ),
    ]
)

chunk_links_option = click.option(
    "--chunk-links",
    type=click.IntRange(min=1),
    default=SCAN_CHUNK_ROWS,
    show_default=True,
    help="Links fetched and read at a time: memory grows with this, not with the export; larger chunks wait less "
    "for each chunk's slowest page, e.g. --chunk-links 50000.",
)


def _settings(options: dict[str, Any], **extra: Any) -> Settings:
    """Build the settings from the shared options; ``extra`` are a command's own settings."""
    return Settings(
        site=options["site"],
        pages_path=options["pages_path"],
        offline=options["offline"],
        cache_path=options["cache_path"],
        use_cache=not options["no_cache"],
        refresh=options["refresh"],
        max_age_days=options["max_age"],
        workers=options["workers"],
        max_per_host=options["per_host"],
        host_delay=options["delay"],
        timeout_seconds=options["timeout"],
        retries=options["retries"],
        user_agent=options["user_agent"],
        respect_robots=not options["ignore_robots"],
        allow_private=options["allow_private"],
        dask=options["dask"],
        work_dir=options["work_dir"],
        **extra,
    )


def _start(options: dict[str, Any]) -> bool:
    """Set up logging; return whether to draw a progress line (on a terminal, unless --quiet)."""
    logging.basicConfig(
        level=logging.INFO if options["verbose"] else logging.WARNING, format="%(levelname)s: %(message)s"
    )
    return not options["quiet"] and sys.stderr.isatty()


def _echo_read_summary(attrs: Mapping[Any, Any]) -> None:
    summary = attrs["export"]
    dropped = f"; {summary['duplicates']} exact duplicates dropped" if summary["duplicates"] else ""
    skipped = f"; {summary['skipped']} rows without a URL skipped" if summary["skipped"] else ""
    level = ", one row per referring domain" if summary["level"] == "domain" else ""
    click.echo(f"read {summary['rows']} rows of {summary['format']} export{level}{dropped}{skipped}")


class _Commands(click.Group):
    """The commands, with one error for all of them when a worker process dies under them."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenExecutor:  # joblib's (loky's) pool lost a process: killed, most often for lack of memory
            raise click.ClickException(
                "a worker process stopped before it finished (the system may have ended it for lack of memory); "
                "no output file was written"
            ) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="toxiclinks")
def main() -> None:
    """Find the artificial (toxic) backlinks in a link profile and write Google's disavow file.

    \b
    Example:
        toxiclinks scan data/example/backlinks.csv --pages data/example/pages.warc.gz -o disavow.txt

    Run 'toxiclinks COMMAND --help' for the options of a command.
    """


@main.command(name="scan", epilog=f"\b\nExample:\n  {EXAMPLE}")
@export_options
@click.option(
    "-o",
    "--output",
    "disavow_path",
    type=click.Path(path_type=Path),
    default=Path("disavow.txt"),
    show_default=True,
    help="Write the disavow file here, e.g. -o disavow.txt.",
)
@click.option(
    "--scores",
    "scores_path",
    type=click.Path(path_type=Path),
    help="Also write one row per backlink with probability, label and reasons, e.g. --scores scores.csv.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Also write a self-contained HTML report, e.g. --report report.html.",
)
@click.option(
    "--brand",
    help="Brand words of the target, comma-separated, e.g. --brand 'Bright Kettle,BK'. Default: its domain name.",
)
@click.option(
    "--keywords",
    help="Money keywords of the target, comma-separated, to spot exact-match anchors, "
    "e.g. --keywords 'electric kettle,tea kettle'.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    help="Probability from which a link is labelled artificial, e.g. --threshold 0.9. "
    "Default: the model's own, chosen for high precision when it was trained.",
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="Use this trained model instead of the default, e.g. --model models/mine.joblib.",
)
@click.option(
    "--level",
    type=click.Choice(["auto", "domain", "url"]),
    default="auto",
    show_default=True,
    help="Disavow whole sites (domain:), single URLs, or decide per site (auto: domain: when most of its links "
    "are artificial and none is confidently natural).",
)
@click.option(
    "--allow",
    "allow_path",
    type=click.Path(path_type=Path),
    help="Never disavow what this file lists: one per line, example.com (and www.), *.example.com, "
    "domain:example.com or a URL; # comments. E.g. --allow allowlist.txt.",
)
@click.option("--own", help="Your own sites, never disavowed, comma-separated, e.g. --own example.com,example.org.")
@click.option(
    "--merge",
    "merge_path",
    type=click.Path(path_type=Path),
    help="Merge into your current disavow file: every line of it is kept, new entries are added under a dated "
    "comment, and the new entries alone go to --new-entries. E.g. --merge current-disavow.txt.",
)
@click.option(
    "--new-entries",
    "new_entries_path",
    type=click.Path(path_type=Path),
    help="With --merge: where the new entries alone go. Default: OUTPUT with .new.txt, e.g. disavow.new.txt.",
)
@click.option("--all-features", is_flag=True, help="Add every feature column to --scores.")
@chunk_links_option
@click.option(
    "--no-fetch",
    is_flag=True,
    help="Triage from the export alone, in seconds: no page is read, links are ranked by URL, domain name and "
    "anchor, and nothing is disavowed. For a first cut through a huge export.",
)
@fetch_options
def scan_command(**options: Any) -> None:
    """Score every backlink of EXPORT and write the disavow file.

    EXPORT is a backlink export as your tool wrote it (Ahrefs, Search Console,
    Bing, Semrush, Majestic, Moz, SE Ranking, or a list of URLs). Each referring
    page is read, turned into signals, and scored by the trained model; links
    labelled artificial that still pass PageRank go into the disavow file.
    Nothing is written if anything fails.
    """
    progress = _start(options)
    settings = _settings(
        options,
        threshold=options["threshold"],
        level=options["level"],
        allow_path=options["allow_path"],
        own_sites=_split_list(options["own"]),
        brand=_split_list(options["brand"]),
        keywords=_split_list(options["keywords"]),
        model_path=options["model_path"],
    )
    outputs = (options["disavow_path"], options["scores_path"], options["report_path"])
    try:
        for path in outputs:
            if path:
                check_writable(path)
        with warnings.catch_warnings():
            warnings.simplefilter("default" if options["verbose"] else "ignore")
            columns = _parse_columns(options["columns"])
            if options["no_fetch"] and settings.dask:
                raise ToxiclinksError("--no-fetch reads no page, so there is nothing for --dask to do: drop one")
            if options["no_fetch"]:  # streamed in chunks: a million links in bounded memory
                results: Any = triage_chunks(options["export"], settings, columns, all_features=options["all_features"])
            elif settings.dask:
                results = scan(options["export"], settings, columns, progress=progress)
            else:  # in chunks too, with the pages of one chunk at a time in memory
                results = scan_chunks(options["export"], settings, columns, progress, options["chunk_links"])
            written = write_outputs(
                results,
                options["export"].name,
                *outputs,
                merge_path=options["merge_path"],
                new_entries_path=options["new_entries_path"],
                all_features=options["all_features"],
            )
    except ToxiclinksError as exc:
        raise click.ClickException(str(exc)) from None
    _echo_read_summary({"export": written.export})
    if isinstance(results, ScanResult) and "cluster" in results.features.attrs:
        click.echo(results.features.attrs["cluster"].summary())
    labels, plan = written.summary.labels, written.plan
    click.echo(
        f"{written.summary.total} backlinks: {labels.get(schema.LABEL_ARTIFICIAL, 0)} artificial, "
        f"{labels.get(schema.LABEL_NATURAL, 0)} natural, {labels.get(schema.LABEL_UNKNOWN, 0)} not read; "
        f"disavow file {options['disavow_path']}: {len(plan.domains)} domains, {len(plan.urls)} URLs"
    )
    if written.merge is not None:
        click.echo(
            f"merged into {options['disavow_path']} (every line of {options['merge_path'].name} kept): "
            f"{written.merge.summary()}"
        )


@main.command(name="fetch", epilog="\b\nExample:\n  toxiclinks fetch backlinks.csv --cache pages.sqlite --workers 32")
@export_options
@fetch_options
def fetch_command(**options: Any) -> None:
    """Fetch the referring pages of EXPORT into the page cache, without scoring.

    Run it overnight on a large export: it can be stopped at any time (Ctrl-C)
    and run again; it fetches only what is missing. 'toxiclinks scan' then
    reads the pages from the cache.
    """
    from toxiclinks.fetch import fetch_summary  # with requests: only the commands that fetch import it

    progress = _start(options)
    settings = _settings(options)
    if not settings.use_cache:
        raise click.ClickException("'toxiclinks fetch' fills the page cache; drop --no-cache")
    if settings.dask:
        raise click.ClickException(
            "'toxiclinks fetch' fills this machine's page cache; with --dask, 'toxiclinks scan --work-dir' resumes"
        )
    try:
        export, pages = fetch_export(options["export"], settings, _parse_columns(options["columns"]), progress)
    except ToxiclinksError as exc:
        raise click.ClickException(str(exc)) from None
    _echo_read_summary({"export": export})
    click.echo(fetch_summary(pages.values()) + f"; cache {settings.cache_path or default_cache_path()}")


@main.command(
    name="features", epilog="\b\nExample:\n  toxiclinks features backlinks.csv -o features.csv --pages crawl.warc.gz"
)
@export_options
@click.option(
    "-o",
    "--output",
    "output_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Write the features here: .csv, or .parquet (needs pyarrow), e.g. -o features.parquet.",
)
@click.option(
    "--jobs",
    type=int,
    default=Settings.jobs,
    show_default=True,
    help="Processes for feature extraction (-1: every core), e.g. --jobs 1.",
)
@chunk_links_option
@fetch_options
def features_command(**options: Any) -> None:
    """Write the features of every backlink of EXPORT, for analysis or training elsewhere.

    One row per backlink: source, target and anchor, then every signal (see
    docs/features.md). No scoring.
    """
    progress = _start(options)
    settings = replace(_settings(options), jobs=options["jobs"])
    columns = _parse_columns(options["columns"])
    try:
        check_writable(options["output_path"])
        if settings.dask:
            tables: Any = feature_table(options["export"], settings, columns, progress)
        else:  # in chunks, as a scan: memory grows with the chunk, not with the export
            tables = feature_table_chunks(options["export"], settings, columns, progress, options["chunk_links"])
        rows, width = write_table(tables, options["output_path"])
    except ToxiclinksError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{rows} rows, {width} columns written to {options['output_path']}")


@main.command(name="train", epilog="\b\nExample:\n  toxiclinks train labelled.csv -o models/mine.joblib")
@export_options
@label_options
@click.option(
    "-o",
    "--output",
    "model_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Write the model here (and its manifest beside it), e.g. -o models/mine.joblib.",
)
@click.option(
    "--target-precision",
    type=click.FloatRange(0.5, 1.0),
    default=0.95,
    show_default=True,
    help="Choose the threshold as the lowest with this precision out of fold, e.g. --target-precision 0.9.",
)
@click.option(
    "--with-default-data",
    is_flag=True,
    help="Add the default model's training data (needs ../shared, see --shared): useful with few labels. "
    "The model then inherits WEBSPAM-UK2006's CC BY-NC-SA 2.5 licence.",
)
@click.option(
    "--shared",
    type=click.Path(path_type=Path),
    default=Path("../shared"),
    show_default=True,
    help="Where the default training data is, for --with-default-data.",
)
@fetch_options
def train_command(**options: Any) -> None:
    """Train a model on your own labelled links: EXPORT with a label column, or --disavowed.

    The referring pages are read (from --pages, the cache, or the network) and
    turned into the same signals as a scan. Metrics come from 5 folds grouped
    by referring domain; the threshold is chosen for --target-precision. Use
    the model with 'toxiclinks scan --model'.
    """
    from toxiclinks.pipeline import labelled_links
    from toxiclinks.train import format_metrics, train_on_labels

    progress = _start(options)
    default_data = options["shared"] if options["with_default_data"] else None
    if default_data is not None and not (default_data / "data" / "webspam-uk2006" / "train.csv").is_file():
        raise click.ClickException(f"--with-default-data: no default training data under {default_data}")
    try:
        check_writable(options["model_path"])
        data = labelled_links(
            options["export"],
            _settings(options),
            options["label_column"],
            options["disavowed"],
            _parse_columns(options["columns"]),
            progress,
        )
        metrics = train_on_labels(
            data.links,
            data.features,
            data.labels,
            options["model_path"],
            options["export"],
            data.label_source,
            options["target_precision"],
            default_data,
        )
    except ToxiclinksError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"trained on {metrics['examples']} labelled links ({metrics['artificial']} artificial), "
        f"{metrics['folds']} folds grouped by referring domain; out of fold:"
    )
    click.echo(format_metrics(metrics))
    if metrics["examples"] < 50:
        click.echo(
            f"warning: few labelled links ({metrics['examples']}): these metrics are unreliable; "
            "label more links, or add --with-default-data"
        )
    click.echo(f"model written to {options['model_path']}")


@main.command(
    name="evaluate",
    epilog="\b\nExample:\n  toxiclinks evaluate labelled.csv --model models/mine.joblib --report eval.html",
)
@export_options
@label_options
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="The model to evaluate, e.g. --model models/mine.joblib. Default: the shipped model.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Write the metrics and plots as one self-contained HTML page, e.g. --report evaluation.html.",
)
@click.option(
    "--plots",
    "plots_path",
    type=click.Path(path_type=Path),
    help="Write roc.png, precision_recall.png and calibration.png into this folder, e.g. --plots plots/.",
)
@fetch_options
def evaluate_command(**options: Any) -> None:
    """Measure a model on labelled links: ROC AUC, PR AUC, precision and recall, confusion matrix, calibration.

    Evaluate on links the model was not trained on: a model's own training
    links flatter it.
    """
    from toxiclinks.evaluate import plot_pngs, write_evaluation_html, write_plots
    from toxiclinks.model import load_model
    from toxiclinks.pipeline import labelled_links
    from toxiclinks.train import classification_metrics, format_metrics

    progress = _start(options)
    try:
        if options["report_path"]:
            check_writable(options["report_path"])
        model = load_model(options["model_path"])
        data = labelled_links(
            options["export"],
            _settings(options),
            options["label_column"],
            options["disavowed"],
            _parse_columns(options["columns"]),
            progress,
        )
        judged = (data.features[schema.FETCH_STATUS] == "ok") & data.labels.notna()
        if judged.sum() == 0 or data.labels[judged].nunique() < 2:
            raise ToxiclinksError("evaluation needs readable labelled links of both kinds")
        labels = data.labels[judged].astype(int).to_numpy()
        probability = model.predict_proba(data.features[judged])
        metrics = classification_metrics(labels, probability, model.threshold)
        pngs = (
            plot_pngs(labels, probability, model.threshold) if options["report_path"] or options["plots_path"] else {}
        )
        if options["plots_path"]:
            write_plots(pngs, options["plots_path"])
        if options["report_path"]:
            title = f"Evaluation of {(options['model_path'] or Path('default model')).name} on {options['export'].name}"
            write_evaluation_html(options["report_path"], metrics, pngs, title)
    except ToxiclinksError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{int(judged.sum())} labelled links with a readable page ({int(labels.sum())} artificial):")
    click.echo(format_metrics(metrics))


@main.command(
    name="review",
    epilog="\b\nExample:\n  toxiclinks review backlinks.csv -o review-2.csv --model models/mine.joblib "
    "--labelled review-1.csv",
)
@export_options
@click.option(
    "-o",
    "--output",
    "sheet_path",
    type=click.Path(path_type=Path),
    required=True,
    help="Write the review sheet here (CSV, opens in any spreadsheet), e.g. -o review.csv.",
)
@click.option(
    "--labelled",
    "labelled_paths",
    type=click.Path(path_type=Path),
    multiple=True,
    help="A review sheet you filled in before: its labelled links are not asked again, and are carried into the "
    "new sheet. Repeatable, e.g. --labelled review-1.csv.",
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="Score with this model, e.g. --model models/mine.joblib. Default: the shipped model.",
)
@fetch_options
def review_command(**options: Any) -> None:
    """Write a review sheet: the links the model is least sure about first, with a blank label column.

    Fill in some labels (artificial or natural) in a spreadsheet, then run
    'toxiclinks train review.csv -o models/mine.joblib', and 'toxiclinks review'
    again with --model and --labelled for the next round.
    """
    from toxiclinks.pipeline import review_sheet

    progress = _start(options)
    settings = _settings(options, model_path=options["model_path"])
    try:
        check_writable(options["sheet_path"])
        result = scan(options["export"], settings, _parse_columns(options["columns"]), progress=progress)
        sheet, todo, carried = review_sheet(result, options["labelled_paths"])
        write_table(sheet, options["sheet_path"])
    except ToxiclinksError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"review sheet {options['sheet_path']}: {todo} links to label, least sure first; "
        f"{carried} labelled links carried over"
    )


@main.command(epilog="\b\nExample:\n  toxiclinks validate disavow.txt")
@click.argument("disavow_file", type=click.Path(path_type=Path))
def validate(disavow_file: Path) -> None:
    """Check a disavow file against Google's format and list every problem with its line number.

    Errors are lines Google rejects or misreads; warnings are valid lines that
    are probably not what was meant (domain:www., duplicates, URLs already
    covered by a domain: line). Exits with status 1 when there are errors.
    """
    try:
        parsed = read_disavow(disavow_file)
    except ToxiclinksError as exc:
        raise click.ClickException(str(exc)) from None
    for problem in parsed.problems:
        where = f"{disavow_file}:{problem.line}" if problem.line else str(disavow_file)
        click.echo(f"{where}: {problem.severity}: {problem.message}")
    errors = len(parsed.errors)
    warnings_count = len(parsed.problems) - errors
    click.echo(f"{len(parsed.domains)} domains, {len(parsed.urls)} URLs; {errors} errors, {warnings_count} warnings")
    if errors:
        raise SystemExit(1)

"""The command line: a thin layer that builds settings, calls the library and reports errors in one line."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import click

from toxiclinks import __version__, schema
from toxiclinks.disavow import check_writable, read_disavow
from toxiclinks.errors import ToxiclinksError
from toxiclinks.pipeline import scan, write_outputs
from toxiclinks.settings import Settings

EXAMPLE = (
    "toxiclinks scan data/example/backlinks.csv --pages data/example/pages.warc.gz "
    "-o disavow.txt --scores scores.csv --report report.html"
)


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="toxiclinks")
def main() -> None:
    """Find the artificial (toxic) backlinks in a link profile and write Google's disavow file.

    \b
    Example:
        toxiclinks scan data/example/backlinks.csv --pages data/example/pages.warc.gz -o disavow.txt

    Run 'toxiclinks COMMAND --help' for the options of a command.
    """


@main.command(epilog=f"\b\nExample:\n  {EXAMPLE}")
@click.argument("export", type=click.Path(path_type=Path))
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
    "--pages",
    "pages_path",
    type=click.Path(path_type=Path),
    help="Read referring pages from this WARC file (.warc or .warc.gz) instead of the network, "
    "e.g. --pages crawl.warc.gz. Pages missing from it are fetched unless --offline.",
)
@click.option("--offline", is_flag=True, help="Never touch the network; pages not in --pages are not judged.")
@click.option("--site", help="The target site, when the export has no target column, e.g. --site example.com.")
@click.option(
    "--brand",
    help="Brand words of the target, comma-separated, e.g. --brand 'Bright Kettle,BK'. "
    "Default: the target's domain name.",
)
@click.option(
    "--keywords",
    help="Money keywords of the target, comma-separated, to spot exact-match anchors, "
    "e.g. --keywords 'electric kettle,tea kettle'.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    default=Settings.threshold,
    show_default=True,
    help="Probability from which a link is labelled artificial, e.g. --threshold 0.8.",
)
@click.option(
    "--model",
    "model_path",
    type=click.Path(path_type=Path),
    help="Use this trained model instead of the default, e.g. --model models/mine.joblib.",
)
@click.option(
    "--columns",
    help="Map the columns of an export this tool does not recognise, "
    "e.g. --columns source='Source URL',target='Target',anchor='Anchor Text'.",
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow fetching loopback and private addresses (refused by default: exports are untrusted).",
)
@click.option(
    "--user-agent", default=Settings.user_agent, show_default=True, help="User-Agent header sent with every request."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=Settings.timeout_seconds,
    show_default=True,
    help="Seconds to wait for a server, e.g. --timeout 30.",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=Settings.workers, show_default=True, help="Pages fetched at once."
)
@click.option("-v", "--verbose", is_flag=True, help="Say what each stage does.")
def scan_command(
    export: Path,
    disavow_path: Path,
    scores_path: Path | None,
    report_path: Path | None,
    pages_path: Path | None,
    offline: bool,
    site: str | None,
    brand: str | None,
    keywords: str | None,
    threshold: float,
    model_path: Path | None,
    columns: str | None,
    allow_private: bool,
    user_agent: str,
    timeout: float,
    workers: int,
    verbose: bool,
) -> None:
    """Score every backlink of EXPORT and write the disavow file.

    EXPORT is a backlink export (Ahrefs CSV, or a plain list of URLs). Each
    referring page is read, turned into signals, and scored by the trained
    model; links labelled artificial that still pass PageRank go into the
    disavow file. Nothing is written if anything fails.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    settings = Settings(
        threshold=threshold,
        site=site,
        brand=_split_list(brand),
        keywords=_split_list(keywords),
        pages_path=pages_path,
        offline=offline,
        user_agent=user_agent,
        timeout_seconds=timeout,
        workers=workers,
        allow_private=allow_private,
        model_path=model_path,
    )
    try:
        for path in (disavow_path, scores_path, report_path):
            if path:
                check_writable(path)
        with warnings.catch_warnings():
            warnings.simplefilter("default" if verbose else "ignore")
            result = scan(export, settings, _parse_columns(columns))
        write_outputs(result, export.name, disavow_path, scores_path, report_path)
    except ToxiclinksError as exc:
        raise click.ClickException(str(exc)) from None
    summary = result.links.attrs["export"]
    dropped = f"; {summary['duplicates']} exact duplicates dropped" if summary["duplicates"] else ""
    skipped = f"; {summary['skipped']} rows without a URL skipped" if summary["skipped"] else ""
    level = ", one row per referring domain" if summary["level"] == "domain" else ""
    click.echo(f"read {summary['rows']} rows of {summary['format']} export{level}{dropped}{skipped}")
    scores = result.scores
    labels = scores[schema.LABEL].value_counts()
    click.echo(
        f"{len(scores)} backlinks: {labels.get(schema.LABEL_ARTIFICIAL, 0)} artificial, "
        f"{labels.get(schema.LABEL_NATURAL, 0)} natural, {labels.get(schema.LABEL_UNKNOWN, 0)} not read; "
        f"disavow file {disavow_path}: {len(result.plan.domains)} domains, {len(result.plan.urls)} URLs"
    )


scan_command.name = "scan"


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
    warnings = len(parsed.problems) - errors
    click.echo(f"{len(parsed.domains)} domains, {len(parsed.urls)} URLs; {errors} errors, {warnings} warnings")
    if errors:
        raise SystemExit(1)

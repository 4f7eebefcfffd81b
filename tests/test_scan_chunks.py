"""A scan in chunks (what ``toxiclinks scan`` runs) gives what a scan of the whole export at once gives."""

import itertools
from pathlib import Path

import pandas as pd
import pytest

from toxiclinks.disavow import DisavowPlanner, site_of
from toxiclinks.pipeline import ScanResult, scan, scan_chunks, write_outputs
from toxiclinks.settings import Settings

from conftest import ROOT, Response

EXAMPLE = ROOT / "data" / "example"


def _assert_same(whole: ScanResult, parts: list[ScanResult], tmp_path: Path) -> None:
    # The same values; a column's type may differ once chunks are put together (a chunk with no text in it).
    for table in ("scores", "features", "links"):
        chunked = pd.concat([getattr(part, table) for part in parts], ignore_index=True)
        expected = getattr(whole, table).reset_index(drop=True)
        pd.testing.assert_frame_equal(expected, chunked, check_exact=True, check_dtype=False)
    assert parts[-1].plan.domains == whole.plan.domains and parts[-1].plan.urls == whole.plan.urls
    assert parts[-1].threshold == whole.threshold
    # What the user gets: the same scores file (every feature) and disavow entries.
    written = []
    for name, results in (("whole", whole), ("chunks", parts)):
        disavow, scores = tmp_path / f"{name}.txt", tmp_path / f"{name}.csv"
        write_outputs(results, "links.csv", disavow, scores, all_features=True)
        entries = [line for line in disavow.read_text().splitlines() if not line.startswith("#")]
        written.append((scores.read_bytes(), entries))
    assert written[0] == written[1]


@pytest.mark.parametrize("chunk_rows", [1, 4, 9])
def test_the_example_in_chunks_gives_the_whole_scans_scores_features_and_plan(chunk_rows, tmp_path):
    settings = Settings(pages_path=EXAMPLE / "pages.warc.gz", offline=True, use_cache=False, jobs=1)
    whole = scan(EXAMPLE / "backlinks.csv", settings)
    parts = list(scan_chunks(EXAMPLE / "backlinks.csv", settings, chunk_rows=chunk_rows))
    assert [len(part.scores) for part in parts[:-1]] == [chunk_rows] * (len(parts) - 1)
    assert len(whole.plan.domains) >= 5  # sites decided on links of several chunks
    _assert_same(whole, parts, tmp_path)


def test_a_chunked_scan_plans_the_disavow_file_when_asked_not_after_every_chunk(tmp_path, monkeypatch):
    # A plan sorts every site's URLs: made after each chunk, a million links' scan (100 chunks) made it 100 times.
    made = []
    real_plan = DisavowPlanner.plan

    def counted_plan(self: DisavowPlanner, source_name: str = "") -> object:
        made.append(source_name)
        return real_plan(self, source_name)

    monkeypatch.setattr(DisavowPlanner, "plan", counted_plan)
    settings = Settings(pages_path=EXAMPLE / "pages.warc.gz", offline=True, use_cache=False, jobs=1)
    parts = scan_chunks(EXAMPLE / "backlinks.csv", settings, chunk_rows=5)
    first, second, third = next(parts), next(parts), next(parts)
    early = third.plan  # asked for at once: the first three chunks' links alone
    rest = list(parts)
    assert len(rest) == 2 and made == ["backlinks.csv"]
    disavow = tmp_path / "disavow.txt"
    write_outputs(itertools.chain([first, second, third], rest), "backlinks.csv", disavow)
    assert len(made) == 2  # the last chunk's plan, made once for the file
    assert third.plan is early
    so_far = pd.concat([first.scores, second.scores, third.scores])
    early_sites = {site_of(url) for url in so_far.loc[so_far["disavow"], "source_url"]}
    assert early.domains and set(early.domains) <= early_sites
    whole = scan(EXAMPLE / "backlinks.csv", settings)
    assert rest[-1].plan.domains == whole.plan.domains and len(whole.plan.domains) > len(early.domains)


def _article(words: str, links: str = "") -> bytes:
    body = " ".join([words] * 40)
    head = f"<html lang='en'><head><title>{words[:30]}</title></head>"
    return f"{head}<body><article><p>{body}</p>{links}</article>".encode()


def test_pages_linking_from_several_chunks_are_fetched_once_and_scored_as_in_one_scan(http_server, tmp_path, capsys):
    # the target on another host than the referring pages; its path gives the money keywords "electric kettles"
    shop = http_server.url("/electric-kettles").replace("127.0.0.1", "localhost")
    topic = "electric kettles for green tea at the right temperature"
    http_server.routes["/electric-kettles"] = Response(200, _article(topic))
    spam_links = "".join(f"<a href='https://casino{n}.example/'>casino bonus {n}</a>" for n in range(60))
    http_server.routes["/hub"] = Response(
        200, _article("links and more links", f"<a href='{shop}'>electric kettles</a>{spam_links}")
    )
    http_server.routes["/tea"] = Response(
        200, _article("we brew sencha at seventy degrees", f"<p>Our <a href='{shop}'>kettle</a> holds it.</p>")
    )
    for number in range(4):
        http_server.routes[f"/blog/{number}"] = Response(
            200, _article(f"a tea blog post number {number} about oolong", f"<a href='{shop}'>Bright Kettle</a>")
        )
    rows = [
        ("/hub", "buy electric kettles"),
        ("/tea", "kettle"),
        ("/blog/0", "Bright Kettle"),
        ("/gone", "cheap kettles"),  # 404
        ("/blog/1", "Bright Kettle"),
        ("/hub", "electric kettles"),  # the same page again, another chunk, an exact-match anchor
        ("/tea", "kettle"),  # an exact duplicate of a link in an earlier chunk: dropped
        ("/blog/2", "Bright Kettle"),
        ("/blog/3", "bright kettle"),
    ]
    export = tmp_path / "links.csv"
    lines = ["from,to,text", *(f"{http_server.url(path)},{shop},{anchor}" for path, anchor in rows)]
    export.write_text("\n".join(lines) + "\n")
    columns = {"source": "from", "target": "to", "anchor": "text"}
    settings = Settings(
        allow_private=True, respect_robots=False, host_delay=0.0, cache_path=tmp_path / "cache.sqlite", jobs=1
    )

    parts = list(scan_chunks(export, settings, columns, progress=True, chunk_rows=3))
    progress = capsys.readouterr().err
    assert "chunk 1 of 3: fetched 3/3 pages" in progress and "chunk 3 of 3: fetched 2/2 pages" in progress
    # the hub's second chunk read it from the cache
    assert http_server.hits["/hub"] == 1 and http_server.hits["/electric-kettles"] == 1
    assert [len(part.scores) for part in parts] == [3, 3, 2]
    assert parts[-1].links.attrs["export"]["duplicates"] == 1
    whole = scan(export, settings, columns)
    _assert_same(whole, parts, tmp_path)
    features = pd.concat([part.features for part in parts], ignore_index=True)
    assert features["domain_link_count"].tolist() == [8.0] * 8  # every link counted, across chunks
    assert features["profile_exact_anchor_share"].tolist() == [2 / 8] * 8  # the exact anchors of chunks 1 and 2
    assert features["topic_similarity"].iloc[[0, 1]].notna().all()  # the target page gave the topic
    assert features["fetch_status"].tolist().count("http_404") == 1


def test_scan_command_in_chunks_of_any_size_writes_the_same_files(tmp_path):
    from click.testing import CliRunner

    from toxiclinks.cli import main

    written = []
    for chunk_links in ("2", "10000"):
        out = tmp_path / chunk_links
        out.mkdir()
        args = ["scan", str(EXAMPLE / "backlinks.csv"), "--pages", str(EXAMPLE / "pages.warc.gz"), "--offline"]
        args += ["--no-cache", "--chunk-links", chunk_links, "-o", str(out / "d.txt"), "--scores", str(out / "s.csv")]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert "21 backlinks: 11 artificial, 8 natural, 2 not read" in result.output
        entries = [line for line in (out / "d.txt").read_text().splitlines() if not line.startswith("#")]
        written.append(((out / "s.csv").read_bytes(), entries))
    assert written[0] == written[1] and len(written[0][1]) == 7
    refused = CliRunner().invoke(main, ["scan", str(EXAMPLE / "backlinks.csv"), "--chunk-links", "0"])
    assert refused.exit_code == 2 and "--chunk-links" in refused.output

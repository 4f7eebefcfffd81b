"""scan --no-fetch: triage from the export alone, no page read, nothing disavowed."""

import sys

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from toxiclinks.cli import main
from toxiclinks.triage import load_triage_model, triage_features

from conftest import EXAMPLE


def test_no_fetch_scores_every_link_reads_no_page_and_disavows_nothing(tmp_path, http_server):
    export = tmp_path / "links.csv"
    urls = [http_server.url(f"/page{n}") for n in range(3)]
    export.write_text(
        "Referring page URL,Target URL,Anchor\n"
        + "".join(f"{url},https://shop.example/,cheap casino bonus\n" for url in urls)
    )
    out, scores = tmp_path / "disavow.txt", tmp_path / "scores.csv"
    result = CliRunner().invoke(
        main, ["scan", str(export), "--no-fetch", "--allow-private", "-o", str(out), "--scores", str(scores)]
    )
    assert result.exit_code == 0, result.output
    assert http_server.hits == {}  # not one request
    table = pd.read_csv(scores)
    assert len(table) == 3 and table["reasons"].str.startswith("triage, no page read").all()
    assert table["probability"].between(0, 1).all() and not table["disavow"].any()
    assert [line for line in out.read_text().splitlines() if not line.startswith("#")] == []


def test_triage_ranks_a_spam_style_domain_above_an_editorial_one():
    model = load_triage_model()
    links = pd.DataFrame(
        {
            "source_url": [
                "http://free-seo-backlinks-4u.xyz/links.html",
                "https://www.theguardian.com/science/2026/jan",
            ],
            "target_url": ["https://shop.example/"] * 2,
            "anchor": ["buy cheap viagra online", "this study"],
        }
    )
    probability = model.predict_proba(triage_features(links))
    assert probability[0] > 0.8 > 0.3 > probability[1]
    reasons = model.explain(triage_features(links))
    assert any("spam" in reason for reason in reasons[0])


def test_each_links_reasons_are_its_strongest_signals_that_say_something_as_a_plain_loop_finds_them():
    # the reasons are picked for every link at once (the strongest signals that may speak, rank by rank, words
    # made once per distinct value); a loop over each link's signals, strongest first, must give the same words
    import random

    from toxiclinks.triage import CONTRIBUTION_GROUPS, TEXT, _describe_value, score_triage

    rng = random.Random(8)
    hosts = ["free-seo-backlinks-4u.xyz", "www.theguardian.com", "blog.example.org", "casino-bonus.top", "10.0.0.7"]
    paths = ["/links.html", "/page/3", "/", "/2026/jan/story", "/partners?p=2"]
    anchors = ["buy cheap viagra online", "this study", "https://shop.example/", "click here", "", "Shop"]
    links = pd.DataFrame(
        {
            "source_url": [f"http://{rng.choice(hosts)}{rng.choice(paths)}" for _ in range(400)],
            "target_url": "https://shop.example/",
            "anchor": [rng.choice(anchors) for _ in range(400)],
        }
    )
    model = load_triage_model().scorer()
    features = triage_features(links)
    contributions = model.contributions(features).to_numpy()
    probability = model.predict_proba(features)

    def words(link: int, group: str) -> str:
        if group == "domain":
            resembles = "resembles" if probability[link] >= model.threshold else "does not resemble"
            return f"domain name '{features[TEXT].iloc[link]}' {resembles} known spam domains"
        return _describe_value(group, features[group].iloc[link], model.infrequent_anchor_classes)

    expected = []
    for link in range(len(links)):
        sign = 1.0 if probability[link] >= model.threshold else -1.0
        ranked = sorted(range(len(CONTRIBUTION_GROUPS)), key=lambda group: -sign * contributions[link, group])
        spoken = [words(link, CONTRIBUTION_GROUPS[g]) for g in ranked if sign * contributions[link, g] > 0.05]
        said = [text for text in spoken if text]
        expected.append("triage, no page read: " + ("; ".join(said[:3]) or "no strong signal"))
    assert score_triage(links, features, model)["reasons"].tolist() == expected
    assert len(set(expected)) > 10  # many different lists of reasons, some shorter than three
    assert {reasons.count(";") for reasons in expected} == {0, 1, 2}  # three reasons, and fewer


def test_triage_of_the_example_is_fast_and_complete(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "scan",
            str(EXAMPLE / "backlinks.csv"),
            "--no-fetch",
            "-o",
            str(tmp_path / "d.txt"),
            "--report",
            str(tmp_path / "r.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "21 backlinks" in result.output and "0 domains, 0 URLs" in result.output
    assert "triage, no page read" in (tmp_path / "r.html").read_text()


def _example_links():
    from toxiclinks.exports import read_export

    return read_export(EXAMPLE / "backlinks.csv")


def test_column_wise_scoring_equals_the_fitted_pipeline():
    model = load_triage_model()
    links = pd.concat(
        [
            _example_links(),
            pd.DataFrame(
                {
                    "source_url": ["http://user@a.example:8080/x?p=2", "http://[::1]/links", "http://1.2.3.4/a//b/"],
                    "target_url": ["", "https://shop.example/", ""],
                    "anchor": ["", "casino bonus", "https://shop.example"],
                }
            ),
        ],
        ignore_index=True,
    )
    features = triage_features(links)
    reference = model.calibrator_.predict(model.pipeline_.predict_proba(features)[:, 1])
    np.testing.assert_allclose(model.predict_proba(features), reference, rtol=0, atol=1e-12)
    decision = model.pipeline_.decision_function(features)
    total = model.contributions(features).sum(axis=1) + model.pipeline_[-1].intercept_[0]
    np.testing.assert_allclose(total, decision, atol=1e-9)  # the reasons' numbers are the model's own


def test_remembered_domain_shares_belong_to_their_model():
    # each domain name's logit share is remembered per process: a second model with other weights (a retrain)
    # must get its own, and the remembered ones must equal the pipeline's on a second pass
    import copy

    model = load_triage_model()
    features = triage_features(_example_links())
    first = model.contributions(features)
    other = copy.deepcopy(model)
    other.pipeline_[-1].coef_ = other.pipeline_[-1].coef_ * 2.0
    doubled = other.contributions(features)
    np.testing.assert_allclose(doubled["domain"], 2.0 * first["domain"], atol=1e-12)
    np.testing.assert_allclose(model.contributions(features), first, atol=0)
    total = other.contributions(features).sum(axis=1) + other.pipeline_[-1].intercept_[0]
    np.testing.assert_allclose(total, other.pipeline_.decision_function(features), atol=1e-9)


def test_triage_in_small_chunks_writes_the_same_files_as_in_one(tmp_path, monkeypatch):
    # the disk starts writing the scores after each chunk (where the system can be asked): nothing lost for it
    import os

    from toxiclinks.pipeline import triage_chunks, write_outputs
    from toxiclinks.settings import Settings

    advised: list[int] = []
    if hasattr(os, "posix_fadvise"):
        real = os.posix_fadvise
        monkeypatch.setattr(os, "posix_fadvise", lambda fd, *a: (advised.append(a[-1]), real(fd, *a))[1])
    outputs = {}
    for rows in (4, 100_000):
        chunks = list(triage_chunks(EXAMPLE / "backlinks.csv", Settings(), chunk_rows=rows))
        assert max(len(chunk.scores) for chunk in chunks) <= rows
        folder = tmp_path / str(rows)
        folder.mkdir()
        advised.clear()
        written = write_outputs(iter(chunks), "backlinks.csv", folder / "d.txt", folder / "s.csv", folder / "r.html")
        assert written.summary.total == 21 and written.export["rows"] == 21
        assert advised == ([os.POSIX_FADV_DONTNEED] * len(chunks) if hasattr(os, "posix_fadvise") else [])
        outputs[rows] = [(folder / name).read_text() for name in ("d.txt", "s.csv", "r.html")]
    assert outputs[4] == outputs[100_000]


def test_a_triage_batch_comes_back_from_a_worker_in_a_fraction_of_the_bytes_and_as_the_same_tables(tmp_path):
    # text columns of few values travel as categories and are text again here, value for value and type for type
    import pickle

    from toxiclinks.exports import ExportReader, links_table
    from toxiclinks.pipeline import triage_chunks, write_outputs
    from toxiclinks.report import REPORT_FEATURES
    from toxiclinks.settings import Settings
    from toxiclinks.triage import from_categories, score_triage, triage_batch

    export = tmp_path / "links.csv"
    anchors = ["Bright Kettle", "click here", "", "cheap kettles"]
    body = "".join(
        f"https://site{n % 40}.example/post-{n},https://shop.example/{n % 3},{anchors[n % 4]}\n" for n in range(400)
    )
    export.write_text("Referring page URL,Target URL,Anchor\n" + body)
    reader = ExportReader(export, text_only=True)
    batch, first = next(reader.batches())
    scorer = load_triage_model().scorer()
    sent = triage_batch(batch, first, reader.format, reader.header, scorer, Settings())
    links, _ = links_table(batch, first, reader.format, reader.header, text_only=True)
    features = triage_features(links)
    scores = score_triage(links, features, scorer)
    features["link_found"] = pd.NA
    assert len(pickle.dumps(sent[:2])) < 0.6 * len(pickle.dumps((features, scores)))
    pd.testing.assert_frame_equal(from_categories(sent[1]), scores, check_exact=True)
    pd.testing.assert_frame_equal(from_categories(sent[0]), features, check_exact=True)
    assert isinstance(sent[1]["label"].dtype, pd.CategoricalDtype)  # what was sent is left as it came
    # Without every feature asked for, a batch brings back only what the report needs; the report is the same.
    trimmed = list(triage_chunks(export, Settings(jobs=1), all_features=False))
    whole = list(triage_chunks(export, Settings(jobs=1)))
    assert list(trimmed[0].features.columns) == list(REPORT_FEATURES)
    reports = []
    for chunks in (trimmed, whole):
        written = write_outputs(iter(chunks), "links.csv", report_path=tmp_path / "r.html")
        reports.append(((tmp_path / "r.html").read_text(), written.summary.anchor_classes))
    assert reports[0] == reports[1] and reports[0][1] == {"other": 200, "generic": 100, "empty": 100}


def test_duplicates_and_unusable_rows_are_counted_the_same_across_worker_batches(tmp_path):
    # batches are mapped and scored in worker processes, duplicates dropped here in order: a duplicate of a
    # row in an earlier batch, and a batch of nothing but unusable rows, must come out as in one batch
    from toxiclinks.pipeline import triage_chunks, write_outputs
    from toxiclinks.settings import Settings

    export = tmp_path / "links.csv"
    rows = ["https://a.example/1", "https://b.example/2", "mailto:x", "javascript:y", "https://a.example/1"]
    rows += ["https://c.example/3", "https://b.example/2", "https://d.example/4"]
    body = "".join(f"{row},https://s.example/,cheap\n" for row in rows)
    export.write_text("Referring page URL,Target URL,Anchor\n" + body)
    outputs, infos = {}, {}
    for size, jobs in ((2, 2), (100, 1)):
        folder = tmp_path / str(size)
        folder.mkdir()
        chunks = triage_chunks(export, Settings(jobs=jobs), chunk_rows=size)
        written = write_outputs(chunks, "links.csv", folder / "d.txt", folder / "s.csv", folder / "r.html")
        outputs[size] = [(folder / name).read_text() for name in ("s.csv", "r.html")]
        infos[size] = dict(written.export)
    assert outputs[2] == outputs[100]
    assert infos[2] == infos[100]
    assert (infos[2]["rows"], infos[2]["skipped"], infos[2]["duplicates"]) == (8, 2, 2)
    assert pd.read_csv(tmp_path / "2" / "s.csv")["source_url"].tolist() == [
        "https://a.example/1",
        "https://b.example/2",
        "https://c.example/3",
        "https://d.example/4",
    ]


def test_worker_batches_are_taken_from_the_reader_only_as_fast_as_their_results_are_used():
    # joblib's Parallel sends a new batch whenever a worker is free, so a slow consumer (a slow disk for the
    # scores) let results pile up in memory; here the reader is never more than jobs + 1 batches ahead
    import operator
    import time

    from toxiclinks.workers import in_order_in_workers

    taken = []

    def calls():
        for number in range(12):
            taken.append(number)
            yield operator.mul, (number, number)

    results = []
    for result in in_order_in_workers(calls(), jobs=2):
        time.sleep(0.05)  # the workers are done long before this consumer
        assert len(taken) - len(results) <= 3
        results.append(result)
    assert results == [number * number for number in range(12)]
    failing = in_order_in_workers(iter([(operator.truediv, (1, 1)), (operator.truediv, (1, 0))]), jobs=2)
    assert next(failing) == 1.0
    with pytest.raises(ZeroDivisionError):
        next(failing)


def test_a_worker_process_killed_under_a_scan_is_a_one_line_error_and_nothing_is_written(tmp_path, monkeypatch):
    # the system may kill a worker (out of memory): the user gets one line, no traceback, no output file
    import itertools
    import os

    from toxiclinks import pipeline

    run_in_workers = pipeline.in_order_in_workers

    def one_worker_dies(calls, jobs):  # the first call ends its worker process at once
        return run_in_workers(itertools.chain([(os._exit, (9,))], calls), jobs)

    monkeypatch.setattr(pipeline, "in_order_in_workers", one_worker_dies)
    export = tmp_path / "links.txt"
    export.write_text("".join(f"https://site{n % 700}.example/p{n}\n" for n in range(60_000)))  # over one batch
    outputs = [tmp_path / "out" / name for name in ("d.txt", "s.csv", "r.html")]
    outputs[0].parent.mkdir()
    result = CliRunner().invoke(
        main,
        ["scan", str(export), "--no-fetch", "-o", str(outputs[0]), "--scores", str(outputs[1]), "--report",
         str(outputs[2])],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: a worker process stopped before it finished (the system may have ended it for lack of memory); "
        "no output file was written"
    ]
    assert list(outputs[0].parent.iterdir()) == []


def test_a_failing_chunk_leaves_no_output_file(tmp_path):
    from toxiclinks.errors import ToxiclinksError
    from toxiclinks.pipeline import triage_chunks, write_outputs
    from toxiclinks.settings import Settings

    def broken():
        chunks = triage_chunks(EXAMPLE / "backlinks.csv", Settings(), chunk_rows=5)
        yield next(chunks)
        raise ToxiclinksError("the export broke off")

    scores = tmp_path / "scores.csv"
    try:
        write_outputs(broken(), "backlinks.csv", tmp_path / "d.txt", scores, tmp_path / "r.html")
    except ToxiclinksError:
        pass
    assert list(tmp_path.iterdir()) == []  # no partial scores file, no temporary left


def test_domain_name_ngrams_cut_column_wise_weigh_as_the_vectorizer():
    # the n-grams of plain names are cut in Arrow, odd names (capitals, spaces, non-ASCII, empty, tabs, short
    # words among long ones) in Python, with no scikit-learn: every share must equal scikit-learn's transform
    import random

    from toxiclinks.triage import _char_ngram_shares

    model = load_triage_model()
    vectorizer = model.pipeline_[0].named_transformers_["domain"]
    weights = model.pipeline_[-1].coef_[0][model.pipeline_[0].output_indices_["domain"]]
    rng = random.Random(4)
    names = ["", "a", "ab", "abc", "casino", "best-seo-links4u", "UPPER", "two words", "tab\tname", "ünï", "q" * 70]
    names += ["a  bc\n casino-Bonus", " ", "ÄÖÜ straße", "x y z", "İstanbul"]
    names += ["".join(rng.choice("abcdeo-14. Ké") for _ in range(rng.randint(1, 14))) for _ in range(5000)]
    expected = np.asarray(vectorizer.transform(names) @ weights).ravel()
    np.testing.assert_allclose(_char_ngram_shares(names, model.scorer()), expected, rtol=0, atol=1e-12)
    assert np.count_nonzero(expected) > 2000  # most random names share n-grams with the vocabulary


def test_the_command_line_imports_the_libraries_for_fetching_pages_only_when_it_fetches(tmp_path):
    # requests and warcio (50 ms) are not imported before a large triage's first batch (its command process
    # imports the command line and reads the export; the workers look up domains); a scan that reads pages is
    import subprocess
    import sys

    export, disavow = str(EXAMPLE / "backlinks.csv"), str(tmp_path / "d.txt")
    listed = "print(sorted(name for name in ('requests', 'warcio') if name in sys.modules))"
    imported_only = f"import sys, toxiclinks.cli\n{listed}"
    scanned = (
        "import sys; from toxiclinks.cli import main\n"
        f"try: main(['scan', {export!r}, '--offline', '-o', {disavow!r}])\n"
        "except SystemExit as exit: assert not exit.code, exit.code\n"
        f"{listed}"
    )
    for code, imported in ((imported_only, "[]"), (scanned, "['requests', 'warcio']")):
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines()[-1] == imported


def test_a_large_triage_on_the_command_line_starts_its_workers_before_the_cli_is_imported(tmp_path, monkeypatch):
    import subprocess
    import sys

    from toxiclinks import workers

    started, forked = [], []
    monkeypatch.setattr(workers, "start_workers", lambda jobs, module: started.append((jobs, module)))
    monkeypatch.setattr(workers, "fork_triage_workers", lambda jobs: forked.append(jobs) or False)  # cannot fork
    big, small = tmp_path / "big.csv", tmp_path / "small.csv"
    with big.open("wb") as stream:
        stream.truncate(workers.DEFAULT_CHUNK_ROWS * 300 + 1)  # sparse: more than one batch by its size
    small.write_text("Referring page URL\nhttps://a.example/\n", encoding="utf-8")
    assert not workers.start_for_large_triage(["scan", str(small), "--no-fetch"])  # scored in one process
    assert not workers.start_for_large_triage(["scan", str(big)])  # a full scan starts its own, later
    assert not workers.start_for_large_triage(["features", str(big), "--no-fetch"])
    assert not workers.start_for_large_triage([])
    assert started == forked == []
    assert workers.start_for_large_triage(["scan", "-o", "d.txt", str(big), "--no-fetch"])
    assert started == [(-1, workers.TRIAGE_WORKER_MODULE)] and forked == [-1]
    monkeypatch.setattr(workers, "fork_triage_workers", lambda jobs: forked.append(jobs) or True)  # forked them
    assert workers.start_for_large_triage(["scan", str(big), "--no-fetch"])
    assert len(started) == 1 and forked == [-1, -1]
    version = subprocess.run([sys.executable, "-m", "toxiclinks", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "toxiclinks" in version.stdout  # the launcher runs the command line


def test_a_triage_reads_a_large_export_in_larger_batches_and_a_smaller_one_in_several(tmp_path, monkeypatch):
    # the batch rows follow the rows the export holds, estimated from its size and its first lines' length
    import os

    from toxiclinks import workers
    from toxiclinks.pipeline import triage_chunks
    from toxiclinks.settings import Settings

    line = "https://a.example/" + "x" * 109 + "\n"  # 128 bytes a row: 512 in the 64 kB looked at
    export = tmp_path / "links.csv"
    export.write_text(line * 1000, encoding="utf-8")
    expected = {100_000: 50_000, 300_000: 50_000, 600_000: 75_000, 5_000_000: 100_000}
    for rows, batch_rows in expected.items():
        with export.open("r+b") as stream:
            stream.truncate(rows * 128)  # sparse past the first lines
        assert workers.triage_batch_rows(export) == batch_rows, rows
    assert workers.triage_batch_rows(tmp_path / "missing.csv") == workers.DEFAULT_CHUNK_ROWS
    if hasattr(os, "mkfifo"):  # a pipe is not opened (that would wait for a writer): the reader says it is one
        os.mkfifo(tmp_path / "pipe.csv")
        assert workers.triage_batch_rows(tmp_path / "pipe.csv") == workers.DEFAULT_CHUNK_ROWS
    # triage_chunks reads in such batches unless told how many rows: the example's 21 rows by 2 to 4
    monkeypatch.setattr(workers, "DEFAULT_CHUNK_ROWS", 2)
    sizes = [len(chunk.scores) for chunk in triage_chunks(EXAMPLE / "backlinks.csv", Settings(jobs=1))]
    assert sum(sizes) == 21 and max(sizes) == 2
    sizes = [len(chunk.scores) for chunk in triage_chunks(EXAMPLE / "backlinks.csv", Settings(jobs=1), chunk_rows=7)]
    assert sizes == [7, 7, 7]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_forked_triage_workers_are_this_process_s_children_and_score_as_one_process(tmp_path):
    # in a fresh process (this one has threads): the workers are its children, forked with the triage imported
    # (and not the command line); batches scored in them come out as in one process; a worker that dies is
    # BrokenExecutor; a process with a second thread does not fork
    import subprocess

    from toxiclinks import workers

    names = ["casino-bonus4u", "news", "best-links", "b\u00fccher", "192.168.0.1"]
    anchors = ["cheap casino", "s.example", "here", "Bright Kettle", ""]
    rows = [f"https://{names[n % 5]}.example/p{n},https://s.example/,{anchors[n % 4]}" for n in range(300)]
    export = tmp_path / "links.csv"
    export.write_text("Referring page URL,Target URL,Anchor\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code = f"""
import os, sys, threading
from concurrent.futures import BrokenExecutor
from pathlib import Path
from toxiclinks import workers
def imported():  # what a worker has imported as it takes its first call (defined before the fork, to be found)
    return {workers.TRIAGE_WORKER_MODULE!r} in sys.modules and "toxiclinks.cli" not in sys.modules
def prepared():  # whether the worker has built the public suffix rules (prepare_worker)
    return sys.modules["toxiclinks.urls"]._suffix_rules.cache_info().currsize == 1
workers.set_triage_environment()  # OpenBLAS without threads of its own: else no fork
assert workers.fork_triage_workers(2)
assert "toxiclinks.cli" not in sys.modules and {workers.TRIAGE_WORKER_MODULE!r} in sys.modules
assert not prepared(), "the command built the rules itself, before forking"
pool = workers.worker_pool(2)
assert {{pool.submit(os.getppid).result() for _ in range(4)}} == {{os.getpid()}}, "not this process's children"
assert all(pool.submit(imported).result() for _ in range(4)), "not forked with the triage imported"
assert any(pool.submit(prepared).result() for _ in range(4)), "no worker prepared"
from toxiclinks.pipeline import triage_chunks, write_outputs
from toxiclinks.settings import Settings
scores = []
for jobs in (2, 1):
    folder = Path({str(tmp_path)!r}) / str(jobs)
    folder.mkdir()
    chunks = triage_chunks({str(export)!r}, Settings(jobs=jobs), chunk_rows=40)
    write_outputs(chunks, "links.csv", folder / "d.txt", folder / "s.csv", folder / "r.html")
    scores.append((folder / "s.csv").read_text())
assert scores[0] == scores[1] and len(scores[0].splitlines()) == 301, "forked workers scored otherwise"
try:
    list(workers.in_order_in_workers([(os._exit, (9,)), (abs, (1,))], 2))
    raise SystemExit("a dead worker went unnoticed")
except BrokenExecutor:
    pass
workers._forked = None
threading.Thread(target=threading.Event().wait, daemon=True).start()
assert not workers.fork_triage_workers(2) and workers._forked is None
print("ok")
"""
    run = subprocess.run(  # no warning either (Python 3.12+ warns at a fork from a process with threads)
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr


def test_a_worker_is_prepared_by_its_module_s_own_hook_when_it_has_one():
    # started workers run prepare_worker after the import; a module without one is only imported
    from toxiclinks import urls, workers

    urls._suffix_rules.cache_clear()
    workers._prepare("toxiclinks.settings")
    assert urls._suffix_rules.cache_info().currsize == 0
    workers._prepare(workers.TRIAGE_WORKER_MODULE)
    assert urls._suffix_rules.cache_info().currsize == 1


def test_a_large_triage_sets_its_workers_environment_and_leaves_a_users_own_setting(tmp_path, monkeypatch):
    # the allocators' and OpenBLAS's variables are set before the workers start (they read them as they start);
    # one the user set stays as it is
    import os

    from toxiclinks import workers

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")  # none of them is set at first (conftest)
    expected = {
        "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
        "MALLOC_TRIM_THRESHOLD_": "1000000",
        "MIMALLOC_PURGE_DELAY": "-1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    seen = []
    monkeypatch.setattr(
        workers, "start_workers", lambda jobs, module: seen.append({name: os.environ.get(name) for name in expected})
    )
    monkeypatch.setattr(workers, "fork_triage_workers", lambda jobs: False)
    big = tmp_path / "big.csv"
    with big.open("wb") as stream:
        stream.truncate(workers.DEFAULT_CHUNK_ROWS * 300 + 1)
    assert workers.start_for_large_triage(["scan", str(big), "--no-fetch"])
    assert seen == [expected]
    assert set(workers.TRIAGE_ENVIRONMENT) == set(expected)


def test_a_triage_imports_no_scikit_learn_and_scores_as_the_fitted_model():
    # the workers get the model as plain arrays (0.7 s of imports saved in each), and the command loads it as
    # such from the model file (0.8 s saved); the scores must not change: the saved scorer is the pipeline's.
    # trafilatura is imported when a page is first parsed, and a triage parses none (45 ms a process).
    import subprocess
    import sys

    from toxiclinks import workers

    imported = "print(sorted({name.split('.')[0] for name in sys.modules} & {'sklearn', 'scipy', 'trafilatura'}))"
    for code in (
        f"import sys, {workers.TRIAGE_WORKER_MODULE}",
        "import sys, toxiclinks.cli, toxiclinks.triage as t; assert t.load_triage_model().scorer().threshold > 0",
    ):
        found = subprocess.run([sys.executable, "-c", f"{code}; {imported}"], capture_output=True, text=True)
        assert found.returncode == 0, found.stderr
        assert found.stdout.strip() == "[]", code
    model = load_triage_model()
    features = triage_features(_example_links())
    scorer = model.scorer()  # the one saved in the file: the pipeline is not unpickled yet
    assert "pipeline_" not in vars(model)
    reference = model.calibrator_.predict(model.pipeline_.predict_proba(features)[:, 1])
    np.testing.assert_allclose(scorer.predict_proba(features), reference, rtol=0, atol=1e-12)


def test_an_export_without_anchors_gives_no_anchor_signals_or_reasons(tmp_path):
    # a URL list (or Search Console) names no anchor: its anchor signals are missing (the model's medians),
    # not those of an empty anchor, and no reason speaks of an anchor the export never gave
    from toxiclinks import schema
    from toxiclinks.pipeline import triage_chunks
    from toxiclinks.settings import Settings

    listed = tmp_path / "urls.txt"
    listed.write_text("https://a.example/one\nhttp://cheap-links-4u.example/links.html\nhttp://b.example/two\n")
    result = next(triage_chunks(listed, Settings(jobs=1)))
    assert result.features["anchor_words"].isna().all()
    assert result.features["anchor_spam_fraction"].isna().all()
    assert result.features["anchor_class"].isna().all()
    assert not result.scores[schema.REASONS].str.contains("anchor").any()
    assert result.scores[schema.REASONS].str.len().gt(len("triage, no page read: ")).all()  # other reasons stay
    empty = triage_features(result.links.assign(anchor=""))  # an export whose anchors are empty: a signal
    assert (empty["anchor_words"] == 0).all() and set(empty["anchor_class"]) == {"empty"}

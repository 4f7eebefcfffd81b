"""Writing output tables: the CSV writer every scores and features file goes through."""

import csv
import io

import numpy as np
import pandas as pd

from toxiclinks.files import atomic_writer, write_csv_rows


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_url": pd.Series(["https://a.example/x", 'https://b.example/"q"'], dtype=object),
            "anchor": pd.Series(["cheap, fast\nkettles", ""], dtype="str"),
            "probability": [0.1234, np.nan],
            "disavow": [True, False],
            "link_found": pd.array([pd.NA, True], dtype="boolean"),
            "mixed": pd.Series([1.5, "text"], dtype=object),  # a features column of numbers and words
        }
    )


def test_the_csv_reads_back_cell_for_cell_whatever_the_cell_holds(tmp_path):
    path = tmp_path / "scores.csv"
    table = _table()
    with atomic_writer(path) as stream:
        write_csv_rows(table, stream)
        write_csv_rows(table.iloc[::-1], stream, header=False)  # a second chunk adds rows, not a header
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == list(table.columns)
    assert rows[1] == ["https://a.example/x", "cheap, fast\nkettles", "0.1234", "true", "", "1.5"]
    assert rows[2] == ['https://b.example/"q"', "", "", "false", "true", "text"]
    assert rows[3] == rows[2] and rows[4] == rows[1] and len(rows) == 5


def test_an_in_memory_stream_gets_the_same_text_as_a_file(tmp_path):
    path = tmp_path / "scores.csv"
    with atomic_writer(path) as stream:
        write_csv_rows(_table(), stream)
    memory = io.StringIO()
    write_csv_rows(_table(), memory)
    assert memory.getvalue() == path.read_text(encoding="utf-8")

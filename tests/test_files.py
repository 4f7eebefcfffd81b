"""Writing output tables (the CSV writer every scores and features file goes through), and checking input bytes."""

import csv
import io
import random

import numpy as np
import pandas as pd
import pytest

from toxiclinks.files import Utf8Check, atomic_writer, write_csv_rows


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


def _is_utf8(blocks: list[bytes]) -> bool:
    check = Utf8Check()
    try:
        for block in blocks:
            check.feed(block)
        check.finish()
    except UnicodeDecodeError:
        return False
    return True


def test_utf8_check_fed_in_blocks_agrees_with_the_decoder_wherever_the_blocks_are_cut():
    text = ("plain words, " * 20 + "caf\u00e9 \u2713 \U0001f600 ") * 10
    samples = [text.encode(), text.encode()[:500] + b"\xff" + text.encode()[500:], b"ab\xc3", b"\xf0\x9f\x98abc"]
    rng = random.Random(5)
    for sample in samples:
        expected = _is_decodable(sample)
        for _ in range(200):
            cuts = sorted(rng.sample(range(1, len(sample)), min(4, len(sample) - 1)))
            blocks = [sample[start:end] for start, end in zip([0, *cuts], [*cuts, len(sample)], strict=True)]
            assert _is_utf8(blocks) == expected, (sample[:30], cuts)


@pytest.mark.parametrize(
    "blocks",
    [[b"ab\xc3", b"cd", b"\xa9"], [b"\xe2\x9c", b"x", b"\x93"]],
    ids=["cut before an ASCII block", "three bytes cut"],
)
def test_an_ascii_block_after_a_cut_character_is_not_utf8_even_if_the_missing_bytes_come_later(blocks):
    # the ASCII block is not decoded, but the character left cut before it must be seen broken
    assert not _is_utf8(blocks)
    assert _is_utf8([b"".join(blocks[::2])])  # the same bytes without the ASCII block between them are UTF-8


def _is_decodable(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True

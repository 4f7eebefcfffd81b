import codecs
import tempfile

import numpy as np
import pandas as pd
import pytest

from toxiclinks import schema
from toxiclinks.errors import ToxiclinksError
from toxiclinks.exports import read_export

from conftest import FIXTURES

AHREFS_UTF8 = FIXTURES / "ahrefs-backlinks-subdomains_2026-11-01_10-00-00.csv"


def test_ahrefs_utf8_maps_columns_and_drops_the_exact_duplicate(caplog):
    caplog.set_level("INFO")
    links = read_export(AHREFS_UTF8)
    assert len(links) == 2  # three rows, one an exact duplicate
    assert "dropped 1 exact duplicate" in caplog.text
    first = links.iloc[0]
    assert first[schema.SOURCE_URL] == "https://blog.example/tea"
    assert first[schema.TARGET_URL] == "https://shop.example/kettles"
    assert first[schema.ANCHOR] == "kettle review"
    assert first[schema.EXPORT_FORMAT] == "ahrefs"
    assert first[schema.FIRST_SEEN] == "2025-03-19 21:59:31"
    assert bool(links.iloc[1][schema.EXPORT_NOFOLLOW]) is True
    assert bool(first[schema.EXPORT_NOFOLLOW]) is False


def test_ahrefs_excel_utf16_tab_quoted_reads_the_same_as_utf8():
    utf16 = read_export(FIXTURES / "ahrefs-excel-utf16.csv")
    utf8 = read_export(AHREFS_UTF8)
    assert utf16[schema.LINK_COLUMNS].equals(utf8[schema.LINK_COLUMNS])


def test_ahrefs_legacy_headers():
    links = read_export(FIXTURES / "ahrefs-legacy.csv")
    assert links[[schema.SOURCE_URL, schema.TARGET_URL, schema.ANCHOR]].values.tolist() == [
        ["https://old.example/post", "https://shop.example/", "Shop"]
    ]
    assert links.iloc[0][schema.EXPORT_FORMAT] == "ahrefs-legacy"


def test_plain_url_list_without_and_with_header():
    assert read_export(FIXTURES / "urls.txt")[schema.SOURCE_URL].tolist() == [
        "https://a.example/one",
        "http://b.example/two",
        "http://c.example/three",
    ]
    with_header = read_export(FIXTURES / "urls-with-header.csv")
    assert with_header[schema.SOURCE_URL].tolist() == ["https://a.example/one", "https://b.example/two"]
    assert set(with_header[schema.EXPORT_FORMAT]) == {"url-list"}
    # a list names no target, anchor or IP: none is made up from the URL (a fake "URL anchor" to score)
    for column in (schema.TARGET_URL, schema.ANCHOR, schema.EXPORT_IP):
        assert set(with_header[column]) == {""}, column


@pytest.mark.parametrize("header", ["", "Backlinks\n"])
def test_a_url_list_is_read_by_pyarrow_as_the_csv_module_reads_it(tmp_path, header):
    # one cell a row: pyarrow reads it (a million URLs in seconds), the csv module from a row of two cells on
    import pyarrow as pa

    from toxiclinks import exports

    lines = ["https://a.example/1", "", " http://b.example/2 ", "\ufeff", "c.example/3", '"https://d.example/4"']
    fast, slow, taken = _arrow_and_csv_module_tables(tmp_path, header + "\n".join(lines) + "\n")
    assert taken
    pd.testing.assert_frame_equal(fast, slow)
    assert set(fast[schema.EXPORT_FORMAT]) == {"url-list"}
    expected = ["https://a.example/1", "http://b.example/2", "http://c.example/3", "https://d.example/4"]
    assert fast[schema.SOURCE_URL].tolist() == expected
    assert fast[schema.EXPORT_ROW].tolist() == [1, 2, 3, 4]
    # past the rows the format is judged on (20 and a chunk), a URL and a note after a tab: a row of two cells
    path = tmp_path / "ragged.txt"
    path.write_text(header + "\n".join([*lines * 10, "https://e.example/?a=1,2\tnote", "https://f.example/"]) + "\n")

    def links(refuse: bool) -> tuple[pd.DataFrame, tuple[str, ...]]:
        def refused(*args):
            raise pa.ArrowInvalid("the csv module reads this one")

        with pytest.MonkeyPatch.context() as patch:
            if refuse:
                patch.setattr(exports, "_arrow_reader", refused)
            reader = exports.ExportReader(path, chunk_rows=2)
            return pd.concat(list(reader.chunks())), reader.read_with

    (ragged, read_with), (by_csv_module, _) = links(False), links(True)
    assert "csv module" in read_with  # from the block with that row on (here the only one)
    pd.testing.assert_frame_equal(ragged, by_csv_module)
    assert ragged[schema.SOURCE_URL].tolist()[-2:] == ["https://e.example/?a=1,2", "https://f.example/"]


def test_cp1252_file_is_decoded(tmp_path):
    path = tmp_path / "links.csv"
    path.write_bytes(
        "Referring page URL,Target URL,Anchor\nhttps://a.example/,https://s.example/,Caf\xe9\n".encode("cp1252")
    )
    assert read_export(path)[schema.ANCHOR].tolist() == ["Café"]


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8], ids=["utf-8", "utf-8 with BOM"])
@pytest.mark.parametrize("cut", [False, True], ids=["whole character", "cut character"])
def test_a_character_across_a_block_boundary_is_utf8_and_a_cut_one_is_not(tmp_path, bom, cut):
    # Blocks of ASCII are not decoded: "é" begins in the last byte of the first 4 MB block, and where its second
    # byte is missing (the next block is ASCII) the file is not UTF-8.
    from toxiclinks.exports import _plain_utf8
    from toxiclinks.files import open_user_text

    block = 1 << 22
    lines = bom + b"Referring page URL,Target URL,Anchor\n" + b"https://a.example/,https://s.example/,kettle\n" * 90_000
    filler = b"https://a.example/,https://s.example/,"
    lines += filler + b"x" * (block - 1 - len(lines) - len(filler))
    assert len(lines) == block - 1
    data = lines + ("\xe9".encode()[:1] if cut else "\xe9".encode()) + b"\nhttps://b.example/,https://s.example/,tea\n"
    path = tmp_path / "links.csv"
    path.write_bytes(data)
    with open_user_text(path) as text:
        assert text.encoding == ("utf-8-sig" if bom else "cp1252" if cut else "utf-8")
    assert _plain_utf8(path, text.encoding) == ((False, True) if cut else (True, False))  # (plain UTF-8, has CR)


def test_unknown_columns_name_the_headers_and_the_hint():
    with pytest.raises(ToxiclinksError) as error:
        read_export(FIXTURES / "unknown-columns.csv")
    message = str(error.value)
    assert "Source, Anchor Text, Target" in message and "--columns" in message and "\n" not in message


def test_user_column_mapping_reads_an_unknown_export():
    links = read_export(FIXTURES / "unknown-columns.csv", {"source": "Source", "anchor": "Anchor Text"})
    assert links[[schema.SOURCE_URL, schema.ANCHOR]].values.tolist() == [["https://x.example/a", "hello"]]


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"", "empty"), (b"  \n\n", "empty"), (b"title,words\nhello,3\n", "no column")],
)
def test_bad_files_give_one_line_errors(tmp_path, content, message):
    path = tmp_path / "export.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ToxiclinksError, match=message):
        read_export(path)


def _arrow_and_csv_module_tables(tmp_path, text):
    """The table of a UTF-8 file as read (pyarrow, as long as it can), and the csv module's table of it (pyarrow
    refused, as on a ragged row); and whether pyarrow read it all."""
    import pyarrow as pa

    from toxiclinks import exports

    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    reader = exports.ExportReader(path)
    read = pd.concat(list(reader.chunks()), ignore_index=True)

    def refused(*args):
        raise pa.ArrowInvalid("the csv module reads this one")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exports, "_arrow_reader", refused)
        slow = read_export(path)
    assert read.equals(read_export(path).reset_index(drop=True))
    return read_export(path), slow, reader.read_with == ("pyarrow",)


def test_pyarrow_reads_a_regular_export_cell_for_cell_as_the_csv_module(tmp_path):
    import pandas as pd

    rows = [
        "Referring page URL,Target URL,Anchor,Nofollow,First seen,Domain rating,UR",
        "https://a.example/1, https://s.example/ ,\ufeff Caf\u00e9 \u00a0,true,2026-01-02,12,1e3",
        '"https://a.example/2","https://s.example/x","two\r\nlines,\r quoted","\ufeff FALSE\u00a0", 02/03/2026 ,,'
        '"-0.5"',
        ",,,,,,",  # a blank row: left out, not counted
        "   ,\u3000, ,\ufeff,,,",  # blank once cleaned
        "b.example/p q,https://s.example/,&amp; more\u2028,1,,7.5,",
        "https://a.example/1, https://s.example/ ,\ufeff Caf\u00e9 \u00a0,true,2026-01-02,12,1e3",  # a duplicate
        "  https://c.example/\t,,\ufeff\ufeffx,,,\u00a01,7",  # the first metric read value by value
    ]
    fast, slow, taken = _arrow_and_csv_module_tables(tmp_path, "\r\n".join(rows) + "\r\n")
    assert taken  # every row as wide as the header: pyarrow read it
    pd.testing.assert_frame_equal(fast, slow)
    assert fast.attrs["export"] == slow.attrs["export"]
    assert fast[schema.ANCHOR].tolist() == ["Café", "two\nlines,\n quoted", "& more", "x"]  # universal newlines
    assert fast[schema.EXPORT_ROW].tolist() == [1, 2, 3, 5]
    assert fast["metric_url_rating"].fillna(-1).tolist() == [1000.0, -0.5, -1, 7.0]  # read by pyarrow
    assert fast[schema.EXPORT_NOFOLLOW].tolist() == [True, False, True, False]
    assert fast[schema.FIRST_SEEN].tolist() == ["2026-01-02", "2026-02-03", "", ""]


def test_a_text_only_reader_gives_the_links_text_and_row_numbers_of_the_full_reader(tmp_path):
    # a triage reads only source, target and anchor: from fewer columns (by pyarrow, or the csv module from a
    # row of another width on), the same cleaned, unescaped, normalised values and the same rows left out
    from toxiclinks.exports import LINK_TEXT, ExportReader, links_table

    rows = [
        "Referring page URL,Domain rating,Target URL,Anchor,Nofollow,First seen",
        "https://a.example/1,12, https://s.example/ ,\ufeff Caf\u00e9 \u00a0,true,2026-01-02",
        '"b.example/p q",,"https://s.example/x","two\r\nlines &amp; more",false,',
        "mailto:x,3,https://s.example/,y,,",
        ",,,,,",
        "https://a.example/1,12, https://s.example/ ,\ufeff Caf\u00e9 \u00a0,true,2026-01-02",
    ]
    for ragged in ("", "\nhttps://late.example/,1,https://s.example/,z,,,extra"):
        export = tmp_path / "export.csv"
        export.write_text("\r\n".join(rows) + ragged + "\n", encoding="utf-8")
        tables = {}
        for text_only in (False, True):
            reader = ExportReader(export, chunk_rows=2, text_only=text_only)
            chunks, unusable = [], []
            for batch, first in reader.batches():
                table, left_out = links_table(batch, first, reader.format, reader.header, text_only=text_only)
                chunks.append(table)
                unusable += left_out
            tables[text_only] = (pd.concat(chunks), unusable)
            assert ("csv module" in reader.read_with) == bool(ragged)
        full, text = tables[False][0], tables[True][0]
        expected = [*LINK_TEXT, schema.EXPORT_ROW, schema.EXPORT_FORMAT, schema.EXPORT_LEVEL]
        assert list(text.columns) == expected
        pd.testing.assert_frame_equal(text, full[expected])
        assert tables[True][1] == tables[False][1] == [3]  # the mailto: row
        assert text[schema.ANCHOR].tolist()[:2] == ["Café", "two\nlines & more"]


def test_a_ramped_up_reader_gives_a_quarter_then_a_half_batch_first_and_the_same_rows(tmp_path):
    # what a triage's workers start on sooner: by pyarrow, and by the csv module from a ragged row on
    from toxiclinks.exports import ExportReader

    body = [f"https://a{n}.example/,https://s.example/,x{n}" for n in range(30)]
    for ragged in (False, True):
        lines = ["Referring page URL,Target URL,Anchor", *body]
        if ragged:
            lines.insert(4, "https://late.example/,https://s.example/,z,extra")
        export = tmp_path / "export.csv"
        export.write_text("\n".join(lines) + "\n", encoding="utf-8")
        read = {}
        for ramp_up in (False, True):
            reader = ExportReader(export, chunk_rows=8, text_only=True, ramp_up=ramp_up)
            batches = list(reader.batches())
            read[ramp_up] = [row for batch, _ in batches for row in batch.rows()]
            if ramp_up:
                assert [batch.size for batch, _ in batches] == ([2, 4, 8, 8, 8, 1] if ragged else [2, 4, 8, 8, 8])
                assert [first for _, first in batches] == [0, 2, 6, 14, 22, 30][: len(batches)]
            assert ("csv module" in reader.read_with) == ragged
        assert read[True] == read[False] and len(read[True]) == 30 + ragged


def test_an_export_with_short_or_long_rows_is_read_by_the_csv_module_whole(tmp_path):
    rows = ["Referring page URL,Target URL,Anchor", "https://a.example/1,https://s.example/", "https://a.example/2,,x,"]
    fast, slow, taken = _arrow_and_csv_module_tables(tmp_path, "\n".join(rows))
    assert not taken
    assert fast.equals(slow)
    assert fast[schema.SOURCE_URL].tolist() == ["https://a.example/1", "https://a.example/2"]
    assert fast[schema.ANCHOR].tolist() == ["", "x"]


def test_canonical_urls_are_the_same_in_arrow_and_in_python():
    import random

    import pyarrow as pa
    import pyarrow.compute as pc

    from toxiclinks.exports import _canonical_url
    from toxiclinks.urls import CANONICAL_URL

    pieces = ["a", "B", "-", ".", "/", "?", "#", "=", " ", "\u00a0", "\u2028", "\u0085", "\u200b", "\n", "é", ":"]
    rng = random.Random(2)
    urls = [
        rng.choice(["http://", "https://", "ftp://", "HTTP://"])
        + rng.choice(["a.example/", "b-2.c.example/", "A.example/", "a.example", "a..b/", "a.example:80/"])
        + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        for _ in range(20000)
    ]
    urls += ["https://a.example/x", "https://a.example/x\n", "https://a.example/x?y z", "https://a.example/x?"]
    arrow = pc.match_substring_regex(pa.array(urls), _canonical_url()).to_pylist()
    assert arrow == [bool(CANONICAL_URL.match(url)) for url in urls]
    assert 1000 < sum(arrow) < len(urls) - 1000


def test_no_space_str_strip_knows_lies_past_the_last_one_the_reader_looks_at():
    import sys

    from toxiclinks.exports import _LAST_SPACE

    assert not any(chr(code).isspace() for code in range(_LAST_SPACE + 1, sys.maxunicode + 1))
    assert chr(_LAST_SPACE).isspace()


def test_the_byte_look_at_cell_ends_finds_every_cell_with_a_space_or_bom_at_an_end():
    # only the cells it finds are looked at as characters: one it misses would keep its spaces
    import pyarrow as pa

    from toxiclinks.exports import _LAST_SPACE, _may_end_in_space

    rng = np.random.default_rng(5)
    ends = [chr(code) for code in range(_LAST_SPACE + 1) if chr(code).isspace()] + ["\ufeff", "é", "x", "日"]
    cells = ["", "x", "x ", " x", "plain"] + [f"{rng.choice(ends)}mid{rng.choice(ends)}" for _ in range(3000)]
    for array in (pa.array(cells), pa.array(cells, type=pa.large_string()), pa.array(cells).slice(1, 2000)):
        found = _may_end_in_space(array)
        spaced = [cell != cell.strip().lstrip("\ufeff").strip() for cell in array.to_pylist()]
        assert not any(s and not f for s, f in zip(spaced, found, strict=True))
        plain = [cell[:1].isascii() and cell[-1:].isascii() and cell == cell.strip() for cell in array.to_pylist()]
        assert not any(p and f for p, f in zip(plain, found, strict=True))  # ASCII ends without a space: left alone
        assert any(spaced) and any(plain)


def test_seen_hashes_answer_as_a_python_set_over_many_chunks():
    # the hashes of earlier chunks are kept in sorted runs merged like a binary counter; lookups must agree
    # with a plain set whatever the chunk sizes (runs of every length, merges of unequal runs)
    from toxiclinks.exports import SeenHashes

    rng = np.random.default_rng(3)
    seen, reference = SeenHashes(), set()
    for size in rng.integers(0, 400, size=60):
        hashes = rng.integers(0, 3000, size=size, dtype=np.uint64)  # many repeats, within and across chunks
        assert seen.contains(hashes).tolist() == [value in reference for value in hashes.tolist()]
        new = np.unique(hashes[~seen.contains(hashes)])
        seen.add(new)
        reference.update(new.tolist())
        assert len(seen) == len(reference)
    assert len(seen._runs) <= int(np.log2(len(reference))) + 1
    assert seen.contains(np.array([2**64 - 1], dtype=np.uint64)).tolist() == [False]  # past the last run's end


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("cp1252"),
        lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        lambda text: text.replace("Caf", "C\x00af").replace("two", "\x00two").encode("utf-8"),  # NUL bytes
    ],
    ids=["cp1252", "utf-16", "utf-8 with NULs"],
)
def test_other_encodings_and_nul_bytes_are_read_by_pyarrow_from_a_utf8_copy_as_the_csv_module_reads(
    tmp_path, monkeypatch, encode
):
    import pyarrow as pa

    from toxiclinks import exports

    copies = tmp_path / "tmp"
    copies.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(copies))

    text = (
        "Referring page URL,Target URL,Anchor\r\n"
        'https://a.example/1,https://s.example/,"Café\r\ncrème"\r\n'
        "\r\n"
        "https://b.example/2,https://s.example/,two words\r"
        "https://c.example/3,https://s.example/,\u00a0spaced \r\n"
    )
    path = tmp_path / "export.csv"
    path.write_bytes(encode(text))
    reader = exports.ExportReader(path, chunk_rows=2)
    read = pd.concat(list(reader.chunks()), ignore_index=True)
    assert reader.read_with == ("pyarrow",)

    def refused(*args):
        raise pa.ArrowInvalid("the csv module reads this one")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exports, "_arrow_reader", refused)
        slow = read_export(path)
    pd.testing.assert_frame_equal(read, slow.reset_index(drop=True))
    assert read[schema.ANCHOR].tolist() == ["Café\ncrème", "two words", "spaced"]
    assert list(copies.iterdir()) == []  # the copy is gone


def test_a_row_of_another_width_far_into_an_export_hands_the_rest_to_the_csv_module(tmp_path, monkeypatch):
    # pyarrow reads the rows as long as they are as wide as the header; from the block with a ragged row on,
    # the csv module reads on after the last row pyarrow gave: the table is the csv module's own, row for row
    from toxiclinks import exports

    monkeypatch.setattr(exports, "_ARROW_BLOCK", 4096)  # many blocks in a small file
    rows = ["Referring page URL,Target URL,Anchor"]
    rows += [f"https://a{n}.example/p,https://s.example/,anchor {n}" for n in range(1500)]
    rows += [",,", "https://ragged.example/,https://s.example/", "https://long.example/,https://s.example/,a,b"]
    rows += [f"https://b{n}.example/p,https://s.example/,after {n}" for n in range(300)]
    text = "\r\n".join(rows[:900]) + "\r\n\r\n" + "\n".join(rows[900:]) + "\n"  # blank lines, mixed ends
    fast, slow, taken = _arrow_and_csv_module_tables(tmp_path, text)
    assert not taken
    reader = exports.ExportReader(tmp_path / "export.csv", chunk_rows=100)
    chunked = pd.concat(list(reader.chunks()), ignore_index=True)
    assert reader.read_with == ("pyarrow", "csv module")
    pd.testing.assert_frame_equal(fast, slow)
    pd.testing.assert_frame_equal(chunked, slow.reset_index(drop=True))
    assert fast.attrs["export"] == slow.attrs["export"]
    assert len(fast) == 1802 and fast[schema.ANCHOR].iloc[-1] == "after 299"
    assert fast.loc[fast[schema.SOURCE_URL] == "https://ragged.example/", schema.ANCHOR].tolist() == [""]


def test_a_row_longer_than_pyarrows_block_is_read_whole_by_the_csv_module(tmp_path, monkeypatch):
    # pyarrow parses a block of bytes at a time and cannot take a row longer than one (a 1 MB block: a million
    # characters of context in a cell); the csv module reads on from it, and no row or character is lost
    from toxiclinks import exports

    monkeypatch.setattr(exports, "_ARROW_BLOCK", 4096)
    rows = ["Referring page URL,Target URL,Anchor"]
    rows += [f"https://a{n}.example/p,https://s.example/,anchor {n}" for n in range(300)]
    rows += ['https://long.example/,https://s.example/,"' + "long, long\n" * 1000 + '"']  # 11,000 characters
    rows += [f"https://b{n}.example/p,https://s.example/,after {n}" for n in range(300)]
    fast, slow, _ = _arrow_and_csv_module_tables(tmp_path, "\n".join(rows) + "\n")
    pd.testing.assert_frame_equal(fast, slow)
    assert len(fast) == 601 and fast[schema.ANCHOR].iloc[-1] == "after 299"
    assert fast.loc[fast[schema.SOURCE_URL] == "https://long.example/", schema.ANCHOR].str.len().tolist() == [10_999]
    reader = exports.ExportReader(tmp_path / "export.csv", chunk_rows=100)
    assert len(pd.concat(list(reader.chunks()))) == 601 and reader.read_with == ("pyarrow", "csv module")


def test_a_utf8_file_with_a_byte_order_mark_and_a_bad_byte_reads_with_a_replacement_character(tmp_path):
    # with a byte order mark the encoding is known from the first bytes; a bad byte further on must not stop
    # the read half-way, it is read as the text stream reads it
    export = tmp_path / "links.csv"
    export.write_bytes(
        b"\xef\xbb\xbfReferring page URL,Target URL,Anchor\n"
        + b"".join(b"https://a.example/%d,https://shop.example/,fine\n" % n for n in range(5))
        + b"https://b.example/x,https://shop.example/,caf\xe9\n"
    )
    table = read_export(export)
    assert len(table) == 6 and table[schema.ANCHOR].iloc[-1] == "caf\ufffd"


def test_a_reader_left_half_way_does_not_abort_the_interpreter_at_exit(tmp_path):
    # pyarrow reads ahead in threads of its own; were they calling into Python (a Python file object) as the
    # interpreter shut down, the process would abort ("Fatal Python error: PyGILState_Release")
    import subprocess
    import sys

    export = tmp_path / "links.csv"
    export.write_text(
        "Referring page URL,Target URL,Anchor\n"
        + "".join(f"https://site{n % 700}.example/page/{n},https://shop.example/,anchor {n}\n" for n in range(40_000))
    )
    script = (
        "import toxiclinks.exports as exports\n"
        "exports._ARROW_BLOCK = 1 << 16  # small blocks: the reader is still reading ahead at exit\n"
        f"readers = [exports.ExportReader({str(export)!r}, chunk_rows=100).batches() for _ in range(4)]\n"
        "for batches in readers:\n"
        "    next(batches)\n"
    )
    for _ in range(4):  # it was a race: about one run in two aborted
        finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
        assert finished.returncode == 0, finished.stderr[-500:]


def test_no_room_for_the_utf8_copy_is_a_one_line_error_naming_the_folder(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-folder"
    monkeypatch.setattr(tempfile, "tempdir", str(missing))
    export = tmp_path / "export.csv"
    export.write_bytes(
        "Referring page URL,Target URL,Anchor\nhttps://a.example/,https://s.example/,Café\n".encode("cp1252")
    )
    with pytest.raises(ToxiclinksError, match=f"in a temporary file in {missing} .*set TMPDIR"):
        read_export(export)

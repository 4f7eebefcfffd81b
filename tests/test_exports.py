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


def test_cp1252_file_is_decoded(tmp_path):
    path = tmp_path / "links.csv"
    path.write_bytes(
        "Referring page URL,Target URL,Anchor\nhttps://a.example/,https://s.example/,Caf\xe9\n".encode("cp1252")
    )
    assert read_export(path)[schema.ANCHOR].tolist() == ["Café"]


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

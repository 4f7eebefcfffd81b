"""Offline page sources: a WARC file, or a folder of saved HTML pages with a manifest.

Both are indexed in one pass and each page is read from its file when it is
asked for: the index keeps a place per URL (a record's offset, a file's
path), not the page, so a scan of a crawl of any size holds only the pages
it is parsing (an 85 MB WARC of 3,300 pages, read whole first, took a scan to 1.5 GB).
"""

from __future__ import annotations

import array
import contextlib
import csv
import hashlib
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urljoin

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from toxiclinks.errors import ToxiclinksError
from toxiclinks.page import Page, page_from_response
from toxiclinks.urls import normalize_url

LOGGER = logging.getLogger(__name__)


def read_pages(path: str | Path) -> Mapping[str, Page]:
    """Saved pages from a WARC file (``.warc``, ``.warc.gz``) or a folder with ``manifest.csv``, read as asked for."""
    path = Path(path)
    if path.is_dir():
        return read_page_folder(path)
    return read_warc(path)


class WarcPages(Mapping[str, Page]):
    """The responses of a WARC file by normalised URL; each page is read from the file when it is looked up.

    Works with WARCs written by ``wget --warc-file``, warcio and browsertrix.
    Non-HTML responses are kept as ``error:not_html``; HTTP errors keep their
    status so they reach the features. Redirect responses are followed within
    the file. The first response for a URL wins.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._places = _UrlIndex()  # each response's URL and the offset of its record
        redirects: dict[str, str] = {}
        with _warc_errors(self.path):
            with self.path.open("rb") as stream:
                records = ArchiveIterator(stream)
                end = 0  # where the last whole record ends
                for record in records:
                    offset = records.get_record_offset()  # reads past the body, keeping none of it
                    if getattr(record.raw_stream, "limit", 0):  # bytes its length promised and the file lacks
                        break
                    end = offset + records.get_record_length()
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    url = normalize_url(record.rec_headers.get_header("WARC-Target-URI") or "")
                    if not url:
                        continue
                    location = record.http_headers.get_header("Location")
                    if 300 <= int(record.http_headers.get_statuscode() or 0) < 400 and location:
                        redirects.setdefault(url, normalize_url(urljoin(url, location)))
                        continue
                    self._places.add(url, offset)
                cut = _bytes_after(stream, end)
        if cut:  # warcio passes a record cut short quietly (whole, or what there is of it): say it is left out
            LOGGER.warning(
                "%s: the file ends with %d bytes that are not a whole record (a crawl stopped while writing?); "
                "the records before them are read",
                self.path,
                cut,
            )
        self._places.sort()
        #: a URL that redirects within the file: the URL whose response it gets (its index entry is that one's)
        self._redirected: dict[str, str] = {}
        for source, target in redirects.items():
            seen = {source}
            while target in redirects and target not in seen:  # follow chains, never loops
                seen.add(target)
                target = redirects[target]
            place = self._places.find(target)
            if place is not None and self._places.find(source) is None:
                self._redirected[source] = target
                self._places.add(source, int(self._places.offsets[place]))
        self._places.sort()
        if not len(self._places):
            raise ToxiclinksError(f"{self.path}: the WARC file holds no HTTP responses")

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self._places.find(url) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)

    def __getitem__(self, url: str) -> Page:
        place = self._places.find(url)
        if place is None:
            raise KeyError(url)
        offset, final_url = int(self._places.offsets[place]), self._redirected.get(url, url)
        with _warc_errors(self.path), self.path.open("rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)), None)
            if record is None or record.http_headers is None:
                raise ValueError(f"no response record at byte {offset} any more: the file changed")
            body = record.content_stream().read()
            return page_from_response(
                url,
                final_url,
                int(record.http_headers.get_statuscode() or 0),
                record.http_headers.get_header("Content-Type") or "",
                body,
                record.rec_headers.get_header("WARC-Date") or "",
            )


class _UrlIndex:
    """URLs and their records' offsets in sorted arrays: about 64 bytes a URL, where a dict held 215.

    A crawl's index stays for the whole scan, and a WARC of a million pages is
    the size this is for. URLs are added as the file is read, a few thousand
    at a time into Arrow, so no list of every URL is ever made; ``sort``
    then makes the index. Looked up by the URL's 64-bit hash, then the URL
    itself (two URLs with one hash are both kept); the first of a URL wins.
    """

    def __init__(self) -> None:
        self.urls: pa.Array = pa.array([], type=pa.large_string())
        self.hashes = np.zeros(0, dtype=np.uint64)
        self.offsets = np.zeros(0, dtype=np.int64)
        self._added: list[pa.Array] = []
        self._added_hashes: list[np.ndarray] = []
        self._added_offsets = array.array("q")
        self._pending: list[str] = []

    def add(self, url: str, offset: int) -> None:
        """Add a URL and its record's offset (found only once ``sort`` is called)."""
        self._pending.append(url)
        self._added_offsets.append(offset)
        if len(self._pending) >= _URLS_AT_A_TIME:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._added.append(pa.array(self._pending, type=pa.large_string()))
            self._added_hashes.append(_url_hashes(self._pending))
            self._pending = []

    def sort(self) -> None:
        """Make the index of every URL added so far (the first of a URL wins)."""
        self._flush()
        urls = pa.concat_arrays([self.urls, *self._added])
        hashes = np.concatenate([self.hashes, *self._added_hashes])
        offsets = np.concatenate([self.offsets, np.frombuffer(self._added_offsets, dtype=np.int64)])
        self._added, self._added_hashes, self._added_offsets = [], [], array.array("q")
        order = np.argsort(hashes, kind="stable")  # the order of adding within a hash: the first of a URL first
        urls, hashes = urls.take(order), hashes[order]
        first = np.ones(len(order), dtype=bool)
        if len(order) > 1:  # a URL added before: the same hash and the same URL as the entry before it
            same_url = pc.equal(urls[1:], urls[:-1]).to_numpy(zero_copy_only=False)
            first[1:] = ~((hashes[1:] == hashes[:-1]) & same_url)
        self.urls, self.hashes, self.offsets = urls.filter(first), hashes[first], offsets[order][first]

    def find(self, url: str) -> int | None:
        """The place of ``url`` in the sorted arrays, or None."""
        wanted = _url_hashes([url])[0]
        low, high = np.searchsorted(self.hashes, wanted, "left"), np.searchsorted(self.hashes, wanted, "right")
        return next((place for place in range(low, high) if self.urls[place].as_py() == url), None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.urls.to_pylist())

    def __len__(self) -> int:
        return len(self.urls)


_URLS_AT_A_TIME = 8192  #: URLs held as Python strings while a WARC is indexed, before they go into Arrow


def _url_hashes(urls: list[str]) -> np.ndarray:
    """64-bit hashes of URLs; a few microseconds for one (pandas' ``hash_array`` took 150 for one URL, and the
    scan looks each page up on its own)."""
    digests = b"".join(hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest() for url in urls)
    return np.frombuffer(digests, dtype=np.uint64)


def read_warc(path: str | Path) -> WarcPages:
    """Index the responses of a WARC file by normalised URL (see ``WarcPages``)."""
    return WarcPages(path)


def _bytes_after(stream: BinaryIO, end: int) -> int:
    """How many bytes of the file past ``end`` are not blank (0 when only line breaks follow the last record)."""
    size = stream.seek(0, 2)
    stream.seek(end)
    return 0 if not stream.read(_BLANK_TAIL).strip() else size - end


_BLANK_TAIL = 16  #: bytes a whole WARC may end with after its last record: its record separator, line breaks


@contextlib.contextmanager
def _warc_errors(path: Path) -> Iterator[None]:
    """Turn a missing or unreadable WARC file into a one-line error."""
    try:
        yield
    except FileNotFoundError:
        raise ToxiclinksError(f"{path}: no such WARC file") from None
    except ArchiveLoadFailed as error:
        if "non-chunked gzip" in str(error):
            raise ToxiclinksError(
                f"{path}: a gzip WARC must hold one gzip member per record, not one for the whole file; "
                "'warcio recompress' rewrites it so"
            ) from None
        raise ToxiclinksError(f"{path}: not a readable WARC file ({_first_line(error)})") from None
    except (OSError, ValueError) as error:
        raise ToxiclinksError(f"{path}: not a readable WARC file ({_first_line(error)})") from None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0].strip()


class FolderPages(Mapping[str, Page]):
    """Saved ``.html`` files listed in ``manifest.csv`` (columns ``url`` and ``file``, paths relative to it),
    each read when it is looked up; a file that cannot be read is a page ``not_fetched``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        manifest = self.folder / "manifest.csv"
        if not manifest.is_file():
            raise ToxiclinksError(f"{self.folder}: a pages folder needs a manifest.csv with the columns url,file")
        self._index: dict[str, Path] = {}  # URL: its file
        root = self.folder.resolve()
        with manifest.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            if not reader.fieldnames or not {"url", "file"} <= {name.strip().lower() for name in reader.fieldnames}:
                raise ToxiclinksError(f"{manifest}: needs the columns url,file (found: {reader.fieldnames})")
            for row in reader:
                entry = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
                url = normalize_url(entry["url"])
                file = (self.folder / entry["file"]).resolve()
                if not url:
                    continue
                if root not in file.parents:
                    LOGGER.warning("%s: %s is outside the folder; skipped", manifest, entry["file"])
                    continue
                self._index[url] = file

    def __contains__(self, url: object) -> bool:
        return url in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, url: str) -> Page:
        try:
            body = self._index[url].read_bytes()
        except OSError:
            return Page(url=url, status="not_fetched")
        return page_from_response(url, url, 200, "text/html", body, "")


def read_page_folder(folder: str | Path) -> FolderPages:
    """Index the saved pages of a folder with ``manifest.csv`` (see ``FolderPages``)."""
    return FolderPages(folder)

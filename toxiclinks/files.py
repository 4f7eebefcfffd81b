"""Reading users' files whatever their encoding (whole or streamed) and writing outputs atomically."""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import pickle
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from toxiclinks.errors import ToxiclinksError


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` through a temporary file renamed into place.

    An interrupted write leaves the old file (or none), never half a file.
    """
    with atomic_writer(path) as stream:
        stream.write(text)


@contextlib.contextmanager
def atomic_writer(path: str | Path) -> Iterator[TextIO]:
    """A UTF-8 text stream whose content replaces ``path`` only when the block ends without an error.

    For outputs written piece by piece (a million score rows in chunks): until
    the end, the old file (or none) stays in place; an error or an interruption
    removes the temporary file.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; a user's file gets the usual mode
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def start_writeback(stream: TextIO) -> None:
    """Have the system start writing what ``stream`` holds to disk now, without waiting for it (Linux: dirty pages
    are written back as this is asked, then left out of the page cache): for a large output written piece by
    piece, ``atomic_writer``'s fsync at the end then waits for the last piece only (a million score rows, 316 MB:
    0.1 s -> nothing). Does nothing where the system has no such call."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    stream.flush()
    with contextlib.suppress(OSError):  # only a hint: a file system may refuse it
        advise(stream.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


@contextlib.contextmanager
def temporary_file_errors(what: str) -> Iterator[None]:
    """A temporary file that fails (folder missing, read-only, full) as a one-line error naming ``what`` was to be
    kept there, the folder, and the way out."""
    try:
        yield
    except OSError as exc:
        folder = tempfile.tempdir or "the temporary folder"  # set once Python found one
        raise ToxiclinksError(
            f"cannot keep {what} in a temporary file in {folder} ({exc.strerror or exc}); "
            "free space there, or set TMPDIR to another folder"
        ) from None


#: a place in a ``SpillFile``: offset and length
Place = tuple[int, int]


class SpillFile:
    """Data set aside in a temporary file (``TMPDIR``), compressed, and read back from where it was put: what a
    scan keeps for later without holding it in memory.

    The file has no name: ``close`` (or the end of a ``with`` block) deletes
    it, and so does the operating system if the process dies. A folder that
    cannot take it (missing, read-only, full) is a ``ToxiclinksError`` naming
    ``what`` it was to keep.
    """

    #: zlib's fastest level: text shrinks to about half at 0.07 ms a page; more would cost the crawl time
    COMPRESSION = 1

    def __init__(self, what: str) -> None:
        self.what = what
        with temporary_file_errors(what):
            self._file = tempfile.TemporaryFile(prefix="toxiclinks-spill-")
        self._end = 0

    def put(self, data: bytes) -> Place:
        """Keep ``data``; return its place."""
        packed = zlib.compress(data, self.COMPRESSION)
        with temporary_file_errors(self.what):
            self._file.seek(self._end)
            self._file.write(packed)
        place = (self._end, len(packed))
        self._end += len(packed)
        return place

    def get(self, place: Place) -> bytes:
        """The data kept at ``place``."""
        offset, length = place
        with temporary_file_errors(self.what):
            self._file.seek(offset)  # flushes what is buffered: a full disk may show here
            packed = self._file.read(length)
        return zlib.decompress(packed)

    def put_object(self, value: object) -> Place:
        """Keep a picklable value (pickled by this process, for this process only)."""
        return self.put(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def get_object(self, place: Place) -> Any:
        """The value kept at ``place`` by ``put_object``."""
        return pickle.loads(self.get(place))  # written by this process, never read from elsewhere

    def close(self) -> None:
        """Delete the file."""
        with contextlib.suppress(OSError):  # what a full disk kept in the buffer goes with the file
            self._file.close()

    def __enter__(self) -> SpillFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_csv_rows(table: pd.DataFrame, stream: TextIO, header: bool = True) -> None:
    """Append ``table`` to a CSV text stream, without its index; strings quoted, booleans ``true``/``false``.

    Written by pyarrow's CSV writer in C++: pandas' ``to_csv`` took 8 s for a
    million score rows. A column of mixed Python values (a features column with
    numbers and text) is written as text.
    """
    columns = {str(name): _arrow_column(table[name]) for name in table.columns}
    options = pa_csv.WriteOptions(include_header=header, quoting_style="needed")
    binary = getattr(stream, "buffer", None)
    if binary is None:  # an in-memory text stream
        buffer = pa.BufferOutputStream()
        pa_csv.write_csv(pa.table(columns), buffer, options)
        stream.write(buffer.getvalue().to_pybytes().decode("utf-8"))
        return
    # The bytes go straight to the file underneath, not decoded and encoded again, nor gathered in memory first
    # (a growing buffer: 46 ms for 50,000 rows of scores, 13 ms written as they come).
    stream.flush()
    pa_csv.write_csv(pa.table(columns), binary, options)


def _arrow_column(column: pd.Series) -> pa.Array:
    try:
        return pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(["" if pd.isna(value) is True else str(value) for value in column.tolist()], type=pa.string())


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def read_user_text(path: str | Path, what: str = "file") -> str:
    """Read a user's text file whatever its encoding: BOMs first, then UTF-16 without BOM, UTF-8, cp1252.

    Raises ``ToxiclinksError`` naming the file for a missing, unreadable or empty file.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, what, exc) from None
    if not data.strip(_BLANK_BYTES):
        raise ToxiclinksError(f"{path}: the file is empty")
    return decode_bytes(data)


def open_user_text(path: str | Path, what: str = "file", encoding: str | None = None) -> io.TextIOWrapper:
    """Open a user's text file for streaming, decoded exactly as ``read_user_text`` would decode it.

    The encoding is chosen from the first bytes (BOM, NUL pattern), then one
    pass over the raw bytes checks that the whole file is UTF-8 (else cp1252):
    the file is never held in memory. Line endings are universal. Give the
    ``encoding`` a previous opening found (the stream's ``encoding``) to skip
    that pass when reading the same file again.
    """
    path = Path(path)
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise _unreadable(path, what, exc) from None
    try:
        if not raw.seekable():  # a pipe (say, <(zcat export.csv.gz)): read once, it cannot be read again
            raise ToxiclinksError(f"{path}: a pipe, which can be read only once; save it to a file and give its path")
        encoding = encoding or _stream_encoding(raw)
        if encoding is None:
            raise ToxiclinksError(f"{path}: the file is empty")
        raw.seek(0)
    except BaseException:
        raw.close()
        raise
    return io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline=None)


_BLANK_BYTES = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
_BLOCK = 1 << 22


def _stream_encoding(raw: io.BufferedReader) -> str | None:
    """The encoding ``decode_bytes`` would pick for the whole stream, or None for a blank file."""
    head = raw.read(_BLOCK)
    encoding = _declared_encoding(head)
    utf8 = Utf8Check() if encoding is None else None
    block, blank = head, True
    while block:
        blank = blank and not block.strip(_BLANK_BYTES)
        if utf8 is not None:
            try:
                utf8.feed(block)
            except UnicodeDecodeError:
                utf8, encoding = None, "cp1252"
        if not blank and utf8 is None:
            break
        block = raw.read(_BLOCK)
    if utf8 is not None:
        try:
            utf8.finish()
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    return None if blank else encoding


class Utf8Check:
    """Checks that a stream of bytes, fed a block at a time, is UTF-8: ``feed`` and ``finish`` raise
    ``UnicodeDecodeError`` where it is not.

    A block of ASCII (nearly every block of an export) is not decoded:
    ``bytes.isascii`` is four times faster than the decoder (0.04 s against
    0.16 s for a 280 MB export), and ASCII is UTF-8 unless a character was left
    cut at the end of the block before, which the decoder then finds.
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def feed(self, block: bytes) -> None:
        """Check the next block."""
        if block.isascii() and not self._decoder.getstate()[0]:
            return
        self._decoder.decode(block)

    def finish(self) -> None:
        """Check that the stream did not end in the middle of a character."""
        self._decoder.decode(b"", final=True)


def _unreadable(path: Path, what: str, error: OSError) -> ToxiclinksError:
    if isinstance(error, FileNotFoundError):
        return ToxiclinksError(f"{path}: no such file")
    if isinstance(error, IsADirectoryError):
        return ToxiclinksError(f"{path}: is a directory, not a {what}")
    return ToxiclinksError(f"{path}: cannot be read ({error.strerror})")


def _declared_encoding(head: bytes) -> str | None:
    """The encoding a BOM or the NUL bytes of UTF-16 show at the start of a file; None when neither does."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return encoding
    head = head[:4096]
    if len(head) >= 2 and head[1::2].count(0) > len(head) // 4:
        return "utf-16-le"
    if len(head) >= 2 and head[0::2].count(0) > len(head) // 4:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> str:
    """Decode a user's file: BOM, else UTF-16 detected from NUL bytes, else UTF-8, else cp1252.

    >>> decode_bytes(codecs.BOM_UTF16_LE + "Grüße".encode("utf-16-le"))
    'Grüße'
    >>> decode_bytes("Grüße".encode("cp1252"))
    'Grüße'
    """
    encoding = _declared_encoding(data[:4096])
    if encoding is not None:
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")

"""Writing the user's output files atomically: a file is either whole or not there."""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path

from toxiclinks.errors import ToxiclinksError


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` through a temporary file renamed into place.

    An interrupted write leaves the old file (or none), never half a file.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; a user's file gets the usual mode
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
    except FileNotFoundError:
        raise ToxiclinksError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ToxiclinksError(f"{path}: is a directory, not a {what}") from None
    except OSError as exc:
        raise ToxiclinksError(f"{path}: cannot be read ({exc.strerror})") from None
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ToxiclinksError(f"{path}: the file is empty")
    return decode_bytes(data)


def decode_bytes(data: bytes) -> str:
    """Decode a user's file: BOM, else UTF-16 detected from NUL bytes, else UTF-8, else cp1252.

    >>> decode_bytes(codecs.BOM_UTF16_LE + "Grüße".encode("utf-16-le"))
    'Grüße'
    >>> decode_bytes("Grüße".encode("cp1252"))
    'Grüße'
    """
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    head = data[:4096]
    if len(head) >= 2 and head[1::2].count(0) > len(head) // 4:
        return data.decode("utf-16-le", errors="replace")
    if len(head) >= 2 and head[0::2].count(0) > len(head) // 4:
        return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")

"""The one exception type the library raises for a user's mistake or bad input."""

from __future__ import annotations


class ToxiclinksError(Exception):
    """A problem the user can fix (bad file, unknown columns, ...).

    The CLI shows its message as one line, without a traceback, so the message
    must name the problem and, where possible, the fix. Messages often quote
    the user's own data (headers, lines); they are folded to one printable line
    here, so no input can break that promise.

    >>> str(ToxiclinksError("headers found: \\x01\\n\\x01; use --columns"))
    'headers found: ? ?; use --columns'
    """

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


def one_line(text: str) -> str:
    """Fold whitespace (newlines included) to single spaces and show other control characters as '?'."""
    printable = "".join(character if character.isprintable() or character.isspace() else "?" for character in text)
    return " ".join(printable.split())

"""The one exception type the library raises for a user's mistake or bad input."""

from __future__ import annotations


class ToxiclinksError(Exception):
    """A problem the user can fix (bad file, unknown columns, ...).

    The CLI shows its message as one line, without a traceback, so the message
    must name the problem and, where possible, the fix.
    """

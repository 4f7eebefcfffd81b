"""The ``toxiclinks`` command: the command line, with a large triage's worker processes started first."""

from __future__ import annotations

import gc
import sys

from toxiclinks.workers import start_for_large_triage


def main() -> None:
    """Run the command line (``toxiclinks.cli``), importing it only once any worker processes are starting."""
    start_for_large_triage(sys.argv[1:])
    from toxiclinks.cli import main as command_line

    # The modules' objects (pandas, pyarrow, ...: hundreds of thousands) are set aside from the garbage
    # collector, which otherwise walks them all at each full collection: a million-row triage 11.15 -> 10.65 s
    # of CPU, 6.36 -> 6.04 s (mean of 4, interleaved). Its workers do the same once they have imported.
    gc.freeze()
    command_line()

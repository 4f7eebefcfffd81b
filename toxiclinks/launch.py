"""The ``toxiclinks`` command: the command line, with a large triage's worker processes started first."""

from __future__ import annotations

import sys

from toxiclinks.workers import start_for_large_triage


def main() -> None:
    """Run the command line (``toxiclinks.cli``), importing it only once any worker processes are starting."""
    start_for_large_triage(sys.argv[1:])
    from toxiclinks.cli import main as command_line

    command_line()

"""``python -m toxiclinks`` runs the command line."""

from toxiclinks.cli import main

main()

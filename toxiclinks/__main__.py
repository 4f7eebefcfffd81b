"""``python -m toxiclinks`` runs the command line."""

from toxiclinks.launch import main

main()

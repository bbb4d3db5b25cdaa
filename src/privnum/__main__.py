"""``python -m privnum`` runs the CLI."""

from privnum.entrypoints.cli import main

main()

"""`python -m raaderum` is the `raaderum` command."""

from raaderum.cli import main

main()

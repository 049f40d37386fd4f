"""`python -m oreledger` is the `oreledger` command."""

from oreledger.cli import main

main()

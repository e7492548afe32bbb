"""`python -m cli`: the `coterie` command without its console script (testnet subprocesses)."""

from cli.main import main

main()

"""`python -m cli`: the `coterie` command without its console script (testnet subprocesses).

The command is imported only when run: a `spawn` worker process (the node's signature
verifiers) imports this module as its main without running it, and needs nothing of the CLI."""

if __name__ == "__main__":
    from cli.main import main

    main()

"""The click command groups of `coterie`, one module per group."""

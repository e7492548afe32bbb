"""Treasury extensions: accepted assets, invoice index, allowances, streams and vesting,
holder distributions, allocations, and the split sinks for collectives and token holders.
docs/treasury.md states every rule."""

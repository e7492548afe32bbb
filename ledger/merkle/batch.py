"""A block's changes to the Merkle tree, sorted by path: what the batched walk in
ledger/merkle/flat/tree.py routes down the tree with `bisect`."""

from __future__ import annotations


class Batch:
    """Changes sorted by path, as parallel lists so that `bisect` runs on plain ints."""

    __slots__ = ("ints", "paths", "values")

    def __init__(self, ints: list[int], paths: list[bytes], values: list[bytes | None]) -> None:
        self.ints = ints
        self.paths = paths
        self.values = values  # value hashes; None deletes

    @classmethod
    def of(cls, entries: list[tuple[int, bytes, bytes | None]]) -> Batch:
        entries.sort()
        return cls([e[0] for e in entries], [e[1] for e in entries], [e[2] for e in entries])

    def inserts(self, lo: int, hi: int) -> list[tuple[int, bytes, bytes | None]]:
        return [
            (self.ints[i], self.paths[i], self.values[i])
            for i in range(lo, hi)
            if self.values[i] is not None
        ]

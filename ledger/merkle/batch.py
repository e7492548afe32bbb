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
    def of(cls, changes: dict[bytes, bytes | None]) -> Batch:
        """The batch of `changes` (path -> value hash): the paths sorted as bytes, which for
        32-byte paths is their order as ints, each path read as an int once."""
        paths = sorted(changes)
        to_int = int.from_bytes
        return cls([to_int(path) for path in paths], paths, [changes[path] for path in paths])

    def inserts(self, lo: int, hi: int) -> list[tuple[int, bytes, bytes | None]]:
        return [
            (self.ints[i], self.paths[i], self.values[i])
            for i in range(lo, hi)
            if self.values[i] is not None
        ]

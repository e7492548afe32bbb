"""What the state machine needs from committed state: point reads and sorted prefix scans.

The LevelDB state store implements this for committed state; `MemoryState` implements it for
genesis construction, the simulator and tests. Keys and values are raw bytes; the typed layer above
(accounts, collectives, ...) owns their layout.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

Changes = Mapping[bytes, bytes | None]
"""A block's effect on state: key -> new value, or None for a deleted key."""


class StateReader(Protocol):
    def get(self, key: bytes) -> bytes | None:
        """The value stored under `key`, or None."""
        ...

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        """All (key, value) pairs whose key starts with `prefix`, in ascending key order."""
        ...


class MemoryState:
    """A dict-backed `StateReader` that applies change sets; the in-memory twin of the store."""

    def __init__(self, items: Mapping[bytes, bytes] | None = None) -> None:
        self._items: dict[bytes, bytes] = dict(items or {})

    def get(self, key: bytes) -> bytes | None:
        return self._items.get(key)

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        for key in sorted(k for k in self._items if k.startswith(prefix)):
            yield key, self._items[key]

    def apply(self, changes: Changes) -> None:
        for key, value in changes.items():
            if value is None:
                self._items.pop(key, None)
            else:
                self._items[key] = value

    def items(self) -> dict[bytes, bytes]:
        return dict(self._items)

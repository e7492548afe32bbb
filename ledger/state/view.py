"""A copy-on-write overlay of state: the only way handlers read and write.

Reads see the overlay's own writes first, then its parent. A tx executes in a child view that is
merged into the block's view only when the whole tx succeeded, so a rejected tx changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ledger.state.reader import StateReader

_DELETED = None


class StateView:
    __slots__ = ("_parent", "_writes")

    def __init__(self, parent: StateReader) -> None:
        self._parent = parent
        self._writes: dict[bytes, bytes | None] = {}

    def get(self, key: bytes) -> bytes | None:
        if key in self._writes:
            return self._writes[key]
        return self._parent.get(key)

    def put(self, key: bytes, value: bytes) -> None:
        self._writes[key] = value

    def delete(self, key: bytes) -> None:
        self._writes[key] = _DELETED

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        """Merge this view's writes into the parent's keys, lazily: a scan that stops early
        reads only as far as it goes (the deadline index, lapse folding)."""
        mine = sorted((k, v) for k, v in self._writes.items() if k.startswith(prefix))
        if not mine:
            yield from self._parent.iter_prefix(prefix)
            return
        i = 0
        for key, value in self._parent.iter_prefix(prefix):
            while i < len(mine) and mine[i][0] < key:
                own_key, own = mine[i]
                i += 1
                if own is not None:
                    yield own_key, own
            if i < len(mine) and mine[i][0] == key:
                own = mine[i][1]
                i += 1
                if own is not None:
                    yield key, own
            else:
                yield key, value
        for own_key, own in mine[i:]:
            if own is not None:
                yield own_key, own

    def child(self) -> StateView:
        return StateView(self)

    def merge_into_parent(self) -> None:
        """Write this view's changes into its parent view (which must be a `StateView`)."""
        parent = self._parent
        if not isinstance(parent, StateView):
            raise TypeError("only a child view can be merged into its parent")
        parent._writes.update(self._writes)
        self._writes = {}

    def apply(self, changes: Mapping[bytes, bytes | None]) -> None:
        """Write a change set (None: delete) into this view, as `put`/`delete` one by one would."""
        self._writes.update(changes)

    def changes(self) -> dict[bytes, bytes | None]:
        """Everything written in this view: key -> value, None for deleted keys."""
        return dict(self._writes)

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
        mine = {k: v for k, v in self._writes.items() if k.startswith(prefix)}
        if not mine:
            yield from self._parent.iter_prefix(prefix)
            return
        merged = {k: v for k, v in self._parent.iter_prefix(prefix) if k not in mine}
        for k, v in mine.items():
            if v is not None:
                merged[k] = v
        for k in sorted(merged):
            yield k, merged[k]

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

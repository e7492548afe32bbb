"""A copy-on-write overlay of state: the only way handlers read and write.

Reads see the overlay's own writes first, then its parent. A tx executes in a child view that is
merged into the block's view only when the whole tx succeeded, so a rejected tx changes nothing.
A prefix scan merges the view's writes under that prefix into the parent's keys lazily; from a
view's first scan with 256 writes or more on, its writes are indexed by their first 1, 9 or 21
bytes (a table byte, + a proposal id, + a collective id), so a scan visits the block's writes of
its own table, proposal or collective, not every write of the block. Each width is indexed at
the first scan that needs it: a block of transfers to random accounts of a million writes about
10,000 keys, and its end-of-block scans need one or two widths, not all three. A view that is
never scanned while large (a tx's own view) never builds an index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from ledger.state.reader import StateReader

_DELETED = None
_BUCKETS = (21, 9, 1)
_INDEX_FROM = 256  # writes: below this a scan reads them all, which costs less than indexing


class StateView:
    __slots__ = ("_index", "_parent", "_writes")

    def __init__(self, parent: StateReader) -> None:
        self._parent = parent
        self._writes: dict[bytes, bytes | None] = {}
        # width (1, 9 or 21) -> first `width` bytes -> keys; a width is built at its first scan
        self._index: dict[int, dict[bytes, set[bytes]]] | None = None

    def _note(self, key: bytes) -> None:
        index = self._index
        if index is None or key in self._writes:
            return
        for n, buckets in index.items():
            if len(key) >= n:
                buckets.setdefault(key[:n], set()).add(key)

    def get(self, key: bytes) -> bytes | None:
        if key in self._writes:
            return self._writes[key]
        return self._parent.get(key)

    def put(self, key: bytes, value: bytes) -> None:
        if self._index is not None:
            self._note(key)
        self._writes[key] = value

    def delete(self, key: bytes) -> None:
        if self._index is not None:
            self._note(key)
        self._writes[key] = _DELETED

    def _written(self, prefix: bytes) -> list[tuple[bytes, bytes | None]]:
        """This view's writes under `prefix`, in key order."""
        width = next((n for n in _BUCKETS if len(prefix) >= n), 0)
        index = self._index
        if width == 0 or (index is None and len(self._writes) < _INDEX_FROM):
            return sorted((k, v) for k, v in self._writes.items() if k.startswith(prefix))
        if index is None:  # the first scan of a large view: from now on its writes are indexed
            index = self._index = {}
        buckets = index.get(width)
        if buckets is None:  # the first scan of this width: index what the view wrote so far
            buckets = index[width] = {}
            for key in self._writes:
                if len(key) >= width:
                    buckets.setdefault(key[:width], set()).add(key)
        keys = buckets.get(prefix[:width], ())
        return sorted((k, self._writes[k]) for k in keys if k.startswith(prefix))

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        """Merge this view's writes into the parent's keys, lazily: a scan that stops early
        reads only as far as it goes (the deadline index, lapse folding)."""
        mine = self._written(prefix)
        if not mine:
            yield from self._parent.iter_prefix(prefix)
            return
        yield from overlay(self._parent.iter_prefix(prefix), mine)

    def child(self) -> StateView:
        return StateView(self)

    def merge_into_parent(self) -> None:
        """Write this view's changes into its parent view (which must be a `StateView`)."""
        parent = self._parent
        if not isinstance(parent, StateView):
            raise TypeError("only a child view can be merged into its parent")
        if parent._index is None:
            parent._writes.update(self._writes)
        else:
            for key, value in self._writes.items():
                parent._note(key)
                parent._writes[key] = value
        self._writes = {}
        self._index = None

    def apply(self, changes: Mapping[bytes, bytes | None]) -> None:
        """Write a change set (None: delete) into this view, as `put`/`delete` one by one would."""
        if self._index is None:
            self._writes.update(changes)
            return
        for key, value in changes.items():
            self._note(key)
            self._writes[key] = value

    def changes(self) -> dict[bytes, bytes | None]:
        """Everything written in this view: key -> value, None for deleted keys."""
        return dict(self._writes)


def overlay(
    below: Iterable[tuple[bytes, bytes]], mine: list[tuple[bytes, bytes | None]]
) -> Iterator[tuple[bytes, bytes]]:
    """`below`'s items in key order with `mine` (sorted by key; None deletes) laid over them."""
    i = 0
    for key, value in below:
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

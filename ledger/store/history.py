"""State history: a store with `keep_states` K keeps the Merkle records of its last K state roots.

Pruned apart from blocks (ledger/store/pruning.py, `keep_blocks`), as the Cosmos SDK prunes
application state versions (`pruning-keep-recent`) apart from CometBFT's block retention
(`min-retain-blocks`): blocks serve sync and history queries, old state trees only proofs at
past heights. Its entries (written into the commit's own batch, only while `keep_states` is set;
"record" below is a Merkle record, ledger/merkle/flat):

| prefix | key                      | value      | meaning                                         |
| ------ | ------------------------ | ---------- | ----------------------------------------------- |
| `o`    | height (8) + record (32) | empty      | this record left the tree at that height        |
| `O`    | record (32)              | height (8) | the last height the record left the tree;       |
|        |                          |            | erased when a later block writes it again       |
|        |                          |            | (K > 2 only)                                    |
| `m`    | `state_floor`            | height (8) | the lowest height whose `o` entries still wait  |
| `m`    | `state_recorded`         | height (8) | the last height whose `o` entries were written  |
| `m`    | `state_tracked`          | height (8) | the last height that kept `O` current           |

A record listed under `o` at height p is in the root of p - 1 and not in the root of p. At the
commit of height H, heights p < H - K + 2 are processed: each record of `o` at p whose `O` still
says p is deleted (no root from p on holds it: a later block that brought it back erased or
moved its `O`). So the roots of H - K + 1 to H stay whole and nothing older stays
(tests/ledger/store/test_state_history.py checks both on random histories).

With K = 2 (the default) only the height before, H - 1, is processed, and no `O` is kept: a record
that left the tree at H - 1 is in the root of H exactly when block H writes it (a record of the new
root is either the old root's or written by this block). That saves three of the six writes per
record that `O` costs.

When the entries have a gap (`keep_states` turned on for an archive, off and on again, or from 2
to more, which needs `O`), the floor jumps to the height recording resumes at: the records that
left the tree before it are never deleted (a stale `O` could name a record a later root holds
again), so they stay as in an archive; from more than 2 down to 2, the floor jumps to H - 1.
At most `MAX_PRUNED_PER_COMMIT` heights are processed per commit. The space of deleted records is
freed by LevelDB's own compactions, which the records every block writes keep going (a full
compaction, as block pruning's `Compactor` runs, would rewrite the whole state every time).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.store import schema
from ledger.store.errors import StoreError

ORPHAN = b"o"
ORPHANED_AT = b"O"
META_FLOOR = schema.META + b"state_floor"
META_RECORDED = schema.META + b"state_recorded"
META_TRACKED = schema.META + b"state_tracked"
META_GENESIS_ROOT = schema.META + b"genesis_root"
MIN_KEEP_STATES = 2
"""The root before the last stays whole: a proof walk that began before a commit may end after."""
MAX_PRUNED_PER_COMMIT = 64


class StatePrunedError(StoreError, LookupError):
    """The state tree of a height this store does not keep (pruned, or never held)."""


@dataclass(frozen=True, slots=True)
class StateHistory:
    """Where the store's state history stands (persisted under `m`)."""

    floor: int
    """The lowest height whose orphan records are not processed: roots from floor - 1 on are
    whole."""
    recorded: int | None
    """The last height whose orphans were recorded; None: never, or not known."""
    tracked: int | None = None
    """The last height that kept `O` current; None: never, or not known."""

    @classmethod
    def load(cls, db: Any, block_base: int) -> StateHistory:
        floor, recorded, tracked = (db.get(k) for k in (META_FLOOR, META_RECORDED, META_TRACKED))
        return cls(
            block_base if floor is None else schema.from_u64(floor),  # before keep_states, the
            None if recorded is None else schema.from_u64(recorded),  # block base pruned both
            None if tracked is None else schema.from_u64(tracked),
        )

    @property
    def earliest(self) -> int:
        """The lowest height whose state tree is whole."""
        return max(0, self.floor - 1)

    def commit(  # noqa: PLR0917  # the parts of one commit, in the order the store has them
        self,
        db: Any,
        batch: Any,
        height: int,
        keep: int,
        orphaned: Iterable[bytes],
        node_writes: Mapping[bytes, bytes],
    ) -> StateHistory:
        """Record what block `height` orphans and prune what falls out of the last `keep` roots
        (into `batch`; `db` is read as before it). Returns the history after the batch."""
        tracked = keep > MIN_KEEP_STATES
        continuous = self.recorded == height - 1 and (not tracked or self.tracked == height - 1)
        floor = self.floor if continuous else height  # a gap: see the module docstring
        tag = schema.u64(height)
        if tracked:
            for node_hash in node_writes:
                batch.delete(ORPHANED_AT + node_hash)  # written again: no older entry deletes it
        for node_hash in orphaned:
            batch.put(ORPHAN + tag + node_hash, b"")
            if tracked:
                batch.put(ORPHANED_AT + node_hash, tag)
        target = height - keep + 2
        if not tracked:
            floor = max(floor, target - 1)  # only the height before: see the module docstring
        target = min(target, floor + MAX_PRUNED_PER_COMMIT)
        for pruned in range(floor, target):
            _prune_height(db, batch.delete, pruned, node_writes, tracked=tracked)
        floor = max(floor, target)
        batch.put(META_FLOOR, schema.u64(floor))
        batch.put(META_RECORDED, tag)
        if tracked:
            batch.put(META_TRACKED, tag)
        return StateHistory(floor, height, height if tracked else self.tracked)


def _prune_height(
    db: Any, delete: Any, height: int, node_writes: Mapping[bytes, bytes], *, tracked: bool
) -> None:
    """Delete the records that left the tree at `height` and no later root holds (with `tracked`
    False, `height` is the one before the commit's: only its own writes can hold them)."""
    tag = schema.u64(height)
    with db.iterator(prefix=ORPHAN + tag, include_value=False) as orphans:
        for key in orphans:
            node_hash = key[len(ORPHAN) + 8 :]
            delete(key)
            if node_hash in node_writes:
                continue
            if tracked:
                if db.get(ORPHANED_AT + node_hash) != tag:
                    continue
                delete(ORPHANED_AT + node_hash)
            delete(schema.NODE + node_hash)


def initial(batch: Any, height: int, root: bytes) -> StateHistory:
    """The history of a store that starts at `height` with the state tree `root` alone (genesis,
    or a state sync snapshot)."""
    batch.put(META_FLOOR, schema.u64(height + 1))
    batch.put(META_RECORDED, schema.u64(height))
    batch.put(META_TRACKED, schema.u64(height))
    if height == 0:
        batch.put(META_GENESIS_ROOT, root)
    return StateHistory(height + 1, height, height)

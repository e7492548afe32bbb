"""State snapshots: the state at a height cut into chunks, and a store restored from them.

A chunk is the canonical encoding of a list of [key, value] pairs of the state (in key order),
about `CHUNK_BYTES` each, so every honest node cuts the same state into the same chunks. Nothing
in a chunk is trusted: the restoring node checks each chunk against the hash the manifest lists
and the whole state against the state root of a header it verified (node/statesync.py).
`restore` writes a new store at that height: the state, its Merkle records, the block and commit of
the height, and `base_height` = height (older blocks were never here: they answer 410 pruned).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ledger import codec
from ledger.block import Block, Commit
from ledger.merkle import EMPTY
from ledger.store import history, pruning, schema
from ledger.store.errors import StoreError
from ledger.store.store import Store

CHUNK_BYTES = 1 << 20
MAX_CHUNK_BYTES = 4 * CHUNK_BYTES
MAX_KEY = 1024
MAX_VALUE = 1 << 20


class SnapshotError(ValueError):
    """A chunk or a snapshot that does not decode or does not match what it must."""


def state_chunks(db_snapshot: Any, chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The state of a LevelDB snapshot (`plyvel.DB.snapshot()`) as encoded chunks of about
    `chunk_bytes` (at most MAX_CHUNK_BYTES), in key order."""
    chunk_bytes = min(chunk_bytes, MAX_CHUNK_BYTES - MAX_KEY - MAX_VALUE)
    items: list[list[bytes]] = []
    size = 0
    with db_snapshot.iterator(prefix=schema.STATE) as entries:
        for key, value in entries:
            items.append([key[len(schema.STATE) :], value])
            size += len(key) + len(value) + 8
            if size >= chunk_bytes:
                yield codec.encode(items)
                items, size = [], 0
    if items or size == 0:
        yield codec.encode(items)


def chunk_items(data: bytes) -> list[tuple[bytes, bytes]]:
    """The pairs of one chunk; `SnapshotError` if it is not a well-formed chunk."""
    if len(data) > MAX_CHUNK_BYTES:
        raise SnapshotError("chunk too large")
    try:
        raw = codec.decode(data, MAX_CHUNK_BYTES)
    except Exception as exc:  # any decode failure is the sender's fault
        raise SnapshotError(f"chunk does not decode: {exc}") from None
    if not isinstance(raw, list):
        raise SnapshotError("a chunk is a list of [key, value]")
    out: list[tuple[bytes, bytes]] = []
    for pair in raw:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or type(pair[0]) is not bytes
            or type(pair[1]) is not bytes
            or not 0 < len(pair[0]) <= MAX_KEY
            or len(pair[1]) > MAX_VALUE
        ):
            raise SnapshotError("a chunk is a list of [key, value] byte strings")
        out.append((pair[0], pair[1]))
    return out


def restore(
    store: Store, items: Iterable[tuple[bytes, bytes]], block: Block, commit: Commit
) -> None:
    """Write an empty store at `block`'s height from verified state items; checks the root."""
    if store.initialized:
        raise StoreError(f"database at {store.path} is not empty: state sync needs a new one")
    state = dict(items)
    height = block.header.height
    root, node_writes, _ = store.tree.update_tracked(EMPTY, state)
    if root != block.header.state_root:
        raise SnapshotError(
            f"the snapshot's state root {root.hex()} is not block {height}'s "
            f"{block.header.state_root.hex()}"
        )
    block_hash = block.hash()
    if commit.height != height or commit.block_hash != block_hash:
        raise SnapshotError(f"the commit is not block {height}'s")
    db = store._db  # the store's own package: one atomic batch, as initialize
    with db.write_batch(transaction=True, sync=True) as batch:
        batch.put(schema.META_SCHEMA, schema.u32(schema.SCHEMA_VERSION))
        batch.put(schema.META_GENESIS, store.genesis_hash)
        batch.put(schema.META_HEIGHT, schema.u64(height))
        batch.put(schema.META_STATE_ROOT, root)
        batch.put(pruning.META_BASE, schema.u64(height))
        history.initial(batch, height, root)
        for key, value in state.items():
            batch.put(schema.STATE + key, value)
        for node_hash, encoding in node_writes.items():
            batch.put(schema.NODE + node_hash, encoding)
        batch.put(schema.block(height), block.encode())
        batch.put(schema.block_height(block_hash), schema.u64(height))
        batch.put(schema.commit(height), commit.encode())

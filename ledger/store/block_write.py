"""Writing a committed block: its one synced batch, apart from moving the store's readers to it.

`Store.commit_block` is three steps: `check_block` (does the block fit on the committed chain),
`write_block` (this module's `write`: build the batch and write it with `sync=True`) and
`finish_block` (the store's height, root, caches and pinned pages move to the block). A node
runs the write on a thread of its own while its event loop goes on admitting txs and serving
reads (node/commit_off_loop.py): plyvel releases the GIL for LevelDB's `Write`, which with the
fsync is most of a large block's commit, and the batch is built by Python that the loop
interleaves with. Meanwhile `Store.pin_reads` answers every read from a LevelDB snapshot taken
before the write, so no reader sees the new values beside the old height and root; the loop
then finishes and unpins with no await in between. A crash at any point leaves the batch whole
or absent (LevelDB logs it as one record), as for `commit_block`.

Once a page is in the batch, `write` releases the block's own bytes of it (the value in
`node_writes` becomes empty; the key stays, for the pruning records) unless the pinned top will
keep it (`NodeStore.new_pinned`): a full block's pages (28 MiB for 20,000 transfers at a
million accounts) were otherwise held three times at the commit's peak, as Python bytes, in the
batch and in LevelDB's memtable. A write that fails after that leaves the block's execution
without its pages: the node halts on a failed commit anyway, and starts again from the
committed chain.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from typing import Any

from ledger.block import Block, Commit
from ledger.keys import Address
from ledger.state.reader import Changes
from ledger.store import history, pruning, schema
from ledger.store.errors import CommitRefusedError
from ledger.store.layout import tx_spans

RELEASED = b""
"""What a page's value in `node_writes` becomes once the batch holds it (module docstring)."""


@dataclass(frozen=True, slots=True)
class BlockParts:
    """What `Store.commit_block` is given (its docstring says what each part is)."""

    block: Block
    commit: Commit
    changes: Changes
    new_root: bytes
    node_writes: dict[bytes, bytes]
    receipts: Mapping[bytes, bytes]
    orphaned: Iterable[bytes] = ()


@dataclass(frozen=True, slots=True)
class Pruning:
    """The store's pruning settings and state before the write (read, never changed, by it)."""

    keep_blocks: int | None
    keep_states: int | None
    base_height: int
    history: history.StateHistory


@dataclass(frozen=True, slots=True)
class WrittenBlock:
    """A block durable in LevelDB, with the pruning state after it, for `Store.finish_block`."""

    parts: BlockParts
    block_hash: bytes
    base_height: int
    history: history.StateHistory


def write(  # noqa: PLR0917  # the parts of one write, as the store holds them
    db: Any,
    parts: BlockParts,
    account_txs: Iterable[tuple[Address, int]],
    before: Pruning,
    sync: bool,
    compactor: pruning.Compactor,
    pinned: Container[bytes] | None = None,
    during_write: AbstractContextManager[object] | None = None,
) -> WrittenBlock:
    """Build the batch of `parts` and write it (synced when `sync`); `db` is read as before it.
    With `pinned`, the bytes of every page not in it are released from `parts.node_writes` once
    in the batch (module docstring). Raises `CommitRefusedError`, having written nothing (and
    released nothing), if the block is malformed. `during_write` is entered once the batch is
    built and left once LevelDB has written it (the GIL is free meanwhile: the store reads the
    next block's Merkle records then, ledger/store/readahead.py)."""
    block = parts.block
    height = block.header.height
    block_hash = block.hash()
    positions: dict[bytes, int] = {}
    for position, tx in enumerate(block.txs):
        positions.setdefault(tx.hash, position)
    if len(positions) != len(block.txs):
        raise CommitRefusedError(f"block {height} holds the same tx twice")
    receipts = parts.receipts
    if receipts.keys() != positions.keys():
        raise CommitRefusedError(f"block {height}: receipts must cover exactly its txs")
    index = list(account_txs)
    if any(not 0 <= position < len(block.txs) for _, position in index):
        raise CommitRefusedError(f"block {height}: account index entry for a tx it lacks")
    spans = tx_spans(block)
    base, states = before.base_height, before.history
    with ExitStack() as writing, db.write_batch(transaction=True, sync=sync) as batch:
        put, delete = batch.put, batch.delete
        for key, value in parts.changes.items():
            if value is None:
                delete(schema.STATE + key)
            else:
                put(schema.STATE + key, value)
        pages = parts.node_writes
        for node_hash, encoding in pages.items():
            put(schema.NODE + node_hash, encoding)
            if pinned is not None and node_hash not in pinned:
                pages[node_hash] = RELEASED  # a value set, no key added: the walk goes on
        put(schema.block(height), block.encode())
        put(schema.block_height(block_hash), schema.u64(height))
        put(schema.commit(height), parts.commit.encode())
        # per tx: its location and its accounts' index keys (`TxLocation(...).encode()` and
        # `schema.account_tx`, built without the object or the height's bytes again)
        location, tx_prefix = schema.location_bytes, schema.TX
        for tx_hash, position in positions.items():
            offset, length = spans[position]
            put(tx_prefix + tx_hash, location(height, position, receipts[tx_hash], offset, length))
        account_prefix, height_bytes, u32 = schema.ACCOUNT_TX, schema.u64(height), schema.u32
        for address, position in index:
            put(account_prefix + address.raw + height_bytes + u32(position), b"")
        put(schema.META_HEIGHT, schema.u64(height))
        put(schema.META_STATE_ROOT, parts.new_root)
        if before.keep_blocks is not None:
            accounts = [(address.raw, position) for address, position in index]
            keys = pruning.secondary_keys(block_hash, height, positions, accounts)
            pruning.record(put, height, keys)
            window = pruning.Window(before.keep_blocks, before.base_height, height)
            base = pruning.prune_window(db, batch, window, compactor)
        if before.keep_states is not None:
            keep = max(before.keep_states, history.MIN_KEEP_STATES)
            states = states.commit(db, batch, height, keep, parts.orphaned, parts.node_writes)
        if during_write is not None:
            writing.enter_context(during_write)  # left after the batch's write, as it ends
    return WrittenBlock(parts, block_hash, base, states)

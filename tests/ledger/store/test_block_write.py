"""A block written on another thread while reads are pinned (ledger/store/block_write.py).

A node writes a decided block's batch on a thread of its own while its loop goes on reading the
store (node/commit_off_loop.py). Between the write and `finish_block` LevelDB already holds the
new values while the store's height and root are the old ones: a reader must then see the chain
before the block, whole, and after `finish_block` the chain after it, whole.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ledger.keys import Address
from ledger.merkle.flat import verify_proof
from ledger.store import Store, schema
from ledger.store.errors import StoreError
from tests.ledger.store.synthetic import (
    GENESIS_HASH,
    GENESIS_KEYS,
    SENDERS,
    commit_next,
    commit_next_off_thread,
    commit_update,
    next_parts,
    open_store,
)

SEED = 11


def snapshot_of(store: Store, keys: list[bytes]) -> dict[str, object]:
    """What a reader sees: height, root, the values of `keys` (each checked against the
    root by its proof), the last block and the newest account history entry."""
    values = {}
    for key in keys:
        value, proof = store.prove(key)
        assert verify_proof(store.state_root, key, value, proof), "a value its root does not hold"
        values[key] = value
    account = Address.from_public_key(SENDERS[0])
    history = store.account_history(account, limit=1)
    return {
        "height": store.height,
        "root": store.state_root,
        "values": values,
        "block": store.block(store.height + 1),
        "last": store.block_bytes(store.height),
        "history": history,
    }


def test_a_reader_between_the_write_and_its_finish_sees_the_chain_before_the_block(
    store: Store,
) -> None:
    for _ in range(3):
        commit_next(store, SEED)
    parts, account_txs = next_parts(store, SEED)
    keys = sorted(parts.changes)
    before = snapshot_of(store, keys)
    store.state.forget()  # nothing answered from the read cache: every value from LevelDB
    store.pin_reads()
    written = store.write_block(parts, account_txs)  # durable now
    assert snapshot_of(store, keys) == before
    assert all(store.tx(tx.hash) is None for tx in parts.block.txs)
    store.finish_block(written)
    store.unpin_reads()
    after = snapshot_of(store, keys)
    assert after["height"] == before["height"] + 1 == parts.block.header.height  # type: ignore[operator]
    assert after["root"] == parts.new_root
    assert after["values"] == {k: parts.changes[k] for k in keys}
    for tx in parts.block.txs:
        assert store.tx(tx.hash) is not None


def test_without_pinned_reads_a_reader_would_see_new_values_beside_the_old_root(
    store: Store,
) -> None:
    """Why reads are pinned: the hazard the test above rules out is real."""
    commit_next(store, SEED)
    parts, account_txs = next_parts(store, SEED)
    changed = next(k for k, v in parts.changes.items() if v is not None)
    store.state.forget()
    written = store.write_block(parts, account_txs)
    assert store.height == parts.block.header.height - 1
    value, proof = store.prove(changed)
    assert value == parts.changes[changed]  # the new value...
    assert not verify_proof(store.state_root, changed, value, proof)  # ...the old root
    store.finish_block(written)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_readers_during_writes_on_another_thread_always_see_one_whole_chain(
    store: Store, seed: int
) -> None:
    """Every read made while a batch is written on another thread is of the chain before the
    block (its height, root and values agree); after the finish, of the chain after it."""
    keys = GENESIS_KEYS[::7]
    seen: list[int] = []

    def read() -> None:
        seen.append(snapshot_of(store, keys)["height"])  # type: ignore[arg-type]

    for height in range(1, 9):
        seen.clear()
        block = commit_next_off_thread(store, seed, read)
        assert block.header.height == height
        assert set(seen) == {height - 1}
        assert snapshot_of(store, keys)["height"] == height
    root = store.state_root
    store.close()
    with open_store(store.path) as again:
        assert (again.height, again.state_root) == (8, root)
        assert again.recompute_state_root() == root


def test_close_waits_for_a_write_in_flight(store: Store) -> None:
    """A node stopping while a block is written: the store closes after it, whole."""
    commit_next(store, SEED)
    parts, account_txs = next_parts(store, SEED)
    refused: list[StoreError] = []

    def write() -> None:
        try:
            store.write_block(parts, account_txs)
        except StoreError as exc:  # close came first: nothing written
            refused.append(exc)

    store.pin_reads()
    writer = threading.Thread(target=write)
    writer.start()
    store.close()  # never finished: the write alone must leave the database whole
    writer.join()
    with open_store(store.path) as again:
        assert again.height == (1 if refused else 2)
        assert again.recompute_state_root() == again.state_root


def test_a_write_after_close_is_refused(store: Store) -> None:
    parts, account_txs = next_parts(store, SEED)
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.write_block(parts, account_txs)


def test_a_written_block_keeps_only_the_records_its_pinned_top_needs(tmp_path: Path) -> None:
    """Issue 17 (memory): a full block's Merkle records were held as Python bytes while
    LevelDB's batch and memtable held them again, three copies at the commit's peak. Once in
    the batch, a record's bytes are released from the block's `node_writes` (its key stays, for
    pruning), except the new pinned top's; every record is still read back from the store as
    written, and the store reopens on the same root."""
    path = tmp_path / "db"
    store = open_store(path)
    try:
        records = store.tree
        records._pin_levels = 2  # a small tree has records below the pinned top
        store.tree.warm(store.state_root)
        released = 0
        for seed in range(8):
            changes = {b"\x01" + bytes([seed, i % 256, i // 256]): b"v%d" % i for i in range(600)}
            update = store.tree.update_tracked(store.state_root, changes)
            writes = update[1]
            written = dict(writes)
            commit_update(store, changes, update, seed)
            assert writes.keys() == written.keys()
            held = {h for h, data in writes.items() if data}
            assert held == {h for h in written if h in records.pinned()}
            assert all(data == written[h] for h, data in writes.items() if data)
            released += len(writes) - len(held)
            for record_hash, data in written.items():
                assert store._db.get(schema.node(record_hash)) == data
        assert released > 1000, "records below the pinned top were released"
        root = store.state_root
    finally:
        store.close()
    with Store.open(path, GENESIS_HASH) as reopened:
        assert reopened.state_root == root == reopened.recompute_state_root()

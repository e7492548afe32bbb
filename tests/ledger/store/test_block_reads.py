"""Reads that must not decode whole blocks: one tx by its offset, a block's head, the cached
last header and commit; and index entries written before tx offsets existed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger import codec
from ledger.block import Block
from ledger.codec import MalformedError
from ledger.store import BlockHead, Store, TxLocation, schema
from tests.ledger.store.synthetic import GENESIS_HASH, commit_for, commit_next, receipts_of


def test_tx_index_entries_locate_each_tx_inside_its_stored_block(store: Store) -> None:
    blocks = [commit_next(store, seed=7) for _ in range(6)]
    for height, block in enumerate(blocks, start=1):
        data = store.block_bytes(height)
        assert data is not None
        for tx in block.txs:
            location = store.tx_location(tx.hash)
            assert location is not None and location.length == len(tx.encode())
            assert data[location.offset : location.offset + location.length] == tx.encode()


def test_tx_reads_decode_no_block(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = [commit_next(store, seed=8) for _ in range(4)]

    def refuse(_data: bytes, _max_bytes: int = 0) -> Block:
        raise AssertionError("a whole block was decoded")

    monkeypatch.setattr(Block, "decode", refuse)
    for height, block in enumerate(blocks, start=1):
        head = store.block_head(height)
        assert head == BlockHead(block.header, len(block.txs), len(block.evidence))
        assert store.header(height) == block.header
        for position, tx in enumerate(block.txs):
            found = store.tx(tx.hash)
            assert found is not None and found[0] == tx and found[1].position == position
    assert store.last_header == blocks[-1].header
    assert store.last_commit == commit_for(4, blocks[-1].hash())
    assert store.block_head(5) is None and store.header(0) is None


def test_last_header_and_commit_survive_reopening(store: Store, db_path: Path) -> None:
    assert store.last_header is None and store.last_commit is None
    block = commit_next(store, seed=9)
    store.close()
    with Store.open(db_path, GENESIS_HASH) as reopened:
        assert reopened.last_header == block.header
        assert reopened.last_commit == commit_for(1, block.hash())


def test_entries_without_offsets_are_still_read(store: Store) -> None:
    """An entry of the first schema (height, position, receipt): the tx comes from its block."""
    block = commit_next(store, seed=10)
    assert block.txs
    receipts = receipts_of(block)
    tx = block.txs[-1]
    legacy = TxLocation(1, len(block.txs) - 1, receipts[tx.hash])
    assert len(codec.decode(legacy.encode())) == 3
    store._db.put(schema.tx(tx.hash), legacy.encode())
    assert store.tx(tx.hash) == (tx, legacy)


def test_tx_location_encodings() -> None:
    full = TxLocation(3, 2, b"receipt", 120, 150)
    assert TxLocation.decode(full.encode()) == full
    short = TxLocation(3, 2, b"receipt")
    assert TxLocation.decode(short.encode()) == short
    with pytest.raises(MalformedError):
        TxLocation.decode(codec.encode([3, 2, b"receipt", 120]))
    with pytest.raises(MalformedError):
        TxLocation.decode(codec.encode([3, 2, b"receipt", 0, 150]))

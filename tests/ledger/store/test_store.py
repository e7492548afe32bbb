"""Committing blocks and reading them back: blocks, commits, indexes, state and proofs."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledger.hashing import digest
from ledger.keys import Address
from ledger.merkle import EMPTY
from ledger.merkle.flat import root_of, update, verify_proof
from ledger.state.reader import MemoryState
from ledger.store import CommitRefusedError, Store, StoreError
from tests.ledger.store.synthetic import (
    GENESIS_HASH,
    GENESIS_STATE,
    SENDERS,
    Model,
    account_txs_of,
    block_changes,
    commit_for,
    commit_next,
    make_block,
    receipts_of,
)


def test_new_store_holds_the_genesis_state(db_path: Path) -> None:
    store = Store.open(db_path, GENESIS_HASH)
    assert not store.initialized and store.height == 0
    root = store.initialize(GENESIS_STATE)
    assert root == root_of(GENESIS_STATE) == store.state_root
    with pytest.raises(StoreError, match="already initialized"):
        store.initialize(GENESIS_STATE)
    store.close()
    with Store.open(db_path, GENESIS_HASH) as reopened:
        assert reopened.initialized and reopened.height == 0 and reopened.state_root == root
        assert dict(reopened.state.iter_prefix(b"")) == GENESIS_STATE


def test_committed_blocks_reopen_with_state_blocks_and_commits(store: Store, db_path: Path) -> None:
    blocks = [commit_next(store, seed=1) for _ in range(12)]
    store.close()
    model = Model(seed=1)
    model.advance_to(12)
    with Store.open(db_path, GENESIS_HASH) as reopened:
        assert reopened.height == 12
        assert reopened.state_root == model.root == blocks[-1].header.state_root
        assert reopened.last_block_hash == model.block_hashes[-1]
        assert dict(reopened.state.iter_prefix(b"")) == model.state
        assert reopened.recompute_state_root() == model.root
        for height, block in enumerate(blocks, start=1):
            assert reopened.block(height) == block
            assert reopened.block_by_hash(block.hash()) == block
            assert reopened.height_of(block.hash()) == height
            assert reopened.commit(height) == commit_for(height, block.hash())
        assert reopened.block(13) is None and reopened.block(0) is None
        assert reopened.commit(13) is None and reopened.block_by_hash(digest(b"no")) is None


def test_state_reader_matches_memory_state(store: Store) -> None:
    for _ in range(5):
        commit_next(store, seed=2)
    model = Model(seed=2)
    model.advance_to(5)
    memory = MemoryState(model.state)
    for prefix in (b"", b"\x01", b"\x01\x00\x00\x01", b"\x02"):
        assert list(store.state.iter_prefix(prefix)) == list(memory.iter_prefix(prefix))
    for key in [*list(model.state)[:20], b"\x01absent"]:
        assert store.state.get(key) == memory.get(key)


def test_tx_index_and_receipts(store: Store) -> None:
    blocks = [commit_next(store, seed=3) for _ in range(10)]
    seen = 0
    for height, block in enumerate(blocks, start=1):
        receipts = receipts_of(block)
        for position, tx in enumerate(block.txs):
            found = store.tx(tx.hash)
            assert found is not None
            stored_tx, location = found
            assert stored_tx == tx
            assert (location.height, location.position) == (height, position)
            assert location.receipt == receipts[tx.hash]
            seen += 1
    assert seen > 0
    assert store.tx(digest(b"unknown")) is None and store.tx_location(digest(b"x")) is None


def test_account_history_is_newest_first_and_pages(store: Store) -> None:
    blocks = [commit_next(store, seed=4) for _ in range(30)]
    address = Address.from_public_key(SENDERS[0])
    expected = sorted(
        (
            (height, position, block.txs[position].hash)
            for height, block in enumerate(blocks, start=1)
            for touched, position in account_txs_of(block)
            if touched == address
        ),
        reverse=True,
    )
    assert len(expected) > 7
    history = store.account_history(address, limit=1000)
    assert [(e.height, e.position, e.tx_hash) for e in history] == expected
    pages: list[tuple[int, int, bytes]] = []
    before = None
    while True:
        page = store.account_history(address, limit=3, before=before)
        if not page:
            break
        pages.extend((e.height, e.position, e.tx_hash) for e in page)
        before = (page[-1].height, page[-1].position)
    assert pages == expected
    assert store.account_history(Address(bytes([9]) * 20)) == []
    with pytest.raises(ValueError, match="limit"):
        store.account_history(address, limit=0)


def test_account_history_with_a_single_entry(store: Store) -> None:
    # a reverse scan over a range holding one key is a plyvel edge case worth pinning
    height = store.height + 1
    changes = block_changes(5, height)
    root, writes = update(store.tree, store.state_root, changes)
    block = next(
        b
        for b in (make_block(seed, height, store.last_block_hash, root) for seed in range(100))
        if b.txs
    )
    lonely = Address(bytes([3]) * 20)
    store.commit_block(
        block,
        commit_for(height, block.hash()),
        changes=changes,
        new_root=root,
        node_writes=writes,
        receipts=receipts_of(block),
        account_txs=[(lonely, 0)],
    )
    history = store.account_history(lonely)
    assert [(e.height, e.position, e.tx_hash) for e in history] == [(1, 0, block.txs[0].hash)]
    assert store.account_history(lonely, before=(1, 0)) == []


def test_proofs_from_the_store_verify_against_the_header_root(store: Store) -> None:
    for _ in range(6):
        last = commit_next(store, seed=6)
    root = last.header.state_root
    keys = [*[k for k, _ in store.state.iter_prefix(b"")][:30], b"\x01absent", b"\x09"]
    for key in keys:
        value, proof = store.prove(key)
        assert verify_proof(root, key, value, proof)
        assert not verify_proof(root, key, (value or b"") + b"!", proof)


# -- refusals: each leaves the store exactly as it was ----------------------------------------

Args = dict[str, Any]


def next_args(store: Store, seed: int = 7) -> Args:
    height = store.height + 1
    changes = block_changes(seed, height)
    root, writes = update(store.tree, store.state_root, changes)
    block = make_block(seed, height, store.last_block_hash, root)
    return {
        "block": block,
        "commit": commit_for(height, block.hash()),
        "changes": changes,
        "new_root": root,
        "node_writes": writes,
        "receipts": receipts_of(block),
        "account_txs": account_txs_of(block),
    }


def with_header(args: Args, **fields: Any) -> Args:
    block = args["block"]
    block = dataclasses.replace(block, header=dataclasses.replace(block.header, **fields))
    return args | {"block": block, "commit": commit_for(block.header.height, block.hash())}


def with_txs(args: Args) -> Args:
    for seed in range(100):
        candidate = make_block(seed, args["block"].header.height, None, args["new_root"])
        if candidate.txs:
            linked = args["block"].header
            header = dataclasses.replace(
                candidate.header,
                prev_block_hash=linked.prev_block_hash,
                last_commit_hash=linked.last_commit_hash,
            )
            block = dataclasses.replace(
                candidate, header=header, last_commit=args["block"].last_commit
            )
            return args | {
                "block": block,
                "commit": commit_for(header.height, block.hash()),
                "receipts": receipts_of(block),
                "account_txs": account_txs_of(block),
            }
    raise AssertionError("no block with txs")


REFUSALS: dict[str, tuple[Callable[[Args], Args], str]] = {
    "header root differs from the new root": (
        lambda a: with_header(a, state_root=digest(b"other")),
        "claims state root",
    ),
    "new root differs from the header": (
        lambda a: a | {"new_root": digest(b"other")},
        "claims state root",
    ),
    "root node not written": (lambda a: a | {"node_writes": {}}, "neither written nor stored"),
    "height skips one": (lambda a: with_header(a, height=a["block"].header.height + 1), "follow"),
    "wrong parent": (lambda a: with_header(a, prev_block_hash=digest(b"x")), "does not extend"),
    "commit for another block": (
        lambda a: a | {"commit": commit_for(a["block"].header.height, digest(b"x"))},
        "commit is not for",
    ),
    "missing receipt": (lambda a: with_txs(a) | {"receipts": {}}, "receipts"),
    "extra receipt": (lambda a: a | {"receipts": {digest(b"x"): b""}}, "receipts"),
    "bad account index position": (
        lambda a: with_txs(a) | {"account_txs": [(Address(bytes(20)), 99)]},
        "account index",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_commit_writes_nothing(store: Store, db_path: Path, case: str) -> None:
    for _ in range(3):
        commit_next(store, seed=7)
    before = (store.height, store.state_root, dict(store.state.iter_prefix(b"")))
    mutate, reason = REFUSALS[case]
    args = mutate(next_args(store))
    with pytest.raises(CommitRefusedError, match=reason):
        store.commit_block(**args)
    assert (store.height, store.state_root, dict(store.state.iter_prefix(b""))) == before
    store.close()
    with Store.open(db_path, GENESIS_HASH) as reopened:
        assert (reopened.height, reopened.state_root) == before[:2]
        assert reopened.block(4) is None and reopened.commit(4) is None
        assert dict(reopened.state.iter_prefix(b"")) == before[2]
        good = next_args(reopened)
        reopened.commit_block(**good)  # the right block still goes in
        assert reopened.height == 4


def test_commit_before_genesis_is_refused(db_path: Path) -> None:
    store = Store.open(db_path, GENESIS_HASH)
    block = make_block(1, 1, None, EMPTY)
    with pytest.raises(CommitRefusedError, match="no genesis"):
        store.commit_block(
            block,
            commit_for(1, block.hash()),
            changes={},
            new_root=EMPTY,
            node_writes={},
            receipts=receipts_of(block),
        )
    store.close()


def test_repeating_a_committed_block_is_refused(store: Store) -> None:
    args = next_args(store)
    store.commit_block(**args)
    with pytest.raises(CommitRefusedError, match="does not follow"):
        store.commit_block(**args)

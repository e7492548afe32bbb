"""State sync's choices before any chunk is trusted: which offer first, where the header walk
starts (a trusted block must have the operator's hash and be within the trust period, and name
the set the snapshot says signs after it), and the set history read from a snapshot."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from consensus.validators import ValidatorSet
from ledger.block import Block, Header
from ledger.genesis import Genesis
from ledger.hashing import ZERO_HASH, digest
from node.chain import validator_set_history_key
from node.statesync import (
    BadSnapshotError,
    StateSyncError,
    Trust,
    genesis_anchor,
    set_changes,
    trusted_anchor,
)
from node.statesync_peers import rank
from node.statesync_wire import SnapshotOffer
from node.testnet import init_testnet

DAY_MS = 86_400_000


def _offer(height: int, tag: bytes = b"a") -> SnapshotOffer:
    return SnapshotOffer(height, digest(tag), (digest(tag + b"chunk"),))


def test_the_highest_offer_goes_first_then_the_most_widely_offered() -> None:
    a, b, c = b"\x01" * 32, b"\x02" * 32, b"\x03" * 32
    offers = {
        a: [_offer(20, b"x"), _offer(10)],
        b: [_offer(20, b"y"), _offer(10)],
        c: [_offer(20, b"y"), _offer(5)],
    }
    ranked = rank(offers, min_height=6)
    assert [(r.offer.height, len(r.peers)) for r in ranked] == [(20, 2), (20, 1), (10, 2)]
    assert ranked[0].offer == _offer(20, b"y") and set(ranked[0].peers) == {b, c}


def _genesis(tmp_path: Path) -> Genesis:
    return init_testnet(tmp_path / "net", 2, time_ms=10 * DAY_MS).genesis


def _block(genesis: Genesis, height: int, time_ms: int, next_set: ValidatorSet) -> Block:
    first = genesis_anchor(genesis).next_set
    header = Header(
        chain_id=genesis.chain_id, height=height, time_ms=time_ms, prev_block_hash=ZERO_HASH,
        last_commit_hash=ZERO_HASH, tx_root=ZERO_HASH, evidence_root=ZERO_HASH,
        state_root=ZERO_HASH, validators_hash=first.hash(),
        next_validators_hash=next_set.hash(), proposer=first.validators[0].address,
    )  # fmt: skip
    return Block(header, (), (), None)


def test_a_trusted_block_within_the_trust_period_anchors_the_walk(tmp_path: Path) -> None:
    genesis = _genesis(tmp_path)
    first = genesis_anchor(genesis).next_set
    block = _block(genesis, 5, 11 * DAY_MS, first)
    anchor = trusted_anchor(genesis, Trust(5, block.hash()), block, [], now_ms=12 * DAY_MS)
    assert (anchor.height, anchor.next_set) == (5, first)


def test_a_trusted_block_older_than_the_trust_period_is_refused(tmp_path: Path) -> None:
    genesis = _genesis(tmp_path)
    first = genesis_anchor(genesis).next_set
    block = _block(genesis, 5, 11 * DAY_MS, first)
    late = 11 * DAY_MS + genesis.params.trust_period_ms + 1
    with pytest.raises(StateSyncError, match="older than the chain's trust period"):
        trusted_anchor(genesis, Trust(5, block.hash()), block, [], now_ms=late)


def test_a_block_without_the_trusted_hash_is_refused(tmp_path: Path) -> None:
    genesis = _genesis(tmp_path)
    block = _block(genesis, 5, 11 * DAY_MS, genesis_anchor(genesis).next_set)
    with pytest.raises(StateSyncError, match="not the trusted one"):
        trusted_anchor(genesis, Trust(5, digest(b"other")), block, [], now_ms=12 * DAY_MS)


def test_a_snapshot_whose_set_history_the_trusted_block_does_not_name_is_bad(
    tmp_path: Path,
) -> None:
    genesis = _genesis(tmp_path)
    first = genesis_anchor(genesis).next_set
    other = dataclasses.replace(first, validators=first.validators[:1])
    block = _block(genesis, 5, 11 * DAY_MS, first)
    with pytest.raises(BadSnapshotError, match="not the one the trusted block 5 names"):
        trusted_anchor(genesis, Trust(5, block.hash()), block, [(3, other)], now_ms=12 * DAY_MS)


def test_the_set_history_is_read_from_the_snapshot_in_height_order(tmp_path: Path) -> None:
    genesis = _genesis(tmp_path)
    first = genesis_anchor(genesis).next_set
    items = [
        (validator_set_history_key(9), first.encode()),
        (b"\x01unrelated", b"x"),
        (validator_set_history_key(4), first.encode()),
    ]
    assert set_changes(items) == [(4, first), (9, first)]
    with pytest.raises(BadSnapshotError, match="unreadable"):
        set_changes([(validator_set_history_key(4), b"\xc1")])

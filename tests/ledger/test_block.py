"""Blocks, votes, commits and evidence: canonical round trips, golden bytes, body checks."""

from __future__ import annotations

import dataclasses

import pytest

from ledger import codec
from ledger.block import (
    Block,
    Commit,
    CommitSig,
    DuplicateVoteEvidence,
    Header,
    Vote,
    VoteType,
    tx_root,
)
from ledger.codec import MalformedError
from ledger.hashing import ZERO_HASH
from ledger.keys import Address, PrivateKey
from ledger.merkle_list import merkle_list_root
from ledger.tx import Transfer, TxBody

KEY = PrivateKey(bytes(32))
GENESIS_HASH = bytes(32)


def header(**overrides: object) -> Header:
    h = Header(
        chain_id="c",
        height=1,
        time_ms=5,
        prev_block_hash=ZERO_HASH,
        last_commit_hash=ZERO_HASH,
        tx_root=ZERO_HASH,
        evidence_root=ZERO_HASH,
        state_root=bytes([1]) * 32,
        validators_hash=bytes([2]) * 32,
        next_validators_hash=bytes([2]) * 32,
        proposer=Address(bytes([3]) * 20),
    )
    return dataclasses.replace(h, **overrides)  # type: ignore[arg-type]


def test_header_golden_bytes_and_hash() -> None:
    z, one, two = "c420" + "00" * 32, "c420" + "01" * 32, "c420" + "02" * 32
    # [chain_id "c", height 1, time 5, prev, last_commit, tx_root, evidence_root, state_root,
    #  validators_hash, next_validators_hash, proposer(20)]
    expected = "9b" + "a163" + "01" + "05" + z * 4 + one + two * 2 + "c414" + "03" * 20
    assert header().encode().hex() == expected
    assert header().hash().hex() == (
        "22a06f4ed62e2432776661d7729a937e2225e8210ceb9bb8f4a9fd69c4bdc1b5"
    )


def test_vote_sign_bytes_golden_and_round_trip() -> None:
    sign_bytes = Vote.sign_bytes_for(GENESIS_HASH, VoteType.PRECOMMIT, 7, 1, b"\xaa" * 32)
    assert sign_bytes.hex() == (
        "636f74657269652f766f74652f763100"
        + "00" * 32
        + "940207 01c420".replace(" ", "")
        + "aa" * 32
    )
    vote = Vote(VoteType.PRECOMMIT, 7, 1, b"\xaa" * 32, KEY.address, KEY.sign(sign_bytes))
    assert Vote.from_fields(vote.to_fields()) == vote


def test_block_round_trip_and_body_check() -> None:
    tx = TxBody("c", KEY.public_key, 0, 0, Transfer(Address(bytes(20)), 1)).sign(KEY, GENESIS_HASH)
    vote = Vote(VoteType.PREVOTE, 1, 0, b"\x01" * 32, KEY.address, bytes(64))
    evidence = DuplicateVoteEvidence(vote, dataclasses.replace(vote, block_hash=b"\x02" * 32))
    commit = Commit(1, 0, b"\x05" * 32, (CommitSig(KEY.address, bytes(64)),))
    h = header(
        height=2,
        tx_root=tx_root([tx]),
        evidence_root=merkle_list_root([evidence.hash()]),
        last_commit_hash=commit.hash(),
    )
    block = Block(h, (tx,), (evidence,), commit)
    decoded = Block.decode(block.encode())
    assert decoded == block and decoded.hash() == block.hash()
    assert decoded.body_error() is None
    assert (
        Block(h, (), (evidence,), commit).body_error() == "tx_root does not match the transactions"
    )
    assert Block(h, (tx,), (), commit).body_error() == "evidence_root does not match the evidence"
    assert Block(h, (tx,), (evidence,), None).body_error() is not None


def test_commit_round_trip_and_bounds() -> None:
    commit = Commit(3, 1, b"\x05" * 32, (CommitSig(KEY.address, bytes(64)),))
    assert Commit.decode(commit.encode()) == commit
    fields = commit.to_fields()
    fields[2] = b"\x05" * 31
    with pytest.raises(MalformedError, match="block_hash"):
        Commit.from_fields(fields)


def test_nil_vote_has_an_empty_hash_and_short_hashes_are_refused() -> None:
    nil = Vote(VoteType.PREVOTE, 1, 0, b"", KEY.address, bytes(64))
    assert Vote.from_fields(nil.to_fields()) == nil
    with pytest.raises(MalformedError, match="nil"):
        Vote.from_fields(dataclasses.replace(nil, block_hash=b"\x01" * 5).to_fields())


def test_evidence_structure() -> None:
    vote = Vote(VoteType.PREVOTE, 1, 0, b"\x01" * 32, KEY.address, bytes(64))
    assert DuplicateVoteEvidence(vote, vote).structural_error() == "votes are for the same block"
    other_round = dataclasses.replace(vote, round=1, block_hash=b"\x02" * 32)
    assert (
        DuplicateVoteEvidence(vote, other_round).structural_error()
        == "votes are for different steps"
    )


def test_evidence_must_be_in_canonical_order_and_names_one_offence() -> None:
    low = Vote(VoteType.PREVOTE, 4, 2, b"\x01" * 32, KEY.address, bytes(64))
    high = dataclasses.replace(low, block_hash=b"\x02" * 32)
    third = dataclasses.replace(low, block_hash=b"\x03" * 32)
    assert DuplicateVoteEvidence(low, high).structural_error() is None
    assert "canonical order" in (DuplicateVoteEvidence(high, low).structural_error() or "")
    assert (
        DuplicateVoteEvidence(low, high).offence_key()
        == DuplicateVoteEvidence(low, third).offence_key()
    )


def test_spliced_block_encoding_equals_the_plain_canonical_encoding() -> None:
    txs = tuple(
        TxBody("c", KEY.public_key, n, 0, Transfer(Address(bytes(20)), 1)).sign(KEY, GENESIS_HASH)
        for n in range(20)
    )
    commit = Commit(1, 0, b"\x05" * 32, (CommitSig(KEY.address, bytes(64)),))
    for block in (Block(header(), txs, (), None), Block(header(height=2), (), (), commit)):
        assert block.encode() == codec.encode(block.to_fields())
        assert Block.decode(block.encode()) == block

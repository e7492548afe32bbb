"""Decoding a block with txs the node already holds accepts and builds what the plain path does."""

from __future__ import annotations

import dataclasses

import msgpack
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import codec
from ledger.block import (
    Block,
    BlockOutline,
    Commit,
    CommitSig,
    DuplicateVoteEvidence,
    Header,
    Vote,
    VoteType,
)
from ledger.codec import MalformedError
from ledger.hashing import ZERO_HASH
from ledger.keys import Address, PrivateKey
from ledger.tx import SignedTx, Transfer, TxBody

KEY = PrivateKey.from_secret(b"known-txs")
GENESIS_HASH = bytes(32)


def make_block(count: int, with_evidence: bool) -> Block:
    txs = tuple(
        TxBody("c", KEY.public_key, n, n % 3, Transfer(Address(bytes([n]) * 20), n + 1)).sign(
            KEY, GENESIS_HASH
        )
        for n in range(count)
    )
    vote = Vote(VoteType.PREVOTE, 1, 0, b"\x01" * 32, KEY.address, bytes(64))
    evidence = (
        (DuplicateVoteEvidence(vote, dataclasses.replace(vote, block_hash=b"\x02" * 32)),)
        if with_evidence
        else ()
    )
    commit = Commit(1, 0, b"\x05" * 32, (CommitSig(KEY.address, bytes(64)),))
    header = Header(
        "c", 2, 5, ZERO_HASH, ZERO_HASH, ZERO_HASH, ZERO_HASH, ZERO_HASH, ZERO_HASH, ZERO_HASH,
        Address(bytes(20)),
    )  # fmt: skip
    return Block(header, txs, evidence, commit)


def plain(data: bytes) -> Block | None:
    try:
        return Block.decode(data)
    except MalformedError:
        return None


def with_known(data: bytes, pool: dict[bytes, SignedTx]) -> Block | None:
    try:
        return Block.decode(data, known=pool.get)
    except MalformedError:
        return None


def test_known_txs_are_reused_and_unknown_ones_decoded() -> None:
    block = make_block(4, with_evidence=True)
    data = block.encode()
    pool = {tx.hash: tx for tx in block.txs[:2]}
    decoded = Block.decode(data, known=pool.get)
    assert decoded == block
    assert decoded.txs[0] is block.txs[0] and decoded.txs[1] is block.txs[1]
    assert decoded.txs[2] is not block.txs[2]
    assert decoded.hash() == block.hash()


def test_a_pool_entry_with_other_bytes_under_the_hash_is_not_trusted() -> None:
    block = make_block(2, with_evidence=False)
    impostor = block.txs[1]
    pool = {block.txs[0].hash: impostor}  # a lookup that answers wrongly
    decoded = Block.decode(block.encode(), known=pool.get)
    assert decoded == block and decoded.txs[0] is not impostor


def test_non_canonical_array_headers_are_refused_as_by_the_plain_path() -> None:
    block = make_block(2, with_evidence=False)
    data = block.encode()
    # the txs array's header as array16 instead of fixarray
    prefix = codec.array_header(4) + block.header.encode()
    wide = prefix + b"\xdc\x00\x02" + data[len(prefix) + 1 :]
    assert plain(wide) is None and with_known(wide, {}) is None
    wide_outer = b"\xdc\x00\x04" + data[1:]
    assert plain(wide_outer) is None and with_known(wide_outer, {}) is None


@settings(max_examples=300, deadline=None)
@given(
    count=st.integers(0, 5),
    with_evidence=st.booleans(),
    known_mask=st.integers(0, 31),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=3),
    cut=st.integers(0, 3),
    trailing=st.binary(max_size=2),
)
def test_known_path_agrees_with_the_plain_path_on_mangled_blocks(
    *,
    count: int,
    with_evidence: bool,
    known_mask: int,
    edits: list[tuple[int, int]],
    cut: int,
    trailing: bytes,
) -> None:
    block = make_block(count, with_evidence)
    pool = {tx.hash: tx for i, tx in enumerate(block.txs) if known_mask >> i & 1}
    data = bytearray(block.encode())
    for position, value in edits:
        data[position % len(data)] = value
    mangled = bytes(data[: len(data) - cut]) + trailing
    expected = plain(mangled)
    assert with_known(mangled, pool) == expected
    if expected is not None:
        assert expected.encode() == mangled


@settings(max_examples=100, deadline=None)
@given(items=st.lists(st.one_of(st.integers(-5, 2**64 - 1), st.binary(max_size=40)), max_size=20))
def test_split_array_cuts_each_item(items: list[int | bytes]) -> None:
    data = codec.encode(items)
    parts = codec.split_array(data, 0, len(items))
    assert [codec.decode(p) for p in parts] == items
    assert b"".join([codec.array_header(len(items)), *parts]) == data


def test_split_array_refuses_counts_out_of_bounds_and_non_arrays() -> None:
    data = codec.encode([1, 2, 3])
    for low, high in ((4, 5), (0, 2)):
        try:
            codec.split_array(data, low, high)
        except MalformedError:
            continue
        raise AssertionError("accepted")
    for bad in (msgpack.packb(7), msgpack.packb({1: 2}), b"", b"\x93\x01"):
        try:
            codec.split_array(bad, 0, 10)
        except MalformedError:
            continue
        raise AssertionError(f"accepted {bad!r}")


def test_an_outline_holds_the_blocks_header_tx_hashes_evidence_and_commit() -> None:
    for count, with_evidence in ((0, False), (5, True), (3, False)):
        block = make_block(count, with_evidence)
        outline = BlockOutline.decode(block.encode())
        assert outline.header == block.header
        assert outline.tx_hashes == tuple(tx.hash for tx in block.txs)
        assert outline.evidence == block.evidence
        assert outline.last_commit == block.last_commit

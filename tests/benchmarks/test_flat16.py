"""The prototype 16-ary tree of benchmarks/flat16_bench.py: its figures mean something only if
its root is a function of the key/value set and its proofs check out."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.flat16_proof import Proof, prove, reference_root, verify
from benchmarks.flat16_tree import EMPTY, build, top, update
from ledger.merkle.flat import MemoryRecordStore
from ledger.merkle.flat import update as production_update

KEYS = st.integers(0, 60).map(lambda n: n.to_bytes(2, "big"))
VALUES = st.binary(min_size=0, max_size=3)
BLOCKS = st.lists(st.dictionaries(KEYS, st.none() | VALUES, max_size=25), max_size=6)


def _apply_blocks(
    blocks: list[dict[bytes, bytes | None]], pin: int
) -> tuple[bytes, dict[bytes, bytes], dict[bytes, bytes]]:
    """Apply the blocks one by one to a record store; returns the root, the model state and the
    records (every record ever written, as a content-addressed store keeps them)."""
    records: dict[bytes, bytes] = {}
    root = EMPTY
    state: dict[bytes, bytes] = {}
    for block in blocks:
        result = update(records, root, block, pin)
        records.update(result.writes)
        root = result.root
        for key, value in block.items():
            if value is None:
                state.pop(key, None)
            else:
                state[key] = value
    return root, state, records


@settings(max_examples=60, deadline=None)
@given(BLOCKS, st.integers(0, 3))
def test_the_root_after_any_blocks_is_the_root_of_a_fresh_tree(
    blocks: list[dict[bytes, bytes | None]], pin: int
) -> None:
    """Deletes included: a lone leaf left by a delete must rise to where a fresh tree holds it."""
    root, state, _ = _apply_blocks(blocks, pin)
    assert root == reference_root(state) == build(state).root


@settings(max_examples=30, deadline=None)
@given(BLOCKS, st.randoms(use_true_random=False))
def test_the_root_does_not_depend_on_how_changes_are_split_into_blocks(
    blocks: list[dict[bytes, bytes | None]], rng: random.Random
) -> None:
    changes = [item for block in blocks for item in block.items()]
    one_by_one = [dict([item]) for item in changes]
    rng.shuffle(blocks)  # another order of the blocks: another final state, checked against it
    for order in (one_by_one, blocks):
        root, state, _ = _apply_blocks(order, 1)
        assert root == reference_root(state)


def test_a_delete_that_leaves_one_leaf_moves_it_up() -> None:
    """Three keys under one node, two deleted: the third is the root, as in a fresh tree."""
    state: dict[bytes, bytes | None] = {n.to_bytes(2, "big"): b"v" for n in range(3)}
    root, _, records = _apply_blocks([state, {b"\x00\x00": None, b"\x00\x01": None}], 0)
    assert root == reference_root({b"\x00\x02": b"v"})
    assert records[root][0] == 0  # stored as a leaf record: the root is that key's leaf


@settings(max_examples=40, deadline=None)
@given(BLOCKS, KEYS)
def test_proofs_of_inclusion_and_non_inclusion_verify_and_reject_lies(
    blocks: list[dict[bytes, bytes | None]], key: bytes
) -> None:
    root, state, records = _apply_blocks(blocks, 2)
    proof = Proof.decode(prove(records, root, key).encode())
    value = state.get(key)
    assert verify(root, key, value, proof)
    assert not verify(root, key, b"lie" if value is None else None, proof)
    assert not verify(root, key, (value or b"") + b"x", proof)


def test_a_hundred_keys_prove_present_and_absent_keys() -> None:
    rng = random.Random(5)
    state = {rng.randbytes(21): rng.randbytes(40) for _ in range(100)}
    result = build(state)
    for key, value in list(state.items())[:10]:
        assert verify(result.root, key, value, prove(result.writes, result.root, key))
    absent = b"absent"
    assert verify(result.root, absent, None, prove(result.writes, result.root, absent))


@settings(max_examples=40, deadline=None)
@given(BLOCKS, st.integers(1, 3))
def test_the_pinned_records_a_store_keeps_current_are_the_top_of_the_tree(
    blocks: list[dict[bytes, bytes | None]], pin: int
) -> None:
    """What the bench pins from each update's `pin_new` and `pin_old` is exactly what a store
    reopened on the new root would pin: nothing stale kept, nothing new missed."""
    records: dict[bytes, bytes] = {}
    pinned: dict[bytes, bytes] = {}
    root = EMPTY
    for block in blocks:
        result = update(records, root, block, pin)
        records.update(result.writes)
        for hash_ in result.pin_old:
            pinned.pop(hash_, None)
        pinned.update(result.pin_new)
        root = result.root
        assert pinned == top(records, root, pin)


@settings(max_examples=30, deadline=None)
@given(BLOCKS)
def test_the_production_flat_tree_writes_the_prototypes_records(
    blocks: list[dict[bytes, bytes | None]],
) -> None:
    """ledger/merkle/flat is the prototype's design: same roots, same records, so the figures
    measured with the prototype hold for it. (The prototype writes a lone leaf root's record
    again when a block leaves it unchanged; the production tree does not.)"""
    records: dict[bytes, bytes] = {}
    store = MemoryRecordStore()
    root = production = EMPTY
    for block in blocks:
        result = update(records, root, block)
        records.update(result.writes)
        root = result.root
        production, writes = production_update(store, production, block)
        store.put_all(writes)
        assert production == root
        assert writes.items() <= result.writes.items()
        assert result.writes.keys() - writes.keys() <= {root}

"""Proofs of either format version: each decodes as its own version, is checked by its own
rules, and a proof of one tree proves nothing false about a root of the other."""

from __future__ import annotations

import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.merkle import MemoryNodeStore, Proof, flat
from ledger.merkle import prove as prove_binary
from ledger.merkle import update as update_binary
from ledger.merkle.flat import FlatProof, MemoryRecordStore
from ledger.merkle.node import EMPTY
from ledger.merkle.versions import (
    UnknownProofVersionError,
    decode_proof,
    proof_version,
    verify_state_proof,
)

STATE = {b"acct/%d" % i: b"balance %d" % (i * 7) for i in range(200)}
KEYS = [b"acct/3", b"acct/150", b"absent/1", b"absent/2"]


def binary_tree(state: dict[bytes, bytes]) -> tuple[MemoryNodeStore, bytes]:
    store = MemoryNodeStore()
    root, writes = update_binary(store, EMPTY, state)
    store.put_all(writes)
    return store, root


def flat_tree(state: dict[bytes, bytes]) -> tuple[MemoryRecordStore, bytes]:
    store = MemoryRecordStore()
    root, writes = flat.update(store, EMPTY, state)
    store.put_all(writes)
    return store, root


BINARY, BINARY_ROOT = binary_tree(STATE)
FLAT, FLAT_ROOT = flat_tree(STATE)


@pytest.mark.parametrize("key", KEYS)
def test_each_version_decodes_as_itself_and_verifies_by_its_own_rules(key: bytes) -> None:
    v1 = prove_binary(BINARY, BINARY_ROOT, key)
    v2 = flat.prove(FLAT, FLAT_ROOT, key)
    assert decode_proof(v1.encode()) == v1 and isinstance(decode_proof(v1.encode()), Proof)
    assert decode_proof(v2.encode()) == v2 and isinstance(decode_proof(v2.encode()), FlatProof)
    assert (proof_version(v1), proof_version(v2)) == (1, 2)
    value = STATE.get(key)
    assert verify_state_proof(BINARY_ROOT, key, value, v1)
    assert verify_state_proof(FLAT_ROOT, key, value, v2)
    wrong = b"forged" if value is None else None
    assert not verify_state_proof(BINARY_ROOT, key, wrong, v1)
    assert not verify_state_proof(FLAT_ROOT, key, wrong, v2)


@pytest.mark.parametrize("key", KEYS)
def test_a_proof_of_one_tree_is_refused_against_the_root_of_the_other(key: bytes) -> None:
    """The same state has different roots in the two trees: a binary proof of a true
    statement still does not verify against the flat root, nor the reverse."""
    value = STATE.get(key)
    assert not verify_state_proof(FLAT_ROOT, key, value, prove_binary(BINARY, BINARY_ROOT, key))
    assert not verify_state_proof(BINARY_ROOT, key, value, flat.prove(FLAT, FLAT_ROOT, key))


def test_the_trees_share_only_the_roots_where_both_proofs_say_the_same() -> None:
    """An empty and a one-key tree have the same root in both (the leaf is hashed alike), so
    either version's proof verifies there, and says what the other would."""
    for state in ({}, {b"only": b"one"}):
        binary, root = binary_tree(state)
        records, flat_root = flat_tree(state)
        assert root == flat_root
        for key in (b"only", b"other"):
            value = state.get(key)
            assert verify_state_proof(root, key, value, prove_binary(binary, root, key))
            assert verify_state_proof(root, key, value, flat.prove(records, root, key))


@pytest.mark.parametrize("version", [0, 1, 3, 255, 2**32])
def test_an_unknown_version_number_is_refused_as_such(version: int) -> None:
    fields = flat.prove(FLAT, FLAT_ROOT, b"acct/3").to_fields()
    with pytest.raises(UnknownProofVersionError, match=f"version {version} is unknown") as err:
        decode_proof(codec.encode([version, *fields[1:]]))
    assert err.value.version == version


@pytest.mark.parametrize(
    "raw",
    [b"", codec.encode([]), codec.encode([True, [], None]), codec.encode([b"\x02", [], None])],
)
def test_what_is_neither_version_does_not_decode(raw: bytes) -> None:
    with pytest.raises(MalformedError) as err:
        decode_proof(raw)
    assert not isinstance(err.value, UnknownProofVersionError)


def test_a_version_2_array_of_version_1_shape_does_not_decode() -> None:
    """The version number decides: a 2 heading a version 1 proof's fields is refused."""
    v1 = prove_binary(BINARY, BINARY_ROOT, b"acct/3").to_fields()
    with pytest.raises(MalformedError):
        decode_proof(codec.encode([2, *v1]))
    with pytest.raises(MalformedError):
        decode_proof(codec.encode([2, v1[0], v1[1]]))

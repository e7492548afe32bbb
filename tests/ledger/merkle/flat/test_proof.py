"""Proofs of format version 2: every honest proof verifies, every tampered byte is refused."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import codec
from ledger.codec import MalformedError
from ledger.merkle.flat import (
    MAX_PROOF_BYTES,
    FlatProof,
    MemoryRecordStore,
    ProofLeaf,
    ProofLevel,
    UnknownProofVersionError,
    prove,
    update,
    verify_proof,
)
from ledger.merkle.node import EMPTY, MerkleError


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def tree(state: dict[bytes, bytes]) -> tuple[MemoryRecordStore, bytes]:
    store = MemoryRecordStore()
    root, writes = update(store, EMPTY, state)
    store.put_all(writes)
    return store, root


STATE = {b"acct/%d" % i: b"balance %d" % (i * 7) for i in range(300)}
STORE, ROOT = tree(STATE)


def absent_key_ending_in(kind: str) -> tuple[bytes, FlatProof]:
    """An absent key whose path ends in another key's leaf ("leaf") or an empty slot."""
    for i in range(10_000):
        key = b"absent/%d" % i
        proof = prove(STORE, ROOT, key)
        if (proof.leaf is not None) == (kind == "leaf"):
            return key, proof
    raise AssertionError("no such key found")


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.binary(max_size=6), st.binary(max_size=6), max_size=40), st.binary())
def test_honest_proofs_verify_for_present_and_absent_keys(
    state: dict[bytes, bytes], probe: bytes
) -> None:
    store, root = tree(state)
    for key, value in state.items():
        proof = FlatProof.decode(prove(store, root, key).encode())
        assert verify_proof(root, key, value, proof)
        assert not verify_proof(root, key, None, proof)
        assert not verify_proof(root, key, value + b"x", proof)
    proof = FlatProof.decode(prove(store, root, probe).encode())
    assert verify_proof(root, probe, state.get(probe), proof)
    assert not verify_proof(root, probe, b"lie" if probe not in state else None, proof)


def test_a_proof_carries_the_leaf_it_ends_in_so_a_past_root_tells_the_value_hash() -> None:
    proof = prove(STORE, ROOT, b"acct/5")
    assert proof.leaf is not None
    assert (proof.leaf.key_hash, proof.leaf.value_hash) == (sha(b"acct/5"), sha(b"balance 35"))
    assert not verify_proof(ROOT, b"acct/6", b"balance 35", proof)
    assert not verify_proof(sha(b"another root"), b"acct/5", b"balance 35", proof)


def test_the_empty_tree_and_a_lone_leaf_root_prove_with_no_levels() -> None:
    empty = prove(MemoryRecordStore(), EMPTY, b"a")
    assert empty == FlatProof((), None)
    assert verify_proof(EMPTY, b"a", None, empty)
    assert not verify_proof(EMPTY, b"a", b"1", empty)
    store, root = tree({b"a": b"1"})
    for key, value in ((b"a", b"1"), (b"b", None)):
        proof = prove(store, root, key)
        assert proof.levels == () and verify_proof(root, key, value, proof)
    assert not verify_proof(root, b"a", None, prove(store, root, b"a"))


@pytest.mark.parametrize("kind", ["present", "leaf", "empty"])
def test_every_tampered_byte_of_a_proof_is_refused(kind: str) -> None:
    """Changing any byte makes the proof fail to decode or fail to verify: masks, siblings,
    the leaf, the version and the framing are all bound to the root."""
    if kind == "present":
        key: bytes = b"acct/17"
        value: bytes | None = STATE[key]
        proof = prove(STORE, ROOT, key)
    else:
        key, proof = absent_key_ending_in(kind)
        value = None
    data = proof.encode()
    assert verify_proof(ROOT, key, value, FlatProof.decode(data))
    for at in range(len(data)):
        for flip in (0x01, 0x10, 0x80, 0xFF):
            bad = data[:at] + bytes([data[at] ^ flip]) + data[at + 1 :]
            try:
                tampered = FlatProof.decode(bad)
            except MalformedError:
                continue
            assert not verify_proof(ROOT, key, value, tampered), (at, flip)


def test_a_level_whose_leaf_mask_claims_the_path_ends_early_is_refused() -> None:
    """A leaf cannot pose as a subtree, nor a subtree as a leaf: the masks are hashed."""
    proof = prove(STORE, ROOT, b"acct/3")
    top = proof.levels[0]
    for bit in range(16):
        forged = ProofLevel(top.masks ^ (1 << bit), top.siblings)
        assert not verify_proof(
            ROOT, b"acct/3", STATE[b"acct/3"], FlatProof((forged, *proof.levels[1:]), proof.leaf)
        )
    cut = FlatProof(proof.levels[:-1], proof.leaf)
    assert not verify_proof(ROOT, b"acct/3", STATE[b"acct/3"], cut)


def test_a_version_1_proof_does_not_decode() -> None:
    """Version 1 (the binary tree's, before schema 4) was `[[sibling, ...], leaf]`: no number,
    so it is not taken for an unknown version either."""
    leaf = [bytes([2]) * 32, bytes([3]) * 32]
    for v1 in ([[bytes(32), bytes([1]) * 32], leaf], [[], None]):
        with pytest.raises(MalformedError) as err:
            FlatProof.decode(codec.encode(v1))
        assert not isinstance(err.value, UnknownProofVersionError)
    siblings = [bytes(32)]
    with pytest.raises(MalformedError):  # a 2 heading a version 1 proof's fields
        FlatProof.decode(codec.encode([2, siblings, leaf, None]))
    with pytest.raises(MalformedError):
        FlatProof.decode(codec.encode([2, siblings, leaf]))


@pytest.mark.parametrize("version", [0, 1, 3, 255, 2**32])
def test_an_unknown_version_number_is_refused_as_such(version: int) -> None:
    fields = prove(STORE, ROOT, b"acct/3").to_fields()
    with pytest.raises(UnknownProofVersionError, match=f"version {version} is unknown") as err:
        FlatProof.decode(codec.encode([version, *fields[1:]]))
    assert err.value.version == version


@pytest.mark.parametrize(
    "raw",
    [b"", codec.encode([]), codec.encode([True, [], None]), codec.encode([b"\x02", [], None])],
)
def test_what_is_no_version_does_not_decode(raw: bytes) -> None:
    with pytest.raises(MalformedError) as err:
        FlatProof.decode(raw)
    assert not isinstance(err.value, UnknownProofVersionError)


def test_oversized_proofs_are_refused_before_they_are_verified() -> None:
    sibling = sha(b"s")
    full = (1 << 16 | 0).to_bytes(4, "big") + sibling * 15
    with pytest.raises(MalformedError, match="exceeds"):
        FlatProof.decode(codec.encode([2, [full] * (MAX_PROOF_BYTES // len(full) + 1), None]))
    with pytest.raises(MalformedError, match="exceeds 64"):
        FlatProof.decode(codec.encode([2, [bytes(4)] * 65, None]))
    with pytest.raises(MalformedError, match="level"):
        FlatProof.decode(codec.encode([2, [bytes(4) + sibling * 16], None]))
    with pytest.raises(MalformedError, match="level"):
        FlatProof.decode(codec.encode([2, [bytes(4) + b"short"], None]))
    deep = FlatProof(tuple(ProofLevel(1 << 16, ()) for _ in range(65)), None)
    assert not verify_proof(ROOT, b"a", None, deep)


def test_a_proof_of_a_tree_the_store_lacks_is_a_merkle_error() -> None:
    with pytest.raises(MerkleError, match="missing"):
        prove(MemoryRecordStore(), ROOT, b"acct/1")


def test_a_root_over_a_malformed_tree_proves_nothing_the_definition_forbids() -> None:
    """Checks that a well-formed tree makes redundant still hold: a leaf whose mask bit says
    inner does not prove its key, and another key's leaf where that key could not sit does not
    prove absence. Two hand-made roots (no honest update makes either)."""
    key, value = b"acct/1", b"v"
    nib = sha(key)[0] >> 4
    leaf = sha(b"\x00" + sha(key) + sha(value))
    masks = 1 << (16 + nib)  # the child is present, but its leaf bit is not set
    root = sha(b"\x01" + masks.to_bytes(4, "big") + leaf)
    lying = FlatProof((ProofLevel(masks, ()),), ProofLeaf(sha(key), sha(value)))
    assert not verify_proof(root, key, value, lying)
    other = next(b"other/%d" % n for n in range(1000) if sha(b"other/%d" % n)[0] >> 4 != nib)
    other_leaf = sha(b"\x00" + sha(other) + sha(value))
    masks = 1 << (16 + nib) | 1 << nib  # `other`'s leaf in `key`'s slot, off its own path
    root = sha(b"\x01" + masks.to_bytes(4, "big") + other_leaf)
    misplaced = FlatProof((ProofLevel(masks, ()),), ProofLeaf(sha(other), sha(value)))
    assert not verify_proof(root, key, None, misplaced)


def test_hand_made_proofs_with_malformed_parts_are_refused_without_an_error() -> None:
    """`verify_proof` takes a `FlatProof` built in-process too (no decoder in front)."""
    key, value = b"acct/9", STATE[b"acct/9"]
    proof = prove(STORE, ROOT, key)
    assert proof.leaf is not None
    for leaf in (
        ProofLeaf(proof.leaf.key_hash[:31], proof.leaf.value_hash),
        ProofLeaf(proof.leaf.key_hash, proof.leaf.value_hash + b"\x00"),
    ):
        assert not verify_proof(ROOT, key, None, FlatProof(proof.levels, leaf))
        assert not verify_proof(ROOT, key, value, FlatProof(proof.levels, leaf))
    top = proof.levels[0]
    for masks in (top.masks | 1 << 32, top.masks & 0xFFFF, top.masks | 0xFFFF):
        forged = FlatProof((ProofLevel(masks, top.siblings), *proof.levels[1:]), proof.leaf)
        assert not verify_proof(ROOT, key, value, forged)
    short = FlatProof((ProofLevel(top.masks, (top.siblings[0][:31], *top.siblings[1:])),), None)
    assert not verify_proof(ROOT, key, None, short)


def test_a_leaf_of_other_than_32_byte_hashes_does_not_decode() -> None:
    fields = prove(STORE, ROOT, b"acct/9").to_fields()
    key_hash, value_hash = fields[2]
    for leaf in ([key_hash[:31], value_hash], [key_hash, value_hash[:31]]):
        with pytest.raises(MalformedError, match="32 bytes"):
            FlatProof.decode(codec.encode([2, fields[1], leaf]))

"""Proofs: every honest proof verifies, every tampered or mismatched one does not."""

from __future__ import annotations

import dataclasses
import hashlib

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import codec
from ledger.codec import MalformedError
from ledger.merkle import EMPTY, MemoryNodeStore, Proof, ProofLeaf, prove, update, verify_proof


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def tree(state: dict[bytes, bytes]) -> tuple[MemoryNodeStore, bytes]:
    store = MemoryNodeStore()
    root, writes = update(store, EMPTY, state)
    store.put_all(writes)
    return store, root


STATE = {b"acct/%d" % i: b"balance %d" % (i * 7) for i in range(300)}
STORE, ROOT = tree(STATE)


def absent_key_ending_in(kind: str) -> tuple[bytes, Proof]:
    """An absent key whose proof path ends in another key's leaf ("leaf") or in "empty"."""
    for i in range(100_000):
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
        proof = prove(store, root, key)
        assert verify_proof(root, key, value, proof)
        assert not verify_proof(root, key, None, proof)
        assert not verify_proof(root, key, value + b"x", proof)
        assert Proof.decode(proof.encode()) == proof
    proof = prove(store, root, probe)
    assert verify_proof(root, probe, state.get(probe), proof)


def test_inclusion_proof_rejects_wrong_value_root_and_key() -> None:
    proof = prove(STORE, ROOT, b"acct/5")
    assert verify_proof(ROOT, b"acct/5", b"balance 35", proof)
    assert not verify_proof(ROOT, b"acct/5", b"balance 36", proof)
    assert not verify_proof(sha(b"other root"), b"acct/5", b"balance 35", proof)
    assert not verify_proof(ROOT, b"acct/6", b"balance 35", proof)
    assert not verify_proof(ROOT, b"acct/5", None, proof)  # its own leaf does not show absence


def test_tampered_siblings_are_rejected() -> None:
    proof = prove(STORE, ROOT, b"acct/9")
    assert len(proof.siblings) > 3
    for level in range(len(proof.siblings)):
        siblings = list(proof.siblings)
        siblings[level] = bytes(b ^ 1 for b in siblings[level])
        bad = dataclasses.replace(proof, siblings=tuple(siblings))
        assert not verify_proof(ROOT, b"acct/9", b"balance 63", bad)
    shorter = dataclasses.replace(proof, siblings=proof.siblings[1:])
    longer = dataclasses.replace(proof, siblings=(*proof.siblings, EMPTY))
    assert not verify_proof(ROOT, b"acct/9", b"balance 63", shorter)
    assert not verify_proof(ROOT, b"acct/9", b"balance 63", longer)


def test_absent_key_with_empty_end() -> None:
    key, proof = absent_key_ending_in("empty")
    assert proof.leaf is None
    assert verify_proof(ROOT, key, None, proof)
    assert not verify_proof(ROOT, key, b"anything", proof)
    assert not verify_proof(sha(b"x"), key, None, proof)


def test_absent_key_with_another_keys_leaf_at_the_end() -> None:
    key, proof = absent_key_ending_in("leaf")
    assert proof.leaf is not None and proof.leaf.key_hash != sha(key)
    assert verify_proof(ROOT, key, None, proof)
    assert not verify_proof(ROOT, key, b"anything", proof)
    # the leaf is really another key's: that key is proven present by the same path
    owner = next(k for k in STATE if sha(k) == proof.leaf.key_hash)
    assert prove(STORE, ROOT, owner) == proof
    # a leaf off the key's path cannot stand for its absence
    far = next(k for k in STATE if sha(k)[0] >> 7 != sha(key)[0] >> 7)
    far_proof = prove(STORE, ROOT, far)
    assert not verify_proof(ROOT, key, None, dataclasses.replace(proof, leaf=far_proof.leaf))
    # swapping the leaf's value hash breaks the root
    forged = dataclasses.replace(proof, leaf=ProofLeaf(proof.leaf.key_hash, sha(b"forged")))
    assert not verify_proof(ROOT, key, None, forged)


def test_present_key_cannot_be_proven_absent_with_an_empty_end() -> None:
    proof = prove(STORE, ROOT, b"acct/1")
    assert not verify_proof(ROOT, b"acct/1", None, dataclasses.replace(proof, leaf=None))


def test_empty_tree_proves_absence_of_everything() -> None:
    proof = prove(MemoryNodeStore(), EMPTY, b"anything")
    assert proof == Proof((), None)
    assert verify_proof(EMPTY, b"anything", None, proof)
    assert not verify_proof(EMPTY, b"anything", b"v", proof)


def test_old_root_proofs_still_work_after_updates() -> None:
    store, root1 = tree({b"a": b"1", b"b": b"2"})
    root2, writes = update(store, root1, {b"a": None})
    store.put_all(writes)
    assert verify_proof(root1, b"a", b"1", prove(store, root1, b"a"))
    assert verify_proof(root2, b"a", None, prove(store, root2, b"a"))


def test_golden_proof_bytes() -> None:
    proof = Proof((bytes(32), bytes([1]) * 32), ProofLeaf(bytes([2]) * 32, bytes([3]) * 32))
    encoded = proof.encode()
    assert encoded.hex() == (
        "9292c420" + "00" * 32 + "c420" + "01" * 32 + "92c420" + "02" * 32 + "c420" + "03" * 32
    )
    assert Proof.decode(encoded) == proof
    assert Proof((), None).encode().hex() == "9290c0"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ([[bytes(31)], None], "32 bytes"),
        ([[b"x" * 33], None], "32 bytes"),
        ([["text"], None], "32 bytes"),
        ([[bytes(32)] * 257, None], "exceeds 256"),
        ([[], [bytes(32)]], "expected 2 fields"),
        ([[], [bytes(32), bytes(31)]], "expected 32 bytes"),
        ([[], None, None], "expected 2 fields"),
        ([bytes(32), None], "expected an array"),
        ([[], 5], "expected an array"),
    ],
)
def test_malformed_proof_fields_are_rejected(raw: codec.Value, reason: str) -> None:
    with pytest.raises(MalformedError, match=reason):
        Proof.decode(codec.encode(raw))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x92",  # truncated
        Proof((bytes(32),), None).encode()[:-1],
        Proof((), None).encode() + b"\x00",  # trailing byte
        msgpack.packb([[], None], use_bin_type=False)[:1] + b"\xdc\x00\x00\xc0",  # wide array
        b"\x92\x90\xca\x00\x00\x00\x00",  # a float
        b"\xdd" + (2**31).to_bytes(4, "big"),  # huge claimed length
        bytes(20_000),  # over the size bound
    ],
)
def test_malformed_proof_bytes_are_rejected(data: bytes) -> None:
    with pytest.raises(MalformedError):
        Proof.decode(data)

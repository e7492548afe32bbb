"""Version 1 proofs (of the binary tree, decoded and verified only): an honest proof verifies,
a tampered or mismatched one does not, and malformed bytes never decode."""

from __future__ import annotations

import msgpack
import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.merkle import Proof, ProofLeaf, verify_proof
from ledger.merkle.node import bit_at, inner_hash, key_hash, leaf_hash, value_hash


def test_a_two_key_tree_proves_both_keys_and_an_absent_one() -> None:
    """Two keys whose paths part at the first bit: each leaf is the other's sibling."""
    keys = [b"k%d" % i for i in range(40)]
    a = keys[0]
    b = next(k for k in keys if bit_at(key_hash(k), 0) != bit_at(key_hash(a), 0))
    absent = next(k for k in keys if k != a and bit_at(key_hash(k), 0) == bit_at(key_hash(a), 0))
    leaves = {k: ProofLeaf(key_hash(k), value_hash(b"v" + k)) for k in (a, b)}
    hashes = {k: leaf_hash(leaf.key_hash, leaf.value_hash) for k, leaf in leaves.items()}
    left, right = (a, b) if bit_at(key_hash(a), 0) == 0 else (b, a)
    root = inner_hash(hashes[left], hashes[right])
    for key, other in ((a, b), (b, a)):
        proof = Proof((hashes[other],), leaves[key])
        assert verify_proof(root, key, b"v" + key, proof)
        assert not verify_proof(root, key, b"v" + other, proof)
        assert not verify_proof(root, key, None, proof)
        assert not verify_proof(root, other, b"v" + key, proof)
        assert Proof.decode(proof.encode()) == proof
    proof = Proof((hashes[b],), leaves[a])  # `absent` would sit where a's leaf is
    assert verify_proof(root, absent, None, proof)
    assert not verify_proof(root, absent, b"v", proof)
    assert not verify_proof(root, a, b"va", Proof((hashes[b][::-1],), leaves[a]))
    assert not verify_proof(root, a, b"va", Proof((hashes[b], hashes[b]), leaves[a]))


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

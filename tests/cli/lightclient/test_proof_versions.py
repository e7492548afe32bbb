"""The light client takes a proof of either format version, decoded by the version it starts
with and checked by that version's rules: a node on the flat tree sends version 2, one on the
binary tree version 1. Every tampered byte of a version 2 proof is refused, so is a (true)
version 1 proof of the same state against a flat root, and a version it does not know."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cli.lightclient import LightClient, TrustStore, VerificationError
from cli.lightclient.proofs import proven_values
from cli.nodeclient import NodeClient
from ledger import codec
from ledger.merkle import MemoryNodeStore, Proof, flat
from ledger.merkle import prove as prove_binary
from ledger.merkle import update as update_binary
from ledger.merkle.flat import FlatProof
from ledger.merkle.node import EMPTY
from ledger.merkle.versions import decode_proof, verify_state_proof
from ledger.state import keys
from tests.cli.lightclient.devchain import (
    ALICE,
    BOTH_TREES,
    OUTSIDER,
    DevChain,
    Tamper,
    make_genesis,
)

Proxy = Callable[[Tamper], str]
FLAT = pytest.mark.parametrize("devchain", [{"flat_tree": True}], ids=["flat"], indirect=True)
WANTED = [keys.account(ALICE.address.raw), keys.account(OUTSIDER.address.raw)]


def light(url: str, home: Path) -> LightClient:
    genesis = make_genesis()
    return LightClient(NodeClient(url), genesis, TrustStore(home, genesis))


@BOTH_TREES
def test_the_proofs_are_of_the_nodes_tree_and_verify(devchain: DevChain, tmp_path: Path) -> None:
    client = light(devchain.url, tmp_path)
    bundle = client.node.post("/v1/proofs", {"keys": [k.hex() for k in WANTED]})
    version = 2 if devchain.store.tree.schema_version == 4 else 1
    for entry in bundle["entries"]:
        assert entry["proof"]["version"] == version
        proof = decode_proof(bytes.fromhex(entry["proof_msgpack"]))
        assert isinstance(proof, FlatProof if version == 2 else Proof)
    verified = client.verify_bundle(bundle, WANTED)
    assert verified.get(WANTED[0]) == devchain.store.state.get(WANTED[0]) is not None
    assert verified.get(WANTED[1]) is None  # proven absent


@FLAT
@pytest.mark.parametrize("index", [0, 1], ids=["present", "absent"])
def test_every_tampered_byte_of_a_version_2_proof_is_refused(
    devchain: DevChain, tmp_path: Path, index: int
) -> None:
    """Each byte flipped (version, framing, masks, siblings, leaf) fails to decode or to
    verify against the signed root: the wallet never takes it. The header is verified once;
    each tampered answer then goes through the wallet's proof check (`proven_values`)."""
    client = light(devchain.url, tmp_path)
    wanted = [WANTED[index]]
    bundle = client.node.post("/v1/proofs", {"keys": [WANTED[index].hex()]})
    header = client.verify_bundle(bundle, wanted).header  # the honest answer verifies
    entry = bundle["entries"][0]
    data = bytes.fromhex(entry["proof_msgpack"])
    assert data[:2] == bytes([0x93, 2])  # [2, levels, leaf]
    for at in range(len(data)):
        for flip in (0x01, 0x10, 0x80, 0xFF):
            entry["proof_msgpack"] = (data[:at] + bytes([data[at] ^ flip]) + data[at + 1 :]).hex()
            with pytest.raises(VerificationError, match="proof"):
                proven_values(bundle["entries"], header, wanted)


def _binary_proof_of_the_same_state(devchain: DevChain) -> Tamper:
    """Replace each proof with the binary tree's (version 1) of the node's very state: a true
    proof, of the other tree."""

    def tamper(path: str, data: Any) -> Any:
        if path == "/v1/proofs":
            state = dict(devchain.store.state.iter_prefix(b""))
            nodes = MemoryNodeStore()
            root, writes = update_binary(nodes, EMPTY, state)
            nodes.put_all(writes)
            assert root != devchain.store.state_root == flat.root_of(state)
            for entry in data["entries"]:
                key = bytes.fromhex(entry["key"])
                proof = prove_binary(nodes, root, key)
                assert verify_state_proof(root, key, state.get(key), proof)
                entry["proof_msgpack"] = proof.encode().hex()
        return data

    return tamper


@FLAT
def test_a_version_1_proof_is_refused_against_a_flat_root(
    devchain: DevChain, proxy: Proxy, tmp_path: Path
) -> None:
    client = light(proxy(_binary_proof_of_the_same_state(devchain)), tmp_path)
    with pytest.raises(VerificationError, match=r"Merkle proof .* does not verify"):
        client.prove(WANTED)


def _version(number: int) -> Tamper:
    def tamper(path: str, data: Any) -> Any:
        if path == "/v1/proofs":
            for entry in data["entries"]:
                fields = flat.prove(flat.MemoryRecordStore(), EMPTY, b"k").to_fields()
                entry["proof_msgpack"] = codec.encode([number, *fields[1:]]).hex()
        return data

    return tamper


@pytest.mark.parametrize("number", [3, 0, 255])
def test_a_proof_of_an_unknown_version_is_refused_as_such(
    proxy: Proxy, tmp_path: Path, number: int
) -> None:
    client = light(proxy(_version(number)), tmp_path)
    with pytest.raises(VerificationError, match=f"format version {number}; this wallet verifies"):
        client.prove(WANTED)

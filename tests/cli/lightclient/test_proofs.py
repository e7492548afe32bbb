"""The light client takes proofs of format version 2 (the flat 16-ary tree's) and checks them
against the signed root: every tampered byte is refused, so is a proof shaped as version 1 (the
binary tree's, which a node before schema 4 sent), and a version it does not know is refused as
such."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cli.lightclient import LightClient, TrustStore, VerificationError
from cli.lightclient.proofs import proven_values
from cli.nodeclient import NodeClient
from ledger import codec
from ledger.merkle import EMPTY, flat
from ledger.merkle.flat import FlatProof
from ledger.state import keys
from tests.cli.lightclient.devchain import ALICE, OUTSIDER, DevChain, Tamper, make_genesis

Proxy = Callable[[Tamper], str]
WANTED = [keys.account(ALICE.address.raw), keys.account(OUTSIDER.address.raw)]


def light(url: str, home: Path) -> LightClient:
    genesis = make_genesis()
    return LightClient(NodeClient(url), genesis, TrustStore(home, genesis))


def test_the_proofs_are_of_version_2_and_verify(devchain: DevChain, tmp_path: Path) -> None:
    client = light(devchain.url, tmp_path)
    bundle = client.node.post("/v1/proofs", {"keys": [k.hex() for k in WANTED]})
    for entry in bundle["entries"]:
        assert entry["proof"]["version"] == 2
        FlatProof.decode(bytes.fromhex(entry["proof_msgpack"]))
    verified = client.verify_bundle(bundle, WANTED)
    assert verified.get(WANTED[0]) == devchain.store.state.get(WANTED[0]) is not None
    assert verified.get(WANTED[1]) is None  # proven absent


@pytest.mark.parametrize("index", [0, 1], ids=["present", "absent"])
def test_every_tampered_byte_of_a_proof_is_refused(
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


def _version_1_shaped(path: str, data: Any) -> Any:
    """Each proof as version 1 encoded it: `[[sibling, ...], [key_hash, value_hash]]`, the
    siblings and the leaf taken from the true version 2 proof."""
    if path == "/v1/proofs":
        for entry in data["entries"]:
            proof = FlatProof.decode(bytes.fromhex(entry["proof_msgpack"]))
            siblings = [s for level in proof.levels for s in level.siblings]
            leaf = None if proof.leaf is None else [proof.leaf.key_hash, proof.leaf.value_hash]
            entry["proof_msgpack"] = codec.encode([siblings, leaf]).hex()
    return data


def test_a_proof_shaped_as_version_1_does_not_decode(proxy: Proxy, tmp_path: Path) -> None:
    client = light(proxy(_version_1_shaped), tmp_path)
    with pytest.raises(VerificationError, match="does not decode"):
        client.prove(WANTED)


def _version(number: int) -> Tamper:
    def tamper(path: str, data: Any) -> Any:
        if path == "/v1/proofs":
            for entry in data["entries"]:
                fields = flat.prove(flat.MemoryRecordStore(), EMPTY, b"k").to_fields()
                entry["proof_msgpack"] = codec.encode([number, *fields[1:]]).hex()
        return data

    return tamper


@pytest.mark.parametrize("number", [3, 0, 1, 255])
def test_a_proof_of_an_unknown_version_is_refused_as_such(
    proxy: Proxy, tmp_path: Path, number: int
) -> None:
    client = light(proxy(_version(number)), tmp_path)
    with pytest.raises(VerificationError, match=f"format version {number}; this wallet verifies"):
        client.prove(WANTED)

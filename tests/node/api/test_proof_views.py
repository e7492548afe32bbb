"""Every view that carries a proof: the proof is of format version 2, its JSON view says the same
as its canonical bytes, and it verifies against the state root of a header signed by the
validators (absent keys proven absent)."""

from __future__ import annotations

from typing import Any

import pytest

from consensus.commit import verify_commit
from consensus.validators import ValidatorSet
from ledger import codec
from ledger.block import Commit, Header
from ledger.collectives import keys as col_keys
from ledger.content import keys as content_keys
from ledger.governance import keys as gov_keys
from ledger.keys import PrivateKey
from ledger.merkle.flat import FlatProof, ProofLeaf, ProofLevel, verify_proof
from ledger.splits import keys as split_keys
from ledger.state import keys
from tests.node.api.builder import (
    ALICE,
    CONTENT_HASH,
    GUILD,
    HRP,
    Client,
    LiveChain,
)

STRANGER = PrivateKey.from_secret(b"proof-views-stranger").address


def from_view(view: dict[str, Any]) -> FlatProof:
    """The proof the JSON view describes, read independently of the API's code."""
    leaf = view["leaf"]
    end = (
        None
        if leaf is None
        else ProofLeaf(bytes.fromhex(leaf["key_hash"]), bytes.fromhex(leaf["value_hash"]))
    )
    assert view["version"] == 2 and set(view) == {"version", "levels", "leaf"}
    levels = tuple(
        ProofLevel(int(level["masks"], 16), tuple(bytes.fromhex(s) for s in level["siblings"]))
        for level in view["levels"]
    )
    assert all(len(level["masks"]) == 8 for level in view["levels"])
    return FlatProof(levels, end)


def checked_header(chain: LiveChain, bundle: dict[str, Any]) -> Header:
    """The bundle's header, its commit checked against the genesis set (as a wallet does)."""
    header = Header.from_fields(codec.decode(bytes.fromhex(bundle["header_msgpack"])))
    commit = Commit.decode(bytes.fromhex(bundle["commit_msgpack"]))
    trusted = ValidatorSet.from_genesis(chain.genesis.validators)
    verify_commit(trusted, chain.genesis.hash(), header.hash(), commit)
    return header


def check_entry(chain: LiveChain, root: bytes, key: bytes, entry: dict[str, Any]) -> None:
    """One proof of `key`: its view equal to its bytes, verifying."""
    assert bytes.fromhex(entry["key"]) == key
    proof = FlatProof.decode(bytes.fromhex(entry["proof_msgpack"]))
    assert from_view(entry["proof"]) == proof
    value = None if entry["value"] is None else bytes.fromhex(entry["value"])
    assert value == chain.store.state.get(key)
    assert verify_proof(root, key, value, proof)
    assert not verify_proof(root, key, b"forged", proof)


def single_reads(chain: LiveChain) -> list[tuple[str, bytes]]:
    """(path, the state key its proof is of) for every read that takes ?proof=true."""
    return [
        (f"/v1/accounts/{ALICE.address.to_text(HRP)}", keys.account(ALICE.address.raw)),
        (f"/v1/accounts/{STRANGER.to_text(HRP)}", keys.account(STRANGER.raw)),
        ("/v1/validators", keys.chain_meta(b"validator_set")),
        (f"/v1/collectives/{GUILD.hex()}", col_keys.collective(GUILD)),
        ("/v1/proposals/1", gov_keys.proposal(1)),
        (f"/v1/splits/{chain.split_id.hex()}", split_keys.config(chain.split_id)),
        (f"/v1/content/{CONTENT_HASH.hex()}", content_keys.record(CONTENT_HASH)),
    ]


async def test_every_read_with_a_proof_gives_a_verifying_version_2_proof(
    chain: LiveChain, client: Client
) -> None:
    for path, key in single_reads(chain):
        body = await (await client.get(f"{path}?proof=true")).json()
        bundle = body["proof"]
        header = checked_header(chain, bundle)
        assert bundle["height"] == header.height == chain.store.height
        assert bytes.fromhex(bundle["state_root"]) == header.state_root
        check_entry(chain, header.state_root, key, bundle)
    absent = await (await client.get(f"/v1/accounts/{STRANGER.to_text(HRP)}?proof=true")).json()
    assert absent["proof"]["value"] is None


@pytest.mark.parametrize("key", [keys.account(ALICE.address.raw), b"\x01absent", b"\xff" * 256])
async def test_a_raw_key_is_proven_present_or_absent(
    chain: LiveChain, client: Client, key: bytes
) -> None:
    bundle = await (await client.get(f"/v1/proofs/{key.hex()}")).json()
    header = checked_header(chain, bundle)
    check_entry(chain, header.state_root, key, bundle)
    assert (bundle["value"] is None) == (chain.store.state.get(key) is None)


async def test_many_keys_at_one_height_are_each_proven(chain: LiveChain, client: Client) -> None:
    wanted = [keys.account(ALICE.address.raw), keys.account(STRANGER.raw), b"\x01absent"]
    body = await (await client.post("/v1/proofs", json={"keys": [k.hex() for k in wanted]})).json()
    header = checked_header(chain, body)
    for key, entry in zip(wanted, body["entries"], strict=True):
        check_entry(chain, header.state_root, key, entry)
    assert [e["value"] is None for e in body["entries"]] == [False, True, True]

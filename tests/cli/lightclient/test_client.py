"""The light client against a real chain: verified proofs, skipping ahead, validator-set changes
followed, and every kind of lie refused (served by a real tampering proxy on 127.0.0.1)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cli.lightclient import LightClient, TrustStore, VerificationError, WrongChainError
from cli.nodeclient import NodeClient
from consensus.validators import ValidatorSet
from ledger import codec
from ledger.block import Block, Header
from ledger.genesis import Genesis
from ledger.merkle.flat import FlatProof, ProofLevel
from ledger.state import keys
from ledger.state.records import Account
from tests.cli.lightclient.devchain import (
    ALICE,
    BOB,
    GENESIS_TIME,
    NEWCOMER,
    OUTSIDER,
    VALIDATORS,
    DevChain,
    Servers,
    Tamper,
    make_genesis,
    sign_commit,
)

Proxy = Callable[[Tamper], str]


def light(url: str, home: Path, genesis: Genesis | None = None) -> LightClient:
    genesis = genesis or make_genesis()
    return LightClient(NodeClient(url), genesis, TrustStore(home, genesis))


def test_a_proof_verifies_against_a_header_signed_from_genesis(
    node_url: str, tmp_path: Path
) -> None:
    client = light(node_url, tmp_path)
    verified = client.prove([keys.account(ALICE.address.raw), keys.account(OUTSIDER.address.raw)])
    alice = Account.decode(verified.get(keys.account(ALICE.address.raw)) or b"")
    assert alice.balance == 1_000_000 - 250
    assert verified.get(keys.account(OUTSIDER.address.raw)) is None  # proven absent
    assert verified.height == 5
    saved = TrustStore(tmp_path, make_genesis()).load()
    assert (saved.height, saved.header_hash) == (5, verified.header.hash())


def test_a_later_run_starts_from_the_saved_height(
    devchain: DevChain, servers: Servers, node_url: str, tmp_path: Path
) -> None:
    light(node_url, tmp_path).prove([keys.account(BOB.address.raw)])
    servers.call(lambda: devchain.blocks(3))
    client = light(node_url, tmp_path)
    assert client.state.height == 5
    steps: list[tuple[int, int]] = []
    client.progress = lambda done, total: steps.append((done, total))
    assert client.prove([keys.account(BOB.address.raw)]).height == 8
    assert steps == [(1, 1)]  # no validator-set change to follow: one header
    # an older header is checked against the set known for its height
    assert client.sync(3).height == 3


def test_a_validator_set_change_is_followed(
    devchain: DevChain, servers: Servers, node_url: str, tmp_path: Path
) -> None:
    client = light(node_url, tmp_path)
    client.prove([keys.account(BOB.address.raw)])  # trusts height 5 under the genesis set
    first = servers.call(devchain.swap_validator)
    servers.call(lambda: devchain.blocks(4))
    assert NEWCOMER.address in devchain.chain.validators
    verified = light(node_url, tmp_path).prove([keys.account(BOB.address.raw)])
    saved = TrustStore(tmp_path, make_genesis()).load()
    assert [h for h, _ in saved.sets] == [1, first]
    assert NEWCOMER.address in saved.next_set and VALIDATORS[3].address not in saved.next_set
    assert verified.height == devchain.chain.height
    # a fresh wallet follows the same change from genesis
    fresh = light(node_url, tmp_path / "fresh")
    assert fresh.prove([keys.account(BOB.address.raw)]).height == verified.height
    assert fresh.sync(first - 1).height == first - 1  # and checks older headers with the old set


def _tamper_entries(path: str, data: Any) -> Any:
    if path == "/v1/proofs":
        data["entries"][0]["value"] = Account(999_999_999, 0).encode().hex()
    return data


def test_a_tampered_value_is_refused(proxy: Proxy, tmp_path: Path) -> None:
    client = light(proxy(_tamper_entries), tmp_path)
    with pytest.raises(VerificationError, match=r"Merkle proof .* does not verify"):
        client.prove([keys.account(ALICE.address.raw)])


def _tamper_sibling(path: str, data: Any) -> Any:
    if path == "/v1/proofs":
        entry = data["entries"][0]
        proof = FlatProof.decode(bytes.fromhex(entry["proof_msgpack"]))
        top = proof.levels[0]
        level = ProofLevel(top.masks, (bytes(32), *top.siblings[1:]))
        forged = FlatProof((level, *proof.levels[1:]), proof.leaf)
        entry["proof_msgpack"] = forged.encode().hex()
    return data


def test_a_tampered_proof_is_refused(proxy: Proxy, tmp_path: Path) -> None:
    client = light(proxy(_tamper_sibling), tmp_path)
    with pytest.raises(VerificationError, match="Merkle proof"):
        client.prove([keys.account(ALICE.address.raw)])


def _forged_header(data: dict[str, Any], root: bytes) -> Header:
    header = Header.from_fields(codec.decode(bytes.fromhex(data["header_msgpack"])))
    fields = header.to_fields()
    fields[7] = root  # state_root
    return Header.from_fields(fields)


def test_a_forged_header_is_refused(proxy: Proxy, tmp_path: Path) -> None:
    def forge(path: str, data: Any) -> Any:
        if path == "/v1/proofs":
            data["header_msgpack"] = _forged_header(data, bytes(range(32))).encode().hex()
        return data

    client = light(proxy(forge), tmp_path)
    with pytest.raises(
        VerificationError, match=r"commit of header 5 does not verify.*commit is for block"
    ):
        client.prove([keys.account(ALICE.address.raw)])


def test_a_commit_signed_by_a_non_validator_is_refused(proxy: Proxy, tmp_path: Path) -> None:
    genesis = make_genesis()

    def forge(path: str, data: Any) -> Any:
        if path == "/v1/proofs":
            header = _forged_header(data, bytes(range(32)))
            block = Block(header, (), (), None)
            forged = sign_commit(genesis, block, [OUTSIDER, *VALIDATORS[:1]])
            data["header_msgpack"] = header.encode().hex()
            data["commit_msgpack"] = forged.encode().hex()
        return data

    client = light(proxy(forge), tmp_path)
    with pytest.raises(VerificationError, match="not a validator"):
        client.prove([keys.account(ALICE.address.raw)])
    assert TrustStore(tmp_path, genesis).load().height == 0  # nothing was trusted


def test_a_commit_without_two_thirds_is_refused(proxy: Proxy, tmp_path: Path) -> None:
    genesis = make_genesis()

    def forge(path: str, data: Any) -> Any:
        if path == "/v1/proofs":
            header = _forged_header(data, bytes(range(32)))
            forged = sign_commit(genesis, Block(header, (), (), None), VALIDATORS[:2])
            data["header_msgpack"] = header.encode().hex()
            data["commit_msgpack"] = forged.encode().hex()
        return data

    with pytest.raises(VerificationError, match="more than 2/3"):
        light(proxy(forge), tmp_path).prove([keys.account(ALICE.address.raw)])


def test_a_node_of_another_chain_is_refused(node_url: str, tmp_path: Path) -> None:
    other = make_genesis("coterie-other-chain")
    with pytest.raises(WrongChainError, match="wrong --node or wrong --genesis"):
        light(node_url, tmp_path, other).prove([keys.account(ALICE.address.raw)])


def test_a_node_lying_about_its_genesis_is_still_refused(proxy: Proxy, tmp_path: Path) -> None:
    """Votes sign the genesis hash: a node that claims the wallet's genesis cannot pass."""
    other = dataclasses.replace(make_genesis(), genesis_time_ms=GENESIS_TIME + 1)  # same validators

    def claim(path: str, data: Any) -> Any:
        if path == "/v1/genesis":
            data["genesis_hash"] = other.hash().hex()
        return data

    with pytest.raises(VerificationError, match=r"signature 0 by .* does not verify"):
        light(proxy(claim), tmp_path, other).prove([keys.account(ALICE.address.raw)])


def test_a_hidden_validator_change_is_refused(
    devchain: DevChain, servers: Servers, proxy: Proxy, tmp_path: Path
) -> None:
    servers.call(devchain.swap_validator)
    servers.call(lambda: devchain.blocks(4))

    def hide(path: str, data: Any) -> Any:
        if path == "/v1/validator-sets":
            data["changes"] = []
        return data

    with pytest.raises(VerificationError, match="hidden validator change"):
        light(proxy(hide), tmp_path).prove([keys.account(ALICE.address.raw)])


def test_a_fake_validator_change_is_refused(
    devchain: DevChain, servers: Servers, proxy: Proxy, tmp_path: Path
) -> None:
    servers.call(devchain.swap_validator)
    servers.call(lambda: devchain.blocks(4))
    fake = ValidatorSet.create([(OUTSIDER.public_key, 100)])

    def replace_set(path: str, data: Any) -> Any:
        if path == "/v1/validator-sets":
            for change in data["changes"]:
                change["validators_msgpack"] = fake.encode().hex()
        return data

    with pytest.raises(VerificationError, match="does not match the next_validators_hash"):
        light(proxy(replace_set), tmp_path).prove([keys.account(ALICE.address.raw)])

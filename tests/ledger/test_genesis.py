"""Genesis files: parsed with every value checked; the hash is the chain's identity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.genesis import Genesis, GenesisError
from ledger.keys import PrivateKey
from ledger.state import keys
from ledger.state.genesis_state import genesis_state
from ledger.state.records import ValidatorRecord
from ledger.state.validators import node_keys

ALICE = PrivateKey.from_secret(b"alice")
VALIDATOR = PrivateKey.from_secret(b"validator")
NODE = PrivateKey.from_secret(b"node")


def document(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "chain_id": "coterie-test",
        "address_prefix": "tcot",
        "genesis_time_ms": 1_700_000_000_000,
        "fees": {"min_fee": 1, "collector": "proposer"},
        "consensus": {"block_interval_ms": 500},
        "balances": [{"address": ALICE.address.to_text("tcot"), "amount": 1000}],
        "validators": [{"name": "v0", "public_key": VALIDATOR.public_key.hex(), "power": 10}],
    }
    doc.update(overrides)
    return doc


def validator_entry(**fields: Any) -> dict[str, Any]:
    return {"name": "v0", "public_key": VALIDATOR.public_key.hex(), "power": 10, **fields}


def test_round_trip_through_a_file_keeps_the_hash(tmp_path: Path) -> None:
    genesis = Genesis.from_json(document())
    path = tmp_path / "genesis.json"
    genesis.write(path)
    again = Genesis.load(path)
    assert again == genesis
    assert again.hash() == genesis.hash()
    assert genesis.params.consensus.block_interval_ms == 500
    assert genesis.params.min_fee == 1


def test_reformatting_the_file_does_not_change_the_identity(tmp_path: Path) -> None:
    path = tmp_path / "genesis.json"
    path.write_text(json.dumps(document()))
    compact = Genesis.load(path).hash()
    path.write_text(json.dumps(document(), indent=7, sort_keys=True))
    assert Genesis.load(path).hash() == compact


def test_any_change_changes_the_identity() -> None:
    base = Genesis.from_json(document()).hash()
    assert Genesis.from_json(document(chain_id="coterie-other")).hash() != base
    assert Genesis.from_json(document(genesis_time_ms=1)).hash() != base


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"chain_id": ""}, "chain_id"),
        ({"address_prefix": "Bad!"}, "address_prefix"),
        ({"validators": []}, "at least one validator"),
        ({"balances": [{"address": ALICE.address.to_text("cot"), "amount": 1}]}, "prefix"),
        ({"balances": [{"address": ALICE.address.to_text("tcot"), "amount": -1}]}, "amount"),
        ({"balances": [{"address": ALICE.address.to_text("tcot"), "amount": 1.5}]}, "amount"),
        ({"consensus": {"bogus": 1}}, "unknown consensus parameters"),
        ({"consensus": {"create_empty_blocks": 1}}, "true or false"),
        ({"validators": [{"public_key": "abcd", "power": 1}]}, "32 bytes"),
        ({"validators": [validator_entry(node_key="abcd")]}, "node_key must be 32 bytes"),
        ({"validators": [validator_entry(node_key="zz" * 32)]}, "node_key must be 32 bytes"),
        ({"validators": [validator_entry(node_key=7)]}, "node_key must be 32 bytes"),
        ({"validators": [validator_entry(name="n" * 65)]}, "at most 64 bytes"),
        ({"fees": {"min_fee": "1"}}, "min_fee"),
        # regression (issue 18): these were accepted and made chains that never work
        ({"consensus": {"validator_update_delay": 0}}, "validator_update_delay"),
        ({"consensus": {"timeout_propose_ms": 0}}, "timeout_propose_ms must be at least 1"),
        ({"consensus": {"timeout_precommit_ms": 0}}, "timeout_precommit_ms"),
        ({"consensus": {"max_block_txs": 0}}, "max_block_txs must be at least 1"),
        ({"consensus": {"max_block_bytes": 0}}, "max_block_bytes"),
        ({"consensus": {"max_tx_bytes": 10**7}}, "cannot exceed max_block_bytes"),
        ({"consensus": {"timeout_cap_ms": 2000}}, "timeout_cap_ms must be at least 8388 ms"),
        ({"consensus": {"max_block_bytes": 10**8}}, "timeout_cap_ms must be at least 100000"),
    ],
)
def test_invalid_documents_are_clear_errors(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(GenesisError, match=reason):
        Genesis.from_json(document(**overrides))


def test_missing_or_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GenesisError, match="no genesis file"):
        Genesis.load(tmp_path / "absent.json")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(GenesisError, match="cannot read genesis"):
        Genesis.load(tmp_path / "broken.json")


def test_a_validator_node_key_is_part_of_the_genesis_and_of_its_state(tmp_path: Path) -> None:
    node_key = NODE.public_key.hex()
    genesis = Genesis.from_json(document(validators=[validator_entry(node_key=node_key)]))
    assert genesis.validators[0].node_key == NODE.public_key
    path = tmp_path / "genesis.json"
    genesis.write(path)
    assert json.loads(path.read_text())["validators"][0]["node_key"] == node_key
    assert Genesis.load(path) == genesis
    assert genesis.hash() != Genesis.from_json(document()).hash()
    state = genesis_state(genesis)
    record = ValidatorRecord.decode(state.get(keys.validator(VALIDATOR.address.raw)) or b"")
    assert record.node_key == NODE.public_key
    assert node_keys(state) == {NODE.public_key}


def test_a_genesis_without_node_keys_keeps_its_hash() -> None:
    """Validators written before node keys were recorded hash as three fields, as they did."""
    genesis = Genesis.from_json(document())
    assert genesis.validators[0].node_key is None
    assert "node_key" not in genesis.to_json()["validators"][0]
    assert genesis.to_fields()[8] == [["v0", VALIDATOR.public_key, 10]]
    assert node_keys(genesis_state(genesis)) == frozenset()


def test_the_light_client_trust_period_is_a_genesis_parameter_hashed_only_when_chosen() -> None:
    """A genesis written before the parameter existed keeps its hash (the default), another
    period is another chain, and the value round-trips through the file."""
    plain = Genesis.from_json(document())
    assert plain.params.trust_period_ms == 14 * 24 * 3600 * 1000
    default = Genesis.from_json(document(light_client={"trust_period_ms": 14 * 24 * 3600 * 1000}))
    assert default.hash() == plain.hash()
    chosen = Genesis.from_json(document(light_client={"trust_period_ms": 3_600_000}))
    assert chosen.hash() != plain.hash() and chosen.params.trust_period_ms == 3_600_000
    assert Genesis.from_json(chosen.to_json()).hash() == chosen.hash()
    for bad in ({"trust_period_ms": 1}, {"trust_period": 5}, [1]):
        with pytest.raises(GenesisError, match="light_client"):
            Genesis.from_json(document(light_client=bad))

"""Genesis files: parsed with every value checked; the hash is the chain's identity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.genesis import Genesis, GenesisError
from ledger.keys import PrivateKey

ALICE = PrivateKey.from_secret(b"alice")
VALIDATOR = PrivateKey.from_secret(b"validator")


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
        ({"fees": {"min_fee": "1"}}, "min_fee"),
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

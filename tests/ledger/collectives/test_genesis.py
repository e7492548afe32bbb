"""Genesis collectives, the built-in validators body, and the genesis hash staying put."""

from __future__ import annotations

import pytest

from ledger.collectives.holdings import holding
from ledger.collectives.ids import VALIDATORS_BODY_ID, genesis_collective_id
from ledger.collectives.store import get_collective, require_collective
from ledger.genesis import Genesis, GenesisCollective, GenesisError
from tests.ledger.conftest import ALICE, BOB, VALIDATOR_KEYS, Chain, make_genesis

GUILD = GenesisCollective(
    "Cartridge Keepers", "ipfs://ck", ((ALICE.address, 10, 0), (BOB.address, 5, 2))
)


def test_a_genesis_without_collectives_keeps_its_old_encoding() -> None:
    assert len(make_genesis().to_fields()) == 9
    assert len(make_genesis([GUILD]).to_fields()) == 10
    assert make_genesis().hash() != make_genesis([GUILD]).hash()


def test_genesis_collectives_survive_json() -> None:
    genesis = make_genesis([GUILD], governing_body=genesis_collective_id(0).hex())
    again = Genesis.from_json(genesis.to_json())
    assert again == genesis and again.hash() == genesis.hash()


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d["governance"].update(governing_body="nobody"), "governing_body"),
        (lambda d: d["collectives"][0].update(founders=[]), "distinct founders"),
        (lambda d: d["collectives"][0]["founders"][0].update(shares=0), "shares"),
        (lambda d: d["collectives"][0].update(name=""), "name"),
    ],
)
def test_bad_genesis_collectives_are_refused(mutate: object, reason: str) -> None:
    data = make_genesis([GUILD]).to_json()
    mutate(data)  # type: ignore[operator]
    with pytest.raises(GenesisError, match=reason):
        Genesis.from_json(data)


def test_genesis_state_holds_the_collectives_and_the_validators_body() -> None:
    chain = Chain(make_genesis([GUILD]))
    cid = genesis_collective_id(0)
    assert require_collective(chain.view, cid).name == "Cartridge Keepers"
    assert holding(chain.view, cid, 1, BOB.address) == 2
    body = require_collective(chain.view, VALIDATORS_BODY_ID)
    assert body.name == "validators"
    for key in VALIDATOR_KEYS:
        assert holding(chain.view, VALIDATORS_BODY_ID, 0, key.address) == 10


def test_a_named_governing_collective_replaces_the_validators_body() -> None:
    chain = Chain(make_genesis([GUILD], governing_body=genesis_collective_id(0).hex()))
    assert get_collective(chain.view, VALIDATORS_BODY_ID) is None

"""Genesis collectives, the built-in validators body, and the genesis hash staying put."""

from __future__ import annotations

import pytest

from ledger.collectives.genesis import BODY_CLASSES, BODY_PARAMS
from ledger.collectives.holdings import holding
from ledger.collectives.ids import SYSTEM_ADDRESS, VALIDATORS_BODY_ID, genesis_collective_id
from ledger.collectives.model import DEFAULT_CLASSES, Member
from ledger.collectives.params import MAX_MEMBERS, AdmissionMode, CollectiveParams
from ledger.collectives.roster import member_count
from ledger.collectives.store import get_collective, require_collective, require_member
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


def test_genesis_records_say_who_made_them_when_and_with_which_rules() -> None:
    """A genesis collective is the system's, made at height 0 and genesis time, with default
    classes and params; the validators body is closed, sized for every validator, and each
    validator is a member from genesis time with its power as shares."""
    second = GenesisCollective("Second", "ipfs://2", ((BOB.address, 3, 4),))
    chain = Chain(make_genesis([GUILD, second]))
    now = chain.genesis.genesis_time_ms
    for index, entry in enumerate((GUILD, second)):
        cid = genesis_collective_id(index)
        collective = require_collective(chain.view, cid)
        assert (collective.name, collective.metadata) == (entry.name, entry.metadata)
        assert (collective.creator, collective.created_height) == (SYSTEM_ADDRESS, 0)
        assert (collective.classes, collective.params) == (DEFAULT_CLASSES, CollectiveParams())
        for who, shares, loot in entry.founders:
            assert require_member(chain.view, cid, who) == Member(now)
            assert [holding(chain.view, cid, c, who) for c in (0, 1)] == [shares, loot]
        assert member_count(chain.view, cid) == len(entry.founders)
    body = require_collective(chain.view, VALIDATORS_BODY_ID)
    assert (body.creator, body.created_height, body.classes) == (SYSTEM_ADDRESS, 0, BODY_CLASSES)
    assert body.params == BODY_PARAMS
    assert (body.params.admission_mode, body.params.max_members) == (
        AdmissionMode.CLOSED,
        MAX_MEMBERS,
    )
    for key in VALIDATOR_KEYS:
        assert require_member(chain.view, VALIDATORS_BODY_ID, key.address) == Member(now)
    assert member_count(chain.view, VALIDATORS_BODY_ID) == len(VALIDATOR_KEYS)

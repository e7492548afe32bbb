"""CollectiveCreate: ids, founders' holdings, and every bad definition named by its code."""

from __future__ import annotations

import dataclasses

import pytest

from ledger.collectives.create import MAX_FOUNDERS, CollectiveCreate, Founder, install_collective
from ledger.collectives.holdings import exit_supply, holders, holding, supply
from ledger.collectives.ids import derive_collective_id
from ledger.collectives.model import DEFAULT_CLASSES, ClassKind, TokenClass
from ledger.collectives.params import AdmissionMode, CollectiveParams
from ledger.collectives.roster import member_count
from ledger.collectives.store import get_member, require_collective
from ledger.errors import ErrorCode, TxError
from ledger.governance.kinds import ProposalKind
from ledger.governance.policy import DEFAULT_POLICIES, Policy, policy_for
from ledger.keys import Address
from tests.ledger.conftest import ALICE, BOB, CAROL, Chain


def test_a_collective_gets_a_derived_id_and_its_founders_holdings(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (10, 0)), (BOB, (5, 3))], name="Pixel Guild")
    assert cid == derive_collective_id(ALICE.address, 0)
    collective = require_collective(chain.view, cid)
    assert collective.name == "Pixel Guild" and collective.creator == ALICE.address
    assert holding(chain.view, cid, 0, ALICE.address) == 10
    assert holding(chain.view, cid, 1, BOB.address) == 3
    assert supply(chain.view, cid, 0) == 15 and exit_supply(chain.view, cid, collective) == 18
    assert holders(chain.view, cid, 0) == sorted(
        [(ALICE.address, 10), (BOB.address, 5)], key=lambda h: h[0].raw
    )
    assert member_count(chain.view, cid) == 2
    assert get_member(chain.view, cid, CAROL.address) is None


def test_the_same_creator_gets_a_new_id_per_nonce(chain: Chain) -> None:
    first = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    second = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    assert first != second


def test_policy_overrides_replace_defaults_per_kind(chain: Chain) -> None:
    strict = dataclasses.replace(Policy(), quorum_ppm=900_000, expedited_period_ms=0)
    cid = chain.create_collective(
        ALICE, [(ALICE, (1, 0))], policies=((ProposalKind.ADMIT, strict),)
    )
    assert policy_for(chain.view, cid, ProposalKind.ADMIT) == strict
    assert policy_for(chain.view, cid, ProposalKind.EXPEL) == DEFAULT_POLICIES[ProposalKind.EXPEL]


def definition(**changes: object) -> CollectiveCreate:
    base = CollectiveCreate(
        "guild",
        "",
        DEFAULT_CLASSES,
        (Founder(ALICE.address, (10, 0)),),
        CollectiveParams(),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": ""}, ErrorCode.INVALID_PARAMS),
        ({"classes": ()}, ErrorCode.INVALID_PARAMS),
        ({"classes": (TokenClass("loot", ClassKind.LOOT),)}, ErrorCode.INVALID_PARAMS),
        (
            {"classes": (*DEFAULT_CLASSES, TokenClass("badge", ClassKind.BADGE, True))},
            ErrorCode.INVALID_PARAMS,
        ),
        ({"founders": ()}, ErrorCode.INVALID_PARAMS),
        ({"founders": (Founder(ALICE.address, (0, 5)),)}, ErrorCode.INVALID_PARAMS),
        ({"founders": (Founder(ALICE.address, (5,)),)}, ErrorCode.INVALID_PARAMS),
        (
            {"founders": (Founder(ALICE.address, (1, 0)), Founder(ALICE.address, (1, 0)))},
            ErrorCode.DUPLICATE_ENTRY,
        ),
        ({"params": CollectiveParams(cancel_burn_ppm=1_000_001)}, ErrorCode.INVALID_PARAMS),
        ({"params": CollectiveParams(max_members=0)}, ErrorCode.INVALID_PARAMS),
        (
            {"params": CollectiveParams(admission_mode=AdmissionMode.OPEN)},
            ErrorCode.INVALID_PARAMS,
        ),
        ({"params": CollectiveParams(submission_period_ms=10)}, ErrorCode.INVALID_PARAMS),
        ({"policies": ((99, Policy()),)}, ErrorCode.INVALID_POLICY),
        ({"policies": ((1, Policy()), (1, Policy()))}, ErrorCode.DUPLICATE_ENTRY),
        ({"policies": ((1, Policy(threshold_ppm=1_000_000)),)}, ErrorCode.INVALID_POLICY),
        (
            {"policies": ((1, Policy(early_execution=True, vote_replacement=True)),)},
            ErrorCode.INVALID_POLICY,
        ),
    ],
)
def test_bad_definitions_are_refused(
    chain: Chain, changes: dict[str, object], code: ErrorCode
) -> None:
    assert chain.reject(ALICE, definition(**changes)) is code


def test_founders_beyond_max_members_are_refused(chain: Chain) -> None:
    payload = definition(
        founders=(Founder(ALICE.address, (1, 0)), Founder(BOB.address, (1, 0))),
        params=CollectiveParams(max_members=1),
    )
    assert chain.reject(ALICE, payload) is ErrorCode.LIMIT_REACHED


def test_creating_a_collective_says_so_with_its_id_and_name_before_its_founders_join(
    chain: Chain,
) -> None:
    """Explorers and wallets learn of a new collective from this event: its id and name."""
    receipt = chain.send(ALICE, definition(name="Pixel Guild"))
    first = receipt.events[0]
    cid = derive_collective_id(ALICE.address, 0)
    assert (first.kind, dict(first.attributes)) == (
        "collective_created",
        {"collective": cid, "name": "Pixel Guild"},
    )


def test_a_collective_id_already_taken_is_never_overwritten(chain: Chain) -> None:
    """Ids are derived from creator and nonce, so a clash needs a bug elsewhere: the install
    itself still refuses to write over an existing collective."""
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))], name="first")
    collective = require_collective(chain.view, cid)
    again = dataclasses.replace(collective, name="second")
    with pytest.raises(TxError) as refused:
        install_collective(chain.view, 1, 0, cid, again, founders=(), policies=())
    assert refused.value.code is ErrorCode.ALREADY_EXISTS
    assert require_collective(chain.view, cid).name == "first"


def test_a_collective_may_have_exactly_the_most_founders_allowed(chain: Chain) -> None:
    founders = tuple(Founder(Address(i.to_bytes(20, "big")), (1, 0)) for i in range(1, 101))
    assert len(founders) == MAX_FOUNDERS
    params = CollectiveParams(max_members=MAX_FOUNDERS)
    chain.send(ALICE, definition(founders=founders, params=params))
    assert member_count(chain.view, derive_collective_id(ALICE.address, 0)) == MAX_FOUNDERS
    too_many = (*founders, Founder(Address(bytes([200]) * 20), (1, 0)))
    assert chain.reject(ALICE, definition(founders=too_many)) is ErrorCode.INVALID_PARAMS

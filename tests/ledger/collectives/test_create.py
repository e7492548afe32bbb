"""CollectiveCreate: ids, founders' holdings, and every bad definition named by its code."""

from __future__ import annotations

import dataclasses

import pytest

from ledger.collectives.create import CollectiveCreate, Founder
from ledger.collectives.holdings import exit_supply, holders, holding, supply
from ledger.collectives.ids import derive_collective_id
from ledger.collectives.model import DEFAULT_CLASSES, ClassKind, TokenClass
from ledger.collectives.params import AdmissionMode, CollectiveParams
from ledger.collectives.roster import member_count
from ledger.collectives.store import get_member, require_collective
from ledger.errors import ErrorCode
from ledger.governance.kinds import ProposalKind
from ledger.governance.policy import DEFAULT_POLICIES, Policy, policy_for
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

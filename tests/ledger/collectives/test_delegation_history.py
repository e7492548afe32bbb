"""Delegations read as of any height: the record in force at a snapshot is the last one written
at or before it, a kind with nothing recorded yet falls back to the general delegation, and the
Delegate receipt says who lent what in which scope."""

from __future__ import annotations

import dataclasses

from ledger.collectives.delegation import (
    ALL_KINDS,
    Delegate,
    delegation_at,
    effective_delegation,
    set_delegation,
)
from ledger.collectives.params import DAY, PPM, CollectiveParams
from ledger.errors import ErrorCode
from ledger.governance.kinds import ProposalKind
from ledger.keys import Address
from tests.ledger.conftest import ALICE, BOB, CAROL, Chain

CID = bytes([3]) * 20
WHO = Address(bytes([1]) * 20)
TO_A = ((Address(bytes([2]) * 20), 1),)  # 1 ppm: the least a part can be
TO_B = ((Address(bytes([4]) * 20), PPM),)  # the whole vote
KIND = 300  # a scope above one byte


def test_the_delegation_in_force_is_the_last_written_at_or_before_the_height(
    chain: Chain,
) -> None:
    view = chain.view
    set_delegation(view, 10, CID, WHO, scope=KIND, splits=TO_A)
    set_delegation(view, 20, CID, WHO, scope=KIND, splits=TO_B)
    set_delegation(view, 30, CID, WHO, scope=KIND, splits=())
    set_delegation(view, 15, CID, WHO, scope=KIND + 1, splits=TO_B)  # another scope, no mixing
    expected = {9: None, 10: TO_A, 15: TO_A, 19: TO_A, 20: TO_B, 29: TO_B, 30: (), 99: ()}
    for height, splits in expected.items():
        assert delegation_at(view, CID, WHO, KIND, height) == splits, height


def test_a_kind_recorded_only_later_falls_back_to_the_general_delegation(chain: Chain) -> None:
    view = chain.view
    set_delegation(view, 5, CID, WHO, scope=ALL_KINDS, splits=TO_A)
    set_delegation(view, 20, CID, WHO, scope=KIND, splits=TO_B)
    assert effective_delegation(view, CID, WHO, KIND, 10) == TO_A
    assert effective_delegation(view, CID, WHO, KIND, 20) == TO_B
    assert effective_delegation(view, CID, WHO, KIND, 4) == ()


def test_a_delegate_receipt_names_the_delegator_the_scope_and_the_delegate_count(
    chain: Chain,
) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (5, 0)), (BOB, (5, 0)), (CAROL, (5, 0))])
    scope = int(ProposalKind.SIGNAL)
    splits = ((BOB.address, 1), (CAROL.address, PPM - 1))
    receipt = chain.send(ALICE, Delegate(cid, scope, splits))
    assert [(e.kind, dict(e.attributes)) for e in receipt.events] == [
        (
            "delegate",
            {"collective": cid, "delegator": ALICE.address.raw, "scope": scope, "delegates": 2},
        )
    ]
    assert delegation_at(chain.view, cid, ALICE.address, scope, chain.height) == splits


def test_a_lapsed_member_can_neither_delegate_nor_be_delegated_to(chain: Chain) -> None:
    """Rights end at expiry plus the renewal grace: from then on, no delegation either way."""
    params = dataclasses.replace(CollectiveParams(), membership_term_ms=30 * DAY)
    cid = chain.create_collective(ALICE, [(ALICE, (5, 0)), (BOB, (5, 0))], params=params)
    chain.next_block(60 * DAY - 2)  # 30 days of term, 30 of grace: still in good standing
    chain.send(ALICE, Delegate(cid, ALL_KINDS, ((BOB.address, 1),)))
    chain.next_block(2)
    assert chain.reject(ALICE, Delegate(cid, ALL_KINDS, ((BOB.address, 2),))) is (
        ErrorCode.MEMBERSHIP_LAPSED
    )

"""Rights end with membership: roles, allowances and delegations of a member who leaves (ragequit,
ragekick, forfeit) are gone, they pause while the member is jailed, and nobody cancels a
proposal that targets them (issue 23, item 3)."""

from __future__ import annotations

import dataclasses

import pytest

from ledger.collectives import keys as ckeys
from ledger.collectives.delegation import Delegate, current_delegations
from ledger.collectives.exit import RageKick, Ragequit
from ledger.collectives.ids import NATIVE
from ledger.collectives.params import DAY
from ledger.collectives.store import get_member, iter_members, require_collective
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import SetAllowance
from ledger.governance.core_actions import Expel, SetParams, SetPolicy, TreasurySpend
from ledger.governance.kinds import DecisionMethod, ProposalKind, Role
from ledger.governance.multisig_queue import MultisigReject
from ledger.governance.policy import Policy
from ledger.governance.process_txs import MultisigApprove
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalCancel
from ledger.governance.roles import LockRole, RevokeRole, SetRole, has_role, is_locked, role_of
from ledger.governance.signers import is_signer
from ledger.keys import Address
from ledger.treasury.allowance_spend import AllowanceSpend
from ledger.treasury.allowances import Grantee, GranteeKind, allowances_of, get_allowance
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, Chain
from tests.ledger.treasury.conftest import Coop, enact, make_coop, proposal, settle, submit, vote


def make_governor(coop: Coop, who: object = CAROL) -> None:
    pid, _ = enact(coop, [SetRole(Role.GOVERNOR, who.address)])  # type: ignore[attr-defined]
    assert proposal(coop, pid).status is Status.EXECUTED


def jail(coop: Coop, who: object = CAROL) -> None:
    pid, _ = enact(coop, [Expel(who.address)])  # type: ignore[attr-defined]
    assert proposal(coop, pid).status is Status.EXECUTED


def test_a_governor_cannot_cancel_her_own_expulsion(chain: Chain) -> None:
    coop = make_coop(chain)
    make_governor(coop)
    pid = submit(coop, [Expel(CAROL.address)])
    assert coop.chain.reject(CAROL, ProposalCancel(pid)) is ErrorCode.UNAUTHORIZED
    vote(coop, pid, [ALICE, BOB])
    assert proposal(coop, pid).status is Status.VOTING


def test_governors_cannot_shield_each_other_from_removal(chain: Chain) -> None:
    coop = make_coop(chain)
    """Two governors could otherwise cancel each other's expulsion forever."""
    make_governor(coop, CAROL)
    make_governor(coop, BOB)
    other = submit(coop, [], proposer=BOB)  # an ordinary proposal stays cancellable
    coop.chain.send(CAROL, ProposalCancel(other))
    assert proposal(coop, other).status is Status.CANCELLED
    expel = submit(coop, [Expel(BOB.address)])
    revoke = submit(coop, [RevokeRole(Role.GOVERNOR, BOB.address)], proposer=BOB)
    assert coop.chain.reject(CAROL, ProposalCancel(expel)) is ErrorCode.UNAUTHORIZED
    assert coop.chain.reject(CAROL, ProposalCancel(revoke)) is ErrorCode.UNAUTHORIZED
    assert coop.chain.reject(BOB, ProposalCancel(revoke)) is ErrorCode.UNAUTHORIZED


def test_a_jailed_governor_cannot_cancel_anything(chain: Chain) -> None:
    coop = make_coop(chain)
    make_governor(coop)
    jail(coop)
    assert not has_role(coop.chain.view, coop.cid, Role.GOVERNOR, CAROL.address, 0)
    pid = submit(coop, [])
    assert coop.chain.reject(CAROL, ProposalCancel(pid)) is ErrorCode.UNAUTHORIZED


def test_a_ragekicked_governor_loses_the_role_and_cannot_cancel_its_revocation(
    chain: Chain,
) -> None:
    coop = make_coop(chain)
    make_governor(coop)
    jail(coop)
    coop.chain.send(DAVE, RageKick(coop.cid, CAROL.address))
    view = coop.chain.view
    assert role_of(view, coop.cid, Role.GOVERNOR, CAROL.address) is None
    assert not has_role(view, coop.cid, Role.GOVERNOR, CAROL.address, 0)
    pid = submit(coop, [])
    assert coop.chain.reject(CAROL, ProposalCancel(pid)) is ErrorCode.UNAUTHORIZED


def test_a_locked_role_still_ends_with_membership(chain: Chain) -> None:
    coop = make_coop(chain)
    """A lock freezes grants and revocations by vote; it is no shield against expulsion."""
    make_governor(coop)
    pid, _ = enact(coop, [LockRole(Role.GOVERNOR)])
    assert proposal(coop, pid).status is Status.EXECUTED
    assert is_locked(coop.chain.view, coop.cid, Role.GOVERNOR)
    expel = submit(coop, [Expel(CAROL.address)])
    assert coop.chain.reject(CAROL, ProposalCancel(expel)) is ErrorCode.UNAUTHORIZED
    vote(coop, expel, [ALICE, BOB])
    settle(coop, expel)
    assert proposal(coop, expel).status is Status.EXECUTED
    coop.chain.send(DAVE, RageKick(coop.cid, CAROL.address))
    assert role_of(coop.chain.view, coop.cid, Role.GOVERNOR, CAROL.address) is None


def test_a_ragequit_ends_allowances_and_delegations(chain: Chain) -> None:
    coop = make_coop(chain)
    grantee = Grantee.member(CAROL.address)
    enact(coop, [SetAllowance(grantee, NATIVE, 1_000, 0)])
    coop.chain.send(CAROL, Delegate(coop.cid, 0, ((ALICE.address, 500_000),)))
    coop.chain.send(CAROL, Ragequit(coop.cid, ((0, 5), (1, 2))))
    view = coop.chain.view
    assert get_allowance(view, coop.cid, grantee, NATIVE) is None
    assert current_delegations(view, coop.cid, CAROL.address) == []


def test_a_jailed_grantee_cannot_spend_and_a_role_allowance_pauses(chain: Chain) -> None:
    coop = make_coop(chain)
    role = Grantee.role(Role.TREASURER)
    enact(coop, [SetRole(Role.TREASURER, CAROL.address)])
    enact(coop, [SetAllowance(role, NATIVE, 1_000, 0)])
    jail(coop)
    spend = AllowanceSpend(coop.cid, role, NATIVE, DAVE.address, 10)
    assert coop.chain.reject(CAROL, spend) in (ErrorCode.JAILED, ErrorCode.UNAUTHORIZED)
    assert not has_role(coop.chain.view, coop.cid, Role.TREASURER, CAROL.address, 0)


def holders_of_rights(chain: Chain, cid: bytes) -> set[Address]:
    """Every address the state gives a role, a member allowance or a live delegation in `cid`."""
    view = chain.view
    found: set[Address] = set()
    role_prefix = ckeys.ROLE + cid
    for key, _ in view.iter_prefix(role_prefix):
        found.add(Address(key[len(role_prefix) + 1 :]))
    for grantee, _, _ in allowances_of(view, cid):
        if grantee.kind is GranteeKind.MEMBER:
            found.add(Address(grantee.id))
    delegation_prefix = ckeys.DELEGATION + cid
    for key, _ in view.iter_prefix(delegation_prefix):
        who = Address(key[len(delegation_prefix) : len(delegation_prefix) + 20])
        if current_delegations(view, cid, who):
            found.add(who)
    return found


@pytest.mark.parametrize("exit_by", ["ragequit", "ragekick", "forfeit"])
def test_every_way_out_ends_every_right(chain: Chain, exit_by: str) -> None:
    """Invariant: after any exit, nobody who is not a member holds a role, an allowance or a
    delegation (the roles are granted, and locked, before the exit)."""
    coop = make_coop(chain)
    params = require_collective(chain.view, coop.cid).params
    params = dataclasses.replace(params, allow_forfeit=True)
    enact(coop, [SetParams(params)])
    for role in Role:
        enact(coop, [SetRole(role, CAROL.address)])
    enact(coop, [LockRole(Role.MODERATOR)])
    enact(coop, [SetAllowance(Grantee.member(CAROL.address), NATIVE, 50, 0)])
    chain.send(CAROL, Delegate(coop.cid, 0, ((ALICE.address, 1),)))
    chain.send(CAROL, Delegate(coop.cid, ProposalKind.SPEND, ((BOB.address, 2),)))
    assert CAROL.address in holders_of_rights(chain, coop.cid)
    if exit_by == "ragequit":
        chain.send(CAROL, Ragequit(coop.cid, ((0, 5), (1, 2))))
    elif exit_by == "ragekick":
        jail(coop)
        chain.send(DAVE, RageKick(coop.cid, CAROL.address))
    else:
        pid, _ = enact(coop, [Expel(CAROL.address, forfeit=True)])
        assert proposal(coop, pid).status is Status.EXECUTED
    assert get_member(chain.view, coop.cid, CAROL.address) is None
    members = {who for who, _ in iter_members(chain.view, coop.cid)}
    assert holders_of_rights(chain, coop.cid) <= members


SIGNERS = tuple(sorted((ALICE.address, BOB.address, CAROL.address), key=lambda a: a.raw))
MULTISIG = Policy(
    method=DecisionMethod.MULTISIG,
    signers=SIGNERS,
    required_approvals=2,
    voting_period_ms=30 * DAY,
    grace_period_ms=0,
    expedited_period_ms=0,
)


def multisig_spend(chain: Chain) -> tuple[Coop, int]:
    """A collective whose spends need 2 of Alice, Bob and Carol, and one queued spend."""
    coop = make_coop(chain, policies=((ProposalKind.SPEND, MULTISIG),))
    return coop, submit(coop, [TreasurySpend(NATIVE, ERIN.address, 100)], proposer=BOB)


def test_a_signer_who_left_cannot_approve(chain: Chain) -> None:
    coop, pid = multisig_spend(chain)
    chain.send(CAROL, Ragequit(coop.cid, ((0, 5), (1, 2))))
    assert chain.reject(CAROL, MultisigApprove(pid)) is ErrorCode.NOT_MEMBER
    assert chain.reject(CAROL, MultisigReject(pid)) is ErrorCode.NOT_MEMBER


def test_a_jailed_signers_approval_stops_counting(chain: Chain) -> None:
    coop, pid = multisig_spend(chain)
    chain.send(CAROL, MultisigApprove(pid))
    jail(coop)
    assert chain.reject(CAROL, MultisigApprove(pid)) is ErrorCode.JAILED
    chain.send(ALICE, MultisigApprove(pid))  # with Carol's, two approvals: but hers is paused
    assert proposal(coop, pid).status is Status.VOTING
    chain.send(BOB, MultisigApprove(pid))
    assert proposal(coop, pid).status is Status.EXECUTED


def test_a_signer_removed_from_the_policy_cannot_approve_queued_proposals(chain: Chain) -> None:
    coop, pid = multisig_spend(chain)
    chain.send(CAROL, MultisigApprove(pid))
    two = tuple(s for s in SIGNERS if s != CAROL.address)
    fewer = dataclasses.replace(MULTISIG, signers=two)
    enact(coop, [SetPolicy(ProposalKind.SPEND, fewer)])
    assert chain.reject(CAROL, MultisigReject(pid)) is ErrorCode.UNAUTHORIZED
    chain.send(ALICE, MultisigApprove(pid))
    assert proposal(coop, pid).status is Status.VOTING  # Carol's approval no longer counts
    chain.send(BOB, MultisigApprove(pid))
    assert proposal(coop, pid).status is Status.EXECUTED


@pytest.mark.parametrize("pause_by", ["jail", "lapse"])
def test_every_pause_stops_every_right(chain: Chain, pause_by: str) -> None:
    """Invariant: a member out of good standing (jailed, or lapsed) uses no role, allowance,
    delegation or signature, although the records stay (they come back with the standing)."""
    coop = make_coop(chain, policies=((ProposalKind.SPEND, MULTISIG),))
    pid = submit(coop, [TreasurySpend(NATIVE, ERIN.address, 100)], proposer=BOB)
    enact(coop, [SetRole(Role.GOVERNOR, CAROL.address)])
    enact(coop, [SetAllowance(Grantee.member(CAROL.address), NATIVE, 50, 0)])
    if pause_by == "jail":
        jail(coop)
    else:
        params = require_collective(chain.view, coop.cid).params
        enact(
            coop,
            [SetParams(dataclasses.replace(params, membership_term_ms=DAY, renewal_grace_ms=0))],
        )
        chain.next_block(2 * DAY)
    view, now = chain.view, chain.time_ms
    assert get_member(view, coop.cid, CAROL.address) is not None
    assert not has_role(view, coop.cid, Role.GOVERNOR, CAROL.address, now)
    assert not is_signer(view, now, proposal(coop, pid), CAROL.address)
    spend = AllowanceSpend(coop.cid, Grantee.member(CAROL.address), NATIVE, DAVE.address, 1)
    refused = {ErrorCode.JAILED, ErrorCode.MEMBERSHIP_LAPSED}
    assert chain.reject(CAROL, spend) in refused
    assert chain.reject(CAROL, Delegate(coop.cid, 0, ((ALICE.address, 1),))) in refused
    assert chain.reject(CAROL, MultisigApprove(pid)) in refused


def test_governance_by_multisig_falls_back_to_a_vote_when_its_signers_are_gone(
    chain: Chain,
) -> None:
    """Two of three governance signers leave: a 2-of-3 multisig could never pass again, so the
    kind falls back to its default member vote and the collective can govern itself again."""
    coop = make_coop(chain, policies=((ProposalKind.GOVERNANCE, MULTISIG),))
    chain.send(BOB, Ragequit(coop.cid, ((0, 10),)))
    chain.send(CAROL, Ragequit(coop.cid, ((0, 5), (1, 2))))
    pid = submit(coop, [SetRole(Role.GOVERNOR, ALICE.address)])
    assert proposal(coop, pid).require_policy().method is DecisionMethod.VOTE
    vote(coop, pid, [ALICE])
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.EXECUTED

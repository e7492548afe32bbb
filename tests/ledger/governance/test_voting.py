"""Ballots and methods: replacement, split votes, polls, secret ballots, multisig approvals,
expulsion votes, and policies frozen per proposal."""

from __future__ import annotations

import dataclasses

import pytest

from ledger.collectives import treasury
from ledger.collectives.checkpoints import current_power
from ledger.collectives.exit import RageKick
from ledger.collectives.ids import NATIVE
from ledger.collectives.params import DAY, CollectiveParams
from ledger.collectives.store import get_member, require_collective, require_member
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode
from ledger.governance.ballots import Ballot, commitment
from ledger.governance.core_actions import Expel, SetParams, SetPolicy, TreasurySpend
from ledger.governance.kinds import DecisionMethod, ProposalKind, Role, VotingMethod
from ledger.governance.policy import Policy, policy_for
from ledger.governance.process_txs import MultisigApprove
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.roles import LockRole, SetRole, has_role
from ledger.governance.vote_txs import Vote, VoteCommit, VoteReveal
from ledger.keys import PrivateKey
from tests.ledger.conftest import (
    ABSTAIN,
    ALICE,
    BOB,
    CAROL,
    DAVE,
    ERIN,
    MALLORY,
    NO,
    YES,
    Chain,
    proposal_id,
)

SALT = bytes(range(32))


def guild(chain: Chain, policies: tuple[tuple[int, Policy], ...] = (), **params: object) -> bytes:
    """Alice 10, Bob 5, Carol 5, Mallory 2 shares; 1000 coin in the treasury."""
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0)), (BOB, (5, 0)), (CAROL, (5, 0)), (MALLORY, (2, 0))],
        params=dataclasses.replace(CollectiveParams(), **params),  # type: ignore[arg-type]
        policies=policies,
    )
    chain.send(DAVE, TreasuryDeposit(cid, NATIVE, 1000))
    chain.next_block()
    return cid


def close(chain: Chain, pid: int, days: int = 3) -> Status:
    chain.next_block(days * DAY)
    chain.next_block()
    return require_proposal(chain.view, pid).status


def test_first_votes_stand_unless_the_policy_allows_replacement(chain: Chain) -> None:
    cid = guild(chain)
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(cid, ())))
    chain.send(BOB, Vote(pid, YES))
    assert chain.reject(BOB, Vote(pid, NO)) is ErrorCode.ALREADY_VOTED
    replace = Policy(vote_replacement=True, grace_period_ms=0, expedited_period_ms=0)
    cid2 = guild(chain, policies=((ProposalKind.SIGNAL, replace),))
    pid2 = proposal_id(chain.send(BOB, ProposalSubmit(cid2, ())))
    chain.send(BOB, Vote(pid2, YES))
    chain.send(BOB, Vote(pid2, NO))
    chain.send(CAROL, Vote(pid2, NO))
    assert close(chain, pid2) is Status.REJECTED
    assert require_proposal(chain.view, pid2).tally == (0, 10, 0, 0)


def test_a_split_ballot_divides_the_voters_weight(chain: Chain) -> None:
    cid = guild(chain)
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(cid, ())))
    chain.send(ALICE, Vote(pid, Ballot((0, 1), (700_000, 300_000))))
    chain.send(BOB, Vote(pid, ABSTAIN))
    assert close(chain, pid) is Status.EXECUTED
    assert require_proposal(chain.view, pid).tally == (7, 3, 5, 0)


@pytest.mark.parametrize(
    "ballot",
    [
        Ballot(()),
        Ballot((4,)),
        Ballot((0, 1)),
        Ballot((0, 0), (500_000, 500_000)),
        Ballot((0, 1), (500_000, 400_000)),
        Ballot((0, 1), (1_000_000, 0)),
        Ballot((0,), (1, 2)),
    ],
)
def test_malformed_ballots_are_refused(chain: Chain, ballot: Ballot) -> None:
    cid = guild(chain)
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(cid, ())))
    assert chain.reject(BOB, Vote(pid, ballot)) is ErrorCode.INVALID_BALLOT


@pytest.mark.parametrize(
    ("method", "ballots", "winner"),
    [
        (
            VotingMethod.SINGLE,
            {ALICE: ((2,), ()), BOB: ((1,), ()), CAROL: ((1,), ()), MALLORY: ((1,), ())},
            1,
        ),
        (
            VotingMethod.APPROVAL,
            {ALICE: ((0,), ()), BOB: ((1, 2), ()), CAROL: ((1,), ()), MALLORY: ((2, 1), ())},
            1,
        ),
        (
            VotingMethod.RANKED,  # Mother 3 is eliminated and its ballot moves to EarthBound
            {ALICE: ((0,), ()), BOB: ((1,), ()), MALLORY: ((1,), ()), CAROL: ((2, 1), ())},
            1,
        ),
        (
            VotingMethod.WEIGHTED,
            {ALICE: ((0, 2), (400_000, 600_000)), BOB: ((2,), (1_000_000,))},
            2,
        ),
        (
            VotingMethod.QUADRATIC,
            {ALICE: ((0,), (1_000_000,)), BOB: ((1,), (1_000_000,)), CAROL: ((1,), (1_000_000,))},
            1,
        ),
    ],
)
def test_polls_pick_a_winner(
    chain: Chain,
    method: VotingMethod,
    ballots: dict[PrivateKey, tuple[tuple[int, ...], tuple[int, ...]]],
    winner: int,
) -> None:
    cid = guild(chain)
    poll = ProposalSubmit(cid, (), method, ("Chrono Trigger", "EarthBound", "Mother 3"))
    pid = proposal_id(chain.send(ALICE, poll))
    for key, (options, weights) in ballots.items():
        chain.send(key, Vote(pid, Ballot(options, weights)))
    assert close(chain, pid) is Status.EXECUTED
    assert require_proposal(chain.view, pid).winner == winner


def test_secret_ballots_are_committed_then_revealed(chain: Chain) -> None:
    secret = Policy(secret_ballot=True, grace_period_ms=0, expedited_period_ms=0)
    cid = guild(chain, policies=((ProposalKind.SIGNAL, secret),))
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(cid, ())))
    assert chain.reject(BOB, Vote(pid, YES)) is ErrorCode.INVALID_STATE
    for key, ballot in ((ALICE, YES), (BOB, NO), (CAROL, NO)):
        chain.send(key, VoteCommit(pid, commitment(pid, key.address, ballot, SALT)))
    assert chain.reject(BOB, VoteCommit(pid, bytes(32))) is ErrorCode.ALREADY_VOTED
    assert chain.reject(ALICE, VoteReveal(pid, YES, SALT)) is ErrorCode.VOTING_CLOSED
    chain.next_block(3 * DAY)
    assert chain.reject(ALICE, VoteReveal(pid, NO, SALT)) is ErrorCode.COMMITMENT_MISMATCH
    assert chain.reject(DAVE, VoteReveal(pid, NO, SALT)) is ErrorCode.NOT_MEMBER
    chain.send(ALICE, VoteReveal(pid, YES, SALT))
    chain.send(BOB, VoteReveal(pid, NO, SALT))  # Carol never reveals: she counts as abstaining
    assert require_proposal(chain.view, pid).status is Status.VOTING
    chain.next_block(DAY)
    chain.next_block()
    p = require_proposal(chain.view, pid)
    assert p.status is Status.EXECUTED and p.tally == (10, 5, 5, 0)


def test_a_multisig_policy_executes_on_m_approvals(chain: Chain) -> None:
    signers = tuple(sorted((ALICE.address, BOB.address, CAROL.address), key=lambda a: a.raw))
    multisig = Policy(
        method=DecisionMethod.MULTISIG,
        signers=signers,
        required_approvals=2,
        grace_period_ms=0,
        expedited_period_ms=0,
    )
    cid = guild(chain, policies=((ProposalKind.SPEND, multisig),))
    pid = proposal_id(
        chain.send(MALLORY, ProposalSubmit(cid, (TreasurySpend(NATIVE, ERIN.address, 30),)))
    )
    assert chain.reject(ALICE, Vote(pid, YES)) is ErrorCode.INVALID_STATE
    assert chain.reject(MALLORY, MultisigApprove(pid)) is ErrorCode.UNAUTHORIZED
    chain.send(CAROL, MultisigApprove(pid))
    assert chain.reject(CAROL, MultisigApprove(pid)) is ErrorCode.ALREADY_VOTED
    chain.send(ALICE, MultisigApprove(pid))
    assert require_proposal(chain.view, pid).status is Status.EXECUTED
    assert treasury.balance(chain.view, cid, NATIVE) == 970
    assert chain.reject(BOB, MultisigApprove(pid)) is ErrorCode.VOTING_CLOSED


def test_an_expelled_spammer_does_not_vote_on_it_is_jailed_and_kicked(chain: Chain) -> None:
    cid = guild(chain)
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(cid, (Expel(MALLORY.address),))))
    p = require_proposal(chain.view, pid)
    assert p.total_power == 20 and MALLORY.address in p.excluded
    assert chain.reject(MALLORY, Vote(pid, NO)) is ErrorCode.UNAUTHORIZED
    for key in (ALICE, BOB, CAROL):
        chain.send(key, Vote(pid, YES))
    assert close(chain, pid) is Status.GRACE
    chain.next_block(2 * DAY)
    chain.next_block()
    assert require_proposal(chain.view, pid).status is Status.EXECUTED
    c = require_collective(chain.view, cid)
    assert require_member(chain.view, cid, MALLORY.address).jailed
    assert current_power(chain.view, cid, c, MALLORY.address, chain.time_ms) == 0
    assert chain.reject(MALLORY, ProposalSubmit(cid, ())) is ErrorCode.JAILED
    chain.send(DAVE, RageKick(cid, MALLORY.address))
    assert get_member(chain.view, cid, MALLORY.address) is None
    assert treasury.balance(chain.view, cid, NATIVE) == 1000 - 1000 * 2 // 22


def test_a_policy_change_leaves_running_votes_alone(chain: Chain) -> None:
    cid = guild(chain)
    running = proposal_id(chain.send(BOB, ProposalSubmit(cid, ())))
    strict = Policy(quorum_ppm=1_000_000, grace_period_ms=0, expedited_period_ms=0)
    change = proposal_id(
        chain.send(ALICE, ProposalSubmit(cid, (SetPolicy(ProposalKind.SIGNAL, strict),)))
    )
    for key in (ALICE, BOB, CAROL):
        chain.send(key, Vote(change, YES))
    chain.send(BOB, Vote(running, YES))
    chain.send(CAROL, Vote(running, YES))
    assert close(chain, change, days=5) is Status.GRACE
    chain.next_block(2 * DAY)
    chain.next_block()
    assert policy_for(chain.view, cid, ProposalKind.SIGNAL) == strict
    assert require_proposal(chain.view, running).status is Status.EXECUTED  # old quorum


def test_parameters_and_locked_roles_change_only_by_vote(chain: Chain) -> None:
    cid = guild(chain)
    actions = (
        SetParams(CollectiveParams(proposal_deposit=7)),
        SetRole(Role.GOVERNOR, BOB.address),
        LockRole(Role.GOVERNOR),
    )
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(cid, actions)))
    for key in (ALICE, BOB, CAROL):
        chain.send(key, Vote(pid, YES))
    close(chain, pid, days=5)
    chain.next_block(2 * DAY)
    chain.next_block()
    assert require_collective(chain.view, cid).params.proposal_deposit == 7
    assert has_role(chain.view, cid, Role.GOVERNOR, BOB.address, chain.time_ms)
    again = ProposalSubmit(cid, (SetRole(Role.GOVERNOR, CAROL.address),))
    assert chain.reject(ALICE, again) is ErrorCode.ROLE_LOCKED


def test_a_withheld_secret_ballot_counts_as_abstain_and_cannot_sink_quorum(chain: Chain) -> None:
    """Carol and Mallory commit, watch the reveals and withhold theirs to keep turnout under
    quorum: a commitment counts as an abstention until it is revealed, so withholding gains
    nothing over abstaining openly."""
    secret = Policy(secret_ballot=True, grace_period_ms=0, expedited_period_ms=0)
    cid = guild(chain, policies=((ProposalKind.SIGNAL, secret),))
    pid = proposal_id(chain.send(BOB, ProposalSubmit(cid, ())))
    for key, ballot in ((BOB, YES), (CAROL, NO), (MALLORY, NO)):
        chain.send(key, VoteCommit(pid, commitment(pid, key.address, ballot, SALT)))
    chain.next_block(3 * DAY)
    chain.send(BOB, VoteReveal(pid, YES, SALT))  # 5 of 22 alone is under the 33.4 % quorum
    chain.next_block(DAY)
    chain.next_block()
    p = require_proposal(chain.view, pid)
    assert p.tally == (5, 0, 7, 0) and p.status is Status.EXECUTED

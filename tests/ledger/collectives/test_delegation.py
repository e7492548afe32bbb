"""Delegation: parts in ppm to several delegates, scoped per proposal kind, one hop, overridden
by the delegator's own vote, and read as of the proposal's snapshot."""

from __future__ import annotations

from ledger.collectives import roster
from ledger.collectives.delegation import ALL_KINDS, Delegate, current_delegations
from ledger.collectives.exit import Ragequit
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.params import DAY
from ledger.collectives.store import require_collective
from ledger.collectives.token_transfer import TokenTransfer
from ledger.errors import ErrorCode
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption, ProposalKind
from ledger.governance.proposal import require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.running import running_tally
from ledger.governance.vote_txs import Vote
from ledger.state.events import Event
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, Chain, proposal_id

YES = Ballot.binary(BinaryOption.YES)
NO = Ballot.binary(BinaryOption.NO)
ABSTAIN = Ballot.binary(BinaryOption.ABSTAIN)
CLASSES = (
    TokenClass("shares", ClassKind.SHARES, transferable=True),
    TokenClass("badge", ClassKind.BADGE),
)


def guild(chain: Chain) -> bytes:
    """Alice 10, Bob 6, Carol 4 voting shares; Dave holds only a badge."""
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (9, 1)), (BOB, (6, 1)), (CAROL, (4, 1)), (DAVE, (1, 1))],
        classes=CLASSES,
    )
    chain.send(DAVE, TokenTransfer(cid, 0, ALICE.address, 1))
    chain.next_block()
    return cid


def signal(chain: Chain, cid: bytes) -> int:
    pid = proposal_id(chain.send(ALICE, ProposalSubmit(cid, (), metadata="restore Earthbound?")))
    chain.next_block()
    return pid


def tally(chain: Chain, pid: int) -> tuple[int, ...]:
    chain.next_block(3 * DAY)
    chain.next_block()
    return require_proposal(chain.view, pid).tally


def test_split_delegation_follows_each_delegates_ballot(chain: Chain) -> None:
    cid = guild(chain)
    chain.send(BOB, Delegate(cid, ALL_KINDS, ((ALICE.address, 500_000), (CAROL.address, 500_000))))
    chain.next_block()
    pid = signal(chain, cid)
    chain.send(ALICE, Vote(pid, YES))
    chain.send(CAROL, Vote(pid, NO))
    assert tally(chain, pid) == (13, 7, 0, 0)


def test_a_direct_vote_overrides_the_delegation(chain: Chain) -> None:
    cid = guild(chain)
    chain.send(BOB, Delegate(cid, ALL_KINDS, ((ALICE.address, 1_000_000),)))
    chain.next_block()
    pid = signal(chain, cid)
    chain.send(ALICE, Vote(pid, YES))
    chain.send(BOB, Vote(pid, ABSTAIN))
    assert tally(chain, pid) == (10, 0, 6, 0)


def test_a_kind_scoped_delegation_wins_over_the_general_one(chain: Chain) -> None:
    cid = guild(chain)
    chain.send(BOB, Delegate(cid, ALL_KINDS, ((ALICE.address, 1_000_000),)))
    chain.send(BOB, Delegate(cid, ProposalKind.SIGNAL, ((CAROL.address, 250_000),)))
    assert len(current_delegations(chain.view, cid, BOB.address)) == 2
    chain.next_block()
    pid = signal(chain, cid)
    chain.send(ALICE, Vote(pid, YES))
    chain.send(CAROL, Vote(pid, NO))
    assert tally(chain, pid) == (10, 4 + 1, 0, 0)  # a quarter of 6, floored


def test_delegation_is_one_hop_only(chain: Chain) -> None:
    cid = guild(chain)
    chain.send(BOB, Delegate(cid, ALL_KINDS, ((CAROL.address, 1_000_000),)))
    chain.send(CAROL, Delegate(cid, ALL_KINDS, ((ALICE.address, 1_000_000),)))
    chain.next_block()
    pid = signal(chain, cid)
    chain.send(ALICE, Vote(pid, YES))
    assert tally(chain, pid) == (14, 0, 0, 0)  # Bob's power stops at Carol, who did not vote


def test_a_delegation_after_the_snapshot_does_not_count(chain: Chain) -> None:
    cid = guild(chain)
    pid = signal(chain, cid)
    chain.send(BOB, Delegate(cid, ALL_KINDS, ((ALICE.address, 1_000_000),)))
    chain.send(ALICE, Vote(pid, YES))
    assert tally(chain, pid) == (10, 0, 0, 0)


def test_a_member_without_shares_votes_with_delegated_power_only(chain: Chain) -> None:
    cid = guild(chain)
    chain.send(CAROL, Delegate(cid, ALL_KINDS, ((DAVE.address, 1_000_000),)))
    chain.next_block()
    pid = signal(chain, cid)
    chain.send(DAVE, Vote(pid, NO))
    assert tally(chain, pid) == (0, 4, 0, 0)


def test_a_member_with_no_power_at_all_cannot_vote(chain: Chain) -> None:
    cid = guild(chain)
    pid = signal(chain, cid)
    assert chain.reject(DAVE, Vote(pid, YES)) is ErrorCode.NO_VOTING_POWER


def test_delegation_refusals_name_their_reason(chain: Chain) -> None:
    cid = guild(chain)

    def reject(*splits: tuple[object, int], scope: int = ALL_KINDS) -> ErrorCode:
        return chain.reject(BOB, Delegate(cid, scope, tuple(splits)))  # type: ignore[arg-type]

    assert reject((ERIN.address, 1)) is ErrorCode.NOT_MEMBER
    assert reject((BOB.address, 1)) is ErrorCode.INVALID_PAYLOAD
    assert reject((ALICE.address, 600_000), (CAROL.address, 400_001)) is ErrorCode.INVALID_PAYLOAD
    assert reject((ALICE.address, 1), (ALICE.address, 1)) is ErrorCode.DUPLICATE_ENTRY
    assert reject((ALICE.address, 0)) is ErrorCode.ZERO_AMOUNT
    assert reject((ALICE.address, 1), scope=999) is ErrorCode.INVALID_PAYLOAD
    assert chain.reject(ERIN, Delegate(cid, ALL_KINDS, ())) is ErrorCode.NOT_MEMBER


def test_leaving_drops_the_members_delegations(chain: Chain) -> None:
    cid = guild(chain)
    chain.send(BOB, Delegate(cid, ALL_KINDS, ((ALICE.address, 1_000_000),)))
    chain.send(BOB, Ragequit(cid, ((0, 6),)))
    assert current_delegations(chain.view, cid, BOB.address) == []


def test_an_empty_scoped_delegation_opts_out_of_the_general_one(chain: Chain) -> None:
    """Bob lends everything to Alice but keeps his vote on signals: an explicit empty scope."""
    cid = guild(chain)
    chain.send(BOB, Delegate(cid, ALL_KINDS, ((ALICE.address, 1_000_000),)))
    chain.send(BOB, Delegate(cid, ProposalKind.SIGNAL, ()))
    chain.next_block()
    pid = signal(chain, cid)
    chain.send(ALICE, Vote(pid, YES))
    assert tally(chain, pid) == (10, 0, 0, 0)  # Bob's 6 stay with Bob, who did not vote


def test_a_delegate_who_leaves_drops_out_of_every_delegation_to_them(chain: Chain) -> None:
    """Carol leaves: Bob's half to her comes back to him, his half to Alice stays, and his
    signal-scoped delegation to her becomes an empty one (his own vote on signals, not a
    hand-over to Alice, whom he did not choose for signals)."""
    cid = guild(chain)
    chain.send(BOB, Delegate(cid, ALL_KINDS, ((ALICE.address, 500_000), (CAROL.address, 500_000))))
    chain.send(BOB, Delegate(cid, ProposalKind.SIGNAL, ((CAROL.address, 1_000_000),)))
    chain.send(ALICE, Delegate(cid, ALL_KINDS, ((BOB.address, 1),)))
    receipt = chain.send(CAROL, Ragequit(cid, ((0, 4),)))
    assert Event.of("member_left", collective=cid, member=CAROL.address.raw) in receipt.events
    view = chain.view
    assert roster.member_count(view, cid) == 3
    assert current_delegations(view, cid, BOB.address) == [(ALL_KINDS, ((ALICE.address, 500_000),))]
    assert current_delegations(view, cid, ALICE.address) == [(ALL_KINDS, ((BOB.address, 1),))]
    chain.next_block()
    pid = signal(chain, cid)
    chain.send(ALICE, Vote(pid, YES))
    assert tally(chain, pid) == (10, 0, 0, 0)  # Bob's 6 stay with Bob, who did not vote


def test_a_delegate_who_leaves_during_a_vote_stops_carrying_what_was_lent(chain: Chain) -> None:
    """Carol votes no with Bob's 6 lent to her, then leaves while the vote is open: her ballot
    carries nothing any more, and Bob, who had not voted, votes with his own 6."""
    cid = guild(chain)
    chain.send(BOB, Delegate(cid, ALL_KINDS, ((CAROL.address, 1_000_000),)))
    chain.next_block()
    pid = signal(chain, cid)
    chain.send(CAROL, Vote(pid, NO))
    assert running_tally(chain.view, pid, require_proposal(chain.view, pid)).scores[1] == 10
    chain.send(CAROL, Ragequit(cid, ((0, 4),)))
    assert running_tally(chain.view, pid, require_proposal(chain.view, pid)).scores[1] == 0
    chain.send(BOB, Vote(pid, YES))
    assert tally(chain, pid) == (6, 0, 0, 0)


def test_a_jailed_delegate_carries_nothing_and_is_delegated_to_no_more(chain: Chain) -> None:
    """An expulsion without forfeit jails Carol (`roster.jail`, what `Expel` runs): the
    delegations to her end as if she had left, and her ballot loses what was lent to it."""
    cid = guild(chain)
    chain.send(BOB, Delegate(cid, ALL_KINDS, ((CAROL.address, 1_000_000),)))
    chain.next_block()
    pid = signal(chain, cid)
    chain.send(CAROL, Vote(pid, NO))
    collective = require_collective(chain.view, cid)
    event = roster.jail(chain.view, chain.height, cid, collective, CAROL.address)
    assert event == Event.of("member_jailed", collective=cid, member=CAROL.address.raw)
    assert current_delegations(chain.view, cid, BOB.address) == []
    assert tally(chain, pid) == (0, 0, 0, 0)

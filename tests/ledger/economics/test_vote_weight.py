"""Standing as voting weight (issue 22): a bonus frozen when the vote opens, own and never lent,
capped, and counted in the vote's total power; the adversary's moves first."""

from __future__ import annotations

from ledger.collectives.delegation import Delegate
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.economics import keys
from ledger.economics.actions import SetReputationPolicy
from ledger.economics.reputation import (
    MICRO,
    Act,
    ReputationPolicy,
    award,
    set_policy,
    standing_micro,
)
from ledger.economics.vote_weight import bonus_for, hold_bonuses
from ledger.governance.core_actions import Expel, TreasurySpend
from ledger.governance.proposal import Status
from ledger.governance.running import cast_weight
from ledger.keys import PrivateKey
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, NO
from tests.ledger.economics.conftest import DAY_MS
from tests.ledger.treasury.conftest import Coop, enact, proposal, settle, submit, vote

MONTH_S = 30 * 24 * 3600
# a tenth of a voting share per point, at most 3 shares; only a passed proposal earns points
WEIGHTED = ReputationPolicy(0, 20, 0, MONTH_S, 100, vote_weight_ppm=100_000, max_vote_bonus=3)
UNWEIGHTED = ReputationPolicy(0, 20, 0, MONTH_S, 100)


def with_policy(coop: Coop, policy: ReputationPolicy) -> None:
    """Alice proposes the policy (it passes: 20 points to her) and a day goes by."""
    enact(coop, [SetReputationPolicy(policy)])
    coop.chain.next_block(DAY_MS)


def spend(coop: Coop, proposer: PrivateKey = BOB) -> int:
    return submit(coop, [TreasurySpend(NATIVE, DAVE.address, 1)], proposer=proposer)


def test_standing_breaks_a_tie_only_when_the_policy_weighs_votes(coop: Coop) -> None:
    """Alice (10 shares, about 20 points) votes yes, Bob (10 shares) no: a tie fails while the
    policy only records standing; once it weighs votes, Alice's 40 points (two passed
    proposals, a little decayed) add a tenth of a share each, capped at 3, and the same vote
    passes 13 to 10."""
    with_policy(coop, UNWEIGHTED)
    tied = spend(coop)
    vote(coop, tied, (ALICE,))
    vote(coop, tied, (BOB,), NO)
    settle(coop, tied)
    assert proposal(coop, tied).status is Status.REJECTED
    enact(coop, [SetReputationPolicy(WEIGHTED)])
    coop.chain.next_block()
    micro = standing_micro(coop.chain.view, coop.cid, ALICE.address, coop.chain.time_ms)
    assert micro > 20 * MICRO  # two passed proposals, some decay
    tipped = spend(coop)
    vote(coop, tipped, (ALICE,))
    vote(coop, tipped, (BOB,), NO)
    assert cast_weight(coop.chain.view, tipped, ALICE.address) == (13, 13)  # 10 + 3 (the cap)
    assert cast_weight(coop.chain.view, tipped, BOB.address) == (10, 10)
    assert proposal(coop, tipped).total_power == 25 + 3
    settle(coop, tipped)
    assert proposal(coop, tipped).status is Status.EXECUTED


def test_standing_earned_after_the_vote_opened_does_not_count(coop: Coop) -> None:
    """Bob has no standing when a vote opens; an act lands during the vote (here: a direct
    award of 100 points): his ballot still counts 10, the next vote counts his bonus (capped)."""
    with_policy(coop, WEIGHTED)
    opened = spend(coop)
    chain = coop.chain
    for day in range(5):
        award(chain.view, coop.cid, BOB.address, Act.PROPOSAL_PASSED, chain.time_ms + day)
    chain.next_block()
    assert standing_micro(chain.view, coop.cid, BOB.address, chain.time_ms) > 0
    vote(coop, opened, (BOB,))
    assert cast_weight(chain.view, opened, BOB.address) == (10, 10)
    later = spend(coop, CAROL)
    vote(coop, later, (BOB,))
    assert cast_weight(chain.view, later, BOB.address) == (13, 13)


def test_a_delegate_does_not_borrow_the_delegators_standing(coop: Coop) -> None:
    """Alice (standing) delegates to Carol: Carol's ballot carries Alice's 10 shares but not her
    bonus; when Alice votes herself, her ballot has the bonus and Carol's drops to her own 5."""
    with_policy(coop, WEIGHTED)
    coop.chain.send(ALICE, Delegate(coop.cid, 0, ((CAROL.address, 1_000_000),)))
    coop.chain.next_block()
    pid = spend(coop)
    vote(coop, pid, (CAROL,))
    assert cast_weight(coop.chain.view, pid, CAROL.address) == (15, 5)
    vote(coop, pid, (ALICE,))
    alice = cast_weight(coop.chain.view, pid, ALICE.address)
    assert alice is not None and alice[0] == alice[1] > 10
    assert cast_weight(coop.chain.view, pid, CAROL.address) == (5, 5)


def test_farming_standing_buys_no_more_than_the_bonus_cap(coop: Coop) -> None:
    """Carol farms acts every day for two months (daily cap 100 points): her standing grows
    large but her ballot gains at most `max_vote_bonus` shares."""
    with_policy(coop, WEIGHTED)
    chain = coop.chain
    for _ in range(60):
        for _act in range(10):
            award(chain.view, coop.cid, CAROL.address, Act.PROPOSAL_PASSED, chain.time_ms)
        chain.next_block(DAY_MS)
    points = standing_micro(chain.view, coop.cid, CAROL.address, chain.time_ms) // MICRO
    assert points > 1_000
    pid = spend(coop)
    vote(coop, pid, (CAROL,))
    assert cast_weight(chain.view, pid, CAROL.address) == (5 + 3, 5 + 3)


def test_an_expulsion_target_has_no_bonus_in_the_total(coop: Coop) -> None:
    """A vote to expel Alice leaves her shares and her bonus out of the total power."""
    with_policy(coop, WEIGHTED)
    for _ in range(2):
        award(coop.chain.view, coop.cid, BOB.address, Act.PROPOSAL_PASSED, coop.chain.time_ms)
    coop.chain.next_block()
    pid = submit(coop, [Expel(ALICE.address)], proposer=BOB)
    assert proposal(coop, pid).total_power == 10 + 5 + 3  # Bob's 40 points: the cap of 3


def test_the_bonus_floors_the_exact_product_once() -> None:
    policy = ReputationPolicy(0, 0, 0, MONTH_S, 0, vote_weight_ppm=100_000, max_vote_bonus=50)
    assert bonus_for(policy, 79 * MICRO // 10) == 0  # 7.9 points x 0.1 = 0.79
    assert bonus_for(policy, 10 * MICRO) == 1
    assert bonus_for(policy, 199 * MICRO // 10) == 1  # 1.99
    assert bonus_for(policy, 10**9 * MICRO) == 50  # the cap


def test_a_policy_changed_in_a_block_weighs_votes_from_the_next_block_on(coop: Coop) -> None:
    """A policy that starts weighing votes in the block where a vote opens must not give that
    vote's ballots a bonus its total left out: `SetReputationPolicy` holds the block's bonuses."""
    chain = coop.chain
    award_points = ReputationPolicy(0, 20, 0, MONTH_S, 100)
    set_policy(chain.view, coop.cid, award_points)
    award(chain.view, coop.cid, BOB.address, Act.PROPOSAL_PASSED, chain.time_ms)
    award(chain.view, coop.cid, BOB.address, Act.PROPOSAL_PASSED, chain.time_ms)
    chain.next_block()
    hold_bonuses(chain.view, coop.cid, chain.height)  # what the action does before setting
    set_policy(chain.view, coop.cid, WEIGHTED)
    same_block = spend(coop, CAROL)
    assert proposal(coop, same_block).total_power == 25
    chain.next_block()
    next_block = spend(coop, ALICE)
    assert proposal(coop, next_block).total_power == 25 + 3


def test_a_voter_who_leaves_during_the_vote_takes_the_bonus_with_them(coop: Coop) -> None:
    """Carol (standing) votes no, then ragequits all her shares: like her shares, her bonus no
    longer counts (a ballot's weight must stay backed by shares still held)."""
    with_policy(coop, WEIGHTED)
    chain = coop.chain
    for _ in range(2):
        award(chain.view, coop.cid, CAROL.address, Act.PROPOSAL_PASSED, chain.time_ms)
    chain.next_block()
    pid = spend(coop, BOB)
    vote(coop, pid, (CAROL,), NO)
    assert cast_weight(chain.view, pid, CAROL.address) == (5 + 3, 5 + 3)
    chain.send(CAROL, Ragequit(coop.cid, ((0, 5),)))
    assert cast_weight(chain.view, pid, CAROL.address) == (0, 0)


def test_bonus_tables_go_when_no_open_vote_uses_them(coop: Coop) -> None:
    """Two votes open in one block share a table; it stays while either can still change its
    tally, and is deleted once both are decided."""
    with_policy(coop, WEIGHTED)
    chain = coop.chain
    first, second = spend(coop, BOB), spend(coop, CAROL)
    table = keys.VOTE_BONUS + coop.cid
    assert list(chain.view.iter_prefix(table))  # Alice's bonus, frozen
    vote(coop, first, (ALICE, BOB))  # certain at once: tallied, then executed after its grace
    while not proposal(coop, first).status.is_final:
        chain.next_block(3600 * 1000)
    assert proposal(coop, second).status is Status.VOTING
    assert list(chain.view.iter_prefix(table))  # the second vote still reads it
    vote(coop, second, (ALICE,))
    assert cast_weight(chain.view, second, ALICE.address) == (11, 11)  # about 20 points: 1
    settle(coop, second)
    assert not list(chain.view.iter_prefix(table))
    assert not list(chain.view.iter_prefix(keys.VOTE_BONUS_TOTAL + coop.cid))

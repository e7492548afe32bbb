"""Every bar of the tally rules at its exact edge: quorum and yes-quorum are reached at equality,
a veto share at equality vetoes, support at exactly the threshold fails (strictly above passes),
an optimistic objection at exactly the rejection share rejects. One electorate of 1,000 makes each
edge land on a whole vote."""

from __future__ import annotations

import dataclasses

from ledger.governance.ballots import Ballot
from ledger.governance.kinds import DecisionMethod, VotingMethod
from ledger.governance.policy import Policy
from ledger.governance.tally import (
    Outcome,
    binary_certain,
    binary_outcome,
    choice_outcome,
    choice_winner,
    instant_runoff,
    scores,
)

POLICY = (
    Policy()
)  # quorum 334,000 ppm, threshold 500,000, veto 334,000, expedited 500,000 / 667,000
TOTAL = 1_000


def outcome(
    yes: int, no: int = 0, abstain: int = 0, veto: int = 0, policy: Policy = POLICY
) -> Outcome:
    return binary_outcome(policy, (yes, no, abstain, veto), TOTAL, expedited=False)


def test_the_quorum_is_reached_at_exactly_its_share() -> None:
    assert outcome(334) is Outcome.PASS
    assert outcome(333) is Outcome.FAIL
    assert outcome(300, abstain=34) is Outcome.PASS


def test_a_veto_share_of_exactly_the_bar_vetoes() -> None:
    assert outcome(666, veto=334) is Outcome.VETO
    assert outcome(667, veto=333) is Outcome.PASS


def test_the_yes_quorum_is_reached_at_exactly_its_share() -> None:
    policy = dataclasses.replace(POLICY, yes_quorum_ppm=500_000)
    assert outcome(500, abstain=500, policy=policy) is Outcome.PASS
    assert outcome(499, abstain=501, policy=policy) is Outcome.FAIL


def test_support_of_exactly_the_threshold_fails() -> None:
    assert outcome(500, 500) is Outcome.FAIL
    assert outcome(501, 499) is Outcome.PASS
    assert outcome(500, 499, veto=1) is Outcome.FAIL  # vetoes count against support


def test_expedited_bars_at_their_edges() -> None:
    def fast(yes: int, no: int = 0, abstain: int = 0) -> Outcome:
        return binary_outcome(POLICY, (yes, no, abstain, 0), TOTAL, expedited=True)

    assert fast(500) is Outcome.PASS and fast(499) is Outcome.FAIL  # quorum 50 %
    assert fast(667, 333) is Outcome.FAIL and fast(668, 332) is Outcome.PASS  # support > 66.7 %


def test_an_objection_of_exactly_the_rejection_share_rejects() -> None:
    lazy = dataclasses.replace(POLICY, method=DecisionMethod.OPTIMISTIC)
    assert outcome(0, 100, policy=lazy) is Outcome.FAIL
    assert outcome(0, 99, policy=lazy) is Outcome.PASS
    assert outcome(0, 50, veto=50, policy=lazy) is Outcome.FAIL


def test_early_execution_is_certain_only_past_every_edge() -> None:
    def certain(yes: int, no: int = 0, policy: Policy = POLICY) -> bool:
        return binary_certain(policy, (yes, no, 0, 0), TOTAL, expedited=False)

    assert certain(667) and not certain(666)  # the 334 left could veto at exactly the bar
    no_veto = dataclasses.replace(POLICY, veto_ppm=0)
    assert certain(501, policy=no_veto) and not certain(500, policy=no_veto)  # all the rest: no
    assert not certain(333, policy=no_veto)  # turnout below the quorum
    yes_quorum = dataclasses.replace(no_veto, yes_quorum_ppm=600_000)
    assert certain(600, policy=yes_quorum) and not certain(599, 100, policy=yes_quorum)
    assert not binary_certain(POLICY, (0, 0, 0, 0), 0, expedited=False)


def test_a_choice_poll_needs_a_winner_and_the_quorum() -> None:
    assert choice_outcome(POLICY, 334, TOTAL, winner=2) is Outcome.PASS
    assert choice_outcome(POLICY, 333, TOTAL, winner=2) is Outcome.FAIL
    assert choice_outcome(POLICY, TOTAL, TOTAL, winner=-1) is Outcome.FAIL
    assert choice_outcome(POLICY, 0, 0, winner=0) is Outcome.FAIL


def test_exactly_half_of_the_live_ballots_is_no_majority() -> None:
    """Choice 1 leads with exactly half, which does not win it the first round; once 2 is
    eliminated choice 0 ties it 6 to 6, and a tie between every remaining choice decides
    nothing (never a choice's number, issue 23): no winner, not the first-round leader."""
    votes = [(6, Ballot((1,))), (4, Ballot((0,))), (2, Ballot((2, 0)))]
    assert instant_runoff(3, votes) == -1
    with_one_more = [*votes, (1, Ballot((0,)))]  # 7 of 13 after the transfer: a majority
    assert instant_runoff(3, with_one_more) == 0


def test_ranked_scores_add_up_every_first_preference() -> None:
    votes = [(2, Ballot((1, 0))), (3, Ballot((1, 2))), (4, Ballot((0,)))]
    assert scores(VotingMethod.RANKED, 3, votes) == [4, 5, 0]


def test_a_single_vote_of_weight_one_wins_a_poll() -> None:
    assert choice_winner(VotingMethod.SINGLE, 3, [(1, Ballot((2,)))]) == 2
    assert choice_winner(VotingMethod.SINGLE, 3, []) == -1


def test_early_certainty_counts_every_vote_and_the_expedited_bars() -> None:
    """With veto off and a 10 % threshold a proposal is certain at exactly the quorum; abstain
    and veto count toward that turnout; an expedited proposal needs its own, higher bars."""
    low = dataclasses.replace(POLICY, veto_ppm=0, threshold_ppm=100_000)

    def certain(tally: tuple[int, int, int, int], policy: Policy = low, fast: bool = False) -> bool:
        return binary_certain(policy, tally, TOTAL, expedited=fast)

    assert certain((334, 0, 0, 0)) and not certain((333, 0, 0, 0))
    assert certain((200, 0, 134, 0))  # abstentions make up the quorum
    assert certain((200, 0, 0, 134))  # so do vetoes (they count against support only)
    no_veto = dataclasses.replace(POLICY, veto_ppm=0)
    assert certain((600, 0, 0, 0), no_veto) and not certain((600, 0, 0, 0), no_veto, fast=True)
    assert binary_certain(POLICY, (1, 0, 0, 0), 1, expedited=False)  # an electorate of one


def test_a_fully_cast_vote_leaves_no_rest_to_veto() -> None:
    """Three voters, all cast: 1 veto of 3 is below a 33.4 % veto bar and nothing is left to
    add to it, so two yes votes are certain."""
    assert binary_certain(POLICY, (2, 0, 0, 1), 3, expedited=False)

"""The pure tally rules: strict thresholds, quorum, veto, yes-quorum, optimistic and expedited
bars, the early-execution certainty bound, and the multiple-choice counts."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.governance.ballots import Ballot
from ledger.governance.kinds import DecisionMethod, VotingMethod
from ledger.governance.policy import Policy
from ledger.governance.tally import (
    Outcome,
    allocation_supported,
    binary_certain,
    binary_outcome,
    choice_winner,
    instant_runoff,
    plurality_winner,
    scores,
)

POLICY = Policy()  # quorum 334,000, threshold 500,000, veto 334,000


def outcome(yes: int, no: int = 0, abstain: int = 0, veto: int = 0, total: int = 100) -> Outcome:
    return binary_outcome(POLICY, (yes, no, abstain, veto), total, expedited=False)


def test_support_must_be_strictly_above_the_threshold() -> None:
    assert outcome(20, 20) is Outcome.FAIL
    assert outcome(21, 20) is Outcome.PASS


def test_participation_must_reach_the_quorum() -> None:
    assert outcome(33) is Outcome.FAIL  # 33.0 % < 33.4 %
    assert outcome(30, abstain=4) is Outcome.PASS  # abstentions count toward the quorum


def test_a_third_of_vetoes_fails_with_a_veto() -> None:
    assert outcome(60, veto=30) is Outcome.PASS  # 30 / 90 < 33.4 %
    assert outcome(60, veto=31) is Outcome.VETO
    assert (
        binary_outcome(dataclasses.replace(POLICY, veto_ppm=0), (60, 0, 0, 40), 100, False)
        is Outcome.PASS
    )


def test_yes_quorum_expedited_bars_and_empty_electorates() -> None:
    strict = dataclasses.replace(POLICY, yes_quorum_ppm=666_667)
    assert binary_outcome(strict, (66, 0, 0, 0), 100, False) is Outcome.FAIL
    assert binary_outcome(strict, (67, 0, 0, 0), 100, False) is Outcome.PASS
    assert binary_outcome(POLICY, (40, 30, 0, 0), 100, expedited=False) is Outcome.PASS
    assert binary_outcome(POLICY, (40, 30, 0, 0), 100, expedited=True) is Outcome.FAIL
    assert binary_outcome(POLICY, (0, 0, 0, 0), 0, False) is Outcome.FAIL


def test_optimistic_proposals_pass_unless_enough_objects() -> None:
    lazy = dataclasses.replace(POLICY, method=DecisionMethod.OPTIMISTIC)
    assert binary_outcome(lazy, (0, 0, 0, 0), 100, False) is Outcome.PASS
    assert binary_outcome(lazy, (0, 9, 0, 0), 100, False) is Outcome.PASS
    assert binary_outcome(lazy, (50, 5, 0, 5), 100, False) is Outcome.FAIL


def test_early_execution_needs_a_decided_outcome() -> None:
    assert not binary_certain(POLICY, (50, 0, 0, 0), 100, False)  # 50 could still veto
    assert binary_certain(POLICY, (67, 0, 0, 0), 100, False)
    assert not binary_certain(POLICY, (55, 10, 0, 0), 100, False)  # 35 could still veto
    assert binary_certain(POLICY, (60, 10, 0, 0), 100, False)
    lazy = dataclasses.replace(POLICY, method=DecisionMethod.OPTIMISTIC)
    assert not binary_certain(lazy, (100, 0, 0, 0), 100, False)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 50), min_size=4, max_size=4),
    st.integers(0, 60),
    st.lists(st.integers(0, 100), min_size=4, max_size=4),
    st.booleans(),
)
def test_a_certain_outcome_survives_any_remaining_votes(
    cast: list[int], rest: int, split: list[int], expedited: bool
) -> None:
    total = sum(cast) + rest
    if not binary_certain(POLICY, cast, total, expedited):
        return
    weights = [w + 1 for w in split]
    extra = [rest * w // sum(weights) for w in weights]
    final = [c + e for c, e in zip(cast, extra, strict=True)]
    assert binary_outcome(POLICY, final, total, expedited) is Outcome.PASS


def test_choice_methods_count_per_choice() -> None:
    votes = [(9, Ballot((0,))), (4, Ballot((1,))), (4, Ballot((1,)))]
    assert scores(VotingMethod.SINGLE, 3, votes) == [9, 8, 0]
    assert choice_winner(VotingMethod.SINGLE, 3, votes) == 0
    approval = [(5, Ballot((0, 1))), (3, Ballot((1, 2)))]
    assert scores(VotingMethod.APPROVAL, 3, approval) == [5, 8, 3]
    weighted = [(10, Ballot((0, 1), (300_000, 700_000)))]
    assert scores(VotingMethod.WEIGHTED, 2, weighted) == [3, 7]
    quadratic = [(100, Ballot((0, 1), (360_000, 640_000))), (16, Ballot((0,), (1_000_000,)))]
    assert scores(VotingMethod.QUADRATIC, 2, quadratic) == [6_000 + 4_000, 8_000]
    assert choice_winner(VotingMethod.SINGLE, 2, [(5, Ballot((0,))), (5, Ballot((1,)))]) == -1


def test_instant_runoff_transfers_eliminated_preferences() -> None:
    votes = [
        (8, Ballot((0, 1))),
        (7, Ballot((1, 0))),
        (6, Ballot((2, 1))),
    ]
    assert instant_runoff(3, votes) == 1  # 2 goes first, its ballots move to 1: 13 of 21
    assert instant_runoff(3, []) == -1
    assert instant_runoff(2, [(5, Ballot((0,))), (5, Ballot((1,)))]) == -1  # a tie: no winner


def test_a_ranked_tie_for_last_place_drops_every_tied_choice() -> None:
    """Choice numbers never decide: 1 and 2 tie for last and both go, 0 wins; and a tie between
    the last choices standing has no winner, as the docs say."""
    votes = [(5, Ballot((0,))), (2, Ballot((1, 0))), (2, Ballot((2, 0)))]
    assert instant_runoff(3, votes) == 0
    assert instant_runoff(3, [(3, Ballot((0,))), (3, Ballot((1,))), (3, Ballot((2,)))]) == -1


def test_quadratic_votes_keep_small_powers_apart() -> None:
    """Powers 1, 2 and 3 used to count 1 each (isqrt of raw units)."""
    votes = [(power, Ballot((i,), (1_000_000,))) for i, power in enumerate((1, 2, 3))]
    assert scores(VotingMethod.QUADRATIC, 3, votes) == [1_000, 1_414, 1_732]
    assert choice_winner(VotingMethod.QUADRATIC, 3, votes) == 2


RANKINGS = st.lists(
    st.tuples(st.integers(1, 5), st.permutations(range(4)).map(tuple), st.integers(1, 4)),
    max_size=6,
)


@settings(max_examples=80, deadline=None)
@given(RANKINGS, st.permutations(range(4)))
def test_ranked_choice_is_neutral_to_how_choices_are_numbered(
    rankings: list[tuple[int, tuple[int, ...], int]], relabel: list[int]
) -> None:
    """Renumbering the choices renumbers the winner: no tie is ever broken by a number."""
    votes = [(w, Ballot(order[:depth])) for w, order, depth in rankings]
    renamed = [(w, Ballot(tuple(relabel[o] for o in b.options))) for w, b in votes]
    winner = instant_runoff(4, votes)
    assert instant_runoff(4, renamed) == (relabel[winner] if winner >= 0 else -1)


def test_an_allocation_passes_only_strictly_above_the_threshold_of_all_scores() -> None:
    """The last choice is "none": the targets together need more than the threshold (half by
    default) of every score, as yes over yes + no; one unit of support can be enough."""
    assert not allocation_supported(POLICY, [40, 60])  # support alone is not enough
    assert not allocation_supported(POLICY, [25, 25, 50])  # exactly half: not above
    assert allocation_supported(POLICY, [26, 25, 50])
    assert allocation_supported(POLICY, [1, 0])  # the smallest support there is
    assert not allocation_supported(POLICY, [0, 0])


def test_a_quadratic_poll_is_won_by_breadth_not_by_one_large_holder() -> None:
    """100 units on option 0 count sqrt: 10,000; two holders of 36 on option 1 count 6,000
    each. Summed plainly the large holder would win."""
    votes = [(100, Ballot((0,), (1_000_000,))), *((36, Ballot((1,), (1_000_000,))),) * 2]
    assert choice_winner(VotingMethod.QUADRATIC, 2, votes) == 1
    assert choice_winner(VotingMethod.WEIGHTED, 2, votes) == 0


def test_a_ranked_poll_without_ballots_or_with_one_voter() -> None:
    assert instant_runoff(1, []) == -1  # one choice but nobody ranked it: no winner
    assert instant_runoff(2, [(1, Ballot((0,)))]) == 0  # one unit is a majority of one


def test_plurality_with_no_choices_has_no_winner() -> None:
    assert plurality_winner([]) == -1
    assert plurality_winner([0, 0]) == -1

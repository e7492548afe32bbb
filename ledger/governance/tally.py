"""Pure tally rules in integer ppm: no state, no floats, one function per rule.

Binary (Cosmos x/gov, Aragon): a proposal passes when participation >= quorum, vetoes stay below
the veto threshold, yes reaches the optional yes-quorum, and support yes / (yes + no + veto) is
strictly above the threshold. Early execution (Aragon) passes a proposal before its end when the
outcome holds even if every remaining vote were cast against it. Optimistic proposals pass unless
no + veto reach the rejection share of the total (Cosmos ADR-069, Colony lazy consensus).
Multiple-choice polls (Snapshot) are counted per choice; ranked choice runs an instant runoff.
An allocation poll passes when its targets' scores clear the threshold against its "none" choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from math import isqrt

from ledger.collectives.params import PPM
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption, DecisionMethod, VotingMethod
from ledger.governance.policy import Policy

Weighted = Sequence[tuple[int, Ballot]]  # (voting weight, ballot)


class Outcome(Enum):
    PASS = "pass"
    FAIL = "fail"
    VETO = "veto"


def scores(method: VotingMethod, option_count: int, votes: Weighted) -> list[int]:
    """Per-option totals: weight x ppm, floored per voter. Quadratic counts the square root of
    weight x ppm, i.e. of the voter's part in thousandths of a unit (isqrt(weight x ppm) =
    1000 x sqrt(weight x ppm / 1e6), floored), so small powers stay apart: 1, 2 and 3 units
    count 1,000, 1,414 and 1,732 (issue 23; on raw units all three counted 1)."""
    out = [0] * option_count
    for weight, ballot in votes:
        if method is VotingMethod.RANKED:
            out[ballot.options[0]] += weight
            continue
        for option, ppm in ballot.parts():
            if method is VotingMethod.QUADRATIC:
                out[option] += isqrt(weight * ppm)  # sqrt(weight x share) in 1/1000 units
            else:
                out[option] += weight * ppm // PPM
    return out


def participation(votes: Weighted) -> int:
    return sum(weight for weight, _ in votes)


def _bars(policy: Policy, expedited: bool) -> tuple[int, int]:
    if expedited:
        return policy.expedited_quorum_ppm, policy.expedited_threshold_ppm
    return policy.quorum_ppm, policy.threshold_ppm


def binary_outcome(policy: Policy, tally: Sequence[int], total: int, expedited: bool) -> Outcome:
    yes, no, abstain, veto = (tally[o] for o in BinaryOption)
    if total == 0:
        return Outcome.FAIL
    if policy.method is DecisionMethod.OPTIMISTIC:
        objected = (no + veto) * PPM >= policy.optimistic_reject_ppm * total
        return Outcome.FAIL if objected else Outcome.PASS
    quorum, threshold = _bars(policy, expedited)
    turnout = yes + no + abstain + veto
    if turnout * PPM < quorum * total:
        return Outcome.FAIL
    if policy.veto_ppm and veto * PPM >= policy.veto_ppm * turnout:
        return Outcome.VETO
    if yes * PPM < policy.yes_quorum_ppm * total:
        return Outcome.FAIL
    if yes * PPM <= threshold * (yes + no + veto):
        return Outcome.FAIL
    return Outcome.PASS


def binary_certain(policy: Policy, tally: Sequence[int], total: int, expedited: bool) -> bool:
    """True when the proposal passes whatever the power that has not voted does (worst case:
    it all votes veto, or no where veto is off). `tally` must count direct votes only."""
    if policy.method is not DecisionMethod.VOTE or total == 0:
        return False
    yes, no, abstain, veto = (tally[o] for o in BinaryOption)
    turnout = yes + no + abstain + veto
    rest = max(0, total - turnout)
    quorum, threshold = _bars(policy, expedited)
    if turnout * PPM < quorum * total or yes * PPM < policy.yes_quorum_ppm * total:
        return False
    if policy.veto_ppm and (veto + rest) * PPM >= policy.veto_ppm * (turnout + rest):
        return False
    return yes * PPM > threshold * (yes + no + veto + rest)


def choice_winner(method: VotingMethod, option_count: int, votes: Weighted) -> int:
    """The winning choice, or -1 on a tie for first place or when nobody voted."""
    if method is VotingMethod.RANKED:
        return instant_runoff(option_count, votes)
    return plurality_winner(scores(method, option_count, votes))


def plurality_winner(totals: Sequence[int]) -> int:
    """The choice with the strictly highest score, or -1 on a tie for first or no score."""
    best = max(totals, default=0)
    if best == 0 or totals.count(best) > 1:
        return -1
    return list(totals).index(best)


def instant_runoff(option_count: int, votes: Weighted) -> int:
    """Eliminate the weakest choices until one holds a strict majority of the live ballots.
    Every choice tied for last place goes at once, so no tie is broken by a choice's number;
    when all the choices left are tied (or every ballot is exhausted) there is no winner (-1),
    as for a tie for first in the other poll methods (issue 23)."""
    alive = set(range(option_count))
    while alive:
        counts = dict.fromkeys(alive, 0)
        for weight, ballot in votes:
            top = next((o for o in ballot.options if o in alive), None)
            if top is not None:
                counts[top] += weight
        live = sum(counts.values())
        if live == 0:
            return -1
        best = max(counts.values())
        if best * 2 > live or len(alive) == 1:
            return next(o for o in alive if counts[o] == best)
        worst = min(counts.values())
        if worst == best:
            return -1
        alive -= {o for o in alive if counts[o] == worst}
    return -1


def allocation_supported(policy: Policy, tally: Sequence[int]) -> bool:
    """An allocation poll's last choice is "none": the targets' scores together must be
    strictly above the policy's threshold of all scores (as yes over yes + no)."""
    support = sum(tally[:-1])
    return support > 0 and support * PPM > policy.threshold_ppm * sum(tally)


def choice_outcome(policy: Policy, turnout: int, total: int, winner: int) -> Outcome:
    if total == 0 or winner < 0 or turnout * PPM < policy.quorum_ppm * total:
        return Outcome.FAIL
    return Outcome.PASS

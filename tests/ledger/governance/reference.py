"""The tally rules as they were counted from scratch before running tallies (main at 2010e93),
kept as the reference the running tallies must equal exactly: every member visited per call.
Since then one rule was added: a delegate lapsed at the start of voting carries nothing."""

from __future__ import annotations

from ledger.collectives.checkpoints import point_at
from ledger.collectives.delegation import effective_delegation
from ledger.collectives.params import PPM
from ledger.collectives.store import get_member, iter_members
from ledger.governance.ballots import Ballot, ballots
from ledger.governance.electorate import snapshot_power
from ledger.governance.kinds import VotingMethod
from ledger.governance.proposal import Proposal
from ledger.governance.tally import participation, scores
from ledger.keys import Address
from ledger.state.view import StateView


def total_power(view: StateView, proposal: Proposal) -> int:
    return sum(
        snapshot_power(view, proposal, who) for who, _ in iter_members(view, proposal.collective)
    )


def has_weight(view: StateView, proposal: Proposal, who: Address) -> bool:
    if snapshot_power(view, proposal, who) > 0:
        return True
    if who in proposal.excluded or not _carries(view, proposal, who):
        return False
    for member, _ in iter_members(view, proposal.collective):
        splits = effective_delegation(
            view, proposal.collective, member, proposal.kind, proposal.snapshot_height
        )
        if any(d == who for d, _ in splits) and snapshot_power(view, proposal, member) > 0:
            return True
    return False


def direct_votes(view: StateView, pid: int, proposal: Proposal) -> list[tuple[int, Ballot]]:
    return [
        (snapshot_power(view, proposal, voter), ballot)
        for voter, ballot in ballots(view, pid)
        if voter not in proposal.excluded
    ]


def weighted_votes(view: StateView, pid: int, proposal: Proposal) -> list[tuple[int, Ballot]]:
    cast = {voter: ballot for voter, ballot in ballots(view, pid) if voter not in proposal.excluded}
    weight = {voter: snapshot_power(view, proposal, voter) for voter in cast}
    for who, _ in iter_members(view, proposal.collective):
        if who in cast or who in proposal.excluded:
            continue
        power = snapshot_power(view, proposal, who)
        if power == 0:
            continue
        splits = effective_delegation(
            view, proposal.collective, who, proposal.kind, proposal.snapshot_height
        )
        for delegate, ppm in splits:
            if delegate in weight and _carries(view, proposal, delegate):
                weight[delegate] += power * ppm // PPM
    return [(weight[voter], cast[voter]) for voter in sorted(cast, key=lambda a: a.raw)]


def _carries(view: StateView, proposal: Proposal, delegate: Address) -> bool:
    """Lent power counts only for a delegate who is still a member and not jailed, and whose
    membership had not lapsed at the start of voting (by their point at the snapshot)."""
    member = get_member(view, proposal.collective, delegate)
    if member is None or member.jailed:
        return False
    point = point_at(view, proposal.collective, delegate, proposal.snapshot_height)
    return not point.voting_until or proposal.start_ms < point.voting_until


def reference_tally(
    view: StateView, pid: int, proposal: Proposal
) -> tuple[tuple[int, ...], tuple[int, ...], int, int, list[tuple[int, Ballot]]]:
    """(scores, direct scores, turnout, voters, weighted votes) counted from scratch."""
    n = 4 if proposal.method is VotingMethod.BINARY else len(proposal.choices)
    votes = weighted_votes(view, pid, proposal)
    direct = scores(proposal.method, n, direct_votes(view, pid, proposal))
    return (
        tuple(scores(proposal.method, n, votes)),
        tuple(direct),
        participation(votes),
        len(votes),
        votes,
    )

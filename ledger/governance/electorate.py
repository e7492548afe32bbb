"""Who votes with how much power on a proposal, as of its snapshot.

A member's weight is their voting-power checkpoint at the snapshot height, usable at the time
voting started (an expired membership past its grace does not vote), and never more than the
voting shares they still hold when the vote counts: power at the snapshot must stay backed, so
an exit, a transfer or a jailing during the vote takes its weight with it (issue 23, item 5).
A voter's ballot carries their own weight plus the parts delegated to them by members who did
not vote themselves (one hop; a direct vote overrides the delegation). Expulsion targets are
left out entirely.
"""

from __future__ import annotations

from ledger.collectives.checkpoints import latest_power, point_at
from ledger.collectives.delegation import effective_delegation
from ledger.collectives.params import PPM
from ledger.collectives.store import iter_members
from ledger.governance.ballots import Ballot, ballots
from ledger.governance.proposal import Proposal
from ledger.keys import Address
from ledger.state.view import StateView


def snapshot_power(view: StateView, proposal: Proposal, who: Address) -> int:
    if who in proposal.excluded:
        return 0
    point = point_at(view, proposal.collective, who, proposal.snapshot_height)
    power = point.at(proposal.start_ms)
    return min(power, latest_power(view, proposal.collective, who)) if power else 0


def total_power(view: StateView, proposal: Proposal) -> int:
    """The electorate's total power: every current member's snapshot power."""
    return sum(
        snapshot_power(view, proposal, who) for who, _ in iter_members(view, proposal.collective)
    )


def has_weight(view: StateView, proposal: Proposal, who: Address) -> bool:
    """True when `who` has own snapshot power, or some member delegated to them."""
    if snapshot_power(view, proposal, who) > 0:
        return True
    if who in proposal.excluded:
        return False
    for member, _ in iter_members(view, proposal.collective):
        splits = effective_delegation(
            view, proposal.collective, member, proposal.kind, proposal.snapshot_height
        )
        if any(d == who for d, _ in splits) and snapshot_power(view, proposal, member) > 0:
            return True
    return False


def direct_votes(view: StateView, pid: int, proposal: Proposal) -> list[tuple[int, Ballot]]:
    """Ballots weighted by their voters' own power only (the early-execution lower bound)."""
    return [
        (snapshot_power(view, proposal, voter), ballot)
        for voter, ballot in ballots(view, pid)
        if voter not in proposal.excluded
    ]


def weighted_votes(view: StateView, pid: int, proposal: Proposal) -> list[tuple[int, Ballot]]:
    """Ballots weighted by own power plus what non-voting delegators lent to the voter."""
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
            if delegate in weight:
                weight[delegate] += power * ppm // PPM
    return [(weight[voter], cast[voter]) for voter in sorted(cast, key=lambda a: a.raw)]

"""Who votes with how much power on a proposal, as of its snapshot.

A member's weight is their voting-power checkpoint at the snapshot height, usable at the time
voting started (an expired membership past its grace does not vote), and never more than the
voting shares they still hold when the vote counts: power at the snapshot must stay backed, so
an exit, a transfer or a jailing during the vote takes its weight with it (issue 23, item 5).
A voter's ballot carries their own weight plus the parts delegated to them by members who did
not vote themselves (one hop; a direct vote overrides the delegation), counted while the
delegator is a member and the delegate carries delegations (`delegation.carries_delegations`:
a member, not jailed, not lapsed when voting started). Expulsion targets are left out
entirely. Ballots are counted as they come in and as power changes
(`ledger.governance.running`), and the electorate's total is kept as points change
(`ledger.collectives.power_totals`): nothing here visits every member.
"""

from __future__ import annotations

from ledger.collectives.checkpoints import latest_power, point_at, total_at_start
from ledger.collectives.delegation import (
    carries_delegations,
    delegators_of,
    effective_delegation,
)
from ledger.collectives.store import get_member
from ledger.governance.proposal import Proposal
from ledger.governance.weight_bonus import bonus_total
from ledger.keys import Address
from ledger.state.view import StateView


def snapshot_power(view: StateView, proposal: Proposal, who: Address) -> int:
    if who in proposal.excluded:
        return 0
    point = point_at(view, proposal.collective, who, proposal.snapshot_height)
    power = point.at(proposal.start_ms)
    return min(power, latest_power(view, proposal.collective, who)) if power else 0


def total_power(view: StateView, proposal: Proposal) -> int:
    """The electorate's total power: every current member's snapshot power, read from the
    collective's running total (the snapshot is the block before the current one), plus the
    voters' bonuses (`ledger.governance.weight_bonus`, 0 unless a collective weighs votes by
    standing)."""
    cid = proposal.collective
    total = total_at_start(view, cid, proposal.snapshot_height + 1, proposal.start_ms)
    for who in proposal.excluded:
        if get_member(view, cid, who) is not None:
            total -= point_at(view, cid, who, proposal.snapshot_height).at(proposal.start_ms)
    return total + bonus_total(view, proposal)


def has_weight(view: StateView, proposal: Proposal, who: Address) -> bool:
    """True when `who` has own snapshot power, or some member delegated to them. Reads only the
    candidates of the reverse delegation index, never every member."""
    if snapshot_power(view, proposal, who) > 0:
        return True
    if who in proposal.excluded:
        return False
    cid, height = proposal.collective, proposal.snapshot_height
    if not carries_delegations(view, cid, who, height, proposal.start_ms):
        return False  # a delegate whose membership lapsed before the start carries nothing
    for member in delegators_of(view, proposal.collective, who):
        if get_member(view, proposal.collective, member) is None:
            continue
        splits = effective_delegation(
            view, proposal.collective, member, proposal.kind, proposal.snapshot_height
        )
        if any(d == who for d, _ in splits) and snapshot_power(view, proposal, member) > 0:
            return True
    return False

"""Who votes with how much power on a proposal, as of its snapshot.

A member's weight is their voting-power checkpoint at the snapshot height, usable at the time
voting started (an expired membership past its grace does not vote). A voter's ballot carries
their own weight plus the parts delegated to them by members who did not vote themselves
(one hop; a direct vote overrides the delegation), counted while the delegator is a member.
Expulsion targets are left out entirely. Ballots are counted as they come in
(`ledger.governance.running`); only the electorate's total at the start visits every member.
"""

from __future__ import annotations

from ledger.collectives.checkpoints import point_at
from ledger.collectives.delegation import delegators_of, effective_delegation
from ledger.collectives.store import get_member, iter_members
from ledger.governance.proposal import Proposal
from ledger.keys import Address
from ledger.state.view import StateView


def snapshot_power(view: StateView, proposal: Proposal, who: Address) -> int:
    if who in proposal.excluded:
        return 0
    point = point_at(view, proposal.collective, who, proposal.snapshot_height)
    return point.at(proposal.start_ms)


def total_power(view: StateView, proposal: Proposal) -> int:
    """The electorate's total power: every current member's snapshot power."""
    return sum(
        snapshot_power(view, proposal, who) for who, _ in iter_members(view, proposal.collective)
    )


def has_weight(view: StateView, proposal: Proposal, who: Address) -> bool:
    """True when `who` has own snapshot power, or some member delegated to them. Reads only the
    candidates of the reverse delegation index, never every member."""
    if snapshot_power(view, proposal, who) > 0:
        return True
    if who in proposal.excluded:
        return False
    for member in delegators_of(view, proposal.collective, who):
        if get_member(view, proposal.collective, member) is None:
            continue
        splits = effective_delegation(
            view, proposal.collective, member, proposal.kind, proposal.snapshot_height
        )
        if any(d == who for d, _ in splits) and snapshot_power(view, proposal, member) > 0:
            return True
    return False

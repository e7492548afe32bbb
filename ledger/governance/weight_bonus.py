"""Voting weight a ballot gains beyond voting shares, from rules that live in their own modules
(reputation: `ledger.economics.vote_weight`).

A provider gives, for a collective's snapshot height, the bonus of one voter, and for a proposal
the electorate's total bonus. The bonus is the voter's own: it is added to their ballot (own and
counted weight) and to the proposal's total power, never lent through a delegation (standing is
not transferable). Like shares, it must stay backed: it counts only while the voter still holds
some of their snapshot power (`ledger.governance.running`). Expulsion targets have none. Without
a provider every bonus is 0, so a collective that does not weigh votes counts exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.governance.proposal import Proposal
from ledger.keys import Address
from ledger.state.view import StateView

BonusOf = Callable[[StateView, bytes, int, Address], int]  # (view, cid, snapshot height, who)
BonusTotal = Callable[[StateView, Proposal], int]

_PROVIDERS: list[tuple[BonusOf, BonusTotal]] = []


def register_weight_bonus(bonus_of: BonusOf, total: BonusTotal) -> None:
    _PROVIDERS.append((bonus_of, total))


def bonus(view: StateView, proposal: Proposal, who: Address) -> int:
    """The extra weight `who`'s own ballot counts with on `proposal`."""
    if who in proposal.excluded:
        return 0
    return bonus_at(view, proposal.collective, proposal.snapshot_height, who)


def bonus_at(view: StateView, cid: bytes, snapshot_height: int, who: Address) -> int:
    """`who`'s bonus on the votes of `cid` with this snapshot (the caller leaves out
    expulsion targets)."""
    return sum(of(view, cid, snapshot_height, who) for of, _ in _PROVIDERS)


def bonus_total(view: StateView, proposal: Proposal) -> int:
    """The electorate's total bonus (expulsion targets' left out), added to its total power."""
    total = sum(of_all(view, proposal) for _, of_all in _PROVIDERS)
    for who in proposal.excluded:
        total -= bonus_at(view, proposal.collective, proposal.snapshot_height, who)
    return total

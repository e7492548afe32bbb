"""Voting weight a ballot gains beyond voting shares, from rules that live in their own modules
(reputation: `ledger.economics.vote_weight`).

A provider gives, for a proposal's snapshot, the bonus of one voter and the electorate's total
bonus. The bonus is the voter's own: it is added to their ballot (own and counted weight) and to
the proposal's total power, never lent through a delegation (standing is not transferable).
Expulsion targets have none. Without a provider every bonus is 0, so a collective that does not
weigh votes by standing counts exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.governance.proposal import Proposal
from ledger.keys import Address
from ledger.state.view import StateView

BonusOf = Callable[[StateView, Proposal, Address], int]
BonusTotal = Callable[[StateView, Proposal], int]

_PROVIDERS: list[tuple[BonusOf, BonusTotal]] = []


def register_weight_bonus(bonus_of: BonusOf, total: BonusTotal) -> None:
    _PROVIDERS.append((bonus_of, total))


def bonus(view: StateView, proposal: Proposal, who: Address) -> int:
    """The extra weight `who`'s own ballot counts with on `proposal`."""
    if who in proposal.excluded:
        return 0
    return sum(of(view, proposal, who) for of, _ in _PROVIDERS)


def bonus_total(view: StateView, proposal: Proposal) -> int:
    """The electorate's total bonus (expulsion targets' left out), added to its total power."""
    total = sum(of_all(view, proposal) for _, of_all in _PROVIDERS)
    for who in proposal.excluded:
        total -= sum(of(view, proposal, who) for of, _ in _PROVIDERS)
    return total

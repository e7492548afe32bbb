"""The payee graph of splits: every named party must exist, and no split may reach itself.

Payouts credit nested splits without distributing them, so a cycle would not loop forever; it is
refused anyway because value sent round a cycle would pay keepers again and again and make "who is
finally paid" meaningless. The search is bounded so that checking costs bounded work per tx.
"""

from __future__ import annotations

from collections.abc import Iterable

from ledger.errors import ErrorCode, TxError
from ledger.splits.parties import Party, PartyKind, party_sink
from ledger.splits.store import find_config
from ledger.state.view import StateView

MAX_GRAPH_NODES = 256


def check_party_exists(view: StateView, party: Party) -> None:
    """Raise unless `party` can be paid (accounts always can; splits and plug-ins must exist)."""
    if party.kind is PartyKind.ACCOUNT:
        return
    if party.kind is PartyKind.SPLIT:
        if find_config(view, party.id) is None:
            raise TxError(ErrorCode.NOT_FOUND, f"no split {party.id.hex()}")
        return
    sink = party_sink(party.kind)
    if sink is None:
        raise TxError(
            ErrorCode.SPLIT_UNSUPPORTED_PARTY, f"{party.kind.name} parties are not supported yet"
        )
    if not sink.exists(view, party):
        raise TxError(ErrorCode.NOT_FOUND, f"no {party.kind.name.lower()} {party.id.hex()}")


def check_no_cycle(view: StateView, split_id: bytes, payees: Iterable[Party]) -> None:
    """Refuse if `split_id` is reachable from `payees` through nested splits (depth-first)."""
    stack = [p.id for p in payees if p.kind is PartyKind.SPLIT]
    seen: set[bytes] = set()
    while stack:
        node = stack.pop()
        if node == split_id:
            raise TxError(ErrorCode.SPLIT_CYCLE, f"split {split_id.hex()} would pay itself")
        if node in seen:
            continue
        seen.add(node)
        if len(seen) > MAX_GRAPH_NODES:
            raise TxError(
                ErrorCode.SPLIT_GRAPH_TOO_LARGE,
                f"more than {MAX_GRAPH_NODES} nested splits are reachable",
            )
        config = find_config(view, node)
        if config is None:
            raise TxError(ErrorCode.NOT_FOUND, f"no split {node.hex()}")
        stack.extend(p.id for p in config.parties() if p.kind is PartyKind.SPLIT)


def check_payees(view: StateView, split_id: bytes, payees: list[Party]) -> None:
    """Cycle first, so that naming the split's own (future) id is a cycle, not a missing split."""
    check_no_cycle(view, split_id, payees)
    for party in payees:
        check_party_exists(view, party)

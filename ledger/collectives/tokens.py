"""Every change of a token holding: credit/debit between holders and vaults, mint and burn.

`credit_holding`/`debit_holding` move units between a holder and a vault (a treasury or an
escrow) and leave the supply alone; `mint`/`burn` change the supply too and return the event
that records it, so the supply changes exactly by the minted and burned amounts. A holding of a
voting class re-syncs the holder's voting-power checkpoint, and every change first settles the
holder's payouts (`ledger.collectives.payouts`): units earn only what is paid while they are held.
"""

from __future__ import annotations

from ledger.codec import U64_MAX
from ledger.collectives import checkpoints, holdings, payouts
from ledger.collectives.ids import Asset
from ledger.collectives.model import ClassKind, Collective
from ledger.collectives.store import get_member
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.events import Event
from ledger.state.view import StateView


def credit_holding(
    view: StateView,
    height: int,
    cid: bytes,
    collective: Collective,
    *,
    token_class: int,
    to: Address,
    amount: int,
) -> None:
    cls = collective.token_class(token_class)
    if cls.members_only and get_member(view, cid, to) is None:
        raise TxError(ErrorCode.NOT_MEMBER, f"class {cls.name!r} may only be held by members")
    if amount == 0:
        return
    current = holdings.holding(view, cid, token_class, to)
    if current + amount > U64_MAX:
        raise TxError(ErrorCode.OVERFLOW, f"holding of {to!r} would overflow")
    payouts.on_change(view, Asset(cid, token_class), to, current, current + amount)
    holdings.put_holding(view, cid, token_class, to, current + amount)
    if cls.kind is ClassKind.SHARES:
        checkpoints.sync(view, height, cid, collective, to)


def debit_holding(
    view: StateView,
    height: int,
    cid: bytes,
    collective: Collective,
    *,
    token_class: int,
    holder: Address,
    amount: int,
) -> None:
    cls = collective.token_class(token_class)
    if amount == 0:
        return
    current = holdings.holding(view, cid, token_class, holder)
    if current < amount:
        raise TxError(
            ErrorCode.INSUFFICIENT_FUNDS, f"{holder!r} holds {current} {cls.name}, not {amount}"
        )
    payouts.on_change(view, Asset(cid, token_class), holder, current, current - amount)
    holdings.put_holding(view, cid, token_class, holder, current - amount)
    if cls.kind is ClassKind.SHARES:
        checkpoints.sync(view, height, cid, collective, holder)


def mint(
    view: StateView,
    height: int,
    cid: bytes,
    collective: Collective,
    *,
    token_class: int,
    to: Address,
    amount: int,
) -> Event:
    total = holdings.supply(view, cid, token_class)
    if total + amount > U64_MAX:
        raise TxError(ErrorCode.OVERFLOW, "token supply would overflow")
    credit_holding(view, height, cid, collective, token_class=token_class, to=to, amount=amount)
    holdings.put_supply(view, cid, token_class, total + amount)
    return Event.of("mint", collective=cid, token_class=token_class, to=to.raw, amount=amount)


def burn(
    view: StateView,
    height: int,
    cid: bytes,
    collective: Collective,
    *,
    token_class: int,
    holder: Address,
    amount: int,
) -> Event:
    debit_holding(
        view, height, cid, collective, token_class=token_class, holder=holder, amount=amount
    )
    holdings.put_supply(view, cid, token_class, holdings.supply(view, cid, token_class) - amount)
    return Event.of(
        "burn", collective=cid, token_class=token_class, holder=holder.raw, amount=amount
    )


def burn_all(
    view: StateView, height: int, cid: bytes, collective: Collective, holder: Address
) -> list[Event]:
    """Burn every holding of `holder` (a member leaving or kicked)."""
    events = []
    for index, amount in enumerate(holdings.holdings_of(view, cid, collective, holder)):
        if amount:
            events.append(
                burn(view, height, cid, collective, token_class=index, holder=holder, amount=amount)
            )
    return events

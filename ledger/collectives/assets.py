"""Moving an asset between an account and a vault (a treasury or an escrow).

The native coin lives in accounts (`ledger.state.accounts`); a collective token lives in
holdings. A vault may hold a token only if its class is transferable and not members-only (a
vault is not a member), so whatever a vault holds can always be paid out to any address.
Moving exit-bearing units into a vault (a deposit, a tribute, an in-kind admission price) is a
transfer like any other, so the holder's exit lock applies to it (issue 23, item 6).
"""

from __future__ import annotations

from ledger.collectives.exitlock import require_unlocked
from ledger.collectives.ids import Asset
from ledger.collectives.store import require_collective
from ledger.collectives.tokens import credit_holding, debit_holding
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state import accounts
from ledger.state.view import StateView


def check_vault_asset(view: StateView, asset: Asset) -> None:
    """Raise unless a vault may hold `asset`."""
    if asset.is_native:
        return
    cls = require_collective(view, asset.collective).token_class(asset.token_class)
    if not cls.transferable or cls.members_only:
        raise TxError(
            ErrorCode.NOT_TRANSFERABLE,
            f"token class {cls.name!r} is not transferable to non-members",
        )


def take(view: StateView, height: int, owner: Address, asset: Asset, amount: int) -> None:
    """Debit `amount` of `asset` from `owner` for a vault (the caller credits the vault)."""
    if asset.is_native:
        accounts.debit(view, owner, amount)
        return
    check_vault_asset(view, asset)
    collective = require_collective(view, asset.collective)
    if collective.token_class(asset.token_class).kind.has_exit:
        require_unlocked(view, asset.collective, owner)
    debit_holding(
        view,
        height,
        asset.collective,
        collective,
        token_class=asset.token_class,
        holder=owner,
        amount=amount,
    )


def give(view: StateView, height: int, to: Address, asset: Asset, amount: int) -> None:
    """Credit `amount` of `asset` to `to` out of a vault (the caller debited the vault)."""
    if asset.is_native:
        accounts.credit(view, to, amount)
        return
    collective = require_collective(view, asset.collective)
    credit_holding(
        view,
        height,
        asset.collective,
        collective,
        token_class=asset.token_class,
        to=to,
        amount=amount,
    )

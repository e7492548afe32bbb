"""The deposit whitelist: which tokens a collective accepts into its treasury (Moloch's
whitelisted tokens). The native coin is always accepted; another collective's token only after an
`AcceptAsset` proposal action added it, and no longer once one removed it (what the treasury
already holds stays). A treasury never holds its own collective's tokens.

Deposits (`TreasuryDeposit`) check the whitelist. A membership tribute in a token does not: the
admission vote that takes it is the collective's explicit acceptance of that one payment.
"""

from __future__ import annotations

from ledger.collectives.assets import check_vault_asset
from ledger.collectives.ids import Asset
from ledger.errors import ErrorCode, TxError
from ledger.state.reader import StateReader
from ledger.state.view import StateView
from ledger.treasury import keys


def is_accepted(view: StateReader, cid: bytes, asset: Asset) -> bool:
    if asset.is_native:
        return True
    return view.get(keys.accepted(cid, asset.raw)) is not None


def accepted_assets(view: StateReader, cid: bytes) -> list[Asset]:
    """Every whitelisted token of a collective, in asset order (the native coin is implied)."""
    prefix = keys.ACCEPTED + cid
    return [Asset.parse(key[len(prefix) :]) for key, _ in view.iter_prefix(prefix)]


def check_acceptable(view: StateView, cid: bytes, asset: Asset) -> None:
    """Raise unless `asset` could be whitelisted by collective `cid`."""
    if asset.is_native:
        raise TxError(ErrorCode.INVALID_ACTION, "the native coin is always accepted")
    if asset.collective == cid:
        raise TxError(ErrorCode.INVALID_ACTION, "a treasury cannot hold its own tokens")
    check_vault_asset(view, asset)  # NOT_FOUND for an unknown collective or class


def set_accepted(view: StateView, cid: bytes, asset: Asset, accepted: bool) -> None:
    if accepted:
        view.put(keys.accepted(cid, asset.raw), b"\x01")
    else:
        view.delete(keys.accepted(cid, asset.raw))


def require_accepted(view: StateView, cid: bytes, asset: Asset) -> None:
    if asset.collective == cid:
        raise TxError(ErrorCode.INVALID_STATE, "a treasury cannot hold its own collective's tokens")
    check_vault_asset(view, asset)
    if not is_accepted(view, cid, asset):
        raise TxError(
            ErrorCode.ASSET_NOT_ACCEPTED, f"the collective does not accept {asset!r} deposits"
        )

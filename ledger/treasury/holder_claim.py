"""HolderClaim: a holder takes what the payouts to a token class have earned them.

The sender is paid every whole unit their holding has earned in each asset paid to the class
(`ledger.collectives.payouts`), to their own account or holding; the fraction of a unit stays
theirs for later. NOTHING_TO_CLAIM when no whole unit is due. The claim is open to anyone who
ever held the class, members or not, also after they sold or burned their units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields, MalformedError
from ledger.collectives import assets, payouts
from ledger.collectives.holdings import holding
from ledger.collectives.ids import Asset
from ledger.collectives.store import require_collective
from ledger.errors import ErrorCode, TxError
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.treasury.holders import claimable
from ledger.tx import TxBody, TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class HolderClaim:
    KIND: ClassVar[TxKind] = TxKind.HOLDER_CLAIM
    holders_of: Asset

    def to_fields(self) -> list[Any]:
        return [self.holders_of.raw]

    @classmethod
    def from_fields(cls, raw: object) -> HolderClaim:
        f = Fields(raw, 1, "holder_claim")
        asset = Asset.parse(f.bytes("holders_of", 21))
        if asset.is_native:
            raise MalformedError("holder_claim.holders_of: name a token class")
        return cls(asset)


class HolderClaimHandler(TxHandler[HolderClaim]):
    payload_type = HolderClaim

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: HolderClaim
    ) -> None:
        cls_of = payload.holders_of
        require_collective(view, cls_of.collective).token_class(cls_of.token_class)
        if not claimable(view, cls_of, tx.sender_address):
            raise TxError(ErrorCode.NOTHING_TO_CLAIM, "no whole unit is due to you yet")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: HolderClaim
    ) -> list[Event]:
        cls_of, who = payload.holders_of, tx.sender_address
        units = holding(view, cls_of.collective, cls_of.token_class, who)
        events = []
        for asset, amount in payouts.take_owed(view, cls_of, who, units):
            assets.give(view, ctx.height, who, asset, amount)
            events.append(
                Event.of(
                    "holder_claim",
                    collective=cls_of.collective,
                    token_class=cls_of.token_class,
                    holder=who.raw,
                    asset=asset.raw,
                    amount=amount,
                )
            )
        return events


register_handler(HolderClaimHandler())

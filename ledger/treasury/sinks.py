"""The split sinks for collectives: a split may pay a collective's treasury or the holders of a
collective's token class (`PartyKind.COLLECTIVE` and `PartyKind.TOKEN_HOLDERS`).

- COLLECTIVE (id: the 20-byte collective id): the amount is credited to the treasury in the
  native coin (splits pay the native coin); a payment that carries an invoice reference is kept
  in the collective's invoice index with the paying split as payer.
- TOKEN_HOLDERS (id: collective id + class index, the raw form of the token's `Asset`): the
  amount goes into the class's payout pool, pro rata to the units held at that moment, for each
  holder to claim (`ledger.treasury.holders`).
  If nobody holds the class the amount goes to that collective's treasury instead, so a split's
  payment never fails because a class is momentarily empty.
"""

from __future__ import annotations

from ledger.codec import MalformedError
from ledger.collectives import treasury
from ledger.collectives.ids import COLLECTIVE_ID_LEN, NATIVE, Asset
from ledger.collectives.store import get_collective
from ledger.errors import ErrorCode, TxError
from ledger.splits.parties import Party, PartyKind, PaymentNote, register_party_sink
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView
from ledger.treasury.holders import held, pay_holders
from ledger.treasury.invoices import record_receipt


def credit_treasury(
    view: StateView, ctx: BlockContext, cid: bytes, amount: int, note: PaymentNote
) -> list[Event]:
    treasury.credit(view, cid, NATIVE, amount)
    payer = Party.split(note.split_id)
    seq = record_receipt(
        view,
        cid,
        payer=payer,
        asset=NATIVE,
        amount=amount,
        invoice_ref=note.invoice_ref,
        memo=note.memo,
        height=ctx.height,
        time_ms=ctx.time_ms,
    )
    event = Event.of(
        "treasury_deposit",
        collective=cid,
        payer=note.split_id,
        asset=b"",
        amount=amount,
        memo=note.memo,
        invoice_ref=note.invoice_ref,
    )
    if seq is not None:
        event = Event(event.kind, (*event.attributes, ("receipt", seq)))
    return [event]


class CollectiveSink:
    def exists(self, view: StateView, party: Party) -> bool:
        return len(party.id) == COLLECTIVE_ID_LEN and get_collective(view, party.id) is not None

    def credit(
        self, view: StateView, ctx: BlockContext, party: Party, amount: int, note: PaymentNote
    ) -> list[Event]:
        return credit_treasury(view, ctx, party.id, amount, note)


def holders_asset(party: Party) -> Asset | None:
    """The token class a TOKEN_HOLDERS party names, or None if its id cannot name one."""
    try:
        asset = Asset.parse(party.id)
    except MalformedError:
        return None
    return None if asset.is_native else asset


class TokenHoldersSink:
    def exists(self, view: StateView, party: Party) -> bool:
        asset = holders_asset(party)
        if asset is None:
            return False
        collective = get_collective(view, asset.collective)
        return collective is not None and asset.token_class < len(collective.classes)

    def credit(
        self, view: StateView, ctx: BlockContext, party: Party, amount: int, note: PaymentNote
    ) -> list[Event]:
        asset = holders_asset(party)
        if asset is None:
            raise TxError(ErrorCode.NOT_FOUND, f"{party!r} names no token class")
        if not held(view, asset):
            return credit_treasury(view, ctx, asset.collective, amount, note)
        return [pay_holders(view, asset, NATIVE, amount)]


register_party_sink(PartyKind.COLLECTIVE, CollectiveSink())
register_party_sink(PartyKind.TOKEN_HOLDERS, TokenHoldersSink())

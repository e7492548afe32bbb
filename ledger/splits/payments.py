"""Money through a split: receiving a payment, paying it out, crediting each party.

The caller has already taken the amount from its source (the payer's account, a parent split,
later a collective's treasury), so these functions only move value that is in flight: the
payouts, fee and balance change always add up to it. A nested split is credited, never
distributed in the same call, which bounds the work of one tx by the split's own size.
"""

from __future__ import annotations

from ledger.codec import U64_MAX
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.splits.distribution import SplitPayout, split_amount
from ledger.splits.parties import Party, PartyKind, PaymentNote, party_sink
from ledger.splits.records import (
    PayoutRecord,
    RecordKind,
    SplitConfig,
    SplitLedger,
    SplitMode,
)
from ledger.splits.store import add_record, get_config, get_ledger, put_ledger
from ledger.state import accounts
from ledger.state.context import BlockContext
from ledger.state.events import AttributeValue, Event
from ledger.state.view import StateView


def receive(
    view: StateView,
    ctx: BlockContext,
    split_id: bytes,
    source: Party,
    amount: int,
    *,
    invoice_ref: bytes = b"",
    memo: str = "",
    distribute: bool | None = None,
) -> list[Event]:
    """Take `amount` into a split: paid out now (push mode by default) or held (accrue mode)."""
    config = get_config(view, split_id)
    ledger = get_ledger(view, split_id)
    push = config.terms.mode is SplitMode.PUSH if distribute is None else distribute
    note = PaymentNote(source, split_id, invoice_ref, memo)
    seq = ledger.next_seq
    common: dict[str, AttributeValue] = {
        "split": split_id,
        "seq": seq,
        "source_kind": int(source.kind),
        "source": source.id,
    }
    if not push:
        if ledger.balance + amount > U64_MAX:
            raise TxError(ErrorCode.OVERFLOW, "the split's balance would overflow")
        put_ledger(
            view,
            split_id,
            SplitLedger(ledger.balance + amount, ledger.carries, ledger.tranche_filled, seq + 1),
        )
        add_record(view, split_id, _record(ctx, seq, RecordKind.RECEIVED, note, amount))
        return [
            Event.of("split_received", **common, amount=amount, invoice_ref=invoice_ref, memo=memo)
        ]
    result = _split(config, ledger, amount, fee_ppm=0)
    put_ledger(
        view, split_id, SplitLedger(ledger.balance, result.carries, result.tranche_filled, seq + 1)
    )
    payouts = _payouts(config, result)
    add_record(view, split_id, _record(ctx, seq, RecordKind.PAID, note, amount, payouts=payouts))
    events = [Event.of("split_paid", **common, amount=amount, invoice_ref=invoice_ref, memo=memo)]
    return events + _credit_all(view, ctx, seq, payouts, note)


def distributable(view: StateView, split_id: bytes, amount: int) -> int:
    """How much a keeper's distribution of `amount` (0: the whole balance) moves, or raise."""
    get_config(view, split_id)
    balance = get_ledger(view, split_id).balance
    if balance == 0:
        raise TxError(ErrorCode.SPLIT_NOTHING_TO_DISTRIBUTE, "the split holds nothing")
    if amount > balance:
        raise TxError(
            ErrorCode.INSUFFICIENT_FUNDS, f"the split holds {balance}, less than {amount}"
        )
    return amount or balance


def distribute(
    view: StateView, ctx: BlockContext, split_id: bytes, amount: int, keeper: Address
) -> list[Event]:
    """Pay out `amount` (0: all) of the split's balance; the keeper earns the split's fee."""
    amount = distributable(view, split_id, amount)
    config = get_config(view, split_id)
    ledger = get_ledger(view, split_id)
    result = _split(config, ledger, amount, fee_ppm=config.terms.fee_ppm)
    seq = ledger.next_seq
    put_ledger(
        view,
        split_id,
        SplitLedger(ledger.balance - amount, result.carries, result.tranche_filled, seq + 1),
    )
    source = Party.account(keeper)
    note = PaymentNote(source, split_id)
    payouts = _payouts(config, result)
    record = _record(
        ctx, seq, RecordKind.DISTRIBUTED, note, amount, fee=result.fee, payouts=payouts
    )
    add_record(view, split_id, record)
    accounts.credit(view, keeper, result.fee)
    events = [
        Event.of(
            "split_distributed",
            split=split_id,
            seq=seq,
            keeper=keeper.raw,
            amount=amount,
            fee=result.fee,
        )
    ]
    return events + _credit_all(view, ctx, seq, payouts, note)


def credit_party(
    view: StateView, ctx: BlockContext, party: Party, amount: int, note: PaymentNote
) -> list[Event]:
    """Credit one payee: an account's balance, a nested split's balance, or a plug-in sink."""
    if amount == 0:
        return []
    if party.kind is PartyKind.ACCOUNT:
        accounts.credit(view, party.address, amount)
        return []
    if party.kind is PartyKind.SPLIT:
        parent = Party.split(note.split_id)
        return receive(
            view,
            ctx,
            party.id,
            parent,
            amount,
            invoice_ref=note.invoice_ref,
            memo=note.memo,
            distribute=False,
        )
    sink = party_sink(party.kind)
    if sink is None:
        raise TxError(
            ErrorCode.SPLIT_UNSUPPORTED_PARTY, f"{party.kind.name} parties are not supported yet"
        )
    return sink.credit(view, ctx, party, amount, note)


def _payouts(config: SplitConfig, result: SplitPayout) -> tuple[tuple[Party, int], ...]:
    tranches = [
        (t.recipient, a) for t, a in zip(config.tranches, result.tranche_payouts, strict=True)
    ]
    shares = list(zip(config.terms.recipients, result.share_payouts, strict=True))
    return tuple((p, a) for p, a in tranches + shares if a)


def _credit_all(
    view: StateView,
    ctx: BlockContext,
    seq: int,
    payouts: tuple[tuple[Party, int], ...],
    note: PaymentNote,
) -> list[Event]:
    events = []
    for party, amount in payouts:
        events.append(
            Event.of(
                "split_payout",
                split=note.split_id,
                seq=seq,
                party_kind=int(party.kind),
                party=party.id,
                amount=amount,
            )
        )
        events.extend(credit_party(view, ctx, party, amount, note))
    return events


def _split(config: SplitConfig, ledger: SplitLedger, amount: int, fee_ppm: int) -> SplitPayout:
    return split_amount(
        amount,
        config.terms.shares,
        ledger.carries,
        fee_ppm=fee_ppm,
        caps=[t.cap for t in config.tranches],
        filled=ledger.tranche_filled,
    )


def _record(
    ctx: BlockContext,
    seq: int,
    kind: RecordKind,
    note: PaymentNote,
    amount: int,
    *,
    fee: int = 0,
    payouts: tuple[tuple[Party, int], ...] = (),
) -> PayoutRecord:
    return PayoutRecord(
        seq=seq,
        kind=kind,
        height=ctx.height,
        time_ms=ctx.time_ms,
        source=note.source,
        amount=amount,
        fee=fee,
        invoice_ref=note.invoice_ref,
        memo=note.memo,
        payouts=payouts,
    )

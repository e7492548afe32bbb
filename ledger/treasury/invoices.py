"""The invoice index: every treasury receipt that carries an invoice reference, found by it.

A brand deal's invoice number travels with its payment (a `TreasuryDeposit`, or a split paying
the collective's treasury), and the index answers "has invoice X been paid, by whom, how much"
without scanning history. Records are numbered per collective in arrival order.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from ledger import codec
from ledger.codec import Fields
from ledger.collectives.ids import ASSET_TOKEN_LEN, Asset
from ledger.splits.parties import MAX_INVOICE_REF_LEN, MAX_MEMO_LEN, Party
from ledger.state.keys import u64
from ledger.state.reader import StateReader
from ledger.state.view import StateView
from ledger.treasury import keys

MAX_QUERY = 1000


@dataclass(frozen=True, slots=True)
class DepositRecord:
    """One receipt of a treasury: who paid (an account, or the split that paid it on)."""

    seq: int
    payer: Party
    asset: Asset
    amount: int
    invoice_ref: bytes
    memo: str
    height: int
    time_ms: int

    def encode(self) -> bytes:
        return codec.encode(
            [
                self.seq,
                self.payer.to_fields(),
                self.asset.raw,
                self.amount,
                self.invoice_ref,
                self.memo,
                self.height,
                self.time_ms,
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> DepositRecord:
        f = Fields(codec.decode(data), 8, "deposit_record")
        return cls(
            f.int("seq"),
            Party.from_fields(f.raw(), "payer"),
            Asset.parse(f.bytes("asset", ASSET_TOKEN_LEN)),
            f.int("amount"),
            f.bytes("invoice_ref", MAX_INVOICE_REF_LEN),
            f.str("memo", MAX_MEMO_LEN),
            f.int("height"),
            f.int("time_ms"),
        )


def record_receipt(
    view: StateView,
    cid: bytes,
    *,
    payer: Party,
    asset: Asset,
    amount: int,
    invoice_ref: bytes,
    memo: str,
    height: int,
    time_ms: int,
) -> int | None:
    """Index a receipt that carries an invoice reference; returns its number (None: no ref)."""
    if not invoice_ref:
        return None
    data = view.get(keys.deposit_seq(cid))
    seq = 0 if data is None else int.from_bytes(data, "big")
    view.put(keys.deposit_seq(cid), u64(seq + 1))
    record = DepositRecord(seq, payer, asset, amount, invoice_ref, memo, height, time_ms)
    view.put(keys.invoice(cid, invoice_ref, seq), record.encode())
    return seq


def receipts_for_invoice(view: StateReader, cid: bytes, invoice_ref: bytes) -> list[DepositRecord]:
    """Every receipt of collective `cid` that carried `invoice_ref`, oldest first."""
    rows = islice(view.iter_prefix(keys.invoice_prefix(cid, invoice_ref)), MAX_QUERY)
    records = [DepositRecord.decode(value) for _, value in rows]
    return [r for r in records if r.invoice_ref == invoice_ref]


def invoice_total(view: StateReader, cid: bytes, invoice_ref: bytes, asset: Asset) -> int:
    """How much of `asset` has arrived against an invoice."""
    return sum(r.amount for r in receipts_for_invoice(view, cid, invoice_ref) if r.asset == asset)

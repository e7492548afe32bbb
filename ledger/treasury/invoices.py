"""The invoice index: every treasury receipt that carries an invoice reference, found by it.

A brand deal's invoice number travels with its payment (a `TreasuryDeposit`, or a split paying
the collective's treasury), and the index answers "has invoice X been paid, by whom, how much"
without scanning history. Records are numbered per collective in arrival order.

An invoice reference is not authenticated: anyone may pay against any reference (a brand's
agency may pay its invoice). So the index never lets other deposits hide a payment (issue 23:
1,000 one-unit deposits under a brand's reference used to fill the one page a query returned):
each receipt is also indexed under its payer, so "what did this payer pay against invoice X" is
exact whatever others deposited, and the full listing pages on with `after_seq`.
"""

from __future__ import annotations

from collections.abc import Iterator
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
    encoded = record.encode()
    view.put(keys.invoice(cid, invoice_ref, seq), encoded)
    view.put(keys.invoice_by_payer(cid, invoice_ref, _payer_key(payer), seq), encoded)
    return seq


def _payer_key(payer: Party) -> bytes:
    return bytes((int(payer.kind), len(payer.id))) + payer.id


def _receipts(
    view: StateReader, prefix: bytes, invoice_ref: bytes, after_seq: int
) -> Iterator[DepositRecord]:
    """Receipts under `prefix` (whose keys end in the seq), oldest first, after `after_seq`."""
    for key, value in view.iter_prefix(prefix):
        if int.from_bytes(key[-8:], "big") <= after_seq:
            continue
        record = DepositRecord.decode(value)
        if record.invoice_ref == invoice_ref:  # a digest collision is not a match
            yield record


def receipts_for_invoice(
    view: StateReader,
    cid: bytes,
    invoice_ref: bytes,
    *,
    payer: Party | None = None,
    after_seq: int = -1,
    limit: int = MAX_QUERY,
) -> list[DepositRecord]:
    """Receipts of collective `cid` that carried `invoice_ref`, oldest first: at most `limit`
    (≤ 1,000) numbered after `after_seq` (page on with the last one's seq); only `payer`'s when
    given."""
    if payer is None:
        prefix = keys.invoice_prefix(cid, invoice_ref)
    else:
        prefix = keys.invoice_by_payer_prefix(cid, invoice_ref, _payer_key(payer))
    rows = _receipts(view, prefix, invoice_ref, after_seq)
    return list(islice(rows, min(limit, MAX_QUERY)))


def invoice_total(
    view: StateReader, cid: bytes, invoice_ref: bytes, asset: Asset, *, payer: Party | None = None
) -> int:
    """How much of `asset` has arrived against an invoice (from `payer` only, when given); reads
    every receipt, not one page."""
    if payer is None:
        prefix = keys.invoice_prefix(cid, invoice_ref)
    else:
        prefix = keys.invoice_by_payer_prefix(cid, invoice_ref, _payer_key(payer))
    return sum(r.amount for r in _receipts(view, prefix, invoice_ref, -1) if r.asset == asset)

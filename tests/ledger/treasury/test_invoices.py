"""Invoice references are not authenticated (anyone may pay against any reference), so the
index never lets dust hide a payment (issue 23): receipts are found per payer, and every listing
pages on past the first 1,000."""

from __future__ import annotations

from ledger.collectives.ids import NATIVE
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.store import records_for_invoice, split_id_for
from ledger.treasury.invoices import MAX_QUERY, invoice_total, receipts_for_invoice
from tests.ledger.conftest import BRAND, MALLORY, Chain
from tests.ledger.treasury.conftest import make_coop, terms

REF = b"SNKR-2026-001"


def test_a_thousand_dust_deposits_do_not_hide_the_brands_payment() -> None:
    chain = Chain(check_signatures=False)
    coop = make_coop(chain)
    for _ in range(MAX_QUERY):
        chain.send(MALLORY, TreasuryDeposit(coop.cid, NATIVE, 1, "dust", REF))
    chain.send(BRAND, TreasuryDeposit(coop.cid, NATIVE, 50_000, "sponsorship", REF))
    brand = Party.account(BRAND.address)
    (paid,) = receipts_for_invoice(chain.view, coop.cid, REF, payer=brand)
    assert paid.amount == 50_000 and paid.seq == MAX_QUERY
    assert invoice_total(chain.view, coop.cid, REF, NATIVE, payer=brand) == 50_000
    first = receipts_for_invoice(chain.view, coop.cid, REF)
    assert len(first) == MAX_QUERY and all(r.payer != brand for r in first)
    rest = receipts_for_invoice(chain.view, coop.cid, REF, after_seq=first[-1].seq)
    assert [r.amount for r in rest] == [50_000]


def test_dust_paid_into_a_split_does_not_hide_the_brands_payment() -> None:
    chain = Chain(check_signatures=False)
    split_id = split_id_for(MALLORY.address, chain.nonces.get(MALLORY.public_key, 0))
    chain.send(MALLORY, SplitCreate(None, terms([(MALLORY, 1)])))
    for _ in range(MAX_QUERY):
        chain.send(MALLORY, SplitPay(split_id, 1, REF, "dust"))
    chain.send(BRAND, SplitPay(split_id, 9_000, REF, "sponsorship"))
    brand = Party.account(BRAND.address)
    (paid,) = records_for_invoice(chain.view, split_id, REF, source=brand)
    assert paid.amount == 9_000
    first = records_for_invoice(chain.view, split_id, REF)
    assert len(first) == MAX_QUERY
    rest = records_for_invoice(chain.view, split_id, REF, after_seq=first[-1].seq)
    assert [r.amount for r in rest] == [9_000]

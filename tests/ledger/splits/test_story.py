"""Story: five creators split a brand deal to the last unit; tips reach their smallest holder."""

from __future__ import annotations

from fractions import Fraction

from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import RecordKind
from ledger.splits.store import payout_history, records_for_invoice
from tests.ledger.splits.conftest import (
    ANA,
    BEN,
    BRAND,
    CHLOE,
    CREATORS,
    DEV,
    EMI,
    Chain,
    account,
    terms_for,
)

SHARES = {ANA: 4_000, BEN: 2_500, CHLOE: 2_000, DEV: 1_499, EMI: 1}  # EMI: the intern, 0.01 %
TOTAL = 10_000


def test_five_creators_take_a_brand_deal_and_every_unit_arrives(chain: Chain) -> None:
    # ANA sets up the collective's split: owned by her, paid out the moment money lands
    split_id = chain.next_split_id(ANA)
    chain.run(ANA, SplitCreate(ANA_PARTY, terms_for(list(SHARES.items()))))

    # the sneaker brand pays the campaign invoice into the split
    before = {k: chain.balance(k) for k in CREATORS}
    deal = 1_234_567_891
    chain.run(BRAND, SplitPay(split_id, deal, b"SNKR-2025-014", "summer sneaker campaign"))

    received = {k: chain.balance(k) - before[k] for k in CREATORS}
    assert sum(received.values()) == deal  # every unit arrived
    for key, share in SHARES.items():
        exact = Fraction(deal * share, TOTAL)
        assert abs(received[key] - exact) < 1  # each within one unit of the exact share
    assert received[EMI] == 123_456  # 123,456.7891 exact: the intern is paid too

    # anyone can look the payment up by its invoice and see who got what
    [record] = records_for_invoice(chain.view, split_id, b"SNKR-2025-014")
    assert record.kind is RecordKind.PAID and record.amount == deal
    assert {p.id: a for p, a in record.payouts} == {k.address.raw: received[k] for k in CREATORS}

    # fans tip 30 units at a time: EMI's exact share of a tip is 0.003, which rounds to zero,
    # but the 0.7891 she is still owed from the deal is carried, and the tips add up
    emi_before = chain.balance(EMI)
    tips = 0
    while chain.balance(EMI) == emi_before:
        chain.run(BRAND, SplitPay(split_id, 30, memo="tip"))
        tips += 1
    due_at = -(-((received[EMI] + 1) * TOTAL - deal) // 30)  # first tip at which E >= 123,457
    assert tips <= due_at == 71
    assert len(payout_history(chain.view, split_id, limit=1000)) == 1 + tips

    # and over the whole story nobody is ever a unit away from their exact due
    paid_in = deal + 30 * tips
    for key, share in SHARES.items():
        assert abs(chain.balance(key) - before[key] - Fraction(paid_in * share, TOTAL)) < 1


ANA_PARTY = account(ANA)

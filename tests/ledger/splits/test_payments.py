"""Money through a split, record by record: every payment and distribution is numbered in order,
its record and events say who was paid what and what the keeper took, and the split's balance
may reach the 64-bit ceiling but never pass it."""

from __future__ import annotations

import pytest

from ledger.codec import U64_MAX
from ledger.errors import ErrorCode, TxError
from ledger.splits.parties import Party, PartyKind, unregister_party_sink
from ledger.splits.payloads import SplitCreate, SplitDistribute, SplitPay
from ledger.splits.payments import receive
from ledger.splits.records import PayoutRecord, RecordKind, SplitMode, SplitTerms
from ledger.splits.store import get_ledger, payout_history, payout_record, records_for_invoice
from ledger.state.events import AttributeValue, Event
from tests.ledger.splits.conftest import (
    ANA,
    BEN,
    BRAND,
    CHLOE,
    KEEPER,
    Chain,
    account,
    terms_for,
)


def create(chain: Chain, terms: SplitTerms) -> bytes:
    split_id = chain.next_split_id(ANA)
    chain.run(ANA, SplitCreate(account(ANA), terms))
    return split_id


def payouts_of(events: list[Event]) -> list[dict[str, AttributeValue]]:
    return [dict(e.attributes) for e in events if e.kind == "split_payout"]


def test_records_are_numbered_from_zero_in_the_order_money_moved(chain: Chain) -> None:
    """Two payments held, one distribution, one more payment: seq 0, 1, 2, 3 and next_seq 4."""
    split_id = create(chain, terms_for([(ANA, 1), (BEN, 3)], fee_ppm=50_000, mode=SplitMode.ACCRUE))
    chain.run(BRAND, SplitPay(split_id, 300, b"INV-1", "first"))
    chain.advance(1_000)
    chain.run(BRAND, SplitPay(split_id, 500))
    chain.advance(1_000)
    chain.run(KEEPER, SplitDistribute(split_id, 400))
    chain.run(BRAND, SplitPay(split_id, 7))
    history = payout_history(chain.view, split_id)
    assert [r.seq for r in history] == [0, 1, 2, 3]
    assert [r.kind for r in history] == [RecordKind.RECEIVED] * 2 + [
        RecordKind.DISTRIBUTED,
        RecordKind.RECEIVED,
    ]
    assert [(r.height, r.time_ms) for r in history] == [
        (1, 1_000),
        (2, 2_000),
        (3, 3_000),
        (3, 3_000),
    ]
    assert get_ledger(chain.view, split_id).next_seq == 4
    assert payout_record(chain.view, split_id, 1) == history[1]
    assert payout_history(chain.view, split_id, start_seq=2) == history[2:]
    assert history[0].invoice_ref == b"INV-1" and history[0].memo == "first"
    assert history[1].fee == 0 and history[1].payouts == ()  # held, not paid out


def test_a_distribution_record_names_the_keeper_its_fee_and_every_payout(chain: Chain) -> None:
    """5 % of 400 is the keeper's 20; the other 380 go 95 / 285, and the record says so."""
    split_id = create(chain, terms_for([(ANA, 1), (BEN, 3)], fee_ppm=50_000, mode=SplitMode.ACCRUE))
    chain.run(BRAND, SplitPay(split_id, 1_000))
    keeper = chain.balance(KEEPER)
    receipt = chain.run(KEEPER, SplitDistribute(split_id, 400))
    assert chain.balance(KEEPER) - keeper == 20
    record = payout_record(chain.view, split_id, 1)
    assert record == PayoutRecord(
        seq=1,
        kind=RecordKind.DISTRIBUTED,
        height=chain.height,
        time_ms=chain.time_ms,
        source=account(KEEPER),
        amount=400,
        fee=20,
        invoice_ref=b"",
        memo="",
        payouts=tuple(sorted([(account(ANA), 95), (account(BEN), 285)])),
    )
    [distributed] = [e for e in receipt.events if e.kind == "split_distributed"]
    assert dict(distributed.attributes) == {
        "split": split_id,
        "seq": 1,
        "keeper": KEEPER.address.raw,
        "amount": 400,
        "fee": 20,
    }
    paid = {p["party"]: (p["amount"], p["seq"]) for p in payouts_of(receipt.events)}
    assert paid == {ANA.address.raw: (95, 1), BEN.address.raw: (285, 1)}
    assert get_ledger(chain.view, split_id).balance == 600


def test_a_push_payment_records_no_fee_and_only_nonzero_payouts(chain: Chain) -> None:
    """Push payments never pay a keeper; a recipient whose turn has not come is not listed."""
    split_id = create(chain, terms_for([(ANA, 1), (BEN, 1), (CHLOE, 1)], fee_ppm=65_535))
    receipt = chain.run(BRAND, SplitPay(split_id, 2, b"tip", "thanks"))
    [record] = payout_history(chain.view, split_id)
    assert record.kind is RecordKind.PAID and record.fee == 0 and record.amount == 2
    assert len(record.payouts) == 2 and sum(a for _, a in record.payouts) == 2
    [paid] = [e for e in receipt.events if e.kind == "split_paid"]
    assert dict(paid.attributes) == {
        "split": split_id,
        "seq": 0,
        "source_kind": int(account(BRAND).kind),
        "source": BRAND.address.raw,
        "amount": 2,
        "invoice_ref": b"tip",
        "memo": "thanks",
    }
    assert [p["amount"] for p in payouts_of(receipt.events)] == [a for _, a in record.payouts]


def test_a_held_balance_may_reach_u64_max_but_not_pass_it(chain: Chain) -> None:
    """The balance is a u64: a credit that lands exactly on the ceiling is fine, one more is not."""
    split_id = create(chain, terms_for([(ANA, 1)], mode=SplitMode.ACCRUE))
    source = Party.account(BRAND.address)
    chain.run(BRAND, SplitPay(split_id, 10))
    receive(chain.view, chain.ctx, split_id, source, U64_MAX - 10)
    assert get_ledger(chain.view, split_id).balance == U64_MAX
    with pytest.raises(TxError) as refused:
        receive(chain.view, chain.ctx, split_id, source, 1)
    assert refused.value.code is ErrorCode.OVERFLOW
    assert get_ledger(chain.view, split_id).balance == U64_MAX
    assert get_ledger(chain.view, split_id).next_seq == 2


def test_a_held_payment_is_announced_and_recorded_with_its_note(chain: Chain) -> None:
    split_id = create(chain, terms_for([(ANA, 1)], mode=SplitMode.ACCRUE))
    receipt = chain.run(BRAND, SplitPay(split_id, 12, b"INV-3", "march"))
    assert [dict(e.attributes) for e in receipt.events if e.kind == "split_received"] == [
        {
            "split": split_id,
            "seq": 0,
            "source_kind": int(account(BRAND).kind),
            "source": BRAND.address.raw,
            "amount": 12,
            "invoice_ref": b"INV-3",
            "memo": "march",
        }
    ]
    receive(chain.view, chain.ctx, split_id, account(BEN), 1)  # no note: empty ref and memo
    credit = payout_record(chain.view, split_id, 1)
    assert credit is not None and (credit.invoice_ref, credit.memo) == (b"", "")
    assert records_for_invoice(chain.view, split_id, b"") == []


def test_every_payout_event_names_the_split_and_the_payee(chain: Chain) -> None:
    split_id = create(chain, terms_for([(ANA, 1), (BEN, 1)]))
    receipt = chain.run(BRAND, SplitPay(split_id, 10))
    expected = [
        {"split": split_id, "seq": 0, "party_kind": 0, "party": k.address.raw, "amount": 5}
        for k in (ANA, BEN)
    ]
    assert sorted(payouts_of(receipt.events), key=repr) == sorted(expected, key=repr)


def test_a_plug_in_payee_is_told_the_block_and_the_note(
    chain: Chain, collective_sink: Party
) -> None:
    """Pushed or distributed by a keeper, a collective's sink hears which split paid, for what."""
    pushed = create(chain, terms_for([(ANA, 1), (collective_sink, 1)]))
    receipt = chain.run(BRAND, SplitPay(pushed, 10, b"INV-9", "collab"))
    [deposit] = [dict(e.attributes) for e in receipt.events if e.kind == "treasury_deposit"]
    assert deposit == {
        "collective": collective_sink.id,
        "amount": 5,
        "height": chain.height,
        "split": pushed,
        "source": BRAND.address.raw,
        "invoice_ref": b"INV-9",
        "memo": "collab",
    }
    held = create(chain, terms_for([(collective_sink, 1)], mode=SplitMode.ACCRUE))
    chain.run(BRAND, SplitPay(held, 4, b"INV-10"))
    receipt = chain.run(KEEPER, SplitDistribute(held))
    [deposit] = [dict(e.attributes) for e in receipt.events if e.kind == "treasury_deposit"]
    assert (deposit["split"], deposit["source"], deposit["amount"]) == (
        held,
        KEEPER.address.raw,
        4,
    )


def test_a_keeper_distribution_credits_a_nested_split_as_its_parent(chain: Chain) -> None:
    inner = create(chain, terms_for([(BEN, 1)], mode=SplitMode.ACCRUE))
    outer = create(chain, terms_for([(Party.split(inner), 1)], mode=SplitMode.ACCRUE))
    chain.run(BRAND, SplitPay(outer, 30))
    chain.run(KEEPER, SplitDistribute(outer))
    [credit] = payout_history(chain.view, inner)
    assert (credit.kind, credit.source, credit.amount) == (
        RecordKind.RECEIVED,
        Party.split(outer),
        30,
    )
    assert (credit.height, credit.time_ms) == (chain.height, chain.time_ms)


def test_a_payee_whose_plug_in_was_withdrawn_refuses_the_payment(
    chain: Chain, collective_sink: Party
) -> None:
    """The kind was supported when the split was made; paying it now is refused, not lost."""
    split_id = create(chain, terms_for([(ANA, 1), (collective_sink, 1)]))
    unregister_party_sink(PartyKind.COLLECTIVE)
    assert chain.reject(BRAND, SplitPay(split_id, 10)) is ErrorCode.SPLIT_UNSUPPORTED_PARTY

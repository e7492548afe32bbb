"""Split rules at their exact edges: the largest legal sizes are accepted and one more is
refused, with the code that names the rule; owners and plug-in payees are checked against real
state (the collectives package's own plug-in)."""

from __future__ import annotations

import pytest

from ledger import codec
from ledger.codec import U64_MAX, MalformedError
from ledger.collectives.ids import COLLECTIVE_ID_LEN
from ledger.errors import ErrorCode, TxError
from ledger.splits.distribution import split_amount
from ledger.splits.parties import MAX_INVOICE_REF_LEN, MAX_MEMO_LEN, Party, PartyKind, party_sink
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import (
    MAX_TOTAL_SHARES,
    MAX_TRANCHES,
    SplitConfig,
    SplitTerms,
    Tranche,
    check_tranches,
)
from ledger.splits.store import get_config, get_ledger
from tests.ledger.splits.conftest import ANA, BEN, BRAND, OUTSIDER, Chain, account, terms_for

NO_COLLECTIVE = Party(PartyKind.COLLECTIVE, b"\x07" * COLLECTIVE_ID_LEN)
SHORT = Party(PartyKind.ACCOUNT, b"short")


def test_a_payment_may_take_the_whole_balance_and_not_a_unit_more(chain: Chain) -> None:
    split_id = chain.next_split_id(ANA)
    chain.run(ANA, SplitCreate(None, terms_for([(ANA, 1)])))
    whole = chain.balance(OUTSIDER)
    assert chain.reject(OUTSIDER, SplitPay(split_id, whole + 1)) is ErrorCode.INSUFFICIENT_FUNDS
    chain.run(OUTSIDER, SplitPay(split_id, whole))
    assert chain.balance(OUTSIDER) == 0


def test_invoice_refs_and_memos_may_fill_their_limits(chain: Chain) -> None:
    split_id = chain.next_split_id(ANA)
    chain.run(ANA, SplitCreate(None, terms_for([(ANA, 1)])))
    full = SplitPay(split_id, 1, b"r" * MAX_INVOICE_REF_LEN, "m" * MAX_MEMO_LEN)
    chain.run(BRAND, full)
    assert chain.reject(BRAND, SplitPay(split_id, 1, b"r" * (MAX_INVOICE_REF_LEN + 1))) is (
        ErrorCode.INVALID_PAYLOAD
    )


def test_owners_and_plug_in_payees_are_checked_against_state(chain: Chain) -> None:
    assert party_sink(PartyKind.COLLECTIVE) is not None  # the real collectives plug-in
    terms = terms_for([(ANA, 1)])
    assert chain.reject(ANA, SplitCreate(NO_COLLECTIVE, terms)) is ErrorCode.NOT_FOUND
    assert chain.reject(ANA, SplitCreate(SHORT, terms)) is ErrorCode.SPLIT_BAD_OWNER
    paying = terms_for([(ANA, 1), (NO_COLLECTIVE, 1)])
    assert chain.reject(ANA, SplitCreate(None, paying)) is ErrorCode.NOT_FOUND
    split_id = chain.next_split_id(ANA)
    receipt = chain.run(ANA, SplitCreate(None, terms))
    [created] = [e for e in receipt.events if e.kind == "split_created"]
    assert created.get("owner") == b""  # immutable from the start
    assert get_config(chain.view, split_id).created_height == chain.height


def test_terms_at_their_largest_are_accepted_and_bad_shapes_refused() -> None:
    biggest = SplitTerms((account(ANA),), (MAX_TOTAL_SHARES,), MAX_TOTAL_SHARES)
    biggest.check()
    assert SplitTerms.from_fields(codec.decode(codec.encode(biggest.to_fields()))) == biggest
    fields = biggest.to_fields()
    fields[2] = MAX_TOTAL_SHARES + 1
    with pytest.raises(MalformedError, match="total"):
        SplitTerms.from_fields(fields)
    fields[1] = [True]  # a boolean is no share
    with pytest.raises(MalformedError, match="share"):
        SplitTerms.from_fields(fields)
    for bad in (
        SplitTerms((SHORT,), (1,), 1),  # a malformed recipient alone
        SplitTerms((account(ANA), account(BEN)), (1,), 1),  # one share for two recipients
    ):
        with pytest.raises(TxError) as refused:
            bad.check()
        assert refused.value.code is ErrorCode.SPLIT_BAD_RECIPIENTS


def test_tranches_at_their_limits() -> None:
    check_tranches(tuple(Tranche(account(ANA), 1) for _ in range(MAX_TRANCHES)))
    check_tranches((Tranche(account(ANA), U64_MAX),))
    for bad in (
        tuple(Tranche(account(ANA), 1) for _ in range(MAX_TRANCHES + 1)),
        (Tranche(account(ANA), 0),),
        (Tranche(account(ANA), U64_MAX + 1),),
        (Tranche(SHORT, 1),),
    ):
        with pytest.raises(TxError) as refused:
            check_tranches(bad)
        assert refused.value.code is ErrorCode.SPLIT_BAD_TRANCHES


def test_a_stored_config_and_ledger_round_trip(chain: Chain) -> None:
    split_id = chain.next_split_id(ANA)
    chain.advance(0, blocks=4)
    chain.run(ANA, SplitCreate(account(ANA), terms_for([(ANA, 1), (BEN, 2)])))
    config = get_config(chain.view, split_id)
    assert SplitConfig.decode(config.encode()) == config and config.created_height == 5
    assert get_ledger(chain.view, split_id).carries == (0, 0)


def test_a_plain_split_takes_no_fee_and_bad_carries_are_reported() -> None:
    assert split_amount(1_000_000, [1]).fee == 0
    assert split_amount(1, [1, 1, 1, 1], [-3, -3, 3, 3]).carries_reset
    assert not split_amount(1, [1, 1]).carries_reset

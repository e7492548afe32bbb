"""Split lifecycle: create, pay, accrue and distribute, nest, waterfall, and every refusal."""

from __future__ import annotations

import pytest

from ledger.errors import ErrorCode
from ledger.splits.admin import OwnerAction
from ledger.splits.consent import sign_consent
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitCreate, SplitDistribute, SplitPay, SplitUpdate
from ledger.splits.records import MAX_RECIPIENTS, RecordKind, SplitMode, SplitTerms, Tranche
from ledger.splits.store import (
    get_config,
    get_ledger,
    payout_history,
    records_for_invoice,
    splits_owned_by,
    splits_paying,
)
from tests.ledger.splits.conftest import (
    ANA,
    BEN,
    BRAND,
    CHLOE,
    DEV,
    EMI,
    KEEPER,
    OUTSIDER,
    TREASURY_OF,
    Chain,
    account,
    terms_for,
)


def create(chain: Chain, terms: SplitTerms, owner: Party | None = None, **kw: object) -> bytes:
    split_id = chain.next_split_id(ANA)
    chain.run(ANA, SplitCreate(owner, terms, **kw))  # type: ignore[arg-type]
    return split_id


def test_a_push_split_pays_everyone_in_the_same_tx(chain: Chain) -> None:
    split_id = create(chain, terms_for([(ANA, 1), (BEN, 2), (CHLOE, 7)]), account(ANA))
    before = {k.address: chain.balance(k) for k in (ANA, BEN, CHLOE, BRAND)}
    receipt = chain.run(BRAND, SplitPay(split_id, 1001, b"INV-7", "spring campaign"))
    assert chain.balance(BRAND) == before[BRAND.address] - 1001
    got = {k: chain.balance(k) - before[k.address] for k in (ANA, BEN, CHLOE)}
    assert got == {ANA: 100, BEN: 200, CHLOE: 701}
    assert get_ledger(chain.view, split_id).balance == 0
    [record] = payout_history(chain.view, split_id)
    assert record.kind is RecordKind.PAID and record.source == account(BRAND)
    assert record.invoice_ref == b"INV-7" and record.memo == "spring campaign"
    assert sum(a for _, a in record.payouts) == 1001
    assert [e.kind for e in receipt.events] == ["split_paid"] + ["split_payout"] * 3
    assert records_for_invoice(chain.view, split_id, b"INV-7") == [record]


def test_an_accrue_split_waits_for_a_keeper_who_earns_the_fee(chain: Chain) -> None:
    terms = terms_for([(ANA, 1), (BEN, 1)], fee_ppm=10_000, mode=SplitMode.ACCRUE)
    split_id = create(chain, terms, account(ANA))
    chain.run(BRAND, SplitPay(split_id, 3_000, b"INV-1"))
    chain.run(BRAND, SplitPay(split_id, 1_001))
    assert get_ledger(chain.view, split_id).balance == 4_001
    keeper, ana, ben = chain.balance(KEEPER), chain.balance(ANA), chain.balance(BEN)
    chain.run(KEEPER, SplitDistribute(split_id, 1_000))  # part of it
    chain.run(KEEPER, SplitDistribute(split_id))  # the rest
    assert chain.balance(KEEPER) - keeper == 10 + 30  # floor(1% of 1000) + floor(1% of 3001)
    assert chain.balance(ANA) - ana + chain.balance(BEN) - ben == 4_001 - 40
    assert abs((chain.balance(ANA) - ana) - (chain.balance(BEN) - ben)) <= 1
    assert chain.reject(KEEPER, SplitDistribute(split_id)) is ErrorCode.SPLIT_NOTHING_TO_DISTRIBUTE
    kinds = [r.kind for r in payout_history(chain.view, split_id)]
    assert kinds == [RecordKind.RECEIVED] * 2 + [RecordKind.DISTRIBUTED] * 2


def test_no_distribution_beyond_the_balance(chain: Chain) -> None:
    split_id = create(chain, terms_for([(ANA, 1)], mode=SplitMode.ACCRUE))
    chain.run(BRAND, SplitPay(split_id, 50))
    assert chain.reject(KEEPER, SplitDistribute(split_id, 51)) is ErrorCode.INSUFFICIENT_FUNDS
    chain.run(KEEPER, SplitDistribute(split_id, 50))
    assert chain.reject(KEEPER, SplitDistribute(split_id, 1)) is (
        ErrorCode.SPLIT_NOTHING_TO_DISTRIBUTE
    )


def test_a_nested_split_is_credited_not_distributed(chain: Chain) -> None:
    inner = create(chain, terms_for([(DEV, 1), (EMI, 1)], fee_ppm=65_535), account(ANA))
    outer = create(chain, terms_for([(ANA, 1), (Party.split(inner), 1)]), account(ANA))
    dev = chain.balance(DEV)
    chain.run(BRAND, SplitPay(outer, 1_000_000, b"deal-9", "collab"))
    assert get_ledger(chain.view, inner).balance == 500_000 and chain.balance(DEV) == dev
    [credit] = payout_history(chain.view, inner)
    assert credit.kind is RecordKind.RECEIVED and credit.source == Party.split(outer)
    assert credit.invoice_ref == b"deal-9" and credit.memo == "collab"
    keeper = chain.balance(KEEPER)
    chain.run(KEEPER, SplitDistribute(inner))
    assert chain.balance(KEEPER) - keeper == 500_000 * 65_535 // 10**6
    assert chain.balance(DEV) - dev == (500_000 - 32_767) // 2 + 1
    assert splits_paying(chain.view, Party.split(inner)) == [outer]


def test_a_waterfall_fills_its_tranches_before_the_shares(chain: Chain) -> None:
    tranches = (Tranche(account(OUTSIDER), 1_000), Tranche(account(DEV), 500))
    split_id = create(chain, terms_for([(ANA, 1), (BEN, 1)]), None, tranches=tranches)
    start = {k: chain.balance(k) for k in (OUTSIDER, DEV, ANA, BEN)}
    for amount in (600, 600, 600):
        chain.run(BRAND, SplitPay(split_id, amount))
    got = {k: chain.balance(k) - start[k] for k in start}
    assert got == {OUTSIDER: 1_000, DEV: 500, ANA: 150, BEN: 150}
    assert get_ledger(chain.view, split_id).tranche_filled == (1_000, 500)


def test_collectives_are_paid_through_their_plug_in(chain: Chain, collective_sink: Party) -> None:
    treasury = TREASURY_OF[collective_sink.id]
    split_id = create(chain, terms_for([(ANA, 3), (collective_sink, 1)]))
    receipt = chain.run(BRAND, SplitPay(split_id, 400))
    assert chain.balance(treasury) == 100
    assert "treasury_deposit" in [e.kind for e in receipt.events]
    unknown = Party(PartyKind.COLLECTIVE, b"x" * 32)
    bad = SplitCreate(None, terms_for([(ANA, 1), (unknown, 1)]))
    assert chain.reject(ANA, bad) is ErrorCode.NOT_FOUND


@pytest.mark.usefixtures("no_holder_sink")
def test_kinds_without_a_plug_in_are_refused(chain: Chain) -> None:
    holders = Party(PartyKind.TOKEN_HOLDERS, b"c" * 33)
    bad = SplitCreate(None, terms_for([(ANA, 1), (holders, 1)]))
    assert chain.reject(ANA, bad) is ErrorCode.SPLIT_UNSUPPORTED_PARTY


def test_cycles_are_refused_at_creation_and_update(chain: Chain) -> None:
    own_id = chain.next_split_id(ANA)
    looped = SplitCreate(None, terms_for([(ANA, 1), (Party.split(own_id), 1)]))
    assert chain.reject(ANA, looped) is ErrorCode.SPLIT_CYCLE
    a = create(chain, terms_for([(ANA, 1)]), account(ANA))
    b = create(chain, terms_for([(BEN, 1), (Party.split(a), 1)]), account(ANA))
    c = create(chain, terms_for([(CHLOE, 1), (Party.split(b), 1)]), account(ANA))
    closing = SplitUpdate(a, 0, terms_for([(ANA, 1), (Party.split(c), 1)]))
    assert chain.reject(ANA, closing) is ErrorCode.SPLIT_CYCLE
    diamond = terms_for([(CHLOE, 1), (Party.split(a), 1), (Party.split(b), 1)])
    # CHLOE's and split b's shares fall from 1/2 to 1/3: CHLOE co-signs, and so does BEN, whom
    # b pays (b's owner does not consent for him; b's other payee, a, pays ANA, the updater)
    consents = tuple(sign_consent(k, chain.genesis.chain_id, c, 0, diamond) for k in (CHLOE, BEN))
    chain.run(ANA, SplitUpdate(c, 0, diamond, consents=consents))  # a diamond is no cycle


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        (SplitTerms((), (), 1), ErrorCode.SPLIT_BAD_RECIPIENTS),
        (SplitTerms((account(BEN), account(ANA)), (1, 1), 2), "unsorted"),
        (SplitTerms((account(ANA), account(ANA)), (1, 1), 2), ErrorCode.SPLIT_BAD_RECIPIENTS),
        (SplitTerms((account(ANA),), (0,), 0), ErrorCode.SPLIT_BAD_RECIPIENTS),
        (SplitTerms((account(ANA),), (3,), 4), ErrorCode.SPLIT_SHARES_MISMATCH),
        (SplitTerms((account(ANA),), (1,), 1, fee_ppm=65_536), ErrorCode.SPLIT_FEE_TOO_HIGH),
        (
            SplitTerms((account(ANA),) * 2 + (Party(PartyKind.ACCOUNT, b"short"),), (1,) * 3, 3),
            ErrorCode.SPLIT_BAD_RECIPIENTS,
        ),
    ],
)
def test_bad_terms_are_refused_with_their_code(
    chain: Chain, terms: SplitTerms, code: ErrorCode | str
) -> None:
    if code == "unsorted":
        pair = sorted([account(ANA), account(BEN)])
        terms = SplitTerms((pair[1], pair[0]), (1, 1), 2)
        code = ErrorCode.SPLIT_BAD_RECIPIENTS
    assert chain.reject(ANA, SplitCreate(None, terms)) is code


def test_too_many_recipients_and_bad_tranches_and_owners_are_refused(chain: Chain) -> None:
    many = [(Party(PartyKind.ACCOUNT, i.to_bytes(20, "big")), 1) for i in range(201)]
    assert len(many) > MAX_RECIPIENTS
    assert chain.reject(ANA, SplitCreate(None, terms_for(many))) is ErrorCode.SPLIT_BAD_RECIPIENTS
    one = terms_for([(ANA, 1)])
    zero_cap = SplitCreate(None, one, (Tranche(account(BEN), 0),))
    assert chain.reject(ANA, zero_cap) is ErrorCode.SPLIT_BAD_TRANCHES
    seventeen = SplitCreate(None, one, tuple(Tranche(account(BEN), 1) for _ in range(17)))
    assert chain.reject(ANA, seventeen) is ErrorCode.SPLIT_BAD_TRANCHES
    owned_by_split = SplitCreate(Party.split(bytes(32)), one)
    assert chain.reject(ANA, owned_by_split) is ErrorCode.SPLIT_BAD_OWNER
    missing = SplitCreate(None, terms_for([(ANA, 1), (Party.split(bytes(32)), 1)]))
    assert chain.reject(ANA, missing) is ErrorCode.NOT_FOUND


def test_payments_are_refused_with_their_code(chain: Chain) -> None:
    split_id = create(chain, terms_for([(ANA, 1)]))
    assert chain.reject(BRAND, SplitPay(split_id, 0)) is ErrorCode.ZERO_AMOUNT
    assert chain.reject(BRAND, SplitPay(bytes(32), 5)) is ErrorCode.NOT_FOUND
    too_much = SplitPay(split_id, chain.balance(BRAND) + 1)
    assert chain.reject(BRAND, too_much) is ErrorCode.INSUFFICIENT_FUNDS
    assert chain.reject(BRAND, SplitPay(split_id, 1, b"x" * 65)) is ErrorCode.INVALID_PAYLOAD
    assert chain.reject(BRAND, SplitPay(split_id, 1, memo="m" * 257)) is ErrorCode.INVALID_PAYLOAD
    assert chain.reject(KEEPER, SplitDistribute(bytes(32))) is ErrorCode.NOT_FOUND


def test_queries_find_splits_by_owner_and_by_recipient(chain: Chain) -> None:
    first = create(chain, terms_for([(BEN, 1)]), account(DEV))
    second = create(chain, terms_for([(BEN, 1), (CHLOE, 1)]))
    assert splits_owned_by(chain.view, account(DEV)) == [first]
    assert sorted(splits_paying(chain.view, account(BEN))) == sorted([first, second])
    assert get_config(chain.view, second).owner is None


def test_renounced_and_immutable_splits_never_change(chain: Chain) -> None:
    split_id = create(chain, terms_for([(ANA, 1)]))
    change = SplitUpdate(split_id, 0, terms_for([(ANA, 2)]))
    assert chain.reject(ANA, change) is ErrorCode.SPLIT_IMMUTABLE
    owned = create(chain, terms_for([(ANA, 1)]), account(ANA))
    chain.run(ANA, SplitUpdate(owned, 0, None, OwnerAction.RENOUNCE))
    assert get_config(chain.view, owned).owner is None
    later = SplitUpdate(owned, 1, terms_for([(ANA, 2)]))
    assert chain.reject(ANA, later) is ErrorCode.SPLIT_IMMUTABLE
    assert splits_owned_by(chain.view, account(ANA)) == []

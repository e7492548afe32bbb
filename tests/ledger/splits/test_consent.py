"""Consent comes from the party who loses (issue 23, item 13): a mode switch that wakes a dormant
keeper fee harms every payee, and a cut to a nested split needs the consent of the people that
split pays, not of its owner."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import ErrorCode
from ledger.keys import PrivateKey
from ledger.splits.consent import Consent, harmed_parties, sign_consent
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate, SplitUpdate
from ledger.splits.records import SplitConfig, SplitMode, SplitTerms
from ledger.splits.store import get_config
from tests.ledger.splits.conftest import ANA, BEN, CHLOE, DEV, Chain, account, terms_for

PUSH_WITH_FEE = terms_for([(ANA, 1), (BEN, 1), (CHLOE, 2)], fee_ppm=65_535)


def create(chain: Chain, owner: PrivateKey, terms: SplitTerms) -> bytes:
    split_id = chain.next_split_id(owner)
    chain.run(owner, SplitCreate(account(owner), terms))
    return split_id


def consent(chain: Chain, key: PrivateKey, split_id: bytes, terms: SplitTerms) -> Consent:
    return sign_consent(key, chain.genesis.chain_id, split_id, 0, terms)


def test_switching_push_to_accrue_wakes_the_fee_and_needs_every_payee(chain: Chain) -> None:
    split_id = create(chain, ANA, PUSH_WITH_FEE)
    accrue = terms_for([(ANA, 1), (BEN, 1), (CHLOE, 2)], fee_ppm=65_535, mode=SplitMode.ACCRUE)
    update = SplitUpdate(split_id, 0, accrue)
    assert chain.reject(ANA, update) is ErrorCode.SPLIT_CONSENT_MISSING
    both = tuple(consent(chain, k, split_id, accrue) for k in (BEN, CHLOE))
    chain.run(ANA, SplitUpdate(split_id, 0, accrue, consents=both))
    assert get_config(chain.view, split_id).terms.mode is SplitMode.ACCRUE


def test_the_owner_of_a_nested_split_does_not_consent_for_the_people_it_pays(
    chain: Chain,
) -> None:
    inner = create(chain, ANA, terms_for([(BEN, 5_000), (CHLOE, 5_000)]))
    nested = Party.split(inner)
    outer = create(chain, ANA, terms_for([(ANA, 5_000), (nested, 5_000)]))
    cut = terms_for([(ANA, 9_900), (nested, 100)])
    assert chain.reject(ANA, SplitUpdate(outer, 0, cut)) is ErrorCode.SPLIT_CONSENT_MISSING
    ben_only = (consent(chain, BEN, outer, cut),)
    refused = SplitUpdate(outer, 0, cut, consents=ben_only)
    assert chain.reject(ANA, refused) is ErrorCode.SPLIT_CONSENT_MISSING
    both = (*ben_only, consent(chain, CHLOE, outer, cut))
    chain.run(ANA, SplitUpdate(outer, 0, cut, consents=both))


KEYS = (ANA, BEN, CHLOE, DEV)


CHANGES = st.tuples(
    st.lists(st.integers(1, 9), min_size=4, max_size=4),
    st.one_of(st.none(), st.lists(st.integers(0, 9), min_size=4, max_size=4)),  # None: same
    st.integers(0, 3),
    st.integers(0, 3),
    st.sampled_from(list(SplitMode)),
    st.sampled_from(list(SplitMode)),
)


@settings(max_examples=60, deadline=None)
@given(CHANGES)
def test_nobody_expects_less_without_being_named_harmed(
    change: tuple[list[int], list[int] | None, int, int, SplitMode, SplitMode],
) -> None:
    """Invariant: for any change of shares, fee and mode, every recipient whose expected receipt
    from a direct payment or a keeper's distribution falls is among the harmed parties."""
    old, new_or_same, old_fee, new_fee, old_mode, mode = change
    new = old if new_or_same is None else new_or_same
    fees = (0, 1, 1_000, 65_535)
    before = terms_for(list(zip(KEYS, old, strict=True)), fee_ppm=fees[old_fee], mode=old_mode)
    pairs = [(k, n) for k, n in zip(KEYS, new, strict=True) if n]
    if not pairs:
        return
    after = terms_for(pairs, fee_ppm=fees[new_fee], mode=mode)
    harmed = set(harmed_parties(SplitConfig(account(ANA), None, before, (), 0, 0), after))

    def expected(terms: SplitTerms, key: PrivateKey) -> list[tuple[int, int]]:
        """(numerator, denominator) of the share of a payment, for a direct payment (no fee in
        push mode) and for a keeper's distribution (fee taken first)."""
        share = terms.share_of(account(key))
        direct_fee = terms.fee_ppm if terms.mode is SplitMode.ACCRUE else 0
        return [
            (share * (1_000_000 - direct_fee), terms.total * 1_000_000),
            (share * (1_000_000 - terms.fee_ppm), terms.total * 1_000_000),
        ]

    for key in KEYS:
        if account(key) not in before.recipients:
            continue
        falls = any(
            n1 * d0 < n0 * d1
            for (n0, d0), (n1, d1) in zip(expected(before, key), expected(after, key), strict=True)
        )
        if falls:
            assert account(key) in harmed, (key, before, after)

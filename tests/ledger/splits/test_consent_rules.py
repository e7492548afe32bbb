"""Consent to lowered terms: every harmed recipient signs, a nested split signs through the
parties it pays.

These pin `ledger/splits/consent.py` rule by rule: the check walks every harmed party (not only up
to the first that consented), a split recipient consents only through every party it pays (never
its owner alone), and removing a recipient is a fall to zero however small its share was.
"""

from __future__ import annotations

import dataclasses

from ledger.errors import ErrorCode
from ledger.keys import PrivateKey
from ledger.splits.consent import (
    Consent,
    direct_fee_ppm,
    fee_rises,
    harmed_parties,
    sign_consent,
)
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate, SplitUpdate
from ledger.splits.records import SplitConfig, SplitMode, SplitTerms
from ledger.splits.store import get_config
from tests.ledger.splits.conftest import (
    ANA,
    BEN,
    CHLOE,
    DEV,
    EMI,
    Chain,
    account,
    terms_for,
)


def create(chain: Chain, owner: PrivateKey, terms: SplitTerms) -> bytes:
    split_id = chain.next_split_id(owner)
    chain.run(owner, SplitCreate(account(owner), terms))
    return split_id


def consents(
    chain: Chain, signers: list[PrivateKey], split_id: bytes, terms: SplitTerms
) -> tuple[Consent, ...]:
    version = get_config(chain.view, split_id).version
    return tuple(sign_consent(k, chain.genesis.chain_id, split_id, version, terms) for k in signers)


def test_every_lowered_recipient_signs_whichever_of_them_is_missing(chain: Chain) -> None:
    """One missing signature refuses the update, whether the missing one is first or last."""
    split_id = create(chain, ANA, terms_for([(ANA, 1), (BEN, 1), (CHLOE, 1), (DEV, 1)]))
    raise_ana = terms_for([(ANA, 7), (BEN, 1), (CHLOE, 1), (DEV, 1)])  # the other three fall
    config = get_config(chain.view, split_id)
    lowered = harmed_parties(config, raise_ana)
    assert lowered == sorted(account(k) for k in (BEN, CHLOE, DEV))
    for missing in (BEN, CHLOE, DEV):
        others = [k for k in (BEN, CHLOE, DEV) if k is not missing]
        update = SplitUpdate(
            split_id, 0, raise_ana, consents=consents(chain, others, split_id, raise_ana)
        )
        assert chain.reject(ANA, update) is ErrorCode.SPLIT_CONSENT_MISSING, missing
    everyone = consents(chain, [BEN, CHLOE, DEV], split_id, raise_ana)
    chain.run(ANA, SplitUpdate(split_id, 0, raise_ana, consents=everyone))
    assert get_config(chain.view, split_id).terms == raise_ana


def test_a_nested_split_consents_only_through_everyone_it_pays(chain: Chain) -> None:
    """EMI owns the inner split that pays EMI and DEV: both must sign, neither speaks alone."""
    inner = create(chain, EMI, terms_for([(EMI, 1), (DEV, 1)]))
    outer = create(chain, ANA, terms_for([(ANA, 1), (Party.split(inner), 1)]))
    lower_inner = terms_for([(ANA, 3), (Party.split(inner), 1)])
    assert chain.reject(ANA, SplitUpdate(outer, 0, lower_inner)) is ErrorCode.SPLIT_CONSENT_MISSING
    by_dev = SplitUpdate(outer, 0, lower_inner, consents=consents(chain, [DEV], outer, lower_inner))
    assert chain.reject(ANA, by_dev) is ErrorCode.SPLIT_CONSENT_MISSING  # EMI is paid too
    by_emi = SplitUpdate(outer, 0, lower_inner, consents=consents(chain, [EMI], outer, lower_inner))
    assert chain.reject(ANA, by_emi) is ErrorCode.SPLIT_CONSENT_MISSING  # the owner alone
    both = consents(chain, [EMI, DEV], outer, lower_inner)
    chain.run(ANA, SplitUpdate(outer, 0, lower_inner, consents=both))
    assert get_config(chain.view, outer).terms == lower_inner


def test_one_nested_owners_consent_does_not_speak_for_the_next_nested_split(chain: Chain) -> None:
    """Two nested splits are lowered; the first (in recipient order) consents through its owner,
    the second does not: the update is refused until the second owner signs too."""
    first, second = sorted(
        [
            (create(chain, EMI, terms_for([(EMI, 1)])), EMI),
            (create(chain, DEV, terms_for([(DEV, 1)])), DEV),
        ]
    )
    (a, a_owner), (b, b_owner) = first, second
    outer = create(chain, ANA, terms_for([(ANA, 1), (Party.split(a), 1), (Party.split(b), 1)]))
    lower_both = terms_for([(ANA, 8), (Party.split(a), 1), (Party.split(b), 1)])
    by_first = SplitUpdate(
        outer, 0, lower_both, consents=consents(chain, [a_owner], outer, lower_both)
    )
    assert chain.reject(ANA, by_first) is ErrorCode.SPLIT_CONSENT_MISSING
    both = consents(chain, [a_owner, b_owner], outer, lower_both)
    chain.run(ANA, SplitUpdate(outer, 0, lower_both, consents=both))


def test_an_immutable_nested_split_is_lowered_only_with_everyone_it_pays(chain: Chain) -> None:
    """A split without an owner still has payees: they, not an owner, consent for it."""
    inner = chain.next_split_id(EMI)
    chain.run(EMI, SplitCreate(None, terms_for([(EMI, 1), (DEV, 1)])))
    outer = create(chain, ANA, terms_for([(ANA, 1), (Party.split(inner), 1)]))
    lower_inner = terms_for([(ANA, 3), (Party.split(inner), 1)])
    only_emi = consents(chain, [EMI], outer, lower_inner)
    assert chain.reject(ANA, SplitUpdate(outer, 0, lower_inner, consents=only_emi)) is (
        ErrorCode.SPLIT_CONSENT_MISSING
    )
    signed = consents(chain, [EMI, DEV], outer, lower_inner)
    chain.run(ANA, SplitUpdate(outer, 0, lower_inner, consents=signed))
    raise_inner = terms_for([(ANA, 1), (Party.split(inner), 3)])
    chain.run(ANA, SplitUpdate(outer, 1, raise_inner))  # a rise needs nobody's consent


def test_removing_the_smallest_recipient_needs_its_signature(chain: Chain) -> None:
    """Removal is a fall to zero: a one-unit share cannot be dropped quietly."""
    split_id = create(chain, ANA, terms_for([(ANA, 1), (BEN, 1), (CHLOE, 2)]))
    without_ben = terms_for([(ANA, 1), (CHLOE, 2)])  # ANA and CHLOE rise, BEN goes
    assert chain.reject(ANA, SplitUpdate(split_id, 0, without_ben)) is (
        ErrorCode.SPLIT_CONSENT_MISSING
    )
    by_ben = consents(chain, [BEN], split_id, without_ben)
    chain.run(ANA, SplitUpdate(split_id, 0, without_ben, consents=by_ben))
    assert get_config(chain.view, split_id).terms.share_of(account(BEN)) == 0


def test_harm_is_a_fall_of_the_fraction_not_of_the_share() -> None:
    """Scaling every share keeps fractions (no harm); the same share of a larger total is harm."""
    old = terms_for([(ANA, 1), (BEN, 1), (CHLOE, 2)])
    config = SplitConfig(account(ANA), None, old, (), 0, 0)
    assert harmed_parties(config, terms_for([(ANA, 10), (BEN, 10), (CHLOE, 20)])) == []
    diluted = terms_for([(ANA, 1), (BEN, 1), (CHLOE, 2), (DEV, 1)])
    assert harmed_parties(config, diluted) == sorted(account(k) for k in (ANA, BEN, CHLOE))
    fee = SplitTerms(old.recipients, old.shares, old.total, fee_ppm=1)
    assert harmed_parties(config, fee) == config.parties()  # a fee comes off everyone
    assert old.share_of(account(EMI)) == 0


def test_moving_to_accrue_with_any_fee_is_a_rise_for_direct_payments() -> None:
    """A PUSH split charges a direct payment no keeper fee, whatever its fee says (the fee is
    for distributions of accrued funds): switching to ACCRUE with a fee, even a lower one than
    the PUSH split declared, makes direct payments pay it, so recipients must consent."""
    push = terms_for([(ANA, 1), (BEN, 1)], fee_ppm=5)
    accrue = dataclasses.replace(push, fee_ppm=1, mode=SplitMode.ACCRUE)
    assert direct_fee_ppm(push) == 0 and direct_fee_ppm(accrue) == 1
    assert fee_rises(push, accrue)
    assert not fee_rises(accrue, dataclasses.replace(accrue, mode=SplitMode.PUSH))

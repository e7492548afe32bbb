"""Owner updates: consent of lowered recipients, locks, versions, and the two-step transfer."""

from __future__ import annotations

from ledger.errors import ErrorCode
from ledger.splits.admin import OwnerAction
from ledger.splits.consent import Consent, sign_consent
from ledger.splits.payloads import SplitAcceptOwnership, SplitCreate, SplitPay, SplitUpdate
from ledger.splits.records import SplitMode, SplitTerms
from ledger.splits.store import get_config, get_ledger
from tests.ledger.splits.conftest import (
    ANA,
    BEN,
    BRAND,
    CHLOE,
    DEV,
    OUTSIDER,
    Chain,
    account,
    terms_for,
)

OLD = terms_for([(ANA, 1), (BEN, 1), (CHLOE, 2)])


def owned_split(chain: Chain, terms: SplitTerms = OLD) -> bytes:
    split_id = chain.next_split_id(ANA)
    chain.run(ANA, SplitCreate(account(ANA), terms))
    return split_id


def consent(chain: Chain, key: object, split_id: bytes, terms: SplitTerms, v: int = 0) -> Consent:
    return sign_consent(key, chain.genesis.chain_id, split_id, v, terms)  # type: ignore[arg-type]


def test_lowering_a_share_needs_that_recipients_signature(chain: Chain) -> None:
    split_id = owned_split(chain)
    new = terms_for([(ANA, 1), (BEN, 2), (CHLOE, 1)])  # CHLOE 1/2 -> 1/4, BEN 1/4 -> 1/2
    assert chain.reject(ANA, SplitUpdate(split_id, 0, new)) is ErrorCode.SPLIT_CONSENT_MISSING
    by_ben = SplitUpdate(split_id, 0, new, consents=(consent(chain, BEN, split_id, new),))
    assert chain.reject(ANA, by_ben) is ErrorCode.SPLIT_CONSENT_MISSING
    by_chloe = SplitUpdate(split_id, 0, new, consents=(consent(chain, CHLOE, split_id, new),))
    chain.run(ANA, by_chloe)
    assert get_config(chain.view, split_id).terms == new
    assert get_config(chain.view, split_id).version == 1


def test_raising_shares_and_lowering_the_owners_own_need_no_consent(chain: Chain) -> None:
    split_id = owned_split(chain)
    generous = terms_for([(ANA, 1), (BEN, 3), (CHLOE, 6)])  # ANA 1/4 -> 1/10, others up
    chain.run(ANA, SplitUpdate(split_id, 0, generous))
    scaled = terms_for([(ANA, 10), (BEN, 30), (CHLOE, 60)])  # the same fractions
    chain.run(ANA, SplitUpdate(split_id, 1, scaled))


def test_adding_a_recipient_or_raising_the_fee_needs_everyone_lowered(chain: Chain) -> None:
    split_id = owned_split(chain)
    grown = terms_for([(ANA, 1), (BEN, 1), (CHLOE, 2), (DEV, 4)])
    assert chain.reject(ANA, SplitUpdate(split_id, 0, grown)) is ErrorCode.SPLIT_CONSENT_MISSING
    both = tuple(consent(chain, k, split_id, grown) for k in (BEN, CHLOE))
    chain.run(ANA, SplitUpdate(split_id, 0, grown, consents=both))
    fee = terms_for([(ANA, 1), (BEN, 1), (CHLOE, 2), (DEV, 4)], fee_ppm=1)
    three = tuple(consent(chain, k, split_id, fee, 1) for k in (BEN, CHLOE))
    assert chain.reject(ANA, SplitUpdate(split_id, 1, fee, consents=three)) is (
        ErrorCode.SPLIT_CONSENT_MISSING
    )
    four = (*three, consent(chain, DEV, split_id, fee, 1))
    chain.run(ANA, SplitUpdate(split_id, 1, fee, consents=four))


def test_bad_or_stale_consents_are_refused(chain: Chain) -> None:
    split_id = owned_split(chain)
    new = terms_for([(ANA, 2), (BEN, 1), (CHLOE, 1)])
    other = terms_for([(ANA, 3), (BEN, 1), (CHLOE, 1)])
    wrong_terms = SplitUpdate(split_id, 0, new, consents=(consent(chain, CHLOE, split_id, other),))
    assert chain.reject(ANA, wrong_terms) is ErrorCode.SPLIT_CONSENT_INVALID
    twice = (consent(chain, CHLOE, split_id, new),) * 2
    assert chain.reject(ANA, SplitUpdate(split_id, 0, new, consents=twice)) is (
        ErrorCode.SPLIT_CONSENT_INVALID
    )
    stale = SplitUpdate(split_id, 7, new, consents=(consent(chain, CHLOE, split_id, new, 7),))
    assert chain.reject(ANA, stale) is ErrorCode.SPLIT_STALE_VERSION
    no_terms = SplitUpdate(
        split_id, 0, None, OwnerAction.RENOUNCE, consents=(consent(chain, CHLOE, split_id, new),)
    )
    assert chain.reject(ANA, no_terms) is ErrorCode.SPLIT_CONSENT_INVALID
    assert chain.reject(ANA, SplitUpdate(split_id, 0, None)) is ErrorCode.INVALID_PAYLOAD


def test_only_the_owner_updates_and_not_while_locked(chain: Chain) -> None:
    locked = terms_for([(ANA, 1), (BEN, 1), (CHLOE, 2)], locked_until_ms=chain.time_ms + 60_000)
    split_id = owned_split(chain, locked)
    raise_ben = terms_for([(ANA, 1), (BEN, 2), (CHLOE, 3)])  # only the owner ANA is lowered
    yes = (consent(chain, ANA, split_id, raise_ben),)
    assert chain.reject(BEN, SplitUpdate(split_id, 0, raise_ben, consents=yes)) is (
        ErrorCode.UNAUTHORIZED
    )
    assert chain.reject(ANA, SplitUpdate(split_id, 0, raise_ben)) is ErrorCode.SPLIT_LOCKED
    chain.run(ANA, SplitUpdate(split_id, 0, None, OwnerAction.PROPOSE, account(DEV)))
    chain.advance(60_000)
    chain.run(ANA, SplitUpdate(split_id, 1, raise_ben))


def test_ownership_moves_in_two_steps(chain: Chain) -> None:
    split_id = owned_split(chain)
    assert chain.reject(DEV, SplitAcceptOwnership(split_id)) is ErrorCode.SPLIT_NO_PENDING_OWNER
    cancel = SplitUpdate(split_id, 0, None, OwnerAction.CANCEL)
    assert chain.reject(ANA, cancel) is ErrorCode.SPLIT_NO_PENDING_OWNER
    chain.run(ANA, SplitUpdate(split_id, 0, None, OwnerAction.PROPOSE, account(DEV)))
    assert get_config(chain.view, split_id).owner == account(ANA)  # not yet
    assert chain.reject(OUTSIDER, SplitAcceptOwnership(split_id)) is ErrorCode.UNAUTHORIZED
    chain.run(DEV, SplitAcceptOwnership(split_id))
    config = get_config(chain.view, split_id)
    assert config.owner == account(DEV) and config.pending_owner is None
    mode = SplitTerms(OLD.recipients, OLD.shares, OLD.total, mode=SplitMode.ACCRUE)
    assert chain.reject(ANA, SplitUpdate(split_id, 2, mode)) is ErrorCode.UNAUTHORIZED
    chain.run(DEV, SplitUpdate(split_id, 2, mode))


def test_a_cancelled_transfer_cannot_be_accepted(chain: Chain) -> None:
    split_id = owned_split(chain)
    chain.run(ANA, SplitUpdate(split_id, 0, None, OwnerAction.PROPOSE, account(DEV)))
    chain.run(ANA, SplitUpdate(split_id, 1, None, OwnerAction.CANCEL))
    assert chain.reject(DEV, SplitAcceptOwnership(split_id)) is ErrorCode.SPLIT_NO_PENDING_OWNER
    bad = SplitUpdate(split_id, 2, None, OwnerAction.PROPOSE, None)
    assert chain.reject(ANA, bad) is ErrorCode.SPLIT_BAD_OWNER


def test_carries_survive_a_fee_change_and_restart_with_new_shares(chain: Chain) -> None:
    split_id = owned_split(chain, terms_for([(ANA, 1), (BEN, 1), (CHLOE, 1)]))
    chain.run(BRAND, SplitPay(split_id, 1))
    carries = get_ledger(chain.view, split_id).carries
    assert carries == (-2, 1, 1)  # the tied unit went to the first recipient
    mode_only = terms_for([(ANA, 1), (BEN, 1), (CHLOE, 1)], mode=SplitMode.ACCRUE)
    chain.run(ANA, SplitUpdate(split_id, 0, mode_only))
    assert get_ledger(chain.view, split_id).carries == carries
    reshaped = terms_for([(ANA, 1), (BEN, 2), (CHLOE, 2)], mode=SplitMode.ACCRUE)
    chain.run(ANA, SplitUpdate(split_id, 1, reshaped))
    assert get_ledger(chain.view, split_id).carries == (0, 0, 0)

"""Recipient consent: an update that can lower what a party receives needs that party's signature.

We chose co-signatures carried in the `SplitUpdate` over consent records posted beforehand: the
update and its consents land atomically, no consent state lingers, and the governance path can
pass the same "consenting parties" set when a collective approves by proposal.

A party is harmed by new terms when its residual fraction falls (share / total, compared by
cross-multiplication; removal is a fall to zero), or when the keeper fee it can be charged rises
(the fee comes off before anyone is paid, so every payee is harmed). The fee a direct payment
pays is 0 in PUSH mode and the fee in ACCRUE mode, so a switch from PUSH to ACCRUE with a fee
above 0 is a fee rise too: it wakes a fee that direct payments never paid (issue 23). Tranches
cannot be changed by an update.

Consent comes from the party who loses (issue 23): an account by its key's signature (or, on the
governance path, by a ballot that is mostly yes), the owner making the update for itself, and a
nested split by **every party it pays**, recursively: its owner does not consent for the people
it pays, because they, not the owner, receive less. The walk through nested splits is bounded by
`graph.MAX_GRAPH_NODES`, like every walk of the payee graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ledger import codec
from ledger.codec import Fields
from ledger.errors import ErrorCode, TxError
from ledger.keys import PUBLIC_KEY_LEN, SIGNATURE_LEN, Address, PrivateKey, verify
from ledger.splits.graph import MAX_GRAPH_NODES
from ledger.splits.parties import Party, PartyKind
from ledger.splits.records import SplitConfig, SplitMode, SplitTerms
from ledger.splits.store import find_config
from ledger.state.reader import StateReader

CONSENT_TAG = b"coterie/split-consent/v1\x00"


@dataclass(frozen=True, slots=True)
class Consent:
    """A recipient's signature over (chain id, split id, version, new terms)."""

    public_key: bytes
    signature: bytes

    @property
    def address(self) -> Address:
        return Address.from_public_key(self.public_key)

    def to_fields(self) -> list[Any]:
        return [self.public_key, self.signature]

    @classmethod
    def from_fields(cls, raw: object) -> Consent:
        f = Fields(raw, 2, "consent")
        return cls(
            f.bytes("public_key", PUBLIC_KEY_LEN, exact=True),
            f.bytes("signature", SIGNATURE_LEN, exact=True),
        )


def consent_message(chain_id: str, split_id: bytes, version: int, terms: SplitTerms) -> bytes:
    return CONSENT_TAG + codec.encode([chain_id, split_id, version, terms.to_fields()])


def sign_consent(
    key: PrivateKey, chain_id: str, split_id: bytes, version: int, terms: SplitTerms
) -> Consent:
    return Consent(key.public_key, key.sign(consent_message(chain_id, split_id, version, terms)))


def verify_consents(
    chain_id: str, split_id: bytes, version: int, terms: SplitTerms, consents: Iterable[Consent]
) -> frozenset[Address]:
    """The consenting addresses; raises SPLIT_CONSENT_INVALID on a bad or repeated signature."""
    message = consent_message(chain_id, split_id, version, terms)
    signers: set[Address] = set()
    for consent in consents:
        if not verify(consent.public_key, message, consent.signature):
            raise TxError(ErrorCode.SPLIT_CONSENT_INVALID, "a consent signature does not verify")
        if consent.address in signers:
            raise TxError(ErrorCode.SPLIT_CONSENT_INVALID, "a recipient consented twice")
        signers.add(consent.address)
    return frozenset(signers)


def direct_fee_ppm(terms: SplitTerms) -> int:
    """The keeper fee a direct payment to the split ends up paying under `terms`."""
    return terms.fee_ppm if terms.mode is SplitMode.ACCRUE else 0


def fee_rises(old: SplitTerms, new: SplitTerms) -> bool:
    """Some payment pays a higher fee under `new`: a distribution, or a direct payment."""
    return new.fee_ppm > old.fee_ppm or direct_fee_ppm(new) > direct_fee_ppm(old)


def harmed_parties(config: SplitConfig, terms: SplitTerms) -> list[Party]:
    """The parties whose receipts `terms` can lower compared with `config`, in order."""
    old = config.terms
    if fee_rises(old, terms):
        return config.parties()
    harmed = []
    for party, share in zip(old.recipients, old.shares, strict=True):
        if terms.share_of(party) * old.total < share * terms.total:
            harmed.append(party)
    return harmed


def missing_consents(
    view: StateReader, harmed: Iterable[Party], consenting: frozenset[Party]
) -> list[Party]:
    """The parties that lose without consenting: a harmed party that did not consent itself; for
    a harmed nested split, every party it pays (recursively) that did not."""
    missing: list[Party] = []
    stack = list(reversed(list(harmed)))
    seen: set[Party] = set()
    expanded = 0
    while stack:
        party = stack.pop()
        if party in seen or party in consenting:
            continue
        seen.add(party)
        nested = find_config(view, party.id) if party.kind is PartyKind.SPLIT else None
        if nested is None:
            missing.append(party)
            continue
        expanded += 1
        if expanded > MAX_GRAPH_NODES:
            raise TxError(ErrorCode.SPLIT_GRAPH_TOO_LARGE, "too many nested splits to ask")
        stack.extend(reversed(nested.parties()))
    return missing

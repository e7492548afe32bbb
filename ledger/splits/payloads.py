"""The signed payloads of the split tx kinds (70-74), each with a bounded decoder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from ledger.codec import Fields, MalformedError
from ledger.splits.admin import OwnerAction, SplitChange
from ledger.splits.consent import Consent
from ledger.splits.parties import (
    MAX_INVOICE_REF_LEN,
    MAX_MEMO_LEN,
    SPLIT_ID_LEN,
    Party,
    optional_party,
    optional_party_fields,
)
from ledger.splits.records import MAX_RECIPIENTS, MAX_TRANCHES, SplitTerms, Tranche
from ledger.tx import TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class SplitCreate:
    """Create a split with the sender's next split id (`store.split_id_for(sender, nonce)`)."""

    KIND: ClassVar[TxKind] = TxKind.SPLIT_CREATE
    owner: Party | None  # None: immutable from the start
    terms: SplitTerms
    tranches: tuple[Tranche, ...] = ()

    def to_fields(self) -> list[Any]:
        return [
            optional_party_fields(self.owner),
            self.terms.to_fields(),
            [t.to_fields() for t in self.tranches],
        ]

    @classmethod
    def from_fields(cls, raw: object) -> SplitCreate:
        f = Fields(raw, 3, "split_create")
        owner = optional_party(f.raw(), "split_create.owner")
        terms = SplitTerms.from_fields(f.raw())
        tranches = tuple(Tranche.from_fields(t) for t in f.list("tranches", MAX_TRANCHES))
        return cls(owner, terms, tranches)


@dataclass(frozen=True, slots=True)
class SplitUpdateFields:
    """An update of a split: new terms (None: unchanged) and/or an act on ownership. The owner
    sends it as a `SplitUpdate` tx, a collective as a `CollectiveSplitUpdate` proposal action.

    `version` is the split's current version: consents sign it, and an update built against an
    older version is refused rather than applied to terms its signers never saw.
    """

    split_id: bytes
    version: int
    terms: SplitTerms | None
    owner_action: OwnerAction = OwnerAction.KEEP
    new_owner: Party | None = None
    consents: tuple[Consent, ...] = ()

    def change(self) -> SplitChange:
        return SplitChange(self.version, self.terms, self.owner_action, self.new_owner)

    def to_fields(self) -> list[Any]:
        return [
            self.split_id,
            self.version,
            None if self.terms is None else self.terms.to_fields(),
            int(self.owner_action),
            optional_party_fields(self.new_owner),
            [c.to_fields() for c in self.consents],
        ]

    @classmethod
    def decode(cls, raw: object, name: str) -> Self:
        f = Fields(raw, 6, name)
        split_id = f.bytes("split_id", SPLIT_ID_LEN, exact=True)
        version = f.int("version")
        terms_raw = f.raw()
        terms = None if terms_raw is None else SplitTerms.from_fields(terms_raw)
        number = f.int("owner_action", 0, 255)
        try:
            action = OwnerAction(number)
        except ValueError as exc:
            raise MalformedError(f"{name}: unknown owner action {number}") from exc
        new_owner = optional_party(f.raw(), f"{name}.new_owner")
        consents = tuple(Consent.from_fields(c) for c in f.list("consents", MAX_RECIPIENTS))
        return cls(split_id, version, terms, action, new_owner, consents)


@register_payload
@dataclass(frozen=True, slots=True)
class SplitUpdate(SplitUpdateFields):
    """The owner updates a split (see `SplitUpdateFields`)."""

    KIND: ClassVar[TxKind] = TxKind.SPLIT_UPDATE

    @classmethod
    def from_fields(cls, raw: object) -> SplitUpdate:
        return cls.decode(raw, "split_update")


@register_payload
@dataclass(frozen=True, slots=True)
class SplitPay:
    """Anyone pays `amount` into a split; `invoice_ref` ties a brand deal to its payment."""

    KIND: ClassVar[TxKind] = TxKind.SPLIT_PAY
    split_id: bytes
    amount: int
    invoice_ref: bytes = b""
    memo: str = ""

    def to_fields(self) -> list[Any]:
        return [self.split_id, self.amount, self.invoice_ref, self.memo]

    @classmethod
    def from_fields(cls, raw: object) -> SplitPay:
        f = Fields(raw, 4, "split_pay")
        return cls(
            f.bytes("split_id", SPLIT_ID_LEN, exact=True),
            f.int("amount"),
            f.bytes("invoice_ref", MAX_INVOICE_REF_LEN),
            f.str("memo", MAX_MEMO_LEN),
        )


@register_payload
@dataclass(frozen=True, slots=True)
class SplitDistribute:
    """Anyone distributes `amount` (0: all) of a split's balance and earns its fee."""

    KIND: ClassVar[TxKind] = TxKind.SPLIT_DISTRIBUTE
    split_id: bytes
    amount: int = 0

    def to_fields(self) -> list[Any]:
        return [self.split_id, self.amount]

    @classmethod
    def from_fields(cls, raw: object) -> SplitDistribute:
        f = Fields(raw, 2, "split_distribute")
        return cls(f.bytes("split_id", SPLIT_ID_LEN, exact=True), f.int("amount"))


@register_payload
@dataclass(frozen=True, slots=True)
class SplitAcceptOwnership:
    """The proposed owner takes over (second step of the transfer)."""

    KIND: ClassVar[TxKind] = TxKind.SPLIT_ACCEPT_OWNERSHIP
    split_id: bytes

    def to_fields(self) -> list[Any]:
        return [self.split_id]

    @classmethod
    def from_fields(cls, raw: object) -> SplitAcceptOwnership:
        f = Fields(raw, 1, "split_accept_ownership")
        return cls(f.bytes("split_id", SPLIT_ID_LEN, exact=True))

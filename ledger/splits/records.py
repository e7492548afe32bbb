"""The stored shapes of a split: its terms and config, its running ledger, its payout history."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ledger import codec
from ledger.codec import INT_MIN, U64_MAX, Fields, MalformedError
from ledger.errors import ErrorCode, TxError
from ledger.splits.distribution import MAX_FEE_PPM
from ledger.splits.parties import (
    MAX_INVOICE_REF_LEN,
    MAX_MEMO_LEN,
    Party,
    optional_party,
    optional_party_fields,
)

MAX_RECIPIENTS = 200
MAX_TRANCHES = 16
MAX_TOTAL_SHARES = 2**40  # keeps carries (|carry| < total) far inside the codec's 64-bit range


class SplitMode(IntEnum):
    PUSH = 0  # a payment is distributed in the same tx
    ACCRUE = 1  # payments accumulate; anyone distributes later and earns the fee


class RecordKind(IntEnum):
    PAID = 0  # a payment distributed at once (push)
    RECEIVED = 1  # a payment or a parent split's credit, held in the balance
    DISTRIBUTED = 2  # part of the balance distributed by a keeper


@dataclass(frozen=True, slots=True)
class SplitTerms:
    """Who gets the residual and in what proportion, the keeper fee, the mode and the lock."""

    recipients: tuple[Party, ...]
    shares: tuple[int, ...]
    total: int
    fee_ppm: int = 0
    mode: SplitMode = SplitMode.PUSH
    locked_until_ms: int = 0

    def check(self) -> None:
        """The stateless rules; raises `TxError`."""
        n = len(self.recipients)
        if not 1 <= n <= MAX_RECIPIENTS:
            raise TxError(ErrorCode.SPLIT_BAD_RECIPIENTS, f"1 to {MAX_RECIPIENTS} recipients")
        if len(self.shares) != n:
            raise TxError(ErrorCode.SPLIT_BAD_RECIPIENTS, "one share per recipient")
        for party in self.recipients:
            problem = party.shape_error()
            if problem:
                raise TxError(ErrorCode.SPLIT_BAD_RECIPIENTS, problem)
        if any(a >= b for a, b in zip(self.recipients, self.recipients[1:], strict=False)):
            raise TxError(
                ErrorCode.SPLIT_BAD_RECIPIENTS, "recipients must be strictly ascending and unique"
            )
        if any(s <= 0 for s in self.shares):
            raise TxError(ErrorCode.SPLIT_BAD_RECIPIENTS, "every share must be positive")
        if not 1 <= self.total <= MAX_TOTAL_SHARES or sum(self.shares) != self.total:
            raise TxError(
                ErrorCode.SPLIT_SHARES_MISMATCH,
                f"shares sum to {sum(self.shares)}, declared total is {self.total}",
            )
        if not 0 <= self.fee_ppm <= MAX_FEE_PPM:
            raise TxError(
                ErrorCode.SPLIT_FEE_TOO_HIGH, f"fee {self.fee_ppm} ppm exceeds {MAX_FEE_PPM}"
            )

    def share_of(self, party: Party) -> int:
        for p, s in zip(self.recipients, self.shares, strict=True):
            if p == party:
                return s
        return 0

    def to_fields(self) -> list[Any]:
        return [
            [p.to_fields() for p in self.recipients],
            list(self.shares),
            self.total,
            self.fee_ppm,
            int(self.mode),
            self.locked_until_ms,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> SplitTerms:
        f = Fields(raw, 6, "terms")
        recipients = tuple(
            Party.from_fields(r, "recipient") for r in f.list("recipients", MAX_RECIPIENTS)
        )
        shares = tuple(
            _int(s, "terms.share", 1, MAX_TOTAL_SHARES) for s in f.list("shares", MAX_RECIPIENTS)
        )
        total = f.int("total", 1, MAX_TOTAL_SHARES)
        fee_ppm = f.int("fee_ppm", 0, MAX_FEE_PPM)
        mode = SplitMode(f.int("mode", 0, max(SplitMode)))
        locked_until_ms = f.int("locked_until_ms")
        return cls(recipients, shares, total, fee_ppm, mode, locked_until_ms)


@dataclass(frozen=True, slots=True)
class Tranche:
    """A capped tier of a waterfall: `recipient` gets everything until it has had `cap` in all."""

    recipient: Party
    cap: int

    def to_fields(self) -> list[Any]:
        return [self.recipient.to_fields(), self.cap]

    @classmethod
    def from_fields(cls, raw: object) -> Tranche:
        f = Fields(raw, 2, "tranche")
        return cls(Party.from_fields(f.raw(), "tranche.recipient"), f.int("cap", 1))


def check_tranches(tranches: tuple[Tranche, ...]) -> None:
    if len(tranches) > MAX_TRANCHES:
        raise TxError(ErrorCode.SPLIT_BAD_TRANCHES, f"at most {MAX_TRANCHES} tranches")
    for tranche in tranches:
        if not 0 < tranche.cap <= U64_MAX:
            raise TxError(ErrorCode.SPLIT_BAD_TRANCHES, "a tranche cap must be positive")
        problem = tranche.recipient.shape_error()
        if problem:
            raise TxError(ErrorCode.SPLIT_BAD_TRANCHES, problem)


@dataclass(frozen=True, slots=True)
class SplitConfig:
    """A split's configuration; `version` grows with every update and binds consents to it."""

    owner: Party | None  # None: immutable forever
    pending_owner: Party | None
    terms: SplitTerms
    tranches: tuple[Tranche, ...]
    version: int
    created_height: int

    def parties(self) -> list[Party]:
        """Every payee, tranche recipients first, without repeats."""
        seen: list[Party] = []
        for party in [t.recipient for t in self.tranches] + list(self.terms.recipients):
            if party not in seen:
                seen.append(party)
        return seen

    def encode(self) -> bytes:
        return codec.encode(
            [
                optional_party_fields(self.owner),
                optional_party_fields(self.pending_owner),
                self.terms.to_fields(),
                [t.to_fields() for t in self.tranches],
                self.version,
                self.created_height,
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> SplitConfig:
        f = Fields(codec.decode(data), 6, "split")
        owner = optional_party(f.raw(), "owner")
        pending = optional_party(f.raw(), "pending_owner")
        terms = SplitTerms.from_fields(f.raw())
        tranches = tuple(Tranche.from_fields(t) for t in f.list("tranches", MAX_TRANCHES))
        return cls(owner, pending, terms, tranches, f.int("version"), f.int("created_height"))


@dataclass(frozen=True, slots=True)
class SplitLedger:
    """What moves with every payment: undistributed balance, carries, tranche fill, next seq."""

    balance: int
    carries: tuple[int, ...]
    tranche_filled: tuple[int, ...]
    next_seq: int = 0

    def encode(self) -> bytes:
        return codec.encode(
            [self.balance, list(self.carries), list(self.tranche_filled), self.next_seq]
        )

    @classmethod
    def decode(cls, data: bytes) -> SplitLedger:
        f = Fields(codec.decode(data), 4, "split_ledger")
        balance = f.int("balance")
        carries = tuple(
            _int(c, "split_ledger.carry", INT_MIN, U64_MAX)
            for c in f.list("carries", MAX_RECIPIENTS)
        )
        filled = tuple(
            _int(c, "split_ledger.filled", 0, U64_MAX)
            for c in f.list("tranche_filled", MAX_TRANCHES)
        )
        return cls(balance, carries, filled, f.int("next_seq"))


def _int(value: object, name: str, lo: int, hi: int) -> int:
    """An element of an integer array, bounded like a `Fields.int`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedError(f"{name}: expected an integer")
    if not lo <= value <= hi:
        raise MalformedError(f"{name}: {value} outside [{lo}, {hi}]")
    return value


@dataclass(frozen=True, slots=True)
class PayoutRecord:
    """One entry of a split's payout history; `payouts` lists every nonzero credit in order."""

    seq: int
    kind: RecordKind
    height: int
    time_ms: int
    source: Party  # the payer, the parent split, or the keeper who distributed
    amount: int
    fee: int
    invoice_ref: bytes
    memo: str
    payouts: tuple[tuple[Party, int], ...]

    def encode(self) -> bytes:
        return codec.encode(
            [
                self.seq,
                int(self.kind),
                self.height,
                self.time_ms,
                self.source.to_fields(),
                self.amount,
                self.fee,
                self.invoice_ref,
                self.memo,
                [[p.to_fields(), a] for p, a in self.payouts],
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> PayoutRecord:
        f = Fields(codec.decode(data), 10, "payout_record")
        seq = f.int("seq")
        kind = RecordKind(f.int("kind", 0, max(RecordKind)))
        height = f.int("height")
        time_ms = f.int("time_ms")
        source = Party.from_fields(f.raw(), "source")
        amount = f.int("amount")
        fee = f.int("fee")
        invoice_ref = f.bytes("invoice_ref", MAX_INVOICE_REF_LEN)
        memo = f.str("memo", MAX_MEMO_LEN)
        payouts = []
        for item in f.list("payouts", MAX_RECIPIENTS + MAX_TRANCHES):
            p = Fields(item, 2, "payout")
            payouts.append((Party.from_fields(p.raw(), "payout.party"), p.int("amount")))
        return cls(
            seq, kind, height, time_ms, source, amount, fee, invoice_ref, memo, tuple(payouts)
        )

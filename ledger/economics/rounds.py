"""Curation rounds in state: opened by a proposal with the budget reserved out of the treasury,
endorsed during the period, paid (or refunded) by the end-block hook in the block that closes
them (`ledger.economics.close`).

A round pays the native coin only: its budget leaves the treasury when the round opens (so a
later spend cannot empty it, and a round the treasury cannot fund never opens), and is held by
the round record until the close pays it out or returns it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum

from ledger import codec
from ledger.codec import Fields, MalformedError
from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.economics import keys
from ledger.errors import ErrorCode, TxError
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.reader import StateReader
from ledger.state.view import StateView

MAX_PERIOD_S = 366 * 24 * 3600
MAX_ENDORSEMENTS = 64  # per member and round
MAX_EARLY = 64
MAX_CID_LEN = 32


class Weighting(IntEnum):
    """How much one member's endorsements weigh (stable numbers)."""

    ONE_MEMBER = 0  # every eligible member weighs 1
    POWER = 1  # voting power at the round's open
    QUADRATIC = 2  # floor(sqrt(voting power at the round's open))


class RoundStatus(IntEnum):
    OPEN = 0
    PAID = 1
    REFUNDED = 2  # nothing eligible was endorsed: the budget went back to the treasury
    CALLED_OFF = 3  # a `RoundClose` proposal called it off: the budget went back


@dataclass(frozen=True, slots=True)
class RoundTerms:
    """What the opening proposal fixes. `curator_ppm` of the weight each of an item's first
    `early` endorsers brought is paid to that endorser; the rest goes to the item's author."""

    budget: int
    period_s: int
    weighting: Weighting = Weighting.ONE_MEMBER
    curator_ppm: int = 0
    early: int = 0
    max_endorsements: int = 8

    def check(self) -> None:
        if self.budget <= 0:
            raise TxError(ErrorCode.ZERO_AMOUNT, "a round needs a budget")
        if not 0 < self.period_s <= MAX_PERIOD_S:
            raise TxError(ErrorCode.INVALID_ACTION, f"a round lasts 1 s to {MAX_PERIOD_S} s")
        if not 0 <= self.curator_ppm <= 500_000:
            raise TxError(ErrorCode.INVALID_ACTION, "endorsers get at most half (500000 ppm)")
        if not 0 <= self.early <= MAX_EARLY:
            raise TxError(ErrorCode.INVALID_ACTION, f"at most {MAX_EARLY} early endorsers")
        if (self.curator_ppm == 0) != (self.early == 0):
            raise TxError(ErrorCode.INVALID_ACTION, "a curator share needs early endorsers")
        if not 1 <= self.max_endorsements <= MAX_ENDORSEMENTS:
            raise TxError(
                ErrorCode.INVALID_ACTION, f"1 to {MAX_ENDORSEMENTS} endorsements per member"
            )

    def to_fields(self) -> list[int]:
        return [
            self.budget,
            self.period_s,
            int(self.weighting),
            self.curator_ppm,
            self.early,
            self.max_endorsements,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> RoundTerms:
        f = Fields(raw, 6, "round_terms")
        budget = f.int("budget")
        period = f.int("period_s", 0, MAX_PERIOD_S)
        number = f.int("weighting", 0, 255)
        try:
            weighting = Weighting(number)
        except ValueError as exc:
            raise MalformedError(f"round_terms: unknown weighting {number}") from exc
        return cls(
            budget,
            period,
            weighting,
            f.int("curator_ppm", 0, 1_000_000),
            f.int("early", 0, MAX_EARLY),
            f.int("max_endorsements", 0, MAX_ENDORSEMENTS),
        )


@dataclass(frozen=True, slots=True)
class Round:
    collective: bytes
    proposal_id: int
    terms: RoundTerms
    open_height: int
    start_ms: int
    end_ms: int
    status: RoundStatus = RoundStatus.OPEN
    endorsements: int = 0  # also the next endorsement's sequence number
    paid: int = 0

    @property
    def reserve(self) -> int:
        """What the round still holds of its budget."""
        return self.terms.budget if self.status is RoundStatus.OPEN else 0

    def encode(self) -> bytes:
        return codec.encode(
            [
                self.collective,
                self.proposal_id,
                self.terms.to_fields(),
                self.open_height,
                self.start_ms,
                self.end_ms,
                int(self.status),
                self.endorsements,
                self.paid,
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> Round:
        f = Fields(codec.decode(data), 9, "round")
        return cls(
            f.bytes("collective", MAX_CID_LEN),
            f.int("proposal_id"),
            RoundTerms.from_fields(f.raw()),
            f.int("open_height"),
            f.int("start_ms"),
            f.int("end_ms"),
            RoundStatus(f.int("status", 0, max(RoundStatus))),
            f.int("endorsements"),
            f.int("paid"),
        )


def get_round(view: StateReader, round_id: int) -> Round | None:
    data = view.get(keys.round_key(round_id))
    return None if data is None else Round.decode(data)


def require_round(view: StateReader, round_id: int) -> Round:
    found = get_round(view, round_id)
    if found is None:
        raise TxError(ErrorCode.NOT_FOUND, f"no round {round_id}")
    return found


def put_round(view: StateView, round_id: int, record: Round) -> None:
    view.put(keys.round_key(round_id), record.encode())


def open_round(
    view: StateView,
    *,
    cid: bytes,
    proposal_id: int,
    terms: RoundTerms,
    height: int,
    now_ms: int,
) -> tuple[int, Event]:
    """Reserve the budget out of the treasury (or raise INSUFFICIENT_FUNDS) and open the round."""
    terms.check()
    treasury.debit(view, cid, NATIVE, terms.budget)
    data = view.get(keys.NEXT_ROUND_ID)
    round_id = 1 if data is None else int.from_bytes(data, "big")
    view.put(keys.NEXT_ROUND_ID, u64(round_id + 1))
    end_ms = now_ms + terms.period_s * 1000
    put_round(view, round_id, Round(cid, proposal_id, terms, height, now_ms, end_ms))
    view.put(keys.rounds_of(cid, round_id), b"")
    view.put(keys.round_due(end_ms, round_id), b"")
    event = Event.of(
        "round_opened",
        round=round_id,
        collective=cid,
        budget=terms.budget,
        weighting=int(terms.weighting),
        start_ms=now_ms,
        end_ms=end_ms,
    )
    return round_id, event


def rounds_of(view: StateReader, cid: bytes) -> list[int]:
    prefix = keys.ROUNDS_OF + cid
    return [int.from_bytes(k[len(prefix) :], "big") for k, _ in view.iter_prefix(prefix)]


def reserves(view: StateReader) -> int:
    """The native coin that open rounds hold (for value-conservation checks)."""
    total = 0
    for key, _ in view.iter_prefix(keys.ROUND_DUE):
        round_id = int.from_bytes(key[-8:], "big")
        total += require_round(view, round_id).reserve
    return total


def settled(record: Round, status: RoundStatus, paid: int) -> Round:
    return replace(record, status=status, paid=paid)

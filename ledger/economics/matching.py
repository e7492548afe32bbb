"""Matching rounds (quadratic funding of initiatives) in state: opened by a proposal with the
matching pool reserved out of the treasury, contributed to by vetted members during the period,
and settled by the end-block hook in the block whose time reaches the end: every initiative gets
its contributions plus its quadratic match (`ledger.economics.quadratic`), exact, capped; what the
cap or a lack of contributors leaves of the pool returns to the treasury.

Initiatives are accounts or splits, each with a stated purpose, fixed by the opening proposal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import treasury
from ledger.collectives.assets import give
from ledger.collectives.ids import NATIVE
from ledger.economics import keys
from ledger.economics.quadratic import match_weight, matches
from ledger.errors import ErrorCode, TxError
from ledger.splits.distribution import PPM
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payments import receive
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.reader import StateReader
from ledger.state.view import StateView

MAX_INITIATIVES = 32
MAX_PURPOSE_LEN = 256
MAX_PERIOD_S = 366 * 24 * 3600


@dataclass(frozen=True, slots=True)
class Initiative:
    party: Party  # an account or a split
    purpose: str

    def to_fields(self) -> list[Any]:
        return [self.party.to_fields(), self.purpose]

    @classmethod
    def from_fields(cls, raw: object) -> Initiative:
        f = Fields(raw, 2, "initiative")
        return cls(Party.from_fields(f.raw()), f.str("purpose", MAX_PURPOSE_LEN))


@dataclass(frozen=True, slots=True)
class MatchingTerms:
    pool: int
    period_s: int
    cap_ppm: int  # the most one initiative's match may take, of the pool
    initiatives: tuple[Initiative, ...]

    @property
    def cap(self) -> int:
        return self.pool * self.cap_ppm // PPM

    def check(self) -> None:
        if self.pool <= 0:
            raise TxError(ErrorCode.ZERO_AMOUNT, "a matching round needs a pool")
        if not 0 < self.period_s <= MAX_PERIOD_S:
            raise TxError(ErrorCode.INVALID_ACTION, f"a round lasts 1 s to {MAX_PERIOD_S} s")
        if not 0 < self.cap_ppm <= PPM:
            raise TxError(ErrorCode.INVALID_ACTION, "the cap is 1 to 1000000 ppm of the pool")
        if not 1 <= len(self.initiatives) <= MAX_INITIATIVES:
            raise TxError(ErrorCode.INVALID_ACTION, f"1 to {MAX_INITIATIVES} initiatives")
        parties = [i.party for i in self.initiatives]
        if len(set(parties)) != len(parties):
            raise TxError(ErrorCode.INVALID_ACTION, "an initiative is listed twice")
        for party in parties:
            if party.kind not in (PartyKind.ACCOUNT, PartyKind.SPLIT) or party.shape_error():
                raise TxError(ErrorCode.INVALID_ACTION, "initiatives are accounts or splits")

    def to_fields(self) -> list[Any]:
        return [self.pool, self.period_s, self.cap_ppm, [i.to_fields() for i in self.initiatives]]

    @classmethod
    def from_fields(cls, raw: object) -> MatchingTerms:
        f = Fields(raw, 4, "matching_terms")
        return cls(
            f.int("pool"),
            f.int("period_s", 0, MAX_PERIOD_S),
            f.int("cap_ppm", 0, PPM),
            tuple(Initiative.from_fields(i) for i in f.list("initiatives", MAX_INITIATIVES)),
        )


class MatchingStatus(IntEnum):
    OPEN = 0
    SETTLED = 1


@dataclass(frozen=True, slots=True)
class MatchingRound:
    collective: bytes
    proposal_id: int
    terms: MatchingTerms
    start_ms: int
    end_ms: int
    status: MatchingStatus = MatchingStatus.OPEN
    contributed: int = 0  # contributions held until the close
    matched: int = 0  # of the pool, paid at the close

    @property
    def reserve(self) -> int:
        return self.terms.pool + self.contributed if self.status is MatchingStatus.OPEN else 0

    def encode(self) -> bytes:
        return codec.encode(
            [
                self.collective,
                self.proposal_id,
                self.terms.to_fields(),
                self.start_ms,
                self.end_ms,
                int(self.status),
                self.contributed,
                self.matched,
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> MatchingRound:
        f = Fields(codec.decode(data), 8, "matching_round")
        return cls(
            f.bytes("collective", 32),
            f.int("proposal_id"),
            MatchingTerms.from_fields(f.raw()),
            f.int("start_ms"),
            f.int("end_ms"),
            MatchingStatus(f.int("status", 0, 1)),
            f.int("contributed"),
            f.int("matched"),
        )


def get_matching(view: StateReader, round_id: int) -> MatchingRound | None:
    data = view.get(keys.matching_key(round_id))
    return None if data is None else MatchingRound.decode(data)


def require_matching(view: StateReader, round_id: int) -> MatchingRound:
    found = get_matching(view, round_id)
    if found is None:
        raise TxError(ErrorCode.NOT_FOUND, f"no matching round {round_id}")
    return found


def put_matching(view: StateView, round_id: int, record: MatchingRound) -> None:
    view.put(keys.matching_key(round_id), record.encode())


def open_matching(
    view: StateView, *, cid: bytes, proposal_id: int, terms: MatchingTerms, now_ms: int
) -> tuple[int, Event]:
    """Reserve the pool out of the treasury (or raise INSUFFICIENT_FUNDS) and open the round."""
    terms.check()
    treasury.debit(view, cid, NATIVE, terms.pool)
    data = view.get(keys.NEXT_MATCHING_ID)
    round_id = 1 if data is None else int.from_bytes(data, "big")
    view.put(keys.NEXT_MATCHING_ID, u64(round_id + 1))
    end_ms = now_ms + terms.period_s * 1000
    put_matching(view, round_id, MatchingRound(cid, proposal_id, terms, now_ms, end_ms))
    view.put(keys.MATCHINGS_OF + cid + u64(round_id), b"")
    view.put(keys.matching_due(end_ms, round_id), b"")
    return round_id, Event.of(
        "matching_opened", round=round_id, collective=cid, pool=terms.pool, end_ms=end_ms
    )


def totals(view: StateReader, round_id: int, count: int) -> list[list[int]]:
    """Per initiative, each member's total contribution (in member order)."""
    result: list[list[int]] = [[] for _ in range(count)]
    prefix = keys.contributions_of(round_id)
    for key, value in view.iter_prefix(prefix):
        index = key[len(prefix)]
        if index < count:
            result[index].append(int.from_bytes(value, "big"))
    return result


def settle(view: StateView, ctx: BlockContext, round_id: int) -> list[Event]:
    record = require_matching(view, round_id)
    view.delete(keys.matching_due(record.end_ms, round_id))
    terms = record.terms
    given = totals(view, round_id, len(terms.initiatives))
    weights = [match_weight(g) for g in given]
    matched, rest = matches(terms.pool, weights, terms.cap)
    source = Party(PartyKind.COLLECTIVE, record.collective)
    events = []
    for index, (initiative, contributions, match) in enumerate(
        zip(terms.initiatives, given, matched, strict=True)
    ):
        amount = sum(contributions) + match
        if not amount:
            continue
        if initiative.party.kind is PartyKind.ACCOUNT:
            give(view, ctx.height, initiative.party.address, NATIVE, amount)
        else:
            events += receive(view, ctx, initiative.party.id, source, amount, memo="matching")
        events.append(
            Event.of(
                "matching_payout",
                round=round_id,
                initiative=index,
                contributed=sum(contributions),
                match=match,
                contributors=len(contributions),
            )
        )
    treasury.credit(view, record.collective, NATIVE, rest)
    put_matching(
        view,
        round_id,
        replace(record, status=MatchingStatus.SETTLED, matched=terms.pool - rest),
    )
    events.append(
        Event.of("matching_settled", round=round_id, matched=terms.pool - rest, returned=rest)
    )
    return events


def reserves(view: StateReader) -> int:
    """The native coin open matching rounds hold: pools plus contributions."""
    return sum(
        require_matching(view, int.from_bytes(key[-8:], "big")).reserve
        for key, _ in view.iter_prefix(keys.MATCHING_DUE)
    )

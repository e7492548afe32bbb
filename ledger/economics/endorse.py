"""CONTENT_ENDORSE (kind 110): a vetted member endorses content in an open curation round.

The adversary's moves and what stops each (tests/ledger/economics/test_curation_adversary.py):
- endorsing one's own content: SELF_ENDORSEMENT;
- sock puppets: only members in good standing who joined before the round opened may endorse
  (ENDORSER_NOT_ELIGIBLE), and power-weighted rounds use the power held at the open;
- endorsing after the period, or in a settled round: ROUND_CLOSED;
- content from elsewhere, or anchored before the round (to farm old work): CONTENT_NOT_ELIGIBLE;
- endorsing the same item twice: ALREADY_EXISTS; more than the round's cap: LIMIT_REACHED;
- rings and spam: a member's weight is spread over its endorsements (ledger.economics.curation),
  so endorsing more never adds influence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from ledger import codec
from ledger.codec import Fields
from ledger.collectives.checkpoints import point_at
from ledger.collectives.standing import require_active_member
from ledger.content.records import CONTENT_HASH_LEN
from ledger.content.store import get_content
from ledger.economics import keys
from ledger.economics.curation import quadratic_weight
from ledger.economics.rounds import Round, RoundStatus, Weighting, put_round, require_round
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.keys import u64
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class ContentEndorse:
    KIND: ClassVar[TxKind] = TxKind.CONTENT_ENDORSE
    round_id: int
    content_hash: bytes

    def to_fields(self) -> list[Any]:
        return [self.round_id, self.content_hash]

    @classmethod
    def from_fields(cls, raw: object) -> ContentEndorse:
        f = Fields(raw, 2, "content_endorse")
        return cls(f.int("round_id"), f.bytes("content_hash", CONTENT_HASH_LEN, exact=True))


def endorser_weight(view: StateView, record: Round, who: Address) -> int:
    """What `who`'s endorsements weigh in `record` (0: not eligible)."""
    if record.terms.weighting is Weighting.ONE_MEMBER:
        return 1
    power = point_at(view, record.collective, who, record.open_height).at(record.start_ms)
    if record.terms.weighting is Weighting.QUADRATIC:
        return quadratic_weight(power)
    return power


def _check(
    view: StateView, ctx: BlockContext, who: Address, p: ContentEndorse
) -> tuple[Round, int]:
    record = require_round(view, p.round_id)
    if record.status is not RoundStatus.OPEN or ctx.time_ms >= record.end_ms:
        raise TxError(ErrorCode.ROUND_CLOSED, f"round {p.round_id} is closed")
    content = get_content(view, p.content_hash)
    if content is None:
        raise TxError(ErrorCode.NOT_FOUND, "no such content")
    if content.collective != record.collective:
        raise TxError(ErrorCode.CONTENT_NOT_ELIGIBLE, "the content is not in this collective")
    if not record.start_ms <= content.time_ms < record.end_ms:
        raise TxError(ErrorCode.CONTENT_NOT_ELIGIBLE, "the content was not anchored in the round")
    if content.author == who:
        raise TxError(ErrorCode.SELF_ENDORSEMENT, "members cannot endorse their own content")
    member = require_active_member(view, record.collective, who, ctx.time_ms)
    if member.joined_ms >= record.start_ms:
        raise TxError(ErrorCode.ENDORSER_NOT_ELIGIBLE, "only members from before the round count")
    weight = endorser_weight(view, record, who)
    if weight == 0:
        raise TxError(ErrorCode.ENDORSER_NOT_ELIGIBLE, "no voting power at the round's open")
    if view.get(keys.endorsement(p.round_id, p.content_hash, who.raw)) is not None:
        raise TxError(ErrorCode.ALREADY_EXISTS, "already endorsed in this round")
    if made(view, p.round_id, who) >= record.terms.max_endorsements:
        raise TxError(
            ErrorCode.LIMIT_REACHED, f"at most {record.terms.max_endorsements} endorsements"
        )
    return record, weight


def made(view: StateView, round_id: int, who: Address) -> int:
    data = view.get(keys.endorsed_by(round_id, who.raw))
    return 0 if data is None else int.from_bytes(data, "big")


class ContentEndorseHandler(TxHandler[ContentEndorse]):
    payload_type = ContentEndorse

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ContentEndorse
    ) -> None:
        _check(view, ctx, tx.sender_address, payload)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ContentEndorse
    ) -> list[Event]:
        who = tx.sender_address
        record, weight = _check(view, ctx, who, payload)
        seq = record.endorsements
        view.put(
            keys.endorsement(payload.round_id, payload.content_hash, who.raw),
            codec.encode([seq, weight]),
        )
        view.put(
            keys.endorsed_by(payload.round_id, who.raw), u64(made(view, payload.round_id, who) + 1)
        )
        put_round(view, payload.round_id, replace(record, endorsements=seq + 1))
        return [
            Event.of(
                "content_endorsed",
                round=payload.round_id,
                content_hash=payload.content_hash,
                endorser=who.raw,
                weight=weight,
            )
        ]


register_handler(ContentEndorseHandler())

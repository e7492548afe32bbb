"""StreamClaim: the recipient of a stream takes what has vested and not been claimed yet.

Only the recipient may claim (to its own account or holding). A claim moves value out of the
stream's reserve, which was set aside when the stream was created, so it cannot fail for lack of
funds; `claimed` grows by exactly what is paid, so nothing is paid twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.errors import ErrorCode, TxError
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.treasury.streams import StreamStatus, claim, require_stream
from ledger.tx import TxBody, TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class StreamClaim:
    KIND: ClassVar[TxKind] = TxKind.STREAM_CLAIM
    stream_id: int

    def to_fields(self) -> list[Any]:
        return [self.stream_id]

    @classmethod
    def from_fields(cls, raw: object) -> StreamClaim:
        return cls(Fields(raw, 1, "stream_claim").int("stream_id"))


class StreamClaimHandler(TxHandler[StreamClaim]):
    payload_type = StreamClaim

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: StreamClaim
    ) -> None:
        stream = require_stream(view, payload.stream_id)
        if stream.recipient != tx.sender_address:
            raise TxError(ErrorCode.UNAUTHORIZED, "only the stream's recipient claims")
        if stream.status is StreamStatus.CANCELLED:
            raise TxError(ErrorCode.STREAM_CLOSED, "the stream was cancelled")
        if stream.claimable(ctx.time_ms) <= 0:
            raise TxError(ErrorCode.NOTHING_TO_CLAIM, "nothing has vested since the last claim")

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: StreamClaim
    ) -> list[Event]:
        return [claim(view, ctx.height, ctx.time_ms, payload.stream_id)]


register_handler(StreamClaimHandler())

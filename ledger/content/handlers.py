"""The CONTENT_ANCHOR handler: first anchor of a hash wins, and it is never overwritten."""

from __future__ import annotations

from ledger.content.hooks import membership_problem
from ledger.content.payloads import ContentAnchor
from ledger.content.records import CONTENT_KIND_PATTERN, ContentRecord
from ledger.content.store import get_content, put_content
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import TxBody


class ContentAnchorHandler(TxHandler[ContentAnchor]):
    payload_type = ContentAnchor

    def check_stateless(self, tx: TxBody, payload: ContentAnchor, params: ChainParams) -> None:
        if len(payload.content_hash) != 32:
            raise TxError(ErrorCode.CONTENT_BAD_RECORD, "a content hash is 32 bytes")
        if not payload.uri:
            raise TxError(ErrorCode.CONTENT_BAD_RECORD, "a content record needs a URI")
        if not CONTENT_KIND_PATTERN.fullmatch(payload.kind):
            raise TxError(
                ErrorCode.CONTENT_BAD_RECORD, f"kind {payload.kind!r} is not a lowercase name"
            )
        if payload.collective is not None and not payload.collective:
            raise TxError(ErrorCode.CONTENT_BAD_RECORD, "an empty collective id")

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ContentAnchor
    ) -> None:
        if get_content(view, payload.content_hash) is not None:
            raise TxError(ErrorCode.ALREADY_EXISTS, "this content hash is already anchored")
        if payload.collective is not None:
            problem = membership_problem(view, payload.collective, tx.sender_address)
            if problem:
                raise TxError(ErrorCode.CONTENT_NOT_A_MEMBER, problem)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ContentAnchor
    ) -> list[Event]:
        record = ContentRecord(
            tx.sender_address,
            payload.uri,
            payload.kind,
            payload.collective,
            ctx.height,
            ctx.time_ms,
        )
        put_content(view, payload.content_hash, record)
        return [
            Event.of(
                "content_anchored",
                content_hash=payload.content_hash,
                author=tx.sender_address.raw,
                content_kind=payload.kind,
                uri=payload.uri,
                collective=payload.collective or b"",
            )
        ]


register_handler(ContentAnchorHandler())

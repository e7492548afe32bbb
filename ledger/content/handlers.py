"""The CONTENT_ANCHOR handler: first anchor of a hash wins, and it is never overwritten.

One exception (issue 23): a hash anchored outside every collective may be anchored once more, by
a member in good standing, *into* that member's collective. A hash proves no authorship, so
whoever sees a hash first (in the mempool, or published before it was anchored) could otherwise
anchor it with no collective and keep the content out of every collective's moderation for good.
The record keeps its first anchorer, URI and time and gains the collective (event
`content_scoped`); an anchor inside a collective is final.
"""

from __future__ import annotations

from dataclasses import replace

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
        existing = get_content(view, payload.content_hash)
        if existing is not None and (existing.collective is not None or payload.collective is None):
            raise TxError(ErrorCode.ALREADY_EXISTS, "this content hash is already anchored")
        if payload.collective is not None:
            problem = membership_problem(view, payload.collective, tx.sender_address, ctx.time_ms)
            if problem:
                raise TxError(ErrorCode.CONTENT_NOT_A_MEMBER, problem)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ContentAnchor
    ) -> list[Event]:
        existing = get_content(view, payload.content_hash)
        if existing is not None:  # check_stateful allowed it: scope it into the collective
            put_content(
                view, payload.content_hash, replace(existing, collective=payload.collective)
            )
            return [
                Event.of(
                    "content_scoped",
                    content_hash=payload.content_hash,
                    collective=payload.collective or b"",
                    by=tx.sender_address.raw,
                )
            ]
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

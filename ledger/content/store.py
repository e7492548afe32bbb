"""Content anchors and moderation decisions in state: writes for handlers, reads for queries.

`record_moderation` is the one way a decision is written; the moderation actions of the
governance package call it, and the latest decision plus the full history stay queryable for
any anchored content hash.
"""

from __future__ import annotations

from itertools import islice

from ledger.content import keys
from ledger.content.records import (
    CONTENT_HASH_LEN,
    MAX_ACTOR_LEN,
    MAX_COLLECTIVE_ID_LEN,
    MAX_LABEL_LEN,
    MAX_PROPOSAL_ID_LEN,
    MAX_URI_LEN,
    ContentRecord,
    ModerationAction,
    ModerationDecision,
)
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.reader import StateReader
from ledger.state.view import StateView

MAX_QUERY = 1000


def get_content(view: StateReader, content_hash: bytes) -> ContentRecord | None:
    data = view.get(keys.record(content_hash))
    return None if data is None else ContentRecord.decode(data)


def put_content(view: StateView, content_hash: bytes, record: ContentRecord) -> None:
    if len(content_hash) != CONTENT_HASH_LEN:
        raise ValueError("a content hash is 32 bytes")
    view.put(keys.record(content_hash), record.encode())
    view.put(keys.by_author_prefix(record.author.raw) + content_hash, b"")
    if record.collective is not None:
        view.put(keys.by_collective_prefix(record.collective) + content_hash, b"")


def content_by_author(view: StateReader, author: Address, limit: int = 100) -> list[bytes]:
    prefix = keys.by_author_prefix(author.raw)
    rows = islice(view.iter_prefix(prefix), min(limit, MAX_QUERY))
    return [key[len(prefix) :] for key, _ in rows]


def content_in_collective(view: StateReader, collective: bytes, limit: int = 100) -> list[bytes]:
    prefix = keys.by_collective_prefix(collective)
    rows = islice(view.iter_prefix(prefix), min(limit, MAX_QUERY))
    return [key[len(prefix) :] for key, _ in rows]


def record_moderation(
    view: StateView,
    ctx: BlockContext,
    content_hash: bytes,
    action: ModerationAction,
    *,
    collective: bytes,
    actor: bytes,
    label: str = "",
    reason_uri: str = "",
    proposal_id: bytes | None = None,
    appeal_until_ms: int = 0,
) -> ModerationDecision:
    """Append a decision to the content's history and make it the latest; raises `TxError`
    (NOT_FOUND) for content that was never anchored, ValueError for out-of-bound fields."""
    if get_content(view, content_hash) is None:
        raise TxError(ErrorCode.NOT_FOUND, f"no content anchored as {content_hash.hex()}")
    if (
        len(collective) > MAX_COLLECTIVE_ID_LEN
        or len(actor) > MAX_ACTOR_LEN
        or len(label.encode()) > MAX_LABEL_LEN
        or len(reason_uri.encode()) > MAX_URI_LEN
        or (proposal_id is not None and len(proposal_id) > MAX_PROPOSAL_ID_LEN)
    ):
        raise ValueError("a moderation field exceeds its bound")
    latest = latest_moderation(view, content_hash)
    decision = ModerationDecision(
        0 if latest is None else latest.seq + 1,
        action,
        collective,
        actor,
        label,
        reason_uri,
        proposal_id,
        appeal_until_ms,
        ctx.height,
        ctx.time_ms,
    )
    encoded = decision.encode()
    view.put(keys.moderation_history(content_hash, decision.seq), encoded)
    view.put(keys.moderation_latest(content_hash), encoded)
    return decision


def latest_moderation(view: StateReader, content_hash: bytes) -> ModerationDecision | None:
    data = view.get(keys.moderation_latest(content_hash))
    return None if data is None else ModerationDecision.decode(data)


def moderation_history(
    view: StateReader, content_hash: bytes, start_seq: int = 0, limit: int = 100
) -> list[ModerationDecision]:
    """Decisions with seq >= `start_seq`, oldest first, at most `limit` (capped at 1000)."""
    prefix = keys.moderation_history_prefix(content_hash)
    out = []
    for key, value in view.iter_prefix(prefix):
        if int.from_bytes(key[-8:], "big") < start_seq:
            continue
        out.append(ModerationDecision.decode(value))
        if len(out) >= min(limit, MAX_QUERY):
            break
    return out

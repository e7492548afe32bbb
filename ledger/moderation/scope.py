"""Which content a collective may moderate: only what was anchored in it.

The latest decision on a content hash is global, so a collective moderating another's content
(or content anchored in no collective) would override that community's own decisions.
"""

from __future__ import annotations

from ledger.content.records import ContentRecord
from ledger.content.store import get_content
from ledger.errors import ErrorCode, TxError
from ledger.state.reader import StateReader


def require_in_scope(view: StateReader, cid: bytes, content_hash: bytes) -> ContentRecord:
    record = get_content(view, content_hash)
    if record is None:
        raise TxError(ErrorCode.NOT_FOUND, f"no content anchored as {content_hash.hex()}")
    if record.collective != cid:
        raise TxError(
            ErrorCode.MODERATION_OUT_OF_SCOPE, "the content is not anchored in this collective"
        )
    return record

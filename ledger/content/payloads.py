"""The CONTENT_ANCHOR payload (kind 90)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.content.records import (
    CONTENT_HASH_LEN,
    MAX_COLLECTIVE_ID_LEN,
    MAX_CONTENT_KIND_LEN,
    MAX_URI_LEN,
)
from ledger.tx import TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class ContentAnchor:
    """The sender anchors content it authored, optionally in a collective."""

    KIND: ClassVar[TxKind] = TxKind.CONTENT_ANCHOR
    content_hash: bytes  # SHA-256 or BLAKE2b-256 of the content; the URI may carry a CID
    uri: str
    kind: str
    collective: bytes | None = None

    def to_fields(self) -> list[Any]:
        return [self.content_hash, self.uri, self.kind, self.collective]

    @classmethod
    def from_fields(cls, raw: object) -> ContentAnchor:
        f = Fields(raw, 4, "content_anchor")
        return cls(
            f.bytes("content_hash", CONTENT_HASH_LEN, exact=True),
            f.str("uri", MAX_URI_LEN),
            f.str("kind", MAX_CONTENT_KIND_LEN),
            f.optional_bytes("collective", MAX_COLLECTIVE_ID_LEN),
        )

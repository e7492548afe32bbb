"""A content anchor and a moderation decision, as stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from ledger import codec
from ledger.codec import Fields, MalformedError
from ledger.keys import ADDRESS_LEN, Address

CONTENT_HASH_LEN = 32
MAX_URI_LEN = 512
MAX_CONTENT_KIND_LEN = 32
MAX_COLLECTIVE_ID_LEN = 32
MAX_LABEL_LEN = 64
MAX_ACTOR_LEN = 64
MAX_PROPOSAL_ID_LEN = 32
CONTENT_KIND_PATTERN = re.compile(r"[a-z0-9][a-z0-9._/-]*")


class ModerationAction(IntEnum):
    """Stable numbers; what a frontend must do with the content (latest decision wins)."""

    HIDE = 1
    LABEL = 2
    RESTORE = 3
    REMOVE = 4


@dataclass(frozen=True, slots=True)
class ContentRecord:
    """Who anchored which content where, and when. `kind` is lowercase, e.g. "video"."""

    author: Address
    uri: str
    kind: str
    collective: bytes | None
    height: int
    time_ms: int

    def encode(self) -> bytes:
        return codec.encode(
            [self.author.raw, self.uri, self.kind, self.collective, self.height, self.time_ms]
        )

    @classmethod
    def decode(cls, data: bytes) -> ContentRecord:
        f = Fields(codec.decode(data), 6, "content")
        return cls(
            Address(f.bytes("author", ADDRESS_LEN, exact=True)),
            f.str("uri", MAX_URI_LEN),
            f.str("kind", MAX_CONTENT_KIND_LEN),
            f.optional_bytes("collective", MAX_COLLECTIVE_ID_LEN),
            f.int("height"),
            f.int("time_ms"),
        )


@dataclass(frozen=True, slots=True)
class ModerationDecision:
    """One decision on a content hash. `actor` is whoever decided (a collective id, a
    moderator's address); `proposal_id` links the proposal that made or can reverse it; a
    decision is open to appeal until `appeal_until_ms` (0: final)."""

    seq: int
    action: ModerationAction
    collective: bytes
    actor: bytes
    label: str
    reason_uri: str
    proposal_id: bytes | None
    appeal_until_ms: int
    height: int
    time_ms: int

    def encode(self) -> bytes:
        return codec.encode(
            [
                self.seq,
                int(self.action),
                self.collective,
                self.actor,
                self.label,
                self.reason_uri,
                self.proposal_id,
                self.appeal_until_ms,
                self.height,
                self.time_ms,
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> ModerationDecision:
        f = Fields(codec.decode(data), 10, "moderation")
        seq = f.int("seq")
        number = f.int("action", 0, 255)
        try:
            action = ModerationAction(number)
        except ValueError as exc:
            raise MalformedError(f"moderation: unknown action {number}") from exc
        return cls(
            seq,
            action,
            f.bytes("collective", MAX_COLLECTIVE_ID_LEN),
            f.bytes("actor", MAX_ACTOR_LEN),
            f.str("label", MAX_LABEL_LEN),
            f.str("reason_uri", MAX_URI_LEN),
            f.optional_bytes("proposal_id", MAX_PROPOSAL_ID_LEN),
            f.int("appeal_until_ms"),
            f.int("height"),
            f.int("time_ms"),
        )

"""State keys of content and moderation: prefixes 0x90-0x9f (stable, never reused)."""

from __future__ import annotations

from ledger.state.keys import u64

RECORD = b"\x90"  # + content hash(32) -> ContentRecord
BY_AUTHOR = b"\x91"  # + author address(20) + content hash(32) -> b""
BY_COLLECTIVE = b"\x92"  # + len(1) + collective id + content hash(32) -> b""
MODERATION_LATEST = b"\x93"  # + content hash(32) -> ModerationDecision (the newest)
MODERATION_HISTORY = b"\x94"  # + content hash(32) + seq(8) -> ModerationDecision


def record(content_hash: bytes) -> bytes:
    return RECORD + content_hash


def by_author_prefix(author_raw: bytes) -> bytes:
    return BY_AUTHOR + author_raw


def by_collective_prefix(collective: bytes) -> bytes:
    return BY_COLLECTIVE + bytes((len(collective),)) + collective


def moderation_latest(content_hash: bytes) -> bytes:
    return MODERATION_LATEST + content_hash


def moderation_history_prefix(content_hash: bytes) -> bytes:
    return MODERATION_HISTORY + content_hash


def moderation_history(content_hash: bytes, seq: int) -> bytes:
    return MODERATION_HISTORY + content_hash + u64(seq)

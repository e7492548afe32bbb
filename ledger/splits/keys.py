"""State keys of revenue splits: prefixes 0x70-0x8f (stable; a retired prefix is never reused)."""

from __future__ import annotations

from ledger.hashing import digest
from ledger.splits.parties import Party
from ledger.state.keys import u64

CONFIG = b"\x70"  # + split id(32) -> SplitConfig
LEDGER = b"\x71"  # + split id(32) -> SplitLedger
HISTORY = b"\x72"  # + split id(32) + seq(8) -> PayoutRecord
INVOICE = b"\x73"  # + split id(32) + sha256(invoice ref)(32) + seq(8) -> b""
BY_OWNER = b"\x74"  # + party key + split id(32) -> b""
BY_RECIPIENT = b"\x75"  # + party key + split id(32) -> b"" (tranche or share recipient)


def config(split_id: bytes) -> bytes:
    return CONFIG + split_id


def ledger(split_id: bytes) -> bytes:
    return LEDGER + split_id


def history(split_id: bytes, seq: int) -> bytes:
    return HISTORY + split_id + u64(seq)


def history_prefix(split_id: bytes) -> bytes:
    return HISTORY + split_id


def invoice_prefix(split_id: bytes, invoice_ref: bytes) -> bytes:
    return INVOICE + split_id + digest(invoice_ref)


def invoice(split_id: bytes, invoice_ref: bytes, seq: int) -> bytes:
    return invoice_prefix(split_id, invoice_ref) + u64(seq)


def by_owner(owner: Party, split_id: bytes) -> bytes:
    return BY_OWNER + owner.key() + split_id


def by_recipient(recipient: Party, split_id: bytes) -> bytes:
    return BY_RECIPIENT + recipient.key() + split_id

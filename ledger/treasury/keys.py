"""State keys of the treasury extensions: prefixes 0x50-0x6f (stable; never reused).

Integers are big-endian fixed width. A grantee key is kind(1) + id: a member's 20-byte address
or a role's 1-byte number, so keys of one collective sort by grantee, then asset.
"""

from __future__ import annotations

from ledger.hashing import digest
from ledger.state.keys import u64

ACCEPTED = b"\x50"  # + cid + asset raw -> b"\x01" (the deposit whitelist)
ALLOWANCE = b"\x51"  # + cid + grantee key + asset raw -> Allowance
STREAM = b"\x52"  # + stream id(8) -> Stream
STREAMS_OF = b"\x53"  # + cid + stream id(8) -> b""
STREAMS_TO = b"\x54"  # + recipient(20) + stream id(8) -> b""
NEXT_STREAM_ID = b"\x55"  # -> u64
INVOICE = b"\x56"  # + cid + sha256(invoice ref)(32) + seq(8) -> DepositRecord
DEPOSIT_SEQ = b"\x57"  # + cid -> u64 the next deposit record number
INVOICE_BY_PAYER = b"\x5e"  # + cid + sha256(ref)(32) + payer key + seq(8) -> DepositRecord


def accepted(cid: bytes, asset_raw: bytes) -> bytes:
    return ACCEPTED + cid + asset_raw


def allowance(cid: bytes, grantee_key: bytes, asset_raw: bytes) -> bytes:
    return ALLOWANCE + cid + grantee_key + asset_raw


def stream(stream_id: int) -> bytes:
    return STREAM + u64(stream_id)


def streams_of(cid: bytes, stream_id: int) -> bytes:
    return STREAMS_OF + cid + u64(stream_id)


def streams_to(recipient_raw: bytes, stream_id: int) -> bytes:
    return STREAMS_TO + recipient_raw + u64(stream_id)


def invoice_prefix(cid: bytes, invoice_ref: bytes) -> bytes:
    return INVOICE + cid + digest(invoice_ref)


def invoice(cid: bytes, invoice_ref: bytes, seq: int) -> bytes:
    return invoice_prefix(cid, invoice_ref) + u64(seq)


def invoice_by_payer_prefix(cid: bytes, invoice_ref: bytes, payer_key: bytes) -> bytes:
    """`payer_key` = kind(1) + id length(1) + id, so no payer's prefix covers another's."""
    return INVOICE_BY_PAYER + cid + digest(invoice_ref) + payer_key


def invoice_by_payer(cid: bytes, invoice_ref: bytes, payer_key: bytes, seq: int) -> bytes:
    return invoice_by_payer_prefix(cid, invoice_ref, payer_key) + u64(seq)


def deposit_seq(cid: bytes) -> bytes:
    return DEPOSIT_SEQ + cid

"""Receipts as the tx index stores them: only what the tx itself does not already say.

A full `Receipt` encoding repeats the tx hash (the index entry's key) and, for a transfer, an
event that names the sender, recipient and amount the tx already holds: about 130 of the 166
bytes an index entry took per transfer. The index keeps instead:

- `[code]` when the events are exactly those `implied_events(tx)` gives (a successful plain
  transfer): 2 bytes;
- `[code, events]` otherwise (every other kind): the events as `Receipt` encodes them.

`load` turns either back into the full `Receipt`, given the tx (which every reader of a receipt
reads anyway); an entry written before this format (`[tx_hash, code, events]`, 3 fields) is
read as it was written. Whether a stored form is compact is decided by its field count alone.
"""

from __future__ import annotations

from typing import Any

from ledger import codec
from ledger.codec import Fields, MalformedError
from ledger.errors import ErrorCode
from ledger.state.events import Event, Receipt
from ledger.tx import SignedTx, Transfer

MAX_STORED_RECEIPT = 1 << 20


def implied_events(tx: SignedTx) -> tuple[Event, ...] | None:
    """The events a successful `tx` emits that its own fields determine (None: not known)."""
    payload = tx.body.payload
    if type(payload) is not Transfer:
        return None
    attributes: tuple[tuple[str, int | bytes | str], ...] = (
        ("sender", tx.body.sender_address.raw),
        ("recipient", payload.recipient.raw),
        ("amount", payload.amount),
    )
    return (Event("transfer", attributes),)


def compact(receipt: Receipt, tx: SignedTx) -> bytes:
    """The stored form of `receipt`, the receipt of `tx`. A transfer's events are compared with
    the implied ones field by field, without building them (every committed tx is compacted)."""
    code = receipt.code
    if _implied(receipt.events, tx):
        return _OK_ONLY if code is ErrorCode.OK else codec.pack_checked([int(code)])
    return codec.encode([int(code), [e.to_fields() for e in receipt.events]])


_OK_ONLY = codec.pack_checked([int(ErrorCode.OK)])


def _implied(events: tuple[Event, ...], tx: SignedTx) -> bool:
    """`events == implied_events(tx)`."""
    payload = tx.body.payload
    if type(payload) is not Transfer or len(events) != 1:
        return False
    event = events[0]
    return event.kind == "transfer" and event.attributes == (
        ("sender", tx.body.sender_address.raw),
        ("recipient", payload.recipient.raw),
        ("amount", payload.amount),
    )


def load(data: bytes, tx: SignedTx) -> Receipt:
    """The full receipt of `tx` from its stored form (either format)."""
    raw: Any = codec.decode(data, MAX_STORED_RECEIPT)
    if isinstance(raw, list) and len(raw) == 3:
        return Receipt.decode(data)  # written before receipts were stored compact
    if not isinstance(raw, list) or len(raw) not in (1, 2):
        raise MalformedError("a stored receipt is [code] or [code, events]")
    f = Fields(raw, len(raw), "stored receipt")
    code = ErrorCode(f.int("code", 0, 0xFFFF))
    if len(raw) == 1:
        events = implied_events(tx)
        if events is None:
            raise MalformedError("a receipt without events stored for a tx that implies none")
        return Receipt(tx.hash, code, events)
    return Receipt(tx.hash, code, tuple(Event.from_fields(e) for e in f.list("events", 1024)))

"""Stored split records decode exactly what was encoded, up to their largest legal size, and a
corrupt one is a MalformedError (never another exception type)."""

from __future__ import annotations

import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.splits.parties import Party, PartyKind
from ledger.splits.records import MAX_RECIPIENTS, MAX_TRANCHES, PayoutRecord, RecordKind
from tests.ledger.splits.conftest import BRAND, account


def test_a_record_paying_every_recipient_and_every_tranche_round_trips() -> None:
    payees = tuple(
        (Party(PartyKind.ACCOUNT, bytes([i // 256, i % 256]) * 10), i + 1)
        for i in range(MAX_RECIPIENTS + MAX_TRANCHES)
    )
    record = PayoutRecord(7, RecordKind.DISTRIBUTED, 3, 4, account(BRAND), 9, 1, b"r", "m", payees)
    assert PayoutRecord.decode(record.encode()) == record


def test_an_unknown_record_kind_is_malformed() -> None:
    fields = codec.decode(
        PayoutRecord(0, RecordKind.PAID, 1, 1, account(BRAND), 1, 0, b"", "", ()).encode()
    )
    fields[1] = max(RecordKind) + 1  # type: ignore[index]
    with pytest.raises(MalformedError, match="kind"):
        PayoutRecord.decode(codec.encode(fields))  # type: ignore[arg-type]

"""The queries a wallet or explorer asks of split state: exact lookups, and lists that stop at
MAX_QUERY entries however many match (bounded work per request)."""

from __future__ import annotations

from ledger.splits import keys
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import PayoutRecord, RecordKind
from ledger.splits.store import (
    MAX_QUERY,
    add_record,
    payout_history,
    payout_record,
    records_for_invoice,
    splits_owned_by,
    splits_paying,
)
from tests.ledger.splits.conftest import ANA, BEN, BRAND, Chain, account, terms_for


def record(seq: int, invoice_ref: bytes) -> PayoutRecord:
    return PayoutRecord(seq, RecordKind.RECEIVED, 1, 1, account(BRAND), 1, 0, invoice_ref, "", ())


def test_a_record_is_found_by_its_number_and_a_missing_number_finds_none(chain: Chain) -> None:
    split_id = chain.next_split_id(ANA)
    chain.run(ANA, SplitCreate(None, terms_for([(ANA, 1)])))
    chain.run(BRAND, SplitPay(split_id, 3, b"INV-1"))
    chain.run(BRAND, SplitPay(split_id, 4, b"INV-10"))
    assert payout_record(chain.view, split_id, 1) == payout_history(chain.view, split_id)[1]
    assert payout_record(chain.view, split_id, 2) is None
    assert [r.amount for r in records_for_invoice(chain.view, split_id, b"INV-1")] == [3]
    # index entries hold nothing: their keys are the index, and every byte is in the state root
    assert chain.view.get(keys.invoice(split_id, b"INV-1", 0)) == b""
    assert chain.view.get(keys.by_recipient(account(ANA), split_id)) == b""
    assert [r.amount for r in payout_history(chain.view, split_id, start_seq=1)] == [4]
    assert [r.amount for r in payout_history(chain.view, split_id, limit=1)] == [3]


def test_history_and_invoice_queries_stop_at_the_query_limit(chain: Chain) -> None:
    split_id = b"\x05" * 32
    for seq in range(MAX_QUERY + 1):
        add_record(chain.view, split_id, record(seq, b"bulk"))
    assert len(records_for_invoice(chain.view, split_id, b"bulk")) == MAX_QUERY
    history = payout_history(chain.view, split_id, limit=MAX_QUERY + 1)
    assert [r.seq for r in history] == list(range(MAX_QUERY))
    assert [r.seq for r in payout_history(chain.view, split_id)] == list(range(100))  # default


def test_owner_and_recipient_lists_stop_at_the_query_limit(chain: Chain) -> None:
    owner, payee = account(ANA), account(BEN)
    for n in range(MAX_QUERY + 1):
        split_id = n.to_bytes(32, "big")
        chain.view.put(keys.by_owner(owner, split_id), b"")
        chain.view.put(keys.by_recipient(payee, split_id), b"")
    owned = splits_owned_by(chain.view, owner)
    assert owned == [n.to_bytes(32, "big") for n in range(MAX_QUERY)]
    assert len(splits_paying(chain.view, payee)) == MAX_QUERY
    assert splits_paying(chain.view, Party.split(b"\x09" * 32)) == []

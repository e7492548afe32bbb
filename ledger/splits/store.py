"""Reading and writing splits in state, and the queries a wallet or explorer asks."""

from __future__ import annotations

from itertools import islice

from ledger.errors import ErrorCode, TxError
from ledger.hashing import tagged_digest
from ledger.keys import Address
from ledger.splits import keys
from ledger.splits.parties import Party
from ledger.splits.records import PayoutRecord, SplitConfig, SplitLedger
from ledger.state.keys import u64
from ledger.state.reader import StateReader
from ledger.state.view import StateView

SPLIT_ID_TAG = b"coterie/split-id/v1"
MAX_QUERY = 1000


def split_id_for(creator: Address, nonce: int) -> bytes:
    """The id of the split that `creator`'s tx with `nonce` creates, known before it is sent."""
    return tagged_digest(SPLIT_ID_TAG, creator.raw + u64(nonce))


def find_config(view: StateReader, split_id: bytes) -> SplitConfig | None:
    data = view.get(keys.config(split_id))
    return None if data is None else SplitConfig.decode(data)


def get_config(view: StateReader, split_id: bytes) -> SplitConfig:
    config = find_config(view, split_id)
    if config is None:
        raise TxError(ErrorCode.NOT_FOUND, f"no split {split_id.hex()}")
    return config


def get_ledger(view: StateReader, split_id: bytes) -> SplitLedger:
    data = view.get(keys.ledger(split_id))
    if data is None:
        raise TxError(ErrorCode.NOT_FOUND, f"no split {split_id.hex()}")
    return SplitLedger.decode(data)


def put_config(view: StateView, split_id: bytes, config: SplitConfig) -> None:
    view.put(keys.config(split_id), config.encode())


def put_ledger(view: StateView, split_id: bytes, ledger: SplitLedger) -> None:
    view.put(keys.ledger(split_id), ledger.encode())


def index_parties(view: StateView, split_id: bytes, config: SplitConfig, present: bool) -> None:
    """Add (or remove) the owner and recipient index entries of `config`."""
    entries = [keys.by_recipient(p, split_id) for p in config.parties()]
    if config.owner is not None:
        entries.append(keys.by_owner(config.owner, split_id))
    for key in entries:
        if present:
            view.put(key, b"")
        else:
            view.delete(key)


def add_record(view: StateView, split_id: bytes, record: PayoutRecord) -> None:
    view.put(keys.history(split_id, record.seq), record.encode())
    if record.invoice_ref:
        view.put(keys.invoice(split_id, record.invoice_ref, record.seq), b"")


def payout_history(
    view: StateReader, split_id: bytes, start_seq: int = 0, limit: int = 100
) -> list[PayoutRecord]:
    """Records with seq >= `start_seq`, oldest first, at most `limit` (capped at 1000)."""
    out = []
    for key, value in view.iter_prefix(keys.history_prefix(split_id)):
        if int.from_bytes(key[-8:], "big") < start_seq:
            continue
        out.append(PayoutRecord.decode(value))
        if len(out) >= min(limit, MAX_QUERY):
            break
    return out


def payout_record(view: StateReader, split_id: bytes, seq: int) -> PayoutRecord | None:
    data = view.get(keys.history(split_id, seq))
    return None if data is None else PayoutRecord.decode(data)


def records_for_invoice(
    view: StateReader,
    split_id: bytes,
    invoice_ref: bytes,
    *,
    source: Party | None = None,
    after_seq: int = -1,
) -> list[PayoutRecord]:
    """Payments into `split_id` that carried `invoice_ref`, oldest first: a page of at most
    1,000 numbered after `after_seq`, only `source`'s when given. References are not
    authenticated (anyone may pay against any), so the filter and the paging let no run of
    other payments hide one (issue 23)."""
    out = []
    for key, _ in view.iter_prefix(keys.invoice_prefix(split_id, invoice_ref)):
        seq = int.from_bytes(key[-8:], "big")
        if seq <= after_seq:
            continue
        record = payout_record(view, split_id, seq)
        if record is None or record.invoice_ref != invoice_ref:
            continue
        if source is not None and record.source != source:
            continue
        out.append(record)
        if len(out) >= MAX_QUERY:
            break
    return out


def splits_owned_by(view: StateReader, owner: Party) -> list[bytes]:
    prefix = keys.BY_OWNER + owner.key()
    return [key[len(prefix) :] for key, _ in islice(view.iter_prefix(prefix), MAX_QUERY)]


def splits_paying(view: StateReader, recipient: Party) -> list[bytes]:
    prefix = keys.BY_RECIPIENT + recipient.key()
    return [key[len(prefix) :] for key, _ in islice(view.iter_prefix(prefix), MAX_QUERY)]


def split_balances(view: StateReader) -> int:
    """The undistributed value held by all splits (for conservation checks and supply reports)."""
    return sum(SplitLedger.decode(v).balance for _, v in view.iter_prefix(keys.LEDGER))

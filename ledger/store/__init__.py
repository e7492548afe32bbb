"""The node's LevelDB database: blocks, commits, tx indexes, state and Merkle records."""

from ledger.store.errors import (
    CommitRefusedError,
    GenesisMismatchError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreOpenError,
)
from ledger.store.history import StatePrunedError
from ledger.store.layout import BlockHead
from ledger.store.readers import CommittedState
from ledger.store.records import RecordStore
from ledger.store.schema import AccountTx, TxLocation
from ledger.store.store import Store

__all__ = [
    "AccountTx",
    "BlockHead",
    "CommitRefusedError",
    "CommittedState",
    "GenesisMismatchError",
    "RecordStore",
    "StatePrunedError",
    "Store",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreOpenError",
    "TxLocation",
]

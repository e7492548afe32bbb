"""Reading the account index: the txs that touched an address, newest first, page by page.

Each entry is a key alone (`schema.account_tx`: address, height, position); the tx's hash comes
from its block, so an entry costs no value bytes (docs/performance.md, "Bytes per committed
transfer").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.hashing import digest
from ledger.keys import Address
from ledger.store import schema
from ledger.store.errors import StoreCorruptError, decode_stored
from ledger.store.layout import tx_bytes
from ledger.store.schema import AccountTx

MAX_HISTORY_PAGE = 1000


def account_history(
    reads: Any,
    block_bytes: Callable[[int], bytes | None],
    address: Address,
    limit: int,
    before: tuple[int, int] | None,
) -> list[AccountTx]:
    """Up to `limit` entries of `address` below `before` (a (height, position) of the last
    entry of the page before), read through `reads` (the database or its pinned snapshot)."""
    if not 1 <= limit <= MAX_HISTORY_PAGE:
        raise ValueError(f"limit must be in [1, {MAX_HISTORY_PAGE}]")
    prefix = schema.account_tx_prefix(address.raw)
    if before is None:
        upper = prefix + b"\xff" * 13
    else:
        upper = schema.account_tx(address.raw, before[0], before[1])
    entries: list[AccountTx] = []
    txs_at: dict[int, list[bytes] | None] = {}
    with reads.iterator(reverse=True, include_value=False) as keys:
        keys.seek(upper)  # a reverse iterator then yields the keys below `upper`
        for key in keys:
            if not key.startswith(prefix) or len(entries) >= limit:
                break
            height, position = schema.account_entry(key)
            if height not in txs_at:
                data = block_bytes(height)
                what = f"block {height}"
                txs_at[height] = None if data is None else decode_stored(tx_bytes, data, what)
            txs = txs_at[height]
            if txs is None:
                continue  # its block is pruned (an entry of a height pruned without a record)
            if position >= len(txs):
                raise StoreCorruptError(f"account index entry for a tx block {height} lacks")
            entries.append(AccountTx(height, position, digest(txs[position])))
    return entries

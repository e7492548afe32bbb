"""Schema 3: an account history entry is its key alone (the block at its height and position
holds the tx, so its hash is not stored again), history answers stay as they were, and a database
of an older schema is refused with what to do."""

from __future__ import annotations

import random
from pathlib import Path

import plyvel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.keys import Address
from ledger.store import Store, StoreOpenError
from ledger.store import schema as sc
from tests.ledger.store.synthetic import GENESIS_HASH, account_txs_of, commit_next, open_store


def test_account_index_entries_hold_no_tx_hash(store: Store) -> None:
    for _ in range(6):
        commit_next(store, 1)
    with store._db.iterator(prefix=sc.ACCOUNT_TX) as entries:
        items = list(entries)
    assert items and all(value == b"" for _, value in items)


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 12), st.sampled_from([None, 3]))
def test_history_names_each_tx_by_the_hash_of_the_block_it_is_in(
    tmp_path_factory: pytest.TempPathFactory, seed: int, blocks: int, keep: int | None
) -> None:
    """Every entry's hash is that of the tx at its height and position, newest first, paged
    without gaps; entries of pruned blocks are gone with their blocks."""
    store = open_store(tmp_path_factory.mktemp("history") / "db")
    store.keep_blocks = keep
    expected: dict[Address, list[tuple[int, int, bytes]]] = {}
    try:
        for _ in range(blocks):
            block = commit_next(store, seed)
            for address, position in account_txs_of(block):
                entry = (block.header.height, position, block.txs[position].hash)
                expected.setdefault(address, []).append(entry)
        for entries in expected.values():
            entries.sort(reverse=True)
        rng = random.Random(seed)
        for address, entries in expected.items():
            kept = [e for e in entries if e[0] >= store.base_height]
            got = [(e.height, e.position, e.tx_hash) for e in store.account_history(address, 1000)]
            assert got == kept
            limit, before, paged = rng.randrange(1, 4), None, []
            while True:
                page = store.account_history(address, limit, before)
                paged += [(e.height, e.position, e.tx_hash) for e in page]
                if len(page) < limit:
                    break
                before = (page[-1].height, page[-1].position)
            assert paged == kept
    finally:
        store.close()


@pytest.mark.parametrize("version", [2, 3])
def test_an_older_database_is_refused_with_what_to_do(db_path: Path, version: int) -> None:
    """Schema 3 held the binary tree's pages, 2 also the tx hash in account entries: the
    node syncs again rather than read another tree (or layout) as the flat tree's records."""
    open_store(db_path).close()
    db = plyvel.DB(str(db_path))
    db.put(sc.META_SCHEMA, sc.u32(version))
    db.close()
    with pytest.raises(
        StoreOpenError, match=rf"schema version {version}.*this release reads 4.*sync"
    ):
        Store.open(db_path, GENESIS_HASH)

"""What `Store.open` checks of an existing database before it serves anything.

The database is Coterie's, of this chain and of this schema version; its last block and commit
exist and agree; the last header's state root is the stored root and its page is stored; no block
lies above the last height. `load` then sets the store's height, roots and pruning bounds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.block import Block, Commit
from ledger.hashing import HASH_LEN
from ledger.merkle import EMPTY
from ledger.store import history, pruning, schema
from ledger.store.errors import GenesisMismatchError, StoreCorruptError, StoreOpenError

if TYPE_CHECKING:
    from ledger.store.store import Store


def load(store: Store) -> None:
    """Read the stored height, roots and bounds into `store`, or raise if they are not sound.

    A new, empty database is left as it is (`Store.initialize` writes the genesis state).
    """
    db = store._db
    stored_genesis = db.get(schema.META_GENESIS)
    if stored_genesis is None:
        with db.iterator(include_value=False) as keys:
            if next(keys, None) is not None:
                raise StoreOpenError(f"{store.path} is a LevelDB database, but not Coterie's")
        return
    if stored_genesis != store.genesis_hash:
        raise GenesisMismatchError(
            f"database at {store.path} belongs to the chain with genesis hash "
            f"{stored_genesis.hex()}, not {store.genesis_hash.hex()} "
            "(wrong genesis.json, or a data directory of another chain)"
        )
    version = db.get(schema.META_SCHEMA)
    if version != schema.u32(schema.SCHEMA_VERSION):
        found = "an unknown schema version"
        if version is not None and len(version) == 4:
            found = f"schema version {int.from_bytes(version, 'big')}"
        raise StoreOpenError(
            f"database at {store.path} has {found}; this release reads "
            f"{schema.SCHEMA_VERSION}: sync the node again into an empty data/chain "
            "(block sync or state sync, docs/operating.md)"
        )
    store.initialized = True
    store.height = schema.from_u64(_need(store, schema.META_HEIGHT, "the height"))
    base = db.get(pruning.META_BASE)
    store.base_height = 1 if base is None else schema.from_u64(base)
    store._history = history.StateHistory.load(db, store.base_height)
    store.state_root = _need(store, schema.META_STATE_ROOT, "the state root")
    _check_consistency(store)
    store.nodes.warm(store.state_root)


def _need(store: Store, key: bytes, what: str) -> bytes:
    value: bytes | None = store._db.get(key)
    if value is None:
        raise StoreCorruptError(f"database at {store.path} lacks {what}")
    return value


def _check_consistency(store: Store) -> None:
    """The last block, its commit and the state root agree; no block lies above the last."""
    db, height, root = store._db, store.height, store.state_root
    if len(root) != HASH_LEN or (root != EMPTY and not store.nodes.has_page(root)):
        raise StoreCorruptError(f"state root {root.hex()} is not in the node store")
    if db.get(schema.block(height + 1)) is not None:
        raise StoreCorruptError(f"a block exists above the last committed height {height}")
    if height == 0:
        return
    block_data = _need(store, schema.block(height), f"block {height}")
    block = store._decode(Block.decode, block_data, f"block {height}")
    commit_data = _need(store, schema.commit(height), f"the commit of block {height}")
    commit = store._decode(Commit.decode, commit_data, f"commit {height}")
    block_hash = block.hash()
    if block.header.height != height or commit.block_hash != block_hash:
        raise StoreCorruptError(f"block {height} and its commit do not match")
    if block.header.state_root != root:
        raise StoreCorruptError(
            f"block {height} has state root {block.header.state_root.hex()}, "
            f"but the stored state has root {root.hex()}"
        )
    if db.get(schema.block_height(block_hash)) != schema.u64(height):
        raise StoreCorruptError(f"block {height} is missing from the hash index")
    store.last_block_hash = block_hash
    store.last_header, store.last_commit = block.header, commit

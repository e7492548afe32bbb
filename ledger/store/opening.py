"""What `Store.open` checks of an existing database before it serves anything.

The database is Coterie's, of this chain and of this schema version; its last block and commit
exist and agree; the last header's state root is the stored root and its record is stored; no block
lies above the last height. `load` then gives the store its height, roots and pruning bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ledger.block import Block, Commit, Header
from ledger.hashing import HASH_LEN
from ledger.merkle import EMPTY
from ledger.store import history, pruning, schema
from ledger.store.errors import (
    GenesisMismatchError,
    StoreCorruptError,
    StoreOpenError,
    decode_stored,
)
from ledger.store.records import RecordStore


@dataclass(frozen=True, slots=True)
class Opened:
    """The chain a checked database holds: what the store serves from."""

    height: int
    base_height: int
    history: history.StateHistory
    state_root: bytes
    last_block_hash: bytes | None = None
    last_header: Header | None = None
    last_commit: Commit | None = None


def load(db: Any, path: Path, genesis_hash: bytes, tree: RecordStore) -> Opened | None:
    """The stored height, roots and bounds, or raise if they are not sound; None for a new,
    empty database (`Store.initialize` writes the genesis state). Warms `tree` at the root."""
    stored_genesis = db.get(schema.META_GENESIS)
    if stored_genesis is None:
        with db.iterator(include_value=False) as keys:
            if next(keys, None) is not None:
                raise StoreOpenError(f"{path} is a LevelDB database, but not Coterie's")
        return None
    if stored_genesis != genesis_hash:
        raise GenesisMismatchError(
            f"database at {path} belongs to the chain with genesis hash "
            f"{stored_genesis.hex()}, not {genesis_hash.hex()} "
            "(wrong genesis.json, or a data directory of another chain)"
        )
    version = db.get(schema.META_SCHEMA)
    if version != schema.u32(schema.SCHEMA_VERSION):
        found = "an unknown schema version"
        if version is not None and len(version) == 4:
            found = f"schema version {int.from_bytes(version, 'big')}"
        raise StoreOpenError(
            f"database at {path} has {found}; this release reads "
            f"{schema.SCHEMA_VERSION}: sync the node again into an empty data/chain "
            "(block sync or state sync, docs/operating.md)"
        )
    height = schema.from_u64(_need(db, path, schema.META_HEIGHT, "the height"))
    base = db.get(pruning.META_BASE)
    base_height = 1 if base is None else schema.from_u64(base)
    root = _need(db, path, schema.META_STATE_ROOT, "the state root")
    opened = Opened(height, base_height, history.StateHistory.load(db, base_height), root)
    opened = _check_consistency(db, path, tree, opened)
    tree.warm(root)
    return opened


def _need(db: Any, path: Path, key: bytes, what: str) -> bytes:
    value: bytes | None = db.get(key)
    if value is None:
        raise StoreCorruptError(f"database at {path} lacks {what}")
    return value


def _check_consistency(db: Any, path: Path, tree: RecordStore, opened: Opened) -> Opened:
    """The last block, its commit and the state root agree; no block lies above the last.
    Returns `opened` with the last block's hash, header and commit."""
    height, root = opened.height, opened.state_root
    if len(root) != HASH_LEN or (root != EMPTY and not tree.has_record(root)):
        raise StoreCorruptError(f"state root {root.hex()} is not in the record store")
    if db.get(schema.block(height + 1)) is not None:
        raise StoreCorruptError(f"a block exists above the last committed height {height}")
    if height == 0:
        return opened
    block_data = _need(db, path, schema.block(height), f"block {height}")
    block = decode_stored(Block.decode, block_data, f"block {height}")
    commit_data = _need(db, path, schema.commit(height), f"the commit of block {height}")
    commit = decode_stored(Commit.decode, commit_data, f"commit {height}")
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
    return replace(opened, last_block_hash=block_hash, last_header=block.header, last_commit=commit)

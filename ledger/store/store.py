"""The node's database: committed blocks, commits, tx indexes, state and its Merkle records.

Everything a committed block changes (the block, its commit, the state delta, the new Merkle
records, the tx and account indexes, the height and root) goes into ONE LevelDB write batch written
with `sync=True`. LevelDB logs a batch as a single checksummed record, so after a crash the
database holds either all of a block or none of it: reopening lands exactly on the last committed
block, whose header's state root equals the stored root. `open` checks that before serving
(ledger/store/opening.py).

An archive store (`keep_blocks` and `keep_states` None, the store's default) keeps every block
and every Merkle record, so proofs against any past root still work. With `keep_blocks` K it keeps
the last K blocks, their commits and indexes (ledger/store/pruning.py; `base_height` is the lowest
height still held); with `keep_states` K the records of the last K state roots
(ledger/store/history.py; `earliest_state_height`). Both are pruned in the batch of a later commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Self, TypeVar

from ledger.block import Block, BlockOutline, Commit, Header
from ledger.codec import MalformedError
from ledger.keys import Address
from ledger.merkle import EMPTY, MerkleError
from ledger.merkle.flat import FlatProof
from ledger.state.reader import Changes
from ledger.store import account_index, block_write, history, opening, pruning, schema
from ledger.store.block_write import BlockParts, WrittenBlock
from ledger.store.checks import check_fits
from ledger.store.errors import StoreCorruptError, StoreError, decode_stored
from ledger.store.layout import BlockHead
from ledger.store.leveldb import MemoryBudget, open_leveldb
from ledger.store.readers import CommittedState
from ledger.store.records import RecordStore
from ledger.store.schema import AccountTx, TxLocation
from ledger.tx import SignedTx

log = logging.getLogger(__name__)

T = TypeVar("T")


class Store:
    """One chain's database. Open with `Store.open`; use as a context manager or `close()`."""

    def __init__(
        self,
        db: Any,
        path: Path,
        genesis_hash: bytes,
        budget: MemoryBudget | None = None,
    ) -> None:
        self._db = db
        self.path = path
        self.genesis_hash = genesis_hash
        self.state = CommittedState(db, (budget or MemoryBudget()).state_cache_entries)
        self.tree = RecordStore(db)
        """The state tree's records: what the node's update and the API's proofs walk."""
        self.initialized = False
        self.height = 0
        self.state_root = EMPTY
        self.last_block_hash: bytes | None = None
        # the last block's header and commit, kept current by `commit_block`: status and proof
        # reads need them on every request and must not decode a whole block for it
        self.last_header: Header | None = None
        self.last_commit: Commit | None = None
        self.keep_blocks: int | None = None
        """None: archive; else keep this many latest blocks (set by the node from its config)."""
        self.base_height = 1
        """The lowest height whose block is still stored (1 unless pruned)."""
        self.sync = True
        """Each commit's batch is synced before `commit_block` returns. Only a bulk writer
        that can start over after a crash (the bench's history, cli/bench/history.py) turns
        it off; a node never does."""
        self.keep_states: int | None = None
        """None: keep every state tree; else those of the last K heights (K >= 2)."""
        self._history = history.StateHistory(1, 0)
        self._compactor = pruning.Compactor(db)
        self._reads: Any = db  # the live database, or the snapshot `pin_reads` took
        self._pinned: Any = None
        self._write_lock = threading.Lock()

    @classmethod
    def open(
        cls,
        path: Path | str,
        genesis_hash: bytes,
        budget: MemoryBudget | None = None,
    ) -> Store:
        """Open or create the database for the chain `genesis_hash`, checking it is consistent.

        Raises `StoreOpenError` (or a subclass) with a clear message; never leaves it open then.
        """
        path = Path(path)
        db = open_leveldb(path, budget)
        store = cls(db, path, genesis_hash, budget)
        try:
            opened = opening.load(db, path, genesis_hash, store.tree)
            if opened is not None:
                store._take(opened)
        except StoreError:
            db.close()
            raise
        except (MalformedError, MerkleError, ValueError) as exc:
            db.close()
            raise StoreCorruptError(f"database at {path} is inconsistent: {exc}") from exc
        return store

    def _take(self, opened: opening.Opened) -> None:
        """Serve the chain that `opening.load` found and checked."""
        self.initialized = True
        self.height, self.base_height = opened.height, opened.base_height
        self._history, self.state_root = opened.history, opened.state_root
        self.last_block_hash = opened.last_block_hash
        self.last_header, self.last_commit = opened.last_header, opened.last_commit

    def close(self) -> None:
        with self._write_lock:  # a block being written (on another thread) is written whole
            self._compactor.join()
            self.unpin_reads()
            self._db.close()
        self.state.forget()  # a read after closing fails as it did before the cache

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------------------

    def initialize(self, genesis_state: Mapping[bytes, bytes]) -> bytes:
        """Write the genesis state (height 0) in one batch and return its state root."""
        if self.initialized:
            raise StoreError(f"database at {self.path} is already initialized")
        root, node_writes, _ = self.tree.update_tracked(EMPTY, genesis_state)
        with self._db.write_batch(transaction=True, sync=True) as batch:
            batch.put(schema.META_SCHEMA, schema.u32(schema.SCHEMA_VERSION))
            batch.put(schema.META_GENESIS, self.genesis_hash)
            batch.put(schema.META_HEIGHT, schema.u64(0))
            batch.put(schema.META_STATE_ROOT, root)
            for key, value in genesis_state.items():
                batch.put(schema.STATE + key, value)
            for node_hash, encoding in node_writes.items():
                batch.put(schema.NODE + node_hash, encoding)
            states = history.initial(batch, 0, root)
        self.initialized, self.state_root, self._history = True, root, states
        self.state.forget()
        self.tree.advance(EMPTY, root, node_writes)
        return root

    def commit_block(
        self,
        block: Block,
        commit: Commit,
        *,
        changes: Changes,
        new_root: bytes,
        node_writes: dict[bytes, bytes],
        receipts: Mapping[bytes, bytes],
        account_txs: Iterable[tuple[Address, int]] = (),
        orphaned: Iterable[bytes] = (),
    ) -> None:
        """Store a committed block and everything it changed, atomically and durably.

        `new_root`, `node_writes` and `orphaned` are what `store.tree.update_tracked(
        store.state_root, changes)` returned: the new root, its new records, and the old records
        the new tree no longer holds (what a pruning store may delete later; an archive store
        ignores them); `receipts` maps each tx hash of the block to its encoded receipt;
        `account_txs` lists (address, tx position) for every account a tx touched. Raises
        `CommitRefusedError`, having written nothing, if the block does not fit.

        `check_block`, `write_block` and `finish_block` are its three steps, for a caller that
        writes on another thread while this one goes on reading (ledger/store/block_write.py).
        """
        self.check_block(block, commit, new_root, node_writes)
        parts = BlockParts(block, commit, changes, new_root, node_writes, receipts, orphaned)
        self.finish_block(self.write_block(parts, account_txs))

    def check_block(
        self, block: Block, commit: Commit, new_root: bytes, node_writes: Mapping[bytes, bytes]
    ) -> None:
        """`CommitRefusedError` unless the block fits on top of the committed chain (reads)."""
        check_fits(self, block, block.hash(), commit, new_root, node_writes)

    def write_block(
        self, parts: BlockParts, account_txs: Iterable[tuple[Address, int]] = ()
    ) -> WrittenBlock:
        """Build the block's batch and write it, synced: when this returns the block is durable,
        but this store's readers still see the block before it until `finish_block`.

        Reads only the live database and the store's pruning state, which nothing else changes
        meanwhile, so it may run on another thread while readers run on theirs, as long as
        `pin_reads` holds them to the state before (a reader of the live database could see
        the new values beside the old height and root). One write at a time; `close` waits for
        it. Raises `CommitRefusedError`, having written nothing, if the block is malformed.
        The bytes of the records the new pinned top does not keep are released from
        `parts.node_writes` once in the batch (ledger/store/block_write.py)."""
        with self._write_lock:
            if self._db.closed:
                raise StoreError(f"database at {self.path} is closed")
            pruning_state = block_write.Pruning(
                self.keep_blocks, self.keep_states, self.base_height, self._history
            )
            pinned = self.tree.new_pinned(parts.new_root, parts.node_writes)
            return block_write.write(
                self._db, parts, account_txs, pruning_state, self.sync, self._compactor, pinned
            )

    def finish_block(self, written: WrittenBlock) -> None:
        """Move this store's readers to a block `write_block` made durable (on their thread)."""
        block = written.parts.block
        header = block.header
        if header.height != self.height + 1:
            raise StoreError(f"block {header.height} was written on top of {self.height}")
        self.base_height, self._history = written.base_height, written.history
        self.state.written(written.parts.changes)
        old_root, new_root = self.state_root, written.parts.new_root
        self.height, self.state_root, self.last_block_hash = (
            header.height,
            new_root,
            written.block_hash,
        )
        self.last_header, self.last_commit = header, written.parts.commit
        self.tree.advance(old_root, new_root, written.parts.node_writes)
        log.debug(
            "committed block %d (%d txs, %d state changes)",
            header.height,
            len(block.txs),
            len(written.parts.changes),
        )

    def pin_reads(self) -> None:
        """Until `unpin_reads`, every read of this store (state values, Merkle records, blocks,
        indexes) answers from a LevelDB snapshot taken now: the committed chain as it stands,
        whole, whatever `write_block` writes meanwhile."""
        if self._pinned is not None:
            raise StoreError("reads are already pinned")
        self._pinned = self._db.snapshot()
        self._read_from(self._pinned)

    def unpin_reads(self) -> None:
        """Reads see the live database again (call with no write in flight, or after
        `finish_block`: they then see the block it wrote)."""
        snapshot, self._pinned = self._pinned, None
        self._read_from(self._db)
        if snapshot is not None:
            snapshot.close()

    def _read_from(self, source: Any) -> None:
        self._reads = source
        self.state.read_from(source)
        self.tree.read_from(source)

    # -- reading -------------------------------------------------------------------------------

    def block(self, height: int) -> Block | None:
        data = self.block_bytes(height)
        return None if data is None else decode_stored(Block.decode, data, f"block {height}")

    def block_outline(self, height: int) -> BlockOutline | None:
        """The block at `height` with its txs as hashes, without decoding its txs."""
        data = self.block_bytes(height)
        return None if data is None else decode_stored(BlockOutline.decode, data, f"block {height}")

    def block_bytes(self, height: int) -> bytes | None:
        """The canonical encoding of the block at `height`, as stored (for serving as is)."""
        if height < 1:
            return None
        data: bytes | None = self._reads.get(schema.block(height))
        return data

    def height_of(self, block_hash: bytes) -> int | None:
        data = self._reads.get(schema.block_height(block_hash))
        return None if data is None else schema.from_u64(data)

    def block_by_hash(self, block_hash: bytes) -> Block | None:
        height = self.height_of(block_hash)
        return None if height is None else self.block(height)

    def commit(self, height: int) -> Commit | None:
        data = self._reads.get(schema.commit(height)) if height >= 1 else None
        return None if data is None else decode_stored(Commit.decode, data, f"commit {height}")

    def tx_location(self, tx_hash: bytes) -> TxLocation | None:
        data = self._reads.get(schema.TX + tx_hash)
        return None if data is None else decode_stored(TxLocation.decode, data, "tx index entry")

    def header(self, height: int) -> Header | None:
        """The header of the block at `height`, without decoding the block's txs."""
        head = self.block_head(height)
        return None if head is None else head.header

    def block_head(self, height: int) -> BlockHead | None:
        """The block's header and its tx and evidence counts, without decoding its txs."""
        data = self.block_bytes(height)
        return None if data is None else decode_stored(BlockHead.read, data, f"block {height}")

    def tx(self, tx_hash: bytes) -> tuple[SignedTx, TxLocation] | None:
        """A committed tx and where it is (decoding only that tx, not its block)."""
        location = self.tx_location(tx_hash)
        if location is None:
            return None
        return self.tx_at(location, tx_hash, self.block_bytes(location.height)), location

    def tx_at(self, location: TxLocation, tx_hash: bytes, block_data: bytes | None) -> SignedTx:
        """The tx `location` points at, cut out of its block's stored bytes (`block_bytes`,
        which a caller reading several txs of one block fetches once). Only index entries
        written before tx offsets were recorded need the whole block decoded."""
        if block_data is not None and location.length:
            end = location.offset + location.length
            tx = decode_stored(SignedTx.decode, block_data[location.offset : end], "tx")
            if tx.hash == tx_hash:
                return tx
        elif block_data is not None:
            block = decode_stored(Block.decode, block_data, f"block {location.height}")
            if location.position < len(block.txs) and block.txs[location.position].hash == tx_hash:
                return block.txs[location.position]
        raise StoreCorruptError(f"tx index points at a missing tx {tx_hash.hex()}")

    def account_history(
        self, address: Address, limit: int = 50, before: tuple[int, int] | None = None
    ) -> list[AccountTx]:
        """The txs that touched `address`, newest first.

        Pages: pass the (height, position) of the last entry of a page as `before` for the next.
        """
        return account_index.account_history(self._reads, self.block_bytes, address, limit, before)

    def prove(self, key: bytes) -> tuple[bytes | None, FlatProof]:
        """The committed value of `key` (None: absent) and its proof against `state_root`."""
        return self.state.get(key), self.tree.prove(self.state_root, key)

    @property
    def earliest_state_height(self) -> int:
        """The lowest height whose state tree this store still holds whole."""
        return self._history.earliest

    def state_root_at(self, height: int) -> bytes:
        """The state root after block `height` (0: genesis); `StatePrunedError` if this store
        does not hold that state tree (pruned by `keep_states`, or its block pruned)."""
        if height == self.height:
            return self.state_root
        root: bytes | None = None
        if self._history.earliest <= height < self.height:
            if height == 0:
                root = self._reads.get(history.META_GENESIS_ROOT)
            else:
                header = self.header(height)
                root = None if header is None else header.state_root
        if root is None:
            if not 0 <= height <= self.height:
                why = f"the last committed height is {self.height}"
            elif self.keep_states:
                why = f"[storage] keep_states = {self.keep_states}"
            else:
                why = "its state or block was pruned, or it started from a snapshot"
            raise history.StatePrunedError(
                f"the state of height {height} is pruned on this node: it keeps the state trees "
                f"of heights {self._history.earliest} to {self.height} ({why})"
            )
        return root

    def prove_at(self, key: bytes, height: int) -> FlatProof:
        """The proof of `key` against the state root of `height` (its leaf carries the value's
        hash: values are stored for the latest height only); `StatePrunedError` as
        `state_root_at`."""
        return self.tree.prove(self.state_root_at(height), key)

    def recompute_state_root(self) -> bytes:
        """The root of a tree built afresh from every stored state value (a full check: slow)."""
        return self.tree.root_of(dict(self.state.iter_prefix(b"")))

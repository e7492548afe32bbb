"""A deterministic synthetic chain for the store's tests and its crash writer.

Block h's state changes and txs depend only on (seed, h), and its header on the chain below it,
so any height can be recomputed exactly: from the store (`commit_next`) or in memory (`Model`).
Signatures are dummies: the store does not check them (consensus does, before a commit).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ledger import codec
from ledger.block import Block, Commit, CommitSig, Header, tx_root
from ledger.hashing import ZERO_HASH, digest
from ledger.keys import Address
from ledger.merkle import EMPTY
from ledger.merkle.flat import MemoryRecordStore, children_of, update
from ledger.merkle_list import merkle_list_root
from ledger.store import Store
from ledger.store.block_write import BlockParts, WrittenBlock
from ledger.store.records import RecordStore
from ledger.tx import SignedTx, Transfer, TxBody

CHAIN_ID = "synthetic"
GENESIS_HASH = digest(b"synthetic genesis")
KEYSPACE = 2000
GENESIS_STATE = {b"\x01" + i.to_bytes(4, "big"): b"genesis %d" % i for i in range(0, KEYSPACE, 40)}
SENDERS = [digest(b"sender %d" % i) for i in range(4)]  # public keys
VALIDATOR = Address(bytes(20))


def block_changes(seed: int, height: int) -> dict[bytes, bytes | None]:
    rng = random.Random(f"changes/{seed}/{height}")
    count = rng.choice((1, 5, 20, 50, 200, 800))
    changes: dict[bytes, bytes | None] = {}
    for _ in range(count):
        key = b"\x01" + rng.randrange(KEYSPACE).to_bytes(4, "big")
        changes[key] = None if rng.random() < 0.25 else rng.randbytes(rng.randrange(1, 64))
    return changes


def block_txs(seed: int, height: int) -> tuple[SignedTx, ...]:
    rng = random.Random(f"txs/{seed}/{height}")
    txs = []
    for i in range(rng.randrange(4)):
        sender = SENDERS[rng.randrange(len(SENDERS))]
        recipient = Address.from_public_key(SENDERS[rng.randrange(len(SENDERS))])
        body = TxBody(CHAIN_ID, sender, height * 10 + i, 0, Transfer(recipient, 1 + i))
        txs.append(SignedTx(body, bytes(64)))
    return tuple(txs)


def commit_for(height: int, block_hash: bytes) -> Commit:
    return Commit(height, 0, block_hash, (CommitSig(VALIDATOR, bytes(64)),))


def make_block(seed: int, height: int, prev_hash: bytes | None, state_root: bytes) -> Block:
    txs = block_txs(seed, height)
    last_commit = None if prev_hash is None else commit_for(height - 1, prev_hash)
    header = Header(
        chain_id=CHAIN_ID,
        height=height,
        time_ms=height * 1000,
        prev_block_hash=prev_hash or ZERO_HASH,
        last_commit_hash=last_commit.hash() if last_commit else ZERO_HASH,
        tx_root=tx_root(txs),
        evidence_root=merkle_list_root([]),
        state_root=state_root,
        validators_hash=ZERO_HASH,
        next_validators_hash=ZERO_HASH,
        proposer=VALIDATOR,
    )
    return Block(header, txs, (), last_commit)


def receipts_of(block: Block) -> dict[bytes, bytes]:
    return {tx.hash: codec.encode([tx.hash, 0]) for tx in block.txs}


def account_txs_of(block: Block) -> list[tuple[Address, int]]:
    entries: list[tuple[Address, int]] = []
    for position, tx in enumerate(block.txs):
        touched = {tx.body.sender_address}
        payload = tx.body.payload
        assert isinstance(payload, Transfer)
        touched.add(payload.recipient)
        entries.extend((address, position) for address in touched)
    return entries


def open_store(path: object) -> Store:
    """Open the synthetic chain's store, writing its genesis state if it is new."""
    store = Store.open(str(path), GENESIS_HASH)
    if not store.initialized:
        store.initialize(GENESIS_STATE)
    return store


def commit_next(store: Store, seed: int) -> Block:
    """Commit the next synthetic block on top of `store`, the way a node would."""
    return commit_changes(store, block_changes(seed, store.height + 1), seed)


def commit_changes(store: Store, changes: Mapping[bytes, bytes | None], seed: int) -> Block:
    """Commit a synthetic block of height `store.height + 1` whose state changes are `changes`."""
    return commit_update(store, changes, store.tree.update_tracked(store.state_root, changes), seed)


def commit_update(
    store: Store,
    changes: Mapping[bytes, bytes | None],
    update: tuple[bytes, dict[bytes, bytes], set[bytes]],
    seed: int,
) -> Block:
    """`commit_changes` with the tree's update already made (root, writes, orphaned): for a
    test that looks at the writes the commit was given."""
    height = store.height + 1
    root, writes, orphaned = update
    block = make_block(seed, height, store.last_block_hash, root)
    store.commit_block(
        block,
        commit_for(height, block.hash()),
        changes=changes,
        new_root=root,
        node_writes=writes,
        receipts=receipts_of(block),
        account_txs=account_txs_of(block),
        orphaned=orphaned,
    )
    return block


def next_parts(store: Store, seed: int) -> tuple[BlockParts, list[tuple[Address, int]]]:
    """The next synthetic block's parts, checked to fit `store` (`Store.check_block`)."""
    height = store.height + 1
    changes = block_changes(seed, height)
    root, writes, orphaned = store.tree.update_tracked(store.state_root, changes)
    block = make_block(seed, height, store.last_block_hash, root)
    commit = commit_for(height, block.hash())
    store.check_block(block, commit, root, writes)
    parts = BlockParts(block, commit, changes, root, writes, receipts_of(block), orphaned)
    return parts, account_txs_of(block)


def commit_next_off_thread(store: Store, seed: int, read: Callable[[], None]) -> Block:
    """Commit the next synthetic block as a node does off its loop (node/commit_off_loop.py):
    reads pinned, the batch written on another thread while `read` runs here again and again,
    then finished and unpinned here."""
    parts, account_txs = next_parts(store, seed)
    written: list[WrittenBlock] = []
    writer = threading.Thread(target=lambda: written.append(store.write_block(parts, account_txs)))
    store.pin_reads()
    writer.start()
    while writer.is_alive():
        read()
    writer.join()
    read()
    store.finish_block(written[0])
    store.unpin_reads()
    return parts.block


GENESIS_KEYS = sorted(GENESIS_STATE)


def churn(rng: random.Random) -> dict[bytes, bytes | None]:
    """Few genesis keys and three values, so subtrees often come back exactly as an older block
    had them (what record pruning must not delete)."""
    picked = rng.sample(GENESIS_KEYS, rng.randrange(1, 6))
    return {k: rng.choice((None, b"a", b"b", b"genesis")) for k in picked}


def records_under(store: Store, root: bytes) -> set[bytes]:
    """Every record of the tree under `root`; fails on a missing one."""
    todo, seen = [root] if root != EMPTY else [], set()
    while todo:
        hash_ = todo.pop()
        record = store.tree.get_record(hash_)
        assert record is not None, f"record {hash_.hex()} of a kept root was pruned"
        seen.add(hash_)
        todo += children_of(record)
    return seen


def top_records(records: RecordStore, root: bytes, levels: int) -> set[bytes]:
    """The records of the tree under `root` above nibble depth `levels`, found from the tree."""
    found: set[bytes] = set()
    level = [root] if root != EMPTY else []
    for _ in range(levels):
        below: list[bytes] = []
        for hash_ in level:
            found.add(hash_)
            record = records.get_record(hash_)
            assert record is not None
            below += children_of(record)
        level = below
    return found


def stored_records(store: Store) -> set[bytes]:
    with store._db.iterator(prefix=b"n", include_value=False) as keys:
        return {key[1:] for key in keys}


@dataclass
class Model:
    """The synthetic chain computed in memory, to compare a store against, height by height."""

    seed: int
    height: int = 0
    state: dict[bytes, bytes] = field(default_factory=lambda: dict(GENESIS_STATE))
    nodes: MemoryRecordStore = field(default_factory=MemoryRecordStore)
    root: bytes = EMPTY
    block_hashes: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root, writes = update(self.nodes, EMPTY, self.state)
        self.nodes.put_all(writes)

    def advance_to(self, height: int) -> None:
        while self.height < height:
            self.height += 1
            changes = block_changes(self.seed, self.height)
            self.root, writes = update(self.nodes, self.root, changes)
            self.nodes.put_all(writes)
            for key, value in changes.items():
                if value is None:
                    self.state.pop(key, None)
                else:
                    self.state[key] = value
            prev = self.block_hashes[-1] if self.block_hashes else None
            self.block_hashes.append(make_block(self.seed, self.height, prev, self.root).hash())

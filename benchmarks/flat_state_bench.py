"""state_bench's figure for the production flat tree (ledger/merkle/flat, ledger/store/records.py),
beside the binary tree of the store, block for block.

    nice -n 10 .venv/bin/python -m benchmarks.flat_state_bench                   # 1M keys, 10k
    .venv/bin/python -m benchmarks.flat_state_bench --keys 20000 --changes 1000 --blocks 3

The store does not run on the flat tree yet (docs/ledger.md, "Next: the flat 16-ary tree"), so
the flat side is the store's commit written out here: `ledger.merkle.flat.update` over a
`RecordStore` (the top 4 nibble levels pinned, the rest read from LevelDB opened as the store
opens it), then one synced batch of the records, the state values, the block, its hash index, its
commit, the height and the root (what `Store.commit_block` writes for state_bench's empty
block), then `RecordStore.advance`. The binary side is state_bench's own `commit`. The workload is
state_bench's (`blocks_of`): a genesis of `--keys` accounts, blocks of `--changes`
keys (90% updates, 10% new), both trees reopened cold, blocks alternating in one process. Every
line carries the 1-minute load average: the machine is shared.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.state_bench import GENESIS, PROPOSER, account_key, blocks_of
from benchmarks.state_bench import commit as binary_commit
from ledger.block import Block, Commit, CommitSig, Header
from ledger.hashing import ZERO_HASH
from ledger.merkle.flat import MemoryRecordStore, prove, update, verify_proof
from ledger.merkle.node import EMPTY
from ledger.store import Store, schema
from ledger.store.leveldb import open_leveldb
from ledger.store.records import RecordStore

Row = tuple[float, float, float, int, int, int]
"""Update wall s, its CPU s, commit wall s (advance included), records read from LevelDB,
records written, their bytes."""


class FlatChain:
    """The flat tree's side of the store, as `Store.commit_block` would write it."""

    def __init__(self, path: Path) -> None:
        self.db = open_leveldb(path)
        self.root = self.db.get(schema.META_STATE_ROOT) or EMPTY
        self.height = schema.from_u64(self.db.get(schema.META_HEIGHT) or bytes(8))
        self.last_block_hash = ZERO_HASH
        self.records = RecordStore(self.db)
        self.records.warm(self.root)

    def commit(self, changes: dict[bytes, bytes | None]) -> Row:
        reads = self.records.disk_reads
        t0, c0 = time.perf_counter(), time.thread_time()
        root, writes = update(self.records, self.root, changes)
        t1, c1 = time.perf_counter(), time.thread_time()
        reads = self.records.disk_reads - reads
        height = self.height + 1
        header = Header(
            "bench", height, height, self.last_block_hash, ZERO_HASH, ZERO_HASH,
            ZERO_HASH, root, ZERO_HASH, ZERO_HASH, PROPOSER,
        )  # fmt: skip
        block = Block(header, (), (), None)
        block_hash = block.hash()
        sig = Commit(height, 0, block_hash, (CommitSig(PROPOSER, bytes(64)),))
        with self.db.write_batch(transaction=True, sync=True) as batch:
            put = batch.put
            for key, value in changes.items():
                if value is None:
                    batch.delete(schema.STATE + key)
                else:
                    put(schema.STATE + key, value)
            for hash_, record in writes.items():
                put(schema.NODE + hash_, record)
            put(schema.block(height), block.encode())
            put(schema.block_height(block_hash), schema.u64(height))
            put(schema.commit(height), sig.encode())
            put(schema.META_HEIGHT, schema.u64(height))
            put(schema.META_STATE_ROOT, root)
        self.records.advance(self.root, root, writes)
        t2 = time.perf_counter()
        self.root, self.height, self.last_block_hash = root, height, block_hash
        size = sum(map(len, writes.values()))
        return t1 - t0, c1 - c0, t2 - t1, reads, len(writes), size


def build_flat(path: Path, genesis: dict[bytes, bytes]) -> tuple[float, int, int]:
    """The genesis tree built in memory and written with the state values in batches."""
    t0 = time.perf_counter()
    root, writes = update(MemoryRecordStore(), EMPTY, genesis)
    db = open_leveldb(path)
    items = [(schema.NODE + h, r) for h, r in writes.items()]
    items += [(schema.STATE + k, v) for k, v in genesis.items()]
    for start in range(0, len(items), 100_000):
        with db.write_batch() as batch:
            for key, value in items[start : start + 100_000]:
                batch.put(key, value)
    with db.write_batch(sync=True) as batch:
        batch.put(schema.META_STATE_ROOT, root)
        batch.put(schema.META_HEIGHT, schema.u64(0))
    db.close()
    return time.perf_counter() - t0, len(writes), sum(map(len, writes.values()))


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def table_row(name: str, rows: list[Row]) -> str:
    upd, cpu, com, reads, records, size = (statistics.median(r[i] for r in rows) for i in range(6))
    return (
        f"| {name} | {len(rows)} | {upd * 1000:.0f} ms | {cpu * 1000:.0f} ms "
        f"| {com * 1000:.0f} ms | {(upd + com) * 1000:.0f} ms | {reads:,.0f} "
        f"| {records:,.0f} ({size / 1e6:.1f} MB) |"
    )


def main() -> None:  # one linear run
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the databases")
    args = parser.parse_args()
    rng = random.Random(1)
    state = {account_key(n): rng.randbytes(40) for n in range(args.keys)}
    blocks = blocks_of(args.keys, args.changes, args.blocks, rng)
    rows: dict[str, list[Row]] = {"binary": [], "flat": []}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        binary_path, flat_path = Path(tmp) / "binary", Path(tmp) / "flat"
        t0 = time.perf_counter()
        with Store.open(binary_path, GENESIS) as store:
            store.initialize(state)
        print(f"binary genesis {time.perf_counter() - t0:.1f}s load={load()}", flush=True)
        gc.collect()
        seconds, count, size = build_flat(flat_path, state)
        print(f"flat genesis {seconds:.1f}s: {count:,} records, {size / 1e6:.0f} MB load={load()}")
        gc.collect()
        flat = FlatChain(flat_path)
        pinned = flat.records.pinned_bytes() / 2**20
        print(f"flat pinned: {len(flat.records.pinned()):,} records, {pinned:.1f} MiB")
        with Store.open(binary_path, GENESIS) as binary:
            for number, block in enumerate(blocks, 1):
                for name in ("binary", "flat") if number % 2 else ("flat", "binary"):
                    if name == "binary":
                        upd, cpu, com, pages, size, reads = binary_commit(binary, block)
                        row: Row = (upd, cpu, com, reads, pages, size)
                    else:
                        row = flat.commit(block)
                    rows[name].append(row)
                    print(
                        f"{name:6} block={number} update={row[0] * 1000:.0f}ms "
                        f"(cpu {row[1] * 1000:.0f}ms) commit={row[2] * 1000:.0f}ms "
                        f"read={row[3]} written={row[4]} ({row[5] / 1e6:.1f} MB) load={load()}",
                        flush=True,
                    )
                state.update(block)
        for key in (next(iter(state)), b"never a key"):
            proof = prove(flat.records, flat.root, key)
            assert verify_proof(flat.root, key, state.get(key), proof)
            print(f"flat proof of {key[:4].hex()}...: {len(proof.encode())} bytes, verified")
        flat.db.close()
    print("| tree | blocks | update | its CPU | commit (sync) | total | read | written |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, block_rows in rows.items():
        print(table_row(name, block_rows))
    print(f"load at the end: {load()}")


if __name__ == "__main__":
    main()

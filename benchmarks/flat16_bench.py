"""Would a flat 16-ary state tree reach issue 17's 150 ms per block? Measured beside state_bench.

    nice -n 10 .venv/bin/python -m benchmarks.flat16_bench                  # 1M keys, 10k changes
    .venv/bin/python -m benchmarks.flat16_bench --keys 20000 --changes 1000 --pins 3

The prototype tree is benchmarks/flat16_tree.py (one record per 16-ary node, the top `--pins`
nibble levels pinned in memory, the rest read from LevelDB opened as ledger/store/leveldb.py
opens the node's store: pread reads, 16 MiB tables, no compression). The workload is
state_bench's, key for key: the same genesis of `--keys` accounts (21-byte keys, 40-byte values,
`random.Random(1)`) and the same blocks of `--changes` keys (90% updates, 10% new keys). Both
trees are built as genesis states and reopened cold; then each block is applied to the binary
tree through state_bench's own `commit` (`ledger.merkle.update` and `Store.commit_block`) and to
the flat tree (its update, then one synced batch writing its records, the state values, the
block, its commit, the height and the root: what `Store.commit_block` writes for state_bench's
empty block, and the pinned records swapped), in alternating order. For each pin depth of
`--pins` `--blocks` blocks are run (the pinned levels read at the switch). Every figure carries
the 1-minute load average: the machine is shared. At the end the flat root is checked against
the root of the final state computed from the definition alone, proofs of a present and an
absent key are checked against it, and so is the root after deleting 1,000 keys (not committed;
among them keys that leave a lone leaf, which must rise).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.flat16_proof import Proof, prove, reference_root, verify
from benchmarks.flat16_tree import EMPTY, build, record_hash, top, update
from benchmarks.state_bench import GENESIS, PROPOSER, account_key
from benchmarks.state_bench import commit as binary_commit
from ledger.block import Block, Commit, CommitSig, Header
from ledger.hashing import ZERO_HASH
from ledger.merkle import MerkleError
from ledger.merkle import prove as prove_binary
from ledger.store import Store, schema
from ledger.store.leveldb import open_leveldb

Row = tuple[float, float, float, int, int, int, float]
"""Update wall s, its CPU s, commit wall s, reads from LevelDB, records (pages) and bytes
written, seconds in LevelDB's `get` (flat only; 0 for the binary tree, whose store does not
time its reads)."""


class FlatStore:
    """The prototype's records in LevelDB (key: the store's node prefix + hash), the top pinned."""

    def __init__(self, path: Path) -> None:
        self.db = open_leveldb(path)
        self.pinned: dict[bytes, bytes] = {}
        self.pin = 0
        self.reads = 0
        self.swap_seconds = 0.0
        """The last commit's time swapping the pinned records (part of the commit's time)."""
        self.read_seconds = 0.0
        """Wall time in LevelDB's `get` (the update's time includes it)."""
        self.root = self.db.get(schema.META_STATE_ROOT) or EMPTY
        self.height = int.from_bytes(self.db.get(schema.META_HEIGHT) or bytes(8), "big")
        self.last_block_hash = ZERO_HASH

    def get(self, hash_: bytes) -> bytes | None:
        """A record, from the pinned top or LevelDB (its hash checked, as `NodeStore` checks a
        page's root entry)."""
        record = self.pinned.get(hash_)
        if record is None:
            self.reads += 1
            t0 = time.perf_counter()
            record = self.db.get(schema.NODE + hash_, verify_checksums=True)
            self.read_seconds += time.perf_counter() - t0
            if record is not None and record_hash(record) != hash_:
                raise MerkleError(f"corrupt record {hash_.hex()}")
        return record

    def warm(self, pin: int) -> None:
        self.pin = pin
        self.pinned = {}
        self.pinned = top(self, self.root, pin)

    def pinned_memory(self) -> tuple[int, int, int]:
        """(records, their bytes, what Python holds for them: bytes objects, keys and dict)."""
        data = sum(len(r) for r in self.pinned.values())
        held = sys.getsizeof(self.pinned) + sum(
            sys.getsizeof(k) + sys.getsizeof(r) for k, r in self.pinned.items()
        )
        return len(self.pinned), data, held

    def commit(self, changes: dict[bytes, bytes | None]) -> Row:
        reads, read_seconds = self.reads, self.read_seconds
        t0, c0 = time.perf_counter(), time.thread_time()
        result = update(self, self.root, changes, self.pin)
        t1, c1 = time.perf_counter(), time.thread_time()
        reads = self.reads - reads
        height = self.height + 1
        header = Header(
            "bench", height, height, self.last_block_hash, ZERO_HASH, ZERO_HASH,
            ZERO_HASH, result.root, ZERO_HASH, ZERO_HASH, PROPOSER,
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
            for hash_, record in result.writes.items():
                put(schema.NODE + hash_, record)
            put(schema.block(height), block.encode())
            put(schema.block_height(block_hash), schema.u64(height))
            put(schema.commit(height), sig.encode())
            put(schema.META_HEIGHT, schema.u64(height))
            put(schema.META_STATE_ROOT, result.root)
        t_swap = time.perf_counter()
        for hash_ in result.pin_old:
            self.pinned.pop(hash_, None)
        self.pinned.update(result.pin_new)
        t2 = time.perf_counter()
        self.swap_seconds = t2 - t_swap
        self.root, self.height, self.last_block_hash = result.root, height, block_hash
        size = sum(len(r) for r in result.writes.values())
        read_seconds = self.read_seconds - read_seconds
        return t1 - t0, c1 - c0, t2 - t1, reads, len(result.writes), size, read_seconds


def build_flat(path: Path, genesis: dict[bytes, bytes]) -> tuple[float, bytes, int, int]:
    """The genesis tree built in memory and written (with the state values) in batches."""
    t0 = time.perf_counter()
    result = build(genesis)
    db = open_leveldb(path)
    items: list[tuple[bytes, bytes]] = [(schema.NODE + h, r) for h, r in result.writes.items()]
    items += [(schema.STATE + k, v) for k, v in genesis.items()]
    for start in range(0, len(items), 100_000):
        with db.write_batch() as batch:
            for key, value in items[start : start + 100_000]:
                batch.put(key, value)
    with db.write_batch(sync=True) as batch:
        batch.put(schema.META_STATE_ROOT, result.root)
        batch.put(schema.META_HEIGHT, schema.u64(0))
    db.close()
    size = sum(len(r) for r in result.writes.values())
    return time.perf_counter() - t0, result.root, len(result.writes), size


def blocks_of(keys: int, changes: int, count: int, rng: random.Random) -> list[dict[bytes, Any]]:
    """state_bench's blocks (`measure`), drawn the same way from the same generator."""
    out: list[dict[bytes, Any]] = []
    next_new = keys
    for _ in range(count):
        block: dict[bytes, Any] = {}
        while len(block) < changes * 9 // 10:
            block[account_key(rng.randrange(keys))] = rng.randbytes(40)
        while len(block) < changes:
            block[account_key(next_new)] = rng.randbytes(40)
            next_new += 1
        out.append(block)
    return out


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def line(name: str, number: int, row: Row, unit: str) -> str:
    upd, cpu, com, reads, records, size, get = row
    return (
        f"{name:6} block={number} update={upd * 1000:.0f}ms (cpu {cpu * 1000:.0f}ms) "
        f"commit={com * 1000:.0f}ms total={(upd + com) * 1000:.0f}ms {unit}_read={reads} "
        f"{'' if name == 'binary' else f'(in get {get * 1000:.0f}ms) '}"
        f"{unit}_written={records} ({size / 1e6:.1f} MB) load={load()}"
    )


def table_row(name: str, rows: list[Row]) -> str:
    upd, cpu, com, reads, records, size, get = (
        statistics.median(r[i] for r in rows) for i in range(7)
    )
    return (
        f"| {name} | {len(rows)} | {upd * 1000:.0f} ms | {cpu * 1000:.0f} ms | {com * 1000:.0f} ms "
        f"| {(upd + com) * 1000:.0f} ms | {(cpu + com) * 1000:.0f} ms | {reads:,.0f} "
        f"{'(not timed)' if name == 'binary' else f'({get * 1000:.0f} ms)'} "
        f"| {records:,.0f} ({size / 1e6:.1f} MB) |"
    )


def main() -> None:  # one linear run
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--blocks", type=int, default=5, help="blocks per pin depth")
    parser.add_argument(
        "--pins",
        type=int,
        nargs="+",
        default=[4, 5, 64],
        help="nibble levels pinned in memory, a run of blocks each (64: every record)",
    )
    parser.add_argument("--dir", type=Path, default=None, help="where to put the databases")
    args = parser.parse_args()
    rng = random.Random(1)
    genesis = {account_key(n): rng.randbytes(40) for n in range(args.keys)}
    blocks = blocks_of(args.keys, args.changes, args.blocks * len(args.pins), rng)
    rows: dict[str, list[Row]] = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        binary_path, flat_path = Path(tmp) / "binary", Path(tmp) / "flat"
        t0 = time.perf_counter()
        with Store.open(binary_path, GENESIS) as store:
            store.initialize(genesis)
        print(f"binary genesis {time.perf_counter() - t0:.1f}s load={load()}", flush=True)
        gc.collect()
        seconds, root, records, size = build_flat(flat_path, genesis)
        print(
            f"flat16 genesis {seconds:.1f}s: {records:,} records, {size / 1e6:.0f} MB "
            f"load={load()}",
            flush=True,
        )
        gc.collect()
        flat = FlatStore(flat_path)
        assert flat.root == root
        with Store.open(binary_path, GENESIS) as binary:
            print(f"binary pinned: {binary.nodes.pinned_bytes() / 2**20:.1f} MiB of pages")
            number = 0
            for pin in args.pins:
                flat.warm(pin)
                count, data, held = flat.pinned_memory()
                print(
                    f"flat16 pin={pin} levels: {count:,} records, {data / 2**20:.1f} MiB "
                    f"({held / 2**20:.1f} MiB as Python objects)",
                    flush=True,
                )
                for _ in range(args.blocks):
                    block = blocks[number]
                    number += 1
                    runs = [("binary", "pages"), (f"flat{pin}", "records")]
                    for name, unit in runs if number % 2 else runs[::-1]:
                        if name == "binary":
                            upd, cpu, com, pages, size, reads = binary_commit(binary, block)
                            row: Row = (upd, cpu, com, reads, pages, size, 0.0)
                        else:
                            row = flat.commit(block)
                        rows.setdefault(name, []).append(row)
                        swap = (
                            f" (pin swap {flat.swap_seconds * 1000:.0f}ms)"
                            if name != "binary"
                            else ""
                        )
                        print(line(name, number, row, unit) + swap, flush=True)
                    for key, value in block.items():
                        genesis[key] = value
            for key in (next(iter(genesis)), b"never a key"):
                size = len(prove_binary(binary.nodes, binary.state_root, key).encode())
                print(f"binary proof of {'an absent' if key == b'never a key' else 'a'} key: "
                      f"{size} bytes")  # fmt: skip
        check(flat, genesis)
        flat.db.close()
    print(
        "| tree | blocks | update | its CPU | commit (sync) | total | CPU + commit "
        "| read from LevelDB (in get) | written |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, block_rows in rows.items():
        print(table_row(name, block_rows))
    print(f"load at the end: {load()}")


def check(flat: FlatStore, state: dict[bytes, bytes]) -> None:
    """The root after the blocks is the root of the final state from the definition; proofs of
    a present and an absent key check out against it."""
    t0 = time.perf_counter()
    expected = reference_root(state)
    assert flat.root == expected, "the flat root differs from the definition's"
    print(f"flat16 root after the blocks = reference root of the final state ({len(state):,} "
          f"keys, {time.perf_counter() - t0:.1f}s): {expected.hex()[:16]}")  # fmt: skip
    present = next(iter(state))
    absent = b"never a key"
    for key, value in ((present, state[present]), (absent, None)):
        data = prove(flat, flat.root, key).encode()
        proof = Proof.decode(data)
        assert verify(flat.root, key, value, proof)
        assert not verify(flat.root, key, b"other", proof)
        kind = "inclusion" if value is not None else "non-inclusion"
        print(f"flat16 {kind} proof: {len(data)} bytes, {len(proof.levels)} levels, verified")
    check_deletes(flat, state)


def check_deletes(flat: FlatStore, state: dict[bytes, bytes], count: int = 1000) -> None:
    """Deleting keys (not committed) gives the root of the state without them; among them are
    keys whose node is left with one leaf, which must rise to where a fresh tree holds it."""
    gone = list(state)[:count]
    lone = 0
    for key in gone:  # the key's node has two children, and the other one is a leaf
        masks = prove(flat, flat.root, key).levels[-1][0]
        lone += (masks >> 16).bit_count() == 2 and (masks & 0xFFFF).bit_count() == 2
    result = update(flat, flat.root, dict.fromkeys(gone), flat.pin)
    removed = set(gone)
    rest = {key: value for key, value in state.items() if key not in removed}
    assert result.root == reference_root(rest), "the root after deletes differs"
    print(f"flat16 {count:,} deletes ({lone} leave a lone leaf that rises): root = reference root")


if __name__ == "__main__":
    main()

"""Per-block cost of the Merkle state root and of the LevelDB commit, on trees of 10k and 1M keys.

    .venv/bin/python benchmarks/state_bench.py                       # 10k and 1M keys
    .venv/bin/python benchmarks/state_bench.py --keys 10000 --changes 1000

For each tree size the tree is built as a genesis state (one in-memory build, one write batch: for
1M keys that needs about 1 GB of memory), then the store is reopened (cold node cache) and blocks of
`--changes` changed keys (90% updates of existing keys, 10% new keys) are timed: the Merkle
update (`ledger.merkle.flat.update` over the store's records) and the commit
(`Store.commit_block`, one synced write batch), with the records the update read from LevelDB
(the rest are pinned) and the records it wrote. The machine may be shared: every line carries
the 1-minute load average, and the CPU the process's other threads spent during the block
(`background_cpu`: LevelDB's compaction; it lags the writes, so read it over many blocks:
`--keys 1000000 --changes 20000 --reps 30`). Keys and values are shaped like accounts: 21-byte
keys, 40-byte values. Prints one line per measurement and a Markdown table at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from ledger.block import Block, Commit, CommitSig, Header
from ledger.hashing import ZERO_HASH, digest
from ledger.keys import Address
from ledger.merkle import flat
from ledger.store import Store

GENESIS = digest(b"bench genesis")
PROPOSER = Address(bytes(20))


def account_key(n: int) -> bytes:
    return b"\x01" + digest(n.to_bytes(8, "big"))[:20]


def commit(
    store: Store, changes: dict[bytes, bytes | None]
) -> tuple[float, float, float, int, int, int]:
    """Update the tree and commit one block.

    Returns (update wall s, update CPU s, commit wall s, records written, their bytes, records
    read from LevelDB). The CPU time is this
    thread's only: it leaves out other processes sharing the cores and LevelDB's background
    compaction thread. The commit's wall time includes its fsync.
    """
    reads = store.tree.disk_reads
    t0, c0 = time.perf_counter(), time.thread_time()
    root, writes = flat.update(store.tree, store.state_root, changes)
    t1, c1 = time.perf_counter(), time.thread_time()
    reads = store.tree.disk_reads - reads
    height = store.height + 1
    header = Header(
        "bench", height, height, store.last_block_hash or ZERO_HASH, ZERO_HASH, ZERO_HASH,
        ZERO_HASH, root, ZERO_HASH, ZERO_HASH, PROPOSER,
    )  # fmt: skip
    block = Block(header, (), (), None)
    sig = Commit(height, 0, block.hash(), (CommitSig(PROPOSER, bytes(64)),))
    size = sum(map(len, writes.values()))  # before the commit releases them (block_write.py)
    t2 = time.perf_counter()
    store.commit_block(block, sig, changes=changes, new_root=root, node_writes=writes, receipts={})
    t3 = time.perf_counter()
    return t1 - t0, c1 - c0, t3 - t2, len(writes), size, reads


def build(path: Path, keys: int, rng: random.Random) -> float:
    """The tree as a genesis state: built in memory from scratch, written in one batch."""
    with Store.open(path, GENESIS) as store:
        t0 = time.perf_counter()
        store.initialize({account_key(n): rng.randbytes(40) for n in range(keys)})
        return time.perf_counter() - t0


def blocks_of(
    keys: int, changes: int, count: int, rng: random.Random, next_new: int | None = None
) -> list[dict[bytes, bytes | None]]:
    """`count` blocks of `changes` changed keys: 90% updates of the `keys` existing accounts,
    10% new keys from `next_new` (default `keys`) on, each value 40 random bytes."""
    out: list[dict[bytes, bytes | None]] = []
    next_new = keys if next_new is None else next_new
    for _ in range(count):
        block: dict[bytes, bytes | None] = {}
        while len(block) < changes * 9 // 10:
            block[account_key(rng.randrange(keys))] = rng.randbytes(40)
        while len(block) < changes:
            block[account_key(next_new)] = rng.randbytes(40)
            next_new += 1
        out.append(block)
    return out


def measure(path: Path, keys: int, changes: int, reps: int, rng: random.Random) -> list[str]:
    rows = []
    with Store.open(path, GENESIS) as store:  # reopened: nothing of the build in the node cache
        blocks = blocks_of(keys, changes, reps, rng, keys + store.height * changes)
        for rep, block in enumerate(blocks):
            process_cpu, thread_cpu = _process_cpu(), time.thread_time()
            t_update, cpu_update, t_commit, written, size, reads = commit(store, block)
            background = _process_cpu() - process_cpu - (time.thread_time() - thread_cpu)
            line = (
                f"keys={keys} changes={changes} rep={rep} update={t_update * 1000:.0f}ms "
                f"(cpu {cpu_update * 1000:.0f}ms) commit={t_commit * 1000:.0f}ms "
                f"records_read={reads} records_written={written} ({size / 1e6:.1f} MB) "
                f"load={_load()} background_cpu={background * 1000:.0f}ms"
            )
            print(line, flush=True)
            rows.append((t_update, cpu_update, t_commit, written, size, reads))
    upd, cpu, com, records, size, reads = (statistics.median(r[i] for r in rows) for i in range(6))
    return [
        f"| {keys:,} | {changes:,} | {upd * 1000:.0f} ms | {cpu * 1000:.0f} ms | "
        f"{changes / upd:,.0f} | {reads:,.0f} | {records:,.0f} ({size / 1e6:.1f} MB) | "
        f"{com * 1000:.0f} ms | "
        f"{(upd + com) * 1000:.0f} ms | {_load()} |"
    ]


def _process_cpu() -> float:
    """This process's CPU time, all threads: less the committing thread's, what LevelDB's
    background compaction spent meanwhile (it runs on the same cores)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    """The 1-minute load average: the machine is shared, so every figure carries it."""
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--changes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the databases")
    args = parser.parse_args()
    rng = random.Random(1)
    table = [
        "| tree keys | changed keys | Merkle update | its CPU | keys/s | records read "
        "| records written | commit (sync) | total | load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for keys in args.keys:
            path = Path(tmp) / f"db-{keys}"
            seconds = build(path, keys, rng)
            print(
                f"built {keys:,} keys in {seconds:.1f}s ({keys / seconds:,.0f} keys/s) "
                f"load={_load()}"
            )
            for changes in args.changes:
                table += measure(path, keys, changes, args.reps, rng)
    print("\n".join(table))


if __name__ == "__main__":
    main()

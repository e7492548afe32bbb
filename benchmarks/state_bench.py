"""Per-block cost of the Merkle state root and of the LevelDB commit, on trees of 10k and 1M keys.

    .venv/bin/python benchmarks/state_bench.py                       # 10k and 1M keys
    .venv/bin/python benchmarks/state_bench.py --keys 10000 --changes 1000

For each tree size the tree is built as a genesis state (one in-memory build, one write batch: for
1M keys that needs about 1 GB of memory), then the store is reopened (cold node cache) and blocks of
`--changes` changed keys (90% updates of existing keys, 10% new keys) are timed: the Merkle
update (`ledger.merkle.update` over the store's pages) and the commit (`Store.commit_block`, one
synced write batch), with the pages the update read from LevelDB (the rest are pinned) and the
pages it wrote. The machine may be shared: every line carries the 1-minute load average. Keys
and values are shaped like accounts: 21-byte keys, 40-byte values.
Prints one line per measurement and a Markdown table at the end. `--tree flat` runs the store on
the flat 16-ary tree (ledger/merkle/flat, schema 4; not yet the chain's tree: docs/ledger.md),
its "pages" then being records; with it, `--read-ahead on` reads each next block's records while
a block's batch is written (`Store.read_ahead`, ledger/store/readahead.py) and `--read-ahead
alternate` does so during every other commit, for paired figures (docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ledger.block import Block, Commit, CommitSig, Header
from ledger.hashing import ZERO_HASH, digest
from ledger.keys import Address
from ledger.merkle import flat, update
from ledger.store import Store
from ledger.store.trees import FlatTree

GENESIS = digest(b"bench genesis")
PROPOSER = Address(bytes(20))


def account_key(n: int) -> bytes:
    return b"\x01" + digest(n.to_bytes(8, "big"))[:20]


def commit(
    store: Store,
    changes: dict[bytes, bytes | None],
    before_commit: Callable[[], object] | None = None,
) -> tuple[float, float, float, int, int, int]:
    """Update the tree and commit one block.

    Returns (update wall s, update CPU s, commit wall s, pages written, their bytes, pages read
    from LevelDB). The CPU time is this
    thread's only: it leaves out other processes sharing the cores and LevelDB's background
    compaction thread. The commit's wall time includes its fsync.
    """
    reads = store.tree.disk_reads
    t0, c0 = time.perf_counter(), time.thread_time()
    if isinstance(store.tree, FlatTree):
        root, writes = flat.update(store.tree.records, store.state_root, changes)
    else:
        root, writes = update(store.nodes, store.state_root, changes)
    t1, c1 = time.perf_counter(), time.thread_time()
    reads = store.tree.disk_reads - reads
    height = store.height + 1
    header = Header(
        "bench", height, height, store.last_block_hash or ZERO_HASH, ZERO_HASH, ZERO_HASH,
        ZERO_HASH, root, ZERO_HASH, ZERO_HASH, PROPOSER,
    )  # fmt: skip
    block = Block(header, (), (), None)
    sig = Commit(height, 0, block.hash(), (CommitSig(PROPOSER, bytes(64)),))
    size = sum(map(len, writes.values()))  # the commit releases what it does not pin
    t2 = time.perf_counter()
    if before_commit is not None:
        before_commit()
    store.commit_block(block, sig, changes=changes, new_root=root, node_writes=writes, receipts={})
    t3 = time.perf_counter()
    return t1 - t0, c1 - c0, t3 - t2, len(writes), size, reads


def build(path: Path, keys: int, rng: random.Random, *, flat_tree: bool = False) -> float:
    """The tree as a genesis state: built in memory from scratch, written in one batch."""
    with Store.open(path, GENESIS, flat_tree=flat_tree) as store:
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


def measure(
    path: Path,
    keys: int,
    changes: int,
    reps: int,
    rng: random.Random,
    *,
    flat_tree: bool = False,
    read_ahead: str = "off",
) -> list[str]:
    """`read_ahead` "on" (flat tree): each commit reads the next block's records while its
    batch is written (`Store.read_ahead`), after a first block that is not timed; "alternate":
    every other commit does, and the table has a row for the blocks after one that did (their
    updates, and the commits that read ahead) beside the row of the others."""
    rows: dict[bool, list[tuple[float, ...]]] = {False: [], True: []}
    commits: dict[bool, list[float]] = {False: [], True: []}
    extra = 0 if read_ahead == "off" else 1
    with Store.open(
        path, GENESIS, flat_tree=flat_tree
    ) as store:  # reopened: nothing of the build in the node cache
        blocks = blocks_of(keys, changes, reps + extra, rng, keys + store.height * changes)
        ahead = store.tree.records.ahead if isinstance(store.tree, FlatTree) else None
        had = False  # this block's update had records read ahead
        for rep, block in enumerate(blocks):
            reads_ahead = ahead is not None and rep + 1 < len(blocks)
            reads_ahead &= read_ahead == "on" or (read_ahead == "alternate" and rep % 2 == 0)
            hits = 0 if ahead is None else ahead.hits
            expect = partial(store.read_ahead, blocks[rep + 1]) if reads_ahead else None
            t_update, cpu_update, t_commit, written, size, reads = commit(store, block, expect)
            line = (
                f"keys={keys} changes={changes} rep={rep - extra} update={t_update * 1000:.0f}ms "
                f"(cpu {cpu_update * 1000:.0f}ms) commit={t_commit * 1000:.0f}ms "
                f"pages_read={reads} pages_written={written} ({size / 1e6:.1f} MB) "
            )
            if ahead is not None and read_ahead != "off":
                line += f"read_ahead_hits={ahead.hits - hits} "
                line += f"read_ahead_next={ahead.filled} " if reads_ahead else ""
            print(f"{line}load={_load()}", flush=True)
            if rep >= extra:
                rows[had].append((t_update, cpu_update, written, size, reads))
            if rep >= extra or reads_ahead:
                commits[reads_ahead].append(t_commit)
            had = reads_ahead
    table = []
    for label, got in rows.items():
        if not got or not commits[label]:
            continue
        upd, cpu, pages, nbytes, nreads = (statistics.median(r[i] for r in got) for i in range(5))
        com = statistics.median(commits[label])
        table.append(
            f"| {keys:,}{' read ahead' if label else ''} | {changes:,} | {upd * 1000:.0f} ms | "
            f"{cpu * 1000:.0f} ms | {changes / upd:,.0f} | {nreads:,.0f} | "
            f"{pages:,.0f} ({nbytes / 1e6:.1f} MB) | {com * 1000:.0f} ms | "
            f"{(upd + com) * 1000:.0f} ms | {_load()} |"
        )
    return table


def _load() -> str:
    """The 1-minute load average: the machine is shared, so every figure carries it."""
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--changes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the databases")
    parser.add_argument("--tree", choices=("binary", "flat"), default="binary")
    parser.add_argument(
        "--read-ahead",
        choices=("off", "on", "alternate"),
        default="off",
        help="flat tree: read the next block's records while a block commits",
    )
    args = parser.parse_args()
    flat_tree = args.tree == "flat"
    rng = random.Random(1)
    table = [
        "| tree keys | changed keys | Merkle update | its CPU | keys/s | pages read "
        "| pages written | commit (sync) | total | load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for keys in args.keys:
            path = Path(tmp) / f"db-{keys}"
            seconds = build(path, keys, rng, flat_tree=flat_tree)
            print(
                f"built {keys:,} keys in {seconds:.1f}s ({keys / seconds:,.0f} keys/s) "
                f"load={_load()}"
            )
            for changes in args.changes:
                table += measure(
                    path, keys, changes, args.reps, rng, flat_tree=flat_tree,
                    read_ahead=args.read_ahead,
                )  # fmt: skip
    print("\n".join(table))


if __name__ == "__main__":
    main()

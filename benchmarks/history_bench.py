"""What state pruning (`keep_states`, ledger/store/history.py) costs per block.

    .venv/bin/python -m benchmarks.history_bench --keys 1000000 --changes 10000

Builds a tree of `--keys` account-shaped keys as a genesis state, then commits blocks of
`--changes` changed keys in turn as an archive of states (`keep_states` None), with 2 (no `O`
index) and with 3 (with it), and prints the `Store.commit_block` wall and CPU time of each (the
Merkle update is left out: it is the same in every mode). The machine may be shared: every line
carries the 1-minute load average.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.state_bench import GENESIS, PROPOSER, account_key
from ledger.block import Block, Commit, CommitSig, Header
from ledger.hashing import ZERO_HASH
from ledger.store import Store


def commit(store: Store, keys: int, changes: int, rng: random.Random) -> tuple[float, float]:
    """One block of `changes` updates of random keys: commit wall and CPU seconds."""
    block_changes: dict[bytes, bytes | None] = {
        account_key(rng.randrange(keys)): rng.randbytes(40) for _ in range(changes)
    }
    root, writes, orphaned = store.tree.update_tracked(store.state_root, block_changes)
    height = store.height + 1
    header = Header(
        "bench", height, height, store.last_block_hash or ZERO_HASH, ZERO_HASH, ZERO_HASH,
        ZERO_HASH, root, ZERO_HASH, ZERO_HASH, PROPOSER,
    )  # fmt: skip
    block = Block(header, (), (), None)
    sig = Commit(height, 0, block.hash(), (CommitSig(PROPOSER, bytes(64)),))
    t0, c0 = time.perf_counter(), time.thread_time()
    store.commit_block(
        block,
        sig,
        changes=block_changes,
        new_root=root,
        node_writes=writes,
        receipts={},
        orphaned=orphaned,
    )
    return time.perf_counter() - t0, time.thread_time() - c0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "db", GENESIS) as store:
        store.initialize({account_key(n): rng.randbytes(40) for n in range(args.keys)})
        for _ in range(2):  # each mode twice, interleaved: the load moves meanwhile
            for keep in (None, 2, 3):
                store.keep_states = keep
                commit(store, args.keys, args.changes, rng)  # the mode's first block: a gap
                rows = [commit(store, args.keys, args.changes, rng) for _ in range(args.reps)]
                wall = statistics.median(r[0] for r in rows) * 1000
                cpu = statistics.median(r[1] for r in rows) * 1000
                print(
                    f"keep_states={keep} keys={args.keys} changes={args.changes} "
                    f"commit={wall:.0f}ms (cpu {cpu:.0f}ms) load={os.getloadavg()[0]:.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()

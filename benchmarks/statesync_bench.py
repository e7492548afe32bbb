"""State sync's cost on this machine: a state of N accounts cut into chunks and restored into a
new store (what `coterie start --state-sync` does once the chunks are fetched), timed.

Usage: .venv/bin/python -m benchmarks.statesync_bench --accounts 1000000
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from pathlib import Path

from ledger.block import Block, Commit, CommitSig, Header, tx_root
from ledger.hashing import ZERO_HASH, digest
from ledger.keys import Address
from ledger.merkle_list import merkle_list_root
from ledger.state import keys
from ledger.store import Store
from ledger.store.snapshot import chunk_items, restore, state_chunks

GENESIS = digest(b"statesync bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    n = parser.parse_args().accounts
    root = Path(tempfile.mkdtemp(prefix="coterie-statesync-bench-"))
    source = Store.open(root / "source", GENESIS)
    state = {
        keys.account(hashlib.sha256(i.to_bytes(8, "big")).digest()[:20]): i.to_bytes(8, "big") * 3
        for i in range(n)
    }
    start = time.perf_counter()
    state_root = source.initialize(state)
    print(f"{n} accounts: source store written in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    view = source._db.snapshot()
    chunks = list(state_chunks(view))
    view.close()
    size = sum(len(c) for c in chunks)
    print(f"cut into {len(chunks)} chunks ({size / 2**20:.1f} MiB) in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    validator = Address(bytes(20))
    header = Header(
        chain_id="bench", height=1, time_ms=1, prev_block_hash=ZERO_HASH,
        last_commit_hash=ZERO_HASH, tx_root=tx_root(()), evidence_root=merkle_list_root([]),
        state_root=state_root, validators_hash=ZERO_HASH, next_validators_hash=ZERO_HASH,
        proposer=validator,
    )  # fmt: skip
    block = Block(header, (), (), None)
    commit = Commit(1, 0, block.hash(), (CommitSig(validator, bytes(64)),))
    start = time.perf_counter()
    items = [pair for chunk in chunks for pair in chunk_items(chunk)]
    for chunk in chunks:
        hashlib.sha256(chunk).digest()
    target = Store.open(root / "target", GENESIS)
    restore(target, items, block, commit)
    print(f"verified and restored (root rebuilt, store written) in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    start = time.perf_counter()
    target.close()
    print(f"closed the restored store in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    Store.open(root / "target", GENESIS).close()
    print(f"opened it again (what the node does next) in {time.perf_counter() - start:.1f} s")
    one, five, _ = os.getloadavg()
    print(f"load average {one:.1f} / {five:.1f} (1 / 5 min) on a shared machine")
    source.close()


if __name__ == "__main__":
    main()

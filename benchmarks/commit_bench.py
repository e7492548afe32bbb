"""Cost of committing a full block of transfers to LevelDB: one synced write batch per block.

    .venv/bin/python benchmarks/commit_bench.py [--txs 10000] [--accounts 100000] [--blocks 5]

Each block holds `--txs` transfers between random accounts of a store that starts with
`--accounts` funded accounts, so it changes up to 2 x txs state keys, writes a tx index entry per
tx and two account-history entries per tx. Signatures are dummies (the store does not check
them). Times: the Merkle update, the block's encoding, and `Store.commit_block` as a whole (the
encoding, building the batch and the fsynced write), in wall time and in this thread's CPU time
(which leaves out other processes sharing the cores and LevelDB's compaction thread).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from ledger import codec
from ledger.block import Block, Commit, CommitSig, Header, tx_root
from ledger.hashing import ZERO_HASH, digest
from ledger.keys import Address
from ledger.store import Store
from ledger.tx import SignedTx, Transfer, TxBody

GENESIS = digest(b"commit bench genesis")
PROPOSER = Address(bytes(20))


def account_key(address: Address) -> bytes:
    return b"\x01" + address.raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--txs", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    rng = random.Random(1)
    senders = [digest(b"key %d" % i) for i in range(args.accounts)]
    addresses = [Address.from_public_key(k) for k in senders]
    nonces = [0] * args.accounts
    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp, Store.open(Path(tmp), GENESIS) as store:
        store.initialize({account_key(a): codec.encode([10**12, 0]) for a in addresses})
        for _ in range(args.blocks):
            txs: list[SignedTx] = []
            changes: dict[bytes, bytes | None] = {}
            account_txs: list[tuple[Address, int]] = []
            for position in range(args.txs):
                s, r = rng.randrange(args.accounts), rng.randrange(args.accounts)
                body = TxBody("bench", senders[s], nonces[s], 1, Transfer(addresses[r], 5))
                nonces[s] += 1
                txs.append(SignedTx(body, bytes(64)))
                for i in (s, r):
                    changes[account_key(addresses[i])] = codec.encode([10**12 - position, 1])
                    account_txs.append((addresses[i], position))
            t0 = time.perf_counter()
            root, writes, _ = store.tree.update_tracked(store.state_root, changes)
            t1 = time.perf_counter()
            height = store.height + 1
            header = Header(
                "bench", height, height, store.last_block_hash or ZERO_HASH, ZERO_HASH,
                tx_root(txs), ZERO_HASH, root, ZERO_HASH, ZERO_HASH, PROPOSER,
            )  # fmt: skip
            block = Block(header, tuple(txs), (), None)
            t2 = time.perf_counter()
            encoded = block.encode()
            t3 = time.perf_counter()
            receipts = {tx.hash: codec.encode([tx.hash, 0, []]) for tx in txs}
            sig = Commit(height, 0, block.hash(), (CommitSig(PROPOSER, bytes(64)),))
            t4, c4 = time.perf_counter(), time.thread_time()
            store.commit_block(
                block,
                sig,
                changes=changes,
                new_root=root,
                node_writes=writes,
                receipts=receipts,
                account_txs=account_txs,
            )
            t5, c5 = time.perf_counter(), time.thread_time()
            row = (t1 - t0, t3 - t2, t5 - t4, c5 - c4, len(changes), len(writes), len(encoded))
            print(
                f"height={height} update={row[0] * 1000:.0f}ms encode={row[1] * 1000:.0f}ms "
                f"commit_block={row[2] * 1000:.0f}ms (cpu {row[3] * 1000:.0f}ms) "
                f"state_changes={row[4]} nodes_written={row[5]} block_bytes={row[6]}",
                flush=True,
            )
            rows.append(row)
    med = [statistics.median(r[i] for r in rows) for i in range(7)]
    print(
        f"median of {args.blocks}: Merkle update {med[0] * 1000:.0f} ms, block encode "
        f"{med[1] * 1000:.0f} ms, commit_block {med[2] * 1000:.0f} ms wall, "
        f"{med[3] * 1000:.0f} ms CPU of this thread ({med[4]:,.0f} state changes, "
        f"{med[5]:,.0f} nodes, {med[6]:,.0f} block bytes)"
    )


if __name__ == "__main__":
    main()

"""LevelDB's background compaction CPU per block, with plyvel alone: what a block's key mix costs.

    .venv/bin/python benchmarks/leveldb_compaction_bench.py            # 1,100-byte records
    .venv/bin/python benchmarks/leveldb_compaction_bench.py --record-bytes 450 --leaf-records
    .venv/bin/python benchmarks/leveldb_compaction_bench.py --orphan-keys
    .venv/bin/python benchmarks/leveldb_compaction_bench.py --reads 30000 [--iterator-reads]

A database of the store's options (ledger/store/leveldb.py) is filled with `--values` 40-byte
values and 65,536 records of `--record-bytes` under random 32-byte keys (a 1M-key tree's fourth
level), left idle for its first compactions, then `--blocks` synced batches are written, each
after `--reads` random gets of live records (a Merkle update's reads: LevelDB charges a get
that looks in more than one table to the first, and compacts a table once its charges run out),
each replacing `--records` random records (a delete and a new key) and setting 20,000 random values;
`--leaf-records` adds one 65-byte record per value, `--orphan-keys` two keys per replaced record
(one in height order, one under the record's key). Prints the committing thread's CPU and the
rest of the process's (LevelDB's background thread) per block, with the load average: the
figure to set beside `state_bench.py`'s `background_cpu` (docs/performance.md, "LevelDB's
compaction at a million accounts").
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time

import plyvel

from ledger.store.leveldb import BLOOM_FILTER_BITS, MIB, TABLE_FILE_MB, WRITE_BUFFER_MB

LEVEL_RECORDS = 65_536
VALUES_PER_BLOCK = 20_000


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def fill(db: plyvel.DB, live: list[bytes], args: argparse.Namespace) -> None:
    with db.write_batch() as batch:
        for key in live:
            batch.put(b"n" + key, os.urandom(args.record_bytes))
        for n in range(args.values):
            batch.put(b"s" + n.to_bytes(21, "big"), os.urandom(40))
            if args.leaf_records:
                batch.put(b"n" + os.urandom(32), os.urandom(65))


def write_block(
    db: plyvel.DB, live: list[bytes], height: int, rng: random.Random, args: argparse.Namespace
) -> None:
    if args.iterator_reads:  # seeks of one iterator: LevelDB samples them, charges no get
        with db.iterator() as records:
            for _ in range(args.reads):
                records.seek(b"n" + live[rng.randrange(len(live))])
                next(records)
    else:  # the update's reads of records before the block's write
        get = db.get
        for _ in range(args.reads):
            get(b"n" + live[rng.randrange(len(live))])
    with db.write_batch(sync=True) as batch:
        for _ in range(args.records):
            slot = rng.randrange(len(live))
            old, live[slot] = live[slot], os.urandom(32)
            batch.delete(b"n" + old)
            batch.put(b"n" + live[slot], os.urandom(args.record_bytes))
            if args.orphan_keys:
                batch.put(b"o" + height.to_bytes(8, "big") + old, b"")
                batch.put(b"O" + old, height.to_bytes(8, "big"))
        for _ in range(VALUES_PER_BLOCK):
            batch.put(b"s" + rng.randrange(args.values).to_bytes(21, "big"), os.urandom(40))
            if args.leaf_records:
                batch.put(b"n" + os.urandom(32), os.urandom(65))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record-bytes", type=int, default=1_100)
    parser.add_argument("--records", type=int, default=18_000, help="records replaced per block")
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--blocks", type=int, default=30)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds idle after the fill")
    parser.add_argument("--reads", type=int, default=0, help="random record reads per block")
    parser.add_argument("--iterator-reads", action="store_true")
    parser.add_argument("--leaf-records", action="store_true")
    parser.add_argument("--orphan-keys", action="store_true")
    args = parser.parse_args()
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as folder:
        db = plyvel.DB(
            folder,
            create_if_missing=True,
            write_buffer_size=WRITE_BUFFER_MB * MIB,
            max_file_size=TABLE_FILE_MB * MIB,
            bloom_filter_bits=BLOOM_FILTER_BITS,
            compression=None,
        )
        try:
            live = [os.urandom(32) for _ in range(LEVEL_RECORDS)]
            fill(db, live, args)
            time.sleep(args.idle)
            process0, thread0 = process_cpu(), time.thread_time()
            for height in range(1, args.blocks + 1):
                write_block(db, live, height, rng, args)
            committing = time.thread_time() - thread0
            background = process_cpu() - process0 - committing
        finally:
            db.close()
    print(
        f"records {args.record_bytes} B x {args.records:,} a block, {args.reads:,} reads, leaf "
        f"records {args.leaf_records}, orphan keys {args.orphan_keys}: committing thread "
        f"{committing / args.blocks * 1000:.0f} ms a block, background "
        f"{background / args.blocks * 1000:.0f} ms a block, load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()

"""Random LevelDB reads against table file size and mmap / pread (docs/performance.md).

    .venv/bin/python benchmarks/leveldb_read_bench.py              # every mode, 300,000 keys
    .venv/bin/python benchmarks/leveldb_read_bench.py --keys 100000

Writes `--keys` random 900-byte values (about a Merkle page each; 300,000 are about 270 MB, past
the table cache's 90 tables at LevelDB's default 2 MiB) with the store's options and the given
table size, compacts, then times `--reads` random gets with `verify_checksums`, as the store
reads. Each mode runs in its own interpreter: the pread switch (ledger/store/pread.py) acts only
before a process's first database. Prints the load average beside each figure.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODES = [("2", "mmap"), ("2", "pread"), ("16", "mmap"), ("16", "pread")]


def run_mode(path: Path, table_mb: int, pread: bool, keys: int, reads: int) -> str:
    import plyvel

    if pread:  # before the process's first database
        from ledger.store.pread import turn_off_mmap_reads

        assert turn_off_mmap_reads()
    db = plyvel.DB(
        str(path), create_if_missing=True, write_buffer_size=16 << 20, lru_cache_size=8 << 20,
        bloom_filter_bits=10, max_open_files=100, compression=None, max_file_size=table_mb << 20,
    )  # fmt: skip  # the store's options (ledger/store/leveldb.py)
    # importing the store after the first database leaves that process's mmap setting as it is
    from ledger.store.leveldb import compact_all
    from ledger.store.pread import mapped_tables

    rng = random.Random(1)
    names = [rng.randbytes(33) for _ in range(keys)]
    for start in range(0, keys, 10_000):
        with db.write_batch() as batch:
            for name in names[start : start + 10_000]:
                batch.put(name, rng.randbytes(900))
    compact_all(db)
    tables = sum(1 for f in path.iterdir() if f.suffix == ".ldb")
    times = []
    for _ in range(3):
        sample = rng.sample(names, reads)
        t0 = time.perf_counter()
        for name in sample:
            db.get(name, verify_checksums=True)
        times.append(time.perf_counter() - t0)
    mapped = mapped_tables()
    db.close()
    best = min(times) / reads * 1e6
    return (
        f"| {table_mb} MiB | {'pread' if pread else 'mmap'} | {tables} | {mapped} | "
        f"{best:.1f} µs | {max(times) / reads * 1e6:.1f} µs | {os.getloadavg()[0]:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=300_000)
    parser.add_argument("--reads", type=int, default=20_000)
    parser.add_argument("--mode", nargs=2, metavar=("TABLE_MB", "mmap|pread"), default=None)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    if args.mode is not None:
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            table_mb, how = args.mode
            print(run_mode(Path(tmp) / "db", int(table_mb), how == "pread", args.keys, args.reads))
        return
    print("| table file | reads | tables | mapped | read (best of 3) | worst | load avg |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for table_mb, how in MODES:
        command = [sys.executable, __file__, "--keys", str(args.keys), "--reads", str(args.reads)]
        command += ["--mode", table_mb, how] + (["--dir", str(args.dir)] if args.dir else [])
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()

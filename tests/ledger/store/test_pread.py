"""LevelDB reads tables with `pread` in a process that imported the store, and maps them without it.

Each story runs in a fresh interpreter: the switch must act before the process's first database,
and the mappings are counted in /proc/self/maps of that process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ledger.store.leveldb import MIB, compact_all, open_leveldb
from ledger.store.pread import ANCHOR, HOOK, call_hook, elf_symbols, leveldb_library

ROOT = Path(__file__).resolve().parents[3]

WRITE_AND_READ = """
import os, sys
{setup}
for round_ in range(3):  # a few tables, on more than one level
    with db.write_batch() as batch:
        for i in range(3000):
            batch.put(round_.to_bytes(2, "big") + i.to_bytes(4, "big"), os.urandom(1000))
    db.compact_range(start=b"\\x00", stop=b"\\xff")
assert sum(1 for _ in db.iterator()) == 9000
from ledger.store.pread import mapped_tables
print({flag}, mapped_tables())
"""


def _run(tmp_path: Path, setup: str, flag: str) -> str:
    script = WRITE_AND_READ.format(setup=setup, flag=flag)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "db")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_process_that_opens_the_store_maps_no_table_file(tmp_path: Path) -> None:
    """The node's resident set holds no page of its tables (issue 17, goal 7)."""
    setup = (
        "from pathlib import Path\n"
        "from ledger.store.leveldb import MMAP_READS_OFF, open_leveldb\n"
        "db = open_leveldb(Path(sys.argv[1]))"
    )
    assert _run(tmp_path, setup, "MMAP_READS_OFF") == "True 0"


def test_without_the_switch_leveldb_maps_the_tables_it_reads(tmp_path: Path) -> None:
    """The control: the same reads in a process that never imported the store map its tables,
    so the story above would see a mapping if there were one."""
    setup = "import plyvel\ndb = plyvel.DB(sys.argv[1], create_if_missing=True)"
    flag, mapped = _run(tmp_path, setup, "'plain'").split()
    assert flag == "plain" and int(mapped) > 0


def test_the_switch_is_found_in_the_loaded_library() -> None:
    library = leveldb_library()
    assert library is not None
    assert {HOOK, ANCHOR} <= elf_symbols(library, (HOOK, ANCHOR)).keys()


def test_a_library_without_the_switch_is_left_alone(tmp_path: Path) -> None:
    """Another file (no such symbol, or not ELF at all) is never called into."""
    not_elf = tmp_path / "libleveldb.so"
    not_elf.write_bytes(b"#!/bin/sh\n" * 10)
    assert elf_symbols(not_elf, (HOOK, ANCHOR)) == {}
    assert call_hook(not_elf) is False
    assert call_hook(None) is False
    python = Path(sys.executable).resolve()
    assert HOOK not in elf_symbols(python, (HOOK,))
    assert call_hook(python) is False


def test_a_table_file_holds_more_than_leveldbs_default_2_mib(tmp_path: Path) -> None:
    """Few, large tables: a million-account database fits the table cache (no reopened files)."""
    db = open_leveldb(tmp_path / "db")
    try:
        with db.write_batch() as batch:
            for i in range(6 * 1024):
                batch.put(i.to_bytes(4, "big"), os.urandom(1024))
        compact_all(db)
    finally:
        db.close()
    tables = [f.stat().st_size for f in (tmp_path / "db").iterdir() if f.suffix == ".ldb"]
    assert max(tables) > 4 * MIB, tables

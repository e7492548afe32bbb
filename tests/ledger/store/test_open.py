"""Opening a database: wrong chain, foreign or corrupt directories, locks, inconsistent records."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import plyvel
import pytest

from ledger.hashing import digest
from ledger.store import (
    GenesisMismatchError,
    Store,
    StoreCorruptError,
    StoreLockedError,
    StoreOpenError,
    schema,
)
from tests.ledger.store.synthetic import GENESIS_HASH, Model, commit_next, open_store


def build_chain(path: Path, blocks: int = 3) -> None:
    with open_store(path) as store:
        for _ in range(blocks):
            commit_next(store, seed=11)


def tamper(path: Path, puts: dict[bytes, bytes], deletes: tuple[bytes, ...] = ()) -> None:
    db = plyvel.DB(str(path))
    for key, value in puts.items():
        db.put(key, value)
    for key in deletes:
        db.delete(key)
    db.close()


def test_wrong_genesis_is_refused_with_both_hashes(db_path: Path) -> None:
    build_chain(db_path)
    other = digest(b"another chain")
    with pytest.raises(GenesisMismatchError) as info:
        Store.open(db_path, other)
    assert GENESIS_HASH.hex() in str(info.value) and other.hex() in str(info.value)
    with Store.open(db_path, GENESIS_HASH) as store:  # and it was left closed and intact
        assert store.height == 3


def test_missing_parent_directories_are_created(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a" / "b" / "db", GENESIS_HASH) as store:
        assert not store.initialized


def test_a_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("hello")
    with pytest.raises(StoreOpenError, match="is a file"):
        Store.open(path, GENESIS_HASH)


def test_a_directory_of_other_files_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreOpenError, match="holds other files"):
        Store.open(tmp_path, GENESIS_HASH)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(
    "left",
    [("LOCK",), ("LOCK", "LOG"), ("LOCK", "LOG", "LOG.old", "MANIFEST-000001", "000001.dbtmp")],
)
def test_a_creation_killed_before_current_opens_as_a_new_store(
    tmp_path: Path, left: tuple[str, ...]
) -> None:
    """LevelDB writes its lock, its info log and the first manifest before CURRENT: a process
    killed in between leaves them and nothing written, and the next start creates the store."""
    path = tmp_path / "db"
    path.mkdir()
    for name in left:
        (path / name).write_bytes(b"")
    with Store.open(path, GENESIS_HASH) as store:
        assert not store.initialized
    assert (path / "CURRENT").exists()


def test_tables_without_current_are_refused(tmp_path: Path) -> None:
    """A table or log file says something was written: without CURRENT that is a damaged
    database, never recreated over (LevelDB would delete the tables it does not know)."""
    path = tmp_path / "db"
    path.mkdir()
    for name in ("LOCK", "LOG", "000005.ldb"):
        (path / name).write_bytes(b"x")
    with pytest.raises(StoreOpenError, match="holds other files"):
        Store.open(path, GENESIS_HASH)
    assert sorted(p.name for p in path.iterdir()) == ["000005.ldb", "LOCK", "LOG"]


def test_another_leveldb_is_not_ours(db_path: Path) -> None:
    db = plyvel.DB(str(db_path), create_if_missing=True)
    db.put(b"someone else's", b"data")
    db.close()
    with pytest.raises(StoreOpenError, match="not Coterie's"):
        Store.open(db_path, GENESIS_HASH)


def test_corrupt_leveldb_files(db_path: Path) -> None:
    build_chain(db_path)
    (db_path / "CURRENT").write_text("MANIFEST-999999\n")
    with pytest.raises(StoreCorruptError, match="corrupt"):
        Store.open(db_path, GENESIS_HASH)


def test_database_locked_by_another_process(db_path: Path) -> None:
    build_chain(db_path)
    script = "import plyvel, sys; db = plyvel.DB(sys.argv[1]); print('open', flush=True); input()"
    with subprocess.Popen(
        [sys.executable, "-c", script, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline() == "open\n"
        with pytest.raises(StoreLockedError, match="in use by another process"):
            Store.open(db_path, GENESIS_HASH)
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=10)
    with Store.open(db_path, GENESIS_HASH) as store:
        assert store.height == 3


@pytest.mark.parametrize(
    ("puts", "deletes", "reason"),
    [
        ({schema.META_STATE_ROOT: digest(b"wrong")}, (), "not in the record store"),
        ({}, (schema.block(3),), "lacks block 3"),
        ({}, (schema.commit(3),), "lacks the commit"),
        ({}, (schema.META_HEIGHT,), "lacks the height"),
        ({schema.META_HEIGHT: schema.u64(2)}, (), "above the last committed"),
        ({schema.block(4): b"\x90"}, (), "above the last committed"),
        ({schema.block(3): b"\x91\x01"}, (), "stored block 3 is unreadable"),
        ({schema.META_SCHEMA: schema.u32(99)}, (), "schema version"),
    ],
)
def test_inconsistent_records_are_reported(
    db_path: Path, puts: dict[bytes, bytes], deletes: tuple[bytes, ...], reason: str
) -> None:
    build_chain(db_path)
    tamper(db_path, puts, deletes)
    with pytest.raises(StoreOpenError, match=reason):
        Store.open(db_path, GENESIS_HASH)


def test_state_root_that_disagrees_with_the_last_header(db_path: Path) -> None:
    build_chain(db_path)
    with Store.open(db_path, GENESIS_HASH) as store:
        block2 = store.block(2)
        assert block2 is not None
    tamper(db_path, {schema.META_STATE_ROOT: block2.header.state_root})  # a real, older root
    with pytest.raises(StoreCorruptError, match="block 3 has state root"):
        Store.open(db_path, GENESIS_HASH)


def test_a_record_whose_bytes_do_not_hash_to_its_key_is_corrupt(db_path: Path) -> None:
    build_chain(db_path)
    with Store.open(db_path, GENESIS_HASH) as store:
        root = store.state_root
    tamper(db_path, {schema.node(root): b"\x01\x00\x01\x00\x00" + bytes(64)})
    with pytest.raises(StoreCorruptError, match="corrupt Merkle record"):
        Store.open(db_path, GENESIS_HASH)


def newest_log(path: Path) -> Path:
    return max(path.glob("*.log"), key=lambda p: int(p.stem))


def test_a_torn_last_batch_is_dropped_and_the_store_reopens_below_it(db_path: Path) -> None:
    build_chain(db_path)  # blocks 1-3; reopening moves them out of the log into tables
    with Store.open(db_path, GENESIS_HASH) as store:
        commit_next(store, seed=11)
        assert store.height == 4
    log = newest_log(db_path)
    size = log.stat().st_size
    assert size > 1000  # block 4's batch, alone in the log
    with log.open("r+b") as f:
        f.truncate(size // 2)  # a power cut in the middle of writing it
    model = Model(seed=11)
    model.advance_to(3)
    with Store.open(db_path, GENESIS_HASH) as store:
        assert store.height == 3 and store.state_root == model.root
        assert dict(store.state.iter_prefix(b"")) == model.state
        commit_next(store, seed=11)  # and the chain goes on from there
        assert store.height == 4


def test_garbage_after_the_last_batch_is_ignored(db_path: Path) -> None:
    build_chain(db_path)
    with newest_log(db_path).open("ab") as f:
        f.write(bytes(range(256)) * 12)
    with Store.open(db_path, GENESIS_HASH) as store:
        assert store.height == 3

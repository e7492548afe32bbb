"""The sign state's file of two slots: saved in place, and a power cut mid-save loses nothing
that was acknowledged (consensus/slots.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consensus import slots
from consensus.errors import SignStateCorruptError
from consensus.messages import Step
from consensus.signer import FileSignStateStore, Signer, SignState
from ledger import codec
from ledger.block import VoteType
from ledger.keys import PrivateKey
from tests.consensus.harness import GENESIS_HASH

KEY = PrivateKey.from_secret(b"validator-0")
X = bytes([1]) * 32


def new_signer(path: Path, *, new_chain: bool = False) -> Signer:
    return Signer(KEY, GENESIS_HASH, FileSignStateStore(path), new_chain=new_chain)


def state_at(height: int) -> SignState:
    return SignState(GENESIS_HASH, height, 0, 2, bytes([height % 256]) * 32, b"\x05" * 64)


def test_each_save_overwrites_the_older_slot_of_the_same_file(tmp_path: Path) -> None:
    """No temporary file, no rename: the inode stays, the size stays, the newest state loads."""
    path = tmp_path / "sign_state"
    signer = new_signer(path, new_chain=True)
    inode = os.stat(path).st_ino
    for height in range(1, 6):
        vote = signer.sign_vote(VoteType.PRECOMMIT, height, 0, X)
        state = FileSignStateStore(path).load()
        assert state is not None and state.hrs == (height, 0, Step.PRECOMMIT)
        assert state.signature == vote.signature
        assert os.stat(path).st_ino == inode and os.stat(path).st_size == slots.FILE_BYTES
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sign_state"]


def test_a_file_of_the_older_format_loads_and_its_first_save_makes_slots(tmp_path: Path) -> None:
    path = tmp_path / "sign_state"
    path.write_bytes(state_at(7).encode())  # the record alone, as the store wrote it before
    store = FileSignStateStore(path)
    assert store.load() == state_at(7)
    store.save(state_at(8))
    assert os.stat(path).st_size == slots.FILE_BYTES
    assert store.load() == state_at(8)
    signer_path = tmp_path / "signer_state"
    signer_path.write_bytes(codec.encode([1, GENESIS_HASH, 5, 3, 3, b"\x01" * 32, b"\x02" * 64]))
    assert new_signer(signer_path).last_signed.hrs == (5, 3, 3)  # a version-1 record too


@settings(max_examples=120, deadline=None)
@given(
    saved=st.integers(1, 4),
    cut=st.integers(0, 320),  # a record is about 250 bytes
    garbage=st.binary(min_size=0, max_size=64),
)
def test_a_save_cut_anywhere_leaves_the_old_state_or_the_new(
    tmp_path_factory: pytest.TempPathFactory, saved: int, cut: int, garbage: bytes
) -> None:
    """A power cut during a save: of the bytes the save writes, the first `cut` reached the disk,
    followed by whatever the disk happened to keep (`garbage`)."""
    path = tmp_path_factory.mktemp("slots") / "sign_state"
    store = FileSignStateStore(path)
    for height in range(1, saved + 1):
        store.save(state_at(height))
    before = path.read_bytes()
    store.save(state_at(saved + 1))
    after = path.read_bytes()
    changed = [i for i in range(len(after)) if after[i] != before[i]]
    slot = changed[0] // slots.SLOT_BYTES
    assert changed[-1] // slots.SLOT_BYTES == slot  # one slot written...
    newest = slots.newest(before)
    assert newest is not None and newest[0] != slot  # ...never the newest one
    start = slot * slots.SLOT_BYTES
    size = len(slots.encode_slot(0, state_at(saved + 1).encode()))  # what the save writes
    torn = bytearray(before)
    reached = (after[start : start + cut] + garbage)[:size]
    torn[start : start + len(reached)] = reached
    path.write_bytes(bytes(torn))
    loaded = store.load()
    assert loaded in (state_at(saved), state_at(saved + 1))
    if cut >= size:
        assert loaded == state_at(saved + 1)
    store.save(state_at(saved + 2))  # and the store goes on from what it found
    assert store.load() == state_at(saved + 2)


def test_a_file_with_no_valid_slot_refuses_to_start(tmp_path: Path) -> None:
    path = tmp_path / "sign_state"
    new_signer(path, new_chain=True).sign_vote(VoteType.PREVOTE, 1, 0, X)
    path.write_bytes(bytes(slots.FILE_BYTES))
    with pytest.raises(SignStateCorruptError, match="no valid slot"):
        new_signer(path)

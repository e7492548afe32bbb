"""The consensus WAL: records, durability, repair of torn tails, rotation, replay, journaling."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from consensus.actions import Broadcast
from consensus.machine import ConsensusMachine
from consensus.messages import NIL, Proposal, Step
from consensus.signer import MemorySignStateStore, SignState
from consensus.wal import (
    EndHeight,
    MemoryWAL,
    Received,
    RoundReached,
    Sent,
    TimeoutFired,
    WalError,
    WalRecord,
    decode_record,
    encode_record,
    frame,
)
from consensus.wal_file import FileWAL, WalCorruptError
from consensus.wal_replay import replay
from consensus.wal_signer import JournaledSigner
from ledger.block import Vote, VoteType
from ledger.codec import MalformedError
from ledger.keys import PrivateKey
from tests.consensus.harness import FAST, GENESIS_HASH, Net, raw_vote, receive

KEY = PrivateKey.from_secret(b"validator-0")
X = bytes(range(32))


def sample_records() -> list[WalRecord]:
    vote = raw_vote(KEY, VoteType.PREVOTE, 3, 1, X)
    return [
        Received(vote),
        Sent(raw_vote(KEY, VoteType.PRECOMMIT, 3, 1, NIL)),
        TimeoutFired(3, 1, Step.PREVOTE),
        EndHeight(3),
    ]


def test_records_round_trip_and_their_encoding_is_pinned() -> None:
    for record in sample_records():
        assert decode_record(encode_record(record)) == record
    assert encode_record(TimeoutFired(3, 1, Step.PREVOTE)).hex() == "9203930301 02".replace(" ", "")
    assert encode_record(EndHeight(7)).hex() == "92049107"
    assert encode_record(RoundReached(3, 9)).hex() == "9206920309"
    assert decode_record(bytes.fromhex("9206920309")) == RoundReached(3, 9)
    with pytest.raises(MalformedError):  # RECEIVED_AT is only ever the 3-item form
        decode_record(bytes.fromhex("9205920309"))
    vote = encode_record(Received(raw_vote(KEY, VoteType.PREVOTE, 3, 1, X)))
    assert vote[:4].hex() == "92019202"  # [RECEIVED, [VOTE, [...]]]
    at = encode_record(Received(raw_vote(KEY, VoteType.PREVOTE, 3, 1, X), 1000))
    assert at[:6].hex() == "9305cd03e892"  # [RECEIVED_AT, at_ms, [VOTE, [...]]]
    assert decode_record(at) == Received(raw_vote(KEY, VoteType.PREVOTE, 3, 1, X), 1000)


def test_memory_wal_loses_only_what_was_not_synced() -> None:
    wal = MemoryWAL()
    first, second, third, end = sample_records()
    wal.append(first)
    wal.append(second, sync=True)  # makes `first` durable too
    wal.append(third)
    wal.crash()
    assert wal.records() == [first, second]
    wal.append(end, sync=True)
    assert wal.records() == [end]  # a synced height end drops what came before


def test_file_wal_reopens_with_every_record(tmp_path: Path) -> None:
    wal = FileWAL(tmp_path / "wal")
    for record in sample_records()[:3]:
        wal.append(record, sync=isinstance(record, Sent))
    wal.close()
    assert FileWAL(tmp_path / "wal").records() == sample_records()[:3]


def test_a_sync_with_nothing_new_written_skips_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: the guard's sync before a signature was a real fsync even right after the
    previous signature's synced record; a clean log answers at once, a dirty one never does."""
    fsyncs: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd))[1])
    wal = FileWAL(tmp_path / "cs.wal")
    wal.sync()  # just opened: real
    assert len(fsyncs) == 1
    vote = raw_vote(KEY, VoteType.PREVOTE, 1, 0, X)
    wal.append(Sent(vote), sync=True)
    wal.sync()  # nothing since: skipped
    assert len(fsyncs) == 2
    wal.append(Received(vote))
    wal.sync()  # an unsynced record: real
    assert len(fsyncs) == 3
    wal.close()
    reopened = FileWAL(tmp_path / "cs.wal")
    reopened.sync()  # a reopened log: real, whatever the last process did
    assert len(fsyncs) == 4
    assert reopened.records() == [Sent(vote), Received(vote)]
    reopened.close()


@pytest.mark.parametrize("cut", [1, 5, 8, 9])
def test_a_torn_last_record_is_truncated_on_open(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "wal"
    wal = FileWAL(path)
    records = sample_records()[:3]
    assert len(frame(records[2])) > 9
    for record in records:
        wal.append(record)
    wal.close()
    size = path.stat().st_size
    os.truncate(path, size - cut)  # the last write was cut short by a crash
    reopened = FileWAL(path)
    assert reopened.records() == records[:2]
    assert path.stat().st_size == len(frame(records[0])) + len(frame(records[1]))
    reopened.append(records[2], sync=True)  # and the log goes on from there
    reopened.close()
    assert FileWAL(path).records() == records


def test_corruption_followed_by_valid_records_refuses_to_open_at_every_record(
    tmp_path: Path,
) -> None:
    """Regression (issue 18): one flipped bit in record 2 of 4 truncated the synced records
    after it, the precommit and lock among them. Only a bad *last* record is a torn tail."""
    path = tmp_path / "wal"
    records = sample_records()
    wal = FileWAL(path)
    for record in records:
        wal.append(record, sync=True)
    wal.close()
    clean = path.read_bytes()
    starts = [sum(len(frame(r)) for r in records[:i]) for i in range(len(records))]
    for index, (start, record) in enumerate(zip(starts, records, strict=True)):
        payload = start + 8 + (len(frame(record)) - 8) // 2
        for where in (start + 1, start + 5, payload):  # the length, the crc, the payload
            data = bytearray(clean)
            data[where] ^= 0x40
            path.write_bytes(bytes(data))
            if index < len(records) - 1:
                with pytest.raises(WalCorruptError, match="valid records follow"):
                    FileWAL(path)
                assert path.read_bytes() == bytes(data)  # refused, and nothing cut
            else:
                assert FileWAL(path).records() == records[:-1]
    path.write_bytes(b"\xff" * 50)  # garbage from the first byte: an empty log, not a crash
    assert FileWAL(path).records() == []
    path.write_bytes(clean + bytes(4096))  # a zero-filled tail after a power cut
    assert FileWAL(path).records() == records[-1:]  # what replay needs: since the height end


def test_the_file_wal_rotates_at_a_height_end_past_its_size(tmp_path: Path) -> None:
    path = tmp_path / "wal"
    wal = FileWAL(path, max_bytes=600)
    for height in range(1, 6):
        for record in sample_records()[:3]:
            wal.append(record)
        wal.append(EndHeight(height), sync=True)
    assert path.stat().st_size < 600
    wal.append(Received(raw_vote(KEY, VoteType.PREVOTE, 6, 0, X)))
    wal.close()
    records = FileWAL(path).records()
    assert isinstance(records[0], EndHeight)
    assert records[-1] == Received(raw_vote(KEY, VoteType.PREVOTE, 6, 0, X))


class Recorder(MemoryWAL):
    """A WAL and a sign-state store that write down the order of what happens to them."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []
        self.store = MemorySignStateStore()
        outer = self

        class Store:
            def load(self) -> SignState | None:
                return outer.store.load()

            def save(self, state: SignState) -> None:
                outer.events.append("sign-state")
                outer.store.save(state)

        self.recording_store = Store()

    def append(self, record: WalRecord, *, sync: bool = False) -> None:
        self.events.append(f"append {type(record).__name__}{' sync' if sync else ''}")
        super().append(record, sync=sync)

    def sync(self) -> None:
        self.events.append("sync")
        super().sync()


def test_the_journaled_signer_syncs_before_signing_and_logs_at_once() -> None:
    wal = Recorder()
    signer = JournaledSigner(KEY, GENESIS_HASH, wal.recording_store, wal, new_chain=True)
    wal.append(Received(raw_vote(KEY, VoteType.PREVOTE, 1, 0, X)))
    wal.events.clear()
    vote = signer.sign_vote(VoteType.PREVOTE, 1, 0, X)
    assert wal.events == ["sync", "sign-state", "append Sent sync"]
    assert signer.journaled(vote)
    assert wal.durable[-1] == Sent(vote) and len(wal.durable) == 2  # the input is durable too
    wal.events.clear()
    again = signer.sign_vote(VoteType.PREVOTE, 1, 0, X)  # identical request: same signature
    assert again == vote and wal.events == []


def test_a_listener_hears_each_new_signature_once_it_is_durable() -> None:
    """Issue 17: a driver sends a message as soon as it is durable, so a proposal leaves before
    the proposer's own prevote is signed; never before its `Sent` record is synced."""
    wal = Recorder()
    signer = JournaledSigner(KEY, GENESIS_HASH, wal.recording_store, wal, new_chain=True)
    heard: list[tuple[object, bool]] = []
    signer.listen(lambda message: heard.append((message, wal.durable[-1] == Sent(message))))
    vote = signer.sign_vote(VoteType.PREVOTE, 1, 0, X)
    assert heard == [(vote, True)]
    assert signer.sign_vote(VoteType.PREVOTE, 1, 0, X) == vote  # handed back: not heard again
    precommit = signer.sign_vote(VoteType.PRECOMMIT, 1, 0, X)
    assert heard == [(vote, True), (precommit, True)]


def test_replay_restores_a_lock_and_the_node_stays_locked() -> None:
    """A validator that locked on a block at round 0 crashes; replayed, it prevotes nil for
    another block at round 1 and re-sends its round-0 votes, without signing anything new."""
    net = Net()
    node = net.nodes[0]
    store, wal = MemorySignStateStore(), MemoryWAL()
    vals = net.validators_at(1)

    def machine() -> tuple[ConsensusMachine, JournaledSigner]:
        signer = JournaledSigner(node.key, GENESIS_HASH, store, wal, new_chain=True)
        return ConsensusMachine(GENESIS_HASH, node.app, FAST, signer=signer), signer

    first, _ = machine()
    first.on_start(1, vals)
    proposer = net.proposer(1, 0)
    block = proposer.app.propose(1, 0)
    sign_bytes = Proposal.sign_bytes_for(GENESIS_HASH, 1, 0, -1, block.hash())
    proposal = Proposal(1, 0, -1, block, proposer.key.sign(sign_bytes))
    inputs: list[Proposal | Vote] = [proposal]
    others = [n for n in net.nodes if n is not node][:2]
    inputs += [raw_vote(n.key, VoteType.PREVOTE, 1, 0, block.hash()) for n in others]
    for message in inputs:
        wal.append(Received(message))
        if isinstance(message, Proposal):
            receive(first, message)
        else:
            first.on_vote(message)
    assert first.locked == (0, block)
    wal.crash()  # everything that mattered was synced by the journaled precommit
    second, signer = machine()
    result = replay(second, wal.records(), 1, vals)
    assert second.locked == (0, block)
    assert [(m.type, m.block_hash) for m in result.resend if isinstance(m, Vote)] == [
        (VoteType.PREVOTE, block.hash()),
        (VoteType.PRECOMMIT, block.hash()),
    ]
    assert not [a for a in result.actions if isinstance(a, Broadcast)]
    # round 1: another block without a proof-of-lock; the locked node prevotes nil
    second.on_timeout(1, 0, Step.PRECOMMIT)
    for n in others:
        second.on_vote(raw_vote(n.key, VoteType.PRECOMMIT, 1, 0, NIL))
    second.on_timeout(1, 0, Step.PRECOMMIT)
    proposer1 = net.proposer(1, 1)
    other = proposer1.app.propose(1, 1)
    assert other.hash() != block.hash()
    sign_bytes = Proposal.sign_bytes_for(GENESIS_HASH, 1, 1, -1, other.hash())
    out = receive(second, Proposal(1, 1, -1, other, proposer1.key.sign(sign_bytes)))
    votes = [a.message for a in out if isinstance(a, Broadcast)]
    assert [(v.round, v.block_hash) for v in votes if isinstance(v, Vote)] == [(1, NIL)]
    assert signer.journaled(votes[0])


def test_replay_refuses_a_wal_ahead_of_the_block_store() -> None:
    net = Net()
    machine = ConsensusMachine(GENESIS_HASH, net.nodes[0].app, FAST)
    with pytest.raises(WalError, match="lost data"):
        replay(machine, [EndHeight(4)], 4, net.validators_at(4))

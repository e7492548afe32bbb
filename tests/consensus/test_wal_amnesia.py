"""The lock survives a damaged WAL: crash (lose the log from any record on) or corruption at
every record, and a restarted validator never prevotes against the block it precommitted.

Regression (issue 18): one flipped bit in record 2 of 4 truncated the synced records after it;
the validator, restarted, had forgotten that it precommitted v at round 0 and prevoted another
block at round 1. Now corruption followed by valid records refuses to start, the sign state
keeps the lock, and a validator whose last signature the replay cannot re-derive stays silent
for the rest of the height.
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from consensus.actions import Action, Broadcast
from consensus.machine import ConsensusMachine
from consensus.messages import NIL, Proposal, Step
from consensus.signer import FileSignStateStore
from consensus.wal import Received, frame
from consensus.wal_file import FileWAL, WalCorruptError
from consensus.wal_replay import replay
from consensus.wal_signer import JournaledSigner
from ledger.block import Block, Vote, VoteType
from tests.consensus.harness import FAST, GENESIS_HASH, Net, Node, raw_vote, receive


def signed(node: Node, round_: int, block: Block) -> Proposal:
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, round_, -1, block.hash())
    return Proposal(1, round_, -1, block, node.key.sign(message))


def start(net: Net, target: Node, home: Path, *, new: bool) -> tuple[ConsensusMachine, FileWAL]:
    wal = FileWAL(home / "cs.wal")
    store = FileSignStateStore(home / "sign_state")
    signer = JournaledSigner(target.key, GENESIS_HASH, store, wal, new_chain=new)
    return ConsensusMachine(GENESIS_HASH, target.app, FAST, signer=signer), wal


def my_prevotes(actions: list[Action]) -> list[tuple[int, bytes]]:
    return [
        (a.message.round, a.message.block_hash)
        for a in actions
        if isinstance(a, Broadcast)
        and isinstance(a.message, Vote)
        and a.message.type == VoteType.PREVOTE
    ]


def lock_at_round_0(net: Net, target: Node, home: Path) -> tuple[Block, list[int]]:
    """The target precommits (locks on) v at round 0; round 0 ends without a decision. Returns
    v and the byte offset of every record boundary of its WAL."""
    machine, wal = start(net, target, home, new=True)
    machine.on_start(1, net.validators_at(1))
    v = net.proposer(1, 0).app.propose(1, 0)
    others = [n for n in net.nodes if n is not target]
    inputs: list[Proposal | Vote] = [signed(net.proposer(1, 0), 0, v)]
    inputs += [raw_vote(n.key, VoteType.PREVOTE, 1, 0, v.hash()) for n in others[:2]]
    inputs += [raw_vote(n.key, VoteType.PRECOMMIT, 1, 0, NIL) for n in others]
    for message in inputs:
        if isinstance(message, Proposal):
            at = message.block.header.time_ms
            wal.append(Received(message, at))
            machine.on_proposal(message, now_ms=at)
        else:
            wal.append(Received(message))
            machine.on_vote(message)
    assert machine.locked[0] == 0 and machine.round == 0
    records = wal.records()
    wal.close()
    ends, offset = [0], 0
    for record in records:
        offset += len(frame(record))
        ends.append(offset)
    assert (home / "cs.wal").stat().st_size == offset
    return v, ends


def round_1_prevotes(net: Net, target: Node, home: Path) -> list[tuple[int, bytes]]:
    """Restart from `home`, reach round 1 on f + 1 others' votes, receive another block w."""
    machine, wal = start(net, target, home, new=False)
    result = replay(machine, wal.records(), 1, net.validators_at(1))
    out = list(result.actions)
    others = [n for n in net.nodes if n is not target]
    for n in others[:2]:
        out += machine.on_vote(raw_vote(n.key, VoteType.PREVOTE, 1, 1, NIL))
    assert machine.round == 1
    w = net.proposer(1, 1).app.propose(1, 1)
    out += receive(machine, signed(net.proposer(1, 1), 1, w))
    out += machine.on_timeout(1, 1, Step.PROPOSE)
    wal.close()
    return [(r, h) for r, h in my_prevotes(out) if r >= 1]


def roles(net: Net) -> Node:
    """A target that proposes neither round 0 nor round 1."""
    return next(n for n in net.nodes if n not in (net.proposer(1, 0), net.proposer(1, 1)))


def test_a_validator_locked_at_round_0_never_prevotes_another_block_whatever_the_wal_lost(
    tmp_path: Path,
) -> None:
    net = Net(stop_height=1)
    target = roles(net)
    origin = tmp_path / "origin"
    origin.mkdir()
    v, ends = lock_at_round_0(net, target, origin)
    data = (origin / "cs.wal").read_bytes()
    cuts = sorted({*ends, *(e + 3 for e in ends[:-1]), *(e + 11 for e in ends[:-1])})
    for cut in cuts:  # a crash that lost the log from here on (even synced records)
        home = tmp_path / f"cut-{cut}"
        shutil.copytree(origin, home)
        (home / "cs.wal").write_bytes(data[:cut])
        prevotes = round_1_prevotes(net, target, home)
        assert all(h in (NIL, v.hash()) for _, h in prevotes), (cut, prevotes)


def test_corruption_inside_the_wal_refuses_to_start_at_every_record(tmp_path: Path) -> None:
    net = Net(stop_height=1)
    target = roles(net)
    v, ends = lock_at_round_0(net, target, tmp_path)
    path = tmp_path / "cs.wal"
    clean = path.read_bytes()
    for index, (start_, end) in enumerate(itertools.pairwise(ends)):
        data = bytearray(clean)
        data[(start_ + end) // 2] ^= 0x10
        path.write_bytes(bytes(data))
        if end < len(clean):
            with pytest.raises(WalCorruptError):
                FileWAL(path)
        else:  # the last record: a torn tail, dropped; the lock still holds
            prevotes = round_1_prevotes(net, target, tmp_path)
            assert all(h in (NIL, v.hash()) for _, h in prevotes), (index, prevotes)


def test_a_validator_whose_wal_lost_its_last_vote_stays_silent_for_the_height(
    tmp_path: Path,
) -> None:
    """The WAL is gone (restored from an old backup, say) but the sign state says it precommitted
    at this height: the replay cannot re-derive that vote, so the node signs nothing more here."""
    net = Net(stop_height=1)
    target = roles(net)
    lock_at_round_0(net, target, tmp_path)
    (tmp_path / "cs.wal").write_bytes(b"")
    assert round_1_prevotes(net, target, tmp_path) == []

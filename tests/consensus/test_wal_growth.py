"""The WAL holds only what the machine admits, so a stuck height cannot fill the disk with
re-sent, forged or far-away messages; a full disk says so.

Regression (issue 18): every received message was logged before duplicates, bad signatures and
out-of-window rounds were dropped, and status gossip re-sends full proposals every second: 200
copies of one proposal added 21 MB to the WAL.
"""

from __future__ import annotations

import dataclasses
import errno
import os
from pathlib import Path

import pytest

from consensus.machine import ConsensusMachine
from consensus.messages import NIL, Proposal, Step
from consensus.wal import Received, WalError
from consensus.wal_file import FileWAL
from ledger.block import Vote, VoteType
from tests.consensus.harness import FAST, GENESIS_HASH, Net, raw_vote, receive


def test_two_hundred_copies_of_a_proposal_and_forged_or_far_votes_add_one_record_each(
    tmp_path: Path,
) -> None:
    net = Net(stop_height=1)
    node = net.nodes[0]
    wal = FileWAL(tmp_path / "cs.wal")

    def journal(message: Proposal | Vote, at_ms: int | None) -> None:
        wal.append(Received(message, at_ms))

    machine = ConsensusMachine(GENESIS_HASH, node.app, FAST, journal=journal)
    machine.on_start(1, net.validators_at(1))
    proposer = net.proposer(1, 0)
    block = proposer.app.propose(1, 0)
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, 0, -1, block.hash())
    proposal = Proposal(1, 0, -1, block, proposer.key.sign(message))
    for _ in range(200):
        receive(machine, proposal)
    assert len(wal.records()) == 1
    one_record = wal.size
    voter = net.nodes[1].key
    vote = raw_vote(voter, VoteType.PREVOTE, 1, 0, NIL)
    for _ in range(200):
        machine.on_vote(vote)  # duplicates
        machine.on_vote(dataclasses.replace(vote, signature=bytes(64)))  # forged
    for round_ in (50, 60, 70, 80):  # beyond the window and the voter's catch-up budget
        machine.on_vote(raw_vote(voter, VoteType.PREVOTE, 1, round_, NIL))
    assert [type(r.message).__name__ for r in wal.records() if isinstance(r, Received)] == [
        "Proposal",
        "Vote",
        "Vote",
        "Vote",
    ]
    assert wal.size < 2 * one_record
    wal.close()


def test_a_full_disk_during_a_wal_write_says_so(tmp_path: Path) -> None:
    """Not `short write to .../cs.wal: 18461 of 44479 bytes`: the cause, and what to do."""
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    wal = FileWAL(tmp_path / "cs.wal")
    os.close(wal._fd)
    wal._fd = os.open("/dev/full", os.O_WRONLY)  # every write fails with ENOSPC
    vote = raw_vote(Net().nodes[0].key, VoteType.PREVOTE, 1, 0, NIL)
    with pytest.raises(WalError, match="no space left on device") as info:
        wal.append(Received(vote), sync=True)
    assert isinstance(info.value.__cause__, OSError)
    assert info.value.__cause__.errno == errno.ENOSPC
    wal.close()


def test_stale_timeouts_do_not_matter_and_need_no_wal_record() -> None:
    net = Net(stop_height=1)
    machine = ConsensusMachine(GENESIS_HASH, net.nodes[0].app, FAST)
    assert not machine.timeout_matters(1, 0)  # not started
    machine.on_start(1, net.validators_at(1))
    assert machine.timeout_matters(1, 0) and not machine.timeout_matters(2, 0)
    for n in net.nodes[1:3]:  # f + 1 votes of round 3: the machine jumps there
        machine.on_vote(raw_vote(n.key, VoteType.PREVOTE, 1, 3, NIL))
    assert machine.round == 3
    assert not machine.timeout_matters(1, 0) and machine.timeout_matters(1, 3)
    assert machine.on_timeout(1, 0, Step.PROPOSE) == []  # what it means: ignored

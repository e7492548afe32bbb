"""A height that cannot decide keeps a bounded WAL, and a crash at any round still restores the
lock and signs again.

Regression (issue 18, item 5): only admitted messages were logged, but a stuck height still grew
by every round's votes and timeouts for ever (about 40 MB a day at 100 validators). Now a height
whose records span more than `OWN_ROUND_LIMIT` rounds of the machine's is compacted to its
latest rounds, its lock round and the POL rounds they name (consensus.wal, "A bound per height").
"""

from __future__ import annotations

import shutil
from pathlib import Path

from consensus.actions import Action, Broadcast
from consensus.machine import ConsensusMachine
from consensus.messages import NIL, Proposal, Step
from consensus.signer import FileSignStateStore
from consensus.wal import OWN_ROUND_LIMIT, Received, RoundReached, TimeoutFired, compact
from consensus.wal_file import FileWAL
from consensus.wal_replay import replay
from consensus.wal_signer import JournaledSigner
from ledger.block import Block, Vote, VoteType
from tests.consensus.harness import FAST, GENESIS_HASH, Net, Node, raw_vote, receive

ROUNDS = 40


def start(target: Node, home: Path, *, new: bool) -> tuple[ConsensusMachine, FileWAL]:
    """A machine as the runner builds it: journaled signer, admitted messages logged."""
    wal = FileWAL(home / "cs.wal")
    signer = JournaledSigner(
        target.key, GENESIS_HASH, FileSignStateStore(home / "sign_state"), wal, new_chain=new
    )

    def journal(message: Proposal | Vote, at_ms: int | None) -> None:
        wal.append(Received(message, at_ms))

    machine = ConsensusMachine(GENESIS_HASH, target.app, FAST, signer=signer, journal=journal)
    return machine, wal


def signed(node: Node, round_: int, pol_round: int, block: Block) -> Proposal:
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, round_, pol_round, block.hash())
    return Proposal(1, round_, pol_round, block, node.key.sign(message))


def play_round(
    net: Net, target: Node, machine: ConsensusMachine, wal: FileWAL, r: int, *, v: Block
) -> None:
    """Round `r` of a height that cannot decide: at round 0 the target locks on the proposal
    (two others prevote it) but the others precommit nil; later rounds get a new block each,
    which everyone prevotes nil. Status gossip re-sends every message three times."""
    others = [n for n in net.nodes if n is not target]
    proposer = net.proposer(1, r)
    if proposer is not target:
        block = v if r == 0 else proposer.app.propose(1, r)
        for _ in range(3):
            receive(machine, signed(proposer, r, -1, block))
    for _ in range(3):
        for i, n in enumerate(others):
            hash_ = v.hash() if r == 0 and i < 2 else NIL
            machine.on_vote(raw_vote(n.key, VoteType.PREVOTE, 1, r, hash_))
        for n in others:
            machine.on_vote(raw_vote(n.key, VoteType.PRECOMMIT, 1, r, NIL))
    wal.append(TimeoutFired(1, r, Step.PRECOMMIT))
    machine.on_timeout(1, r, Step.PRECOMMIT)
    assert machine.round == r + 1


def restart(net: Net, target: Node, home: Path) -> tuple[ConsensusMachine, FileWAL, list[Action]]:
    machine, wal = start(target, home, new=False)
    result = replay(machine, wal.records(), 1, net.validators_at(1))
    resent: list[Action] = [Broadcast(m) for m in result.resend]
    return machine, wal, [*resent, *result.actions]


def votes_of(actions: list[Action], vote_type: VoteType) -> list[tuple[int, bytes]]:
    return [
        (a.message.round, a.message.block_hash)
        for a in actions
        if isinstance(a, Broadcast) and isinstance(a.message, Vote) and a.message.type == vote_type
    ]


def test_a_stuck_height_under_gossip_keeps_a_bounded_wal_and_every_crash_keeps_the_lock(
    tmp_path: Path,
) -> None:
    net = Net(stop_height=1)
    target = next(n for n in net.nodes if n is not net.proposer(1, 0))
    home = tmp_path / "home"
    home.mkdir()
    machine, wal = start(target, home, new=True)
    machine.on_start(1, net.validators_at(1))
    v = net.proposer(1, 0).app.propose(1, 0)
    growth: list[int] = []
    sizes: list[int] = []
    for r in range(ROUNDS):
        before, compactions = wal.size, wal.compactions
        play_round(net, target, machine, wal, r, v=v)
        if wal.compactions == compactions:
            growth.append(wal.size - before)
        sizes.append(wal.size)
        assert machine.locked[0] == 0
        if r % 3 == 1:  # a crash here: the copy is what the disk holds (every record synced)
            wal.sync()
            copy = tmp_path / f"crash-{r}"
            shutil.copytree(home, copy)
            restarted, copy_wal, actions = restart(net, target, copy)
            assert restarted.round == r + 1
            locked_round, locked_value = restarted.locked
            assert locked_round == 0 and locked_value is not None
            assert locked_value.hash() == v.hash()
            other = net.proposer(1, r + 1)
            if other is not target:  # a new block without POL: nil, never another block
                w = other.app.propose(1, r + 1)
                actions += receive(restarted, signed(other, r + 1, -1, w))
            actions += restarted.on_timeout(1, r + 1, Step.PROPOSE)
            prevotes = [p for p in votes_of(actions, VoteType.PREVOTE) if p[0] > r]
            assert prevotes and all(h in (NIL, v.hash()) for _, h in prevotes), prevotes
            for n in net.nodes:  # the replayed node is not silent: it precommits again
                if n is not target:
                    actions += restarted.on_vote(raw_vote(n.key, VoteType.PREVOTE, 1, r + 1, NIL))
            assert (r + 1, NIL) in votes_of(actions, VoteType.PRECOMMIT)
            copy_wal.close()
    assert wal.compactions >= 3
    bound = (OWN_ROUND_LIMIT + 2) * max(growth)  # the machine's rounds, plus the lock round
    assert max(sizes) <= bound < sum(growth) + sum(growth) // len(growth) * (ROUNDS - len(growth))
    records = wal.records()
    assert any(isinstance(r, RoundReached) for r in records)
    assert compact(compact(records)) == compact(records)  # a compacted height stays as it is
    wal.close()


def test_a_validator_restarted_every_round_keeps_the_bound_and_its_lock(tmp_path: Path) -> None:
    """A crash loop: each restart reopens the WAL (which sets the next compaction point from what
    a compaction would keep, so restarts cannot raise the bound) and replays into the round the
    node was in, locked on v; it then plays that round on."""
    net = Net(stop_height=1)
    target = next(n for n in net.nodes if n is not net.proposer(1, 0))
    machine, wal = start(target, tmp_path, new=True)
    machine.on_start(1, net.validators_at(1))
    v = net.proposer(1, 0).app.propose(1, 0)
    play_round(net, target, machine, wal, 0, v=v)
    first_round = wal.size
    sizes = []
    for r in range(1, 30):
        wal.close()
        machine, wal, _ = restart(net, target, tmp_path)
        assert machine.round == r and machine.locked[0] == 0
        play_round(net, target, machine, wal, r, v=v)
        sizes.append(wal.size)
    assert max(sizes) <= (OWN_ROUND_LIMIT + 2) * first_round
    wal.close()

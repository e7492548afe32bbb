"""Proposer-based timestamps: a block's time must be timely when its proposal arrives.

Regression (issue 18): validators checked only `time > last block's time`, so a Byzantine
proposer (or one bad clock) dated a block in the year 2500, every honest node prevoted it, and
chain time stayed wrong for good (votes closed, memberships expired, locks released).
"""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from consensus.actions import Action, Broadcast
from consensus.machine import ConsensusMachine
from consensus.messages import NIL, Proposal, Step
from consensus.signer import MemorySignStateStore, Signer
from consensus.timeliness import Synchrony
from consensus.wal import MemoryWAL, Received, decode_record, encode_record
from consensus.wal_replay import replay
from ledger.block import Block, Vote, VoteType
from tests.consensus.harness import FAST, GENESIS_HASH, Net, Node, raw_vote

YEAR_2500_MS = 16_725_225_600_000
SYNC = Synchrony(precision_ms=500, message_delay_ms=2000)
NOW = 1_000_000  # the target's clock when the proposal arrives


def dated(node: Node, height: int, round_: int, time_ms: int) -> Block:
    block = node.app.propose(height, round_)
    return Block(
        dataclasses.replace(block.header, time_ms=time_ms), block.txs, (), block.last_commit
    )


def proposal(node: Node, round_: int, pol_round: int, block: Block) -> Proposal:
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, round_, pol_round, block.hash())
    return Proposal(1, round_, pol_round, block, node.key.sign(message))


def prevotes(actions: list[Action], round_: int) -> list[bytes]:
    return [
        a.message.block_hash
        for a in actions
        if isinstance(a, Broadcast)
        and isinstance(a.message, Vote)
        and (a.message.type, a.message.round) == (VoteType.PREVOTE, round_)
    ]


def setup() -> tuple[Net, Node, ConsensusMachine]:
    net = Net(stop_height=1)
    proposer = net.proposer(1, 0)
    target = next(n for n in net.nodes if n not in (proposer, net.proposer(1, 1)))
    signer = Signer(target.key, GENESIS_HASH, MemorySignStateStore(), new_chain=True)
    machine = ConsensusMachine(GENESIS_HASH, target.app, FAST, signer=signer, synchrony=SYNC)
    machine.on_start(1, net.validators_at(1))
    return net, target, machine


def test_a_proposal_dated_in_the_year_2500_is_prevoted_nil() -> None:
    net, _, m = setup()
    block = dated(net.proposer(1, 0), 1, 0, YEAR_2500_MS)
    out = m.on_proposal(proposal(net.proposer(1, 0), 0, -1, block), now_ms=NOW)
    assert prevotes(out, 0) == [NIL]


def test_a_proposal_older_than_precision_plus_message_delay_is_prevoted_nil() -> None:
    net, _, m = setup()
    block = dated(net.proposer(1, 0), 1, 0, NOW - 500 - 2000 - 1)
    out = m.on_proposal(proposal(net.proposer(1, 0), 0, -1, block), now_ms=NOW)
    assert prevotes(out, 0) == [NIL]


def test_a_proposal_at_either_edge_of_the_window_is_prevoted() -> None:
    for time_ms in (NOW - 500 - 2000, NOW + 500):
        net, _, m = setup()
        block = dated(net.proposer(1, 0), 1, 0, time_ms)
        out = m.on_proposal(proposal(net.proposer(1, 0), 0, -1, block), now_ms=NOW)
        assert prevotes(out, 0) == [block.hash()]


@settings(max_examples=60, deadline=None)
@given(
    precision=st.integers(0, 5_000),
    delay=st.integers(0, 60_000),
    round_=st.integers(0, 50),
    offset=st.integers(-200_000, 200_000),
)
def test_timely_is_exactly_the_window_and_only_its_past_edge_grows_with_the_round(
    precision: int, delay: int, round_: int, offset: int
) -> None:
    sync = Synchrony(precision, delay)
    allowed = delay + delay * round_ // 10
    assert sync.timely(NOW + offset, NOW, round_) == (-precision - allowed <= offset <= precision)
    assert not sync.timely(NOW + precision + 1, NOW, round_)  # the future bound never grows


def test_a_re_proposal_with_a_pol_keeps_its_old_time_and_is_prevoted() -> None:
    """The block got +2/3 prevotes at round 0 long ago; its round-1 re-proposal is not judged
    by its (old) time again, or a POL could never be re-proposed after a slow round."""
    net, _, m = setup()
    old = dated(net.proposer(1, 0), 1, 0, NOW)
    m.on_proposal(proposal(net.proposer(1, 0), 0, -1, old), now_ms=NOW)
    voters = net.nodes[:3]
    for n in voters:
        m.on_vote(raw_vote(n.key, VoteType.PREVOTE, 1, 0, old.hash()))
    for n in voters:
        m.on_vote(raw_vote(n.key, VoteType.PRECOMMIT, 1, 0, NIL))
    m.on_timeout(1, 0, Step.PRECOMMIT)
    assert m.round == 1
    later = NOW + 3_600_000
    out = m.on_proposal(proposal(net.proposer(1, 1), 1, 0, old), now_ms=later)
    assert prevotes(out, 1) == [old.hash()]


def test_a_replayed_proposal_is_judged_by_the_time_it_arrived_not_the_replay_time() -> None:
    net, target, _ = setup()
    block = dated(net.proposer(1, 0), 1, 0, YEAR_2500_MS)
    p = proposal(net.proposer(1, 0), 0, -1, block)
    record = Received(p, NOW)
    assert decode_record(encode_record(record)) == record
    wal = MemoryWAL()
    wal.append(record, sync=True)
    signer = Signer(target.key, GENESIS_HASH, MemorySignStateStore(), new_chain=True)
    fresh = ConsensusMachine(GENESIS_HASH, target.app, FAST, signer=signer, synchrony=SYNC)
    result = replay(fresh, wal.records(), 1, net.validators_at(1))
    assert prevotes(result.actions, 0) == [NIL]

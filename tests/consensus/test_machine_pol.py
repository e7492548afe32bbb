"""Line 28-29 of Algorithm 1: a value re-proposed with a proof-of-lock round vr (+2/3 prevotes for
it at vr) is prevoted iff valid(v) and (lockedRound <= vr or lockedValue = v), and the rules go on
firing after that prevote within the same input."""

from __future__ import annotations

import dataclasses

from consensus.actions import Action, Broadcast
from consensus.machine import ConsensusMachine
from consensus.messages import NIL, Proposal, Step
from ledger.block import Block, Vote, VoteType
from ledger.keys import PrivateKey
from tests.consensus.harness import GENESIS_HASH, Net, Node, raw_vote, receive


def signed(key: PrivateKey, round_: int, pol_round: int, block: Block) -> Proposal:
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, round_, pol_round, block.hash())
    return Proposal(1, round_, pol_round, block, key.sign(message))


def votes(actions: list[Action], vote_type: VoteType) -> list[bytes]:
    return [
        a.message.block_hash
        for a in actions
        if isinstance(a, Broadcast) and isinstance(a.message, Vote) and a.message.type == vote_type
    ]


def cast(
    m: ConsensusMachine, keys: list[PrivateKey], vote_type: VoteType, r: int, v: bytes
) -> None:
    for key in keys:
        m.on_vote(raw_vote(key, vote_type, 1, r, v))


def end_round(m: ConsensusMachine, r: int) -> None:
    """The round ends on its timeouts, without a decision."""
    for step in (Step.PREVOTE, Step.PRECOMMIT):
        m.on_timeout(1, r, step)
    assert m.round == r + 1


def setup(rounds: int) -> tuple[Net, Node, list[Node]]:
    """A target that proposes in none of the first `rounds` rounds, and the three others."""
    net = Net(stop_height=1)
    busy = {net.proposer(1, r).name for r in range(rounds)}
    target = next(n for n in net.nodes if n.name not in busy)
    target.machine.on_start(1, net.validators_at(1))
    return net, target, [n for n in net.nodes if n is not target]


def test_an_invalid_value_is_prevoted_nil_whatever_its_proof_of_lock() -> None:
    """Three validators prevote a block the target's application refuses; re-proposed with that
    round as its proof-of-lock, it still gets nil, and the application is asked only once."""
    net, target, others = setup(2)
    m = target.machine
    block = net.proposer(1, 0).app.propose(1, 0)
    bad = Block(dataclasses.replace(block.header, chain_id="another-chain"), (), (), None)
    said = receive(m, signed(net.proposer(1, 0).key, 0, -1, bad))
    assert votes(said, VoteType.PREVOTE) == [NIL]
    cast(m, [n.key for n in others], VoteType.PREVOTE, 0, bad.hash())
    end_round(m, 0)
    said = m.on_proposal(signed(net.proposer(1, 1).key, 1, 0, bad), now_ms=0)
    assert votes(said, VoteType.PREVOTE) == [NIL]
    assert target.app.validated == 1


def test_a_node_locked_on_v_prevotes_v_re_proposed_with_an_older_proof_of_lock() -> None:
    """Locked on v at round 1, the target sees v re-proposed in round 2 with round 0 as its
    proof-of-lock (older than the lock): lockedValue = v, so it prevotes v; the others' round-2
    prevotes were already in, so it locks and precommits v within the same input."""
    net, target, others = setup(3)
    m = target.machine
    keys = [n.key for n in others]
    v = net.proposer(1, 0).app.propose(1, 0)
    x = v.hash()
    receive(m, signed(net.proposer(1, 0).key, 0, -1, v))
    cast(m, keys[:2], VoteType.PREVOTE, 0, x)
    assert m.locked == (0, v)
    end_round(m, 0)
    m.on_proposal(signed(net.proposer(1, 1).key, 1, 0, v), now_ms=0)
    cast(m, keys[:2], VoteType.PREVOTE, 1, x)
    assert m.locked == (1, v)
    end_round(m, 1)
    cast(m, keys[:2], VoteType.PREVOTE, 2, x)
    said = m.on_proposal(signed(net.proposer(1, 2).key, 2, 0, v), now_ms=0)
    assert votes(said, VoteType.PREVOTE) == [x]
    assert votes(said, VoteType.PRECOMMIT) == [x]
    assert m.locked == (2, v)


def test_a_proof_of_lock_from_the_locks_own_round_unlocks() -> None:
    """Equivocators give two values +2/3 of round 0's prevotes: the target locked on w; v comes
    back in round 1 with round 0 as its proof-of-lock. lockedRound (0) <= vr (0): v is prevoted."""
    net, target, others = setup(2)
    m = target.machine
    keys = [n.key for n in others]
    w = net.proposer(1, 0).app.propose(1, 0)
    v = net.proposer(1, 1).app.propose(1, 1)
    assert v.hash() != w.hash()
    receive(m, signed(net.proposer(1, 0).key, 0, -1, w))
    cast(m, keys[:2], VoteType.PREVOTE, 0, w.hash())
    assert m.locked == (0, w)
    cast(m, keys, VoteType.PREVOTE, 0, v.hash())  # parked until v is proposed
    end_round(m, 0)
    said = m.on_proposal(signed(net.proposer(1, 1).key, 1, 0, v), now_ms=0)
    assert votes(said, VoteType.PREVOTE) == [v.hash()]

"""An equivocator's votes count for each value it voted for, as in the paper.

Regression: the machine used to count only a validator's first vote per (round, type). Honest
nodes that received an equivocator's two prevotes in different orders then disagreed forever on
whether a value had +2/3: some locked on it, the others could never accept its re-proposal, and the
height livelocked (found by the simulator, seed 1 of 7 validators with all faults).
"""

from __future__ import annotations

from consensus.actions import Action, Broadcast, EvidenceFound
from consensus.commit import commit_from_votes
from consensus.messages import NIL, Proposal, Step
from ledger.block import Block, Vote, VoteType
from ledger.hashing import digest
from ledger.keys import PrivateKey
from tests.consensus.harness import GENESIS_HASH, Net, Node, raw_vote, receive


def signed_proposal(key: PrivateKey, round_: int, pol_round: int, block: Block) -> Proposal:
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, round_, pol_round, block.hash())
    return Proposal(1, round_, pol_round, block, key.sign(message))


def my_votes(actions: list[Action], vote_type: VoteType, round_: int) -> list[Vote]:
    return [
        a.message
        for a in actions
        if isinstance(a, Broadcast)
        and isinstance(a.message, Vote)
        and (a.message.type, a.message.round) == (vote_type, round_)
    ]


def roles(net: Net) -> tuple[Node, Node, Node, Node]:
    """target (proposes neither round 0 nor 1), the equivocator, and two honest others."""
    p0, p1 = net.proposer(1, 0), net.proposer(1, 1)
    target = next(n for n in net.nodes if n not in (p0, p1))
    others = [n for n in net.nodes if n is not target]
    equivocator = next(n for n in others if n is not p0)
    a, b = [n for n in others if n is not equivocator]
    return target, equivocator, a, b


def test_an_equivocators_second_prevote_completes_a_pol_the_node_had_missed() -> None:
    net = Net(stop_height=1)
    target, byz, a, b = roles(net)
    m = target.machine
    block = net.proposer(1, 0).app.propose(1, 0)
    x = block.hash()
    m.on_start(1, net.validators_at(1))
    out = receive(m, signed_proposal(net.proposer(1, 0).key, 0, -1, block))
    assert [v.block_hash for v in my_votes(out, VoteType.PREVOTE, 0)] == [x]
    # round 0: the equivocator's nil prevote arrives first, so the target sees 2 x / 2 nil
    for key, value in ((a.key, x), (byz.key, NIL), (b.key, NIL)):
        m.on_vote(raw_vote(key, VoteType.PREVOTE, 1, 0, value))
    out = m.on_timeout(1, 0, Step.PREVOTE)
    assert [v.block_hash for v in my_votes(out, VoteType.PRECOMMIT, 0)] == [NIL]
    # a locked on x (it saw the equivocator's x prevote); the round ends without a decision
    for key, value in ((a.key, x), (byz.key, NIL), (b.key, NIL)):
        m.on_vote(raw_vote(key, VoteType.PRECOMMIT, 1, 0, value))
    m.on_timeout(1, 0, Step.PRECOMMIT)
    assert (m.round, m.locked[0]) == (1, -1)
    # gossip brings the equivocator's x prevote of round 0: evidence, and x has +2/3 at round 0
    out = m.on_vote(raw_vote(byz.key, VoteType.PREVOTE, 1, 0, x))
    assert any(isinstance(action, EvidenceFound) for action in out)
    # so the target accepts x re-proposed with its proof-of-lock round 0, at once
    out = receive(m, signed_proposal(net.proposer(1, 1).key, 1, 0, block))
    assert [v.block_hash for v in my_votes(out, VoteType.PREVOTE, 1)] == [x]


def test_a_vote_for_a_value_nobody_proposed_waits_until_it_is_proposed() -> None:
    net = Net(stop_height=1)
    target, byz, a, b = roles(net)
    m = target.machine
    block = net.proposer(1, 0).app.propose(1, 0)
    x = block.hash()
    m.on_start(1, net.validators_at(1))
    m.on_vote(raw_vote(byz.key, VoteType.PREVOTE, 1, 0, NIL))
    # parked: x is not proposed yet, and junk values beyond the budget are dropped
    m.on_vote(raw_vote(byz.key, VoteType.PREVOTE, 1, 0, x))
    for i in range(10):
        m.on_vote(raw_vote(byz.key, VoteType.PREVOTE, 1, 0, digest(b"junk %d" % i)))
    for key in (a.key, target.key):
        m.on_vote(raw_vote(key, VoteType.PREVOTE, 1, 0, x))
    # the proposal arrives: the parked x vote counts, x has +2/3 of prevotes, the target locks
    out = receive(m, signed_proposal(net.proposer(1, 0).key, 0, -1, block))
    assert m.locked == (0, block)
    assert [v.block_hash for v in my_votes(out, VoteType.PRECOMMIT, 0)] == [x]
    assert b is not target


def test_an_equivocation_arriving_after_the_decision_is_still_evidence() -> None:
    """Both halves of an equivocator's precommit arrive after the target decided and moved to
    the next height: the machine keeps the previous height's votes and reports the pair."""
    net = Net(stop_height=3)
    target, byz, a, b = roles(net)
    m = target.machine
    block = net.proposer(1, 0).app.propose(1, 0)
    x = block.hash()
    m.on_start(1, net.validators_at(1))
    receive(m, signed_proposal(net.proposer(1, 0).key, 0, -1, block))
    for key in (a.key, b.key):
        m.on_vote(raw_vote(key, VoteType.PREVOTE, 1, 0, x))
    decided = [m.on_vote(raw_vote(key, VoteType.PRECOMMIT, 1, 0, x)) for key in (a.key, b.key)]
    assert m.decided and decided
    target.app.commit(block, commit_from_votes(1, 0, x, []))
    m.on_start(2, net.validators_at(2))
    assert m.on_vote(raw_vote(byz.key, VoteType.PRECOMMIT, 1, 0, NIL)) == []  # kept, not counted
    out = m.on_vote(raw_vote(byz.key, VoteType.PRECOMMIT, 1, 0, x))
    found = [action.evidence for action in out if isinstance(action, EvidenceFound)]
    assert len(found) == 1 and found[0].vote_a.block_hash == NIL
    # two heights back nothing is kept
    m.on_start(3, net.validators_at(3))
    assert m.on_vote(raw_vote(byz.key, VoteType.PREVOTE, 1, 0, NIL)) == []

"""Hostile input: far rounds, non-validators, bad signatures, equivocation; memory stays bounded."""

from __future__ import annotations

import tracemalloc

from consensus.actions import EvidenceFound, Rejected, RejectReason
from consensus.evidence import verify_evidence
from consensus.height_state import CATCHUP_ROUNDS_PER_VALIDATOR, ROUND_WINDOW
from consensus.machine import ConsensusMachine
from consensus.messages import NIL, ConsensusMessage, Proposal
from ledger.block import Block, Vote, VoteType
from ledger.keys import PrivateKey
from tests.consensus.harness import GENESIS_HASH, ChainApp, Net, Node, raw_vote, receive

BLOCK = bytes(range(32))


def spam(net: Net, target: Node, key: PrivateKey, rounds: list[int]) -> None:
    for r in rounds:
        vote = raw_vote(key, VoteType.PREVOTE, 1, r, BLOCK)
        net.apply(target, target.machine.on_vote(vote))


def test_far_round_votes_are_ignored_without_memory_growth() -> None:
    net = Net(stop_height=2)
    liar, target = net.nodes[3], net.nodes[0]
    liar.online = False
    net.start()
    huge = [2**63 - i for i in range(50)]  # beyond any round the wire admits
    spam(net, target, liar.key, huge)
    assert all(r.reason == RejectReason.MALFORMED for r in target.rejected)
    before = target.machine.tracked_rounds
    tracemalloc.start()
    spam(net, target, liar.key, [2**31 - i for i in range(300)])
    first, _ = tracemalloc.get_traced_memory()
    spam(net, target, liar.key, [10_000 + i for i in range(1500)])
    second, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # the liar may open two far rounds, never more, however many it tries
    assert target.machine.tracked_rounds <= before + CATCHUP_ROUNDS_PER_VALIDATOR
    assert target.machine.tracked_rounds <= 1 + ROUND_WINDOW + CATCHUP_ROUNDS_PER_VALIDATOR
    assert second - first < 64 * 1024
    # and the honest three still decide, not dragged to a far round
    assert net.run(net.all_decided(2))
    assert target.decisions[1][0] == 0
    net.assert_no_fork()


def test_f_plus_one_at_a_higher_round_makes_a_node_jump_there() -> None:
    net = Net(stop_height=1)
    target = net.nodes[0]
    net.apply(target, target.machine.on_start(1, net.validators_at(1)))
    spam(net, target, net.nodes[1].key, [5])
    assert target.machine.round == 0  # one of four: 1/4 of the power is not f + 1
    spam(net, target, net.nodes[2].key, [5])
    assert target.machine.round == 5  # two of four: more than 1/3


def test_honest_validators_far_ahead_still_pull_a_laggard_to_their_round() -> None:
    net = Net(stop_height=1)
    target = net.nodes[0]
    net.apply(target, target.machine.on_start(1, net.validators_at(1)))
    far = ROUND_WINDOW + 40  # beyond the free window: each voter spends catch-up budget
    spam(net, target, net.nodes[1].key, [far])
    spam(net, target, net.nodes[2].key, [far])
    assert target.machine.round == far


def test_an_observer_without_a_signer_follows_and_decides_silently() -> None:
    net = Net(stop_height=2)
    watcher = net.nodes[3]
    watcher.machine = ConsensusMachine(GENESIS_HASH, watcher.app, net.timeouts)
    net.start()
    assert net.run(net.all_decided(2))
    net.assert_no_fork()
    assert watcher.sent == [] and watcher.decisions.keys() == {1, 2}
    # what it heard is there for gossip to laggards: a proposal and the votes of round 0
    heard = watcher.machine.round_messages(0)
    assert isinstance(heard[0], Proposal) and len(heard) >= 1 + 3 + 3
    assert watcher.machine.round_messages(5) == []


def test_votes_of_strangers_and_bad_signatures_are_rejected() -> None:
    net = Net(stop_height=1)
    target = net.nodes[0]
    net.apply(target, target.machine.on_start(1, net.validators_at(1)))
    stranger = PrivateKey.from_secret(b"stranger")
    net.apply(target, target.machine.on_vote(raw_vote(stranger, VoteType.PREVOTE, 1, 0, NIL)))
    good = raw_vote(net.nodes[1].key, VoteType.PREVOTE, 1, 0, NIL)
    forged = Vote(good.type, 1, 0, BLOCK, good.validator, good.signature)
    net.apply(target, target.machine.on_vote(forged))
    other_chain = Vote.sign_bytes_for(bytes(32), VoteType.PREVOTE, 1, 0, NIL)
    replayed = Vote(VoteType.PREVOTE, 1, 0, NIL, good.validator, net.nodes[1].key.sign(other_chain))
    net.apply(target, target.machine.on_vote(replayed))
    assert [r.reason for r in target.rejected] == [
        RejectReason.NOT_A_VALIDATOR,
        RejectReason.BAD_SIGNATURE,
        RejectReason.BAD_SIGNATURE,
    ]
    # a proposal signed by someone other than the round's proposer is rejected too
    proposer = net.proposer(1, 0)
    intruder = next(n for n in net.nodes if n is not proposer and n is not target)
    block = intruder.app.propose(1, 0)
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, 0, -1, block.hash())
    fake = Proposal(1, 0, -1, block, intruder.key.sign(message))
    net.apply(target, receive(target.machine, fake))
    assert target.rejected[-1].reason == RejectReason.BAD_SIGNATURE


def test_equivocating_validator_produces_evidence_once_that_verifies() -> None:
    net = Net(stop_height=2)
    byzantine = net.nodes[2]
    byzantine.online = False
    net.start()
    honest = [n for n in net.nodes if n.online]
    a = raw_vote(byzantine.key, VoteType.PREVOTE, 1, 0, NIL)
    b = raw_vote(byzantine.key, VoteType.PREVOTE, 1, 0, BLOCK)
    for _ in range(3):  # re-sent many times: evidence is still reported once
        for message in (a, b):
            for node in honest:
                net.send(byzantine, node, message)
    assert net.run(net.all_decided(2))
    net.assert_no_fork()
    found = [e for n in honest for e in n.evidence]
    assert len(found) == len(honest)
    assert len({e.hash() for e in found}) == 1  # canonical: every node builds the same evidence
    verify_evidence(net.validators_at(1), GENESIS_HASH, found[0])


def test_conflicting_proposal_from_the_proposer_is_rejected() -> None:
    net = Net(stop_height=1)
    proposer = net.proposer(1, 0)
    target = next(n for n in net.nodes if n is not proposer)
    net.apply(target, target.machine.on_start(1, net.validators_at(1)))
    first = proposer.app.propose(1, 0)
    second = proposer.app.propose(1, 1)  # another block, same height
    messages: list[ConsensusMessage] = []
    for block in (first, second):
        sign_bytes = Proposal.sign_bytes_for(GENESIS_HASH, 1, 0, -1, block.hash())
        messages.append(Proposal(1, 0, -1, block, proposer.key.sign(sign_bytes)))
    for message in messages:
        assert isinstance(message, Proposal)
        net.apply(target, receive(target.machine, message))
    assert [r.reason for r in target.rejected] == [RejectReason.CONFLICTING_PROPOSAL]
    assert not any(isinstance(r, EvidenceFound) for r in target.rejected)
    assert isinstance(target.rejected[0], Rejected)


class NoBlockApp(ChainApp):
    """An application that cannot build a block in round 0 (a next validator set consensus
    cannot use, say: node.chain.Chain.propose then returns None)."""

    def propose(self, height: int, round_: int) -> Block | None:  # type: ignore[override]
        return None if round_ == 0 else super().propose(height, round_)


def test_a_proposer_without_a_block_proposes_nothing_and_the_round_times_out() -> None:
    """Regression (issue 18, item 2): `propose` raising stopped every runner at that height."""
    net = Net(stop_height=1)
    proposer = net.proposer(1, 0)
    proposer.app.__class__ = NoBlockApp
    net.start()
    assert net.run(net.all_decided(1))
    assert not [m for m in proposer.sent if isinstance(m, Proposal) and m.round == 0]
    assert {node.decisions[1][0] for node in net.nodes} == {1}
    net.assert_no_fork()

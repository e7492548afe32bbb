"""Rules of Algorithm 1 that only show at their edges: who may speak, when a height starts, what a
stale or repeated timeout may do (nothing), the last round, and valid(v) asked once per block
and meaning what the application says."""

from __future__ import annotations

import dataclasses

from consensus.actions import Action, Broadcast, Decide, ScheduleTimeout
from consensus.machine import ConsensusMachine
from consensus.messages import MAX_ROUND, NIL, Proposal, Step
from consensus.signer import MemorySignStateStore, Signer
from ledger.block import Block, Vote, VoteType
from ledger.keys import PrivateKey
from tests.consensus.harness import FAST, GENESIS_HASH, ChainApp, Net, Node, raw_vote, receive


def quiet_node(net: Net) -> Node:
    """A validator that proposes in neither round 0 nor round 1 of height 1."""
    busy = (net.proposer(1, 0), net.proposer(1, 1))
    return next(n for n in net.nodes if n not in busy)


def broadcasts(actions: list[Action]) -> list[object]:
    return [a.message for a in actions if isinstance(a, Broadcast)]


def test_a_signer_outside_the_validator_set_stays_silent() -> None:
    """A node whose key is not a validator of this height never proposes or votes, even when
    its timeouts say a validator would."""
    net = Net(stop_height=1)
    outsider = PrivateKey.from_secret(b"not a validator")
    signer = Signer(outsider, GENESIS_HASH, MemorySignStateStore(), new_chain=True)
    app = ChainApp(outsider, net.validators_at)
    machine = ConsensusMachine(GENESIS_HASH, app, FAST, signer=signer)
    said = machine.on_start(1, net.validators_at(1))
    for step in (Step.PROPOSE, Step.PREVOTE, Step.PRECOMMIT):
        said += machine.on_timeout(1, 0, step)
    assert broadcasts(said) == []
    assert (machine.round, machine.step) == (1, Step.PROPOSE)


def test_a_height_started_with_a_delay_of_even_1_ms_waits_for_it() -> None:
    net = Net(stop_height=1)
    machine = quiet_node(net).machine
    assert machine.on_start(1, net.validators_at(1), delay_ms=1) == [
        ScheduleTimeout(1, 0, Step.NEW_HEIGHT, 1)
    ]
    assert (machine.round, machine.step) == (0, Step.NEW_HEIGHT)
    assert machine.on_timeout(1, 0, Step.NEW_HEIGHT) == [
        ScheduleTimeout(1, 0, Step.PROPOSE, FAST.for_step(Step.PROPOSE, 0))
    ]
    assert machine.on_timeout(1, 0, Step.NEW_HEIGHT) == []  # delivered twice: nothing more
    assert (machine.round, machine.step) == (0, Step.PROPOSE)


def test_stale_timeouts_of_an_earlier_round_change_nothing() -> None:
    """Round 0 ends by timeouts; in round 1 its propose, prevote and precommit timeouts arrive
    late, at each step of round 1: none of them votes, steps back or restarts the round."""
    net = Net(stop_height=1)
    machine = quiet_node(net).machine
    machine.on_start(1, net.validators_at(1))
    for step in (Step.PROPOSE, Step.PREVOTE, Step.PRECOMMIT):
        machine.on_timeout(1, 0, step)
    assert (machine.round, machine.step, machine.tracked_rounds) == (1, Step.PROPOSE, 2)
    for step in (Step.PROPOSE, Step.PREVOTE):
        for stale in (Step.PROPOSE, Step.PREVOTE, Step.PRECOMMIT):
            assert machine.on_timeout(1, 0, stale) == []
            assert (machine.round, machine.step) == (1, step)
        machine.on_timeout(1, 1, step)  # round 1 moves on by its own timeout
    assert machine.on_timeout(1, 0, Step.PRECOMMIT) == []
    assert (machine.round, machine.step, machine.tracked_rounds) == (1, Step.PRECOMMIT, 2)


def test_the_last_round_starts_no_round_after_it() -> None:
    net = Net(stop_height=1)
    machine = quiet_node(net).machine
    machine.on_start(1, net.validators_at(1))
    machine.resume_round(1, MAX_ROUND)
    assert machine.on_timeout(1, MAX_ROUND, Step.PRECOMMIT) == []
    assert machine.round == MAX_ROUND


def test_the_application_is_asked_about_a_block_once_per_height() -> None:
    """valid(v) is needed by the prevote, lock and decision rules alike; the answer is cached."""
    net = Net(stop_height=1)
    net.start()
    assert net.run(net.all_decided(1))
    proposer = net.proposer(1, 0)
    assert proposer.app.validated == 0  # its own block: built, not asked about
    assert [n.app.validated for n in net.nodes if n is not proposer] == [1, 1, 1]


def test_a_block_of_the_right_height_the_application_refuses_is_prevoted_nil() -> None:
    net = Net(stop_height=1)
    proposer, target = net.proposer(1, 0), quiet_node(net)
    target.machine.on_start(1, net.validators_at(1))
    block = proposer.app.propose(1, 0)
    foreign = Block(
        dataclasses.replace(block.header, chain_id="another-chain"), (), (), block.last_commit
    )
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, 0, -1, foreign.hash())
    said = receive(target.machine, Proposal(1, 0, -1, foreign, proposer.key.sign(message)))
    votes = [m for m in broadcasts(said) if isinstance(m, Vote)]
    assert [(v.type, v.block_hash) for v in votes] == [(VoteType.PREVOTE, NIL)]


def test_the_proposer_counts_an_equivocators_second_prevote_for_its_own_block() -> None:
    """The proposer's own block is a value proposed at this height: an equivocator's vote for
    it, after a nil vote, counts at once (not parked as a vote for an unknown value), so the
    proposer sees +2/3 for its block and precommits it."""
    net = Net(stop_height=1)
    proposer = net.proposer(1, 0)
    byz, honest, _ = [n for n in net.nodes if n is not proposer]
    said = proposer.machine.on_start(1, net.validators_at(1))
    [proposal] = [m for m in broadcasts(said) if isinstance(m, Proposal)]
    x = proposal.block.hash()
    for key, value in ((byz.key, NIL), (honest.key, x), (byz.key, x)):
        said = proposer.machine.on_vote(raw_vote(key, VoteType.PREVOTE, 1, 0, value))
    precommits = [m for m in broadcasts(said) if isinstance(m, Vote)]
    assert [(v.type, v.block_hash) for v in precommits] == [(VoteType.PRECOMMIT, x)]


def test_the_rules_go_on_firing_within_one_vote_until_none_applies() -> None:
    """Precommits that came early are counted the moment the node precommits itself: a prevote
    quorum for v locks, precommits and decides in one input; a nil prevote quorum precommits nil
    and schedules the precommit timeout in one input (no waiting for the prevote timeout)."""
    net = Net(stop_height=1)
    proposer, target = net.proposer(1, 0), quiet_node(net)
    a, b = [n for n in net.nodes if n not in (proposer, target)][:2]
    m = target.machine
    m.on_start(1, net.validators_at(1))
    block = proposer.app.propose(1, 0)
    x = block.hash()
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, 0, -1, x)
    receive(m, Proposal(1, 0, -1, block, proposer.key.sign(message)))
    for n in (a, b):
        m.on_vote(raw_vote(n.key, VoteType.PRECOMMIT, 1, 0, x))
    m.on_vote(raw_vote(a.key, VoteType.PREVOTE, 1, 0, x))
    said = m.on_vote(raw_vote(b.key, VoteType.PREVOTE, 1, 0, x))
    assert [type(action).__name__ for action in said] == ["ScheduleTimeout", "Broadcast", "Decide"]

    net = Net(stop_height=1)
    target = quiet_node(net)
    a, b = [n for n in net.nodes if n not in (net.proposer(1, 0), target)][:2]
    m = target.machine
    m.on_start(1, net.validators_at(1))
    m.on_timeout(1, 0, Step.PROPOSE)  # prevotes nil
    for n in (a, b):
        m.on_vote(raw_vote(n.key, VoteType.PRECOMMIT, 1, 0, NIL))
    m.on_vote(raw_vote(a.key, VoteType.PREVOTE, 1, 0, NIL))
    said = m.on_vote(raw_vote(b.key, VoteType.PREVOTE, 1, 0, NIL))
    assert [v.block_hash for v in broadcasts(said) if isinstance(v, Vote)] == [NIL]
    assert [a.step for a in said if isinstance(a, ScheduleTimeout)] == [
        Step.PREVOTE,
        Step.PRECOMMIT,
    ]


def test_a_machine_not_yet_started_ignores_every_input_and_then_starts_clean() -> None:
    """Votes, timeouts and proposals can reach a node before its first height starts (a peer
    quicker than our WAL replay): they change nothing, and the height then starts from round
    0 with no lock, no valid value and nothing decided."""
    net = Net(stop_height=1)
    node = quiet_node(net)
    fresh = ConsensusMachine(GENESIS_HASH, node.app, FAST, signer=None)
    assert (fresh.height, fresh.round, fresh.step, fresh.decided) == (0, 0, Step.NEW_HEIGHT, False)
    assert (fresh.locked, fresh.valid, fresh.validators) == ((-1, None), (-1, None), None)
    other = next(n for n in net.nodes if n is not node)
    for vote_type in (VoteType.PREVOTE, VoteType.PRECOMMIT):
        assert fresh.on_vote(raw_vote(other.key, vote_type, 1, 0, NIL)) == []
    for step in (Step.NEW_HEIGHT, Step.PROPOSE, Step.PREVOTE, Step.PRECOMMIT):
        assert fresh.on_timeout(1, 0, step) == []
        assert fresh.on_timeout(0, 0, step) == []
    assert (fresh.height, fresh.round, fresh.step, fresh.decided) == (0, 0, Step.NEW_HEIGHT, False)
    fresh.on_start(1, net.validators_at(1))
    assert (fresh.height, fresh.round, fresh.step, fresh.decided) == (1, 0, Step.PROPOSE, False)
    assert (fresh.locked, fresh.valid) == ((-1, None), (-1, None))


def test_a_block_precommitted_by_two_thirds_that_the_application_refuses_is_not_decided() -> None:
    """If +2/3 precommit a block this node's application finds invalid (a bug or a Byzantine
    supermajority), the node must not decide it, and the precommit quorum still schedules the
    precommit timeout (line 47), so the node moves on to the next round instead of waiting."""
    net = Net(stop_height=1)
    proposer, target = net.proposer(1, 0), quiet_node(net)
    others = [n for n in net.nodes if n is not target]
    target.machine.on_start(1, net.validators_at(1))
    block = proposer.app.propose(1, 0)
    foreign = Block(
        dataclasses.replace(block.header, chain_id="another-chain"), (), (), block.last_commit
    )
    message = Proposal.sign_bytes_for(GENESIS_HASH, 1, 0, -1, foreign.hash())
    said = receive(target.machine, Proposal(1, 0, -1, foreign, proposer.key.sign(message)))
    for n in others:
        said += target.machine.on_vote(raw_vote(n.key, VoteType.PRECOMMIT, 1, 0, foreign.hash()))
    assert not target.machine.decided
    assert not [a for a in said if isinstance(a, Decide)]
    assert ScheduleTimeout(1, 0, Step.PRECOMMIT, FAST.for_step(Step.PRECOMMIT, 0)) in said

"""Story tests: N machines over the in-test router, one protocol corner case per story."""

from __future__ import annotations

from consensus.messages import NIL, ConsensusMessage, Proposal, Step
from consensus.validators import ValidatorSet
from ledger.block import Vote, VoteType
from tests.consensus.harness import Net, Node, step_of


def test_four_validators_commit_several_heights_in_round_zero() -> None:
    net = Net(stop_height=5)
    net.start()
    assert net.run(net.all_decided(5))
    net.assert_no_fork()
    for node in net.nodes:
        assert [node.decisions[h][0] for h in range(1, 6)] == [0] * 5
        assert [b.header.height for b in node.app.blocks] == [1, 2, 3, 4, 5]
    # proposers rotate: each height's block was built by that height's round-0 proposer
    for h in range(1, 6):
        assert net.nodes[0].app.blocks[h - 1].header.proposer == net.proposer(h, 0).key.address
    assert len({b.header.proposer for b in net.nodes[0].app.blocks[:4]}) == 4


def test_proposer_offline_round_one_commits() -> None:
    net = Net(stop_height=1)
    net.proposer(1, 0).online = False
    net.start()
    assert net.run(net.all_decided(1))
    net.assert_no_fork()
    online = [n for n in net.nodes if n.online]
    assert {n.decisions[1][0] for n in online} == {1}
    block = online[0].app.blocks[0]
    assert block.header.proposer == net.proposer(1, 1).key.address


def test_f_silent_validators_do_not_stop_progress() -> None:
    net = Net(n=7, stop_height=4)  # f = 2
    net.nodes[1].online = False
    net.nodes[5].online = False
    net.start()
    assert net.run(net.all_decided(4))
    net.assert_no_fork()


def test_f_plus_one_silent_means_no_progress_and_no_fork_then_recovery() -> None:
    net = Net(stop_height=3)
    silent = [net.nodes[1], net.nodes[2]]
    for node in silent:
        node.online = False
    net.start()
    assert not net.run(net.all_decided(1), max_ms=3_000)
    assert all(not n.decisions for n in net.nodes)
    alive = [n for n in net.nodes if n.online]
    # without 2f + 1 prevotes nobody can even time out of the prevote step (line 34)
    assert all((n.machine.round, n.machine.step) == (0, Step.PREVOTE) for n in alive)
    # one comes back (a restart with its persisted sign state): 3 of 4 decide, one block each
    silent[0].online = True
    net.restart(silent[0])
    net.start(silent[0])
    net.regossip(silent[0])
    assert net.run(net.all_decided(3), max_ms=60_000)
    net.assert_no_fork()


def test_locked_validator_prevotes_nil_for_a_new_value_then_relocks_on_its_pol() -> None:
    net = Net(stop_height=1)
    a, b, c = (net.proposer(1, r) for r in range(3))
    d = next(n for n in net.nodes if n not in (a, b, c))

    def only_d_sees_a_pol_in_round_0(src: Node, dst: Node, m: ConsensusMessage) -> str | None:
        if m.round == 0 and isinstance(m, Proposal) and dst is c:
            return "drop"  # c prevotes nil: v gets a, b and d
        if m.round == 0 and step_of(m) == Step.PREVOTE and src is d:
            return "drop"  # so only d sees three prevotes for v
        return None

    net.rules.append(only_d_sees_a_pol_in_round_0)
    net.start()
    assert net.run(net.all_decided(1))
    net.assert_no_fork()
    v = a.sent[0]
    assert isinstance(v, Proposal) and v.round == 0
    assert d.sent_votes(VoteType.PRECOMMIT, 1, 0)[0].block_hash == v.block_hash  # d locked v
    others = [n for n in net.nodes if n is not d]
    assert all(n.sent_votes(VoteType.PRECOMMIT, 1, 0)[0].block_hash == NIL for n in others)
    w = next(m for m in b.sent if isinstance(m, Proposal))
    assert w.round == 1 and w.block_hash != v.block_hash and w.pol_round == -1
    assert d.sent_votes(VoteType.PREVOTE, 1, 1)[0].block_hash == NIL  # the lock holds
    # the others' +2/3 prevotes for w at round 1 are a POL: d relocks on w and w commits
    assert d.sent_votes(VoteType.PRECOMMIT, 1, 1)[0].block_hash == w.block_hash
    assert {n.decisions[1] for n in net.nodes} == {(1, w.block_hash)}


def test_locked_validator_unlocks_on_a_later_pol_round() -> None:
    net = Net(stop_height=1)
    a, b, c = (net.proposer(1, r) for r in range(3))
    d = next(n for n in net.nodes if n not in (a, b, c))

    def shape(src: Node, dst: Node, m: ConsensusMessage) -> str | None:
        if m.round == 0 and isinstance(m, Proposal) and dst is c:
            return "drop"  # round 0: c prevotes nil ...
        if m.round == 0 and step_of(m) == Step.PREVOTE and src is d:
            return "drop"  # ... and only d sees a POL for v: d locks v
        if m.round == 1 and dst is d:
            return "hold"  # round 1: d hears nothing
        if m.round == 1 and step_of(m) == Step.PREVOTE and src is b and dst is a:
            return "drop"  # round 1: b and c see a POL for w, a does not; nobody commits
        return None

    net.rules.append(shape)
    net.start()
    assert net.run(lambda: d.machine.round >= 2)
    assert d.machine.locked[0] == 0
    assert b.machine.locked[0] == 1 and c.machine.valid[0] == 1
    # d jumped to round 2 on f + 1 round-2 votes; now it hears round 1 late: a POL for w
    net.release(lambda src, dst, m: dst is d)
    assert net.run(net.all_decided(1))
    net.assert_no_fork()
    proposal2 = next(m for m in c.sent if isinstance(m, Proposal) and m.round == 2)
    w_hash = proposal2.block_hash
    assert proposal2.pol_round == 1  # c re-proposes its valid value with its POL round
    assert d.sent_votes(VoteType.PREVOTE, 1, 2)[0].block_hash == proposal2.block_hash
    # a saw no POL for w so it never prevoted w: w needed d's unlocked prevote to commit
    assert all(v.block_hash != w_hash for v in a.sent_votes(VoteType.PREVOTE, 1, 2))
    assert {n.decisions[1] for n in net.nodes} == {(2, proposal2.block_hash)}


def test_late_joiner_catches_up_by_verified_commits_and_then_votes() -> None:
    net = Net(stop_height=4)
    late = net.nodes[3]
    late.online = False
    net.start()
    assert net.run(net.all_decided(4))
    # block sync: take blocks and commits from a peer, check every commit before applying it
    source = net.nodes[0].app
    for block, commit in zip(source.blocks, source.commits, strict=True):
        assert late.app.validate(block)
        late.app.commit(block, commit)
    assert late.app.blocks == source.blocks
    late.online = True
    net.nodes[0].online = False  # without the joiner, 2 of 4 could not decide
    net.start(late)
    net.resume(stop_height=7)
    assert net.run(net.all_decided(7))
    net.assert_no_fork()
    assert any(isinstance(m, Vote) and m.height == 5 for m in late.sent)


def test_weighted_proposers_rotate_deterministically_across_heights() -> None:
    net = Net([1, 2, 3, 4], stop_height=10)
    net.start()
    assert net.run(net.all_decided(10))
    net.assert_no_fork()
    counts: dict[bytes, int] = {}
    for block in net.nodes[0].app.blocks:
        counts[block.header.proposer.raw] = counts.get(block.header.proposer.raw, 0) + 1
    powers = {v.address.raw: v.power for v in net.genesis_set.validators}
    assert counts == powers  # over total-power heights each proposes exactly its power
    again = ValidatorSet.create((v.public_key, v.power) for v in net.genesis_set.validators)
    assert [again.advance(h).proposer().address for h in range(10)] == [
        b.header.proposer for b in net.nodes[0].app.blocks
    ]

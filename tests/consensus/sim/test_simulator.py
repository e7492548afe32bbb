"""The simulator itself: determinism, wire mode, catch-up, hostile input, option derivation."""

from __future__ import annotations

import pytest

from consensus.sim import ALL_FAULTS, derive, parse_faults, run
from consensus.sim.clock import EventQueue
from consensus.sim.network import LinkProfile, Network
from consensus.sim.options import max_faulty
from consensus.sim.simulation import Simulation
from consensus.wal import MemoryWAL


def test_a_seed_replays_exactly() -> None:
    options = derive(11, validators=5, byzantine=1, heights=8, faults=parse_faults("all"))
    first, second = run(options), run(options)
    assert first == second


def test_wire_mode_is_the_same_run_through_the_codec() -> None:
    # every message crosses encode/decode; the run is the same (malformed input and crash points
    # would differ: undecodable bytes are dropped before the WAL, shifting the persistence steps)
    faults = parse_faults("drop,reorder,partition,crash,skew,equivocate,double-vote,censor")
    options = derive(12, validators=4, byzantine=1, heights=6, faults=faults)
    plain, wired = run(options), run(options.with_(wire=True))
    assert plain.ok and wired.ok
    assert (wired.height, wired.rounds, wired.intervals_ms, wired.messages) == (
        plain.height,
        plain.rounds,
        plain.intervals_ms,
        plain.messages,
    )
    hostile = run(
        derive(12, validators=4, byzantine=1, heights=6, faults=parse_faults("all")).with_(
            wire=True
        )
    )
    assert hostile.ok and hostile.counters.get("malformed", 0) > 0


def test_options_come_from_the_seed_and_are_described() -> None:
    a = derive(5, validators=7, byzantine=2, heights=20, faults=parse_faults("all"))
    assert a == derive(5, validators=7, byzantine=2, heights=20, faults=parse_faults("all"))
    assert a != derive(6, validators=7, byzantine=2, heights=20, faults=parse_faults("all"))
    assert len(a.byzantine_roles) == 2
    assert set().union(*a.byzantine_roles.values()) == {
        "equivocate", "double-vote", "garbage", "future-round", "censor", "bad-time"
    }  # fmt: skip
    # the Byzantine nodes are the weakest, so up to f of them hold less than a third
    byzantine_power = sum(a.powers[i] for i in a.byzantine_roles)
    assert 3 * byzantine_power < sum(a.powers)
    text = "\n".join(a.describe())
    assert "byzantine 2" in text and "partitions every" in text
    assert parse_faults("all") == frozenset(ALL_FAULTS)
    with pytest.raises(ValueError, match="unknown faults: gremlins"):
        parse_faults("crash,gremlins")
    assert max_faulty((1, 1, 1, 1)) == 1 and max_faulty((1, 1, 1)) == 0


def test_the_event_queue_runs_in_time_then_in_scheduling_order() -> None:
    queue, seen = EventQueue(), []
    queue.after(5, seen.append, "b")
    queue.after(1, seen.append, "a")
    queue.after(5, seen.append, "c")
    queue.at(5, lambda: queue.after(0, seen.append, "d"))  # same time, scheduled later: runs later
    assert queue.run(lambda: False, 100) is False
    assert seen == ["a", "b", "c", "d"] and queue.now == 100


def test_asymmetric_partitions_cut_one_direction() -> None:
    import random

    net = Network(3, LinkProfile(latency_min_ms=5, latency_max_ms=5, jitter_ms=0), random.Random(1))
    cut = net.partition([(0, 1)])
    assert net.delays(0, 1) == () and net.delays(1, 0) == (5,)
    net.make_reliable([0, 1])
    assert net.delays(0, 1) == (5,)  # a healed core ignores partitions
    net.restore(cut)
    assert net.fan_out(2) == [5, 5, 0]


def test_a_validator_down_for_long_catches_up_by_verified_commits() -> None:
    sim = Simulation(derive(13, validators=4, heights=12))
    late = sim.nodes[2]
    sim.queue.at(100, late.crash)
    sim.queue.at(9_000, late.restart)
    report = sim.run()
    assert report.ok, [str(v) for v in report.violations]
    assert late.counters.get("caught-up", 0) >= 3
    assert late.disk.chain.height >= 10


def test_hostile_input_is_rejected_and_harmless() -> None:
    options = derive(
        14, validators=4, byzantine=1, heights=8, faults=parse_faults("garbage,future-round")
    )
    sim = Simulation(options)
    report = sim.run()
    assert report.ok, [str(v) for v in report.violations]
    counters = report.counters
    assert counters.get("malformed", 0) > 0  # undecodable bytes, round 2^63 on the wire
    assert counters.get("rejected", 0) > 0  # bad signatures, strangers, rounds above 2^31
    assert report.rounds and max(report.rounds) <= 1  # far rounds never dragged anyone there
    for node in sim.nodes:
        if node.index not in options.byzantine_roles:
            assert node.machine.tracked_rounds <= 1 + 8 + 2  # current, window, two far rounds


def test_on_a_reliable_network_every_equivocation_becomes_committed_evidence() -> None:
    options = derive(0, validators=4, byzantine=1, heights=10, faults=parse_faults("double-vote"))
    sim = Simulation(options)
    report = sim.run()
    assert report.ok, [str(v) for v in report.violations]
    committed = {
        (e.vote_a.validator.raw, e.vote_a.height, e.vote_a.round, int(e.vote_a.type))
        for block in sim.checker.chain.values()
        for e in block.evidence
    }
    # the last height's cannot be in a block before the run ends
    injected = {key for key in sim.coalition.injected if key[1] < report.height}
    assert injected and injected <= committed


def test_validators_join_and_leave_through_the_ledger_update_path() -> None:
    """Item 6 of issue 18: the simulator only raised honest powers. Here v0 starts outside the
    genesis set and joins at height 4, v2 leaves at 7 and joins again at 11, through the same
    `next_height_set` the node derives from the ledger's active records; every commit is signed
    by the set of its height, the joiner signs once it is in, and the checks hold."""
    faults = parse_faults("drop,crash,set-changes")
    options = derive(21, validators=6, heights=14, faults=faults).with_(
        powers=(0, 1, 1, 1, 1, 1), set_changes=((4, 0, 2), (7, 2, 0), (11, 2, 1))
    )
    sim = Simulation(options)
    report = sim.run()
    assert report.ok, [str(v) for v in report.violations]
    joiner, leaver = sim.nodes[0].key.address, sim.nodes[2].key.address
    members = {h: sim.world.validators_at(h) for h in range(1, 15)}
    assert [h for h in members if joiner in members[h]] == list(range(4, 15))
    assert [h for h in members if leaver not in members[h]] == [7, 8, 9, 10]
    chain = max((node.disk.chain for node in sim.nodes), key=lambda c: c.height)
    assert chain.height >= 14
    signers = {c.height: {s.validator for s in c.signatures} for c in chain.commits}
    assert all(signers[h] <= {v.address for v in members[h].validators} for h in members)
    assert any(joiner in signers[h] for h in range(4, 15))
    assert sim.nodes[0].disk.chain.height >= 14  # the joiner followed the chain before joining


def test_a_stuck_height_compacts_the_wal_and_a_restart_from_it_commits_safely() -> None:
    """Every node ignores the proposals of rounds 0-11 (the checker's crippled protocol), so
    height 1 goes through 12 rounds before it decides and the WALs are compacted (consensus.wal,
    "A bound per height"); one node crashes at round 9 and restarts from its compacted WAL into
    the round it was in, and every check (double sign, lock, fork) holds."""
    options = derive(14, validators=4, heights=1).with_(ignore_proposals_below=12, chaos_ms=60_000)
    sim = Simulation(options)
    stuck = sim.nodes[1]
    sim.queue.at(110_000, stuck.crash)
    sim.queue.at(111_000, stuck.restart)
    report = sim.run()
    assert report.ok, [str(v) for v in report.violations]
    wal = stuck.disk.wal
    assert isinstance(wal, MemoryWAL) and wal.compactions > 0
    assert max(report.rounds) >= 12 and stuck.disk.chain.height >= 1

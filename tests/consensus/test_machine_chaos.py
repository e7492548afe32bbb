"""Seeded chaos over the in-test router: safety while messages are lost, liveness after healing.

A stand-in until the full simulator (consensus/sim) exists; a failing seed is in the test id.
"""

from __future__ import annotations

import random

import pytest

from consensus.messages import ConsensusMessage
from tests.consensus.harness import Net, Node


@pytest.mark.parametrize("seed", range(24))
def test_random_loss_never_forks_and_heals(seed: int) -> None:
    rng = random.Random(seed)
    net = Net([1, 1, 2, 1, 3][: rng.choice((4, 5))], stop_height=4)
    loss = rng.choice((0.1, 0.3, 0.5))

    def lossy(src: Node, dst: Node, m: ConsensusMessage) -> str | None:
        roll = rng.random()
        if roll < loss:
            return "drop"
        if roll < loss + 0.1:
            return "hold"  # delivered late, after healing
        return None

    net.rules.append(lossy)
    net.start()
    net.run(net.all_decided(4), max_ms=rng.choice((500, 2_000, 5_000)))
    net.assert_no_fork()
    # heal: no more loss, late messages arrive, peers re-send what each node missed
    net.rules.clear()
    net.release(lambda src, dst, m: True)
    for node in net.nodes:
        net.regossip(node)
    deadline = net.now + 120_000
    while not net.all_decided(4)() and net.now < deadline:
        net.run(net.all_decided(4), max_ms=net.now + 2_000)
        for node in net.nodes:  # gossip keeps re-sending until everyone is through
            net.regossip(node)
    assert net.all_decided(4)(), f"seed {seed}: no progress after healing"
    net.assert_no_fork()

"""Counterexamples the adversarial machine found, replayed as fixed stories so that they keep
failing loudly if the rule they broke is broken again (the machine's random search may not
visit them again)."""

from __future__ import annotations

from ledger.collectives import payouts
from ledger.collectives.ids import NATIVE
from ledger.collectives.params import DAY
from ledger.governance.proposal import Status, require_proposal
from tests.ledger.adversarial.test_machine import NAMES, Adversaries
from tests.ledger.adversarial.world import SHARES


def test_native_coin_is_conserved_through_a_holder_distribution_and_its_claims() -> None:
    """Hypothesis' counterexample: a passed HolderDistribution moves 1,001 coins from the
    treasury into the shareholders' payout pool, where they wait to be claimed; they were
    still there, so the machine's count must include the pool (it did not: "the native coin
    was not conserved" by 1,001). Each holder then claims, and the coin is still all there."""
    machine = Adversaries()
    machine.submit(who="alice", choice=10, victim="alice", amount=10**12)
    machine.rally(i=0, option=0, voters=3)
    pid = machine.world.proposals[-1]
    for _ in range(8):
        machine.advance(DAY)  # checks conservation after every block
    view = machine.world.chain.view
    assert require_proposal(view, pid).status is Status.EXECUTED
    assert payouts.all_pools(view) == [(NATIVE, 1_001)]
    for name in NAMES:
        machine.claim(who=name, cls=SHARES)  # checks conservation after every claim
    ((asset, left),) = payouts.all_pools(machine.world.chain.view)
    assert asset == NATIVE and 0 <= left < len(NAMES)  # claims round down, fractions wait
    machine.teardown()

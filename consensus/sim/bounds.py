"""The liveness bounds the healed core is held to (consensus.sim.simulation's docstring), derived
from the timeouts, the slowest clock (`skew_permille`) and the network's worst latency."""

from __future__ import annotations

from collections.abc import Collection

from consensus.sim.options import SimOptions
from consensus.validators import ValidatorSet
from ledger.keys import Address


def gossip_slack_ms(o: SimOptions, max_latency_ms: int) -> int:
    return o.gossip_ms * 1000 // min(o.skew_permille) + 2 * max_latency_ms


def liveness_bound_ms(
    o: SimOptions, max_latency_ms: int, top_round: int, spread: int, stragglers: int
) -> int:
    """How long the healed core may go without its lowest height rising: `top_round` is the
    highest round the core reached, `spread` the gap to its lowest, `stragglers` the validators
    outside the core."""
    t = o.timeouts
    slow = min(o.skew_permille)
    rounds = top_round + stragglers + spread + 4
    one_round = t.propose(rounds) + t.prevote(rounds) + t.precommit(rounds)
    one_round = one_round * 1000 // slow + 6 * max_latency_ms
    slack = gossip_slack_ms(o, max_latency_ms)
    return (stragglers + spread + 4) * (one_round + slack) + t.new_height_ms + 2 * slack


def height_bound_ms(
    o: SimOptions, max_latency_ms: int, validators: ValidatorSet, core_keys: Collection[Address]
) -> int:
    """How long the core (`core_keys`) may take to commit a height of `validators` once all of it
    has the one before: k rounds at the timeouts of rounds 0 .. k - 1, plus slack, where k is the
    rounds until the first core proposer, plus 2."""
    t = o.timeouts
    first_core = 0
    while validators.proposer(first_core).address not in core_keys:
        first_core += 1
    k = first_core + 2
    rounds = sum(t.propose(r) + t.prevote(r) + t.precommit(r) for r in range(k))
    rounds = rounds * 1000 // min(o.skew_permille) + k * 6 * max_latency_ms
    return rounds + t.new_height_ms + 2 * gossip_slack_ms(o, max_latency_ms)

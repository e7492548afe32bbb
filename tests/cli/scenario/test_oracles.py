"""The oracles name what failed: the height, the node and the tx (pure functions, real data
shapes as the runner collects them)."""

from __future__ import annotations

from typing import Any

from cli.scenario import oracles
from ledger.genesis import ConsensusParams


def _block(h: int, txs: tuple[str, ...] = (), accused: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "hash": f"{h:064x}",
        "state_root": f"{h + 1:064x}",
        "tx_set": frozenset(txs),
        "accused": list(accused),
    }


def _chain(top: int) -> dict[int, dict[str, Any]]:
    return {h: _block(h, (f"tx{h}",)) for h in range(1, top + 1)}


def test_a_node_with_another_state_root_at_height_5_is_named() -> None:
    chains = {"node0": _chain(8), "node1": _chain(8), "node2": _chain(6)}
    chains["node2"][5] = {**chains["node2"][5], "state_root": "ff" * 32}
    verdict = oracles.agreement(chains)
    assert not verdict.ok
    theirs = chains["node0"][5]["state_root"][:16]
    assert verdict.failures == [f"height 5: node2 has state_root {'ff' * 8} but node0 has {theirs}"]


def test_identical_chains_of_different_lengths_agree() -> None:
    assert oracles.agreement({"node0": _chain(9), "node1": _chain(7)}).ok


def test_a_committed_tx_missing_on_one_node_names_tx_height_and_node() -> None:
    chains = {"node0": _chain(4), "node1": _chain(4)}
    chains["node1"][3] = _block(3)
    verdict = oracles.durability(chains, {"tx3": (2.0, 3), "tx4": (3.0, 4)})
    assert verdict.failures == ["tx tx3: committed at height 3, missing there on node1"]


def test_evidence_against_an_honest_validator_fails_and_other_evidence_does_not() -> None:
    chains = {"node0": {1: _block(1, accused=("cot1honest",)), 2: _block(2, accused=("x",))}}
    verdict = oracles.no_evidence(chains, {"cot1honest"})
    assert verdict.failures == ["height 1: node0's block holds evidence against cot1honest"]


def test_recovery_is_when_the_slowest_node_passes_the_height_of_the_heal() -> None:
    status = {
        0: [(9.0, 5, 3, 0), (10.5, 6, 3, 0)],
        1: [(10.2, None, None, None), (12.0, 5, 3, 0), (13.0, 6, 3, 0)],
    }
    assert oracles.recovery(status, 10.0, 5) == 3.0
    assert oracles.recovery(status, 10.0, 6) is None


def test_liveness_fails_on_a_slow_heal_and_on_a_node_left_behind() -> None:
    heals = [
        oracles.Heal("end of pause node2", 10.0, 5, 8.0, 9.5),
        oracles.Heal("end of kill node1", 20.0, 9, 20.0, None),
    ]
    verdict = oracles.liveness(heals, {"node0": 30, "node1": 27})
    assert verdict.failures == [
        "after end of pause node2 at 10.0 s: every node passed height 5 after 9.5 s, bound 8.0 s",
        "after end of kill node1 at 20.0 s: not every node passed height 9 by the end",
        "at the end node1 is at height 27, the best at 30",
    ]


def test_the_heal_bound_grows_with_the_round_the_outage_and_a_restart() -> None:
    params = ConsensusParams()
    calm = oracles.heal_bound_s(params, 1.0, 0, False)
    assert oracles.heal_bound_s(params, 1.0, 3, False) > calm
    assert oracles.heal_bound_s(params, 20.0, 0, False) > calm
    assert oracles.heal_bound_s(params, 1.0, 0, True) == calm + oracles.BOOT_S
    # round 0, two rounds ahead: 2 x (3.0 + 1.0 + 1.0 + 3 x 1.0) s + 1 s backoff + 1 s block
    assert calm == 2 * 8.0 + 1.0 + 1.0


def test_a_process_left_behind_fails_the_teardown() -> None:
    verdict = oracles.clean_teardown(["4242 (python)"], ["/tmp/x/data"])
    assert verdict.failures == [
        "process 4242 (python) still runs after the teardown",
        "/tmp/x/data is still mounted",
    ]


def test_a_chain_that_stopped_with_every_node_up_fails_liveness_without_any_heal() -> None:
    """No perturbation ended, yet the chain stood still for the last window: that is a fault."""
    status = {0: [(1.0, 3, 3, 0), (20.0, 4, 3, 0), (40.0, 4, 3, 0)], 1: [(40.0, None, None, None)]}
    assert oracles.best_before(status, 22.5) == 4
    assert oracles.best_before(status, 0.5) == 0
    verdict = oracles.liveness([], {"node0": 4, "node1": 4}, (17.5, 4, 4))
    assert verdict.failures == ["the chain did not move in the last 17.5 s: height 4"]
    assert oracles.liveness([], {"node0": 5, "node1": 5}, (17.5, 4, 5)).ok


def test_a_committed_vote_a_node_does_not_count_and_a_phantom_payment_are_named() -> None:
    """Committed is not enough for votes and split payments: each node's proposal must count
    the ballot and its split the payment (at most what was sent, as a vote may commit late)."""
    targets = {"v1": ("vote", 3), "v2": ("vote", 3), "v3": ("vote", 4), "p1": ("split-pay", -1)}
    committed = {"v1", "v2", "v3", "p1"}
    good = oracles.took_effect(
        targets, committed, {"node0": {3: 2, 4: 1}}, {"node0": 1, "node1": 1}
    )
    assert good.ok, good.failures
    late = oracles.took_effect(targets, {"v1"}, {"node0": {3: 2, 4: 1}}, {"node0": 1})
    assert late.ok, late.failures  # counted before the runner saw their block: not a fault
    bad = oracles.took_effect(
        targets, committed, {"node0": {3: 2, 4: 1}, "node2": {3: 1, 4: 1}}, {"node1": 2}
    )
    assert bad.failures == [
        "proposal 3: node2 counts 1 ballots, 2 of the 2 votes sent were committed",
        "split: node1 records 2 payments, 1 of the 1 sent were committed",
    ]


def test_votes_beyond_the_proposals_one_collective_can_hold_are_refused_before_the_run() -> None:
    from cli.scenario import setup

    plan = [(0, "vote")] * (setup.MAX_PROPOSALS + 1)
    assert setup.votes_needed(plan) == setup.MAX_PROPOSALS + 1
    try:
        setup.plan(setup.MAX_PROPOSALS + 1, splits=False, voting_index=0)
    except setup.SetupError as exc:
        assert "busiest sender casts 41 votes" in str(exc)
    else:
        raise AssertionError("a plan with too many votes per sender was accepted")

"""The simulator notices violations: unsafe configurations must trip its checker.

Each test runs a network that is deliberately unsafe (more Byzantine power than the protocol
tolerates, or a node the checker counts as honest that misbehaves) and asserts the checker names
the violation, so a silent checker cannot pass for a safe protocol.
"""

from __future__ import annotations

from consensus.sim import derive, parse_faults, run
from consensus.sim.options import SimOptions, max_faulty
from consensus.timeliness import Synchrony

SPLIT_BRAIN = frozenset({"equivocate", "double-vote"})


def kinds(options: SimOptions) -> set[str]:
    return {v.kind for v in run(options).violations}


def test_f_plus_one_split_brain_byzantine_validators_fork_the_chain_and_are_caught() -> None:
    options = derive(3, validators=4, byzantine=2, heights=8, faults=SPLIT_BRAIN)
    assert options.byzantine > max_faulty(options.powers)  # 2 of 4: more than a third
    # both coordinate: the proposer's twin blocks go to two halves, and so do both their votes
    options = options.with_(byzantine_roles=dict.fromkeys(options.byzantine_roles, SPLIT_BRAIN))
    assert "fork" in kinds(options)


def test_the_same_attack_by_f_validators_is_harmless() -> None:
    options = derive(3, validators=7, byzantine=2, heights=8, faults=SPLIT_BRAIN)
    assert options.byzantine == max_faulty(options.powers)
    options = options.with_(byzantine_roles=dict.fromkeys(options.byzantine_roles, SPLIT_BRAIN))
    report = run(options)
    assert report.ok, [str(v) for v in report.violations]
    assert report.evidence_exposed > 0 and report.evidence_committed > 0


def test_a_validator_with_its_double_sign_guard_off_is_caught_double_signing() -> None:
    options = derive(4, validators=4, heights=5).with_(impostors={1: frozenset({"double-vote"})})
    assert "double-sign" in kinds(options)


def test_an_honest_looking_proposer_that_censors_is_caught() -> None:
    options = derive(6, validators=4, heights=12).with_(impostors={2: frozenset({"censor"})})
    assert "censorship" in kinds(options)


def test_a_byzantine_censor_delays_a_tx_only_until_an_honest_proposer_builds() -> None:
    hits = 0
    for seed in range(6):
        options = derive(seed, validators=4, byzantine=1, heights=16, faults=parse_faults("censor"))
        report = run(options)
        assert report.ok, [str(v) for v in report.violations]
        hits += report.inclusion.txs_censored
        # every tx left out by the censor went into the next honest-built block (checked)
        assert report.inclusion.max_tx_delay_heights <= options.byzantine + 1
    assert hits > 0, "the censor never got to leave a tx out: the test proves nothing"


def test_a_protocol_that_trusts_any_block_time_is_caught_by_the_time_check() -> None:
    """The pre-PBTS rule (time > last block's) let a proposer date a block a year ahead."""
    faults = parse_faults("bad-time")
    options = derive(1, validators=4, byzantine=1, heights=12, faults=faults)
    assert run(options).ok
    trusting = options.with_(machine_synchrony=Synchrony(10**15, 10**15))
    assert "time" in kinds(trusting)

"""The simulator notices violations: unsafe configurations must trip its checker.

Each test runs a network that is deliberately unsafe (more Byzantine power than the protocol
tolerates, or a node the checker counts as honest that misbehaves) and asserts the checker names
the violation, so a silent checker cannot pass for a safe protocol.
"""

from __future__ import annotations

from consensus.sim import derive, parse_faults, run
from consensus.sim.byzantine import sign_vote
from consensus.sim.checks import Checker
from consensus.sim.options import SimOptions, max_faulty
from consensus.timeliness import Synchrony
from ledger.block import Vote, VoteType
from ledger.hashing import digest
from ledger.keys import PrivateKey

GENESIS = digest(b"lock check")

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


def test_a_protocol_that_ignores_the_proposals_of_rounds_0_to_2_fails_the_liveness_check() -> None:
    """Regression (issue 18): the bound allowed 98 s between commits with 7 validators (1.2 s
    normal), and this crippled protocol, committing only at round 3, reported ok."""
    options = derive(2, validators=7, heights=10)
    assert run(options).ok
    crippled = options.with_(ignore_proposals_below=3)
    assert "liveness" in kinds(crippled)


def test_the_lock_check_needs_a_proof_of_lock_to_release_a_lock() -> None:
    keys = [PrivateKey.from_secret(b"lock-check-%d" % i) for i in range(4)]
    checker = Checker(frozenset(range(4)), 4, powers={k.address.raw: 1 for k in keys})
    v, w = digest(b"v"), digest(b"w")

    def vote(i: int, vote_type: VoteType, round_: int, value: bytes) -> Vote:
        return sign_vote(keys[i], GENESIS, (vote_type, 1, round_, value))

    checker.signed(0, vote(0, VoteType.PRECOMMIT, 0, v))  # node 0 locks on v at round 0
    checker.signed(0, vote(0, VoteType.PREVOTE, 1, v))  # its lock: fine
    assert checker.ok
    for i in (1, 2, 3):  # +2/3 prevote w at round 2: a proof-of-lock that releases the lock
        checker.on_wire(vote(i, VoteType.PREVOTE, 2, w))
    checker.signed(0, vote(0, VoteType.PREVOTE, 3, w))
    assert checker.ok
    checker.signed(1, vote(1, VoteType.PRECOMMIT, 3, v))  # node 1 locks on v at round 3
    checker.signed(1, vote(1, VoteType.PREVOTE, 4, w))  # no POL for w after round 3
    assert [v.kind for v in checker.violations] == ["lock"]

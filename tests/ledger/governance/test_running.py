"""Running tallies equal the from-scratch count of the same rules, exactly.

Random delegations (general and scoped, several delegates each), proposals of every voting
method, first and replaced ballots, and members leaving and rejoining while votes are open;
after every step each open proposal's running tally, its early-execution bound and who may vote
are compared with `tests.ledger.governance.reference` (the count that visits every member), and
at the close the recorded tally and winner are the reference's.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.collectives import roster, tokens
from ledger.collectives.delegation import ALL_KINDS, Delegate, delegators_of
from ledger.collectives.holdings import holding
from ledger.collectives.params import DAY, HOUR, PPM, CollectiveParams
from ledger.collectives.store import get_member, require_collective
from ledger.governance.ballots import Ballot
from ledger.governance.electorate import has_weight
from ledger.governance.kinds import ProposalKind, VotingMethod
from ledger.governance.policy import Policy
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.running import running_tally
from ledger.governance.tally import choice_winner
from ledger.governance.vote_txs import Vote
from ledger.keys import PrivateKey
from tests.ledger.conftest import PEOPLE, Chain, proposal_id
from tests.ledger.governance import reference

METHODS = list(VotingMethod)
PARAMS = CollectiveParams(
    max_live_per_proposer=100, membership_term_ms=2 * DAY, renewal_grace_ms=DAY
)  # votes lapse 3 days after joining unless renewed
POLICY = Policy(vote_replacement=True, grace_period_ms=0, expedited_period_ms=0)
who = st.integers(0, len(PEOPLE) - 1)
few = st.integers(0, 3)  # ballots meet more often among a few voters
delegation = st.tuples(
    st.just("delegate"),
    who,
    st.lists(st.tuples(who, st.integers(1, 600_000)), min_size=1, max_size=3),
    st.booleans(),
)
vote = st.tuples(st.just("vote"), few, st.integers(0, 5), st.integers(0, 10**6))
delegate_then_delegator = st.tuples(
    st.just("pair"),
    few,
    st.integers(0, 5),
    st.integers(0, 10**6),
    st.sampled_from(("vote", "leave", "jail delegate", "delegate leaves")),
)
others = (
    delegation,
    st.tuples(st.just("open"), who, st.sampled_from(METHODS)),
    st.tuples(st.just("leave"), who),
    st.tuples(st.just("join"), who),
    st.tuples(st.just("jail"), who),
    st.tuples(st.just("block"), st.sampled_from((1_000, HOUR, DAY))),
    st.tuples(st.just("shares"), who, st.integers(-20, 20)),
    st.tuples(st.just("renew"), who),
)


def ballot_for(method: VotingMethod, seed: int) -> Ballot:
    a, b = seed % 3, (seed // 3 + 1 + seed % 3) % 3
    part = seed % (PPM - 1) + 1
    if method is VotingMethod.BINARY:
        if seed % 2:
            return Ballot((seed % 4,))
        return Ballot((seed % 4, (seed + 1) % 4), (part, PPM - part))
    if method in (VotingMethod.WEIGHTED, VotingMethod.QUADRATIC):
        return Ballot((a, b), (part, PPM - part)) if a != b else Ballot((a,), (PPM,))
    if method is VotingMethod.APPROVAL or method is VotingMethod.RANKED:
        return Ballot((a, b)) if a != b else Ballot((a,))
    return Ballot((a,))


def check_open(chain: Chain, pids: list[int]) -> None:
    view = chain.view
    for pid in pids:
        p = require_proposal(view, pid)
        if p.status is not Status.VOTING:
            continue
        counted = running_tally(view, pid, p)
        got = (counted.scores, counted.direct, counted.turnout, counted.voters)
        assert got == reference.reference_tally(view, pid, p)[:4], pid
        for key in PEOPLE:
            assert has_weight(view, p, key.address) == reference.has_weight(view, p, key.address)


def run(chain: Chain, cid: bytes, pids: list[int], step: tuple[Any, ...]) -> None:
    op, *args = step
    if op == "block":
        chain.next_block(args[0])
        return
    key: PrivateKey = PEOPLE[args[0]]
    view = chain.view
    if op == "delegate":
        splits = {PEOPLE[i].address: ppm for i, ppm in args[1] if PEOPLE[i] != key}
        if sum(splits.values()) <= PPM:
            scope = ProposalKind.SIGNAL if args[2] else ALL_KINDS
            chain.attempt(key, Delegate(cid, scope, tuple(splits.items())))
    elif op == "open":
        method = args[1]
        choices = () if method is VotingMethod.BINARY else ("a", "b", "c")
        outcome = chain.attempt(key, ProposalSubmit(cid, (), method, choices))
        if not isinstance(outcome, int):
            pids.append(proposal_id(outcome))
            p = require_proposal(chain.view, pids[-1])
            assert p.total_power == reference.total_power(chain.view, p)
    elif op == "shares" and get_member(view, cid, key.address) is not None:
        collective = require_collective(view, cid)
        change = {"token_class": 0, "amount": abs(args[1])}
        if args[1] > 0:
            tokens.mint(view, chain.height, cid, collective, to=key.address, **change)
        elif 0 < abs(args[1]) < holding(view, cid, 0, key.address):
            tokens.burn(view, chain.height, cid, collective, holder=key.address, **change)
    elif op == "renew" and (member := get_member(view, cid, key.address)) is not None:
        renewed = dataclasses.replace(member, expires_ms=chain.time_ms + 2 * DAY)
        roster.update(
            view, chain.height, cid, require_collective(view, cid), key.address, member=renewed
        )
    elif op == "vote" and pids:
        pid = pids[args[1] % len(pids)]
        ballot = ballot_for(require_proposal(view, pid).method, args[2])
        chain.attempt(key, Vote(pid, ballot))
    elif op == "pair":  # a delegate votes, then one who lends to them votes, leaves or rejoins,
        # or the delegate is jailed, leaves or rejoins (what is lent to them stops, then resumes)
        delegate = key.address
        run(chain, cid, pids, ("vote", args[0], args[1], args[2]))
        if args[3] in ("jail delegate", "delegate leaves"):
            run(chain, cid, pids, ("jail" if args[3] == "jail delegate" else "leave", args[0]))
            return
        for i, lender in enumerate(PEOPLE):
            if delegators_of(view, cid, delegate).count(lender.address):
                then = args[3] if get_member(view, cid, lender.address) else "join"
                run(chain, cid, pids, (then, i, args[1], args[2]) if then == "vote" else (then, i))
                break
    elif op == "leave" and get_member(view, cid, key.address) is not None:
        roster.leave(view, chain.height, cid, require_collective(view, cid), key.address)
    elif op == "jail" and (member := get_member(view, cid, key.address)) and not member.jailed:
        roster.jail(view, chain.height, cid, require_collective(view, cid), key.address)
    elif op == "join" and get_member(view, cid, key.address) is None:
        collective = require_collective(view, cid)
        roster.join(view, chain.height, cid, collective, key.address, now_ms=chain.time_ms)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.lists(st.integers(1, 40), min_size=len(PEOPLE), max_size=len(PEOPLE)),
    st.lists(st.one_of(delegation, *others), min_size=1, max_size=10),
    st.lists(st.one_of(vote, vote, delegate_then_delegator, *others), min_size=4, max_size=30),
    st.sets(who, max_size=len(PEOPLE)),
)
def test_running_tallies_equal_the_count_from_scratch(
    shares: list[int],
    before: list[tuple[Any, ...]],
    during: list[tuple[Any, ...]],
    lapsed: set[int],
) -> None:
    chain = Chain(check_signatures=False)
    founders = [(key, (amount, 0)) for key, amount in zip(PEOPLE, shares, strict=True)]
    cid = chain.create_collective(
        PEOPLE[0], founders, params=PARAMS, policies=((ProposalKind.SIGNAL, POLICY),)
    )
    chain.next_block()
    pids: list[int] = []
    for step in before:  # delegations, power changes, lapses and proposals before the snapshot
        run(chain, cid, pids, step)
    for method in METHODS[:3]:  # proposals opened after changes in the same block
        run(chain, cid, pids, ("open", 0, method))
    if lapsed:  # some memberships lapse: only the others renew in time
        chain.next_block(3 * DAY)
        for n in range(len(PEOPLE)):
            if n not in lapsed or n == 0:
                run(chain, cid, pids, ("renew", n))
    chain.next_block()
    for method in METHODS:  # one proposal of every method with this snapshot
        run(chain, cid, pids, ("open", 0, method))
    for step in during:
        run(chain, cid, pids, step)
        check_open(chain, pids)
    view = chain.view
    expected = {}
    for pid in pids:
        p = require_proposal(view, pid)
        if p.status is Status.VOTING:
            votes = reference.weighted_votes(view, pid, p)
            n = len(p.choices) or 4
            winner = -1 if p.method is VotingMethod.BINARY else choice_winner(p.method, n, votes)
            expected[pid] = (reference.reference_tally(view, pid, p)[0], winner)
    chain.next_block(30 * DAY)
    chain.next_block()  # the first block past every deadline closes them
    for pid, (totals, winner) in expected.items():
        p = require_proposal(chain.view, pid)
        assert p.status is not Status.VOTING
        assert (p.tally, p.winner) == (totals, winner), pid

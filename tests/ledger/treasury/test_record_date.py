"""Holder distributions have a record date: the holders who share in a `HolderDistribution` are
those of the moment its voting closed, not those of the moment it executes after grace."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.collectives import record_dates
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.params import DAY
from ledger.collectives.token_transfer import TokenTransfer
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import HolderDistribution
from ledger.governance.proposal import Status
from ledger.keys import PrivateKey
from ledger.treasury.holder_claim import HolderClaim
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, MALLORY, Chain
from tests.ledger.treasury.conftest import (
    FUNDS,
    Coop,
    balance,
    enact,
    make_coop,
    proposal,
    settle,
    submit,
    vote,
)

LOOT = 1  # transferable to anyone: Alice holds 4, Carol 2


def test_mallory_buys_loot_during_grace_and_collects_none_of_the_dividend(coop: Coop) -> None:
    chain, loot = coop.chain, Asset(coop.cid, LOOT)
    pid = submit(coop, [HolderDistribution(loot, NATIVE, 600, "loot dividend")])
    vote(coop, pid, (ALICE, BOB))
    while proposal(coop, pid).status is not Status.GRACE:
        chain.next_block(DAY)
    chain.send(CAROL, TokenTransfer(coop.cid, LOOT, MALLORY.address, 2))  # sold in grace
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.EXECUTED
    assert chain.reject(MALLORY, HolderClaim(loot)) is ErrorCode.NOTHING_TO_CLAIM
    before = {k: balance(chain, k) for k in (ALICE, CAROL)}
    for key in (ALICE, CAROL):
        chain.send(key, HolderClaim(loot))
    got = {k: balance(chain, k) - before[k] for k in before}
    assert got == {ALICE: 400, CAROL: 200}  # the holders when voting closed, 4 : 2


HOLDERS = (ALICE, CAROL, MALLORY, DAVE, ERIN)
moves = st.lists(
    st.tuples(st.sampled_from(HOLDERS[1:]), st.sampled_from(HOLDERS), st.integers(1, 3)),
    max_size=6,
)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(during_voting=moves, during_grace=moves, amount=st.integers(1, 5_000))
def test_every_holder_of_the_record_moment_gets_their_pro_rata_and_no_one_else(
    during_voting: list[tuple[PrivateKey, PrivateKey, int]],
    during_grace: list[tuple[PrivateKey, PrivateKey, int]],
    amount: int,
) -> None:
    """Loot changes hands while a distribution is voted on and in grace: what each account
    collects is within one unit of amount x its loot at the tally / the loot held then, and
    the pool never pays more than the amount."""
    coop = make_coop(Chain(check_signatures=False))
    chain, loot = coop.chain, Asset(coop.cid, LOOT)

    def trade(batch: list[tuple[PrivateKey, PrivateKey, int]]) -> None:
        for seller, buyer, units in batch:
            chain.attempt(seller, TokenTransfer(coop.cid, LOOT, buyer.address, units))

    pid = submit(coop, [HolderDistribution(loot, NATIVE, amount)])
    vote(coop, pid, (ALICE,))
    trade(during_voting)
    vote(coop, pid, (BOB,))  # carries it: voting closes at once (or at its end)
    record = {k: holding(chain.view, coop.cid, LOOT, k.address) for k in HOLDERS}
    while proposal(coop, pid).status is not Status.GRACE:
        chain.next_block(DAY)
    trade(during_grace)
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.EXECUTED
    total = sum(record.values())
    paid = 0
    for key in HOLDERS:
        before = balance(chain, key)
        chain.attempt(key, HolderClaim(loot))
        got = balance(chain, key) - before
        exact = Fraction(amount * record[key], total)
        assert exact - 1 < got <= exact, f"{key.address!r} got {got} of {exact}"
        paid += got
    assert paid <= amount


def test_a_distribution_that_never_executes_keeps_no_record(coop: Coop) -> None:
    """More than the treasury holds: it passes, cannot execute, expires, and its record (and
    the note written when Carol sold in grace) go with it; Dave's loot then earns like any."""
    chain, loot = coop.chain, Asset(coop.cid, LOOT)
    pid = submit(coop, [HolderDistribution(loot, NATIVE, FUNDS + 1)])
    vote(coop, pid, (ALICE, BOB))
    while proposal(coop, pid).status is not Status.GRACE:
        chain.next_block(DAY)
    assert record_dates.pending(chain.view, loot)
    chain.send(CAROL, TokenTransfer(coop.cid, LOOT, DAVE.address, 2))
    settle(coop, pid)
    assert proposal(coop, pid).status is Status.EXPIRED
    assert record_dates.pending(chain.view, loot) == []
    pid, _ = enact(coop, [HolderDistribution(loot, NATIVE, 60)])
    before = balance(chain, DAVE)
    chain.send(DAVE, HolderClaim(loot))
    assert balance(chain, DAVE) - before == 20  # 2 of the 6 loot held at its tally

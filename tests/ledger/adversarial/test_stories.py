"""Counterexamples the adversarial machine found, replayed as fixed stories so that they keep
failing loudly if the rule they broke is broken again (the machine's random search may not
visit them again)."""

from __future__ import annotations

from ledger.collectives import payouts
from ledger.collectives.delegation import current_delegations
from ledger.collectives.ids import NATIVE
from ledger.collectives.params import DAY, HOUR
from ledger.collectives.store import get_member
from ledger.errors import ErrorCode
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.running import running_tally
from ledger.governance.vote_txs import Vote
from tests.ledger.adversarial.test_machine import KEY, NAMES, Adversaries
from tests.ledger.adversarial.world import SHARES, check_open_tallies
from tests.ledger.conftest import YES


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


def test_a_delegation_to_an_expelled_member_ends_with_the_expulsion() -> None:
    """Hypothesis' counterexample: Alice delegates to Bob, Bob is expelled with forfeit (he
    stops being a member), and Alice's delegation to him survived ("non-member ... is a
    delegate"). A delegation to someone who is no longer a member ends, as the leaver's own
    delegations do; Alice votes with her own power again."""
    machine = Adversaries()
    machine.delegate(ppm=1, to="bob", who="alice")
    machine.submit(amount=10**12, choice=3, victim="bob", who="alice")  # Expel bob, forfeit
    machine.rally(i=0, option=0, voters=1)
    for _ in range(8):
        machine.advance(DAY)  # checks that rights end with membership after every block
    view, cid = machine.world.chain.view, machine.world.cid
    assert get_member(view, cid, KEY["bob"].address) is None
    assert current_delegations(view, cid, KEY["alice"].address) == []
    machine.teardown()


def test_an_expelled_delegate_s_ballot_stops_carrying_what_was_lent_to_him() -> None:
    """Carol lends Bob her whole vote and Bob votes yes on an open signal proposal; Bob is then
    expelled with forfeit while it is still open. His ballot counted Carol's lent power after he
    was gone (the running tally kept it). Once Bob is out, the open tally counts only the power
    its voters hold, and Carol, who has not voted, can vote with her own power."""
    machine = Adversaries()
    machine.delegate(who="carol", to="bob", ppm=1_000_000)
    machine.submit(who="alice", choice=3, victim="bob", amount=10**12)  # Expel bob, forfeit
    expel = machine.world.proposals[-1]
    machine.rally(i=0, option=0, voters=1)  # Alice votes yes
    machine.advance(3 * DAY)
    machine.submit(who="alice", choice=8, victim="alice", amount=1)  # a signal, open 3 days
    signal = machine.world.proposals[-1]
    machine.vote(who="bob", i=0, option=0)
    view = machine.world.chain.view
    assert require_proposal(view, signal).status is Status.VOTING
    assert running_tally(view, signal, require_proposal(view, signal)).scores[0] == 10
    for _ in range(3 * 24):  # voting ends on day 3, grace on day 5
        if require_proposal(machine.world.chain.view, expel).status is Status.EXECUTED:
            break
        machine.advance(HOUR)
    view = machine.world.chain.view
    p = require_proposal(view, signal)
    assert (
        p.status is Status.VOTING
        and get_member(view, machine.world.cid, KEY["bob"].address) is None
    )
    check_open_tallies(machine.world)
    assert running_tally(view, signal, p).scores == (0, 0, 0, 0)
    machine.vote(who="carol", i=0, option=0)
    check_open_tallies(machine.world)
    assert running_tally(machine.world.chain.view, signal, p).scores == (5, 0, 0, 0)
    machine.teardown()


def test_a_veto_lent_by_a_member_jailed_before_the_tally_is_gone() -> None:
    """Hypothesis' counterexample: Carol lends Bob her vote, Bob vetoes a spend, and Carol is
    jailed by an expulsion executed in the very block whose end tallies the spend, just before
    it. Carol's power has left, so her lent veto is gone and the spend passes with (12, 0, 0,
    5) of 22. The machine's reference counted every ballot with the power held before or after
    the block, whichever is more, also for the veto ([12, 0, 0, 10]: "passed with power its
    voters no longer held"); it now gives no and veto the lesser of the two."""
    machine = Adversaries()
    machine.delegate(who="carol", to="bob", ppm=1_000_000)
    machine.submit(who="alice", choice=3, victim="carol", amount=1)  # jail Carol, no forfeit
    expel = machine.world.proposals[-1]
    machine.rally(i=0, option=0, voters=1)  # Alice votes yes
    machine.advance(2 * DAY)
    machine.submit(who="alice", choice=0, victim="alice", amount=1)  # a spend, ends with the grace
    spend = machine.world.proposals[-1]
    machine.rally(i=0, option=0, voters=0b1001)  # Alice and Mallory vote yes
    machine.vote(who="bob", i=0, option=3)  # veto, with Carol's lent power
    for _ in range(4 * 4):
        machine.advance(6 * HOUR)  # checks every passed tally against the backed one
    view = machine.world.chain.view
    member = get_member(view, machine.world.cid, KEY["carol"].address)
    assert require_proposal(view, expel).status is Status.EXECUTED
    assert member is not None and member.jailed
    p = require_proposal(view, spend)
    assert p.status is Status.GRACE  # passed, waits out its grace
    assert p.tally == (12, 0, 0, 5) and p.total_power == 22
    machine.teardown()


def test_a_delegation_to_a_lapsed_member_carries_nothing_and_ends_with_the_lapse() -> None:
    """Carol lends Bob her whole vote; everyone but Bob renews, and Bob's membership lapses.
    A signal proposal opens while he is lapsed; Bob renews and votes on it. His own power was
    lapsed at the vote's start (zero), and so is what was lent to him: the ballot carried
    Carol's 5 ("a lapsed member keeps voting with power others lent him"). The lapse ends the
    delegation as leaving or jailing does: Bob's ballot is refused for want of power, Carol's
    delegation is gone, and on the next vote Bob counts his own power only."""
    machine = Adversaries()
    machine.delegate(who="carol", to="bob", ppm=1_000_000)
    machine.advance(5 * DAY)
    for name in ("alice", "carol", "mallory"):
        machine.renew(who=name, member=name)
    machine.advance(5 * DAY)  # Bob's term ran out 2 days ago, his grace a day ago
    machine.submit(who="alice", choice=8, victim="alice", amount=1)  # a signal, open 3 days
    signal = machine.world.proposals[-1]
    machine.renew(who="bob", member="bob")
    assert machine.world.chain.attempt(KEY["bob"], Vote(signal, YES)) is ErrorCode.NO_VOTING_POWER
    view, cid = machine.world.chain.view, machine.world.cid
    p = require_proposal(view, signal)
    assert p.status is Status.VOTING and running_tally(view, signal, p).scores == (0, 0, 0, 0)
    assert current_delegations(view, cid, KEY["carol"].address) == []
    check_open_tallies(machine.world)
    machine.vote(who="carol", i=0, option=0)  # Carol votes her own 5
    assert running_tally(machine.world.chain.view, signal, p).scores == (5, 0, 0, 0)
    machine.advance(HOUR)
    machine.submit(who="alice", choice=8, victim="alice", amount=2)  # Bob renewed: he votes
    nxt = machine.world.proposals[-1]
    machine.vote(who="bob", i=0, option=0)  # his own 5, nothing of Carol's
    view = machine.world.chain.view
    assert running_tally(view, nxt, require_proposal(view, nxt)).scores == (5, 0, 0, 0)
    machine.teardown()

"""Members and outsiders of an OPEN collective interleave every collectives, governance and
treasury tx kind over many blocks, trying to take more than the rules grant (hypothesis
stateful testing). After every tx and every block: the native coin is conserved (counted in
every place it can sit, tests/ledger/custody.py, holders' payout pools included); an exit pays
exactly its pro-rata; no tx or block without a passed proposal lowers what an exit unit is
worth (so nobody leaves with more than a proposal granted plus their pro-rata); every passed
tally still passes when each ballot counts only the units its voter still holds; every executed
proposal was decided under the strictest kind its actions belong to; nobody moves exit-bearing
units out while supporting a live value-moving proposal; and a non-member holds no role,
allowance or delegation and approves nothing. At the end of every run, an honest majority must
still pass a governance proposal in bounded time.
"""

from __future__ import annotations

from typing import ClassVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ledger.collectives.delegation import ALL_KINDS, Delegate
from ledger.collectives.exit import RageKick, Ragequit
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.membership import MembershipApply, MembershipRenew
from ledger.collectives.params import DAY, HOUR
from ledger.collectives.token_transfer import TokenTransfer
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode
from ledger.governance.actions import Action
from ledger.governance.actions_treasury import (
    Allocate,
    HolderDistribution,
    SetAllowance,
    StreamCreate,
)
from ledger.governance.ballots import Ballot
from ledger.governance.core_actions import Admit, Expel, Mint, SetParams, TreasurySpend
from ledger.governance.kinds import Role, VotingMethod
from ledger.governance.process_txs import MultisigApprove, ProposalProcess
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalCancel, ProposalSponsor, ProposalSubmit
from ledger.governance.roles import RevokeRole, SetRole
from ledger.governance.vote_txs import Vote
from ledger.keys import Address
from ledger.splits.parties import Party
from ledger.state.events import Event, Receipt
from ledger.treasury.allowance_spend import AllowanceSpend
from ledger.treasury.allowances import Grantee
from ledger.treasury.holder_claim import HolderClaim
from ledger.treasury.vesting import Schedule
from ledger.tx import Payload
from tests.ledger.adversarial.governs import SETTLE_DAYS, honest_majority_governs
from tests.ledger.adversarial.world import (
    ACTORS,
    LOOT,
    OPEN_TRIBUTE,
    PARAMS,
    SHARES,
    Snapshot,
    World,
    check_executions,
    check_exit_locked,
    check_exit_paid_exactly,
    check_open_tallies,
    check_rights_end_with_membership,
    check_tallies,
    check_value_per_unit_kept,
    fair_exit_payouts,
    native_total,
    record_submissions,
    setup,
    snapshot,
    supports_live_value_move,
)
from tests.ledger.conftest import ALICE

NAMES = ("alice", "bob", "carol", "mallory", "dave", "erin", "brand")
KEY = dict(zip(NAMES, ACTORS, strict=True))
actors = st.sampled_from(NAMES)  # names, so that hypothesis prints readable counterexamples
index = st.integers(0, 5)
amounts = st.one_of(st.integers(1, 3_000), st.just(10**12))
BALLOTS = (
    Ballot((0,)),
    Ballot((1,)),
    Ballot((2,)),
    Ballot((3,)),
    Ballot((0, 1), (600_000, 400_000)),
)


def action_for(world: World, choice: int, who: Address, amount: int) -> tuple[Action, ...]:
    small = amount % 3_000 + 1
    options: list[tuple[Action, ...]] = [
        (TreasurySpend(NATIVE, who, small),),
        (Mint(SHARES, who, amount % 50 + 1),),
        (Admit(who, ((SHARES, amount),)),),
        (Expel(who, forfeit=amount % 2 == 0),),
        (SetRole(Role.GOVERNOR, who),),
        (RevokeRole(Role.GOVERNOR, who),),
        (SetAllowance(Grantee.member(who), NATIVE, amount % 100, 86_400),),
        (StreamCreate(who, NATIVE, Schedule(0, 3 * DAY, DAY, 0, small)),),
        (),
        (SetParams(PARAMS.__class__(**{**_fields(PARAMS), "proposal_deposit": amount % 20})),),
        (HolderDistribution(Asset(world.cid, SHARES), NATIVE, small),),
    ]
    return options[choice % len(options)]


def _fields(params: object) -> dict[str, object]:
    return {name: getattr(params, name) for name in params.__slots__}  # type: ignore[attr-defined]


class Adversaries(RuleBasedStateMachine):
    check_rights: ClassVar[bool] = True  # items 3 and 9 (off only to demonstrate the others)
    check_locks: ClassVar[bool] = True

    def __init__(self) -> None:
        super().__init__()
        self.world = setup()

    # --- helpers ---------------------------------------------------------------------------

    def pick(self, i: int, *statuses: Status) -> int:
        view = self.world.chain.view
        pids = self.world.proposals
        fitting = [p for p in pids if require_proposal(view, p).status in statuses] or pids
        return fitting[-1 - i % len(fitting)] if fitting else 999

    def observe(self, before: Snapshot, events: list[Event]) -> None:
        world = self.world
        after = snapshot(world)
        record_submissions(world, events)
        assert native_total(world) == world.native_total, "the native coin was not conserved"
        check_value_per_unit_kept(before, after, events)
        check_tallies(world, events, before, after)
        check_executions(world, events)
        if self.check_rights:
            check_rights_end_with_membership(world, events)

    def send(
        self, name: str, payload: Payload, *, moves_exit_units: bool = False
    ) -> Receipt | ErrorCode:
        world, key = self.world, KEY[name]
        before = snapshot(world)
        locks = supports_live_value_move(world, key.address) if moves_exit_units else []
        result = world.chain.attempt(key, payload)
        if isinstance(result, Receipt):
            if moves_exit_units and self.check_locks:
                check_exit_locked(world, key.address, locks)
            self.observe(before, list(result.events))
        return result

    # --- rules -----------------------------------------------------------------------------

    @rule(who=actors, cap=st.sampled_from((OPEN_TRIBUTE, 100_000)))
    def join(self, who: str, cap: int) -> None:
        self.send(who, MembershipApply(self.world.cid, (), NATIVE, cap, "let me in"))

    @rule(who=actors, cls=st.sampled_from((SHARES, LOOT)), units=st.integers(0, 12))
    def ragequit(self, who: str, cls: int, units: int) -> None:
        """`units` 0: everything the sender holds of the class."""
        units = units or holding(self.world.chain.view, self.world.cid, cls, KEY[who].address)
        expected = fair_exit_payouts(snapshot(self.world), units)
        result = self.send(who, Ragequit(self.world.cid, ((cls, units),)), moves_exit_units=True)
        if isinstance(result, Receipt):
            check_exit_paid_exactly(result.events, expected)

    @rule(who=actors, victim=actors)
    def ragekick(self, who: str, victim: str) -> None:
        view, cid = self.world.chain.view, self.world.cid
        units = sum(holding(view, cid, c, KEY[victim].address) for c in (SHARES, LOOT))
        expected = fair_exit_payouts(snapshot(self.world), units)
        result = self.send(who, RageKick(cid, KEY[victim].address))
        if isinstance(result, Receipt):
            check_exit_paid_exactly(result.events, expected)

    @rule(who=actors, amount=st.integers(1, 2_000))
    def deposit(self, who: str, amount: int) -> None:
        self.send(who, TreasuryDeposit(self.world.cid, NATIVE, amount))

    @rule(who=actors, cls=st.sampled_from((SHARES, LOOT)), to=actors, units=st.integers(1, 6))
    def transfer(self, who: str, cls: int, to: str, units: int) -> None:
        payload = TokenTransfer(self.world.cid, cls, KEY[to].address, units)
        self.send(who, payload, moves_exit_units=True)

    @rule(who=actors, units=st.integers(1, 3), apply=st.booleans())
    def park_loot_with_a_friend(self, who: str, units: int, apply: bool) -> None:
        """Loot deposited into, or offered as tribute to, a collective that accepts it."""
        loot = Asset(self.world.cid, LOOT)
        payload: Payload = TreasuryDeposit(self.world.friend, loot, units)
        if apply:
            payload = MembershipApply(self.world.friend, ((SHARES, 1),), loot, units, "hi")
        self.send(who, payload, moves_exit_units=True)

    @rule(who=actors, choice=st.integers(0, 10), victim=actors, amount=amounts)
    def submit(self, who: str, choice: int, victim: str, amount: int) -> None:
        actions = action_for(self.world, choice, KEY[victim].address, amount)
        self.send(who, ProposalSubmit(self.world.cid, actions))

    @rule(who=actors, budget=st.integers(1, 5_000), payees=st.lists(actors, min_size=2, max_size=3))
    def allocation_poll(self, who: str, budget: int, payees: list[str]) -> None:
        parties = tuple(Party.account(KEY[t].address) for t in payees)
        choices = (*(f"choice {i}" for i in range(len(parties))), "none")
        payload = ProposalSubmit(
            self.world.cid, (Allocate(NATIVE, budget, parties),), VotingMethod.WEIGHTED, choices
        )
        self.send(who, payload)

    def ballot_for(self, pid: int, option: int) -> Ballot:
        p = require_proposal(self.world.chain.view, pid) if pid != 999 else None
        if p is None or p.method is VotingMethod.BINARY:
            return BALLOTS[option % len(BALLOTS)]
        return Ballot((option % len(p.choices),))

    @rule(who=actors, i=index, option=st.integers(0, 4))
    def vote(self, who: str, i: int, option: int) -> None:
        pid = self.pick(i, Status.VOTING)
        self.send(who, Vote(pid, self.ballot_for(pid, option)))

    @rule(i=index, voters=st.integers(1, 15), option=st.sampled_from((0, 0, 0, 1, 3, 4)))
    def rally(self, i: int, voters: int, option: int) -> None:
        pid = self.pick(i, Status.VOTING)
        for bit, voter in enumerate(NAMES[:4]):
            if voters >> bit & 1:
                self.send(voter, Vote(pid, self.ballot_for(pid, option)))
                self.send(voter, MultisigApprove(pid))

    @rule(who=actors, i=index)
    def sponsor(self, who: str, i: int) -> None:
        self.send(who, ProposalSponsor(self.pick(i, Status.SUBMITTED)))

    @rule(who=actors, i=index)
    def cancel(self, who: str, i: int) -> None:
        self.send(who, ProposalCancel(self.pick(i, Status.SUBMITTED, Status.VOTING)))

    @rule(who=actors, i=index)
    def process(self, who: str, i: int) -> None:
        self.send(who, ProposalProcess(self.pick(i, Status.GRACE, Status.READY)))

    @rule(who=actors, to=actors, ppm=st.integers(1, 1_000_000))
    def delegate(self, who: str, to: str, ppm: int) -> None:
        self.send(who, Delegate(self.world.cid, ALL_KINDS, ((KEY[to].address, ppm),)))

    @rule(who=actors, member=actors)
    def renew(self, who: str, member: str) -> None:
        """Pay `member`'s dues: a lapsed member comes back, the others' term runs longer."""
        self.send(who, MembershipRenew(self.world.cid, KEY[member].address))

    @rule(who=actors, amount=st.integers(1, 80))
    def spend_allowance(self, who: str, amount: int) -> None:
        address = KEY[who].address
        self.send(
            who, AllowanceSpend(self.world.cid, Grantee.member(address), NATIVE, address, amount)
        )

    @rule(who=actors, cls=st.sampled_from((SHARES, LOOT)))
    def claim(self, who: str, cls: int) -> None:
        """Collect what holder distributions paid the class (out of its payout pool)."""
        self.send(who, HolderClaim(Asset(self.world.cid, cls)))

    @rule(ms=st.sampled_from((1_000, HOUR, DAY, 3 * DAY, 8 * DAY)))
    def advance(self, ms: int) -> None:
        before = snapshot(self.world)
        events = self.world.chain.next_block(ms)
        self.observe(before, events)

    @invariant()
    def open_tallies_count_only_held_power(self) -> None:
        """Every open vote's running tally equals the count from scratch of the power its voters
        (and the delegators who lend to a delegate still in good standing) hold now: whatever
        membership ended (an exit, a RageKick, an expulsion, a jailing, a lapse) is out of it."""
        if hasattr(self, "world"):
            check_open_tallies(self.world)

    def teardown(self) -> None:
        """Let every live proposal finish under the invariants, let every holder claim what
        distributions paid (out of the pools, into accounts), then let the honest govern."""
        if hasattr(self, "world"):
            for _ in range(SETTLE_DAYS):
                self.advance(DAY)
            for name in NAMES:
                for cls in (SHARES, LOOT):
                    self.claim(name, cls)
            honest_majority_governs(self.world)


SETTINGS = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),  # no slow explain phase
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_adversaries_take_no_more_than_the_rules_grant() -> None:
    run_state_machine_as_test(Adversaries, settings=SETTINGS)


def test_the_setup_is_what_the_machine_assumes() -> None:
    """The machine's opening state: a governor, an allowance, a funded OPEN treasury and a
    spend to Alice in its vote."""
    world = setup()
    statuses = [require_proposal(world.chain.view, p).status for p in world.proposals]
    assert statuses == [Status.EXECUTED, Status.EXECUTED, Status.VOTING]
    assert holding(world.chain.view, world.cid, SHARES, ALICE.address) == 10

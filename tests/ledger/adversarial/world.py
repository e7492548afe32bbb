"""The adversarial world: an OPEN collective (Cartridge Keepers) whose members and outsiders try
to take more than the rules grant, a friend's collective that accepts its loot, and the
invariants the machine in test_machine.py checks after every tx and every block.

Everything runs as real txs through the executor (signatures skipped for speed, as in the other
property tests). The invariants are computed from the state, independently of the rule under
test wherever the rule is what is being checked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ledger.collectives import keys as ckeys
from ledger.collectives.checkpoints import point_at
from ledger.collectives.delegation import current_delegations, effective_delegation
from ledger.collectives.holdings import exit_supply, shares_of, supply
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.membership import MembershipRenew
from ledger.collectives.model import ClassKind, Collective, TokenClass
from ledger.collectives.params import DAY, PPM, AdmissionMode, CollectiveParams
from ledger.collectives.store import get_member, iter_members, require_collective
from ledger.collectives.treasury import balances
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.governance.actions import Action
from ledger.governance.actions_treasury import SetAllowance
from ledger.governance.ballots import approvals, ballots
from ledger.governance.core_actions import Admit, TreasurySpend
from ledger.governance.kinds import BinaryOption, DecisionMethod, ProposalKind, Role, VotingMethod
from ledger.governance.policy import Policy
from ledger.governance.proposal import Proposal, Status, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.roles import SetRole
from ledger.governance.running import running_tally
from ledger.governance.vote_txs import Vote
from ledger.keys import Address, PrivateKey
from ledger.state.events import Event
from ledger.treasury.allowances import Grantee, GranteeKind, allowances_of
from tests.ledger import custody
from tests.ledger.conftest import ALICE, BOB, BRAND, CAROL, DAVE, ERIN, MALLORY, YES, Chain
from tests.ledger.governance.reference import reference_tally

SHARES, LOOT, BADGE = 0, 1, 2
CLASSES = (
    TokenClass("shares", ClassKind.SHARES, transferable=True),
    TokenClass("loot", ClassKind.LOOT, transferable=True, members_only=False),
    TokenClass("badge", ClassKind.BADGE),
)
OPEN_TRIBUTE = 10
TERM = 6 * DAY
PARAMS = CollectiveParams(
    admission_mode=AdmissionMode.OPEN,
    open_tribute=OPEN_TRIBUTE,
    open_grant=(1, 0, 0),
    proposal_deposit=10,
    max_live_per_proposer=3,
    allow_forfeit=True,
    membership_term_ms=TERM,
    renewal_grace_ms=DAY,
)  # memberships lapse a week after their last renewal, so lapses meet every other rule
SIGNERS = tuple(sorted((ALICE.address, BOB.address, CAROL.address), key=lambda a: a.raw))
POLICIES: tuple[tuple[int, Policy], ...] = (
    (
        ProposalKind.TOKENS,
        Policy(method=DecisionMethod.MULTISIG, signers=SIGNERS, required_approvals=2),
    ),
    (ProposalKind.MODERATION, Policy(method=DecisionMethod.OPTIMISTIC, expedited_period_ms=0)),
)
FUNDS = 5_000
MEMBERS = (ALICE, BOB, CAROL, MALLORY)
OUTSIDERS = (DAVE, ERIN, BRAND)
ACTORS = (*MEMBERS, *OUTSIDERS)
# what a spend "of the window" means for the escalation check (docs/governance.md, item 8)
SPEND_KINDS = (ProposalKind.SPEND, ProposalKind.STREAMS, ProposalKind.ALLOCATION)


@dataclass
class World:
    chain: Chain
    cid: bytes
    friend: bytes  # a collective that accepts the Keepers' loot (the exit-lock bypass of item 6)
    proposals: list[int] = field(default_factory=list)
    native_total: int = 0
    expected_kind: dict[int, int] = field(default_factory=dict)
    executed: Counter[int] = field(default_factory=Counter)
    approvers_seen: list[Address] = field(default_factory=list)

    @property
    def view(self):  # type: ignore[no-untyped-def]
        return self.chain.view

    def collective(self) -> Collective:
        return require_collective(self.chain.view, self.cid)


def setup() -> World:
    chain = Chain(check_signatures=False)
    friend = chain.create_collective(
        DAVE, [(DAVE, (1, 0, 0))], classes=CLASSES, name="Dave's Arcade"
    )
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0, 1)), (BOB, (5, 2, 1)), (CAROL, (5, 0, 1)), (MALLORY, (2, 0, 1))],
        classes=CLASSES,
        params=PARAMS,
        policies=POLICIES,
        name="Cartridge Keepers",
    )
    chain.send(BRAND, TreasuryDeposit(cid, NATIVE, FUNDS, "sponsorship"))
    chain.accept(friend, Asset(cid, LOOT))
    chain.next_block()
    world = World(chain, cid, friend)
    # Mallory is made governor and Bob gets an allowance, by passed governance proposals
    for action in (
        SetRole(Role.GOVERNOR, MALLORY.address),
        SetAllowance(Grantee.member(BOB.address), NATIVE, 50, 86_400),
    ):
        renew_all(world)
        pid = submit(world, ALICE, (action,))
        for voter in (ALICE, BOB, CAROL):
            chain.send(voter, Vote(pid, YES))
        for _ in range(8):
            chain.next_block(DAY)
        assert require_proposal(chain.view, pid).status is Status.EXECUTED
    renew_all(world)  # renewals add up: every founder's term runs out 8 days into the run
    submit(world, ALICE, (TreasurySpend(NATIVE, ALICE.address, 400),))  # voting as a run starts
    world.native_total = native_total(world)
    return world


def renew_all(world: World) -> None:
    for member in MEMBERS:
        world.chain.send(ALICE, MembershipRenew(world.cid, member.address))


def submit(world: World, who: PrivateKey, actions: Sequence[Action], **kw: object) -> int:
    receipt = world.chain.send(who, ProposalSubmit(world.cid, tuple(actions), **kw))  # type: ignore[arg-type]
    return record_submissions(world, receipt.events)[0]


def record_submissions(world: World, events: Sequence[Event]) -> list[int]:
    pids = []
    for event in events:
        if event.kind == "proposal_submitted" and event.get("collective") == world.cid:
            pid = int(event.get("proposal") or 0)
            world.proposals.append(pid)
            world.expected_kind[pid] = expected_kind(world, require_proposal(world.view, pid))
            pids.append(pid)
    return pids


# --- value ---------------------------------------------------------------------------------


def native_total(world: World) -> int:
    """Every place the native coin can sit (tests/ledger/custody.py), holders' pools included."""
    return custody.native_total(world.chain.view)


@dataclass(frozen=True)
class Snapshot:
    """What the invariants compare across one tx or block."""

    treasury: dict[bytes, int]  # asset raw -> balance
    exit_supply: int
    shares: dict[bytes, int]  # address raw -> backing units (0 when jailed or not a member)
    standing: frozenset[bytes]  # the addresses of members who are not jailed


def snapshot(world: World) -> Snapshot:
    view = world.chain.view
    collective = world.collective()
    return Snapshot(
        {a.raw: n for a, n in balances(view, world.cid)},
        exit_supply(view, world.cid, collective),
        {k.address.raw: backing(world, k.address) for k in ACTORS},
        frozenset(k.address.raw for k in ACTORS if _in_good_standing(world, k.address)),
    )


def backing(world: World, who: Address) -> int:
    member = get_member(world.view, world.cid, who)
    if member is None or member.jailed:
        return 0
    return shares_of(world.view, world.cid, world.collective(), who)


def _in_good_standing(world: World, who: Address) -> bool:
    member = get_member(world.view, world.cid, who)
    return member is not None and not member.jailed


def fair_exit_payouts(before: Snapshot, units: int) -> dict[bytes, int]:
    """Moloch's exit: floor(balance x units / total) of every asset, on the pre-exit totals."""
    if before.exit_supply == 0:
        return {}
    out = {a: n * units // before.exit_supply for a, n in before.treasury.items()}
    return {a: n for a, n in out.items() if n}


def check_exit_paid_exactly(events: Sequence[Event], expected: dict[bytes, int]) -> None:
    paid = {e.get("asset"): e.get("amount") for e in events if e.kind == "exit_payout"}
    assert paid == expected, f"an exit paid {paid}, its exact pro-rata is {expected}"


def check_value_per_unit_kept(before: Snapshot, after: Snapshot, events: Sequence[Event]) -> None:
    """Without a passed proposal or an allowance paying out, no tx or block lowers what one exit
    unit is worth: joins pay at least the value they buy, exits take at most their share."""
    if any(e.kind in ("proposal_executed", "allowance_spend") for e in events):
        return
    if before.exit_supply == 0 or after.exit_supply == 0:
        return
    for asset, was in before.treasury.items():
        now = after.treasury.get(asset, 0)
        assert now * before.exit_supply >= was * after.exit_supply, (
            f"one unit's share of {asset.hex()} fell from {was}/{before.exit_supply} "
            f"to {now}/{after.exit_supply} without a vote"
        )


# --- policies ------------------------------------------------------------------------------


def expected_kind(world: World, p: Proposal) -> int:
    """The strictest kind a proposal's actions belong to, judged when it is submitted, with the
    proposals of the spending window (this epoch of a week and the one before) that have not
    ended unexecuted: a spend, stream or allocation taking more than `large_spend_ppm` of an
    asset is a large spend; an admission granting more than a third of a class mints (TOKENS)."""
    if not p.actions:
        return ProposalKind.SIGNAL
    kind = int(p.actions[0].KIND)
    view = world.view
    ratio = world.collective().params.large_spend_ppm
    epoch = p.submitted_ms // WINDOW_MS
    taken: Counter[bytes] = Counter()
    for other in world.proposals:
        q = require_proposal(view, other)
        ended_unexecuted = q.status.is_final and q.status is not Status.EXECUTED
        if ended_unexecuted or q.submitted_ms // WINDOW_MS < epoch - 1:
            continue
        for action in q.actions:
            outflow = action.treasury_outflow()
            if outflow:
                taken[outflow[0].raw] += outflow[1]
            for cls, amount in admitted(action):
                if CLASSES[cls].kind is not ClassKind.BADGE:
                    taken[Asset(world.cid, cls).raw] += amount
    treasury = {a.raw: n for a, n in balances(view, world.cid)}
    mine = {raw for a in p.actions for raw in _assets_of(world, a)}
    large = any(taken[a] * PPM > ratio * treasury.get(a, 0) for a in mine)
    if kind in SPEND_KINDS and ratio and large:
        return ProposalKind.SPEND_LARGE
    if kind == ProposalKind.ADMIT:
        for raw in mine:
            if taken[raw] * PPM > 333_333 * supply(view, world.cid, Asset.parse(raw).token_class):
                return ProposalKind.TOKENS
    return kind


def _assets_of(world: World, action: Action) -> list[bytes]:
    outflow = action.treasury_outflow()
    out = [outflow[0].raw] if outflow else []
    exit_classes = [c for c, _ in admitted(action) if CLASSES[c].kind is not ClassKind.BADGE]
    return out + [Asset(world.cid, c).raw for c in exit_classes]


WINDOW_MS = 7 * DAY


def admitted(action: Action) -> tuple[tuple[int, int], ...]:
    return action.holdings if isinstance(action, Admit) else ()


def bar_passes(policy: Policy, tally: Sequence[int], total: int, expedited: bool) -> bool:
    """A binary policy's bar, recomputed here independently of ledger.governance.tally."""
    yes, no, abstain, veto = tally
    if total <= 0:
        return False
    if policy.method is DecisionMethod.OPTIMISTIC:
        return (no + veto) * PPM < policy.optimistic_reject_ppm * total
    quorum = policy.expedited_quorum_ppm if expedited else policy.quorum_ppm
    threshold = policy.expedited_threshold_ppm if expedited else policy.threshold_ppm
    turnout = yes + no + abstain + veto
    return (
        turnout * PPM >= quorum * total
        and (policy.veto_ppm == 0 or veto * PPM < policy.veto_ppm * turnout)
        and yes * PPM >= policy.yes_quorum_ppm * total
        and yes * PPM > threshold * (yes + no + veto)
    )


def backed_tally(
    world: World, pid: int, p: Proposal, before: Snapshot, after: Snapshot
) -> list[int]:
    """The binary tally with every ballot (and every delegated part) counting no more than the
    voter still holds when the vote counts: power at the snapshot is not enough (item 5); and a
    delegate who left, was jailed or had lapsed at the start carries nothing lent to them. The
    tally may run before or after another change of the same tx or block (a jailing, an exit),
    so each option gets the bound that favours passing: yes and abstain count the power held
    before or after, whichever is more; no and veto whichever is less (a veto whose power left
    before the tally is gone)."""
    high = _backed_scores(world, pid, p, (before, after), max)
    low = _backed_scores(world, pid, p, (before, after), min)
    return [high[0], low[1], high[2], low[3]]


def _backed_scores(
    world: World,
    pid: int,
    p: Proposal,
    around: tuple[Snapshot, Snapshot],
    pick: Callable[[int, int], int],
) -> list[int]:
    def power(who: Address) -> int:
        if who in p.excluded:
            return 0
        snap = point_at(world.view, p.collective, who, p.snapshot_height).at(p.start_ms)
        return min(snap, pick(*(s.shares.get(who.raw, snap) for s in around)))

    def carries(delegate: Address) -> bool:  # a member, not jailed, before or after; and
        point = point_at(world.view, p.collective, delegate, p.snapshot_height)
        if point.voting_until and p.start_ms >= point.voting_until:  # not lapsed at the start
            return False
        return bool(pick(*(int(delegate.raw in s.standing) for s in around)))

    cast = {voter: ballot for voter, ballot in ballots(world.view, pid) if voter not in p.excluded}
    weight = {voter: power(voter) for voter in cast}
    for who, _ in iter_members(world.view, p.collective):
        if who in cast:
            continue
        lent = power(who)
        for delegate, ppm in effective_delegation(
            world.view, p.collective, who, p.kind, p.snapshot_height
        ):
            if delegate in weight and carries(delegate):
                weight[delegate] += lent * ppm // PPM
    tally = [0, 0, 0, 0]
    for voter, ballot in cast.items():
        for option, ppm in ballot.parts():
            tally[option] += weight[voter] * ppm // PPM
    return tally


def check_tallies(world: World, events: Sequence[Event], before: Snapshot, after: Snapshot) -> None:
    for event in events:
        if event.kind != "proposal_tallied" or event.get("outcome") != "pass":
            continue
        pid = int(event.get("proposal") or 0)
        p = require_proposal(world.view, pid)
        policy = p.require_policy()
        if p.collective != world.cid or p.method is not VotingMethod.BINARY:
            continue
        if policy.method is not DecisionMethod.VOTE:
            continue
        tally = backed_tally(world, pid, p, before, after)
        assert bar_passes(policy, tally, p.total_power, p.expedited), (
            f"proposal {pid} passed with power its voters no longer held: "
            f"ledger tally {p.tally}, backed tally {tally} of {p.total_power}"
        )


def check_open_tallies(world: World) -> None:
    """Each proposal in VOTING: the running tally is the from-scratch count (the reference of
    tests/ledger/governance/reference.py, which visits every member)."""
    view = world.view
    for pid in world.proposals:
        p = require_proposal(view, pid)
        if p.status is not Status.VOTING:
            continue
        kept = running_tally(view, pid, p)
        scratch = reference_tally(view, pid, p)
        assert (kept.scores, kept.direct, kept.turnout) == scratch[:3], (
            f"open proposal {pid} counts {kept.scores} (direct {kept.direct}), its voters hold "
            f"{scratch[0]} (direct {scratch[1]})"
        )


def check_executions(world: World, events: Sequence[Event]) -> None:
    for event in events:
        if event.kind != "proposal_executed" or event.get("collective") != world.cid:
            continue
        pid = int(event.get("proposal") or 0)
        world.executed[pid] += 1
        assert world.executed[pid] == 1, f"proposal {pid} executed twice"
        p = require_proposal(world.view, pid)
        want = world.expected_kind.get(pid)
        assert want is None or p.kind == want, (
            f"proposal {pid} ({[type(a).__name__ for a in p.actions]}) was decided as kind "
            f"{ProposalKind(p.kind).name}, it belongs to {ProposalKind(want).name}"
        )


# --- exit locks ----------------------------------------------------------------------------


def supports_live_value_move(world: World, who: Address) -> list[int]:
    """Live value-moving proposals `who` supports: a yes (or any choice of an allocation), a
    multisig approval, or, for an optimistic one, having proposed or sponsored it."""
    view = world.view
    out = []
    for pid in world.proposals:
        p = require_proposal(view, pid)
        if p.status.is_final or not any(a.MOVES_VALUE for a in p.actions):
            continue
        mine = dict(ballots(view, pid)).get(who)
        none = len(p.choices) - 1  # an allocation's last choice rejects it
        if mine is None:
            supported = False
        elif p.method is VotingMethod.BINARY:
            supported = mine.supports(BinaryOption.YES)
        else:
            supported = any(ppm for option, ppm in mine.parts() if option != none)
        supported = supported or who in approvals(view, pid)
        optimistic = p.policy is not None and p.policy.method is DecisionMethod.OPTIMISTIC
        supported = supported or (optimistic and who in (p.proposer, p.sponsor))
        if supported:
            out.append(pid)
    return out


def check_exit_locked(world: World, who: Address, locks_before: list[int]) -> None:
    assert not locks_before, (
        f"{who!r} moved exit-bearing units out while supporting live proposals {locks_before}"
    )


# --- rights end with membership ------------------------------------------------------------


def check_rights_end_with_membership(world: World, events: Sequence[Event]) -> None:
    """A non-member holds no role, allowance or delegation, and approves nothing (item 3); nobody
    delegates to a jailed member."""
    view, cid = world.view, world.cid

    def member(raw: bytes) -> bool:
        return get_member(view, cid, Address(raw)) is not None

    prefix = ckeys.ROLE + cid
    for key, _ in view.iter_prefix(prefix):
        holder = key[len(prefix) + 1 :]
        assert member(holder), f"non-member {holder.hex()} holds role {key[len(prefix)]}"
    for grantee, _asset, _ in allowances_of(view, cid):
        if grantee.kind is GranteeKind.MEMBER:
            assert member(grantee.id), f"non-member {grantee.id.hex()} holds an allowance"
    prefix = ckeys.DELEGATION + cid
    delegators = {key[len(prefix) : len(prefix) + 20] for key, _ in view.iter_prefix(prefix)}
    for raw in delegators:
        for _scope, splits in current_delegations(view, cid, Address(raw)):
            assert member(raw), f"non-member {raw.hex()} delegates"
            for delegate, _ppm in splits:
                assert member(delegate.raw), f"non-member {delegate.raw.hex()} is a delegate"
                assert _in_good_standing(world, delegate), f"jailed {delegate!r} is a delegate"
    for event in events:
        if event.kind == "multisig_approval":
            signer = event.get("signer")
            assert isinstance(signer, bytes) and member(signer), "a non-member approved"

"""Invariants over random sequences of every collectives and governance tx kind.

After every step: the native coin is conserved (accounts + treasuries + escrows); every token's
supply equals its holdings plus what vaults hold, and changes only by the minted and burned
amounts; no proposal executes twice; every executed proposal cleared its frozen policy's bar
and waited out its grace; every rejected tx named a code and changed nothing.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.collectives import keys as ckeys
from ledger.collectives import payouts
from ledger.collectives.create import CollectiveCreate, Founder
from ledger.collectives.delegation import ALL_KINDS, Delegate
from ledger.collectives.exit import RageKick, Ragequit
from ledger.collectives.holdings import supply
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.membership import MembershipApply, MembershipRenew, MembershipWithdraw
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.params import DAY, HOUR, PPM, CollectiveParams
from ledger.collectives.store import require_collective
from ledger.collectives.token_transfer import TokenTransfer
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode
from ledger.governance import escrow
from ledger.governance.actions import Action
from ledger.governance.ballots import Ballot, commitment
from ledger.governance.core_actions import (
    Admit,
    Burn,
    Expel,
    Mint,
    SetParams,
    TreasurySpend,
)
from ledger.governance.electorate import has_weight
from ledger.governance.kinds import DecisionMethod, ProposalKind, VotingMethod
from ledger.governance.policy import Policy
from ledger.governance.process_txs import MultisigApprove, ProposalProcess
from ledger.governance.proposal import Proposal, Status, require_proposal
from ledger.governance.proposal_txs import ProposalCancel, ProposalSponsor, ProposalSubmit
from ledger.governance.running import running_tally
from ledger.governance.vote_txs import Vote, VoteCommit, VoteReveal
from ledger.keys import PrivateKey
from ledger.state.events import Event, Receipt
from ledger.tx import Payload
from tests.ledger import custody
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, MALLORY, PEOPLE, Chain
from tests.ledger.governance import reference

CLASSES = (
    TokenClass("shares", ClassKind.SHARES, transferable=True),
    TokenClass("loot", ClassKind.LOOT, transferable=True, members_only=False),
    TokenClass("badge", ClassKind.BADGE),
)
PARAMS = CollectiveParams(
    proposal_deposit=10,
    max_live_per_proposer=3,
    membership_term_ms=30 * DAY,
    renewal_grace_ms=DAY,
    dues=5,
    allow_forfeit=True,
)
SIGNERS = tuple(sorted((ALICE.address, BOB.address, CAROL.address), key=lambda a: a.raw))
POLICIES: tuple[tuple[int, Policy], ...] = (
    (ProposalKind.GOVERNANCE, Policy(secret_ballot=True, expedited_period_ms=0)),
    (
        ProposalKind.TOKENS,
        Policy(
            method=DecisionMethod.MULTISIG,
            signers=SIGNERS,
            required_approvals=2,
            expedited_period_ms=0,
        ),
    ),
    (ProposalKind.SPEND_LARGE, Policy(method=DecisionMethod.OPTIMISTIC, expedited_period_ms=0)),
    (ProposalKind.ADMIT, Policy(vote_replacement=True)),
)
METHODS = list(VotingMethod)
ADVANCES = (1_000, HOUR, DAY, 3 * DAY, 8 * DAY)


@dataclass
class World:
    chain: Chain
    cid: bytes
    fans: bytes
    proposals: list[int] = field(default_factory=list)
    secrets: dict[tuple[int, bytes], tuple[Ballot, bytes]] = field(default_factory=dict)
    minted: Counter[tuple[bytes, int]] = field(default_factory=Counter)
    executed: Counter[int] = field(default_factory=Counter)
    native_total: int = 0

    def pid(self, index: int) -> int:
        """One of the latest proposals (index 0 is the newest; a negative index -n names
        proposal n, for scripts); 999 when there is none."""
        if index < 0:
            return -index
        if not self.proposals:
            return 999
        return self.proposals[-1 - index % len(self.proposals)]

    def live(self, index: int, *statuses: Status) -> int:
        """One of the proposals in `statuses` (so most votes land somewhere), else any."""
        if index < 0:
            return -index
        view = self.chain.view
        fitting = [p for p in self.proposals if require_proposal(view, p).status in statuses]
        if not fitting:
            return self.pid(index)
        return fitting[-1 - index % len(fitting)]


def setup() -> World:
    chain = Chain(check_signatures=False)
    fans = chain.create_collective(DAVE, [(DAVE, (1, 500, 0))], classes=CLASSES, name="fan club")
    cid = chain.create_collective(
        ALICE,
        [(ALICE, (10, 0, 1)), (BOB, (5, 2, 1)), (CAROL, (5, 0, 1)), (MALLORY, (2, 0, 1))],
        classes=CLASSES,
        params=PARAMS,
        policies=POLICIES,
        name="Cartridge Keepers",
    )
    chain.send(ERIN, TreasuryDeposit(cid, NATIVE, 5_000))
    chain.accept(cid, Asset(fans, 1))
    chain.send(DAVE, TreasuryDeposit(cid, Asset(fans, 1), 100))
    chain.next_block()
    world = World(chain, cid, fans)
    opening: list[tuple[Any, ...]] = [
        ("submit", CAROL, 7, MALLORY, 6),  # a parameter change, by secret ballot
        ("apply", DAVE, 3, 40),  # an application waiting for a sponsor
        ("submit", BOB, 1, CAROL, 4),  # a mint under the multisig policy
        ("poll", CAROL, VotingMethod.RANKED),  # a ranked-choice poll
        ("submit", ALICE, 3, MALLORY, 1),  # an expulsion
        ("submit", ALICE, 0, ERIN, 100),  # a spend, voting at once
    ]
    for step in opening:
        result = run(world, step)
        assert isinstance(result, Receipt), (step, result)
    world.native_total = native_total(world)
    for cid_, cls in tokens(world):
        world.minted[(cid_, cls)] = supply(chain.view, cid_, cls)
    return world


def native_total(world: World) -> int:
    """Every place the native coin can sit (tests/ledger/custody.py)."""
    return custody.native_total(world.chain.view)


def vault_assets(world: World) -> list[tuple[Asset, int]]:
    view = world.chain.view
    out = []
    for key, value in view.iter_prefix(ckeys.TREASURY):
        out.append((Asset.parse(key[1 + 20 :]), int.from_bytes(value, "big")))
    out += [(e.asset, e.amount) for e in escrow.total_held(view)]
    return out + payouts.all_pools(view)


def tokens(world: World) -> list[tuple[bytes, int]]:
    return [(cid, cls) for cid in (world.cid, world.fans) for cls in range(len(CLASSES))]


def ballot_for(method: VotingMethod, choices: int, r: int) -> Ballot:
    if r % 13 == 12:
        return Ballot(())  # invalid on purpose
    if method is VotingMethod.BINARY:
        if r % 5 == 4:
            return Ballot((0, 1), (600_000, 400_000))
        return Ballot((r % 5,))
    first, second = r % choices, (r + 1) % choices
    if method is VotingMethod.SINGLE:
        return Ballot((first,))
    if method in (VotingMethod.APPROVAL, VotingMethod.RANKED):
        return Ballot((first, second))
    return Ballot((first, second), (300_000, 700_000))


def action_for(world: World, choice: int, target: PrivateKey, amount: int) -> tuple[Action, ...]:
    who = target.address
    options: list[tuple[Action, ...]] = [
        (TreasurySpend(NATIVE, who, amount),),
        (Mint(choice % 2, who, amount % 50 + 1),),
        (Burn(0, who, amount % 7 + 1),),
        (Expel(who, forfeit=amount % 2 == 0),),
        (Admit(who, ((0, amount % 9 + 1),)),),
        (),
        (TreasurySpend(Asset(world.fans, 1), who, amount % 60 + 1),),
        (SetParams(dataclasses.replace(PARAMS, proposal_deposit=amount % 20)),),
        (TreasurySpend(NATIVE, who, 1), Mint(0, who, 1)),  # mixed kinds: refused
    ]
    return options[choice % len(options)]


people = st.sampled_from(PEOPLE)
members = st.sampled_from((ALICE, BOB, CAROL, ALICE, BOB, MALLORY))
index = st.integers(0, 5)
votes = st.tuples(st.just("vote"), members, index, st.integers(0, 100))
rally = st.tuples(st.just("rally"), index, st.integers(0, 100), st.integers(1, 15))
steps = st.one_of(
    votes,
    votes,
    votes,
    st.tuples(st.just("approve"), members, index),
    st.tuples(st.just("deposit"), people, st.booleans(), st.integers(1, 300)),
    st.tuples(st.just("transfer"), people, st.integers(0, 2), people, st.integers(1, 6)),
    st.tuples(st.just("apply"), people, st.integers(0, 8), st.integers(0, 150)),
    st.tuples(st.just("withdraw"), people, index),
    st.tuples(st.just("sponsor"), members, index),
    st.tuples(st.just("submit"), members, st.integers(0, 8), people, st.integers(1, 2_000)),
    st.tuples(st.just("poll"), people, st.sampled_from(METHODS[1:])),
    st.tuples(st.just("commit"), members, index, st.integers(0, 100)),
    st.tuples(st.just("reveal"), members, index),
    st.tuples(st.just("approve"), members, index),
    st.tuples(st.just("cancel"), people, index),
    st.tuples(st.just("process"), people, index),
    st.tuples(st.just("ragequit"), people, st.integers(0, 1), st.integers(1, 6)),
    st.tuples(st.just("ragekick"), people, people),
    st.tuples(st.just("renew"), people, people),
    st.tuples(st.just("delegate"), people, people, st.integers(0, 1_000_000), st.booleans()),
    st.tuples(st.just("create"), people),
    st.tuples(st.just("advance"), st.sampled_from(ADVANCES)),
)
advance = st.tuples(st.just("advance"), st.sampled_from(ADVANCES))
rounds = st.lists(st.tuples(steps, steps, rally, advance), min_size=3, max_size=15).map(
    lambda rs: [step for r in rs for step in r]
)


def run(world: World, step: tuple[Any, ...]) -> Receipt | ErrorCode | list[Event]:
    chain, cid = world.chain, world.cid
    op, *args = step
    key = args[0]
    if op == "advance":
        return chain.next_block(int(args[0]))
    if op == "rally":  # several members vote, commit or approve on one live proposal
        pid = world.live(int(args[0]), Status.VOTING)
        events: list[Event] = []
        for bit, voter in enumerate((ALICE, BOB, CAROL, MALLORY)):
            if int(args[2]) >> bit & 1:
                outcome = chain.attempt(voter, ballot_payload(world, pid, voter, int(args[1])))
                if isinstance(outcome, Receipt):
                    events += outcome.events
        return events
    assert isinstance(key, PrivateKey)
    payload: Payload
    if op == "deposit":
        asset = Asset(world.fans, 1) if args[1] else NATIVE
        payload = TreasuryDeposit(cid, asset, args[2], "memo")
    elif op == "transfer":
        payload = TokenTransfer(cid, args[1], args[2].address, args[3])
    elif op == "apply":
        holdings = ((0, args[1]),) if args[1] else ()
        payload = MembershipApply(cid, holdings, NATIVE, args[2], "let me in")
    elif op == "withdraw":
        payload = MembershipWithdraw(world.live(args[1], Status.SUBMITTED))
    elif op == "sponsor":
        payload = ProposalSponsor(world.live(args[1], Status.SUBMITTED))
    elif op == "submit":
        actions = action_for(world, args[1], args[2], args[3])
        payload = ProposalSubmit(cid, actions, expedited=args[3] % 5 == 0)
    elif op == "poll":
        payload = ProposalSubmit(cid, (), args[1], ("a", "b", "c"))
    elif op in ("vote", "commit"):
        pid = world.live(args[1], Status.VOTING)
        proposal = require_proposal(chain.view, pid) if world.proposals else None
        method = proposal.method if proposal else VotingMethod.BINARY
        choices = len(proposal.choices) if proposal else 0
        ballot = ballot_for(method, choices or 2, args[2])
        if op == "vote":
            payload = Vote(pid, ballot)
        else:
            salt = bytes([args[2] % 256]) * 32
            world.secrets[(pid, key.address.raw)] = (ballot, salt)
            payload = VoteCommit(pid, commitment(pid, key.address, ballot, salt))
    elif op == "reveal":
        pid = world.live(args[1], Status.VOTING)
        ballot, salt = world.secrets.get((pid, key.address.raw), (Ballot((0,)), bytes(32)))
        payload = VoteReveal(pid, ballot, salt)
    elif op == "approve":
        payload = MultisigApprove(world.live(args[1], Status.VOTING))
    elif op == "cancel":
        pid = world.live(args[1], Status.SUBMITTED, Status.VOTING)
        payload = ProposalCancel(pid)
    elif op == "process":
        pid = world.live(args[1], Status.GRACE, Status.READY)
        payload = ProposalProcess(pid)
    elif op == "ragequit":
        payload = Ragequit(cid, ((args[1], args[2]),))
    elif op == "ragekick":
        payload = RageKick(cid, args[1].address)
    elif op == "renew":
        payload = MembershipRenew(cid, args[1].address)
    elif op == "delegate":
        splits = ((args[1].address, args[2]),) if args[2] else ()
        scope = ProposalKind.SPEND if args[3] else ALL_KINDS
        payload = Delegate(cid, scope, splits)
    else:
        assert op == "create"
        payload = CollectiveCreate(
            "side project", "", CLASSES, (Founder(key.address, (1, 0, 0)),), PARAMS
        )
    result = chain.attempt(key, payload)
    if isinstance(result, Receipt):
        for event in result.events:
            if event.kind == "proposal_submitted":
                world.proposals.append(int(event.get("proposal") or 0))
    return result


def ballot_payload(world: World, pid: int, voter: PrivateKey, seed: int) -> Payload:
    """The right kind of ballot for the proposal's policy: approval, commitment or vote."""
    if not world.proposals:
        return Vote(pid, Ballot((0,)))
    proposal = require_proposal(world.chain.view, pid)
    policy = proposal.policy
    if policy is not None and policy.method is DecisionMethod.MULTISIG:
        return MultisigApprove(pid)
    ballot = ballot_for(proposal.method, len(proposal.choices) or 2, seed)
    if policy is not None and policy.secret_ballot:
        salt = bytes([seed % 256]) * 32
        world.secrets[(pid, voter.address.raw)] = (ballot, salt)
        return VoteCommit(pid, commitment(pid, voter.address, ballot, salt))
    return Vote(pid, ballot)


def passed_its_bar(p: Proposal) -> bool:
    """The policy's bar, recomputed here independently of ledger.governance.tally."""
    policy = p.policy
    assert policy is not None
    if policy.method is DecisionMethod.MULTISIG:
        return p.tally[0] >= policy.required_approvals
    if p.method is not VotingMethod.BINARY:
        return p.winner >= 0
    yes, no, abstain, veto = p.tally
    total = p.total_power
    if policy.method is DecisionMethod.OPTIMISTIC:
        return (no + veto) * PPM < policy.optimistic_reject_ppm * total
    quorum = policy.expedited_quorum_ppm if p.expedited else policy.quorum_ppm
    threshold = policy.expedited_threshold_ppm if p.expedited else policy.threshold_ppm
    turnout = yes + no + abstain + veto
    return (
        total > 0
        and turnout * PPM >= quorum * total
        and (policy.veto_ppm == 0 or veto * PPM < policy.veto_ppm * turnout)
        and yes * PPM >= policy.yes_quorum_ppm * total
        and yes * PPM > threshold * (yes + no + veto)
    )


def check(world: World, result: Receipt | ErrorCode | list[Event]) -> None:
    chain = world.chain
    events: Sequence[Event] = ()
    if isinstance(result, Receipt):
        events = result.events
    elif isinstance(result, list):
        events = result
    for event in events:
        if event.kind in ("mint", "burn"):
            cid, cls, amount = (
                event.get("collective"),
                event.get("token_class"),
                event.get("amount"),
            )
            assert isinstance(cid, bytes) and isinstance(cls, int) and isinstance(amount, int)
            world.minted[(cid, cls)] += amount if event.kind == "mint" else -amount
        if event.kind == "proposal_executed":
            pid = event.get("proposal")
            assert isinstance(pid, int)
            world.executed[pid] += 1
            assert world.executed[pid] == 1, f"proposal {pid} executed twice"
            p = require_proposal(chain.view, pid)
            assert passed_its_bar(p), f"proposal {pid} executed below its bar: {p}"
            assert p.policy is not None
            assert chain.time_ms >= p.closed_ms + p.policy.grace_period_ms
    assert native_total(world) == world.native_total
    held: Counter[tuple[bytes, int]] = Counter()
    for key, value in chain.view.iter_prefix(ckeys.HOLDING):
        held[(key[1:21], key[21])] += int.from_bytes(value, "big")
    for asset, amount in vault_assets(world):
        if not asset.is_native:
            held[(asset.collective, asset.token_class)] += amount
    for token in tokens(world):
        total = supply(chain.view, *token)
        assert total == held[token], f"supply of {token} is {total}, holdings {held[token]}"
        assert total == world.minted[token], f"{token} changed without mint or burn"
    require_collective(chain.view, world.cid)
    check_running_tallies(world)


def check_running_tallies(world: World) -> None:
    """Every proposal in VOTING: the running tally equals the from-scratch count of today's
    rules, and who may vote is what visiting every member would say."""
    view = world.chain.view
    for pid in set(world.proposals):
        p = require_proposal(view, pid)
        if p.status is not Status.VOTING:
            continue
        counted = running_tally(view, pid, p)
        expected = reference.reference_tally(view, pid, p)
        assert (counted.scores, counted.direct, counted.turnout, counted.voters) == expected[:4]
        for key in PEOPLE:
            assert has_weight(view, p, key.address) == reference.has_weight(view, p, key.address)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rounds)
def test_invariants_hold_over_random_sequences(sequence: list[tuple[Any, ...]]) -> None:
    world = setup()
    for step in sequence:
        check(world, run(world, step))
    check(world, world.chain.next_block(30 * DAY))
    check(world, world.chain.next_block())


def test_a_scripted_walk_reaches_every_tx_kind_and_executions() -> None:
    """A fixed walk through `run`, so the property above is known to reach every tx kind and
    the execution paths (newest proposals first: index 0 is the newest that fits)."""
    world = setup()  # proposals 1-6: params (secret), application, mint, poll, expel, spend
    script: list[tuple[Any, ...]] = [
        ("transfer", BOB, 1, ERIN, 1),  # loot may leave the collective
        ("sponsor", BOB, -2),  # the application starts voting
        ("rally", -6, 0, 15),  # yes on the expedited spend: decided early, then grace
        ("rally", -3, 0, 3),  # Alice and Bob approve the multisig mint
        ("rally", -2, 0, 15),  # yes on the application
        ("rally", -1, 0, 7),  # secret yes commitments on the parameter change
        ("rally", -4, 0, 7),  # ranked ballots in the poll
        ("delegate", BOB, ALICE, 500_000, False),
        ("deposit", DAVE, True, 5),
        ("advance", 3 * DAY),
        ("reveal", ALICE, -1),
        ("reveal", BOB, -1),
        ("reveal", CAROL, -1),
        ("advance", DAY),
        ("advance", 2 * DAY),
        ("process", ERIN, -1),  # due: anyone may process before the end-block does
        ("advance", 1_000),
        ("apply", ERIN, 2, 0),
        ("withdraw", ERIN, -7),
        ("apply", ERIN, 2, 0),
        ("cancel", ERIN, -8),
        ("submit", ALICE, 3, MALLORY, 3),  # expel Mallory (jail)
        ("rally", -9, 0, 7),
        ("advance", 3 * DAY),
        ("advance", 2 * DAY),
        ("advance", 1_000),
        ("ragekick", ERIN, MALLORY),
        ("ragequit", CAROL, 0, 2),
        ("renew", ERIN, ALICE),
        ("create", ERIN),
        ("advance", 1_000),
    ]
    succeeded: set[str] = set()
    for step in script:
        result = run(world, step)
        check(world, result)
        if not isinstance(result, ErrorCode):
            succeeded.add(str(step[0]))
    assert set(world.executed) == {1, 2, 3, 4, 6, 9}, world.executed
    assert succeeded >= {str(step[0]) for step in script}, succeeded

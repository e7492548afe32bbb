"""Invariants over random sequences of the treasury, stream, split, allocation, multisig-queue and
moderation tx kinds, mixed with proposals, votes, exits and the passing of time.

After every step: the native coin is conserved (accounts + treasuries + escrows + split balances
+ stream reserves); every token's supply equals what accounts, treasuries, escrows and stream
reserves hold, and changes only by minted and burned amounts; no allowance is ever overspent;
a stream never pays more than has vested, nor anything twice; multisig proposals execute in
queue order; the latest moderation decision is the last of its history; every rejected tx
named a code and changed nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.collectives import keys as ckeys
from ledger.collectives import payouts
from ledger.collectives.exit import Ragequit
from ledger.collectives.holdings import holding, supply
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.params import DAY, HOUR
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.content.payloads import ContentAnchor
from ledger.content.records import ModerationAction
from ledger.content.store import latest_moderation, moderation_history
from ledger.errors import ErrorCode
from ledger.governance import escrow
from ledger.governance.actions import Action
from ledger.governance.actions_splits import CollectiveSplitCreate
from ledger.governance.actions_treasury import (
    AcceptAsset,
    Allocate,
    HolderDistribution,
    SetAllowance,
    StreamCancel,
    StreamCreate,
)
from ledger.governance.ballots import Ballot
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.kinds import DecisionMethod, ProposalKind, Role, VotingMethod
from ledger.governance.multisig_queue import MultisigReject, position
from ledger.governance.policy import Policy
from ledger.governance.process_txs import MultisigApprove
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.roles import SetRole
from ledger.governance.vote_txs import Vote
from ledger.hashing import digest
from ledger.keys import PrivateKey
from ledger.moderation.act import ModerationAct
from ledger.moderation.actions import Moderate
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitCreate, SplitDistribute, SplitPay
from ledger.splits.records import SplitMode
from ledger.splits.store import split_id_for
from ledger.state.events import Event, Receipt
from ledger.treasury import streams
from ledger.treasury.allowance_spend import AllowanceSpend
from ledger.treasury.allowances import Grantee, allowances_of
from ledger.treasury.holder_claim import HolderClaim
from ledger.treasury.stream_claim import StreamClaim
from ledger.treasury.vesting import Schedule
from ledger.tx import Payload
from tests.ledger import custody
from tests.ledger.conftest import ALICE, BOB, BRAND, CAROL, DAVE, ERIN, MALLORY, PEOPLE, Chain
from tests.ledger.treasury.conftest import CLASSES, enact, make_coop, terms

SIGNERS = tuple(sorted((ALICE.address, BOB.address, CAROL.address), key=lambda a: a.raw))
STREAM_POLICY = Policy(
    method=DecisionMethod.MULTISIG,
    signers=SIGNERS,
    required_approvals=2,
    grace_period_ms=0,
    expedited_period_ms=0,
)
POST = digest(b"a post")
MEMBERS = (ALICE, BOB, CAROL)
EVERYONE = (*PEOPLE, BRAND)


@dataclass
class World:
    chain: Chain
    cid: bytes
    fan: Asset
    splits: list[bytes]
    grantees: list[tuple[Grantee, Asset]]
    proposals: list[int] = field(default_factory=list)
    minted: Counter[Asset] = field(default_factory=Counter)
    streamed: Counter[int] = field(default_factory=Counter)
    executed_seq: dict[bytes, int] = field(default_factory=dict)
    native_total: int = 0

    def pick(self, index: int, *statuses: Status) -> int:
        view = self.chain.view
        fitting = [p for p in self.proposals if require_proposal(view, p).status in statuses]
        pool = fitting or self.proposals
        return pool[-1 - index % len(pool)] if pool else 999


def setup() -> World:
    chain = Chain(check_signatures=False)
    fans = chain.create_collective(DAVE, [(DAVE, (1, 1_000, 0))], classes=CLASSES, name="fans")
    coop = make_coop(chain, policies=((ProposalKind.STREAMS, STREAM_POLICY),))
    cid = coop.cid
    fan = Asset(fans, 1)
    chain.send(CAROL, ContentAnchor(POST, "ipfs://post", "post", cid))
    grantees = [(Grantee.member(ALICE.address), NATIVE), (Grantee.role(Role.TREASURER), fan)]
    roles = (SetRole(Role.TREASURER, BOB.address), SetRole(Role.MODERATOR, CAROL.address))
    enact(coop, [*roles, AcceptAsset(fan)])
    enact(
        coop,
        [
            SetAllowance(grantees[0][0], NATIVE, 500, 24 * 3600),
            SetAllowance(grantees[1][0], fan, 20, 7 * 24 * 3600),
        ],
    )
    chain.send(DAVE, TreasuryDeposit(cid, fan, 700, "fan support"))
    guild = Party(PartyKind.COLLECTIVE, cid)
    loot = Party(PartyKind.TOKEN_HOLDERS, Asset(cid, 1).raw)
    shares = Party(PartyKind.TOKEN_HOLDERS, Asset(cid, 0).raw)
    splits = []
    for split_terms in (
        terms([(DAVE, 2), (guild, 1), (loot, 1)]),
        terms([(ERIN, 1), (shares, 3)], fee_ppm=1_000, mode=SplitMode.ACCRUE),
    ):
        splits.append(split_id_for(ERIN.address, chain.nonces.get(ERIN.public_key, 0)))
        chain.send(ERIN, SplitCreate(None, split_terms))
    chain.next_block()
    world = World(chain, cid, fan, splits, grantees)
    world.native_total = native_total(world)
    for asset in tokens(world):
        world.minted[asset] = supply(chain.view, asset.collective, asset.token_class)
    return world


def tokens(world: World) -> list[Asset]:
    return [world.fan, Asset(world.fan.collective, 0)] + [Asset(world.cid, c) for c in range(3)]


def vaults(world: World) -> list[tuple[Asset, int]]:
    view = world.chain.view
    held = [
        (Asset.parse(key[1 + 20 :]), int.from_bytes(value, "big"))
        for key, value in view.iter_prefix(ckeys.TREASURY)
    ]
    held += [(e.asset, e.amount) for e in escrow.total_held(view)]
    return held + streams.reserves(view) + payouts.all_pools(view)


def native_total(world: World) -> int:
    """Every place the native coin can sit (tests/ledger/custody.py)."""
    return custody.native_total(world.chain.view)


def action_for(world: World, choice: int, who: PrivateKey, amount: int) -> tuple[Action, ...]:
    month = 30 * DAY
    options: list[tuple[Action, ...]] = [
        (StreamCreate(who.address, NATIVE, Schedule(0, 3 * month, month, 0, amount * 3)),),
        (StreamCreate(who.address, world.fan, Schedule(0, 4 * DAY, DAY, DAY, amount % 40 + 1)),),
        (StreamCancel(amount % 4 + 1),),
        (HolderDistribution(Asset(world.cid, amount % 2), NATIVE, amount),),
        (SetAllowance(world.grantees[0][0], NATIVE, amount % 3 * 400, 3600 * (amount % 5)),),
        (TreasurySpend(world.fan, who.address, amount % 30 + 1),),
        (AcceptAsset(world.fan, amount % 2 == 0),),
        (Moderate(POST, ModerationAction(amount % 4 + 1), "tag"),),
        (CollectiveSplitCreate(terms([(who, 1), (DAVE, amount % 5 + 1)])),),
    ]
    return options[choice % len(options)]


people = st.sampled_from(EVERYONE)
members = st.sampled_from(MEMBERS)
index = st.integers(0, 6)
amount = st.integers(1, 3_000)
steps = st.one_of(
    st.tuples(st.just("deposit"), people, st.booleans(), amount, st.booleans()),
    st.tuples(st.just("spend"), members, st.integers(0, 1), amount),
    st.tuples(st.just("claim"), people, st.integers(1, 6)),
    st.tuples(st.just("payout"), people, st.integers(0, 1)),
    st.tuples(st.just("pay"), people, st.integers(0, 1), amount, st.booleans()),
    st.tuples(st.just("distribute"), people, st.integers(0, 1), st.integers(0, 500)),
    st.tuples(st.just("moderate"), members, st.integers(1, 4)),
    st.tuples(st.just("submit"), members, st.integers(0, 8), people, amount),
    st.tuples(st.just("allocate"), members, st.booleans(), amount),
    st.tuples(st.just("reject"), members, index),
    st.tuples(st.just("ragequit"), st.sampled_from((ALICE, BOB, CAROL, DAVE)), st.integers(1, 3)),
    st.tuples(st.just("rally"), index, st.integers(0, 100), st.integers(1, 7)),
    st.tuples(st.just("advance"), st.sampled_from((1_000, HOUR, DAY, 3 * DAY, 9 * DAY))),
)
advance = st.tuples(st.just("advance"), st.sampled_from((HOUR, DAY, 3 * DAY, 9 * DAY)))
rounds = st.lists(st.tuples(steps, steps, steps, advance), min_size=2, max_size=10).map(
    lambda rs: [step for r in rs for step in r]
)


def ballot_payload(world: World, pid: int, seed: int) -> Payload:
    proposal = require_proposal(world.chain.view, pid)
    if proposal.policy is not None and proposal.policy.method is DecisionMethod.MULTISIG:
        return MultisigApprove(pid)
    if proposal.method is VotingMethod.BINARY:
        return Vote(pid, Ballot((seed % 3,)))
    n = len(proposal.choices)
    return Vote(pid, Ballot((seed % n, (seed + 1) % n), (300_000, 700_000)))


def run(world: World, step: tuple[Any, ...]) -> Receipt | ErrorCode | list[Event]:
    chain, cid = world.chain, world.cid
    op, *args = step
    if op == "advance":
        return chain.next_block(int(args[0]))
    if op == "rally":
        pid = world.pick(int(args[0]), Status.VOTING)
        events: list[Event] = []
        for bit, voter in enumerate(MEMBERS):
            if world.proposals and int(args[2]) >> bit & 1:
                outcome = chain.attempt(voter, ballot_payload(world, pid, int(args[1])))
                if isinstance(outcome, Receipt):
                    events += outcome.events
        return events
    key = args[0]
    assert isinstance(key, PrivateKey)
    payload: Payload
    if op == "deposit":
        asset = world.fan if args[1] else NATIVE
        payload = TreasuryDeposit(cid, asset, args[2], "memo", b"INV-1" if args[3] else b"")
    elif op == "spend":
        grantee, asset = world.grantees[args[1]]
        payload = AllowanceSpend(cid, grantee, asset, ERIN.address, args[2] % 600 + 1)
    elif op == "claim":
        payload = StreamClaim(args[1])
    elif op == "payout":
        payload = HolderClaim(Asset(cid, args[1]))
    elif op == "pay":
        payload = SplitPay(world.splits[args[1]], args[2], b"DEAL" if args[3] else b"")
    elif op == "distribute":
        payload = SplitDistribute(world.splits[args[1]], args[2])
    elif op == "moderate":
        payload = ModerationAct(cid, POST, ModerationAction(args[1]), "label")
    elif op == "submit":
        payload = ProposalSubmit(cid, action_for(world, args[1], args[2], args[3]))
    elif op == "allocate":
        targets = (Party.account(DAVE.address), Party.account(MALLORY.address))
        method = VotingMethod.QUADRATIC if args[1] else VotingMethod.WEIGHTED
        payload = ProposalSubmit(
            cid, (Allocate(NATIVE, args[2], targets),), method, ("a", "b", "none")
        )
    elif op == "reject":
        payload = MultisigReject(world.pick(args[1], Status.VOTING, Status.GRACE))
    else:
        assert op == "ragequit"
        payload = Ragequit(cid, ((0, args[1]),))
    result = chain.attempt(key, payload)
    if isinstance(result, Receipt):
        for event in result.events:
            if event.kind == "proposal_submitted":
                world.proposals.append(int(event.get("proposal") or 0))
    return result


def events_of(result: Receipt | ErrorCode | list[Event]) -> list[Event]:
    if isinstance(result, Receipt):
        return list(result.events)
    if isinstance(result, list):
        return result
    return []


def check(world: World, result: Receipt | ErrorCode | list[Event]) -> None:
    chain = world.chain
    view = chain.view
    for event in events_of(result):
        if event.kind in ("mint", "burn"):
            collective = event.get("collective")
            assert isinstance(collective, bytes)
            asset = Asset(collective, int(event.get("token_class") or 0))
            delta = int(event.get("amount") or 0)
            world.minted[asset] += delta if event.kind == "mint" else -delta
        if event.kind == "allowance_spend":
            assert int(event.get("left") or 0) >= 0
        if event.kind == "stream_claimed":
            world.streamed[int(event.get("stream") or 0)] += int(event.get("amount") or 0)
        if event.kind == "stream_cancelled":
            world.streamed[int(event.get("stream") or 0)] += int(event.get("paid") or 0)
        if event.kind == "proposal_executed":
            pid = int(event.get("proposal") or 0)
            seq = position(view, pid)
            if seq is not None:
                previous = world.executed_seq.get(world.cid, -1)
                assert seq > previous, f"position {seq} executed after {previous}"
                world.executed_seq[world.cid] = seq
    assert native_total(world) == world.native_total
    held: Counter[Asset] = Counter()
    for key, value in view.iter_prefix(ckeys.HOLDING):
        held[Asset(key[1:21], key[21])] += int.from_bytes(value, "big")
    for asset, amount_held in vaults(world):
        if not asset.is_native:
            held[asset] += amount_held
    for asset in tokens(world):
        total = supply(view, asset.collective, asset.token_class)
        assert total == held[asset] == world.minted[asset], asset
        by_accounts = sum(
            holding(view, asset.collective, asset.token_class, k.address) for k in EVERYONE
        )
        assert payouts.held(view, asset.collective, asset.token_class) == by_accounts, asset
        for paid, pool in payouts.pools(view, asset):  # the pool can pay every holder's due
            due = 0
            for k in EVERYONE:
                units = holding(view, asset.collective, asset.token_class, k.address)
                due += dict(payouts.owed(view, asset, k.address, units)).get(paid, 0)
            assert due <= pool.balance, (asset, paid)
    for _, _, allowance in allowances_of(view, world.cid):
        assert allowance.spent <= max(allowance.amount, allowance.spent)
    for sid in range(1, streams.next_stream_id(view)):
        stream = streams.require_stream(view, sid)
        assert 0 <= stream.claimed <= stream.total <= stream.schedule.total
        assert stream.claimed <= stream.schedule.vested(chain.time_ms)
        assert world.streamed[sid] == stream.claimed, sid
    history = moderation_history(view, POST)
    if history:
        assert latest_moderation(view, POST) == history[-1]


@settings(
    max_examples=25,
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


def test_a_scripted_walk_reaches_every_path() -> None:
    """A fixed walk through `run`, so the property is known to reach claims, allowance spends,
    split payments to holders and treasuries, queue rejections, allocations and moderation."""
    world = setup()
    script: list[tuple[Any, ...]] = [
        ("submit", ALICE, 0, DAVE, 100),  # a native stream, multisig: position 0
        ("submit", BOB, 1, ERIN, 30),  # a token stream: position 1
        ("rally", 0, 0, 3),  # Alice and Bob approve the token stream: it waits
        ("rally", 1, 0, 3),  # ... and the native stream: it runs, then the token stream
        ("submit", CAROL, 3, DAVE, 999),  # a dividend to the shareholders
        ("allocate", ALICE, True, 1_000),
        ("rally", 0, 0, 7),
        ("rally", 1, 0, 7),
        ("spend", ALICE, 0, 499),
        ("spend", BOB, 1, 19),
        ("pay", BRAND, 0, 1_001, True),
        ("pay", BRAND, 1, 999, False),
        ("distribute", MALLORY, 1, 0),
        ("deposit", DAVE, True, 7, True),
        ("moderate", CAROL, 1),
        ("advance", 1_000),
        ("advance", 9 * DAY),
        ("claim", DAVE, 1),
        ("claim", ERIN, 2),
        ("payout", ALICE, 1),  # Alice's part of the loot holders' payments
        ("payout", CAROL, 0),  # Carol's part of the dividend
        ("submit", BOB, 0, DAVE, 10),  # position 2 ...
        ("reject", BOB, 0),  # ... rejected by Bob and Carol
        ("reject", CAROL, 0),
        ("advance", 9 * DAY),
        ("advance", 3 * DAY),
        ("ragequit", CAROL, 1),  # once the allocation she voted on is final (her exit lock)
        ("advance", 1_000),
    ]
    seen: Counter[str] = Counter()
    for step in script:
        result = run(world, step)
        check(world, result)
        seen.update(e.kind for e in events_of(result))
    for kind in (
        "stream_created",
        "stream_claimed",
        "proposal_waiting",
        "proposal_superseded",
        "holders_paid",
        "holder_claim",
        "allocation_payout",
        "allowance_spend",
        "treasury_deposit",
        "split_distributed",
        "moderated",
        "exit_payout",
    ):
        assert seen[kind], (kind, seen)

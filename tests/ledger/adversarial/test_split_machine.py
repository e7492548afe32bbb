"""Members and outsiders create, pay, distribute and update revenue splits (owned by accounts or
by the collective, nested, PUSH and ACCRUE, with and without consents) and anchor, moderate and
appeal content, interleaved over many blocks (hypothesis stateful testing). After every tx and
every block: the native coin is conserved, split balances included, and no final payee's
expected share of any split falls (fee included, through nested splits) without that payee's
consent. A second machine next to test_machine.py keeps each one cheap.
"""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from ledger.content.payloads import ContentAnchor
from ledger.content.records import ModerationAction
from ledger.governance.actions_splits import (
    CollectiveSplitCreate,
    CollectiveSplitUpdate,
    collective_party,
)
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import Role
from ledger.governance.process_txs import ProposalProcess
from ledger.governance.proposal import Status, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.roles import SetRole
from ledger.governance.vote_txs import Vote
from ledger.hashing import digest
from ledger.keys import PrivateKey
from ledger.moderation.act import ModerationAct
from ledger.splits.consent import sign_consent
from ledger.splits.distribution import MAX_FEE_PPM
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitCreate, SplitDistribute, SplitPay, SplitUpdate
from ledger.splits.records import SplitMode, SplitTerms
from ledger.splits.store import get_config
from ledger.state.events import Event, Receipt
from ledger.state.reader import StateReader
from ledger.tx import Payload
from tests.ledger.adversarial.split_world import (
    Moderation,
    Shares,
    block_consents,
    check_no_share_fell_without_consent,
    created_splits,
    expected_shares,
)
from tests.ledger.adversarial.world import ACTORS, native_total, record_submissions, setup, submit
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, MALLORY, YES

NAMES = ("alice", "bob", "carol", "mallory", "dave", "erin", "brand")
KEY = dict(zip(NAMES, ACTORS, strict=True))
BY_ADDRESS = {k.address: k for k in ACTORS}
actors = st.sampled_from(NAMES)
index = st.integers(0, 7)
FEES = st.sampled_from((0, 0, 10_000, 65_530, MAX_FEE_PPM))
MODES = st.sampled_from((SplitMode.PUSH, SplitMode.ACCRUE))
MUTATIONS = ("cut", "cut", "raise", "drop", "fee", "accrue", "push")
POSTS = tuple(digest(b"post %d" % i) for i in range(3))
DECISIONS = st.sampled_from(list(ModerationAction))
BALLOTS = (YES, Ballot((1,)), Ballot((0, 1), (1, 999_999)), Ballot((0, 1), (600_000, 400_000)))


def make_terms(parties: list[Party], shares: list[int], fee: int, mode: SplitMode) -> SplitTerms:
    pairs = sorted(dict(zip(parties, shares, strict=False)).items())
    return SplitTerms(
        tuple(p for p, _ in pairs),
        tuple(s for _, s in pairs),
        sum(s for _, s in pairs),
        fee,
        mode,
    )


ALL, NEXT_DOOR, RANDOM = 127, -1, -2  # every actor; the parties one level down; a subset


def next_door(view: StateReader, terms: SplitTerms) -> list[PrivateKey]:
    """The split's own account recipients and the owners of the splits it pays: those who
    would be asked if an intermediate owner spoke for the people its split pays."""
    out = []
    for recipient in terms.recipients:
        party = recipient
        if party.kind is PartyKind.SPLIT:
            party = get_config(view, party.id).owner or party
        if party.kind is PartyKind.ACCOUNT:
            out.append(BY_ADDRESS[party.address])
    return out


def account(key: PrivateKey) -> Party:
    return Party.account(key.address)


def terms_of(*keys: PrivateKey) -> SplitTerms:
    return make_terms([account(k) for k in keys], [1] * (len(keys) - 1) + [2], 0, SplitMode.PUSH)


def mutate(terms: SplitTerms, how: str, k: int) -> SplitTerms:
    parties, shares = list(terms.recipients), list(terms.shares)
    k %= len(parties)
    if how == "cut":
        shares = [s if j == k else 3 * s for j, s in enumerate(shares)]
    elif how == "raise":
        shares[k] *= 3
    elif how == "drop" and len(parties) > 1:
        del parties[k], shares[k]
    fee, mode = terms.fee_ppm, terms.mode
    if how == "fee":
        fee = min(MAX_FEE_PPM, fee + 20_000)
    elif how in ("accrue", "push"):
        mode = SplitMode.ACCRUE if how == "accrue" else SplitMode.PUSH
    return make_terms(parties, shares, fee, mode)


class SplitAdversaries(RuleBasedStateMachine):
    def __init__(self) -> None:
        """The opening state: Mallory's split paying Dave, Erin and her, nested in a split the
        collective owns (made by proposal, with Bob made moderator) and in one Alice owns."""
        super().__init__()
        self.world = setup()
        self.splits: list[bytes] = []
        self.signers: dict[int, frozenset[Party]] = {}  # update proposal -> consent signers
        self.moderation = Moderation()
        self.send(
            "mallory", SplitCreate(Party.account(MALLORY.address), terms_of(DAVE, ERIN, MALLORY))
        )
        nested = Party.split(self.splits[0])
        ours = make_terms([account(BOB), account(CAROL), nested], [5, 3, 4], 10_000, SplitMode.PUSH)
        self.send(
            "alice",
            SplitCreate(
                account(ALICE), make_terms([account(ALICE), nested], [1, 1], 0, SplitMode.PUSH)
            ),
        )
        for actions in ((SetRole(Role.MODERATOR, BOB.address),), (CollectiveSplitCreate(ours),)):
            pid = submit(self.world, ALICE, actions)
            for voter in (ALICE, BOB, CAROL):
                self.world.chain.send(voter, Vote(pid, YES))
        for _ in range(8):
            self.advance(86_400_000)
        assert len(self.splits) == 3, "the collective's split was not made"
        for post in POSTS[:2]:  # the third is left for anyone to anchor
            self.send("carol", ContentAnchor(post, "ipfs://post", "post", self.world.cid))

    # --- helpers ---------------------------------------------------------------------------

    def shares(self) -> Shares:
        return expected_shares(self.world.view, self.splits)

    def send(
        self, name: str, payload: Payload, consenting: frozenset[Party] = frozenset()
    ) -> Receipt | None:
        world = self.world
        before = self.shares()
        result = world.chain.attempt(KEY[name], payload)
        if not isinstance(result, Receipt):
            return None
        self.observe(before, list(result.events), consenting, type(payload).__name__)
        return result

    def observe(
        self, before: Shares, events: list[Event], consenting: frozenset[Party], what: str
    ) -> None:
        world = self.world
        record_submissions(world, events)
        self.splits += created_splits(events)
        assert native_total(world) == world.native_total, f"{what}: the coin was not conserved"
        check_no_share_fell_without_consent(before, self.shares(), consenting, what)
        self.moderation.check(events)

    def split(self, i: int) -> bytes | None:
        return self.splits[-1 - i % len(self.splits)] if self.splits else None

    def party(self, i: int) -> Party:
        """Accounts, the collective, and the splits made so far (nesting)."""
        options = [Party.account(k.address) for k in ACTORS] + [collective_party(self.world.cid)]
        options += [Party.split(s) for s in self.splits[-4:]]
        return options[i % len(options)]

    def pick(self, i: int) -> int:
        view, pids = self.world.view, self.world.proposals
        live = [p for p in pids if require_proposal(view, p).status is Status.VOTING] or pids
        return live[-1 - i % len(live)]

    # --- splits ----------------------------------------------------------------------------

    @rule(
        who=actors,
        owned=st.integers(0, 3),
        picks=st.lists(st.integers(0, 15), min_size=1, max_size=4),
        shares=st.lists(st.integers(1, 9), min_size=4, max_size=4),
        fee=FEES,
        mode=MODES,
        by_collective=st.booleans(),
    )
    def create(
        self,
        *,
        who: str,
        owned: int,
        picks: list[int],
        shares: list[int],
        fee: int,
        mode: SplitMode,
        by_collective: bool,
    ) -> None:
        terms = make_terms([self.party(i) for i in picks], shares, fee, mode)
        if by_collective:
            self.send(who, ProposalSubmit(self.world.cid, (CollectiveSplitCreate(terms),)))
        else:
            owner = Party.account(KEY[who].address) if owned else None  # 1 in 4 immutable
            self.send(who, SplitCreate(owner, terms))

    @rule(who=actors, i=index, amount=st.integers(1, 100_003), distribute=st.booleans())
    def pay(self, who: str, i: int, amount: int, distribute: bool) -> None:
        sid = self.split(i)
        if sid is not None:
            self.send(who, SplitDistribute(sid) if distribute else SplitPay(sid, amount))

    @rule(
        who=actors,
        i=index,
        how=st.sampled_from(MUTATIONS),
        k=index,
        consent=st.sampled_from((ALL, NEXT_DOOR, 0, RANDOM)),
        mask=st.integers(0, 127),
        impostor=st.integers(0, 3),
    )
    def update(
        self, *, who: str, i: int, how: str, k: int, consent: int, mask: int, impostor: int
    ) -> None:
        """The owner (or, 1 in 4, someone else) changes the terms of an owned split (the oldest
        ones, which nest, first) with the consents of some actors; a collective-owned split is
        updated by proposal."""
        owned = [s for s in self.splits if get_config(self.world.view, s).owner is not None]
        sid = owned[i % len(owned)]
        config = get_config(self.world.view, sid)
        terms = mutate(config.terms, how, k)
        chain_id = self.world.chain.genesis.chain_id
        if consent == NEXT_DOOR:
            signers = next_door(self.world.view, config.terms)
        else:
            consent = mask if consent == RANDOM else consent
            signers = [key for bit, key in enumerate(ACTORS) if consent >> bit & 1]
        consents = tuple(sign_consent(s, chain_id, sid, config.version, terms) for s in signers)
        signed = frozenset(Party.account(s.address) for s in signers)
        owner = config.owner
        if owner is not None and owner.kind is PartyKind.COLLECTIVE:
            action = CollectiveSplitUpdate(sid, config.version, terms, consents=consents)
            result = self.send(who, ProposalSubmit(self.world.cid, (action,)))
            if result is not None:
                self.signers[self.world.proposals[-1]] = signed
            return
        if owner is not None and owner.kind is PartyKind.ACCOUNT and impostor:
            who = NAMES[ACTORS.index(BY_ADDRESS[owner.address])]  # mostly the owner itself
        sender = frozenset({Party.account(KEY[who].address)})
        self.send(who, SplitUpdate(sid, config.version, terms, consents=consents), signed | sender)

    # --- content and moderation -----------------------------------------------------------

    @rule(who=actors, post=st.integers(0, 2), inside=st.booleans())
    def anchor(self, who: str, post: int, inside: bool) -> None:
        cid = self.world.cid if inside else None
        self.send(who, ContentAnchor(POSTS[post], f"ipfs://post{post}", "post", cid))

    @rule(who=st.sampled_from(("bob", "bob", *NAMES)), post=st.integers(0, 2), decision=DECISIONS)
    def moderate(self, who: str, post: int, decision: ModerationAction) -> None:
        """Mostly Bob, the moderator."""
        label = "spoiler" if decision is ModerationAction.LABEL else ""
        self.send(who, ModerationAct(self.world.cid, POSTS[post], decision, label))

    # --- governance ------------------------------------------------------------------------

    @rule(voters=st.integers(1, 15), i=index, option=st.sampled_from((0, 0, 1, 2, 3)))
    def vote(self, voters: int, i: int, option: int) -> None:
        """A bloc of members votes on a live proposal: a split change, or an appeal (no is an
        objection)."""
        if not self.world.proposals:
            return
        pid = self.pick(i)
        for bit, name in enumerate(NAMES[:4]):
            if voters >> bit & 1:
                self.send(name, Vote(pid, BALLOTS[option]))

    @rule(who=actors, i=index)
    def process(self, who: str, i: int) -> None:
        view = self.world.view
        ready = (Status.GRACE, Status.READY)
        due = [p for p in self.world.proposals if require_proposal(view, p).status in ready]
        if due:
            self.send(who, ProposalProcess(due[-1 - i % len(due)]))

    @rule(ms=st.sampled_from((1_000, 86_400_000, 3 * 86_400_000)))
    def advance(self, ms: int) -> None:
        before = self.shares()
        events = self.world.chain.next_block(ms)
        consenting = block_consents(self.world.view, events, self.signers)
        self.observe(before, events, consenting, "a block")

    def teardown(self) -> None:
        if hasattr(self, "world"):
            for _ in range(6):
                self.advance(3 * 86_400_000)


SETTINGS = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_no_split_payee_loses_without_consent() -> None:
    run_state_machine_as_test(SplitAdversaries, settings=SETTINGS)

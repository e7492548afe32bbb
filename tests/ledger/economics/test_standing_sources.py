"""Invariant over random histories of many tx kinds (transfers, token transfers, delegations,
proposals of every economics action, votes, commits and reveals, cancels, processing, multisig
approvals, anchors, moderation acts, endorsements, matching contributions, treasury deposits,
renewals, ragequits, stream claims) and blocks: a member's standing never grows except by a
`standing_earned` event of a listed act, by exactly the points it names, in the step that emits
it. So no tx moves standing (it is not transferable) and no act outside the policy's list earns."""

from __future__ import annotations

import contextlib

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledger.collectives.delegation import Delegate
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import NATIVE
from ledger.collectives.membership import MembershipRenew
from ledger.collectives.token_transfer import TokenTransfer
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.content.payloads import ContentAnchor
from ledger.content.records import ModerationAction
from ledger.economics import keys
from ledger.economics.actions import MatchingOpen, RewardStanding, RoundOpen
from ledger.economics.contribute import MatchingContribute
from ledger.economics.decay import decayed
from ledger.economics.deliverables import AcceptDeliverable, Funded
from ledger.economics.endorse import ContentEndorse
from ledger.economics.matching import Initiative, MatchingTerms
from ledger.economics.reputation import MICRO, Act, ReputationPolicy, Standing, set_policy
from ledger.economics.rounds import RoundTerms
from ledger.errors import TxError
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.kinds import Role
from ledger.governance.process_txs import MultisigApprove, ProposalProcess
from ledger.governance.proposal_txs import ProposalCancel, ProposalSubmit
from ledger.governance.roles import SetRole
from ledger.governance.vote_txs import Vote, VoteCommit, VoteReveal
from ledger.hashing import digest
from ledger.keys import ADDRESS_LEN, PrivateKey
from ledger.moderation.act import ModerationAct
from ledger.splits.parties import Party
from ledger.state.events import Event
from ledger.treasury.stream_claim import StreamClaim
from ledger.tx import Payload, Transfer
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, NO, YES, Chain
from tests.ledger.treasury.conftest import Coop, enact, make_coop

PEOPLE = (ALICE, BOB, CAROL)
POLICY = ReputationPolicy(3, 7, 11, 24 * 3600, 40, 13, 17, 500_000, 4)
HALF_LIFE_MS = POLICY.half_life_s * 1000
ITEMS = [digest(bytes([i])) for i in range(3)]
ZINE = Initiative(Party.account(DAVE.address), "zine")


def txs(coop: Coop, step: tuple[int, int, int], last: int) -> list[tuple[PrivateKey, Payload]]:
    """The txs of one step of the menu; `a`, `b` pick the arguments (ids may not exist: then
    the tx fails). A vote step has every member vote, so that proposals get decided."""
    kind, a, b = step
    cid, who = coop.cid, PEOPLE[a % 3].address
    pid = max(0, last - a % 3)  # the latest proposals
    actions = (
        TreasurySpend(NATIVE, who, 1 + b),
        SetRole(Role.MODERATOR, who),
        AcceptDeliverable(Funded(b % 2), pid if b % 2 == 0 else a % 2),
        RoundOpen(RoundTerms(100 + b, 3 * 24 * 3600)),
        MatchingOpen(MatchingTerms(100, 3 * 24 * 3600, 10**6, (ZINE,))),
        RewardStanding(10 + b),
    )
    menu: list[Payload] = [
        Transfer(who, 1 + b),
        TokenTransfer(cid, 1, who, 1),  # loot: transferable
        Delegate(cid, 0, ((who, 1_000_000),)),
        ProposalSubmit(cid, (actions[b % len(actions)],)),
        Vote(pid, YES if b % 3 else NO),
        ProposalCancel(pid),
        ProposalProcess(pid),
        ContentAnchor(ITEMS[b % 3], "ipfs://x", "post", cid),
        ModerationAct(cid, ITEMS[b % 3], ModerationAction.HIDE),
        ContentEndorse(a % 3, ITEMS[b % 3]),
        MatchingContribute(a % 3, 0, 1 + b),
        TreasuryDeposit(cid, NATIVE, 1 + b),
        MembershipRenew(cid, who),
        Ragequit(cid, ((1, 1),)),  # a unit of loot
        StreamClaim(a % 3),
        MultisigApprove(pid),
        VoteCommit(pid, bytes(32)),
        VoteReveal(pid, YES, bytes(32)),
    ]
    chosen = menu[kind % len(menu)]
    if isinstance(chosen, Vote):
        return [(key, chosen) for key in PEOPLE]
    return [(ALICE if isinstance(chosen, TokenTransfer) else PEOPLE[b % 3], chosen)]


def standings(chain: Chain, cid: bytes) -> dict[bytes, Standing]:
    prefix = keys.STANDING + cid
    return {
        k[len(prefix) :]: Standing.decode(v)
        for k, v in chain.view.iter_prefix(prefix)
        if len(k) == len(prefix) + ADDRESS_LEN
    }


def check_step(
    before: dict[bytes, Standing], after: dict[bytes, Standing], events: list[Event]
) -> None:
    earned: dict[bytes, int] = {}
    for event in events:
        if event.kind == "standing_earned":
            assert event.get("act") in {int(a) for a in Act}
            member, points = event.get("member"), event.get("points")
            assert isinstance(member, bytes) and isinstance(points, int) and points > 0
            earned[member] = earned.get(member, 0) + points
    for member in set(before) | set(after):
        old, new = before.get(member, Standing()), after.get(member, Standing())
        if new == old:
            assert member not in earned
            continue
        base = decayed(old.micro, new.as_of_ms - old.as_of_ms, HALF_LIFE_MS) if old.micro else 0
        assert new.micro == base + earned.pop(member) * MICRO
    assert not earned


steps = st.lists(
    st.one_of(
        # submitting and voting are drawn more often, so that proposals get decided
        st.tuples(
            st.sampled_from([3, 3, 4, 4, 4, *range(18)]), st.integers(1, 6), st.integers(0, 5)
        ),
        st.sampled_from([0, 1, 24, 72]),  # a block, after that many hours
    ),
    min_size=10,
    max_size=60,
)


# a spend passes (votes cast, proposal passed), then its acceptance (a deliverable accepted)
SPEND_THEN_ACCEPT = [(3, 3, 0), (4, 3, 1), 72, 72, (3, 3, 2), (4, 3, 1), 72, 72, 72, 72]


@settings(max_examples=30, deadline=None)
@example(SPEND_THEN_ACCEPT)
@given(steps)
def test_standing_grows_only_by_listed_acts_whatever_the_txs(script: list[object]) -> None:
    chain = Chain(check_signatures=False)
    coop = make_coop(chain)
    enact(coop, [SetRole(Role.MODERATOR, BOB.address)])
    set_policy(chain.view, coop.cid, POLICY)
    chain.next_block()
    last = 1
    for step in script:
        before = standings(chain, coop.cid)
        events: list[Event]
        if isinstance(step, int):
            events = chain.next_block(step * 3600 * 1000 + 1)
        else:
            assert isinstance(step, tuple)
            events = []
            for sender, tx in txs(coop, step, last):
                with contextlib.suppress(TxError):  # a refused tx changes nothing
                    events += chain.send(sender, tx).events
        submitted = [e.get("proposal") for e in events if e.kind == "proposal_submitted"]
        last = max([last, *(p for p in submitted if isinstance(p, int))])
        check_step(before, standings(chain, coop.cid), events)

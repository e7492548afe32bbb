"""The acts that earn standing beyond votes and endorsements (issue 22): a funded deliverable
accepted by the collective, and a moderation upheld on appeal; the farming moves first."""

from __future__ import annotations

from ledger.collectives.ids import NATIVE
from ledger.content.payloads import ContentAnchor
from ledger.content.records import ModerationAction
from ledger.economics.actions import SetReputationPolicy
from ledger.economics.deliverables import AcceptDeliverable, Funded
from ledger.economics.reputation import MICRO, ReputationPolicy, get_standing
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import StreamCreate
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.kinds import Role
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.roles import SetRole
from ledger.hashing import digest
from ledger.keys import PrivateKey
from ledger.moderation.act import ModerationAct
from ledger.treasury.vesting import Schedule
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, NO
from tests.ledger.economics.conftest import DAY_MS
from tests.ledger.treasury.conftest import Coop, enact, kinds, proposal, settle, submit, vote

MONTH_S = 30 * 24 * 3600
# only the two acts under test earn points
POLICY = ReputationPolicy(0, 0, 0, MONTH_S, 100, deliverable_accepted=30, moderation_upheld=15)
POST = digest(b"a tutorial nobody asked to hide")


def with_policy(coop: Coop) -> None:
    enact(coop, [SetReputationPolicy(POLICY)])
    coop.chain.next_block(DAY_MS)


def points(coop: Coop, key: PrivateKey) -> int:
    return get_standing(coop.chain.view, coop.cid, key.address).micro // MICRO


def accept(coop: Coop, funded: Funded, funded_id: int) -> tuple[int, list[str]]:
    pid, events = enact(coop, [AcceptDeliverable(funded, funded_id)])
    return pid, kinds(events)


def test_the_paid_member_earns_when_the_collective_accepts_the_work_once(coop: Coop) -> None:
    """Carol is paid 500 for a video edit; the collective accepts it: 30 points to Carol, none
    to the proposer. Accepting the same spend again fails and earns nothing."""
    with_policy(coop)
    spend, _ = enact(coop, [TreasurySpend(NATIVE, CAROL.address, 500, "video edit")])
    _, seen = accept(coop, Funded.SPEND, spend)
    assert "deliverable_accepted" in seen
    assert points(coop, CAROL) == 30 and points(coop, ALICE) == 0
    again = ProposalSubmit(coop.cid, (AcceptDeliverable(Funded.SPEND, spend),))
    assert coop.chain.reject(BOB, again) is ErrorCode.DELIVERABLE_ACCEPTED
    assert points(coop, CAROL) == 30


def test_two_acceptances_voting_at_once_earn_once(coop: Coop) -> None:
    """Two proposals accept the same spend while neither has executed: the second to execute
    fails with `DELIVERABLE_ACCEPTED`."""
    with_policy(coop)
    spend, _ = enact(coop, [TreasurySpend(NATIVE, CAROL.address, 500, "video edit")])
    first = submit(coop, [AcceptDeliverable(Funded.SPEND, spend)], proposer=ALICE)
    again = submit(coop, [AcceptDeliverable(Funded.SPEND, spend)], proposer=BOB)
    vote(coop, first, (ALICE, BOB))
    vote(coop, again, (ALICE, BOB))
    events = settle(coop, again)
    failed = [e for e in events if e.kind == "proposal_execution_failed"]
    assert failed and failed[0].get("code") == int(ErrorCode.DELIVERABLE_ACCEPTED)
    assert points(coop, CAROL) == 30


def test_unfunded_work_cannot_be_accepted(coop: Coop) -> None:
    """Farming by acceptance: a proposal that paid nothing, one still voting, and a stream that
    does not exist are all refused at submission (`NOT_FUNDED`), changing nothing."""
    with_policy(coop)
    nothing, _ = enact(coop, [SetRole(Role.GOVERNOR, CAROL.address)])
    pending = submit(coop, [TreasurySpend(NATIVE, CAROL.address, 5)], proposer=BOB)
    for funded, funded_id in (
        (Funded.SPEND, nothing),
        (Funded.SPEND, pending),
        (Funded.STREAM, 99),
    ):
        payload = ProposalSubmit(coop.cid, (AcceptDeliverable(funded, funded_id),))
        assert coop.chain.reject(CAROL, payload) is ErrorCode.NOT_FUNDED


def test_a_stream_recipient_earns_when_the_stream_is_accepted(coop: Coop) -> None:
    with_policy(coop)
    schedule = Schedule(0, 90 * DAY_MS, 30 * DAY_MS, 0, 900)
    _, events = enact(coop, [StreamCreate(BOB.address, NATIVE, schedule)])
    stream_id = next(e.get("stream") for e in events if e.kind == "stream_created")
    assert isinstance(stream_id, int)
    accept(coop, Funded.STREAM, stream_id)
    assert points(coop, BOB) == 30


def test_a_non_member_recipient_earns_nothing(coop: Coop) -> None:
    with_policy(coop)
    spend, _ = enact(coop, [TreasurySpend(NATIVE, DAVE.address, 50)])
    _, seen = accept(coop, Funded.SPEND, spend)
    assert "deliverable_accepted" in seen and "standing_earned" not in seen
    assert get_standing(coop.chain.view, coop.cid, DAVE.address).micro == 0


def moderated(coop: Coop) -> int:
    """Carol posts; Bob (a moderator) hides it; returns the appeal's proposal id."""
    chain = coop.chain
    chain.send(CAROL, ContentAnchor(POST, "ipfs://tutorial", "post", coop.cid))
    enact(coop, [SetRole(Role.MODERATOR, BOB.address)])
    with_policy(coop)
    receipt = chain.send(BOB, ModerationAct(coop.cid, POST, ModerationAction.HIDE))
    appeal = receipt.events[0].get("appeal")
    assert isinstance(appeal, int)
    return appeal


def appeal_to_a_vote(coop: Coop, appeal: int) -> None:
    """Alice and Carol object: the appeal restarts as a full vote."""
    vote(coop, appeal, (ALICE, CAROL), NO)
    coop.chain.next_block(48 * 3600 * 1000)
    coop.chain.next_block()
    assert proposal(coop, appeal).restarted


def test_a_moderation_upheld_on_appeal_earns_the_moderator(coop: Coop) -> None:
    appeal = moderated(coop)
    appeal_to_a_vote(coop, appeal)
    vote(coop, appeal, (ALICE, BOB))  # Alice changes her mind: 20 to 5
    vote(coop, appeal, (CAROL,), NO)
    seen = kinds(settle(coop, appeal))
    assert proposal(coop, appeal).status is Status.EXECUTED
    assert "moderation_upheld_on_appeal" in seen
    assert points(coop, BOB) == 15


def test_a_reversed_moderation_earns_nothing(coop: Coop) -> None:
    appeal = moderated(coop)
    appeal_to_a_vote(coop, appeal)
    vote(coop, appeal, (ALICE, CAROL), NO)
    seen = kinds(settle(coop, appeal))
    assert "moderation_reversed" in seen
    assert points(coop, BOB) == 0


def test_an_unchallenged_moderation_is_not_upheld_on_appeal(coop: Coop) -> None:
    """Nobody objected: the decision stands, but no appeal took place, so no points (a
    moderator cannot farm standing by hiding content nobody cares about)."""
    appeal = moderated(coop)
    seen = kinds(settle(coop, appeal))
    assert proposal(coop, appeal).status is Status.EXECUTED
    assert "moderation_upheld_on_appeal" not in seen
    assert points(coop, BOB) == 0

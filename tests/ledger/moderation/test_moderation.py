"""Moderation: the anchoring membership check, Moderate proposals, a moderator's immediate act
with its automatic optimistic appeal, and reversal when the appeal succeeds."""

from __future__ import annotations

from ledger.content.payloads import ContentAnchor
from ledger.content.records import ModerationAction
from ledger.content.store import latest_moderation, moderation_history
from ledger.errors import ErrorCode
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.hashing import digest
from ledger.moderation.act import ModerationAct
from ledger.moderation.actions import Moderate
from ledger.moderation.appeals import get_appeal
from ledger.state.keys import u64
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, NO, YES
from tests.ledger.moderation.conftest import POST
from tests.ledger.treasury.conftest import Coop, enact, kinds, proposal, settle, vote

OTHER = digest(b"a post somewhere else")
HOUR = 3600 * 1000


def test_only_members_anchor_content_in_their_collective(coop: Coop) -> None:
    chain = coop.chain
    anchor = ContentAnchor(OTHER, "ipfs://x", "post", coop.cid)
    assert chain.reject(DAVE, anchor) is ErrorCode.CONTENT_NOT_A_MEMBER
    ghost = ContentAnchor(OTHER, "ipfs://x", "post", bytes(20))
    assert chain.reject(ALICE, ghost) is ErrorCode.CONTENT_NOT_A_MEMBER
    chain.send(DAVE, ContentAnchor(OTHER, "ipfs://x", "post"))  # no collective: open to all
    chain.send(ALICE, ContentAnchor(digest(b"ours"), "ipfs://y", "post", coop.cid))


def test_a_moderation_proposal_passes_unless_members_object(posted: Coop) -> None:
    chain = posted.chain
    pid, _ = enact(posted, [Moderate(POST, ModerationAction.LABEL, "spoilers")], voters=())
    assert proposal(posted, pid).status is Status.EXECUTED
    latest = latest_moderation(chain.view, POST)
    assert latest is not None
    assert (latest.action, latest.label, latest.actor) == (
        ModerationAction.LABEL,
        "spoilers",
        posted.cid,
    )
    assert latest.proposal_id == u64(pid) and latest.appeal_until_ms == 0


def test_only_content_of_the_collective_is_in_scope(posted: Coop) -> None:
    chain = posted.chain
    chain.send(DAVE, ContentAnchor(OTHER, "ipfs://x", "post"))
    outside = ProposalSubmit(posted.cid, (Moderate(OTHER, ModerationAction.HIDE),))
    assert chain.reject(ALICE, outside) is ErrorCode.MODERATION_OUT_OF_SCOPE
    missing = ProposalSubmit(posted.cid, (Moderate(digest(b"?"), ModerationAction.HIDE),))
    assert chain.reject(ALICE, missing) is ErrorCode.NOT_FOUND
    unlabeled = ProposalSubmit(posted.cid, (Moderate(POST, ModerationAction.LABEL),))
    assert chain.reject(ALICE, unlabeled) is ErrorCode.INVALID_ACTION
    act = ModerationAct(posted.cid, OTHER, ModerationAction.HIDE)
    assert chain.reject(BOB, act) is ErrorCode.MODERATION_OUT_OF_SCOPE


def test_only_a_moderator_acts_without_a_vote(posted: Coop) -> None:
    chain = posted.chain
    hide = ModerationAct(posted.cid, POST, ModerationAction.HIDE, "", "ipfs://why")
    assert chain.reject(ALICE, hide) is ErrorCode.UNAUTHORIZED
    assert chain.reject(DAVE, hide) is ErrorCode.NOT_MEMBER
    label = ModerationAct(posted.cid, POST, ModerationAction.LABEL)
    assert chain.reject(BOB, label) is ErrorCode.INVALID_PAYLOAD
    assert latest_moderation(chain.view, POST) is None


def test_an_unopposed_act_stands_when_its_appeal_window_closes(posted: Coop) -> None:
    chain = posted.chain
    receipt = chain.send(BOB, ModerationAct(posted.cid, POST, ModerationAction.HIDE))
    moderated = receipt.events[0]
    appeal = moderated.get("appeal")
    assert isinstance(appeal, int)
    latest = latest_moderation(chain.view, POST)
    assert latest is not None and latest.action is ModerationAction.HIDE
    assert latest.actor == BOB.address.raw and latest.proposal_id == u64(appeal)
    assert latest.appeal_until_ms == chain.time_ms + 48 * HOUR
    events = settle(posted, appeal)
    assert proposal(posted, appeal).status is Status.EXECUTED
    assert "moderation_upheld" in kinds(events)
    assert [d.action for d in moderation_history(chain.view, POST)] == [ModerationAction.HIDE]
    assert get_appeal(chain.view, appeal) is None


def test_a_post_is_hidden_by_a_moderator_appealed_and_restored_by_vote(posted: Coop) -> None:
    chain = posted.chain
    chain.send(BOB, ModerationAct(posted.cid, POST, ModerationAction.HIDE, "", "ipfs://off-topic"))
    latest = latest_moderation(chain.view, POST)
    assert latest is not None and latest.action is ModerationAction.HIDE
    appeal = int.from_bytes(latest.proposal_id or b"", "big")
    chain.next_block()
    vote(posted, appeal, [CAROL], NO)  # the author objects: 5 of 25 is over the 10 % bar
    chain.next_block(48 * HOUR)
    chain.next_block()  # the block past the window tallies: the objection restarts the vote
    assert proposal(posted, appeal).restarted  # the objection escalates to a full vote
    assert proposal(posted, appeal).status is Status.VOTING
    vote(posted, appeal, [ALICE, CAROL], NO)
    vote(posted, appeal, [BOB], YES)
    events = settle(posted, appeal)
    assert proposal(posted, appeal).status is Status.REJECTED
    assert "moderation_reversed" in kinds(events)
    history = moderation_history(chain.view, POST)
    assert [d.action for d in history] == [ModerationAction.HIDE, ModerationAction.RESTORE]
    restored = latest_moderation(chain.view, POST)
    assert restored is not None and restored.actor == posted.cid


def test_a_reversal_brings_back_the_decision_before_the_act(posted: Coop) -> None:
    chain = posted.chain
    enact(posted, [Moderate(POST, ModerationAction.LABEL, "spoilers")], voters=())
    chain.send(BOB, ModerationAct(posted.cid, POST, ModerationAction.REMOVE))
    latest = latest_moderation(chain.view, POST)
    assert latest is not None
    appeal = int.from_bytes(latest.proposal_id or b"", "big")
    vote(posted, appeal, [ALICE, CAROL], NO)
    chain.next_block(48 * HOUR)
    chain.next_block()  # the block past the window tallies: the objection restarts the vote
    vote(posted, appeal, [ALICE, CAROL], NO)
    settle(posted, appeal)
    restored = latest_moderation(chain.view, POST)
    assert restored is not None
    assert (restored.action, restored.label) == (ModerationAction.LABEL, "spoilers")


def test_a_later_decision_of_the_collective_makes_the_reversal_moot(posted: Coop) -> None:
    """Only a vote can overtake an open appeal: a moderator may not act again meanwhile."""
    chain = posted.chain
    chain.send(BOB, ModerationAct(posted.cid, POST, ModerationAction.HIDE))
    first = latest_moderation(chain.view, POST)
    assert first is not None
    appeal = int.from_bytes(first.proposal_id or b"", "big")
    vote(posted, appeal, [CAROL], NO)
    label = Moderate(POST, ModerationAction.LABEL, "nsfw")
    chain.send(ALICE, ProposalSubmit(posted.cid, (label,)))  # unopposed: passes in 48 h
    chain.next_block(48 * HOUR)
    chain.next_block()  # the block past the window tallies: the objection restarts the vote
    vote(posted, appeal, [ALICE, CAROL], NO)
    events = settle(posted, appeal)
    assert "moderation_reversal_moot" in kinds(events)
    latest = latest_moderation(chain.view, POST)
    assert latest is not None and latest.action is ModerationAction.LABEL

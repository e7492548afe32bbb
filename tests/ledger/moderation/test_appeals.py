"""Appeals bind moderators (issue 23, item 10): a moderator cannot act again on content whose
appeal is open (re-acting made every appeal moot), an appeal the collective won reverses to
what stood before the moderator, and after it moderators leave that content to a vote."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.content.payloads import ContentAnchor
from ledger.content.records import ModerationAction
from ledger.content.store import (
    content_in_collective,
    get_content,
    latest_moderation,
    moderation_history,
)
from ledger.errors import ErrorCode, TxError
from ledger.governance.kinds import Role
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalCancel, ProposalSubmit
from ledger.governance.roles import SetRole
from ledger.hashing import digest
from ledger.moderation.act import ModerationAct
from ledger.moderation.actions import Moderate
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, NO, Chain
from tests.ledger.moderation.conftest import POST, make_posted
from tests.ledger.treasury.conftest import Coop, enact, kinds, make_coop, proposal, settle, vote

HOUR = 3600 * 1000
ACTS = (ModerationAction.HIDE, ModerationAction.REMOVE, ModerationAction.RESTORE)


def act(coop: Coop, decision: ModerationAction = ModerationAction.HIDE) -> int:
    receipt = coop.chain.send(BOB, ModerationAct(coop.cid, POST, decision))
    appeal = receipt.events[0].get("appeal")
    assert isinstance(appeal, int)
    return appeal


def win_appeal(coop: Coop, appeal: int) -> list[str]:
    """Alice and Carol object, and vote the moderator's decision down in the full vote."""
    vote(coop, appeal, [ALICE, CAROL], NO)
    coop.chain.next_block(48 * HOUR)
    coop.chain.next_block()  # the objection restarts the appeal as a full vote
    vote(coop, appeal, [ALICE, CAROL], NO)
    return kinds(settle(coop, appeal))


def test_a_moderator_cannot_moot_an_open_appeal_by_acting_again(posted: Coop) -> None:
    act(posted)
    again = ModerationAct(posted.cid, POST, ModerationAction.HIDE, "", "ipfs://still-bad")
    assert posted.chain.reject(BOB, again) is ErrorCode.INVALID_STATE


def test_a_governor_cannot_cancel_an_appeal(posted: Coop) -> None:
    enact(posted, [SetRole(Role.GOVERNOR, BOB.address)])
    appeal = act(posted)
    assert posted.chain.reject(BOB, ProposalCancel(appeal)) is ErrorCode.UNAUTHORIZED


def test_a_won_appeal_restores_what_stood_before_the_moderator(posted: Coop) -> None:
    chain = posted.chain
    appeal = act(posted)
    assert "moderation_reversed" in win_appeal(posted, appeal)
    latest = latest_moderation(chain.view, POST)
    assert latest is not None and latest.action is ModerationAction.RESTORE
    assert latest.actor == posted.cid and "appeal upheld" not in latest.reason_uri
    assert f"appeal {appeal} won" in latest.reason_uri


def test_after_a_lost_appeal_only_a_vote_moderates_that_content(posted: Coop) -> None:
    chain = posted.chain
    win_appeal(posted, act(posted))
    again = ModerationAct(posted.cid, POST, ModerationAction.HIDE)
    assert chain.reject(BOB, again) is ErrorCode.UNAUTHORIZED
    pid = chain.send(ALICE, ProposalSubmit(posted.cid, (Moderate(POST, ModerationAction.HIDE),)))
    assert pid.events
    latest_before = latest_moderation(chain.view, POST)
    assert latest_before is not None and latest_before.action is ModerationAction.RESTORE


@settings(max_examples=8, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(ACTS), st.booleans(), st.booleans()), min_size=1, max_size=3)
)
def test_no_won_appeal_leaves_a_moderators_decision_in_place(
    steps: list[tuple[ModerationAction, bool, bool]],
) -> None:
    """Invariant: every appeal the collective won ends with the content as it stood before that
    act, recorded by the collective; a moderator never re-acts while an appeal is open."""
    chain = Chain(check_signatures=False)
    coop = make_posted(chain)
    for decision, objected, reacts in steps:
        before = latest_moderation(chain.view, POST)
        try:
            appeal = act(coop, decision)
        except TxError:  # refused after a lost appeal: that is the rule
            assert any("won" in d.reason_uri for d in moderation_history(chain.view, POST))
            continue
        if reacts:  # the moderator tries to moot the appeal with a second act
            try:
                act(coop, ModerationAction.HIDE)
            except TxError as error:
                assert error.code is ErrorCode.INVALID_STATE
        if objected:
            win_appeal(coop, appeal)
            assert proposal(coop, appeal).status is Status.REJECTED
            after = latest_moderation(chain.view, POST)
            assert after is not None and after.actor == coop.cid
            expected = before.action if before is not None else ModerationAction.RESTORE
            assert after.action is expected
        else:
            settle(coop, appeal)
            assert proposal(coop, appeal).status is Status.EXECUTED


def test_a_squatted_anchor_cannot_keep_content_out_of_moderation(chain: Chain) -> None:
    """Dave saw the hash first and anchored it with no collective; Carol's collective still brings
    it under its moderation. An anchor inside a collective stays final."""
    coop = make_coop(chain)
    squat = digest(b"carol's next video")
    chain.send(DAVE, ContentAnchor(squat, "ipfs://squat", "video"))
    receipt = chain.send(CAROL, ContentAnchor(squat, "ipfs://video", "video", coop.cid))
    assert "content_scoped" in kinds(receipt.events)
    record = get_content(chain.view, squat)
    assert record is not None and record.collective == coop.cid
    assert record.author == DAVE.address  # first seen stays on record; a hash proves no author
    assert squat in content_in_collective(chain.view, coop.cid)
    again = ContentAnchor(squat, "ipfs://v2", "video", coop.cid)
    assert chain.reject(ALICE, again) is ErrorCode.ALREADY_EXISTS
    assert chain.reject(DAVE, ContentAnchor(squat, "ipfs://x", "video")) is ErrorCode.ALREADY_EXISTS

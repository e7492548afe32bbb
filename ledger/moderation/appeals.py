"""Appeals of a moderator's act: the optimistic proposal opened with it, and its reversal.

`MODERATION_ACT` records the moderator's decision at once and opens a system proposal with one
`Moderate` action repeating it, under the collective's MODERATION policy (optimistic by default):
members appeal by objecting. If the proposal passes, the decision stands (executing it records
nothing new). If it ends rejected or vetoed (the objection, or the full vote it escalated to,
went against the moderator), the decision is reversed: the content gets back the decision it had
before the act (RESTORE if it had none), unless a later decision has replaced the moderator's in
the meantime (only a collective's own Moderate proposal can do that, see below). A cancelled or
expired appeal leaves the decision standing. A decision that stood through a real appeal (the
objection forced a full vote, and the vote passed it) is "upheld on appeal": the listeners of
`register_upheld_listener` hear of it (economics credits the moderator standing); a decision
nobody objected to enough to force a vote is not upheld on appeal, so moderating content no one
cares about earns nothing.

Appeals bind moderators (issue 23): while an appeal of a content's moderation is open, no
moderator acts on that content again (a second act used to make the appeal moot, and its own
appeal then "reversed" to the first act); once the collective has won an appeal on a content,
moderators leave it alone for good and only a Moderate proposal (a vote) changes it. The
reversal is recorded by the collective with the reason "appeal <id> won: decision <seq>
reversed".

Keys (content range):
    0x95 + proposal id(8) -> [content hash, decision seq, moderator]
    0x96 + content hash(32) -> u64 the open appeal on that content
    0x97 + content hash(32) -> u64 the appeal the collective won on that content
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ledger import codec
from ledger.codec import Fields
from ledger.content.records import CONTENT_HASH_LEN, ModerationAction
from ledger.content.store import latest_moderation, moderation_history, record_moderation
from ledger.errors import ErrorCode, TxError
from ledger.governance.hooks import register_finalize_hook
from ledger.governance.proposal import Proposal, Status
from ledger.keys import ADDRESS_LEN, Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.reader import StateReader
from ledger.state.view import StateView

APPEAL = b"\x95"
OPEN_ON = b"\x96"
WON_ON = b"\x97"

# (view, ctx, collective, moderator, appeal id) -> events
UpheldListener = Callable[[StateView, BlockContext, bytes, Address, int], list[Event]]
_UPHELD: list[UpheldListener] = []


def register_upheld_listener(listener: UpheldListener) -> None:
    _UPHELD.append(listener)


@dataclass(frozen=True, slots=True)
class Appeal:
    content_hash: bytes
    decision_seq: int
    moderator: bytes

    def encode(self) -> bytes:
        return codec.encode([self.content_hash, self.decision_seq, self.moderator])

    @classmethod
    def decode(cls, data: bytes) -> Appeal:
        f = Fields(codec.decode(data), 3, "appeal")
        return cls(
            f.bytes("content_hash", CONTENT_HASH_LEN, exact=True),
            f.int("decision_seq"),
            f.bytes("moderator", ADDRESS_LEN, exact=True),
        )


def get_appeal(view: StateReader, pid: int) -> Appeal | None:
    data = view.get(APPEAL + u64(pid))
    return None if data is None else Appeal.decode(data)


def open_appeal(view: StateView, pid: int, appeal: Appeal) -> None:
    view.put(APPEAL + u64(pid), appeal.encode())
    view.put(OPEN_ON + appeal.content_hash, u64(pid))


def require_moderator_may_act(view: StateReader, content_hash: bytes) -> None:
    """A moderator may act on content with no open appeal and no appeal won against a moderator:
    `INVALID_STATE` while one is open, `UNAUTHORIZED` after the collective won one."""
    open_pid = view.get(OPEN_ON + content_hash)
    if open_pid is not None:
        raise TxError(
            ErrorCode.INVALID_STATE,
            f"appeal {int.from_bytes(open_pid, 'big')} of this content is open: the collective "
            "decides it first",
        )
    won = view.get(WON_ON + content_hash)
    if won is not None:
        raise TxError(
            ErrorCode.UNAUTHORIZED,
            f"the collective won appeal {int.from_bytes(won, 'big')} on this content: "
            "only a vote moderates it now",
        )


def settle_appeal(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> list[Event]:
    """Finalize hook: reverse the moderator's decision when its appeal proposal failed."""
    appeal = get_appeal(view, pid)
    if appeal is None:
        return []
    view.delete(APPEAL + u64(pid))
    view.delete(OPEN_ON + appeal.content_hash)
    if proposal.status is Status.EXECUTED and proposal.restarted:
        events = [
            Event.of("moderation_upheld_on_appeal", proposal=pid, content=appeal.content_hash)
        ]
        for listener in _UPHELD:
            events += listener(view, ctx, proposal.collective, Address(appeal.moderator), pid)
        return events
    if proposal.status not in (Status.REJECTED, Status.VETOED):
        return []
    view.put(WON_ON + appeal.content_hash, u64(pid))
    latest = latest_moderation(view, appeal.content_hash)
    if latest is None or latest.seq != appeal.decision_seq:
        return [Event.of("moderation_reversal_moot", proposal=pid, content=appeal.content_hash)]
    before = None
    if appeal.decision_seq > 0:
        earlier = moderation_history(view, appeal.content_hash, appeal.decision_seq - 1, 1)
        before = earlier[0] if earlier else None
    action = before.action if before is not None else ModerationAction.RESTORE
    decision = record_moderation(
        view,
        ctx,
        appeal.content_hash,
        action,
        collective=proposal.collective,
        actor=proposal.collective,
        label=before.label if before is not None else "",
        reason_uri=f"appeal {pid} won: decision {appeal.decision_seq} reversed",
        proposal_id=u64(pid),
    )
    return [
        Event.of(
            "moderation_reversed",
            proposal=pid,
            content=appeal.content_hash,
            action=int(decision.action),
            seq=decision.seq,
        )
    ]


register_finalize_hook(settle_appeal)

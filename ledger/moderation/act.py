"""MODERATION_ACT: a moderator decides at once; the collective can appeal and reverse it.

The sender must be an active member holding the MODERATOR role, and the content must be anchored
in the collective. The act opens the appeal (a system proposal with one `Moderate` action under
the collective's MODERATION policy, optimistic by default), then records the decision with the
moderator as actor, the appeal's id, and `appeal_until_ms` = the end of the objection window
(Colony's lazy consensus with Snapshot's moderators).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives.ids import COLLECTIVE_ID_LEN, SYSTEM_ADDRESS
from ledger.collectives.standing import require_active_member
from ledger.collectives.store import require_collective
from ledger.content.records import CONTENT_HASH_LEN, MAX_LABEL_LEN, MAX_URI_LEN, ModerationAction
from ledger.content.store import record_moderation
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.governance.kinds import Role
from ledger.governance.proposal import require_proposal
from ledger.governance.roles import has_role
from ledger.governance.submission import create_proposal
from ledger.moderation.actions import Moderate, check_decision, decode_decision
from ledger.moderation.appeals import Appeal, open_appeal, require_moderator_may_act
from ledger.moderation.scope import require_in_scope
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.keys import u64
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload


@register_payload
@dataclass(frozen=True, slots=True)
class ModerationAct:
    KIND: ClassVar[TxKind] = TxKind.MODERATION_ACT
    collective: bytes
    content_hash: bytes
    decision: ModerationAction
    label: str = ""
    reason_uri: str = ""

    def to_fields(self) -> list[Any]:
        return [
            self.collective,
            self.content_hash,
            int(self.decision),
            self.label,
            self.reason_uri,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> ModerationAct:
        f = Fields(raw, 5, "moderation_act")
        return cls(
            f.bytes("collective", COLLECTIVE_ID_LEN, exact=True),
            f.bytes("content_hash", CONTENT_HASH_LEN, exact=True),
            decode_decision(f),
            f.str("label", MAX_LABEL_LEN),
            f.str("reason_uri", MAX_URI_LEN),
        )


class ModerationActHandler(TxHandler[ModerationAct]):
    payload_type = ModerationAct

    def check_stateless(self, tx: TxBody, payload: ModerationAct, params: ChainParams) -> None:
        try:
            check_decision(payload.decision, payload.label)
        except TxError as error:
            raise TxError(ErrorCode.INVALID_PAYLOAD, error.message) from error

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ModerationAct
    ) -> None:
        cid = payload.collective
        require_collective(view, cid)
        require_active_member(view, cid, tx.sender_address, ctx.time_ms)
        if not has_role(view, cid, Role.MODERATOR, tx.sender_address, ctx.time_ms):
            raise TxError(ErrorCode.UNAUTHORIZED, "only a moderator acts without a vote")
        require_in_scope(view, cid, payload.content_hash)
        require_moderator_may_act(view, payload.content_hash)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: ModerationAct
    ) -> list[Event]:
        cid = payload.collective
        moderator = tx.sender_address
        action = Moderate(payload.content_hash, payload.decision, payload.label, payload.reason_uri)
        pid, events = create_proposal(
            view,
            ctx,
            cid,
            SYSTEM_ADDRESS,
            (action,),
            metadata=f"appeal of a moderation by {moderator.raw.hex()}",
            system=True,
        )
        appeal_until = require_proposal(view, pid).tally_ms
        decision = record_moderation(
            view,
            ctx,
            payload.content_hash,
            payload.decision,
            collective=cid,
            actor=moderator.raw,
            label=payload.label,
            reason_uri=payload.reason_uri,
            proposal_id=u64(pid),
            appeal_until_ms=appeal_until,
        )
        open_appeal(view, pid, Appeal(payload.content_hash, decision.seq, moderator.raw))
        return [
            Event.of(
                "moderated",
                collective=cid,
                content=payload.content_hash,
                action=int(payload.decision),
                seq=decision.seq,
                moderator=moderator.raw,
                appeal=pid,
                appeal_until_ms=appeal_until,
            ),
            *events,
        ]


register_handler(ModerationActHandler())

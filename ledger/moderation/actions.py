"""The Moderate proposal action: the collective decides on content anchored in it.

Decisions are HIDE, LABEL (with a label), RESTORE or REMOVE; the latest decision on a content
hash is what frontends honour, and every decision stays in its history (`ledger.content.store`).
Executed in an appeal proposal (see `appeals`), the action confirms the moderator's decision and
records nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields, MalformedError
from ledger.collectives.model import Collective
from ledger.collectives.params import HOUR
from ledger.content.records import (
    CONTENT_HASH_LEN,
    MAX_LABEL_LEN,
    MAX_URI_LEN,
    ModerationAction,
)
from ledger.content.store import latest_moderation, record_moderation
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions import Action, ActionRun, register_action
from ledger.governance.kinds import ActionTag, DecisionMethod, ProposalKind
from ledger.governance.policy import Policy, register_default_policy
from ledger.moderation.appeals import get_appeal
from ledger.moderation.scope import require_in_scope
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.view import StateView


def decode_decision(f: Fields) -> ModerationAction:
    number = f.int("decision", 0, 255)
    try:
        return ModerationAction(number)
    except ValueError as exc:
        raise MalformedError(f"unknown moderation decision {number}") from exc


def check_decision(decision: ModerationAction, label: str) -> None:
    if decision is ModerationAction.LABEL and not label:
        raise TxError(ErrorCode.INVALID_ACTION, "a LABEL decision needs a label")


@register_action
@dataclass(frozen=True, slots=True)
class Moderate(Action):
    TAG: ClassVar[ActionTag] = ActionTag.MODERATE
    KIND: ClassVar[ProposalKind] = ProposalKind.MODERATION
    content_hash: bytes
    decision: ModerationAction
    label: str = ""
    reason_uri: str = ""

    def to_fields(self) -> list[Any]:
        return [self.content_hash, int(self.decision), self.label, self.reason_uri]

    @classmethod
    def from_fields(cls, raw: object) -> Moderate:
        f = Fields(raw, 4, "moderate")
        return cls(
            f.bytes("content_hash", CONTENT_HASH_LEN, exact=True),
            decode_decision(f),
            f.str("label", MAX_LABEL_LEN),
            f.str("reason_uri", MAX_URI_LEN),
        )

    def check(self) -> None:
        check_decision(self.decision, self.label)

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        require_in_scope(view, cid, self.content_hash)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        require_in_scope(view, cid, self.content_hash)
        appeal = get_appeal(view, run.proposal_id)
        if appeal is not None and appeal.content_hash == self.content_hash:
            latest = latest_moderation(view, self.content_hash)
            standing = latest is not None and latest.seq == appeal.decision_seq
            return [
                Event.of(
                    "moderation_upheld" if standing else "moderation_superseded",
                    proposal=run.proposal_id,
                    content=self.content_hash,
                )
            ]
        decision = record_moderation(
            view,
            ctx,
            self.content_hash,
            self.decision,
            collective=cid,
            actor=cid,
            label=self.label,
            reason_uri=self.reason_uri,
            proposal_id=u64(run.proposal_id),
        )
        return [
            Event.of(
                "moderated",
                collective=cid,
                content=self.content_hash,
                action=int(self.decision),
                seq=decision.seq,
                proposal=run.proposal_id,
            )
        ]


register_default_policy(
    ProposalKind.MODERATION,
    Policy(
        method=DecisionMethod.OPTIMISTIC,
        optimistic_reject_ppm=100_000,
        voting_period_ms=48 * HOUR,
        grace_period_ms=0,
        veto_ppm=0,
        expedited_period_ms=0,
    ),
)

"""`RoundClose`: a curation round closed before its end, by proposal (`coterie round close`).

A round settles by itself in the first block whose time reaches its end (ledger.economics.close),
so a "close" tx anyone could send after the end would have nothing to do. What a collective may
want instead is to end a round early: settle it now, by the endorsements that count now (the
same rule as at the end, exact to the unit), or call it off and take its budget back into the
treasury (`call_off`). Either is a proposal the collective votes on, under the SPEND policy
(the round's budget changes hands), so a few members cannot end a round just after endorsing
each other. A round that has settled already cannot be closed again (`ROUND_NOT_OPEN`); another
collective's round is not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE
from ledger.collectives.model import Collective
from ledger.economics import keys
from ledger.economics.close import settle
from ledger.economics.rounds import Round, RoundStatus, get_round, put_round, settled
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions import Action, ActionRun, register_action
from ledger.governance.kinds import ActionTag, ProposalKind
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView


def open_round_of(view: StateView, cid: bytes, round_id: int) -> Round:
    record = get_round(view, round_id)
    if record is None or record.collective != cid:
        raise TxError(ErrorCode.NOT_FOUND, f"no round {round_id} of this collective")
    if record.status is not RoundStatus.OPEN:
        raise TxError(ErrorCode.ROUND_NOT_OPEN, f"round {round_id} is {record.status.name}")
    return record


@register_action
@dataclass(frozen=True, slots=True)
class RoundClose(Action):
    """Settle round `round_id` now, or (`call_off`) return its budget to the treasury."""

    TAG: ClassVar[ActionTag] = ActionTag.ROUND_CLOSE
    KIND: ClassVar[ProposalKind] = ProposalKind.SPEND
    MOVES_VALUE: ClassVar[bool] = True
    round_id: int
    call_off: bool = False

    def to_fields(self) -> list[Any]:
        return [self.round_id, self.call_off]

    @classmethod
    def from_fields(cls, raw: object) -> RoundClose:
        f = Fields(raw, 2, "round_close")
        return cls(f.int("round_id"), f.bool("call_off"))

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        open_round_of(view, cid, self.round_id)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        record = open_round_of(view, run.collective_id, self.round_id)
        if not self.call_off:
            closed = Event.of("round_closed_early", round=self.round_id, proposal=run.proposal_id)
            return [closed, *settle(view, ctx, self.round_id)]
        view.delete(keys.round_due(record.end_ms, self.round_id))
        treasury.credit(view, record.collective, NATIVE, record.terms.budget)
        put_round(view, self.round_id, settled(record, RoundStatus.CALLED_OFF, 0))
        return [
            Event.of(
                "round_called_off",
                round=self.round_id,
                proposal=run.proposal_id,
                amount=record.terms.budget,
            )
        ]

"""The proposal action that opens a curation round. It is a SPEND (the budget leaves the
treasury), so the collective's spend policy and spend limits decide it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.model import Collective
from ledger.economics.rounds import RoundTerms, open_round
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions import Action, ActionRun, register_action
from ledger.governance.kinds import ActionTag, ProposalKind
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView


@register_action
@dataclass(frozen=True, slots=True)
class RoundOpen(Action):
    """Open a curation round of `terms`, starting when the proposal executes."""

    TAG: ClassVar[ActionTag] = ActionTag.ROUND_OPEN
    KIND: ClassVar[ProposalKind] = ProposalKind.SPEND
    MOVES_VALUE: ClassVar[bool] = True
    terms: RoundTerms

    def to_fields(self) -> list[Any]:
        return [self.terms.to_fields()]

    @classmethod
    def from_fields(cls, raw: object) -> RoundOpen:
        return cls(RoundTerms.from_fields(Fields(raw, 1, "round_open").raw()))

    def check(self) -> None:
        try:
            self.terms.check()
        except TxError as error:
            raise TxError(ErrorCode.INVALID_ACTION, error.message) from error

    def treasury_outflow(self) -> tuple[Asset, int] | None:
        return NATIVE, self.terms.budget

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        held = treasury.balance(view, cid, NATIVE)
        if held < self.terms.budget:
            raise TxError(
                ErrorCode.INSUFFICIENT_FUNDS, f"the treasury holds {held}, not {self.terms.budget}"
            )

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        _, event = open_round(
            view,
            cid=run.collective_id,
            proposal_id=run.proposal_id,
            terms=self.terms,
            height=ctx.height,
            now_ms=ctx.time_ms,
        )
        return [event]

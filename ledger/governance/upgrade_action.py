"""`UpgradePlanAction`: the governing body schedules a software upgrade (name, height, info).

A VALIDATORS-kind action: the governing body's chain-operations kind (body.py allows it nowhere
else; its policy needs 2/3 of the power and executes as soon as that is reached), since every
validator has to act on the plan by switching software. Executing it
stores the plan (replacing any pending one, as x/upgrade does); the height must still be ahead
when the proposal executes, else it fails and nothing of the proposal happens. What nodes do at
the height: ledger.upgrades.gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions import Action, ActionRun, register_action
from ledger.governance.body import governing_body_id
from ledger.governance.kinds import ActionTag, ProposalKind
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView
from ledger.upgrades.plan import MAX_INFO, MAX_NAME, PLAN_KEY, UpgradePlan


@register_action
@dataclass(frozen=True, slots=True)
class UpgradePlanAction(Action):
    TAG: ClassVar[ActionTag] = ActionTag.UPGRADE_PLAN
    KIND: ClassVar[ProposalKind] = ProposalKind.VALIDATORS
    name: str
    height: int
    info: str = ""

    @property
    def plan(self) -> UpgradePlan:
        return UpgradePlan(self.name, self.height, self.info)

    def to_fields(self) -> list[Any]:
        return [self.name, self.height, self.info]

    @classmethod
    def from_fields(cls, raw: object) -> UpgradePlanAction:
        f = Fields(raw, 3, "upgrade_plan")
        return cls(f.str("name", MAX_NAME), f.int("height", 1), f.str("info", MAX_INFO))

    def check(self) -> None:
        self.plan.check()

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        if run.collective_id != governing_body_id(ctx.params):
            raise TxError(ErrorCode.UNAUTHORIZED, "only the governing body plans upgrades")
        if self.height <= ctx.height:
            raise TxError(
                ErrorCode.INVALID_ACTION,
                f"upgrade height {self.height} is not ahead of height {ctx.height}",
            )
        view.put(PLAN_KEY, self.plan.encode())
        return [Event.of("upgrade_planned", name=self.name, height=self.height, info=self.info)]

"""The proposal actions that open a curation round or a matching round. Both are SPENDs (the
budget or pool leaves the treasury): the collective's spend policy and limits decide them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.model import Collective
from ledger.economics.matching import MatchingTerms, open_matching
from ledger.economics.reputation import ReputationPolicy, set_policy
from ledger.economics.reward_schedule import MAX_PERIOD_S, MIN_PERIOD_S, set_schedule
from ledger.economics.role_gates import set_required_points
from ledger.economics.rounds import RoundTerms, open_round
from ledger.economics.standing_rewards import pay_by_standing
from ledger.economics.vote_weight import hold_bonuses
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions import (
    Action,
    ActionRun,
    check_as_action,
    invalid_action,
    register_action,
)
from ledger.governance.escalation import WINDOW_MS
from ledger.governance.kinds import ActionTag, ProposalKind, Role
from ledger.splits.parties import PartyKind
from ledger.splits.store import find_config
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView

MAX_GATE_POINTS = 10**9


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
        check_as_action(self.terms.check)

    def treasury_outflow(self) -> tuple[Asset, int] | None:
        return NATIVE, self.terms.budget

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        _require_held(view, cid, self.terms.budget)

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


def _require_held(view: StateView, cid: bytes, amount: int) -> None:
    held = treasury.balance(view, cid, NATIVE)
    if held < amount:
        raise TxError(ErrorCode.INSUFFICIENT_FUNDS, f"the treasury holds {held}, not {amount}")


@register_action
@dataclass(frozen=True, slots=True)
class MatchingOpen(Action):
    """Open a quadratic-funding matching round of `terms`, starting when the proposal executes."""

    TAG: ClassVar[ActionTag] = ActionTag.MATCHING_OPEN
    KIND: ClassVar[ProposalKind] = ProposalKind.SPEND
    MOVES_VALUE: ClassVar[bool] = True
    terms: MatchingTerms

    def to_fields(self) -> list[Any]:
        return [self.terms.to_fields()]

    @classmethod
    def from_fields(cls, raw: object) -> MatchingOpen:
        return cls(MatchingTerms.from_fields(Fields(raw, 1, "matching_open").raw()))

    def check(self) -> None:
        check_as_action(self.terms.check)

    def treasury_outflow(self) -> tuple[Asset, int] | None:
        return NATIVE, self.terms.pool

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        _require_held(view, cid, self.terms.pool)
        for initiative in self.terms.initiatives:
            party = initiative.party
            if party.kind is PartyKind.SPLIT and find_config(view, party.id) is None:
                raise TxError(ErrorCode.NOT_FOUND, f"no split {party.id.hex()}")

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        _, event = open_matching(
            view,
            cid=run.collective_id,
            proposal_id=run.proposal_id,
            terms=self.terms,
            now_ms=ctx.time_ms,
        )
        return [event]


@register_action
@dataclass(frozen=True, slots=True)
class SetReputationPolicy(Action):
    """Name the acts that earn standing in the collective, their points, the half-life, the
    daily cap and how standing weighs votes (ledger.economics.reputation). Standing already
    earned keeps its value and decays with the new half-life from its last act; votes opened
    from the next block on use the new vote weight (`vote_weight.hold_bonuses`)."""

    TAG: ClassVar[ActionTag] = ActionTag.SET_REPUTATION_POLICY
    KIND: ClassVar[ProposalKind] = ProposalKind.GOVERNANCE
    policy: ReputationPolicy

    def to_fields(self) -> list[Any]:
        return [self.policy.to_fields()]

    @classmethod
    def from_fields(cls, raw: object) -> SetReputationPolicy:
        return cls(ReputationPolicy.from_fields(Fields(raw, 1, "set_reputation_policy").raw()))

    def check(self) -> None:
        self.policy.check()

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        hold_bonuses(view, run.collective_id, ctx.height)
        set_policy(view, run.collective_id, self.policy)
        return [Event.of("reputation_policy_set", collective=run.collective_id)]


@register_action
@dataclass(frozen=True, slots=True)
class SetRoleGate(Action):
    """Require `min_points` of standing to be given `role` (0 removes the gate)."""

    TAG: ClassVar[ActionTag] = ActionTag.SET_ROLE_GATE
    KIND: ClassVar[ProposalKind] = ProposalKind.GOVERNANCE
    role: int
    min_points: int

    def to_fields(self) -> list[Any]:
        return [self.role, self.min_points]

    @classmethod
    def from_fields(cls, raw: object) -> SetRoleGate:
        f = Fields(raw, 2, "set_role_gate")
        return cls(f.int("role", 0, 255), f.int("min_points", 0, MAX_GATE_POINTS))

    def check(self) -> None:
        if self.role not in Role._value2member_map_:
            raise invalid_action(f"unknown role {self.role}")

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        set_required_points(view, run.collective_id, self.role, self.min_points)
        return [
            Event.of(
                "role_gate_set",
                collective=run.collective_id,
                role=self.role,
                min_points=self.min_points,
            )
        ]


@register_action
@dataclass(frozen=True, slots=True)
class RewardStanding(Action):
    """Pay `budget` from the treasury to the members by their standing now, exactly."""

    TAG: ClassVar[ActionTag] = ActionTag.REWARD_STANDING
    KIND: ClassVar[ProposalKind] = ProposalKind.SPEND
    MOVES_VALUE: ClassVar[bool] = True
    budget: int

    def to_fields(self) -> list[Any]:
        return [self.budget]

    @classmethod
    def from_fields(cls, raw: object) -> RewardStanding:
        return cls(Fields(raw, 1, "reward_standing").int("budget"))

    def check(self) -> None:
        if self.budget <= 0:
            raise invalid_action("a reward needs a budget")

    def treasury_outflow(self) -> tuple[Asset, int] | None:
        return NATIVE, self.budget

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        _require_held(view, cid, self.budget)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        return pay_by_standing(view, ctx, run.collective_id, self.budget, run.proposal_id)


@register_action
@dataclass(frozen=True, slots=True)
class SetRewardSchedule(Action):
    """Pay `budget` by standing at the end of every `period_s` from now on (0 stops it),
    automatically (ledger.economics.reward_schedule). Its outflow, for the spend policy and the
    large-spend window, is what it pays over the window (two epochs of 7 days, rounded up to
    whole periods), not one period: a short period cannot hide a large spend."""

    TAG: ClassVar[ActionTag] = ActionTag.REWARD_SCHEDULE
    KIND: ClassVar[ProposalKind] = ProposalKind.SPEND
    MOVES_VALUE: ClassVar[bool] = True
    budget: int
    period_s: int

    def to_fields(self) -> list[Any]:
        return [self.budget, self.period_s]

    @classmethod
    def from_fields(cls, raw: object) -> SetRewardSchedule:
        f = Fields(raw, 2, "reward_schedule")
        return cls(f.int("budget"), f.int("period_s"))

    def check(self) -> None:
        if self.budget and not MIN_PERIOD_S <= self.period_s <= MAX_PERIOD_S:
            raise invalid_action("a reward period is 1 day to 366 days")
        if not self.budget and self.period_s:
            raise invalid_action("stopping a schedule names no period")

    def treasury_outflow(self) -> tuple[Asset, int] | None:
        if not self.budget:
            return None
        window_s = 2 * WINDOW_MS // 1000
        return NATIVE, self.budget * -(-window_s // self.period_s)

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        _require_held(view, cid, self.budget)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        return [
            set_schedule(
                view,
                cid,
                self.budget,
                self.period_s,
                now_ms=ctx.time_ms,
                proposal_id=run.proposal_id,
            )
        ]

"""The allocation action: a treasury budget divided over a weighted or quadratic poll's choices
by their scores (`ledger.treasury.allocation`; docs/treasury.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import assets, treasury
from ledger.collectives.assets import check_vault_asset
from ledger.collectives.ids import ASSET_TOKEN_LEN, Asset
from ledger.collectives.model import Collective
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions import Action, ActionRun, invalid_action, register_action
from ledger.governance.kinds import ActionTag, ProposalKind, VotingMethod
from ledger.governance.proposal import MAX_CHOICES, require_proposal
from ledger.splits.parties import MAX_MEMO_LEN, Party, PartyKind
from ledger.splits.payments import receive
from ledger.splits.store import find_config
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView
from ledger.treasury.allocation import allocate


@register_action
@dataclass(frozen=True, slots=True)
class Allocate(Action):
    """Divide `budget` of `asset` over the choices of a weighted or quadratic poll in proportion
    to their scores; choice i pays `targets[i]` (an account, or a split: native coin only). The
    poll's last choice is "none": it rejects, and whatever it scores is not paid out."""

    TAG: ClassVar[ActionTag] = ActionTag.ALLOCATE
    KIND: ClassVar[ProposalKind] = ProposalKind.ALLOCATION
    MOVES_VALUE: ClassVar[bool] = True
    asset: Asset
    budget: int
    targets: tuple[Party, ...]
    memo: str = ""

    def to_fields(self) -> list[Any]:
        return [self.asset.raw, self.budget, [t.to_fields() for t in self.targets], self.memo]

    @classmethod
    def from_fields(cls, raw: object) -> Allocate:
        f = Fields(raw, 4, "allocate")
        asset = Asset.parse(f.bytes("asset", ASSET_TOKEN_LEN))
        budget = f.int("budget")
        targets = tuple(Party.from_fields(t, "target") for t in f.list("targets", MAX_CHOICES))
        return cls(asset, budget, targets, f.str("memo", MAX_MEMO_LEN))

    def check(self) -> None:
        if self.budget == 0:
            raise invalid_action("an allocation needs a positive budget")
        for target in self.targets:
            if target.kind not in (PartyKind.ACCOUNT, PartyKind.SPLIT):
                raise invalid_action("allocation targets are accounts or splits")
            if target.kind is PartyKind.SPLIT and not self.asset.is_native:
                raise invalid_action("splits are paid in the native coin")

    def check_poll(self, method: VotingMethod, choice_count: int) -> None:
        if method not in (VotingMethod.WEIGHTED, VotingMethod.QUADRATIC):
            raise TxError(ErrorCode.INVALID_PAYLOAD, "allocations use weighted or quadratic votes")
        if len(self.targets) + 1 != choice_count:
            raise TxError(
                ErrorCode.INVALID_PAYLOAD,
                "an allocation names one target per choice, then a last choice for none",
            )

    def treasury_outflow(self) -> tuple[Asset, int] | None:
        return self.asset, self.budget

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        check_vault_asset(view, self.asset)
        for target in self.targets:
            if target.kind is PartyKind.SPLIT and find_config(view, target.id) is None:
                raise TxError(ErrorCode.NOT_FOUND, f"no split {target.id.hex()}")

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        proposal = require_proposal(view, run.proposal_id)
        if proposal.method not in (VotingMethod.WEIGHTED, VotingMethod.QUADRATIC):
            raise invalid_action("an allocation runs only on a weighted or quadratic poll")
        payouts = allocate(self.budget, proposal.tally[: len(self.targets)])
        if not any(payouts):
            raise TxError(ErrorCode.INVALID_STATE, "no choice has any support")
        treasury.debit(view, cid, self.asset, self.budget)
        source = Party(PartyKind.COLLECTIVE, cid)
        events = []
        for index, (target, paid) in enumerate(zip(self.targets, payouts, strict=True)):
            if not paid:
                continue
            events.append(
                Event.of(
                    "allocation_payout",
                    proposal=run.proposal_id,
                    choice=index,
                    target_kind=int(target.kind),
                    target=target.id,
                    amount=paid,
                )
            )
            if target.kind is PartyKind.ACCOUNT:
                assets.give(view, ctx.height, target.address, self.asset, paid)
            else:
                events += receive(view, ctx, target.id, source, paid, memo=self.memo)
        return events

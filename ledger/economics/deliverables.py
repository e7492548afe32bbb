"""A funded deliverable accepted: the collective says, by proposal, that the work it paid for
(a treasury spend or a stream) was delivered, and the recipient earns DELIVERABLE_ACCEPTED
standing (Colony's reputation for completed, paid work).

What may be accepted, and the adversary each rule stops:
- a spend: an executed proposal of this collective with a `TreasurySpend`; every recipient of
  its spends who is a member earns (once per proposal, whatever the number of spends in it);
- a stream: a stream this collective funded (active or cancelled); its recipient earns;
- nothing else (`NOT_FUNDED`): a member cannot have unpaid "deliverables" accepted to farm
  standing, and another collective's funding earns nothing here;
- once per funded item (`DELIVERABLE_ACCEPTED`): re-accepting the same work earns nothing;
- a recipient who is not a member earns nothing (standing is a member's, per collective).
The acceptance is decided under the GOVERNANCE policy; the points are still bounded by the
policy's daily cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives.model import Collective
from ledger.collectives.store import get_member
from ledger.economics import keys
from ledger.economics.reputation import Act, award
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions import Action, ActionRun, register_action
from ledger.governance.core_actions import TreasurySpend
from ledger.governance.kinds import ActionTag, ProposalKind
from ledger.governance.proposal import Status, get_proposal
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.view import StateView
from ledger.treasury.streams import get_stream


class Funded(IntEnum):
    """What kind of funded work an acceptance names (stable numbers)."""

    SPEND = 0  # the id of an executed proposal with treasury spends
    STREAM = 1  # a stream id


def recipients(view: StateView, cid: bytes, funded: Funded, funded_id: int) -> list[Address]:
    """Who was paid for the item, in order, or `NOT_FUNDED` when this collective funded none."""
    if funded is Funded.STREAM:
        stream = get_stream(view, funded_id)
        if stream is None or stream.collective != cid:
            raise TxError(ErrorCode.NOT_FUNDED, f"no stream {funded_id} of this collective")
        return [stream.recipient]
    proposal = get_proposal(view, funded_id)
    if proposal is None or proposal.collective != cid or proposal.status is not Status.EXECUTED:
        raise TxError(ErrorCode.NOT_FUNDED, f"no executed proposal {funded_id} of this collective")
    raw = sorted({a.to.raw for a in proposal.actions if isinstance(a, TreasurySpend)})
    paid = [Address(r) for r in raw]
    if not paid:
        raise TxError(ErrorCode.NOT_FUNDED, f"proposal {funded_id} spent nothing")
    return paid


def _require_open(view: StateView, cid: bytes, funded: Funded, funded_id: int) -> None:
    done = view.get(keys.deliverable(cid, funded, funded_id))
    if done is not None:
        by = int.from_bytes(done, "big")
        raise TxError(ErrorCode.DELIVERABLE_ACCEPTED, f"accepted already by proposal {by}")


@register_action
@dataclass(frozen=True, slots=True)
class AcceptDeliverable(Action):
    """Accept the work of a funded spend or stream; its member recipients earn standing."""

    TAG: ClassVar[ActionTag] = ActionTag.ACCEPT_DELIVERABLE
    KIND: ClassVar[ProposalKind] = ProposalKind.GOVERNANCE
    funded: Funded
    funded_id: int

    def to_fields(self) -> list[Any]:
        return [int(self.funded), self.funded_id]

    @classmethod
    def from_fields(cls, raw: object) -> AcceptDeliverable:
        f = Fields(raw, 2, "accept_deliverable")
        return cls(Funded(f.int("funded", 0, max(Funded))), f.int("funded_id"))

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        recipients(view, cid, self.funded, self.funded_id)
        _require_open(view, cid, self.funded, self.funded_id)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        paid = recipients(view, cid, self.funded, self.funded_id)
        _require_open(view, cid, self.funded, self.funded_id)
        view.put(keys.deliverable(cid, self.funded, self.funded_id), u64(run.proposal_id))
        events = [
            Event.of(
                "deliverable_accepted",
                collective=cid,
                funded=int(self.funded),
                id=self.funded_id,
                proposal=run.proposal_id,
            )
        ]
        for who in paid:
            if get_member(view, cid, who) is not None:
                events += award(view, cid, who, Act.DELIVERABLE_ACCEPTED, ctx.time_ms)
        return events

"""Validator-set changes decided by the governing body, and removal proposals after equivocation.

A `ValidatorUpdate` action (power > 0 adds or changes a validator, power 0 removes it; a
replacement is two actions in one proposal, so both happen or neither) carries the validator's
P2P node key when it adds one, so nodes accept its connections without config edits; a change
without a node key keeps the one on record (see `ledger.state.validators`). It is allowed only in
proposals of the governing body, and schedules the change through
`ledger.state.validators.schedule_update`, so it takes effect at the height consensus derives
(H + validator_update_delay). When the body is the built-in validators collective, its membership
follows the active set at the same block boundary (`sync_validators_body`).

Equivocation evidence recorded in a block opens, in that block's end, a removal proposal for the
offender in the governing body, voting at once, unless one is already open (`open_removal_cases`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.collectives import keys as ckeys
from ledger.collectives import roster
from ledger.collectives.holdings import holding
from ledger.collectives.ids import SYSTEM_ADDRESS, VALIDATORS_BODY_ID
from ledger.collectives.store import get_collective, get_member
from ledger.collectives.tokens import burn, mint
from ledger.errors import ErrorCode, TxError
from ledger.governance import keys
from ledger.governance.actions import Action, ActionRun, register_action
from ledger.governance.body import governing_body_id
from ledger.governance.kinds import ActionTag, ProposalKind
from ledger.governance.proposal import get_proposal
from ledger.governance.submission import create_proposal
from ledger.keys import PUBLIC_KEY_LEN, Address
from ledger.state import keys as skeys
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import register_end_block
from ledger.state.keys import u64
from ledger.state.records import (
    MAX_VALIDATOR_POWER,
    ValidatorRecord,
    read_validator_fields,
    validator_fields,
)
from ledger.state.validators import schedule_update
from ledger.state.view import StateView

__all__ = ["MAX_VALIDATOR_POWER", "ValidatorUpdate"]


@register_action
@dataclass(frozen=True, slots=True)
class ValidatorUpdate(Action):
    TAG: ClassVar[ActionTag] = ActionTag.VALIDATOR_UPDATE
    KIND: ClassVar[ProposalKind] = ProposalKind.VALIDATORS
    public_key: bytes
    power: int
    name: str = ""
    node_key: bytes | None = None

    def to_fields(self) -> list[Any]:
        return validator_fields(self.public_key, self.power, self.name, self.node_key)

    @classmethod
    def from_fields(cls, raw: object) -> ValidatorUpdate:
        return cls(*read_validator_fields(raw, "validator_update"))

    def check(self) -> None:
        if len(self.public_key) != PUBLIC_KEY_LEN or self.power > MAX_VALIDATOR_POWER:
            raise TxError(ErrorCode.INVALID_ACTION, "a validator key is 32 bytes, power <= 2^40")
        if self.node_key is not None and len(self.node_key) != PUBLIC_KEY_LEN:
            raise TxError(ErrorCode.INVALID_ACTION, "a node key is 32 bytes")
        if self.power == 0 and self.node_key is not None:
            raise TxError(ErrorCode.INVALID_ACTION, "a removal carries no node key")

    @property
    def address(self) -> Address:
        return Address.from_public_key(self.public_key)

    def excluded_voters(self) -> tuple[Address, ...]:
        """A validator does not vote on its own removal (as an expulsion's target)."""
        return (self.address,) if self.power == 0 else ()

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        if run.collective_id != governing_body_id(ctx.params):
            raise TxError(ErrorCode.UNAUTHORIZED, "only the governing body changes validators")
        record = ValidatorRecord(self.public_key, self.power, self.name, self.node_key)
        activation = schedule_update(view, ctx, record)
        if run.collective_id == VALIDATORS_BODY_ID:
            view.put(ckeys.body_sync(activation, self.address.raw), b"")
        return [
            Event.of(
                "validator_update_scheduled",
                validator=self.address.raw,
                power=self.power,
                activation=activation,
            )
        ]


def sync_validators_body(view: StateView, ctx: BlockContext) -> list[Event]:
    """End-block, after the validator set took its updates for the next height: make the
    validators body's membership and shares equal the active set for each changed validator."""
    prefix = ckeys.BODY_SYNC + u64(ctx.height + 1)
    pending = list(view.iter_prefix(prefix))
    body = get_collective(view, VALIDATORS_BODY_ID)
    events: list[Event] = []
    for key, _ in pending:
        view.delete(key)
        if body is None:
            continue
        who = Address(key[len(prefix) :])
        data = view.get(skeys.validator(who.raw))
        power = ValidatorRecord.decode(data).power if data is not None else 0
        cid = VALIDATORS_BODY_ID
        is_member = get_member(view, cid, who) is not None
        if power == 0:
            if is_member:
                events += roster.leave(view, ctx.height, cid, body, who)
            continue
        if not is_member:
            events.append(roster.join(view, ctx.height, cid, body, who, now_ms=ctx.time_ms))
        current = holding(view, cid, 0, who)
        if power > current:
            minted = mint(
                view, ctx.height, cid, body, token_class=0, to=who, amount=power - current
            )
            events.append(minted)
        elif power < current:
            burned = burn(
                view, ctx.height, cid, body, token_class=0, holder=who, amount=current - power
            )
            events.append(burned)
    return events


def open_removal_cases(view: StateView, ctx: BlockContext) -> list[Event]:
    """End-block: open a removal proposal for each validator this block's evidence convicts."""
    events: list[Event] = []
    body_id = governing_body_id(ctx.params)
    if not ctx.evidence or get_collective(view, body_id) is None:
        return events
    for evidence in ctx.evidence:
        offender = evidence.vote_a.validator
        data = view.get(skeys.validator(offender.raw))
        if data is None or _case_open(view, offender):
            continue
        record = ValidatorRecord.decode(data)
        child = view.child()
        try:
            pid, opened = create_proposal(
                child,
                ctx,
                body_id,
                SYSTEM_ADDRESS,
                [ValidatorUpdate(record.public_key, 0, record.name)],
                metadata=f"equivocation at height {evidence.vote_a.height}",
                system=True,
            )
        except TxError as error:
            events.append(
                Event.of("removal_case_refused", validator=offender.raw, reason=error.message)
            )
            continue
        child.put(keys.evidence_case(offender.raw), u64(pid))
        child.merge_into_parent()
        events += opened
    return events


def _case_open(view: StateView, offender: Address) -> bool:
    data = view.get(keys.evidence_case(offender.raw))
    if data is None:
        return False
    proposal = get_proposal(view, int.from_bytes(data, "big"))
    return proposal is not None and not proposal.status.is_final


register_end_block("validators_body", sync_validators_body)
register_end_block("removal_cases", open_removal_cases)

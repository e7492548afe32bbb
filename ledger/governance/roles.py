"""Roles: powers a member holds without a vote (Baal shamans, Colony roles), set by proposal.

A role may expire. A role is a right of membership (issue 23): it counts only while its holder is
a member who is not jailed (a jailed holder's roles pause), and it ends with the membership
(ragequit, ragekick, forfeit: the leave hook below deletes the grants). A locked role can never
be granted or revoked again *by a proposal* (Baal's lockGovernor and friends); the lock freezes
who may hold the role by vote, it never shields a holder from expulsion, jail or exit, so a
locked governor is removed by expelling her. This module knows only GOVERNOR's use (cancelling
proposals during voting); the treasury and moderation work add roles' uses with their own
actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import keys
from ledger.collectives.fieldcodec import address
from ledger.collectives.model import Collective
from ledger.collectives.roster import register_leave_hook
from ledger.collectives.standing import in_good_standing
from ledger.collectives.store import get_member
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions import Action, ActionRun, register_action
from ledger.governance.kinds import ActionTag, ProposalKind, Role
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.view import StateView


def role_of(view: StateView, cid: bytes, role: int, who: Address) -> int | None:
    """The stored expiry of `who`'s grant of `role` (0: none), or None without a grant."""
    data = view.get(keys.role(cid, role, who.raw))
    return None if data is None else int.from_bytes(data, "big")


def has_role(view: StateView, cid: bytes, role: int, who: Address, now_ms: int) -> bool:
    """`who` holds an unexpired grant of `role` and is a member in good standing."""
    expires = role_of(view, cid, role, who)
    if expires is None or (expires != 0 and now_ms >= expires):
        return False
    return in_good_standing(view, cid, who, now_ms)


def _end_roles(view: StateView, height: int, cid: bytes, who: Address) -> None:
    """Leave hook: a member who leaves holds no role, locked or not."""
    for role in Role:
        view.delete(keys.role(cid, role, who.raw))


register_leave_hook(_end_roles)


def is_locked(view: StateView, cid: bytes, role: int) -> bool:
    return view.get(keys.role_lock(cid, role)) is not None


RoleGate = Callable[[StateView, BlockContext, bytes, int, Address], "str | None"]
"""(state, block, collective, role, holder) -> None when `holder` may be given `role`, else why
not (the economics package gates roles on standing, issue 22)."""

_ROLE_GATES: list[RoleGate] = []


def register_role_gate(gate: RoleGate) -> None:
    _ROLE_GATES.append(gate)


def _require_unlocked(view: StateView, cid: bytes, role: int) -> None:
    if is_locked(view, cid, role):
        raise TxError(ErrorCode.ROLE_LOCKED, f"role {role} is locked")


def _check_role(role: int) -> None:
    if role not in Role._value2member_map_:
        raise TxError(ErrorCode.INVALID_ACTION, f"unknown role {role}")


@register_action
@dataclass(frozen=True, slots=True)
class SetRole(Action):
    TAG: ClassVar[ActionTag] = ActionTag.SET_ROLE
    KIND: ClassVar[ProposalKind] = ProposalKind.GOVERNANCE
    role: int
    holder: Address
    expires_ms: int = 0  # 0: no expiry

    def to_fields(self) -> list[Any]:
        return [self.role, self.holder.raw, self.expires_ms]

    @classmethod
    def from_fields(cls, raw: object) -> SetRole:
        f = Fields(raw, 3, "set_role")
        return cls(f.int("role", 0, 255), address(f, "holder"), f.int("expires_ms"))

    def check(self) -> None:
        _check_role(self.role)

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        _require_unlocked(view, cid, self.role)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        _require_unlocked(view, cid, self.role)
        if get_member(view, cid, self.holder) is None:
            raise TxError(ErrorCode.NOT_MEMBER, "roles are held by members")
        for gate in _ROLE_GATES:
            reason = gate(view, ctx, cid, self.role, self.holder)
            if reason is not None:
                raise TxError(ErrorCode.STANDING_TOO_LOW, reason)
        view.put(keys.role(cid, self.role, self.holder.raw), u64(self.expires_ms))
        return [Event.of("role_set", collective=cid, role=self.role, holder=self.holder.raw)]


@register_action
@dataclass(frozen=True, slots=True)
class RevokeRole(Action):
    TAG: ClassVar[ActionTag] = ActionTag.REVOKE_ROLE
    KIND: ClassVar[ProposalKind] = ProposalKind.GOVERNANCE
    role: int
    holder: Address

    def to_fields(self) -> list[Any]:
        return [self.role, self.holder.raw]

    @classmethod
    def from_fields(cls, raw: object) -> RevokeRole:
        f = Fields(raw, 2, "revoke_role")
        return cls(f.int("role", 0, 255), address(f, "holder"))

    def check(self) -> None:
        _check_role(self.role)

    def targeted_members(self) -> tuple[Address, ...]:
        return (self.holder,)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        cid = run.collective_id
        _require_unlocked(view, cid, self.role)
        view.delete(keys.role(cid, self.role, self.holder.raw))
        return [Event.of("role_revoked", collective=cid, role=self.role, holder=self.holder.raw)]


@register_action
@dataclass(frozen=True, slots=True)
class LockRole(Action):
    TAG: ClassVar[ActionTag] = ActionTag.LOCK_ROLE
    KIND: ClassVar[ProposalKind] = ProposalKind.GOVERNANCE
    role: int

    def to_fields(self) -> list[Any]:
        return [self.role]

    @classmethod
    def from_fields(cls, raw: object) -> LockRole:
        return cls(Fields(raw, 1, "lock_role").int("role", 0, 255))

    def check(self) -> None:
        _check_role(self.role)

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        view.put(keys.role_lock(run.collective_id, self.role), b"\x01")
        return [Event.of("role_locked", collective=run.collective_id, role=self.role)]

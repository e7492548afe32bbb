"""Joining, changing and leaving membership, with checkpoints and the member count kept right.

Holdings are the caller's business (see `tokens`); a member who leaves must have no holdings of
members-only classes left, which `leave` enforces by burning what remains.
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.collectives import checkpoints, keys
from ledger.collectives.delegation import clear_delegations
from ledger.collectives.model import Collective, Member
from ledger.collectives.store import (
    delete_member_record,
    get_member,
    put_member_record,
    require_member,
)
from ledger.collectives.tokens import burn_all
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.events import Event
from ledger.state.keys import u64
from ledger.state.view import StateView

LeaveHook = Callable[[StateView, int, bytes, Address], None]
_LEAVE_HOOKS: list[LeaveHook] = []


def register_leave_hook(hook: LeaveHook) -> None:
    """Run `hook(view, height, cid, who)` whenever `who` stops being a member of `cid`: rights
    that other modules grant to members (roles, allowances) end with the membership."""
    _LEAVE_HOOKS.append(hook)


def member_count(view: StateView, cid: bytes) -> int:
    data = view.get(keys.member_count(cid))
    return 0 if data is None else int.from_bytes(data, "big")


def join(
    view: StateView, height: int, cid: bytes, collective: Collective, who: Address, *, now_ms: int
) -> Event:
    """Make `who` a member (expiring after the membership term, if the collective has one)."""
    if get_member(view, cid, who) is not None:
        raise TxError(ErrorCode.ALREADY_EXISTS, f"{who!r} is already a member")
    count = member_count(view, cid)
    if count >= collective.params.max_members:
        raise TxError(ErrorCode.LIMIT_REACHED, "the collective has reached max_members")
    term = collective.params.membership_term_ms
    put_member_record(view, cid, who, Member(now_ms, now_ms + term if term else 0))
    view.put(keys.member_count(cid), u64(count + 1))
    view.delete(keys.expelled(cid, who.raw))
    checkpoints.sync(view, height, cid, collective, who)
    return Event.of("member_joined", collective=cid, member=who.raw)


def update(
    view: StateView,
    height: int,
    cid: bytes,
    collective: Collective,
    who: Address,
    *,
    member: Member,
) -> None:
    require_member(view, cid, who)
    put_member_record(view, cid, who, member)
    checkpoints.sync(view, height, cid, collective, who)


def leave(
    view: StateView, height: int, cid: bytes, collective: Collective, who: Address
) -> list[Event]:
    """End `who`'s membership: burn what they still hold, drop their delegations, and run the
    leave hooks (roles, allowances)."""
    require_member(view, cid, who)
    events = burn_all(view, height, cid, collective, who)
    delete_member_record(view, cid, who)
    view.put(keys.member_count(cid), u64(member_count(view, cid) - 1))
    clear_delegations(view, height, cid, who)
    for hook in _LEAVE_HOOKS:
        hook(view, height, cid, who)
    checkpoints.sync(view, height, cid, collective, who)
    events.append(Event.of("member_left", collective=cid, member=who.raw))
    return events

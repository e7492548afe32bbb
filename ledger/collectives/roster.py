"""Joining, changing and leaving membership, with checkpoints and the member count kept right.

Holdings are the caller's business (see `tokens`); a member who leaves must have no holdings of
members-only classes left, which `leave` enforces by burning what remains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ledger.collectives import checkpoints, keys
from ledger.collectives.delegation import clear_delegations, clear_delegations_to
from ledger.collectives.model import Collective, Member
from ledger.collectives.standing import lapsed
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
StandingHook = Callable[[StateView, bytes, Address], None]
_LEAVE_HOOKS: list[LeaveHook] = []
_STANDING_HOOKS: list[StandingHook] = []


def register_leave_hook(hook: LeaveHook) -> None:
    """Run `hook(view, height, cid, who)` whenever `who` stops being a member of `cid`: rights
    that other modules grant to members (roles, allowances) end with the membership."""
    _LEAVE_HOOKS.append(hook)


def register_standing_hook(hook: StandingHook) -> None:
    """Run `hook(view, cid, who)` after `who` joins, leaves, is jailed or comes back from a
    lapse, i.e. whenever the delegations they carry change (`delegation.carries_delegations`):
    the running tallies of open votes recount what their ballots carry."""
    _STANDING_HOOKS.append(hook)


def _standing_changed(view: StateView, cid: bytes, who: Address) -> None:
    for hook in _STANDING_HOOKS:
        hook(view, cid, who)


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
    _standing_changed(view, cid, who)
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


def renew(
    view: StateView,
    height: int,
    cid: bytes,
    collective: Collective,
    who: Address,
    *,
    expires_ms: int,
    now_ms: int,
) -> None:
    """Extend `who`'s membership to `expires_ms`. A membership that had lapsed ended the
    delegations to it (each vote judged that lazily: `delegation.carries_delegations`); the
    renewal makes it final before they are back, so their delegators keep their own vote until
    they choose to delegate again, as after a jailing or a leave."""
    member = require_member(view, cid, who)
    was_lapsed = lapsed(member, collective.params, now_ms)
    update(view, height, cid, collective, who, member=replace(member, expires_ms=expires_ms))
    if was_lapsed:
        end_delegate(view, height, cid, who)


def jail(view: StateView, height: int, cid: bytes, collective: Collective, who: Address) -> Event:
    """Jail `who` (an expulsion without forfeit): their shares stop voting, their exit share
    stays, and, as when a member leaves, the delegations to them end (`end_delegate`)."""
    member = require_member(view, cid, who)
    update(view, height, cid, collective, who, member=replace(member, jailed=True))
    end_delegate(view, height, cid, who)
    return Event.of("member_jailed", collective=cid, member=who.raw)


def leave(
    view: StateView, height: int, cid: bytes, collective: Collective, who: Address
) -> list[Event]:
    """End `who`'s membership (an exit, a RageKick, an expulsion with forfeit, a validator
    removed): burn what they still hold, drop their delegations and the delegations to them, and
    run the leave hooks (roles, allowances)."""
    require_member(view, cid, who)
    events = burn_all(view, height, cid, collective, who)
    delete_member_record(view, cid, who)
    view.put(keys.member_count(cid), u64(member_count(view, cid) - 1))
    clear_delegations(view, height, cid, who)
    for hook in _LEAVE_HOOKS:
        hook(view, height, cid, who)
    checkpoints.sync(view, height, cid, collective, who)
    end_delegate(view, height, cid, who)
    events.append(Event.of("member_left", collective=cid, member=who.raw))
    return events


def end_delegate(view: StateView, height: int, cid: bytes, who: Address) -> None:
    """`who` no longer carries delegated power (they left, were jailed or their membership
    lapsed): every delegation naming them ends (each
    delegator votes with that part of their own power again), and on votes already open their
    ballot stops carrying what was lent to them (Cosmos x/group drops a removed member's
    weight; Snapshot counts delegated power only for a delegate who can still vote)."""
    clear_delegations_to(view, height, cid, who)
    _standing_changed(view, cid, who)

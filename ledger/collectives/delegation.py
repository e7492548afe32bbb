"""Delegation: a member lends parts of their vote (in ppm) to other members, one hop only.

A delegation is a list of (delegate, ppm) with a sum of at most 1,000,000 (the remainder stays
with the delegator), for one scope: 0 for every proposal kind, or one `ProposalKind` whose
delegation then overrides the general one (Snapshot's split delegation, made native), also when
it is empty: an empty scoped delegation keeps the whole vote for that kind (an opt-out). Records
are checkpointed by height like voting power, so a tally reads the delegations as of the
proposal's snapshot. Delegated power is only ever added to a delegate's own ballot, so it never
travels a second hop; a delegator's own ballot replaces their delegation for that proposal (the
Cosmos inheritance rule).

Every address ever named as a delegate keeps its delegators in a reverse index (add-only, so a
superset of who delegated to it at any height): a tally finds the power lent to a voter by
checking these candidates against the delegations as of the snapshot, never by visiting every
member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import keys
from ledger.collectives.checkpoints import point_at
from ledger.collectives.fieldcodec import address
from ledger.collectives.ids import COLLECTIVE_ID_LEN
from ledger.collectives.params import PPM
from ledger.collectives.standing import require_active_member
from ledger.collectives.store import get_member, require_collective
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.governance.kinds import ProposalKind
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload

MAX_DELEGATES = 16
ALL_KINDS = 0
Splits = tuple[tuple[Address, int], ...]


def _encode_splits(height: int, splits: Splits) -> bytes:
    return codec.encode([height, [[a.raw, ppm] for a, ppm in splits]])


def _decode_splits(data: bytes) -> tuple[int, Splits]:
    f = Fields(codec.decode(data), 2, "delegation")
    height = f.int("height")
    out = []
    for item in f.list("splits", MAX_DELEGATES):
        g = Fields(item, 2, "split")
        out.append((address(g, "delegate"), g.int("ppm", 1, PPM)))
    return height, tuple(out)


def set_delegation(
    view: StateView, height: int, cid: bytes, delegator: Address, *, scope: int, splits: Splits
) -> None:
    """Record `splits` (empty: none) for `scope` from `height` on."""
    data = _encode_splits(height, splits)
    view.put(keys.delegation(cid, delegator.raw, scope), data)
    view.put(keys.delegation_history(cid, delegator.raw, scope, height), data)
    for delegate, _ in splits:
        view.put(keys.delegators(cid, delegate.raw, delegator.raw), b"")


def delegators_of(view: StateView, cid: bytes, delegate: Address) -> list[Address]:
    """Everyone who ever named `delegate` in any scope, in address order (a superset of the
    delegators at any height: check each against `effective_delegation`)."""
    prefix = keys.DELEGATORS + cid + delegate.raw
    return [Address(k[len(prefix) :]) for k, _ in view.iter_prefix(prefix)]


def delegation_at(
    view: StateView, cid: bytes, delegator: Address, scope: int, height: int
) -> Splits | None:
    """The delegation recorded for `scope` as of `height`: None when none was ever recorded
    by then, () when the delegator recorded an empty one."""
    latest = view.get(keys.delegation(cid, delegator.raw, scope))
    if latest is None:
        return None
    latest_height, splits = _decode_splits(latest)
    if latest_height <= height:
        return splits
    best: Splits | None = None
    prefix = keys.DELEGATION_HISTORY + cid + delegator.raw + scope.to_bytes(2, "big")
    for key, value in view.iter_prefix(prefix):
        if int.from_bytes(key[len(prefix) :], "big") > height:
            break
        best = _decode_splits(value)[1]
    return best


def effective_delegation(
    view: StateView, cid: bytes, delegator: Address, kind: int, height: int
) -> Splits:
    """The delegation that applies to a proposal of `kind` snapshotted at `height`: a recorded
    scoped delegation, even an empty one (which keeps the whole vote: an opt-out of the general
    delegation for that kind, issue 23), else the general one."""
    if kind != ALL_KINDS:
        scoped = delegation_at(view, cid, delegator, kind, height)
        if scoped is not None:
            return scoped
    return delegation_at(view, cid, delegator, ALL_KINDS, height) or ()


def current_delegations(
    view: StateView, cid: bytes, delegator: Address
) -> list[tuple[int, Splits]]:
    prefix = keys.DELEGATION + cid + delegator.raw
    out = []
    for key, value in view.iter_prefix(prefix):
        splits = _decode_splits(value)[1]
        if splits:
            out.append((int.from_bytes(key[len(prefix) :], "big"), splits))
    return out


def clear_delegations(view: StateView, height: int, cid: bytes, delegator: Address) -> None:
    """Withdraw every delegation of `delegator` (a member who leaves)."""
    for scope, _splits in current_delegations(view, cid, delegator):
        set_delegation(view, height, cid, delegator, scope=scope, splits=())


def clear_delegations_to(view: StateView, height: int, cid: bytes, delegate: Address) -> None:
    """End every delegation naming `delegate` (a member who leaves or is jailed): each delegator
    keeps that part of their own vote, their other delegates keep theirs. A scoped delegation
    left empty stays recorded, so it keeps the whole vote of that kind with the delegator rather
    than handing it to their general delegates (they chose someone else for that kind)."""
    for delegator in delegators_of(view, cid, delegate):
        for scope, splits in current_delegations(view, cid, delegator):
            kept = tuple((a, ppm) for a, ppm in splits if a != delegate)
            if len(kept) != len(splits):
                set_delegation(view, height, cid, delegator, scope=scope, splits=kept)


def carries_delegations(
    view: StateView, cid: bytes, delegate: Address, height: int, start_ms: int
) -> bool:
    """What is lent to `delegate` on a vote snapshotted at `height` that started at `start_ms`
    counts only while they are a member who is not jailed, and only if their membership had not
    lapsed when the vote started. The lapse is judged from their point at the snapshot, as their
    own power is: a renewal after the start does not bring back what the lapse took."""
    member = get_member(view, cid, delegate)
    if member is None or member.jailed:
        return False
    return not point_at(view, cid, delegate, height).lapsed(start_ms)


@register_payload
@dataclass(frozen=True, slots=True)
class Delegate:
    """Delegate parts of the sender's vote in `collective` for `scope`; no splits undelegates."""

    KIND: ClassVar[TxKind] = TxKind.DELEGATE
    collective: bytes
    scope: int
    splits: Splits

    def to_fields(self) -> list[Any]:
        return [self.collective, self.scope, [[a.raw, ppm] for a, ppm in self.splits]]

    @classmethod
    def from_fields(cls, raw: object) -> Delegate:
        f = Fields(raw, 3, "delegate")
        cid = f.bytes("collective", COLLECTIVE_ID_LEN, exact=True)
        scope = f.int("scope", 0, 0xFFFF)
        splits = []
        for item in f.list("splits", MAX_DELEGATES):
            g = Fields(item, 2, "split")
            splits.append((address(g, "delegate"), g.int("ppm", 0, PPM)))
        return cls(cid, scope, tuple(splits))


class DelegateHandler(TxHandler[Delegate]):
    payload_type = Delegate

    def check_stateless(self, tx: TxBody, payload: Delegate, params: ChainParams) -> None:
        if payload.scope != ALL_KINDS and payload.scope not in ProposalKind._value2member_map_:
            raise TxError(ErrorCode.INVALID_PAYLOAD, f"unknown proposal kind {payload.scope}")
        delegates = [a for a, _ in payload.splits]
        if len(set(delegates)) != len(delegates):
            raise TxError(ErrorCode.DUPLICATE_ENTRY, "a delegate is listed twice")
        if tx.sender_address in delegates:
            raise TxError(ErrorCode.INVALID_PAYLOAD, "a member cannot delegate to themselves")
        if any(ppm == 0 for _, ppm in payload.splits):
            raise TxError(ErrorCode.ZERO_AMOUNT, "every delegated part must be positive")
        if sum(ppm for _, ppm in payload.splits) > PPM:
            raise TxError(ErrorCode.INVALID_PAYLOAD, "delegated parts exceed 1,000,000 ppm")

    def check_stateful(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: Delegate
    ) -> None:
        require_collective(view, payload.collective)
        if not payload.splits:  # undelegating is always allowed to a member
            if get_member(view, payload.collective, tx.sender_address) is None:
                raise TxError(ErrorCode.NOT_MEMBER, "not a member")
            return
        for who in (tx.sender_address, *(a for a, _ in payload.splits)):
            require_active_member(view, payload.collective, who, ctx.time_ms)

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: Delegate
    ) -> list[Event]:
        set_delegation(
            view,
            ctx.height,
            payload.collective,
            tx.sender_address,
            scope=payload.scope,
            splits=payload.splits,
        )
        return [
            Event.of(
                "delegate",
                collective=payload.collective,
                delegator=tx.sender_address.raw,
                scope=payload.scope,
                delegates=len(payload.splits),
            )
        ]


register_handler(DelegateHandler())

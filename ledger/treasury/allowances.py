"""Allowances: a member or a role may spend up to `amount` of one treasury asset per period
without a vote (Safe's Allowance module, with the period as u64 seconds instead of uint16
minutes, so periods beyond 45.5 days work: safe-react #3119; and role grantees shared by every
holder of the role: safe-react #1634).

The reset is lazy: nothing happens at the period boundary; whoever reads the allowance next sees
it reset. A period runs from `window_start_ms`; when `now >= window_start + period`, `spent` goes
back to 0 and the window advances by whole periods, so windows stay aligned to the first one
(Safe's `resetBaseMin`). A period of 0 means one budget that never resets. Allowances are created,
changed and removed only by the SetAllowance proposal action; a change keeps what was spent in the
current window (lowering the amount below it stops spending until the next reset), and a new
period starts a fresh window at the change.

An allowance is a right of membership (issue 23): a member grantee's allowances end when the
member leaves (the leave hook below), and no grantee spends while not in good standing (jailed
or lapsed: `AllowanceSpend` checks it; a role's holders lose the role's use the same way).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from ledger import codec
from ledger.codec import Fields, MalformedError
from ledger.collectives.ids import Asset
from ledger.collectives.roster import register_leave_hook
from ledger.errors import ErrorCode, TxError
from ledger.governance.kinds import Role
from ledger.governance.roles import has_role
from ledger.keys import ADDRESS_LEN, Address
from ledger.state.reader import StateReader
from ledger.state.view import StateView
from ledger.treasury import keys

MAX_PERIOD_S = 100 * 365 * 24 * 3600  # a century: keeps every window time far inside u64 ms


class GranteeKind(IntEnum):
    MEMBER = 0  # id: the member's 20-byte address
    ROLE = 1  # id: the role's number, one byte; every holder of the role shares the allowance


_ID_LEN = {GranteeKind.MEMBER: ADDRESS_LEN, GranteeKind.ROLE: 1}


@dataclass(frozen=True, slots=True)
class Grantee:
    kind: GranteeKind
    id: bytes

    @classmethod
    def member(cls, address: Address) -> Grantee:
        return cls(GranteeKind.MEMBER, address.raw)

    @classmethod
    def role(cls, role: int) -> Grantee:
        return cls(GranteeKind.ROLE, bytes([role]))

    def key(self) -> bytes:
        return bytes([self.kind]) + self.id

    def to_fields(self) -> list[Any]:
        return [int(self.kind), self.id]

    @classmethod
    def from_fields(cls, raw: object) -> Grantee:
        f = Fields(raw, 2, "grantee")
        number = f.int("kind", 0, 255)
        try:
            kind = GranteeKind(number)
        except ValueError as exc:
            raise MalformedError(f"grantee: unknown kind {number}") from exc
        return cls(kind, f.bytes("id", _ID_LEN[kind], exact=True))

    @classmethod
    def from_key(cls, key: bytes) -> tuple[Grantee, bytes]:
        """Split a stored key suffix into the grantee and the rest (the asset)."""
        kind = GranteeKind(key[0])
        size = _ID_LEN[kind]
        return cls(kind, key[1 : 1 + size]), key[1 + size :]

    def check(self) -> None:
        if self.kind is GranteeKind.ROLE and self.id[0] not in Role._value2member_map_:
            raise TxError(ErrorCode.INVALID_ACTION, f"unknown role {self.id[0]}")

    def may_spend(self, view: StateView, cid: bytes, who: Address, now_ms: int) -> bool:
        if self.kind is GranteeKind.MEMBER:
            return who.raw == self.id
        return has_role(view, cid, self.id[0], who, now_ms)


@dataclass(frozen=True, slots=True)
class Allowance:
    amount: int  # the most that may be spent per period
    period_s: int  # 0: a one-off budget
    spent: int
    window_start_ms: int

    def at(self, now_ms: int) -> Allowance:
        """The allowance as it stands at `now_ms`, with the lazy reset applied."""
        if self.period_s == 0:
            return self
        period_ms = self.period_s * 1000
        if now_ms < self.window_start_ms + period_ms:
            return self
        periods = (now_ms - self.window_start_ms) // period_ms
        return replace(self, spent=0, window_start_ms=self.window_start_ms + periods * period_ms)

    def available(self, now_ms: int) -> int:
        current = self.at(now_ms)
        return max(0, current.amount - current.spent)

    def next_reset_ms(self) -> int:
        """When the current window ends (0: never)."""
        return self.window_start_ms + self.period_s * 1000 if self.period_s else 0

    def encode(self) -> bytes:
        return codec.encode([self.amount, self.period_s, self.spent, self.window_start_ms])

    @classmethod
    def decode(cls, data: bytes) -> Allowance:
        f = Fields(codec.decode(data), 4, "allowance")
        return cls(f.int("amount"), f.int("period_s"), f.int("spent"), f.int("window_start_ms"))


def get_allowance(
    view: StateReader, cid: bytes, grantee: Grantee, asset: Asset
) -> Allowance | None:
    data = view.get(keys.allowance(cid, grantee.key(), asset.raw))
    return None if data is None else Allowance.decode(data)


def require_allowance(view: StateReader, cid: bytes, grantee: Grantee, asset: Asset) -> Allowance:
    allowance = get_allowance(view, cid, grantee, asset)
    if allowance is None:
        raise TxError(ErrorCode.NOT_FOUND, f"no allowance of {asset!r} for this grantee")
    return allowance


def put_allowance(
    view: StateView, cid: bytes, grantee: Grantee, asset: Asset, allowance: Allowance
) -> None:
    view.put(keys.allowance(cid, grantee.key(), asset.raw), allowance.encode())


def delete_allowance(view: StateView, cid: bytes, grantee: Grantee, asset: Asset) -> None:
    view.delete(keys.allowance(cid, grantee.key(), asset.raw))


def allowances_of(view: StateReader, cid: bytes) -> Iterator[tuple[Grantee, Asset, Allowance]]:
    """Every allowance of a collective, by grantee then asset."""
    prefix = keys.ALLOWANCE + cid
    for key, value in view.iter_prefix(prefix):
        grantee, asset_raw = Grantee.from_key(key[len(prefix) :])
        yield grantee, Asset.parse(asset_raw), Allowance.decode(value)


def set_allowance(
    view: StateView,
    now_ms: int,
    cid: bytes,
    grantee: Grantee,
    asset: Asset,
    *,
    amount: int,
    period_s: int,
) -> Allowance | None:
    """Create, change (amount 0: remove) an allowance; returns what is stored now."""
    current = get_allowance(view, cid, grantee, asset)
    if amount == 0:
        delete_allowance(view, cid, grantee, asset)
        return None
    if current is None:
        updated = Allowance(amount, period_s, 0, now_ms)
    else:
        current = current.at(now_ms)
        if period_s != current.period_s:
            updated = Allowance(amount, period_s, current.spent, now_ms)
        else:
            updated = replace(current, amount=amount)
    put_allowance(view, cid, grantee, asset, updated)
    return updated


def _end_allowances(view: StateView, height: int, cid: bytes, who: Address) -> None:
    """Leave hook: a member's own allowances end with the membership (issue 23). Role
    allowances stay with the role; the leaver's grant of the role ends with the roles."""
    prefix = keys.ALLOWANCE + cid + Grantee.member(who).key()
    for key in [k for k, _ in view.iter_prefix(prefix)]:
        view.delete(key)


register_leave_hook(_end_allowances)


def spend(
    view: StateView, now_ms: int, cid: bytes, grantee: Grantee, asset: Asset, *, amount: int
) -> Allowance:
    """Count `amount` against the allowance or raise `ALLOWANCE_EXCEEDED`; returns the new state.
    The caller pays it out of the treasury."""
    current = require_allowance(view, cid, grantee, asset).at(now_ms)
    if current.spent + amount > current.amount:
        raise TxError(
            ErrorCode.ALLOWANCE_EXCEEDED,
            f"{amount} exceeds what is left of the allowance: "
            f"{max(0, current.amount - current.spent)} until {current.next_reset_ms() or 'never'}",
        )
    updated = replace(current, spent=current.spent + amount)
    put_allowance(view, cid, grantee, asset, updated)
    return updated

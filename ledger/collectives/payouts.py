"""Holder payouts by a cumulative per-unit index ("reward per token"), settled lazily.

A payment to the holders of a class does not visit them: it adds `ceil(amount * SCALE / held)`
to the class's index for the paid asset (`held`: the units accounts hold, vaults earn nothing)
and puts the amount in the class's pool. Each holder keeps the index they were last settled at
and their accrued entitlement in 1/SCALE units; whenever their holding changes (`on_change`,
called by `ledger.collectives.tokens` before every change) they are credited
`holding * (index - settled_at)`. A claim pays `floor(accrued / SCALE)` and keeps the remainder,
so a holder's fraction of a unit is never lost, only paid once it makes a whole unit.

Rounding rule and why it conserves value (SCALE = 2**128, held supply < 2**64):
- the index rounds up, so every holder's accrued A >= E, their exact entitlement
  (sum over payments of amount * holding / held at that payment); A - E < n * 2**-64 after n
  payments, so a holder's paid total floor(A) is strictly within one unit of E;
- over all holders, sum(A) - paid in < n * held / SCALE < n * 2**-64 < 1, so
  sum(floor(A)) <= floor(sum(A)) = paid in: the pool never pays out more than it received.
A payment costs O(1) whatever the holder count; a holding change costs one read and write per
asset ever paid to that class, at most `MAX_POOL_ASSETS`. Units acquired after a payment are
settled at the index of the moment they arrive, so they collect nothing of earlier payments.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import keys, record_dates
from ledger.collectives.ids import Asset
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.keys import u64
from ledger.state.reader import StateReader
from ledger.state.view import StateView

SCALE = 1 << 128
MAX_POOL_ASSETS = 8
_MAX_INT_BYTES = 48  # the index grows by at most 2**192 per payment


def _big(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _int(f: Fields, name: str) -> int:
    return int.from_bytes(f.bytes(name, _MAX_INT_BYTES), "big")


@dataclass(frozen=True, slots=True)
class Pool:
    """One class's payouts in one asset: the cumulative index and what is not yet claimed."""

    index: int = 0
    balance: int = 0

    def encode(self) -> bytes:
        return codec.encode([_big(self.index), self.balance])

    @classmethod
    def decode(cls, data: bytes) -> Pool:
        f = Fields(codec.decode(data), 2, "holder_pool")
        return cls(_int(f, "index"), f.int("balance"))


@dataclass(frozen=True, slots=True)
class Entitlement:
    """A holder's account with one pool: the index settled at and the accrued 1/SCALE units."""

    settled_at: int = 0
    accrued: int = 0

    def encode(self) -> bytes:
        return codec.encode([_big(self.settled_at), _big(self.accrued)])

    @classmethod
    def decode(cls, data: bytes) -> Entitlement:
        f = Fields(codec.decode(data), 2, "holder_entitlement")
        return cls(_int(f, "settled_at"), _int(f, "accrued"))


def held(view: StateReader, cid: bytes, token_class: int) -> int:
    """Units of the class that accounts hold (the index's denominator)."""
    data = view.get(keys.held(cid, token_class))
    return 0 if data is None else int.from_bytes(data, "big")


def pool_assets(view: StateReader, holders_of: Asset) -> list[Asset]:
    """Every asset ever paid to the holders of `holders_of`, in the order first paid (one read:
    a holding change must not scan the block's writes)."""
    data = view.get(keys.pool_assets(holders_of.raw))
    if data is None:
        return []
    items = Fields(codec.decode(data), 1, "pool_assets").list("assets", MAX_POOL_ASSETS)
    out = []
    for item in items:
        if not isinstance(item, bytes):
            raise codec.MalformedError("pool_assets: expected raw assets")
        out.append(Asset.parse(item))
    return out


def pools(view: StateReader, holders_of: Asset) -> list[tuple[Asset, Pool]]:
    """Every asset ever paid to the holders of `holders_of`, with its pool."""
    out = []
    for asset in pool_assets(view, holders_of):
        data = view.get(keys.holder_pool(holders_of.raw, asset.raw))
        out.append((asset, Pool() if data is None else Pool.decode(data)))
    return out


def all_pools(view: StateReader) -> list[tuple[Asset, int]]:
    """(paid asset, unclaimed balance) of every pool: value the holders have not claimed yet."""
    start = len(keys.HOLDER_POOL) + len(Asset(bytes(20), 0).raw)
    return [
        (Asset.parse(k[start:]), Pool.decode(v).balance)
        for k, v in view.iter_prefix(keys.HOLDER_POOL)
    ]


def _entitlement(view: StateReader, holders_of: Asset, who: Address, asset: Asset) -> Entitlement:
    data = view.get(keys.entitlement(holders_of.raw, who.raw, asset.raw))
    return Entitlement() if data is None else Entitlement.decode(data)


def _settled(pool: Pool, entry: Entitlement, holding: int, correction: int = 0) -> Entitlement:
    """`correction`: what record dates add (`record_dates.corrections`), in 1/SCALE units."""
    if holding == 0:  # a record without units may predate the pool's latest payments
        return Entitlement(pool.index, entry.accrued + correction)
    accrued = entry.accrued + holding * (pool.index - entry.settled_at) + correction
    return Entitlement(pool.index, accrued)


def on_change(view: StateView, holders_of: Asset, who: Address, before: int, after: int) -> None:
    """Settle `who` at every pool of the class before their holding goes `before` -> `after`."""
    fix = record_dates.corrections(view, holders_of, who, before)
    for asset, pool in pools(view, holders_of):
        key = keys.entitlement(holders_of.raw, who.raw, asset.raw)
        entry = _entitlement(view, holders_of, who, asset)
        entry = _settled(pool, entry, before, fix.get(asset.raw, 0))
        if entry.accrued == 0 and after == 0:
            view.delete(key)
        else:
            view.put(key, entry.encode())
    record_dates.settle_notes(view, holders_of, who, before, note_pending=True)
    cid, token_class = holders_of.collective, holders_of.token_class
    total = held(view, cid, token_class) - before + after
    view.put(keys.held(cid, token_class), u64(total))


def deposit(
    view: StateView, holders_of: Asset, asset: Asset, amount: int, record_id: bytes = b""
) -> int:
    """Add `amount` of `asset` (already taken from its source) to the class's pool and index;
    returns the held units it was divided over. Raises NO_HOLDERS when no account holds any.
    `record_id`: a distribution registered in `record_dates`, divided over the units held at
    its record moment instead of now."""
    dated = record_dates.find(view, holders_of, record_id) if record_id else None
    units = held(view, holders_of.collective, holders_of.token_class)
    if dated is not None:
        units = dated.held_at_record
    if units == 0:
        raise TxError(ErrorCode.NO_HOLDERS, f"nobody holds {holders_of!r}")
    key = keys.holder_pool(holders_of.raw, asset.raw)
    data = view.get(key)
    if data is None:
        known = pool_assets(view, holders_of)
        if len(known) >= MAX_POOL_ASSETS:
            raise TxError(
                ErrorCode.LIMIT_REACHED,
                f"a class's holders are paid in at most {MAX_POOL_ASSETS} assets",
            )
        listed = [a.raw for a in (*known, asset)]
        view.put(keys.pool_assets(holders_of.raw), codec.encode([listed]))
    pool = Pool() if data is None else Pool.decode(data)
    step = -(-amount * SCALE // units)  # rounded up: see the module's rounding rule
    if pool.balance + amount > codec.U64_MAX:
        raise TxError(ErrorCode.OVERFLOW, "the holders' pool would overflow")
    view.put(key, Pool(pool.index + step, pool.balance + amount).encode())
    if dated is not None:
        record_dates.executed(view, holders_of, record_id, step)
    return units


def owed(
    view: StateReader, holders_of: Asset, who: Address, holding: int
) -> list[tuple[Asset, int]]:
    """What `who` (holding `holding` units now) could claim of each pool: whole units only."""
    out = []
    fix = record_dates.corrections(view, holders_of, who, holding)
    for asset, pool in pools(view, holders_of):
        entry = _entitlement(view, holders_of, who, asset)
        entry = _settled(pool, entry, holding, fix.get(asset.raw, 0))
        if entry.accrued >= SCALE:
            out.append((asset, entry.accrued // SCALE))
    return out


def take_owed(
    view: StateView, holders_of: Asset, who: Address, holding: int
) -> list[tuple[Asset, int]]:
    """Settle `who`, take the whole units of every pool out of it (the caller gives them to
    `who`), keep the fractions; returns what was taken, per asset."""
    taken = []
    fix = record_dates.corrections(view, holders_of, who, holding)
    if fix:  # the corrections are folded into every pool below, or kept by a settled entry
        for asset, pool in pools(view, holders_of):
            if asset.raw in fix:
                entry = _entitlement(view, holders_of, who, asset)
                entry = _settled(pool, entry, holding, fix[asset.raw])
                view.put(keys.entitlement(holders_of.raw, who.raw, asset.raw), entry.encode())
        record_dates.settle_notes(view, holders_of, who, holding, note_pending=False)
    for asset, pool in pools(view, holders_of):
        entry = _settled(pool, _entitlement(view, holders_of, who, asset), holding)
        whole, rest = divmod(entry.accrued, SCALE)
        if whole == 0:
            continue
        if whole > pool.balance:  # impossible by the rounding rule; never pay what is not there
            raise TxError(ErrorCode.INSUFFICIENT_FUNDS, "the holders' pool is short")
        key = keys.entitlement(holders_of.raw, who.raw, asset.raw)
        if rest == 0 and holding == 0:
            view.delete(key)
        else:
            view.put(key, Entitlement(entry.settled_at, rest).encode())
        view.put(
            keys.holder_pool(holders_of.raw, asset.raw),
            Pool(pool.index, pool.balance - whole).encode(),
        )
        taken.append((asset, whole))
    return taken

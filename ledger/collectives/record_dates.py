"""Record dates of holder distributions, without visiting the holders.

A `HolderDistribution` proposal is decided when its voting closes and paid when it executes,
after grace. The holders who share in it are those of the **record moment, the tally that passed
it**: units bought, minted or received after the decision share in nothing of it. The payment
still goes through the class's per-unit index (`ledger.collectives.payouts`), divided over the
units held at the record moment, and the lazy settlement is corrected for the holders whose
holding changed in between:

- at the record moment the distribution is registered as pending for its class, with the units
  accounts held then (`held_at_record`); at most `MAX_PENDING` per class;
- the first time a holder's holding changes while a distribution is pending, their holding just
  before the change (= their holding at the record moment) is written down: one write;
- at execution the index rises by `ceil(amount * SCALE / held_at_record)`; a holder who never
  changed since the record moment holds what they held then, so the index pays them right; a
  holder with a written-down holding is corrected at their first settlement after execution by
  `(holding_at_record - holding_now) * step` and the note is deleted;
- a distribution that does not execute is dropped with its notes (deleted as they are met).

Cost: a holding change reads the class's pending list and the holder's notes for the class (one
key each, at most `MAX_PENDING` entries, no prefix scan) and one record per note; a
registration and an execution are O(1).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger import codec
from ledger.codec import Fields
from ledger.collectives import keys
from ledger.collectives.ids import Asset
from ledger.keys import Address
from ledger.state.keys import u64
from ledger.state.reader import StateReader
from ledger.state.view import StateView

MAX_PENDING = 8
ID_LEN = 9  # proposal id (8) + action index (1)
_MAX_INT_BYTES = 48


def dist_id(pid: int, action_index: int) -> bytes:
    return u64(pid) + bytes([action_index])


@dataclass(frozen=True, slots=True)
class Dated:
    """A distribution with a record date: what it pays and over how many units."""

    asset: Asset
    held_at_record: int
    step: int = 0  # the index step it paid; 0 while pending

    def encode(self) -> bytes:
        step = self.step.to_bytes((self.step.bit_length() + 7) // 8, "big")
        return codec.encode([self.asset.raw, self.held_at_record, step])

    @classmethod
    def decode(cls, data: bytes) -> Dated:
        f = Fields(codec.decode(data), 3, "dated")
        asset = Asset.parse(f.bytes("asset", 64))
        held = f.int("held_at_record")
        return cls(asset, held, int.from_bytes(f.bytes("step", _MAX_INT_BYTES), "big"))


def find(view: StateReader, holders_of: Asset, did: bytes) -> Dated | None:
    data = view.get(keys.dated(holders_of.raw, did))
    return None if data is None else Dated.decode(data)


def pending(view: StateReader, holders_of: Asset) -> list[bytes]:
    data = view.get(keys.dated_pending(holders_of.raw))
    if data is None:
        return []
    items = Fields(codec.decode(data), 1, "dated_pending").list("ids", MAX_PENDING)
    return [i for i in items if isinstance(i, bytes)]


def _put_pending(view: StateView, holders_of: Asset, ids: list[bytes]) -> None:
    if ids:
        view.put(keys.dated_pending(holders_of.raw), codec.encode([ids]))
    else:
        view.delete(keys.dated_pending(holders_of.raw))


def register(view: StateView, holders_of: Asset, did: bytes, asset: Asset, held: int) -> bool:
    """Fix the record moment of a passed distribution; False when the class already has
    `MAX_PENDING` pending (it is then divided over the holders at execution)."""
    ids = pending(view, holders_of)
    if len(ids) >= MAX_PENDING or did in ids:
        return False
    _put_pending(view, holders_of, [*ids, did])
    view.put(keys.dated(holders_of.raw, did), Dated(asset, held).encode())
    return True


def executed(view: StateView, holders_of: Asset, did: bytes, step: int) -> None:
    dated = find(view, holders_of, did)
    if dated is None:
        return
    _put_pending(view, holders_of, [i for i in pending(view, holders_of) if i != did])
    step += dated.step  # two equal distributions of one proposal share one record
    view.put(
        keys.dated(holders_of.raw, did), Dated(dated.asset, dated.held_at_record, step).encode()
    )


def drop(view: StateView, holders_of: Asset, did: bytes) -> None:
    """A distribution that will not execute: its notes become void (deleted when met)."""
    if find(view, holders_of, did) is None:
        return
    _put_pending(view, holders_of, [i for i in pending(view, holders_of) if i != did])
    view.delete(keys.dated(holders_of.raw, did))


def _notes(view: StateReader, holders_of: Asset, who: Address) -> list[tuple[bytes, int]]:
    """`who`'s notes for the class, (distribution id, holding at its record moment): one read,
    at most `MAX_PENDING` (written only for pending ones, consumed at the next settlement)."""
    data = view.get(keys.dated_holding(holders_of.raw, who.raw))
    if data is None:
        return []
    items = Fields(codec.decode(data), 1, "dated_notes").list("notes", MAX_PENDING)
    out = []
    for item in items:
        f = Fields(item, 2, "dated_note")
        out.append((f.bytes("id", ID_LEN, exact=True), f.int("holding")))
    return out


def _put_notes(
    view: StateView, holders_of: Asset, who: Address, notes: list[tuple[bytes, int]]
) -> None:
    key = keys.dated_holding(holders_of.raw, who.raw)
    if notes:
        view.put(key, codec.encode([[[did, units] for did, units in notes]]))
    else:
        view.delete(key)


def corrections(
    view: StateReader, holders_of: Asset, who: Address, holding: int
) -> dict[bytes, int]:
    """What the lazy settlement of `who` (holding `holding` since they last settled) must add,
    per paid asset raw, in 1/SCALE units, for the executed distributions noted for them."""
    out: dict[bytes, int] = {}
    for did, at_record in _notes(view, holders_of, who):
        dated = find(view, holders_of, did)
        if dated is not None and dated.step:
            raw = dated.asset.raw
            out[raw] = out.get(raw, 0) + (at_record - holding) * dated.step
    return out


def settle_notes(
    view: StateView, holders_of: Asset, who: Address, before: int, *, note_pending: bool
) -> None:
    """After `who` was settled: delete the notes consumed (executed or void), and, before a
    holding change, note `before` (their holding at the record moment) for every pending
    distribution not noted yet."""
    notes = _notes(view, holders_of, who)
    kept = []
    for did, units in notes:
        dated = find(view, holders_of, did)
        if dated is not None and not dated.step:
            kept.append((did, units))
    noted = {did for did, _ in kept}
    for did in pending(view, holders_of) if note_pending else ():
        if did not in noted:
            kept.append((did, before))
    if kept != notes:
        _put_notes(view, holders_of, who, kept)

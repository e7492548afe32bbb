"""What a pending tx read and wrote, so that a block re-executes only the txs it could change.

A ready tx is executed on its sender's overlay through a `_Recorder`, which notes every key the
tx read from outside itself (from committed state or from the sender's earlier pending txs) with
the value it saw; a transfer runs the transfer rule on `_RecordingAccounts`, which notes the same
reads and writes without the view layers (tests/node/mempool/test_effects.py compares the two).
The tx's result is a function of those values, its own bytes, and, for some kinds, the block
context (height and time: deadlines, dues) or a prefix scan. So a tx that is a `Transfer` (whose
execution reads no context and scans nothing) and none of whose reads a block changed would
execute after the block exactly as it did: it need not run again; and a run of transfers whose
reads a block only credited would do the same with those balances shifted by the credits.
`rebased_run` checks this for a sender's remaining run; docs/mempool.md ("Which senders run
again after a block") states the rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from ledger.codec import U64_MAX
from ledger.slotset import slot_setter
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.executor import check_envelope, execute_tx, fee_recipient
from ledger.state.reader import StateReader
from ledger.state.records import decode_account, encode_account
from ledger.state.transfer import apply_transfer
from ledger.state.view import StateView
from ledger.tx import SignedTx, Transfer

ACCOUNT_KEY_LEN = len(keys.ACCOUNT) + 20  # prefix + address


def already_verified(_tx: SignedTx) -> bool:
    """The executor's `signature_ok` for txs the pool holds: each was verified on admission."""
    return True


@dataclass(frozen=True, slots=True)
class TxEffect:
    reads: dict[bytes, bytes | None]  # key -> value seen, for keys read from outside the tx
    writes: dict[bytes, bytes | None]  # what the tx wrote (None: deleted)
    replayable: bool  # the result depends on `reads` alone: no block context, no prefix scan


def _effect(
    reads: dict[bytes, bytes | None], writes: dict[bytes, bytes | None], *, replayable: bool
) -> TxEffect:
    """`TxEffect(reads, writes, replayable)` built slot by slot (ledger/slotset.py): one per
    admitted tx, and one per pending tx a block credited."""
    effect = _new(TxEffect)
    _SET_READS(effect, reads)
    _SET_WRITES(effect, writes)
    _SET_REPLAYABLE(effect, replayable)
    return effect


_new = object.__new__
_SET_READS = slot_setter(TxEffect, "reads")
_SET_WRITES = slot_setter(TxEffect, "writes")
_SET_REPLAYABLE = slot_setter(TxEffect, "replayable")


class _Recorder:
    """A `StateReader` over the sender's overlay that records what a tx reads through it."""

    __slots__ = ("_parent", "reads", "scanned")

    def __init__(self, parent: StateReader) -> None:
        self._parent = parent
        self.reads: dict[bytes, bytes | None] = {}
        self.scanned = False

    def get(self, key: bytes) -> bytes | None:
        value = self._parent.get(key)
        self.reads[key] = value
        return value

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        self.scanned = True
        return self._parent.iter_prefix(prefix)


class _RecordingAccounts:
    """The transfer rule's `Accounts` over the sender's overlay, noting what it reads and writes:
    the same reads and writes as the rule through a `_Recorder` and a view, without the layers."""

    __slots__ = ("_overlay", "reads", "writes")

    def __init__(self, overlay: StateView) -> None:
        self._overlay = overlay
        self.reads: dict[bytes, bytes | None] = {}
        self.writes: dict[bytes, bytes | None] = {}

    def load(self, key: bytes) -> tuple[int, int]:
        value = self._overlay.get(key)
        self.reads[key] = value
        return (0, 0) if value is None else decode_account(value)

    def store_all(self, touched: dict[bytes, list[int]]) -> None:
        writes = self.writes
        for key, (balance, nonce) in touched.items():
            writes[key] = encode_account(balance, nonce)


def execute_tracked(overlay: StateView, ctx: BlockContext, tx: SignedTx) -> TxEffect:
    """Execute `tx` on `overlay` (raising `TxError`, with `overlay` unchanged, if it fails) and
    return what it read and wrote."""
    payload = tx.body.payload
    if type(payload) is Transfer:  # nearly every tx: the rule itself, recording as it goes
        check_envelope(tx, ctx, already_verified)
        accounts = _RecordingAccounts(overlay)
        apply_transfer(accounts, tx, payload, fee_recipient(ctx))
        overlay.apply(accounts.writes)
        return _effect(accounts.reads, accounts.writes, replayable=True)
    recorder = _Recorder(overlay)
    layer = StateView(recorder)
    execute_tx(layer, ctx, tx, already_verified)
    writes = layer.changes()
    overlay.apply(writes)
    replayable = type(tx.body.payload) is Transfer and not recorder.scanned
    return TxEffect(recorder.reads, writes, replayable)


def rebased_run(
    sender_key: bytes,
    effects: Sequence[TxEffect | None],
    changes: Mapping[bytes, bytes | None],
    dropped_writes: set[bytes],
    state: StateReader,
) -> list[TxEffect] | None:
    """The effects that the remaining ready run of the sender whose account is at `sender_key`,
    whose txs had `effects` in nonce order, would have if executed again on `state` (the state
    after a block that wrote `changes` and included the sender's earlier pending txs, which wrote
    `dropped_writes` on the sender's overlay), found without executing; None when only executing
    can tell.

    Each tx's reads from outside the run (keys no earlier tx of the run wrote) are compared with
    what the key holds now: a key the block wrote with the block's value, a key only the included
    txs wrote (on the overlay: e.g. the admission fee recipient) with the state's; any other key
    holds what it held. A key that holds what the tx saw changes nothing. Otherwise every tx of
    the run must be a transfer (replayable): it checks its sender's nonce and that the sender can
    pay, checks that each credit fits in 64 bits, and writes each account it reads as read plus
    or minus a fixed amount. So the run executes again the same way, with the accounts' balances
    shifted, when the sender's own account was only credited (same nonce, more coin) and every
    shifted balance fits; any other account it credits (a recipient, the fee collector) may have
    changed in any way, and is then read and written with its new nonce. Anything else (a debit
    or a nonce move of the sender, another record, a tx that is not replayable, an overflow)
    needs a re-run.
    """
    written: set[bytes] = set()
    shifts: dict[bytes, _Shift] = {}
    run: list[TxEffect] = []
    for effect in effects:
        if effect is None or not effect.replayable:
            return None
        for key, value in effect.reads.items():
            if key in written or key in shifts:
                continue
            if key in changes:
                now = changes[key]
            elif key in dropped_writes:
                now = state.get(key)
            else:
                continue
            if now != value:
                shift = _shift_between(key, value, now, own=key == sender_key)
                if shift is None:
                    return None
                shifts[key] = shift
        written.update(effect.writes)
        run.append(effect)
    if not shifts:
        return run
    rebased: list[TxEffect] = []
    # a run's tx reads what the one before it wrote: each (key, value) is shifted once
    memo: dict[tuple[bytes, bytes | None], bytes] = {}
    for effect in run:
        if shifts.keys().isdisjoint(effect.reads) and shifts.keys().isdisjoint(effect.writes):
            rebased.append(effect)
            continue
        for key in shifts:
            if key in effect.writes and key not in effect.reads:
                return None  # a write that does not follow from the value read
        reads = _shifted(effect.reads, shifts, memo, absent_is_empty=True)
        writes = _shifted(effect.writes, shifts, memo, absent_is_empty=False)
        if reads is None or writes is None:
            return None
        rebased.append(_effect(reads, writes, replayable=effect.replayable))
    return rebased


@dataclass(frozen=True, slots=True)
class _Shift:
    """How an account changed under a run: `balance` added; `nonce` set unless None (the
    sender's own account keeps the run's nonces)."""

    balance: int
    nonce: int | None


def _shift_between(
    key: bytes, seen: bytes | None, now: bytes | None, *, own: bool
) -> _Shift | None:
    """The change from `seen` to `now` of the account at `key` as a `_Shift`, or None when the
    run must execute again: not an account, deleted, or (for the sender's own account) anything
    but a credit. An absent account reads as (0, 0)."""
    if now is None or len(key) != ACCOUNT_KEY_LEN or not key.startswith(keys.ACCOUNT):
        return None
    seen_balance, seen_nonce = (0, 0) if seen is None else decode_account(seen)
    balance, nonce = decode_account(now)
    if own:
        if nonce != seen_nonce or balance <= seen_balance:
            return None
        return _Shift(balance - seen_balance, None)
    return _Shift(balance - seen_balance, nonce)


def _shifted(
    values: dict[bytes, bytes | None],
    shifts: Mapping[bytes, _Shift],
    memo: dict[tuple[bytes, bytes | None], bytes],
    *,
    absent_is_empty: bool,
) -> dict[bytes, bytes | None] | None:
    """`values` with each shifted account changed by its shift; None when a balance would no
    longer fit in 64 bits (or fall below 0), or for an absent value unless it reads as (0, 0)
    (a read of an account that did not exist; a write of None is a deletion, which no transfer
    does). `memo` holds the shifted value of each (key, value) met before under these shifts
    (a run's tx reads what the tx before it wrote: one decode and encode instead of two)."""
    shifted = dict(values)
    for key, shift in shifts.items():
        if key not in shifted:
            continue
        value = shifted[key]
        if value is None and not absent_is_empty:
            return None
        known = memo.get((key, value))
        if known is not None:
            shifted[key] = known
            continue
        balance, nonce = (0, 0) if value is None else decode_account(value)
        balance += shift.balance
        if not 0 <= balance <= U64_MAX:
            return None
        moved = encode_account(balance, nonce if shift.nonce is None else shift.nonce)
        shifted[key] = memo[(key, value)] = moved
    return shifted

"""What a pending tx read and wrote, so that a block re-executes only the txs it could change.

A ready tx is executed on its sender's overlay through a `_Recorder`, which notes every key the
tx read from outside itself (from committed state or from the sender's earlier pending txs) with
the value it saw (a `TxEffect`); a transfer runs the transfer rule itself, noting the same reads
and writes without the view layers in a flat `TransferEffect` (tests/node/mempool/
test_effects.py compares the two).
The tx's result is a function of those values, its own bytes, and, for some kinds, the block
context (height and time: deadlines, dues) or a prefix scan. So a tx that is a `Transfer` (whose
execution reads no context and scans nothing) and none of whose reads a block changed would
execute after the block exactly as it did: it need not run again; and a run of transfers whose
reads a block only credited would do the same with those balances shifted by the credits.
`rebased_run` checks this for a sender's remaining run; docs/mempool.md ("Which senders run
again after a block") states the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import U64_MAX, pack_checked
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.executor import check_envelope, execute_tx, fee_recipient
from ledger.state.reader import StateReader
from ledger.state.records import decode_account, encode_account
from ledger.state.transfer import transfer_touched
from ledger.state.view import StateView
from ledger.tx import SignedTx, Transfer

ACCOUNT_KEY_LEN = len(keys.ACCOUNT) + 20  # prefix + address


def already_verified(_tx: SignedTx) -> bool:
    """The executor's `signature_ok` for txs the pool holds: each was verified on admission."""
    return True


@dataclass(frozen=True, slots=True)
class TxEffect:
    """What a tx of any kind but a transfer read and wrote (a transfer's: `TransferEffect`)."""

    reads: dict[bytes, bytes | None]  # key -> value seen, for keys read from outside the tx
    writes: dict[bytes, bytes | None]  # what the tx wrote (None: deleted)
    replayable: bool  # the result depends on `reads` alone: no block context, no prefix scan


class TransferEffect(tuple[Any, ...]):
    """What a transfer read and wrote, flat: `key, seen, wrote` for each account it touched, in
    the order it read them (the sender first). A transfer reads each account it touches once and
    writes each one it reads, so one tuple holds both: a pending transfer's effect is one object
    of 88 bytes, not a frozen object and two dicts of about 500 (tests/node/mempool/
    test_footprint.py). It is replayable: its result depends on these reads alone."""

    __slots__ = ()
    replayable: ClassVar[bool] = True

    @property
    def reads(self) -> dict[bytes, bytes | None]:
        return {self[i]: self[i + 1] for i in range(0, len(self), 3)}

    @property
    def writes(self) -> dict[bytes, bytes | None]:
        return {self[i]: self[i + 2] for i in range(0, len(self), 3)}


Effect = TxEffect | TransferEffect


def apply_writes(view: StateView, effect: Effect) -> None:
    """Write what `effect` wrote into `view` (rebuilding a sender's overlay)."""
    if type(effect) is TransferEffect:
        put = view.put
        for i in range(0, len(effect), 3):
            put(effect[i], effect[i + 2])
    else:
        view.apply(effect.writes)


def written_keys(effect: Effect) -> Iterable[bytes]:
    return effect[0::3] if type(effect) is TransferEffect else effect.writes.keys()


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


def execute_tracked(
    overlay: StateView, ctx: BlockContext, tx: SignedTx, sender_key: bytes | None = None
) -> Effect:
    """Execute `tx` on `overlay` (raising `TxError`, with `overlay` unchanged, if it fails) and
    return what it read and wrote; `sender_key`, the sender's account key when the caller
    holds it, is the one key object every effect of the sender shares."""
    payload = tx.body.payload
    if type(payload) is Transfer:  # nearly every tx: the rule itself, recording as it goes
        check_envelope(tx, ctx, already_verified)
        get = overlay.get
        flat: list[Any] = []  # key, seen, wrote (filled in once the rule passed)

        def load(key: bytes) -> tuple[int, int]:
            value = get(key)
            flat.extend((key, value, None))
            return (0, 0) if value is None else decode_account(value)

        touched = transfer_touched(load, tx, payload, fee_recipient(ctx), sender_key)
        # `touched` holds the accounts in the order `load` read them, each once
        put = overlay.put
        at = 2
        for pair in touched.values():
            flat[at] = wrote = pack_checked(pair)  # `encode_account`: the rule's ints, each a u64
            put(flat[at - 2], wrote)
            at += 3
        return TransferEffect(flat)
    recorder = _Recorder(overlay)
    layer = StateView(recorder)
    execute_tx(layer, ctx, tx, already_verified)
    writes = layer.changes()
    overlay.apply(writes)
    return TxEffect(recorder.reads, writes, replayable=False)


def rebased_run(
    sender_key: bytes,
    effects: Sequence[Effect | None],
    changes: Mapping[bytes, bytes | None],
    dropped_writes: set[bytes],
    state: StateReader,
) -> Sequence[Effect] | None:
    """The effects that the remaining ready run of the sender whose account is at `sender_key`,
    whose txs had `effects` in nonce order, would have if executed again on `state` (the state
    after a block that wrote `changes` and included the sender's earlier pending txs, which wrote
    `dropped_writes` on the sender's overlay), found without executing; None when only executing
    can tell.

    Each tx's reads from outside the run (keys no earlier tx of the run wrote) are compared with
    what the key holds now: a key the block wrote with the block's value, a key only the included
    txs wrote (on the overlay: e.g. the admission fee recipient) with the state's; any other key
    holds what it held. A key that holds what the tx saw changes nothing. Otherwise every tx of the
    run must be a transfer (a `TransferEffect`, replayable): it checks its sender's nonce and that
    the sender can pay, checks that each credit fits in 64 bits, and writes each account it reads as
    read plus or minus a fixed amount. So the run executes again the same way, with the accounts'
    balances shifted, when the sender's own account was only credited (same nonce, more coin) and
    every shifted balance fits; any other account it credits (a recipient, the fee collector) may
    have changed in any way, and is then read and written with its new nonce. Anything else (a debit
    or a nonce move of the sender, another record, a tx that is not replayable, an overflow) needs a
    re-run.
    """
    written: set[bytes] = set()
    shifts: dict[bytes, _Shift] = {}
    # the shifted value of each (key, value) met: a run's tx reads what the one before it wrote,
    # so each is decoded and encoded once; and a value seen from outside the run shifts to
    # what the key holds now, without either (both are the canonical encoding of the account)
    memo: dict[tuple[bytes, bytes | None], bytes] = {}
    rebased: list[Effect] = []
    for effect in effects:  # one pass: a tx reads no key that a later tx shifts first
        if type(effect) is not TransferEffect:
            return None  # not replayable (or not recorded)
        flat: list[Any] | None = None  # a copy, once the effect reads a shifted account
        for i in range(0, len(effect), 3):
            key = effect[i]
            shift = shifts.get(key)
            if shift is None:
                if key in written:
                    continue  # what an earlier tx of the run wrote, unshifted
                if key in changes:
                    now = changes[key]
                elif key in dropped_writes:
                    now = state.get(key)
                else:
                    continue
                value = effect[i + 1]
                if now == value:
                    continue
                if now is None:
                    return None  # deleted: not a shift
                shift = _shift_between(key, value, now, own=key == sender_key)
                if shift is None:
                    return None
                shifts[key] = shift
                memo[(key, value)] = now
            if effect[i + 2] is None:
                return None  # a deletion, which no transfer does
            seen = memo.get((key, effect[i + 1])) or _shifted(key, effect[i + 1], shift, memo)
            wrote = memo.get((key, effect[i + 2])) or _shifted(key, effect[i + 2], shift, memo)
            if seen is None or wrote is None:
                return None
            if flat is None:
                flat = list(effect)
            flat[i + 1] = seen
            flat[i + 2] = wrote
        written.update(effect[0::3])
        rebased.append(effect if flat is None else TransferEffect(flat))
    return rebased


@dataclass(frozen=True, slots=True)
class _Shift:
    """How an account changed under a run: `balance` added; `nonce` set unless None (the
    sender's own account keeps the run's nonces)."""

    balance: int
    nonce: int | None


def _shift_between(key: bytes, seen: bytes | None, now: bytes, *, own: bool) -> _Shift | None:
    """The change from `seen` to `now` of the account at `key` as a `_Shift`, or None when the
    run must execute again: not an account, or (for the sender's own account) anything but a
    credit. An absent account reads as (0, 0)."""
    if len(key) != ACCOUNT_KEY_LEN or not key.startswith(keys.ACCOUNT):
        return None
    seen_balance, seen_nonce = (0, 0) if seen is None else decode_account(seen)
    balance, nonce = decode_account(now)
    if own:
        if nonce != seen_nonce or balance <= seen_balance:
            return None
        return _Shift(balance - seen_balance, None)
    return _Shift(balance - seen_balance, nonce)


def _shifted(
    key: bytes,
    value: bytes | None,
    shift: _Shift,
    memo: dict[tuple[bytes, bytes | None], bytes],
) -> bytes | None:
    """The account `value` (None: absent, read as (0, 0)) at `key` changed by `shift`; None
    when its balance would no longer fit in 64 bits (or fall below 0). Noted in `memo`, where
    the caller looks first."""
    balance, nonce = (0, 0) if value is None else decode_account(value)
    balance += shift.balance
    if not 0 <= balance <= U64_MAX:
        return None
    moved = encode_account(balance, nonce if shift.nonce is None else shift.nonce)
    memo[(key, value)] = moved
    return moved

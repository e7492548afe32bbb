"""What a pending tx read and wrote, so that a block re-executes only the txs it could change.

A ready tx is executed on its sender's overlay through a `_Recorder`, which notes every key the
tx read from outside itself (from committed state or from the sender's earlier pending txs) with
the value it saw. The tx's result is a function of those values, its own bytes, and, for some
kinds, the block context (height and time: deadlines, dues) or a prefix scan. So a tx that is a
`Transfer` (whose execution reads no context and scans nothing) and none of whose reads a block
changed would execute after the block exactly as it did: it need not run again. `still_valid`
checks this for a sender's remaining run; docs/mempool.md ("After a block") states the rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from ledger.state.context import BlockContext
from ledger.state.executor import execute_tx
from ledger.state.reader import StateReader
from ledger.state.view import StateView
from ledger.tx import SignedTx, Transfer


def already_verified(_tx: SignedTx) -> bool:
    """The executor's `signature_ok` for txs the pool holds: each was verified on admission."""
    return True


@dataclass(frozen=True, slots=True)
class TxEffect:
    reads: dict[bytes, bytes | None]  # key -> value seen, for keys read from outside the tx
    writes: dict[bytes, bytes | None]  # what the tx wrote (None: deleted)
    replayable: bool  # the result depends on `reads` alone: no block context, no prefix scan


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


def execute_tracked(overlay: StateView, ctx: BlockContext, tx: SignedTx) -> TxEffect:
    """Execute `tx` on `overlay` (raising `TxError`, with `overlay` unchanged, if it fails) and
    return what it read and wrote."""
    recorder = _Recorder(overlay)
    layer = StateView(recorder)
    execute_tx(layer, ctx, tx, already_verified)
    writes = layer.changes()
    overlay.apply(writes)
    replayable = type(tx.body.payload) is Transfer and not recorder.scanned
    return TxEffect(recorder.reads, writes, replayable)


def still_valid(
    effects: Sequence[TxEffect | None],
    changes: Mapping[bytes, bytes | None],
    dropped_writes: set[bytes],
    state: StateReader,
) -> bool:
    """True when a sender's remaining ready run, whose txs had `effects` in nonce order, would
    execute identically on `state`, the state after a block that wrote `changes` and included
    the sender's earlier pending txs, which wrote `dropped_writes` on the sender's overlay.

    Each tx's reads from outside the run (keys no earlier tx of the run wrote) must still hold
    the value the tx saw: a key the block wrote is compared with the block's value, a key only
    the included txs wrote (on the overlay: e.g. the admission fee recipient) with the state's;
    any other key holds what it held. Reads of keys the run wrote see the run's writes, which
    are unchanged when the run's earlier txs are. A tx that is not replayable fails it.
    """
    written: set[bytes] = set()
    for effect in effects:
        if effect is None or not effect.replayable:
            return False
        for key, value in effect.reads.items():
            if key in written:
                continue
            if key in changes:
                if changes[key] != value:
                    return False
            elif key in dropped_writes and state.get(key) != value:
                return False
        written.update(effect.writes)
    return True

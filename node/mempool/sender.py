"""One sender's pending txs: a contiguous ready run, a small future queue, and its overlay view.

`ready` holds txs with nonces `committed_nonce, committed_nonce + 1, ...` with no gap, and
`effects` what each of them read and wrote when it last executed (node/mempool/effects.py), at
the same index: a list beside the run costs 8 bytes a tx, an index by hash about 50; `view` is
the committed state with exactly those txs applied (so the next tx is checked against committed
state plus this sender's pending spends). A view is dropped (`None`) when a ready tx is evicted
from the tail, and rebuilt on the next use: undoing a write is not something an overlay can do,
and rebuilding lazily means a run of evictions costs one rebuild.

`future` holds txs whose nonce is ahead of the ready run, waiting for the gap to be filled; they
have passed every stateless check but no stateful one.
"""

from __future__ import annotations

from ledger.keys import Address
from ledger.state import keys
from ledger.state.view import StateView
from ledger.tx import SignedTx
from node.mempool.effects import Effect


class SenderQueue:
    __slots__ = (
        "account_key",
        "address",
        "committed_nonce",
        "effects",
        "future",
        "key",
        "ready",
        "view",
    )

    def __init__(self, key: bytes, committed_nonce: int) -> None:
        self.key = key
        self.address = Address.from_public_key(key)
        # one key object that every recorded effect of the sender shares (54 bytes a tx)
        self.account_key = keys.account(self.address.raw)
        self.committed_nonce = committed_nonce
        self.ready: list[SignedTx] = []
        self.effects: list[Effect] = []  # of `ready`, index by index
        self.future: dict[int, SignedTx] = {}
        self.view: StateView | None = None

    @property
    def next_nonce(self) -> int:
        return self.committed_nonce + len(self.ready)

    @property
    def pending(self) -> int:
        return len(self.ready) + len(self.future)

    @property
    def empty(self) -> bool:
        return not self.ready and not self.future

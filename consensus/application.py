"""What the consensus machine needs from its surroundings, as small Protocols.

The machine calls these synchronously while handling an input, so they must be quick and
deterministic (the WAL replays inputs and expects the same calls to give the same answers).

- `Application.propose(height, round)`: build a new block for this node to propose (reap the
  mempool, execute on an overlay, fill the header). Called only when this node is the proposer of
  (height, round) and holds no valid value from an earlier round (the paper's `getValue()`).
- `Application.validate(block)`: the paper's `valid(v)`. The machine calls it at most once per block
  hash per height and caches the answer; it has already checked that the block is for `height`.
- `Verifier(public_key, message, signature) -> bool`: checks one Ed25519 signature. The default is
  `ledger.keys.verify`. A node that verifies signatures in a thread pool before handing messages to
  the machine passes a verifier that first looks the triple up in its set of already-verified ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeAlias

from ledger.block import Block

Verifier: TypeAlias = Callable[[bytes, bytes, bytes], bool]


class Application(Protocol):
    def propose(self, height: int, round_: int) -> Block | None:
        """A new block for (height, round) proposed by this node, or None when none can be
        built (then it proposes nothing in this round)."""
        ...

    def validate(self, block: Block) -> bool:
        """True when `block` is a valid next block of the chain (the paper's valid(v))."""
        ...

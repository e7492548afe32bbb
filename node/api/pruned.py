"""The answer for a height a pruning node no longer holds: 410 `pruned`, never a bare 404.

A pruned node (`[storage] keep_blocks`, ledger/store/pruning.py) keeps blocks from
`store.base_height` up; below that a block, its commit, its txs and receipts are gone from this
node, though they exist on the chain: the client should ask an archive node.
"""

from __future__ import annotations

from node.api.context import ApiContext
from node.api.errors import ApiError


def check_kept(ctx: ApiContext, height: int) -> None:
    """Raise 410 `pruned` when `height` is below the lowest block this node keeps."""
    base = ctx.store.base_height
    if 1 <= height < base:
        why = (
            f"[storage] keep_blocks = {ctx.store.keep_blocks}"
            if ctx.store.keep_blocks
            else "it started from a snapshot (state sync)"
        )
        raise ApiError(
            410,
            "pruned",
            f"block {height} is pruned on this node: it keeps blocks {base} to "
            f"{ctx.store.height} ({why}); ask an archive node",
        )

"""What a block must satisfy before the store writes anything of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from ledger.block import Block, Commit
from ledger.merkle import EMPTY
from ledger.store.errors import CommitRefusedError
from ledger.store.records import RecordStore


class Tip(Protocol):
    """What a check reads of the stored chain (`Store`, which calls it: a protocol, so that
    this module need not import the store that imports it)."""

    @property
    def initialized(self) -> bool: ...
    @property
    def height(self) -> int: ...
    @property
    def last_block_hash(self) -> bytes | None: ...
    @property
    def tree(self) -> RecordStore: ...


def check_fits(  # noqa: PLR0917  # a commit's parts, as `Store.commit_block` has them
    store: Tip,
    block: Block,
    block_hash: bytes,
    commit: Commit,
    new_root: bytes,
    node_writes: Mapping[bytes, bytes],
) -> None:
    """Raise `CommitRefusedError` unless the block fits on top of `store` (nothing is written)."""
    header = block.header
    if not store.initialized:
        raise CommitRefusedError("the database holds no genesis state yet")
    if header.height != store.height + 1:
        raise CommitRefusedError(
            f"block {header.height} does not follow the last committed block {store.height}"
        )
    if store.last_block_hash is not None and header.prev_block_hash != store.last_block_hash:
        raise CommitRefusedError(f"block {header.height} does not extend the stored chain")
    if commit.height != header.height or commit.block_hash != block_hash:
        raise CommitRefusedError(f"the commit is not for block {header.height}")
    if header.state_root != new_root:
        raise CommitRefusedError(
            f"block {header.height} claims state root {header.state_root.hex()}, "
            f"but its changes give {new_root.hex()}"
        )
    if new_root != EMPTY and new_root not in node_writes and not store.tree.has_record(new_root):
        raise CommitRefusedError("the new state root's node is neither written nor stored")

"""The event hub: the node publishes each committed block once; WebSocket subscribers read it.

Publishing never blocks the node: each subscriber has a bounded queue, and a subscriber whose
queue is full is marked dropped (its connection closes) instead of slowing down consensus.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ledger.block import Block
from ledger.state.events import Event, Receipt

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CommittedBlock:
    """What one commit published: the block, its receipts (one per tx) and block-level events."""

    block: Block
    receipts: tuple[Receipt, ...]
    block_events: tuple[Event, ...] = ()
    # views derived once for every reader of this block (the WebSocket topics' indexes), by key
    shared: dict[object, object] = field(default_factory=dict, compare=False, repr=False)


BlockListener = Callable[[CommittedBlock], None]


class EventHub:
    """Fan-out of committed blocks to synchronous listeners (metrics) and bounded queues (ws)."""

    def __init__(self) -> None:
        self._listeners: list[BlockListener] = []
        self._queues: set[asyncio.Queue[CommittedBlock | None]] = set()
        self.published = 0
        # shared per-block indexes built for WebSocket subscribers, by topic (once a block each)
        self.index_builds: Counter[str] = Counter()

    def publish_block(
        self, block: Block, receipts: Sequence[Receipt], block_events: Sequence[Event] = ()
    ) -> None:
        """Called by the node right after a block is durably committed."""
        item = CommittedBlock(block, tuple(receipts), tuple(block_events))
        self.published += 1
        for listener in list(self._listeners):
            try:
                listener(item)
            except Exception:
                log.exception("block listener failed")
        for queue in list(self._queues):
            if queue.qsize() >= queue.maxsize - 1:  # full: the reader is too slow, drop it
                self._queues.discard(queue)
                queue.put_nowait(None)  # the slot reserved in `open_queue`
            else:
                queue.put_nowait(item)

    def add_listener(self, listener: BlockListener) -> None:
        self._listeners.append(listener)

    def open_queue(self, maxsize: int) -> asyncio.Queue[CommittedBlock | None]:
        """A queue of committed blocks; a None in it means it overflowed and was dropped."""
        queue: asyncio.Queue[CommittedBlock | None] = asyncio.Queue(maxsize + 1)
        self._queues.add(queue)
        return queue

    def close_queue(self, queue: asyncio.Queue[CommittedBlock | None]) -> None:
        self._queues.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._queues)

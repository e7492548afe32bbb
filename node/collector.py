"""CPython's cyclic garbage collector, tuned once a node process has started.

A node allocates dozens of objects per tx (decoded envelopes, overlays, receipts, events) and
keeps tens of thousands alive (the mempool, caches, the loaded genesis). The young generation's
count is net: objects freed by reference counting (nearly all of a tx's, once its block is
committed) take themselves off it. With CPython's default thresholds (700, 10, 10) a full
collection ran about every 70,000 net allocations; (20,000, 20, 20) still spent 2.26 s of the
loop's 13.2 s of CPU in collections over a saturated 240,000-tx run of one validator (213 young,
10 middle), because a young collection every 20,000 catches every tx of the mempool and the block
in flight alive and walks them again. At 200,000 the young count is rarely reached (the txs in
flight hold fewer objects than that): 3 young collections, 0.17 s of 10.7 s (`coterie bench
--validators 1 --rate 0 --txs 240000`, time measured by `gc.callbacks`; docs/performance.md).
Middle and full collections follow every 10 younger ones: a full one every 20 million net
allocations at most (8 million before), and CPython adds its own rule that a full collection
waits until a quarter of the long-lived objects are new. Freezing what start-up loaded
(modules, genesis, config, the database's caches) keeps it out of every later collection. Most
garbage has no cycles and is freed by reference counting as before, so memory stays bounded;
only cyclic garbage waits longer (at most the young threshold's worth of objects in the young
generation).
"""

from __future__ import annotations

import gc

from node import malloc

THRESHOLDS = (200_000, 10, 10)  # young allocations, then young and middle collections per next


def settle_after_startup() -> None:
    """Collect what start-up left, freeze the survivors, and raise the thresholds; fix glibc's
    mmap threshold (node/malloc.py) and give back what start-up freed."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    malloc.tune()
    malloc.release_free_memory()

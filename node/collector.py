"""CPython's cyclic garbage collector, tuned once a node process has started.

A node allocates dozens of objects per tx (decoded envelopes, overlays, receipts, events) and
keeps tens of thousands alive (the mempool, caches, the loaded genesis). With the default
thresholds (700, 10, 10) the collector walks every live tracked object in a full collection about
every 70,000 net allocations, pausing the event loop each time: in `benchmarks/pipeline_bench.py`
ten full collections took 0.56 s of a 6 s run (0.79 s with the younger generations), against
0.25 s with the thresholds below. Freezing what start-up loaded (modules, genesis, config, the
database's caches) keeps it out of every later collection. Most garbage has no cycles and is
freed by reference counting as before, so memory stays bounded; only cyclic garbage waits longer.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 20)  # young allocations, then young and middle collections per next


def settle_after_startup() -> None:
    """Collect what start-up left, freeze the survivors, and raise the thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)

"""Commit synthetic blocks forever, to be killed with SIGKILL by tests/ledger/store/test_crash.py.

Run as `python -m tests.ledger.store.crash_writer DB_DIR SEED [KEEP_STATES [off-thread]]` from
the repository root (`off-thread`: each batch written on another thread while reads are pinned
and this one reads, as a node commits). Prints
`ready <height>` once the database is open, then commits block after block, printing
`committed <height>` after each, so the test can wait for progress before it picks a moment.
"""

from __future__ import annotations

import sys

from ledger.store import Store
from tests.ledger.store.synthetic import (
    GENESIS_KEYS,
    commit_next,
    commit_next_off_thread,
    open_store,
)


def read_some(store: Store) -> None:
    for key in GENESIS_KEYS[::50]:
        store.prove(key)


def main() -> None:
    path, seed = sys.argv[1], int(sys.argv[2])
    store = open_store(path)
    if len(sys.argv) > 3 and sys.argv[3] != "none":
        store.keep_states = int(sys.argv[3])
    off_thread = sys.argv[4:] == ["off-thread"]
    sys.stdout.write(f"ready {store.height}\n")
    sys.stdout.flush()
    while True:
        if off_thread:
            commit_next_off_thread(store, seed, lambda: read_some(store))
        else:
            commit_next(store, seed)
        sys.stdout.write(f"committed {store.height}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

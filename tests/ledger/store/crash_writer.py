"""Commit synthetic blocks forever, to be killed with SIGKILL by tests/ledger/store/test_crash.py.

Run as `python -m tests.ledger.store.crash_writer DB_DIR SEED [KEEP_STATES]` from the repository
root. Prints
`ready <height>` once the database is open, then commits block after block, printing
`committed <height>` after each, so the test can wait for progress before it picks a moment.
"""

from __future__ import annotations

import sys

from tests.ledger.store.synthetic import commit_next, open_store


def main() -> None:
    path, seed = sys.argv[1], int(sys.argv[2])
    store = open_store(path)
    if len(sys.argv) > 3:
        store.keep_states = int(sys.argv[3])
    sys.stdout.write(f"ready {store.height}\n")
    sys.stdout.flush()
    while True:
        commit_next(store, seed)
        sys.stdout.write(f"committed {store.height}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

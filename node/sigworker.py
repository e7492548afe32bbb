"""What a signature worker process runs (node/mempool/verifier.py starts them with `spawn`).

A module of its own that imports nothing of the node but `ledger.keys`: a worker process
unpickles these functions by module name, so it imports exactly this module's imports (about
11 MiB of private memory at start instead of about 21 with the mempool package, issue 17).

`spawn` also imports the parent's main module in each worker when that is a script: the
`coterie` console script (how systemd starts a node) imports the whole CLI, 45 MiB private per
worker. `hide_script_main` gives such a main module the spec of a `__main__` module, which
multiprocessing does not import in a child (CPython's `multiprocessing.spawn`
`_fixup_main_from_name`); `python -m cli` has that spec already.
"""

from __future__ import annotations

import importlib.machinery
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence

from ledger.keys import verify

PARENT_POLL_SECONDS = 0.5

Signed = tuple[bytes, bytes, bytes]  # public key, signed bytes, signature


def worker_init(parent: int) -> None:
    """A worker process's initializer. Ctrl-C reaches the whole process group: the node stops
    its pool itself, so the worker ignores SIGINT (no traceback, no batch lost). And it exits
    once the node that started it (`parent`, passed in: it may be gone before the worker has
    imported its modules) is gone: a SIGKILL gives the node no chance to stop its pool, and an
    orphan would verify nothing forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def verify_signed(items: Sequence[Signed]) -> list[bool]:
    """A worker process's job: plain bytes in, so nothing but `ledger.keys` is unpickled."""
    return [verify(public_key, message, signature) for public_key, message, signature in items]


def hide_script_main() -> None:
    """Keep spawned workers from importing the parent's main script (module docstring)."""
    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__spec__", None) is None:
        main.__spec__ = importlib.machinery.ModuleSpec("__main__", None)

"""Retrying a durable write that failed for want of a file descriptor, a moment ago.

EMFILE, ENFILE (process or system out of descriptors), ENOMEM and EAGAIN are transient: a
connection closing frees a descriptor, and the same write then succeeds. Stopping consensus on
such an error (fail-stop) would hand an attacker who floods the ports a way to halt a validator.
So `RetryingSignStateStore` retries a failed save a few times with short, growing pauses (at most
`sum(RETRY_DELAYS)`, about 0.3 s, on the event loop's thread: rare, and short next to a round).
Every other error, and a transient one that persists through the retries, is raised as before:
the runner stops rather than sign without a durable record (fail-stop for persistent faults).
The fd budget (node/fdbudget.py) is the first defence; this is the second.
"""

from __future__ import annotations

import errno
import logging
import time

from consensus.signer import SignState, SignStateStore

log = logging.getLogger(__name__)

TRANSIENT_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EAGAIN})
RETRY_DELAYS = (0.01, 0.02, 0.04, 0.08, 0.16)


def is_transient(exc: OSError) -> bool:
    return exc.errno in TRANSIENT_ERRNOS


class RetryingSignStateStore:
    """A `SignStateStore` whose `save` survives a transient shortage of descriptors."""

    def __init__(self, inner: SignStateStore) -> None:
        self._inner = inner
        self.retries = 0

    def load(self) -> SignState | None:
        return self._inner.load()

    def save(self, state: SignState) -> None:
        for delay in RETRY_DELAYS:
            try:
                self._inner.save(state)
            except OSError as exc:
                if not is_transient(exc):
                    raise
                self.retries += 1
                log.warning("sign state write failed (%s): retrying in %.2f s", exc, delay)
                time.sleep(delay)
            else:
                return
        self._inner.save(state)  # the last attempt: its error, if any, stops the runner

"""What can go wrong with a node's database, each with a message a human can act on.

Exception tree:
    StoreError                      any problem with the database
      StoreOpenError                the directory cannot be used as this chain's database
        StoreLockedError            another process has it open
        StoreCorruptError           LevelDB reports corruption, or our records contradict each other
        GenesisMismatchError        it belongs to another chain (another genesis)
      CommitRefusedError            a block that does not fit on top of the stored chain; nothing
                                    was written (also a ValueError: the caller's input is wrong)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ledger.codec import MalformedError

T = TypeVar("T")


class StoreError(Exception):
    """A problem with the node's database."""


class StoreOpenError(StoreError):
    """The directory cannot be opened as this chain's database."""


class StoreLockedError(StoreOpenError):
    """Another process holds the database's lock."""


class StoreCorruptError(StoreOpenError):
    """The database is damaged or inconsistent."""


class GenesisMismatchError(StoreOpenError):
    """The database was created for another genesis."""


class CommitRefusedError(StoreError, ValueError):
    """A block refused before anything was written."""


def decode_stored(decode: Callable[[bytes], T], data: bytes, what: str) -> T:
    """`decode(data)`, or `StoreCorruptError` naming `what` if the stored bytes do not decode."""
    try:
        return decode(data)
    except (MalformedError, ValueError) as exc:
        raise StoreCorruptError(f"stored {what} is unreadable: {exc}") from exc

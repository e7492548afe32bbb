"""The membership hook: anchoring content in a collective asks the collectives package.

Until `register_membership_check` is called (by the collectives package, issue 4), a collective id
on an anchor is stored as given and not checked. The check returns None to allow, or a reason.
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.keys import Address
from ledger.state.reader import StateReader

MembershipCheck = Callable[[StateReader, bytes, Address, int], str | None]
"""(state, collective id, author, block time ms) -> None when the author may anchor there, else
why not."""

_CHECK: list[MembershipCheck] = []


def register_membership_check(check: MembershipCheck) -> None:
    if _CHECK:
        raise RuntimeError("a membership check is already registered")
    _CHECK.append(check)


def registered_membership_check() -> MembershipCheck | None:
    """The check in force, if any (tests that stand in for it restore it afterwards)."""
    return _CHECK[0] if _CHECK else None


def unregister_membership_check() -> None:
    """Remove the check (tests)."""
    _CHECK.clear()


def membership_problem(
    view: StateReader, collective: bytes, author: Address, now_ms: int
) -> str | None:
    """Why `author` may not anchor content in `collective` at `now_ms`, or None (also when no
    check is registered yet)."""
    return _CHECK[0](view, collective, author, now_ms) if _CHECK else None

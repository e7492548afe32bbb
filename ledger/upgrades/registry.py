"""The upgrades this software knows: a name and the state migration that runs at its height.

A release that changes the state machine registers its upgrade (`register_upgrade`) in a module
imported by `ledger.state.registry`; the governing body then votes a plan with the same name and a
height, and every node switches software there (docs/operating.md, "Upgrades"). A migration is a
pure function of the state view and the block context, like a begin-block hook: deterministic,
no I/O, so every node's new root is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView

Migration = Callable[[StateView, BlockContext], list[Event]]


@dataclass(frozen=True, slots=True)
class Upgrade:
    name: str
    migrate: Migration


_KNOWN: dict[str, Upgrade] = {}


def register_upgrade(name: str, migrate: Migration) -> Upgrade:
    if name in _KNOWN:
        raise RuntimeError(f"upgrade {name!r} registered twice")
    upgrade = Upgrade(name, migrate)
    _KNOWN[name] = upgrade
    return upgrade


def known_upgrades() -> dict[str, Upgrade]:
    return dict(_KNOWN)

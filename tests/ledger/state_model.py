"""The state as a plain dict: what a block's changes do to it, for checking trees and stores."""

from __future__ import annotations

from collections.abc import Mapping


def apply_to(state: dict[bytes, bytes], changes: Mapping[bytes, bytes | None]) -> None:
    """A block's changes on a model of the state (None deletes)."""
    for key, value in changes.items():
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value


def applied(
    state: Mapping[bytes, bytes], changes: Mapping[bytes, bytes | None]
) -> dict[bytes, bytes]:
    """The state after `changes`, leaving `state` as it was."""
    out = dict(state)
    apply_to(out, changes)
    return out

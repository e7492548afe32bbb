"""An object built with `slot_setter` is the one its frozen dataclass's `__init__` builds."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass

import pytest

from ledger.slotset import slot_setter


@dataclass(frozen=True, slots=True)
class Pair:
    left: int
    right: str


def test_a_pair_built_slot_by_slot_equals_the_dataclass_one_and_stays_frozen() -> None:
    pair = object.__new__(Pair)
    slot_setter(Pair, "left")(pair, 7)
    slot_setter(Pair, "right")(pair, "seven")
    assert pair == Pair(7, "seven")
    assert hash(pair) == hash(Pair(7, "seven"))
    with pytest.raises(FrozenInstanceError):
        pair.left = 8  # type: ignore[misc]


def test_a_slot_left_unset_is_noticed_at_the_first_read() -> None:
    """Why the hot paths' tests compare every slot: an unset one fails only when read."""
    pair = object.__new__(Pair)
    slot_setter(Pair, "left")(pair, 7)
    with pytest.raises(AttributeError):
        _ = pair.right

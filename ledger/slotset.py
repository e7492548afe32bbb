"""Building a frozen slotted dataclass without its `__init__`, for the few objects made per tx.

A frozen dataclass's `__init__` sets each field with `object.__setattr__`, about 0.1 µs a field;
a slot's descriptor sets it in about half that. The hot paths that build an object per tx (a
decoded transfer, a mempool admission's answer and recorded effect) take the descriptors' setters
once with `slot_setter` and make the object with `object.__new__`: every slot must then be set,
which their tests check against the dataclass's own `__init__`.
"""

from __future__ import annotations

from collections.abc import Callable


def slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The `__set__` of the descriptor of slot `name` of `cls`."""
    setter: Callable[[object, object], None] = getattr(cls, name).__set__
    return setter

"""Content tests run on the same small chain as the split tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.content.hooks import (
    register_membership_check,
    registered_membership_check,
    unregister_membership_check,
)
from ledger.keys import Address
from ledger.state.reader import StateReader
from tests.ledger.splits.conftest import ANA, BEN, CHLOE, Chain, make_genesis

MEMBERS = {b"retro-games": {"ana", "ben"}}


@pytest.fixture
def chain() -> Chain:
    return Chain(make_genesis())


@pytest.fixture
def members_only(chain: Chain) -> Iterator[dict[Address, str]]:
    """A stand-in membership check, as the collectives package will register one."""
    names = {ANA.address: "ana", BEN.address: "ben", CHLOE.address: "chloe"}

    def check(view: StateReader, collective: bytes, author: Address, now_ms: int) -> str | None:
        if names.get(author) in MEMBERS.get(collective, set()):
            return None
        return "not a member of this collective"

    real = registered_membership_check()
    unregister_membership_check()
    register_membership_check(check)
    try:
        yield names
    finally:
        unregister_membership_check()
        if real is not None:
            register_membership_check(real)

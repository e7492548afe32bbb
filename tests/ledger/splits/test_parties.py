"""Plug-in payees: a package registers the sink of a party kind once; built-in kinds and double
registrations are programming errors, and withdrawing a kind that has no sink is harmless."""

from __future__ import annotations

import pytest

from ledger.splits.parties import (
    MAX_PARTY_ID_LEN,
    Party,
    PartyKind,
    party_sink,
    register_party_sink,
    unregister_party_sink,
)
from tests.ledger.splits.conftest import FakeTreasurySink


@pytest.mark.usefixtures("collective_sink")
def test_built_in_kinds_take_no_sink_and_a_kind_takes_one_sink() -> None:
    with pytest.raises(RuntimeError, match="built in"):
        register_party_sink(PartyKind.ACCOUNT, FakeTreasurySink())
    with pytest.raises(RuntimeError, match="already registered"):
        register_party_sink(PartyKind.COLLECTIVE, FakeTreasurySink())


@pytest.mark.usefixtures("no_holder_sink")
def test_withdrawing_a_kind_without_a_sink_changes_nothing() -> None:
    assert party_sink(PartyKind.TOKEN_HOLDERS) is None
    unregister_party_sink(PartyKind.TOKEN_HOLDERS)
    assert party_sink(PartyKind.TOKEN_HOLDERS) is None


def test_plug_in_party_ids_are_one_to_max_bytes() -> None:
    """Accounts and splits have exact id lengths; plug-in kinds take any id of 1 to 64 bytes."""
    for size in (1, MAX_PARTY_ID_LEN):
        assert Party(PartyKind.TOKEN_HOLDERS, b"h" * size).shape_error() is None
    for size in (0, MAX_PARTY_ID_LEN + 1):
        assert Party(PartyKind.TOKEN_HOLDERS, b"h" * size).shape_error() is not None
    assert Party(PartyKind.ACCOUNT, b"a" * 21).shape_error() is not None

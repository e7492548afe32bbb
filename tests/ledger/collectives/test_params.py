"""Every bounded collective parameter at its edges: the last value inside is accepted and the
first outside is refused with INVALID_PARAMS, both by `validate` and by the decoder where it
bounds the field itself; a valid set survives encoding."""

from __future__ import annotations

import dataclasses

import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.collectives.params import (
    MAX_MEMBERS,
    MINUTE,
    PPM,
    YEAR,
    AdmissionMode,
    CollectiveParams,
)
from ledger.errors import ErrorCode, TxError

CLASSES = 2
EDGES: list[tuple[str, list[int], list[int]]] = [  # field, accepted, refused
    ("expedited_deposit_multiplier", [1, 100], [0, 101]),
    ("sponsor_threshold", [1], [0]),
    ("max_live_per_proposer", [1, 100], [0, 101]),
    ("submission_period_ms", [MINUTE, YEAR], [MINUTE - 1, YEAR + 1]),
    ("execution_expiry_ms", [MINUTE, YEAR], [MINUTE - 1, YEAR + 1]),
    ("cancel_burn_ppm", [0, PPM], [PPM + 1]),
    ("dilution_bound", [0, 1_000], [1_001]),
    ("min_retention_ppm", [0, PPM], [PPM + 1]),
    ("membership_term_ms", [0, MINUTE, 10 * YEAR], [1, MINUTE - 1, 10 * YEAR + 1]),
    ("renewal_grace_ms", [0, YEAR], [YEAR + 1]),
    ("max_members", [1, MAX_MEMBERS], [0, MAX_MEMBERS + 1]),
    ("large_spend_ppm", [0, PPM], [PPM + 1]),
]


def refused(params: CollectiveParams) -> bool:
    try:
        params.validate(CLASSES)
    except TxError as error:
        assert error.code is ErrorCode.INVALID_PARAMS
        return True
    return False


@pytest.mark.parametrize(("field", "inside", "outside"), EDGES, ids=[e[0] for e in EDGES])
def test_a_parameter_is_accepted_up_to_its_bound_and_refused_past_it(
    field: str, inside: list[int], outside: list[int]
) -> None:
    for value in inside:
        params = dataclasses.replace(CollectiveParams(), **{field: value})
        assert not refused(params), (field, value)
        decoded = CollectiveParams.from_fields(codec.decode(codec.encode(params.to_fields())))
        assert decoded == params
    for value in outside:
        assert refused(dataclasses.replace(CollectiveParams(), **{field: value})), (field, value)


def test_an_open_grant_names_every_class_and_open_admission_grants_something() -> None:
    assert not refused(CollectiveParams(open_grant=(0, 1)))
    assert not refused(CollectiveParams(open_grant=()))
    for grant in ((1,), (1, 0, 0)):
        assert refused(CollectiveParams(open_grant=grant))
    open_door = CollectiveParams(admission_mode=AdmissionMode.OPEN, open_grant=(0, 0))
    assert refused(open_door)
    assert not refused(dataclasses.replace(open_door, open_grant=(0, 1)))
    assert not refused(CollectiveParams(admission_mode=AdmissionMode.CLOSED))


@pytest.mark.parametrize(
    ("index", "value"),
    [(0, max(AdmissionMode) + 1), (4, 0), (4, 101), (5, 0), (6, 0), (6, 101), (9, PPM + 1)],
)
def test_the_decoder_bounds_the_fields_it_can(index: int, value: int) -> None:
    fields = CollectiveParams().to_fields()
    fields[index] = value
    with pytest.raises(MalformedError):
        CollectiveParams.from_fields(codec.decode(codec.encode(fields)))


@pytest.mark.parametrize(
    ("index", "value"), [(10, 1_001), (11, PPM + 1), (15, 0), (15, MAX_MEMBERS + 1), (16, PPM + 1)]
)
def test_the_decoder_bounds_the_later_fields_too(index: int, value: int) -> None:
    fields = CollectiveParams().to_fields()
    fields[index] = value
    with pytest.raises(MalformedError):
        CollectiveParams.from_fields(codec.decode(codec.encode(fields)))


def test_every_admission_mode_and_flag_survives_encoding() -> None:
    for mode in AdmissionMode:
        for forfeit in (False, True):
            params = CollectiveParams(admission_mode=mode, allow_forfeit=forfeit, open_grant=(0, 3))
            assert CollectiveParams.from_fields(codec.decode(codec.encode(params.to_fields()))) == (
                params
            )

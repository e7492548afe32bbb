"""The collective and member records and token classes: each survives encoding, a class index
outside the collective is NOT_FOUND, and the class rules refuse what they say they refuse."""

from __future__ import annotations

import pytest

from ledger import codec
from ledger.codec import MalformedError
from ledger.collectives.ids import MAX_TOKEN_CLASSES
from ledger.collectives.model import (
    MAX_CLASS_NAME_LEN,
    MAX_METADATA_LEN,
    MAX_NAME_LEN,
    ClassKind,
    Collective,
    Member,
    TokenClass,
    validate_classes,
)
from ledger.collectives.params import CollectiveParams
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address

SHARES = TokenClass("s" * MAX_CLASS_NAME_LEN, ClassKind.SHARES, transferable=True)
LOOT = TokenClass("loot", ClassKind.LOOT, members_only=False)
BADGE = TokenClass("badge", ClassKind.BADGE)


def test_a_collective_record_survives_encoding_at_its_limits() -> None:
    collective = Collective(
        "n" * MAX_NAME_LEN,
        "m" * MAX_METADATA_LEN,
        Address(bytes([7]) * 20),
        2**64 - 1,
        (SHARES, LOOT, BADGE),
        CollectiveParams(open_grant=(1, 2, 0)),
    )
    assert Collective.decode(collective.encode()) == collective
    for member in (Member(5), Member(5, 9, True), Member(2**64 - 1, 2**64 - 1, False)):
        assert Member.decode(member.encode()) == member


def test_a_class_index_outside_the_collective_is_not_found() -> None:
    collective = Collective("c", "", Address(bytes(20)), 1, (SHARES, LOOT), CollectiveParams())
    assert collective.token_class(0) is SHARES and collective.token_class(1) is LOOT
    for index in (-1, 2):
        with pytest.raises(TxError) as info:
            collective.token_class(index)
        assert info.value.code is ErrorCode.NOT_FOUND
    assert collective.indices(ClassKind.LOOT) == [1]


def test_a_token_class_decodes_only_known_kinds_and_short_names() -> None:
    for kind in ClassKind:
        cls = TokenClass("x", kind, transferable=kind is not ClassKind.BADGE)
        assert TokenClass.from_fields(codec.decode(codec.encode(cls.to_fields()))) == cls
    for fields in (["x", 3, False, True], ["x" * (MAX_CLASS_NAME_LEN + 1), 0, False, True]):
        with pytest.raises(MalformedError):
            TokenClass.from_fields(codec.decode(codec.encode(fields)))


@pytest.mark.parametrize(
    "classes",
    [
        (),
        (LOOT,),
        (SHARES,) * (MAX_TOKEN_CLASSES + 1),
        (SHARES, TokenClass("", ClassKind.LOOT)),
        (SHARES, TokenClass("badge", ClassKind.BADGE, transferable=True)),
        (SHARES, TokenClass("badge", ClassKind.BADGE, members_only=False)),
    ],
)
def test_class_rules_refuse_what_they_name(classes: tuple[TokenClass, ...]) -> None:
    with pytest.raises(TxError) as info:
        validate_classes(classes)
    assert info.value.code is ErrorCode.INVALID_PARAMS


def test_class_rules_accept_up_to_the_class_limit() -> None:
    validate_classes((SHARES,))
    validate_classes((SHARES, LOOT, BADGE))
    validate_classes((SHARES,) * MAX_TOKEN_CLASSES)
    assert [k.has_exit for k in ClassKind] == [True, True, False]

"""The collective and member records and the token classes a collective defines.

A token class is one of three kinds: voting shares (vote and exit), economic shares (exit and
revenue only: Moloch's loot) and membership badges (neither; never transferable). Per class the
collective chooses whether holdings are transferable and whether a holder must be a member.
Classes are fixed at creation, so a treasury that accepted a token can rely on its rules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from ledger import codec
from ledger.codec import Fields
from ledger.collectives.fieldcodec import address
from ledger.collectives.ids import MAX_TOKEN_CLASSES
from ledger.collectives.params import CollectiveParams
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address

MAX_NAME_LEN = 64
MAX_CLASS_NAME_LEN = 32
MAX_METADATA_LEN = 255


class ClassKind(IntEnum):
    SHARES = 0  # voting power and a pro-rata exit share
    LOOT = 1  # exit share only (Moloch loot)
    BADGE = 2  # marks membership; no vote, no exit, never transferable

    @property
    def has_exit(self) -> bool:
        return self is not ClassKind.BADGE


@dataclass(frozen=True, slots=True)
class TokenClass:
    name: str
    kind: ClassKind
    transferable: bool = False
    members_only: bool = True

    def to_fields(self) -> list[Any]:
        return [self.name, int(self.kind), self.transferable, self.members_only]

    @classmethod
    def from_fields(cls, raw: object) -> TokenClass:
        f = Fields(raw, 4, "token_class")
        name = f.str("name", MAX_CLASS_NAME_LEN)
        kind = ClassKind(f.int("kind", 0, max(ClassKind)))
        return cls(name, kind, f.bool("transferable"), f.bool("members_only"))


DEFAULT_CLASSES = (
    TokenClass("shares", ClassKind.SHARES),
    TokenClass("loot", ClassKind.LOOT),
)


def validate_classes(classes: tuple[TokenClass, ...]) -> None:
    if not 1 <= len(classes) <= MAX_TOKEN_CLASSES:
        raise TxError(ErrorCode.INVALID_PARAMS, f"1 to {MAX_TOKEN_CLASSES} token classes")
    if not any(c.kind is ClassKind.SHARES for c in classes):
        raise TxError(ErrorCode.INVALID_PARAMS, "a collective needs a voting-shares class")
    for c in classes:
        if not c.name:
            raise TxError(ErrorCode.INVALID_PARAMS, "a token class needs a name")
        if c.kind is ClassKind.BADGE and (c.transferable or not c.members_only):
            raise TxError(ErrorCode.INVALID_PARAMS, "badges are non-transferable and members-only")


@dataclass(frozen=True, slots=True)
class Collective:
    name: str
    metadata: str
    creator: Address
    created_height: int
    classes: tuple[TokenClass, ...]
    params: CollectiveParams

    def token_class(self, index: int) -> TokenClass:
        if not 0 <= index < len(self.classes):
            raise TxError(ErrorCode.NOT_FOUND, f"the collective has no token class {index}")
        return self.classes[index]

    def indices(self, *kinds: ClassKind) -> list[int]:
        return [i for i, c in enumerate(self.classes) if c.kind in kinds]

    def with_params(self, params: CollectiveParams) -> Collective:
        return replace(self, params=params)

    def encode(self) -> bytes:
        return codec.encode(
            [
                self.name,
                self.metadata,
                self.creator.raw,
                self.created_height,
                [c.to_fields() for c in self.classes],
                self.params.to_fields(),
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> Collective:
        f = Fields(codec.decode(data), 6, "collective")
        return cls(
            f.str("name", MAX_NAME_LEN),
            f.str("metadata", MAX_METADATA_LEN),
            address(f, "creator"),
            f.int("created_height"),
            tuple(TokenClass.from_fields(c) for c in f.list("classes", MAX_TOKEN_CLASSES)),
            CollectiveParams.from_fields(f.raw()),
        )


@dataclass(frozen=True, slots=True)
class Member:
    """A member: joined at `joined_ms`; votes until `expires_ms` (+ grace) unless 0; `jailed`
    members keep their exit share but not their vote (Moloch's guild kick)."""

    joined_ms: int
    expires_ms: int = 0
    jailed: bool = False

    def encode(self) -> bytes:
        return codec.encode([self.joined_ms, self.expires_ms, self.jailed])

    @classmethod
    def decode(cls, data: bytes) -> Member:
        f = Fields(codec.decode(data), 3, "member")
        return cls(f.int("joined_ms"), f.int("expires_ms"), f.bool("jailed"))

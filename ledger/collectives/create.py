"""CollectiveCreate: a new collective with its token classes, founders, parameters and policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from ledger.codec import Fields
from ledger.collectives import roster
from ledger.collectives.fieldcodec import address, u64_list
from ledger.collectives.ids import MAX_TOKEN_CLASSES, derive_collective_id
from ledger.collectives.model import (
    MAX_METADATA_LEN,
    MAX_NAME_LEN,
    ClassKind,
    Collective,
    TokenClass,
    validate_classes,
)
from ledger.collectives.params import CollectiveParams
from ledger.collectives.store import get_collective, put_collective
from ledger.collectives.tokens import mint
from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.governance.policy import Policy, set_policy, validate_kind
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import TxHandler, register_handler
from ledger.state.view import StateView
from ledger.tx import TxBody, TxKind, register_payload

MAX_FOUNDERS = 100
MAX_POLICY_OVERRIDES = 16


@dataclass(frozen=True, slots=True)
class Founder:
    address: Address
    holdings: tuple[int, ...]  # one amount per token class

    def to_fields(self) -> list[Any]:
        return [self.address.raw, list(self.holdings)]

    @classmethod
    def from_fields(cls, raw: object) -> Founder:
        f = Fields(raw, 2, "founder")
        return cls(address(f, "address"), u64_list(f, "holdings", MAX_TOKEN_CLASSES))


@register_payload
@dataclass(frozen=True, slots=True)
class CollectiveCreate:
    KIND: ClassVar[TxKind] = TxKind.COLLECTIVE_CREATE
    name: str
    metadata: str
    classes: tuple[TokenClass, ...]
    founders: tuple[Founder, ...]
    params: CollectiveParams
    policies: tuple[tuple[int, Policy], ...] = ()

    def to_fields(self) -> list[Any]:
        return [
            self.name,
            self.metadata,
            [c.to_fields() for c in self.classes],
            [f.to_fields() for f in self.founders],
            self.params.to_fields(),
            [[kind, p.to_fields()] for kind, p in self.policies],
        ]

    @classmethod
    def from_fields(cls, raw: object) -> CollectiveCreate:
        f = Fields(raw, 6, "collective_create")
        name = f.str("name", MAX_NAME_LEN)
        metadata = f.str("metadata", MAX_METADATA_LEN)
        classes = tuple(TokenClass.from_fields(c) for c in f.list("classes", MAX_TOKEN_CLASSES))
        founders = tuple(Founder.from_fields(x) for x in f.list("founders", MAX_FOUNDERS))
        params = CollectiveParams.from_fields(f.raw())
        policies = []
        for item in f.list("policies", MAX_POLICY_OVERRIDES):
            g = Fields(item, 2, "policy_override")
            policies.append((g.int("kind", 0, 0xFFFF), Policy.from_fields(g.raw())))
        return cls(name, metadata, classes, founders, params, tuple(policies))


def validate_definition(
    name: str,
    classes: tuple[TokenClass, ...],
    founders: Sequence[Founder],
    params: CollectiveParams,
    policies: Sequence[tuple[int, Policy]],
) -> None:
    """The stateless rules of a collective definition (also applied to genesis collectives)."""
    if not name:
        raise TxError(ErrorCode.INVALID_PARAMS, "a collective needs a name")
    validate_classes(classes)
    params.validate(len(classes))
    if not 1 <= len(founders) <= MAX_FOUNDERS:
        raise TxError(ErrorCode.INVALID_PARAMS, f"1 to {MAX_FOUNDERS} founders")
    if len({f.address for f in founders}) != len(founders):
        raise TxError(ErrorCode.DUPLICATE_ENTRY, "a founder is listed twice")
    shares = [i for i, c in enumerate(classes) if c.kind is ClassKind.SHARES]
    for founder in founders:
        if len(founder.holdings) != len(classes):
            raise TxError(ErrorCode.INVALID_PARAMS, "a founder needs one amount per class")
        if not any(founder.holdings[i] for i in shares):
            raise TxError(ErrorCode.INVALID_PARAMS, "every founder needs voting shares")
    kinds = [kind for kind, _ in policies]
    if len(set(kinds)) != len(kinds):
        raise TxError(ErrorCode.DUPLICATE_ENTRY, "a policy kind is listed twice")
    for kind, policy in policies:
        validate_kind(kind)
        policy.validate()


def install_collective(
    view: StateView,
    height: int,
    now_ms: int,
    cid: bytes,
    collective: Collective,
    *,
    founders: Sequence[Founder],
    policies: Sequence[tuple[int, Policy]],
) -> list[Event]:
    """Write a new collective, its policy overrides, its founders and their holdings."""
    if get_collective(view, cid) is not None:
        raise TxError(ErrorCode.ALREADY_EXISTS, f"collective {cid.hex()} exists")
    put_collective(view, cid, collective)
    for kind, policy in policies:
        set_policy(view, cid, kind, policy)
    events = [Event.of("collective_created", collective=cid, name=collective.name)]
    for founder in founders:
        events.append(roster.join(view, height, cid, collective, founder.address, now_ms=now_ms))
        for index, amount in enumerate(founder.holdings):
            if amount:
                events.append(
                    mint(
                        view,
                        height,
                        cid,
                        collective,
                        token_class=index,
                        to=founder.address,
                        amount=amount,
                    )
                )
    return events


class CollectiveCreateHandler(TxHandler[CollectiveCreate]):
    payload_type = CollectiveCreate

    def check_stateless(self, tx: TxBody, payload: CollectiveCreate, params: ChainParams) -> None:
        validate_definition(
            payload.name, payload.classes, payload.founders, payload.params, payload.policies
        )

    def apply(
        self, view: StateView, ctx: BlockContext, tx: TxBody, payload: CollectiveCreate
    ) -> list[Event]:
        cid = derive_collective_id(tx.sender_address, tx.nonce)
        collective = Collective(
            payload.name,
            payload.metadata,
            tx.sender_address,
            ctx.height,
            payload.classes,
            payload.params,
        )
        return install_collective(
            view,
            ctx.height,
            ctx.time_ms,
            cid,
            collective,
            founders=payload.founders,
            policies=payload.policies,
        )


register_handler(CollectiveCreateHandler())

"""Proposal actions: a closed set of typed effects, registered by tag (there is no VM).

An action class declares its `TAG` (stable number), the proposal `KIND` whose policy decides it,
and whether it `MOVES_VALUE` (treasury out, mint or burn: a yes vote on such a proposal locks the
voter's exit until it is finalised). It implements `check` (stateless), optionally
`check_submit` (against state when the proposal is submitted) and `execute`, which writes through
the view it is given. All actions of a proposal run in one child view: if any raises `TxError`
nothing of the proposal happens (all or none).

To add an action kind (treasury allowances, streams, splits, moderation): define a frozen
dataclass subclassing `Action`, decorate it with `@register_action`, and import its module from
`ledger.state.registry` so that it is registered before any proposal is decoded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from ledger.codec import Fields, MalformedError
from ledger.errors import ErrorCode, TxError
from ledger.governance.kinds import ActionTag, ProposalKind, VotingMethod
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView

if TYPE_CHECKING:
    from ledger.collectives.ids import Asset
    from ledger.collectives.model import Collective

MAX_ACTIONS = 10


def invalid_action(reason: str) -> TxError:
    """The error of an action that breaks its own rules (`check`): INVALID_ACTION, with why."""
    return TxError(ErrorCode.INVALID_ACTION, reason)


def check_as_action(check: Callable[[], None]) -> None:
    """Run a nested rule's `check` (a policy's, a round's terms): its error, whatever its code,
    makes the action invalid, with the rule's own reason."""
    try:
        check()
    except TxError as error:
        raise invalid_action(error.message) from error


@dataclass(frozen=True, slots=True)
class ActionRun:
    """What an executing action knows about its proposal."""

    collective_id: bytes
    proposal_id: int
    proposer: Address


class Action:
    """Base class of every action (a frozen dataclass in each subclass)."""

    __slots__ = ()
    TAG: ClassVar[ActionTag]
    KIND: ClassVar[ProposalKind]
    MOVES_VALUE: ClassVar[bool] = False

    def to_fields(self) -> list[Any]:
        raise NotImplementedError

    @classmethod
    def from_fields(cls, raw: object) -> Self:
        raise NotImplementedError

    def check(self) -> None:
        """Stateless validity; raise `TxError(INVALID_ACTION)`."""

    def check_submit(
        self, view: StateView, ctx: BlockContext, cid: bytes, collective: Collective
    ) -> None:
        """Checks against state when the proposal is submitted. Default: none."""

    def check_poll(self, method: VotingMethod, choice_count: int) -> None:
        """Whether the action may ride on a multiple-choice proposal (an allocation does, using
        its tally); the default: only yes/no proposals carry actions."""
        if method is not VotingMethod.BINARY:
            raise TxError(ErrorCode.INVALID_PAYLOAD, "only yes/no proposals carry actions")

    def treasury_outflow(self) -> tuple[Asset, int] | None:
        """The asset and amount this action pays out of the treasury, if it does."""
        return None

    def admitted_units(self) -> tuple[tuple[int, int], ...]:
        """(class, amount) this action mints to a newcomer (an admission's grant)."""
        return ()

    def excluded_voters(self) -> tuple[Address, ...]:
        """Members whose power the proposal leaves out of its total (an expulsion's target)."""
        return ()

    def targeted_members(self) -> tuple[Address, ...]:
        """Members whose standing the action takes away (expulsion, a role or allowance taken,
        holdings burned): none of them may cancel the proposal, and a governor's cancel right
        does not reach it (issue 23). Default: the excluded voters."""
        return self.excluded_voters()

    def execute(self, view: StateView, ctx: BlockContext, run: ActionRun) -> list[Event]:
        raise NotImplementedError


_ACTIONS: dict[int, type[Action]] = {}
A = TypeVar("A", bound=type[Action])


def register_action(cls: A) -> A:
    if cls.TAG in _ACTIONS:
        raise RuntimeError(f"action {cls.TAG!r} registered twice")
    _ACTIONS[cls.TAG] = cls
    return cls


def registered_actions() -> dict[int, type[Action]]:
    return dict(_ACTIONS)


def encode_action(action: Action) -> list[Any]:
    return [int(action.TAG), action.to_fields()]


def decode_action(raw: object) -> Action:
    f = Fields(raw, 2, "action")
    tag = f.int("tag", 0, 0xFFFF)
    cls = _ACTIONS.get(tag)
    if cls is None:
        raise MalformedError(f"unknown action tag {tag}")
    return cls.from_fields(f.raw())


def decode_actions(fields: Fields, name: str) -> tuple[Action, ...]:
    return tuple(decode_action(a) for a in fields.list(name, MAX_ACTIONS))


def kind_of(actions: Sequence[Action]) -> ProposalKind:
    """The proposal kind of a list of actions: the kind they all share; SIGNAL when empty."""
    if len(actions) > MAX_ACTIONS:
        raise TxError(ErrorCode.INVALID_ACTION, f"at most {MAX_ACTIONS} actions")
    kinds = {a.KIND for a in actions}
    if len(kinds) > 1:
        raise TxError(ErrorCode.INVALID_ACTION, "all actions of a proposal must share one kind")
    for action in actions:
        action.check()
    return kinds.pop() if kinds else ProposalKind.SIGNAL


def targets_of(actions: Sequence[Action]) -> set[Address]:
    return {who for action in actions for who in action.targeted_members()}


def moves_value(actions: Sequence[Action]) -> bool:
    return any(a.MOVES_VALUE for a in actions)

"""The handler protocol and registry: one handler per tx kind, plus begin/end-block hooks.

A handler has three pure steps (indy-plenum's write-request handler, without string keys):
`check_stateless` needs only the tx; `check_stateful` reads state and decides authorisation;
`apply` writes through the view and returns events. Each step raises `TxError` to reject; the
executor runs `check_stateful` and `apply` in a child view, so a rejection changes nothing.

Handler modules register themselves at import; `ledger.state.registry` imports them all, so the
set of kinds a node executes is fixed by that one module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from ledger.errors import ErrorCode, TxError
from ledger.genesis import ChainParams
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView
from ledger.tx import Payload, TxBody, TxKind

P = TypeVar("P", bound=Payload)


class TxHandler(Generic[P]):
    """Base class of every handler; subclasses set `payload_type` and override the steps."""

    payload_type: type[P]

    def payload(self, tx: TxBody) -> P:
        if not isinstance(tx.payload, self.payload_type):
            raise TxError(ErrorCode.INVALID_PAYLOAD, "payload does not match the tx kind")
        return tx.payload

    def check_stateless(self, tx: TxBody, payload: P, params: ChainParams) -> None:
        """Checks that need only the tx. Default: none."""

    def check_stateful(self, view: StateView, ctx: BlockContext, tx: TxBody, payload: P) -> None:
        """Checks against state, authorisation included. Default: none."""

    def apply(self, view: StateView, ctx: BlockContext, tx: TxBody, payload: P) -> list[Event]:
        raise NotImplementedError


_HANDLERS: dict[TxKind, TxHandler[Payload]] = {}

BlockHook = Callable[[StateView, BlockContext], list[Event]]
_BEGIN_BLOCK: list[tuple[str, BlockHook]] = []
_END_BLOCK: list[tuple[str, BlockHook]] = []


def register_handler(handler: TxHandler[P]) -> TxHandler[P]:
    kind = handler.payload_type.KIND
    if kind in _HANDLERS:
        raise RuntimeError(f"handler for {kind!r} registered twice")
    _HANDLERS[kind] = handler  # type: ignore[assignment]
    return handler


def handler_for(kind: TxKind) -> TxHandler[Payload]:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise TxError(ErrorCode.UNKNOWN_KIND, f"no handler for tx kind {kind.name}") from None


def register_begin_block(name: str, hook: BlockHook) -> None:
    """Run `hook` before a block's txs (e.g. record evidence). Hooks run in registration order."""
    _BEGIN_BLOCK.append((name, hook))


def register_end_block(name: str, hook: BlockHook) -> None:
    """Run `hook` after a block's txs (e.g. process proposals past their deadline)."""
    _END_BLOCK.append((name, hook))


def begin_block_hooks() -> list[tuple[str, BlockHook]]:
    return list(_BEGIN_BLOCK)


def end_block_hooks() -> list[tuple[str, BlockHook]]:
    return list(_END_BLOCK)

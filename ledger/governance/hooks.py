"""Extension points of the proposal lifecycle, for rules that live in their own modules.

- start hooks run each time a proposal starts voting (the multisig queue gives it a position);
- pass hooks run when a proposal's voting closes with a pass (record dates of distributions);
- execution gates say whether a passed proposal may execute now: None to allow, or the reason it
  must wait (it stays in grace until the gate opens or it expires; a `ProposalProcess` retry is
  refused with `QUEUE_OUT_OF_ORDER`);
- finalize hooks run after a proposal entered a final status (the multisig queue advances and
  supersedes, a moderation appeal that failed reverses the moderator's decision).

Hooks register at import, from modules that `ledger.state.registry` imports; they run in
registration order, inside the view of the transition, so a rejected tx still changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.governance.proposal import Proposal
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView

StartHook = Callable[[StateView, BlockContext, int, Proposal], None]
Gate = Callable[[StateView, int, Proposal], "str | None"]
FinalizeHook = Callable[[StateView, BlockContext, int, Proposal], list[Event]]

_START: list[StartHook] = []
_PASS: list[StartHook] = []
_GATES: list[Gate] = []
_FINALIZE: list[FinalizeHook] = []


def register_start_hook(hook: StartHook) -> None:
    _START.append(hook)


def register_pass_hook(hook: StartHook) -> None:
    _PASS.append(hook)


def run_pass_hooks(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> None:
    for hook in _PASS:
        hook(view, ctx, pid, proposal)


def register_gate(gate: Gate) -> None:
    _GATES.append(gate)


def register_finalize_hook(hook: FinalizeHook) -> None:
    _FINALIZE.append(hook)


def run_start_hooks(view: StateView, ctx: BlockContext, pid: int, proposal: Proposal) -> None:
    for hook in _START:
        hook(view, ctx, pid, proposal)


def blocked(view: StateView, pid: int, proposal: Proposal) -> str | None:
    """Why proposal `pid` may not execute now, or None."""
    for gate in _GATES:
        reason = gate(view, pid, proposal)
        if reason is not None:
            return reason
    return None


def run_finalize_hooks(
    view: StateView, ctx: BlockContext, pid: int, proposal: Proposal
) -> list[Event]:
    events: list[Event] = []
    for hook in _FINALIZE:
        events += hook(view, ctx, pid, proposal)
    return events

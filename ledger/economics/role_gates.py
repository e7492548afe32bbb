"""Roles gated on standing: a collective may require that a member holds at least N points of
standing (ledger.economics.reputation, decayed to the grant's block) to be given a role, e.g.
moderators need 50 points. The gate is checked when the role is granted (`SetRole`); a holder
whose standing later decays keeps the role until it expires or is revoked."""

from __future__ import annotations

from ledger.economics import keys
from ledger.economics.reputation import standing_points
from ledger.governance.roles import register_role_gate
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.keys import u64
from ledger.state.reader import StateReader
from ledger.state.view import StateView


def required_points(view: StateReader, cid: bytes, role: int) -> int:
    data = view.get(keys.role_gate(cid, role))
    return 0 if data is None else int.from_bytes(data, "big")


def set_required_points(view: StateView, cid: bytes, role: int, points: int) -> None:
    if points:
        view.put(keys.role_gate(cid, role), u64(points))
    else:
        view.delete(keys.role_gate(cid, role))


def standing_gate(
    view: StateView, ctx: BlockContext, cid: bytes, role: int, holder: Address
) -> str | None:
    needed = required_points(view, cid, role)
    if not needed:
        return None
    held = standing_points(view, cid, holder, ctx.time_ms)
    if held >= needed:
        return None
    return f"role {role} needs {needed} points of standing, the holder has {held}"


register_role_gate(standing_gate)

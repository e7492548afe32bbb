"""The exit lock: a member's yes vote on a value-moving proposal holds their exit until it is
finalised (Moloch v2's highestIndexYesVote, kept per proposal because ours are not processed in
one queue). While locked, the member can neither ragequit nor transfer exit-bearing tokens.
"""

from __future__ import annotations

from ledger.collectives import keys
from ledger.errors import ErrorCode, TxError
from ledger.keys import Address
from ledger.state.view import StateView


def lock(view: StateView, cid: bytes, who: Address, proposal_id: int) -> None:
    view.put(keys.exit_lock(cid, who.raw, proposal_id), b"")


def unlock(view: StateView, cid: bytes, who: Address, proposal_id: int) -> None:
    view.delete(keys.exit_lock(cid, who.raw, proposal_id))


def locking_proposals(view: StateView, cid: bytes, who: Address) -> list[int]:
    prefix = keys.EXIT_LOCK + cid + who.raw
    return [int.from_bytes(k[len(prefix) :], "big") for k, _ in view.iter_prefix(prefix)]


def require_unlocked(view: StateView, cid: bytes, who: Address) -> None:
    locked = locking_proposals(view, cid, who)
    if locked:
        raise TxError(
            ErrorCode.EXIT_LOCKED,
            f"exit is locked by a yes vote on unprocessed proposal {locked[0]}",
        )

"""Every integer a tx carries is a u64, checked before any handler runs (issue 23).

The wire decoder already refuses integers outside a field's range, but a payload can also be
built in-process (tests, tools, the simulator, a future RPC that skips decoding): there a
negative ragequit paid out and minted. So the executor checks the body's nonce and fee and every
integer of the payload's canonical fields, at any depth, for `0 <= n <= U64_MAX`, and refuses
anything else with `INVALID_PAYLOAD`. The walk is a few dozen Python steps for a typical payload
(a transfer's amount is checked directly, on the fast path).
"""

from __future__ import annotations

from ledger.codec import U64_MAX
from ledger.errors import ErrorCode, TxError


def _bad(where: str, value: int) -> TxError:
    return TxError(ErrorCode.INVALID_PAYLOAD, f"{where} {value} is not a u64")


def require_u64(where: str, value: int) -> None:
    if not 0 <= value <= U64_MAX:
        raise _bad(where, value)


def require_u64_ints(fields: object, where: str = "payload") -> None:
    """Raise INVALID_PAYLOAD if any int (not bool) inside `fields` lies outside the u64 range."""
    stack = [fields]
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            require_u64(where, item)
        elif isinstance(item, list | tuple):
            stack.extend(item)

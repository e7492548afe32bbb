"""The token moves both payout properties interleave with payments (test_payouts.py and
test_record_dates.py): mint, burn and move LOOT among four holders, drawn by hypothesis."""

from __future__ import annotations

from hypothesis import strategies as st

from ledger.collectives import tokens
from ledger.collectives.holdings import holding
from ledger.collectives.model import Collective
from ledger.keys import Address
from ledger.state.view import StateView

HOLDERS = tuple(Address(bytes([n]) * 20) for n in range(1, 5))
LOOT = 1

token_steps = (
    st.tuples(st.just("mint"), st.integers(0, 3), st.integers(1, 10**6)),
    st.tuples(st.just("burn"), st.integers(0, 3), st.integers(1, 10**6)),
    st.tuples(st.just("move"), st.integers(0, 3), st.integers(0, 3), st.integers(1, 10**6)),
)


def apply_token_step(
    view: StateView, h: int, cid: bytes, collective: Collective, step: tuple[object, ...]
) -> bool:
    """Run `step` (op, *args) if it is a token step, amounts capped by what the holder has;
    False when it is another step."""
    op, *args = step
    ints = [int(a) for a in args]  # type: ignore[call-overload]
    if op == "mint":
        to, amount = HOLDERS[ints[0]], ints[1]
        tokens.mint(view, h, cid, collective, token_class=LOOT, to=to, amount=amount)
    elif op == "burn":
        who = HOLDERS[ints[0]]
        amount = min(holding(view, cid, LOOT, who), ints[1])
        tokens.burn(view, h, cid, collective, token_class=LOOT, holder=who, amount=amount)
    elif op == "move":
        src, dst = HOLDERS[ints[0]], HOLDERS[ints[1]]
        amount = min(holding(view, cid, LOOT, src), ints[2])
        tokens.debit_holding(view, h, cid, collective, token_class=LOOT, holder=src, amount=amount)
        tokens.credit_holding(view, h, cid, collective, token_class=LOOT, to=dst, amount=amount)
    else:
        return False
    return True

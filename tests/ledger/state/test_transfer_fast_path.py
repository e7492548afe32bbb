"""The executor's transfer fast path has exactly the generic path's effects and errors."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.codec import U64_MAX
from ledger.errors import TxError
from ledger.genesis import ChainParams
from ledger.keys import Address
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.events import Receipt
from ledger.state.executor import _execute_generic, check_envelope, execute_tx
from ledger.state.reader import MemoryState
from ledger.state.records import Account
from ledger.state.view import StateView
from ledger.tx import SignedTx, Transfer, TxBody
from tests.ledger.state.conftest import ALICE, BOB, CAROL, VALIDATOR_KEYS

PARAMS = ChainParams(chain_id="coterie-test", address_prefix="tcot")
PEOPLE = [ALICE, BOB, CAROL, VALIDATOR_KEYS[0]]

balances = st.one_of(
    st.none(),
    st.integers(0, 50),
    st.integers(U64_MAX - 50, U64_MAX),
    st.integers(0, U64_MAX),
)


def outcome(
    run: object, view: StateView
) -> tuple[str, object, object] | tuple[str, Receipt, dict[bytes, bytes | None]]:
    try:
        receipt = run()  # type: ignore[operator]
    except TxError as error:
        return ("error", error.code, (error.message, view.changes()))
    return ("ok", receipt, view.changes())


@settings(max_examples=400, deadline=None)
@given(
    start=st.lists(st.tuples(balances, st.integers(0, 3)), min_size=4, max_size=4),
    recipient=st.sampled_from([1, 2, 3]),
    collector=st.sampled_from([0, 1, 2, 3]),
    nonce=st.integers(0, 4),
    fee=st.one_of(st.just(0), st.integers(0, 60), st.integers(0, U64_MAX)),
    amount=st.one_of(st.integers(1, 60), st.integers(1, U64_MAX)),
    stacked=st.booleans(),
)
def test_fast_path_matches_the_generic_path(
    *,
    start: list[tuple[int | None, int]],
    recipient: int,
    collector: int,
    nonce: int,
    fee: int,
    amount: int,
    stacked: bool,
) -> None:
    items = {}
    for key, (balance, account_nonce) in zip(PEOPLE, start, strict=True):
        if balance is not None:
            items[keys.account(key.address.raw)] = Account(balance, account_nonce).encode()
    state = MemoryState(items)
    proposer: Address = PEOPLE[collector].address
    ctx = BlockContext(PARAMS, bytes(32), 1, 0, proposer)
    body = TxBody(PARAMS.chain_id, ALICE.public_key, nonce, fee, Transfer(
        PEOPLE[recipient].address, amount
    ))  # fmt: skip
    tx = SignedTx(body, bytes(64))

    def view() -> StateView:
        base = StateView(state)
        return base.child() if stacked else base  # reads through an overlay, too

    fast_view, generic_view = view(), view()

    def generic() -> Receipt:
        check_envelope(tx, ctx, lambda _tx: True)
        return _execute_generic(generic_view, ctx, tx)

    fast = outcome(lambda: execute_tx(fast_view, ctx, tx, lambda _tx: True), fast_view)
    assert fast == outcome(generic, generic_view)
    assert list(fast_view.changes()) == list(generic_view.changes())  # same write order

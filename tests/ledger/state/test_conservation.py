"""Value is conserved over random sequences of transfers, fees included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import TxError
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.executor import execute_tx
from ledger.state.genesis_state import genesis_state
from ledger.state.records import Account
from ledger.state.view import StateView
from ledger.tx import Transfer, TxBody
from tests.ledger.state.conftest import ALICE, BOB, CAROL, VALIDATOR_KEYS, make_genesis

KEYS = [ALICE, BOB, CAROL]
GENESIS = make_genesis()
GENESIS_HASH = GENESIS.hash()
SIGNED: dict[tuple[int, int, int, int, int], object] = {}


def total_supply(view: StateView) -> int:
    return sum(Account.decode(v).balance for _, v in view.iter_prefix(keys.ACCOUNT))


steps = st.lists(
    st.tuples(
        st.integers(0, 2),  # sender
        st.integers(0, 2),  # recipient
        st.integers(0, 2_000_000),  # amount, sometimes more than the balance
        st.integers(0, 50),  # fee
        st.integers(-1, 1),  # nonce offset: stale, right, ahead
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(steps)
def test_total_supply_never_changes(sequence: list[tuple[int, int, int, int, int]]) -> None:
    view = StateView(genesis_state(GENESIS))
    ctx = BlockContext(GENESIS.params, GENESIS_HASH, 1, 0, VALIDATOR_KEYS[1].address)
    supply = total_supply(view)
    nonces = [0, 0, 0]
    for sender, recipient, amount, fee, offset in sequence:
        key = KEYS[sender]
        nonce = max(0, nonces[sender] + offset)
        body = TxBody(
            GENESIS.chain_id, key.public_key, nonce, fee, Transfer(KEYS[recipient].address, amount)
        )
        try:
            execute_tx(view, ctx, body.sign(key, GENESIS_HASH))
        except TxError:
            pass
        else:
            nonces[sender] += 1
        assert total_supply(view) == supply

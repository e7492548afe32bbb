"""Envelope rules and block execution: every rejection names its reason and changes nothing."""

from __future__ import annotations

import dataclasses

import pytest

from ledger.errors import ErrorCode, TxError
from ledger.genesis import Genesis
from ledger.state.accounts import get_account
from ledger.state.context import BlockContext
from ledger.state.executor import BlockError, Mode, execute_block, execute_tx
from ledger.state.reader import MemoryState
from ledger.state.view import StateView
from ledger.tx import SignedTx, Transfer, TxBody
from tests.ledger.state.conftest import ALICE, BOB, START_BALANCE, VALIDATOR_KEYS, TxFactory


def pay(amount: int) -> Transfer:
    return Transfer(BOB.address, amount)


def test_transfer_moves_coin_bumps_nonce_and_pays_the_proposer(
    state: MemoryState, ctx: BlockContext, make_tx: TxFactory
) -> None:
    view = StateView(state)
    receipt = execute_tx(view, ctx, make_tx(ALICE, 0, pay(300), fee=7))
    assert receipt.code is ErrorCode.OK
    assert receipt.events[0].get("amount") == 300
    assert get_account(view, ALICE.address).balance == START_BALANCE - 307
    assert get_account(view, ALICE.address).nonce == 1
    assert get_account(view, BOB.address).balance == START_BALANCE + 300
    assert get_account(view, VALIDATOR_KEYS[0].address).balance == 7


def test_fees_go_to_the_collector_the_genesis_names(
    genesis: Genesis, state: MemoryState, make_tx: TxFactory
) -> None:
    params = dataclasses.replace(genesis.params, fee_collector=BOB.address)
    ctx = BlockContext(params, genesis.hash(), 1, 0, VALIDATOR_KEYS[0].address)
    view = StateView(state)
    execute_tx(view, ctx, make_tx(ALICE, 0, Transfer(VALIDATOR_KEYS[1].address, 1), fee=5))
    assert get_account(view, BOB.address).balance == START_BALANCE + 5


def rejected(view: StateView, ctx: BlockContext, tx: SignedTx) -> ErrorCode:
    before = view.changes()
    with pytest.raises(TxError) as info:
        execute_tx(view, ctx, tx)
    assert view.changes() == before, "a rejected tx changed state"
    return info.value.code


def test_bad_inputs_are_rejected_with_their_code(
    state: MemoryState, ctx: BlockContext, make_tx: TxFactory, genesis: Genesis
) -> None:
    view = StateView(state)
    execute_tx(view, ctx, make_tx(ALICE, 0, pay(1)))
    assert rejected(view, ctx, make_tx(ALICE, 0, pay(1))) is ErrorCode.BAD_NONCE
    assert rejected(view, ctx, make_tx(ALICE, 5, pay(1))) is ErrorCode.NONCE_TOO_HIGH
    assert (
        rejected(view, ctx, make_tx(ALICE, 1, pay(START_BALANCE))) is ErrorCode.INSUFFICIENT_FUNDS
    )
    assert rejected(view, ctx, make_tx(ALICE, 1, pay(0))) is ErrorCode.ZERO_AMOUNT
    self_pay = Transfer(ALICE.address, 1)
    assert rejected(view, ctx, make_tx(ALICE, 1, self_pay)) is ErrorCode.SELF_TRANSFER
    other_chain = TxBody("other", ALICE.public_key, 1, 0, pay(1)).sign(ALICE, genesis.hash())
    assert rejected(view, ctx, other_chain) is ErrorCode.WRONG_CHAIN
    foreign = TxBody(genesis.chain_id, ALICE.public_key, 1, 0, pay(1)).sign(ALICE, bytes(32))
    assert rejected(view, ctx, foreign) is ErrorCode.BAD_SIGNATURE
    big_fee = make_tx(ALICE, 1, pay(1), fee=START_BALANCE)
    assert rejected(view, ctx, big_fee) is ErrorCode.INSUFFICIENT_FUNDS


def test_minimum_fee_is_enforced(genesis: Genesis, state: MemoryState, make_tx: TxFactory) -> None:
    params = dataclasses.replace(genesis.params, min_fee=10)
    ctx = BlockContext(params, genesis.hash(), 1, 0, VALIDATOR_KEYS[0].address)
    assert (
        rejected(StateView(state), ctx, make_tx(ALICE, 0, pay(1), fee=9)) is ErrorCode.FEE_TOO_LOW
    )


def test_proposer_leaves_out_failing_txs_and_validators_refuse_them(
    state: MemoryState, ctx: BlockContext, make_tx: TxFactory
) -> None:
    txs = [make_tx(ALICE, 0, pay(10)), make_tx(ALICE, 0, pay(10)), make_tx(ALICE, 1, pay(10))]
    proposed = execute_block(state, ctx, txs, Mode.PROPOSE)
    assert proposed.included == [txs[0], txs[2]]
    assert [e.code for _, e in proposed.skipped] == [ErrorCode.BAD_NONCE]
    validated = execute_block(state, ctx, proposed.included, Mode.VALIDATE)
    assert validated.changes == proposed.changes
    with pytest.raises(BlockError) as info:
        execute_block(state, ctx, txs, Mode.VALIDATE)
    assert info.value.index == 1 and info.value.error.code is ErrorCode.BAD_NONCE


def test_block_execution_does_not_touch_the_base_state(
    state: MemoryState, ctx: BlockContext, make_tx: TxFactory
) -> None:
    before = state.items()
    result = execute_block(state, ctx, [make_tx(ALICE, 0, pay(10))], Mode.VALIDATE)
    assert state.items() == before
    state.apply(result.changes)
    assert get_account(StateView(state), BOB.address).balance == START_BALANCE + 10

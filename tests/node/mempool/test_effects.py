"""`execute_tracked`'s transfer path records what the generic path records, and fails alike."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.codec import U64_MAX
from ledger.errors import TxError
from ledger.genesis import ChainParams
from ledger.keys import Address, PrivateKey
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.executor import execute_tx
from ledger.state.reader import MemoryState
from ledger.state.records import encode_account
from ledger.state.view import StateView
from ledger.tx import SignedTx, Transfer, TxBody
from node.mempool.effects import (
    Effect,
    TransferEffect,
    TxEffect,
    _Recorder,
    already_verified,
    execute_tracked,
)

GENESIS_HASH = bytes(32)
ACCOUNTS = [PrivateKey.from_secret(b"effects-%d" % i) for i in range(3)]
PROPOSER = PrivateKey.from_secret(b"effects-proposer").address


def generic_tracked(overlay: StateView, ctx: BlockContext, tx: SignedTx) -> TxEffect:
    """The reference: the generic executor through a recording reader and a view layer."""
    recorder = _Recorder(overlay)
    layer = StateView(recorder)
    execute_tx(layer, ctx, tx, already_verified)
    writes = layer.changes()
    overlay.apply(writes)
    return TxEffect(recorder.reads, writes, not recorder.scanned)


Tracked = Callable[[StateView, BlockContext, SignedTx], Effect]


def outcome(
    run: Tracked, state: MemoryState, pending: dict[bytes, bytes], ctx: BlockContext, tx: SignedTx
) -> tuple[object, dict[bytes, bytes | None]]:
    """What `run` returned (or the error code it raised) and what it left on the overlay."""
    overlay = StateView(state)
    overlay.apply(pending)
    try:
        effect = run(overlay, ctx, tx)
    except TxError as error:
        return error.code, overlay.changes()
    return (effect.reads, effect.writes, effect.replayable), overlay.changes()


balances = st.one_of(st.integers(0, 1_000), st.integers(U64_MAX - 1_000, U64_MAX))


@settings(max_examples=400, deadline=None)
@given(
    funds=st.lists(
        st.one_of(st.none(), st.tuples(balances, st.integers(0, 3))), min_size=3, max_size=3
    ),
    sender=st.integers(0, 2),
    recipient=st.integers(0, 2),
    nonce=st.integers(0, 3),
    fee=st.integers(0, 50),
    amount=st.one_of(st.integers(0, 600), st.just(U64_MAX)),
    collector=st.sampled_from(["proposer", "sender", "recipient", "other"]),
    pending_write=st.booleans(),
)
def test_transfer_path_records_and_fails_as_the_generic_path(
    *,
    funds: list[tuple[int, int] | None],
    sender: int,
    recipient: int,
    nonce: int,
    fee: int,
    amount: int,
    collector: str,
    pending_write: bool,
) -> None:
    addresses = [k.address for k in ACCOUNTS]
    state = MemoryState(
        {
            keys.ACCOUNT + addresses[i].raw: encode_account(*pair)
            for i, pair in enumerate(funds)
            if pair is not None
        }
    )
    fee_to: Address | None = {
        "proposer": None,
        "sender": addresses[sender],
        "recipient": addresses[recipient],
        "other": addresses[(recipient + 1) % 3],
    }[collector]
    params = ChainParams(chain_id="effects", address_prefix="tcot", fee_collector=fee_to)
    ctx = BlockContext(params, GENESIS_HASH, 1, 1_000, PROPOSER, ())
    body = TxBody(
        "effects", ACCOUNTS[sender].public_key, nonce, fee, Transfer(addresses[recipient], amount)
    )
    tx = body.sign(ACCOUNTS[sender], GENESIS_HASH)
    # an earlier pending tx of the sender may have left its account on the overlay
    pending = (
        {keys.ACCOUNT + addresses[sender].raw: encode_account(500, 1)} if pending_write else {}
    )
    expected = outcome(generic_tracked, state, pending, ctx, tx)
    assert outcome(execute_tracked, state, pending, ctx, tx) == expected
    sender_key = keys.ACCOUNT + addresses[sender].raw
    shared = partial(execute_tracked, sender_key=sender_key)
    assert outcome(shared, state, pending, ctx, tx) == expected


def test_a_transfer_records_one_flat_tuple_sharing_the_senders_key() -> None:
    """(key, seen, wrote) per account, the sender first, the sender's key object the caller's."""
    sender, recipient = (keys.ACCOUNT + k.address.raw for k in ACCOUNTS[:2])
    state = MemoryState({sender: encode_account(100, 0)})
    params = ChainParams(chain_id="effects", address_prefix="tcot")
    ctx = BlockContext(params, GENESIS_HASH, 1, 1_000, PROPOSER, ())
    tx = TxBody("effects", ACCOUNTS[0].public_key, 0, 0, Transfer(ACCOUNTS[1].address, 30)).sign(
        ACCOUNTS[0], GENESIS_HASH
    )
    held = bytes(sender)
    effect = execute_tracked(StateView(state), ctx, tx, held)
    assert type(effect) is TransferEffect
    assert effect == (
        sender,
        encode_account(100, 0),
        encode_account(70, 1),
        recipient,
        None,
        encode_account(30, 0),
    )
    assert effect[0] is held


def test_a_failing_transfer_leaves_the_overlay_as_it_was() -> None:
    state = MemoryState({keys.ACCOUNT + ACCOUNTS[0].address.raw: encode_account(10, 0)})
    params = ChainParams(chain_id="effects", address_prefix="tcot")
    ctx = BlockContext(params, GENESIS_HASH, 1, 1_000, PROPOSER, ())
    tx = TxBody("effects", ACCOUNTS[0].public_key, 0, 0, Transfer(ACCOUNTS[1].address, 11)).sign(
        ACCOUNTS[0], GENESIS_HASH
    )
    overlay = StateView(state)
    with pytest.raises(TxError):
        execute_tracked(overlay, ctx, tx)
    assert overlay.changes() == {}

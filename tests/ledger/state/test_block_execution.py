"""`execute_block`'s fast paths (transfers on a block-wide account cache, envelope checks skipped
for prechecked txs) give exactly what executing the block tx by tx gives."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.codec import U64_MAX
from ledger.content.payloads import ContentAnchor
from ledger.errors import ErrorCode, TxError
from ledger.keys import PrivateKey
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import SplitTerms
from ledger.splits.store import split_id_for
from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.events import Receipt
from ledger.state.executor import (
    BlockError,
    BlockResult,
    Mode,
    check_envelope,
    execute_block,
    execute_tx,
)
from ledger.state.genesis_state import genesis_state
from ledger.state.handlers import begin_block_hooks, end_block_hooks
from ledger.state.reader import MemoryState, StateReader
from ledger.state.records import Account
from ledger.state.view import StateView
from ledger.tx import Payload, SignedTx, Transfer, TxBody
from tests.ledger.state.conftest import ALICE, BOB, CAROL, VALIDATOR_KEYS, make_genesis

PEOPLE = [ALICE, BOB, CAROL, VALIDATOR_KEYS[0]]
BAD_SIGNATURE = bytes(64)
PARTIES = tuple(sorted((Party.account(BOB.address), Party.account(CAROL.address))))
TERMS = SplitTerms(PARTIES, (3, 1), 4)


def tx_by_tx(
    base: StateReader,
    ctx: BlockContext,
    txs: Sequence[SignedTx],
    mode: Mode,
    signature_ok: Callable[[SignedTx], bool],
) -> BlockResult:
    """The reference: every tx through `execute_tx` on the block's view, in order."""
    view = StateView(base)
    block_events = [e for _name, hook in begin_block_hooks() for e in hook(view, ctx)]
    outcomes = [attempt(view, ctx, tx, signature_ok) for tx in txs]
    failures = [(i, o) for i, o in enumerate(outcomes) if isinstance(o, TxError)]
    if mode is Mode.VALIDATE and failures:
        raise BlockError(*failures[0])
    block_events.extend(e for _name, hook in end_block_hooks() for e in hook(view, ctx))
    view.put(keys.chain_meta(b"height"), keys.u64(ctx.height))
    return BlockResult(
        view.changes(),
        [tx for tx, o in zip(txs, outcomes, strict=True) if isinstance(o, Receipt)],
        [o for o in outcomes if isinstance(o, Receipt)],
        block_events,
        [(tx, o) for tx, o in zip(txs, outcomes, strict=True) if isinstance(o, TxError)],
    )


def attempt(
    view: StateView, ctx: BlockContext, tx: SignedTx, signature_ok: Callable[[SignedTx], bool]
) -> Receipt | TxError:
    try:
        return execute_tx(view, ctx, tx, signature_ok)
    except TxError as error:
        return error


def summary(run: Callable[[], BlockResult]) -> object:
    try:
        r = run()
    except BlockError as error:
        return ("invalid", error.index, error.error.code)
    return (
        [tx.hash for tx in r.included],
        r.receipts,
        [(tx.hash, e.code, e.message) for tx, e in r.skipped],
        list(r.changes.items()),  # same keys, values and write order
        r.block_events,
    )


balances = st.one_of(st.integers(0, 40), st.integers(U64_MAX - 40, U64_MAX))
nothing = st.just(0)
ops = st.one_of(
    st.tuples(
        st.just("transfer"),
        st.integers(0, 3),  # sender
        st.integers(0, 3),  # recipient (== sender: refused as a self-transfer)
        st.sampled_from([0, 0, 0, -1, 1]),  # nonce offset from the sender's expected nonce
        st.sampled_from([0, 0, 1, 7]),  # fee
        st.one_of(st.integers(0, 30), st.integers(U64_MAX - 30, U64_MAX)),  # amount
    ),
    st.tuples(st.just("anchor"), st.integers(0, 3), nothing, nothing, st.just(1), nothing),
    st.tuples(st.just("split"), nothing, nothing, nothing, nothing, nothing),
    st.tuples(st.just("pay"), st.integers(0, 3), nothing, nothing, nothing, st.integers(1, 20)),
)


@settings(max_examples=250, deadline=None)
@given(
    start=st.lists(balances, min_size=4, max_size=4),
    collector=st.sampled_from([None, 0, 1, 2, 3]),
    proposer=st.integers(0, 3),
    min_fee=st.sampled_from([0, 1]),
    block=st.lists(ops, max_size=14),
    bad_signatures=st.sets(st.integers(0, 13), max_size=2),
    prechecked_mask=st.integers(0, 2**14 - 1),
)
def test_fast_paths_match_tx_by_tx_execution(
    *,
    start: list[int],
    collector: int | None,
    proposer: int,
    min_fee: int,
    block: list[tuple[str, int, int, int, int, int]],
    bad_signatures: set[int],
    prechecked_mask: int,
) -> None:
    genesis = make_genesis(
        min_fee=min_fee, fee_collector=None if collector is None else PEOPLE[collector].address
    )
    items = genesis_state(genesis).items()
    for person, balance in zip(PEOPLE, start, strict=True):
        items[keys.account(person.address.raw)] = Account(balance, 0).encode()
    state = MemoryState(items)
    ghash = genesis.hash()
    ctx = BlockContext(genesis.params, ghash, 2, 5_000, PEOPLE[proposer].address)
    nonces = [0] * 4
    txs = []
    for index, (kind, who, other, offset, fee, amount) in enumerate(block):
        payload: Payload
        if kind == "transfer":
            payload = Transfer(PEOPLE[other].address, amount)
        elif kind == "anchor":
            payload = ContentAnchor(bytes(32), "ipfs://x", "video")
        elif kind == "split":
            payload = SplitCreate(Party.account(ALICE.address), TERMS)
        else:
            payload = SplitPay(split_id_for(ALICE.address, 0), amount)
        key: PrivateKey = PEOPLE[who]
        nonce = max(0, nonces[who] + offset)
        nonces[who] = max(nonces[who], nonce + 1)
        body = TxBody(genesis.chain_id, key.public_key, nonce, fee, payload)
        tx = SignedTx(body, BAD_SIGNATURE) if index in bad_signatures else body.sign(key, ghash)
        txs.append(tx)

    def signature_ok(tx: SignedTx) -> bool:
        return tx.signature != BAD_SIGNATURE

    def passes_envelope(tx: SignedTx) -> bool:
        try:
            check_envelope(tx, ctx, signature_ok)
        except TxError:
            return False
        return True

    # what a mempool would vouch for: some of the txs that do pass the envelope checks
    vouched = {
        tx.hash for i, tx in enumerate(txs) if prechecked_mask >> i & 1 and passes_envelope(tx)
    }

    def prechecked(tx: SignedTx) -> bool:
        return tx.hash in vouched

    for mode in (Mode.PROPOSE, Mode.VALIDATE):
        fast = partial(execute_block, state, ctx, txs, mode, signature_ok, prechecked=prechecked)
        assert summary(fast) == summary(partial(tx_by_tx, state, ctx, txs, mode, signature_ok))
    proposed = execute_block(state, ctx, txs, Mode.PROPOSE, signature_ok, prechecked=prechecked)
    validated = execute_block(state, ctx, proposed.included, Mode.VALIDATE, signature_ok)
    assert validated.changes == proposed.changes and validated.receipts == proposed.receipts


def test_a_transfer_after_another_kind_sees_its_account_changes() -> None:
    """The cache is flushed and forgotten around other kinds: a split payment debits the sender
    between two of its transfers, and the second transfer sees the debit."""
    genesis = make_genesis()
    ghash = genesis.hash()
    state = genesis_state(genesis)
    ctx = BlockContext(genesis.params, ghash, 2, 5_000, VALIDATOR_KEYS[0].address)

    def sign(nonce: int, payload: Payload) -> SignedTx:
        return TxBody(genesis.chain_id, ALICE.public_key, nonce, 0, payload).sign(ALICE, ghash)

    balance = Account.decode(state.get(keys.account(ALICE.address.raw)) or b"").balance
    txs = [
        sign(0, SplitCreate(Party.account(ALICE.address), TERMS)),
        sign(1, Transfer(BOB.address, 1)),
        sign(2, SplitPay(split_id_for(ALICE.address, 0), balance - 2)),
        sign(3, Transfer(BOB.address, 2)),  # only 1 left: refused
    ]
    result = execute_block(state, ctx, txs, Mode.PROPOSE, lambda _tx: True)
    assert [e.code for _tx, e in result.skipped] == [ErrorCode.INSUFFICIENT_FUNDS]
    assert summary(lambda: result) == summary(
        lambda: tx_by_tx(state, ctx, txs, Mode.PROPOSE, lambda _tx: True)
    )

"""Receipts in the tx index: a transfer's receipt is stored in two bytes and read back whole;
every other receipt (and every entry of the older format) reads back exactly as it was."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import codec
from ledger.errors import ErrorCode
from ledger.genesis import ChainParams
from ledger.keys import PrivateKey
from ledger.state import stored_receipts
from ledger.state.events import Event, Receipt
from ledger.tx import SignedTx, Transfer, TxBody

ALICE = PrivateKey.from_secret(b"alice")
BOB = PrivateKey.from_secret(b"bob")
PARAMS = ChainParams(chain_id="coterie-receipts", address_prefix="tcot")
GENESIS_HASH = bytes(32)


def transfer(amount: int) -> SignedTx:
    body = TxBody(PARAMS.chain_id, ALICE.public_key, 0, 1, Transfer(BOB.address, amount))
    return body.sign(ALICE, GENESIS_HASH)


def transfer_receipt(tx: SignedTx) -> Receipt:
    """As the executor's transfer path writes it."""
    assert isinstance(tx.body.payload, Transfer)
    event = Event.of(
        "transfer",
        sender=ALICE.address.raw,
        recipient=BOB.address.raw,
        amount=tx.body.payload.amount,
    )
    return Receipt(tx.hash, ErrorCode.OK, (event,))


def test_a_transfer_receipt_is_stored_in_two_bytes_and_read_back_whole() -> None:
    tx = transfer(25)
    receipt = transfer_receipt(tx)
    stored = stored_receipts.compact(receipt, tx)
    assert len(stored) == 2 and len(receipt.encode()) > 100
    assert stored_receipts.load(stored, tx) == receipt


def test_an_entry_of_the_older_format_reads_back_as_written() -> None:
    tx = transfer(7)
    receipt = transfer_receipt(tx)
    assert stored_receipts.load(receipt.encode(), tx) == receipt


attribute = st.one_of(st.integers(0, 2**64 - 1), st.binary(max_size=40), st.text(max_size=20))
events = st.lists(
    st.builds(
        Event,
        st.text(min_size=1, max_size=20),
        st.lists(st.tuples(st.text(min_size=1, max_size=10), attribute), max_size=4).map(tuple),
    ),
    max_size=3,
).map(tuple)


@settings(max_examples=60, deadline=None)
@given(events=events, amount=st.integers(1, 1000), code=st.sampled_from(list(ErrorCode)))
def test_any_receipt_reads_back_exactly_as_it_was(
    events: tuple[Event, ...], amount: int, code: ErrorCode
) -> None:
    tx = transfer(amount)
    receipt = Receipt(tx.hash, code, events)
    assert stored_receipts.load(stored_receipts.compact(receipt, tx), tx) == receipt


events = st.lists(
    st.builds(
        Event,
        st.sampled_from(["transfer", "fee", "other"]),
        st.lists(
            st.tuples(
                st.sampled_from(["sender", "recipient", "amount"]),
                st.sampled_from([ALICE.address.raw, BOB.address.raw, 25, 26]),
            ),
            max_size=4,
        ).map(tuple),
    ),
    max_size=2,
).map(tuple)


@settings(max_examples=200, deadline=None)
@given(events=events, code=st.sampled_from(ErrorCode), amount=st.sampled_from([25, 26]))
def test_compact_is_the_comparison_with_the_implied_events(
    events: tuple[Event, ...], code: ErrorCode, amount: int
) -> None:
    """The field-by-field check stores exactly what comparing with `implied_events` stored."""
    tx = transfer(amount)
    for receipt in (Receipt(tx.hash, code, events), transfer_receipt(tx)):
        if receipt.events == stored_receipts.implied_events(tx):
            expected = codec.pack_checked([int(receipt.code)])
        else:
            expected = codec.encode([int(receipt.code), [e.to_fields() for e in receipt.events]])
        assert stored_receipts.compact(receipt, tx) == expected

"""The transfer fast path of tx decoding accepts exactly what the generic readers accept."""

from __future__ import annotations

from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger import codec
from ledger import tx as tx_module
from ledger.codec import Fields, MalformedError
from ledger.keys import BY_KEY_MAX, SIGNATURE_LEN, Address, PrivateKey
from ledger.tx import SignedTx, Transfer, TxBody, _plain_transfer

U64 = 2**64 - 1

ints = st.one_of(
    st.integers(0, 3), st.integers(U64 - 2, U64 + 2), st.integers(-3, -1), st.booleans()
)
texts = st.one_of(
    st.text(max_size=3),
    st.text(alphabet="ab", min_size=255, max_size=257),
    st.text(alphabet="é", min_size=127, max_size=129),
    st.text(alphabet="é", min_size=31, max_size=33),
    st.text(alphabet="c", min_size=63, max_size=65),
    st.integers(0, 1),
)
blobs = st.one_of(*(st.binary(min_size=n, max_size=n) for n in (19, 20, 21, 31, 32, 33, 64, 65)))


def generic(raw: Any) -> SignedTx | None:
    try:
        f = Fields(raw, 2, "signed_tx")
        body = TxBody.from_fields(f.raw())
        return SignedTx(body, f.bytes("signature", SIGNATURE_LEN, exact=True))
    except MalformedError:
        return None


@settings(max_examples=500, deadline=None)
@given(
    chain_id=texts,
    kind=st.one_of(st.just(1), ints),
    sender=blobs,
    nonce=ints,
    fee=ints,
    recipient=blobs,
    amount=ints,
    memo=texts,
    signature=blobs,
    extra=st.booleans(),
)
def test_fast_decode_agrees_with_the_generic_readers(
    *,
    chain_id: Any,
    kind: Any,
    sender: bytes,
    nonce: Any,
    fee: Any,
    recipient: bytes,
    amount: Any,
    memo: Any,
    signature: bytes,
    extra: bool,
) -> None:
    payload = [recipient, amount, memo, 0] if extra else [recipient, amount, memo]
    raw = [[chain_id, kind, sender, nonce, fee, payload], signature]
    fast = _plain_transfer(raw)
    slow = generic(raw)
    if fast is None:
        assert slow is None or type(raw[0][1]) is not int or raw[0][1] != 1
        return
    assert fast == slow
    assert slots(fast) == slots(slow)  # built slot by slot: none left unset or different
    assert fast.encode() == codec.encode(slow.to_fields())
    assert fast.hash == slow.hash


def slots(tx: SignedTx) -> dict[str, object]:
    """Every slot of the tx, its body, payload and recipient (compare=False ones included)."""
    body = tx.body
    out: dict[str, object] = {f"body.{n}": getattr(body, n) for n in TxBody.__slots__}
    out.update({f"tx.{n}": getattr(tx, n) for n in SignedTx.__slots__ if n != "_encoded"})
    out.update({f"payload.{n}": getattr(body.payload, n) for n in type(body.payload).__slots__})
    out["recipient"] = (type(body.payload.recipient), body.payload.recipient.raw)
    return out


def _envelope(amount: object) -> list[Any]:
    return [["c", 1, b"s" * 32, 0, 0, [b"r" * 20, amount, ""]], b"x" * SIGNATURE_LEN]


def test_decode_of_a_transfer_refuses_floats_and_non_canonical_bytes() -> None:
    canonical = codec.encode(_envelope(5))
    assert SignedTx.decode(canonical).encode() == canonical
    floaty = msgpack.packb(_envelope(5.0), use_bin_type=True)
    with pytest.raises(MalformedError, match="floats"):
        SignedTx.decode(floaty)
    wide = codec.encode(_envelope(0x7F7F)).replace(b"\xcd\x7f\x7f", b"\xcd\x00\x05")
    assert msgpack.unpackb(wide) == msgpack.unpackb(canonical)  # the same value, wider bytes
    with pytest.raises(MalformedError, match="not canonically encoded"):
        SignedTx.decode(wide)
    with pytest.raises(MalformedError, match="extra data"):
        SignedTx.decode(canonical + b"\x00")


def test_decoded_txs_share_one_chain_id_string() -> None:
    """Issue 17 (memory): each decoded tx held its own copy of the chain id, 64 of the 1,730
    bytes a pending transfer held; the fast path and the generic readers now give every tx of
    a chain the same string object."""
    key = PrivateKey.from_secret(b"chain-id-sharing")
    chain = "".join(["coterie-", "shared"])  # built at run time: not a constant of this module
    txs = [TxBody(chain, key.public_key, n, 0, Transfer(Address(bytes(20)), 1)) for n in range(3)]
    wires = [tx.sign(key, bytes(32)).encode() for tx in txs]
    decoded = [SignedTx.decode(wire) for wire in wires]
    generic_decoded = [generic(codec.decode(wire)) for wire in wires]
    bodies = [tx.body for tx in decoded] + [tx.body for tx in generic_decoded if tx is not None]
    assert len(bodies) == 6
    assert all(body.chain_id is bodies[0].chain_id for body in bodies)


def test_decoded_transfers_of_one_sender_share_its_public_key_and_address() -> None:
    """Issue 17 (memory): each decoded transfer held its own copy of its sender's public key
    (65 of a pending transfer's bytes); the fast path gives a sender's txs one key object."""
    key = PrivateKey.from_secret(b"sender-sharing")
    txs = [TxBody("c", key.public_key, n, 0, Transfer(Address(bytes(20)), 1)) for n in range(3)]
    decoded = [SignedTx.decode(tx.sign(key, bytes(32)).encode()) for tx in txs]
    assert all(tx.body.sender == key.public_key for tx in decoded)
    assert all(tx.body.sender is decoded[0].body.sender for tx in decoded)
    assert all(tx.body.sender_address is decoded[0].body.sender_address for tx in decoded)
    assert decoded[0].body.sender_address == key.address


def test_a_flood_of_new_senders_keeps_the_sender_cache_bounded_and_right() -> None:
    """The decoder runs before any signature check, so a stranger can send transfers from as
    many made-up keys as it likes: the cache of senders stays at `BY_KEY_MAX` keys, and a key
    decoded after it was cleared still gets its own address."""
    for n in range(BY_KEY_MAX + 10):
        raw = [["c", 1, n.to_bytes(32, "big"), 0, 0, [b"r" * 20, 1, ""]], b"x" * SIGNATURE_LEN]
        tx = SignedTx.decode(codec.encode(raw))
        assert len(tx_module._SENDERS) <= BY_KEY_MAX
    assert tx.body.sender_address == Address.from_public_key((BY_KEY_MAX + 9).to_bytes(32, "big"))

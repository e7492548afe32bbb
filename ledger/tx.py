"""The signed transaction envelope and its kinds.

A transaction body is `[chain_id, kind, sender, nonce, fee, payload]`; the sender is the signer's
Ed25519 public key, so a signature can be checked without reading state. The signature covers
`TX_SIGN_TAG + genesis_hash + canonical(body)`: a tx signed for one chain (or one genesis of a
chain that was reset under the same id) is worthless on any other. The tx hash is SHA-256 of the
canonical bytes of the whole signed envelope (Ed25519 signatures as libsodium verifies them are not
malleable, so one tx has one hash).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, ClassVar, Protocol, Self, TypeVar

from ledger import codec
from ledger.codec import Fields, MalformedError
from ledger.hashing import digest
from ledger.keys import BY_KEY_MAX, PUBLIC_KEY_LEN, SIGNATURE_LEN, Address, PrivateKey, verify
from ledger.slotset import slot_setter

TX_SIGN_TAG = b"coterie/tx/v1\x00"
MAX_TX_BYTES = 64 * 1024
MAX_CHAIN_ID_LEN = 64


class TxKind(IntEnum):
    """Stable numbers for every transaction kind; a retired number is never reused.

    Ranges: 1-9 coin, 10-29 collectives and membership, 30-49 proposals and votes, 50-69 treasury,
    70-89 splits, 90-99 content and moderation, 100-109 validators and evidence, 110-129
    economics (curation rounds, matching rounds, reputation). A kind is listed
    here before its payload exists so that numbers are assigned once; decoding a kind without a
    registered payload is `MalformedError("unknown tx kind")`.
    """

    TRANSFER = 1
    # collectives, membership, tokens
    COLLECTIVE_CREATE = 10
    MEMBERSHIP_APPLY = 11
    MEMBERSHIP_WITHDRAW = 12
    MEMBERSHIP_RENEW = 13
    RAGEQUIT = 14
    RAGEKICK = 15
    TOKEN_TRANSFER = 16
    DELEGATE = 17
    # proposals and votes
    PROPOSAL_SUBMIT = 30
    PROPOSAL_SPONSOR = 31
    VOTE = 32
    VOTE_COMMIT = 33
    VOTE_REVEAL = 34
    PROPOSAL_CANCEL = 35
    PROPOSAL_PROCESS = 36
    MULTISIG_APPROVE = 37
    MULTISIG_REJECT = 38
    # treasury
    TREASURY_DEPOSIT = 50
    ALLOWANCE_SPEND = 51
    STREAM_CLAIM = 52
    HOLDER_CLAIM = 53
    # revenue splits
    SPLIT_CREATE = 70
    SPLIT_UPDATE = 71
    SPLIT_PAY = 72
    SPLIT_DISTRIBUTE = 73
    SPLIT_ACCEPT_OWNERSHIP = 74
    # content and moderation
    CONTENT_ANCHOR = 90
    MODERATION_ACT = 91
    # economics (issue 22)
    CONTENT_ENDORSE = 110
    MATCHING_CONTRIBUTE = 111


class Payload(Protocol):
    """A kind-specific payload: a frozen dataclass that encodes itself as a field array."""

    KIND: ClassVar[TxKind]

    def to_fields(self) -> list[Any]: ...

    @classmethod
    def from_fields(cls, raw: object) -> Self: ...


_PAYLOADS: dict[TxKind, type[Payload]] = {}
P = TypeVar("P", bound=Payload)


def register_payload(cls: type[P]) -> type[P]:
    """Class decorator: make `cls` the payload codec of its `KIND`."""
    if cls.KIND in _PAYLOADS:
        raise RuntimeError(f"payload for {cls.KIND!r} registered twice")
    _PAYLOADS[cls.KIND] = cls
    return cls


def payload_class(kind: TxKind) -> type[Payload]:
    return _PAYLOADS[kind]


def decode_payload(kind_number: int, raw: object) -> Payload:
    try:
        kind = TxKind(kind_number)
        cls = _PAYLOADS[kind]
    except (ValueError, KeyError) as exc:
        raise MalformedError(f"unknown tx kind {kind_number}") from exc
    return cls.from_fields(raw)


@dataclass(frozen=True, slots=True)
class TxBody:
    chain_id: str
    sender: bytes
    nonce: int
    fee: int
    payload: Payload
    sender_address: Address = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sender_address", Address.from_public_key(self.sender))

    @property
    def kind(self) -> TxKind:
        return self.payload.KIND

    def to_fields(self) -> list[Any]:
        return [
            self.chain_id,
            int(self.kind),
            self.sender,
            self.nonce,
            self.fee,
            self.payload.to_fields(),
        ]

    @classmethod
    def from_fields(cls, raw: object) -> TxBody:
        f = Fields(raw, 6, "tx")
        chain_id = sys.intern(f.str("chain_id", MAX_CHAIN_ID_LEN))  # `_plain_transfer` says why
        kind = f.int("kind", 0, 0xFFFF)
        sender = f.bytes("sender", PUBLIC_KEY_LEN, exact=True)
        nonce = f.int("nonce")
        fee = f.int("fee")
        payload = decode_payload(kind, f.raw())
        return cls(chain_id, sender, nonce, fee, payload)

    def encode(self) -> bytes:
        return codec.encode(self.to_fields())

    def sign_bytes(self, genesis_hash: bytes) -> bytes:
        return TX_SIGN_TAG + genesis_hash + self.encode()

    def sign(self, key: PrivateKey, genesis_hash: bytes) -> SignedTx:
        if key.public_key != self.sender:
            raise ValueError("the signing key is not the tx sender")
        return SignedTx(self, key.sign(self.sign_bytes(genesis_hash)))


@dataclass(frozen=True, slots=True)
class SignedTx:
    body: TxBody
    signature: bytes
    # lazily filled caches: a tx is encoded and hashed many times on its way through a node
    _encoded: bytes | None = field(default=None, compare=False, repr=False)
    _hash: bytes | None = field(default=None, init=False, compare=False, repr=False)

    def to_fields(self) -> list[Any]:
        return [self.body.to_fields(), self.signature]

    @classmethod
    def from_fields(cls, raw: object) -> SignedTx:
        tx = _plain_transfer(raw)
        if tx is not None:
            return tx
        f = Fields(raw, 2, "signed_tx")
        body = TxBody.from_fields(f.raw())
        signature = f.bytes("signature", SIGNATURE_LEN, exact=True)
        return cls(body, signature)

    @classmethod
    def decode(cls, data: bytes, max_bytes: int = MAX_TX_BYTES) -> SignedTx:
        """Decode an envelope; raises `MalformedError` on any bad byte, size or bound."""
        raw = codec.unpack(data, max_bytes)
        tx = _plain_transfer(raw)  # exact field types (so no float), and packs `raw`
        if tx is not None:
            if tx.encode() != bytes(data):
                raise MalformedError("not canonically encoded")
            return tx
        codec.check_canonical(raw, data)
        f = Fields(raw, 2, "signed_tx")
        body = TxBody.from_fields(f.raw())
        signature = f.bytes("signature", SIGNATURE_LEN, exact=True)
        return cls(body, signature, bytes(data))  # canonical by decode's check: keep the bytes

    def encode(self) -> bytes:
        encoded = self._encoded
        if encoded is None:
            encoded = codec.encode(self.to_fields())
            object.__setattr__(self, "_encoded", encoded)
        return encoded

    @property
    def hash(self) -> bytes:
        value = self._hash
        if value is None:
            value = digest(self.encode())
            object.__setattr__(self, "_hash", value)
        return value

    def sign_bytes(self, genesis_hash: bytes) -> bytes:
        """`body.sign_bytes`, cut from the envelope's cached encoding instead of encoding the
        body again: a canonical array is its header followed by its items' encodings, so the
        body's bytes sit between the 1-byte header of the 2-item array and the signature's
        (a 2-byte bin header and the 64 bytes)."""
        return TX_SIGN_TAG + genesis_hash + self.encode()[1 : -(SIGNATURE_LEN + 2)]

    def verify_signature(self, genesis_hash: bytes) -> bool:
        return verify(self.body.sender, self.sign_bytes(genesis_hash), self.signature)


@register_payload
@dataclass(frozen=True, slots=True)
class Transfer:
    """Move native coin from the sender to `recipient`."""

    KIND: ClassVar[TxKind] = TxKind.TRANSFER
    recipient: Address
    amount: int
    memo: str = ""

    def to_fields(self) -> list[Any]:
        return [self.recipient.raw, self.amount, self.memo]

    @classmethod
    def from_fields(cls, raw: object) -> Transfer:
        f = Fields(raw, 3, "transfer")
        recipient = Address(f.bytes("recipient", 20, exact=True))
        amount = f.int("amount")
        memo = f.str("memo", 256)
        return cls(recipient, amount, memo)


def _plain_transfer(raw: object, encoded: bytes | None = None) -> SignedTx | None:
    """A decoded `Transfer` envelope without the generic field readers, or None when `raw` is
    anything else (or breaks any rule): the generic path then decodes it or names the error.

    Nearly every tx is a transfer, and a node decodes each twice (admission, block). The checks
    are `Fields`'s for the same fields: exact types (a bool is not an int), ranges, byte and
    UTF-8 lengths. The fields re-encode to `raw`, so its canonical bytes are kept as the tx's
    encoding (`encoded`, or packed here), sparing the re-encoding for the tx hash. The objects
    are built slot by slot, as their frozen dataclasses' `__init__` would build them but without
    its `object.__setattr__` per field: a decode took 3.1 µs, 2.3 built this way (tests/ledger/
    test_tx_fast_decode.py compares every slot with the generic path's objects).
    """
    if type(raw) is not list or len(raw) != 2:
        return None
    body, signature = raw
    if type(body) is not list or len(body) != 6 or type(signature) is not bytes:
        return None
    chain_id, kind, sender, nonce, fee, payload = body
    if (
        kind != 1
        or type(kind) is not int
        or type(payload) is not list
        or len(payload) != 3
        or len(signature) != SIGNATURE_LEN
        or type(chain_id) is not str
        or type(sender) is not bytes
        or len(sender) != PUBLIC_KEY_LEN
        or type(nonce) is not int
        or type(fee) is not int
        or not 0 <= nonce <= codec.U64_MAX
        or not 0 <= fee <= codec.U64_MAX
    ):
        return None
    recipient, amount, memo = payload
    if (
        type(recipient) is not bytes
        or len(recipient) != 20
        or type(amount) is not int
        or not 0 <= amount <= codec.U64_MAX
        or type(memo) is not str
        or len(memo) > 256
        or len(chain_id) > MAX_CHAIN_ID_LEN
        or (not memo.isascii() and len(memo.encode()) > 256)
        or (not chain_id.isascii() and len(chain_id.encode()) > MAX_CHAIN_ID_LEN)
    ):
        return None
    if encoded is None:
        encoded = codec.pack_checked(raw)
    # the objects `SignedTx(TxBody(..., Transfer(Address(recipient), ...)), ...)`, every slot
    # set through its descriptor (ledger/slotset.py) rather than by the frozen dataclasses' __init__
    address = _new(Address)
    _SET_ADDRESS_RAW(address, recipient)
    transfer = _new(Transfer)
    _SET_RECIPIENT(transfer, address)
    _SET_AMOUNT(transfer, amount)
    _SET_MEMO(transfer, memo)
    tx_body = _new(TxBody)
    # one string object per chain id, not one per tx: a pending tx held its own copy (64 bytes
    # of the bench's "coterie-bench"; an interned string is freed once no tx holds it)
    _SET_CHAIN_ID(tx_body, sys.intern(chain_id))
    # one public key object per recent sender, with its address: a pending tx held its own
    # copy (65 bytes), and the lookup replaces `Address.from_public_key`'s own
    known = _SENDERS.get(sender)
    if known is None:
        if len(_SENDERS) >= BY_KEY_MAX:
            _SENDERS.clear()
        known = _SENDERS[sender] = (sender, Address.from_public_key(sender))
    _SET_SENDER(tx_body, known[0])
    _SET_NONCE(tx_body, nonce)
    _SET_FEE(tx_body, fee)
    _SET_PAYLOAD(tx_body, transfer)
    _SET_SENDER_ADDRESS(tx_body, known[1])
    tx = _new(SignedTx)
    _SET_BODY(tx, tx_body)
    _SET_SIGNATURE(tx, signature)
    _SET_ENCODED(tx, encoded)
    _SET_HASH(tx, None)
    return tx


_new = object.__new__
_SENDERS: dict[bytes, tuple[bytes, Address]] = {}  # the latest senders' keys (`_plain_transfer`)

_SET_ADDRESS_RAW = slot_setter(Address, "raw")
_SET_RECIPIENT = slot_setter(Transfer, "recipient")
_SET_AMOUNT = slot_setter(Transfer, "amount")
_SET_MEMO = slot_setter(Transfer, "memo")
_SET_CHAIN_ID = slot_setter(TxBody, "chain_id")
_SET_SENDER = slot_setter(TxBody, "sender")
_SET_NONCE = slot_setter(TxBody, "nonce")
_SET_FEE = slot_setter(TxBody, "fee")
_SET_PAYLOAD = slot_setter(TxBody, "payload")
_SET_SENDER_ADDRESS = slot_setter(TxBody, "sender_address")
_SET_BODY = slot_setter(SignedTx, "body")
_SET_SIGNATURE = slot_setter(SignedTx, "signature")
_SET_ENCODED = slot_setter(SignedTx, "_encoded")
_SET_HASH = slot_setter(SignedTx, "_hash")

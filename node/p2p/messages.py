"""Wire messages between peers: the envelope, its per-type size limits, and the session payloads.

Every WebSocket binary frame is one envelope, the canonical encoding of `[type, payload]`, where
`type` is a `MessageType` number and `payload` a byte string. The P2P layer decodes only the
payloads it owns (the handshake and tx batches); consensus and sync payloads stay opaque bytes for
the runner, which decodes them with the ledger types.

Limits are enforced before any decoding: the type is read from the envelope's first two bytes (a
canonical `[fixint, bin]` always starts `0x92, type`), and a frame longer than that type's limit is
refused unread. Any failure becomes one `MalformedMessageError` (or its subclass
`OversizedMessageError`) raised here, at the boundary.

Exception tree:
    ValueError
      MalformedError (ledger.codec)
        MalformedMessageError            undecodable envelope or payload: costs the sender score
          OversizedMessageError          longer than the limit of its type
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from ledger import codec
from ledger.block import MAX_BLOCK_BYTES
from ledger.codec import Fields, MalformedError
from ledger.hashing import HASH_LEN
from ledger.keys import PUBLIC_KEY_LEN, SIGNATURE_LEN
from ledger.store.snapshot import MAX_CHUNK_BYTES
from ledger.tx import MAX_CHAIN_ID_LEN, MAX_TX_BYTES

KIB = 1024
MIB = 1024 * KIB
NONCE_LEN = 32
EPHEMERAL_KEY_LEN = 32
# 0x92 (2-array) + type fixint + bin32 header (0xc6 + 4 length bytes): the most a canonical
# envelope adds around its payload.
ENVELOPE_OVERHEAD = 7
# Room around a block in a proposal or a block response: commit signatures (about 100 bytes per
# validator, at most 1,000 validators), the proposal's round fields and signature.
BLOCK_MESSAGE_OVERHEAD = 256 * KIB
MAX_TXS_PER_BATCH = 10_000
# State sync (node/statesync_wire.py): a chunk of the state, and the offers of a node's snapshots
# (at most 4, each listing at most 16,384 chunk hashes: 16 GiB of state in 1 MiB chunks).
MAX_OFFERS = 4
MAX_SNAPSHOT_CHUNKS = 16_384
MAX_OFFERS_BYTES = MAX_OFFERS * (MAX_SNAPSHOT_CHUNKS * (HASH_LEN + 2) + 128)


class MessageType(IntEnum):
    """Stable numbers for every message kind; a retired number is never reused.

    Ranges: 1-9 session, 10-19 mempool, 20-39 consensus, 40-59 block sync, 60-69 state sync.
    Numbers stay below 128
    so that the type is a one-byte msgpack fixint and can be read before decoding.
    """

    HELLO = 1
    AUTH = 2
    TXS = 10
    PROPOSAL = 20
    VOTE = 21
    EVIDENCE = 22
    STATUS = 40
    BLOCK_REQUEST = 41
    BLOCK_RESPONSE = 42
    SNAPSHOTS_REQUEST = 60
    SNAPSHOTS_RESPONSE = 61
    CHUNK_REQUEST = 62
    CHUNK_RESPONSE = 63


SESSION_TYPES = frozenset({MessageType.HELLO, MessageType.AUTH})
# Best-effort traffic: when a peer's queue is full the oldest of these is dropped (see connection).
BULK_TYPES = frozenset({MessageType.TXS})


def message_limits(max_block_bytes: int = MAX_BLOCK_BYTES) -> dict[MessageType, int]:
    """The payload size limit of every type; block-carrying types follow the chain's block size."""
    block = max_block_bytes + BLOCK_MESSAGE_OVERHEAD
    return {
        MessageType.HELLO: 256,
        MessageType.AUTH: 128,
        MessageType.TXS: 4 * MIB,
        MessageType.PROPOSAL: block,
        MessageType.VOTE: 1 * KIB,
        MessageType.EVIDENCE: 4 * KIB,
        MessageType.STATUS: 1 * KIB,
        MessageType.BLOCK_REQUEST: 256,
        MessageType.BLOCK_RESPONSE: block,
        MessageType.SNAPSHOTS_REQUEST: 64,
        MessageType.SNAPSHOTS_RESPONSE: MAX_OFFERS_BYTES,
        MessageType.CHUNK_REQUEST: 64,
        MessageType.CHUNK_RESPONSE: MAX_CHUNK_BYTES + 64,
    }


class MalformedMessageError(MalformedError):
    """A frame or payload from a peer that is not a valid message."""


class OversizedMessageError(MalformedMessageError):
    """A frame longer than the limit of its message type, refused before decoding."""


def encode_frame(msg_type: MessageType, payload: bytes) -> bytes:
    """The envelope for one message."""
    return codec.encode([int(msg_type), payload])


def peek_type(frame: bytes) -> MessageType:
    """The type of a frame, read from its first two bytes without decoding it."""
    if len(frame) < 3 or frame[0] != 0x92 or frame[1] >= 0x80:
        raise MalformedMessageError("not a message envelope")
    try:
        return MessageType(frame[1])
    except ValueError:
        raise MalformedMessageError(f"unknown message type {frame[1]}") from None


def decode_frame(frame: bytes, limits: Mapping[MessageType, int]) -> tuple[MessageType, bytes]:
    """Check the size limit of the frame's type, then decode it; raises `MalformedMessageError`."""
    msg_type = peek_type(frame)
    limit = limits[msg_type]
    if len(frame) > limit + ENVELOPE_OVERHEAD:
        raise OversizedMessageError(
            f"{msg_type.name} frame of {len(frame)} bytes exceeds its limit of {limit}"
        )
    try:
        f = Fields(codec.decode(frame, max_bytes=limit + ENVELOPE_OVERHEAD), 2, "envelope")
        f.int("type", msg_type, msg_type)
        payload = f.bytes("payload", limit + ENVELOPE_OVERHEAD)
    except MalformedError as exc:
        raise MalformedMessageError(str(exc)) from exc
    if len(payload) > limit:
        raise OversizedMessageError(
            f"{msg_type.name} payload of {len(payload)} bytes exceeds its limit of {limit}"
        )
    return msg_type, payload


def _decode_payload(payload: bytes, max_bytes: int) -> Any:
    try:
        return codec.decode(payload, max_bytes=max_bytes)
    except MalformedError as exc:
        raise MalformedMessageError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Hello:
    """The first message each side sends: who it is, which chain, a fresh nonce, and a fresh
    X25519 public key for the session (node/p2p/session.py)."""

    version: int
    chain_id: str
    genesis_hash: bytes
    public_key: bytes
    nonce: bytes
    ephemeral: bytes

    def encode(self) -> bytes:
        return codec.encode(
            [
                self.version,
                self.chain_id,
                self.genesis_hash,
                self.public_key,
                self.nonce,
                self.ephemeral,
            ]
        )

    @classmethod
    def decode(cls, payload: bytes) -> Hello:
        try:
            f = Fields(_decode_payload(payload, 256), 6, "hello")
            return cls(
                version=f.int("version", 0, 2**16),
                chain_id=f.str("chain_id", MAX_CHAIN_ID_LEN),
                genesis_hash=f.bytes("genesis_hash", HASH_LEN, exact=True),
                public_key=f.bytes("public_key", PUBLIC_KEY_LEN, exact=True),
                nonce=f.bytes("nonce", NONCE_LEN, exact=True),
                ephemeral=f.bytes("ephemeral", EPHEMERAL_KEY_LEN, exact=True),
            )
        except MalformedMessageError:
            raise
        except MalformedError as exc:
            raise MalformedMessageError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Auth:
    """The second message: a signature over the handshake transcript (see handshake.py)."""

    signature: bytes

    def encode(self) -> bytes:
        return codec.encode([self.signature])

    @classmethod
    def decode(cls, payload: bytes) -> Auth:
        try:
            f = Fields(_decode_payload(payload, 128), 1, "auth")
            return cls(f.bytes("signature", SIGNATURE_LEN, exact=True))
        except MalformedMessageError:
            raise
        except MalformedError as exc:
            raise MalformedMessageError(str(exc)) from exc


def encode_txs(txs: Sequence[bytes]) -> bytes:
    """A tx batch payload: an array of canonical signed-tx encodings."""
    return codec.encode_bytes_list(txs)


def decode_txs(
    payload: bytes, max_count: int = MAX_TXS_PER_BATCH, max_tx_bytes: int = MAX_TX_BYTES
) -> list[bytes]:
    """The txs of a batch, each a non-empty byte string of at most `max_tx_bytes`.

    The txs themselves are not decoded here: the mempool decodes and checks each one, and reports
    a peer that relays a tx that can never be valid.
    """
    try:
        txs = codec.decode_bytes_list(payload, max_count, max_tx_bytes, max_bytes=len(payload))
    except MalformedError as exc:
        raise MalformedMessageError(f"txs: {exc}") from exc
    if not txs or not all(txs):
        raise MalformedMessageError("txs: a batch holds 1 or more non-empty txs")
    return txs

"""State sync's payloads inside P2P messages, decoded at the boundary with every field bounded.

    SNAPSHOTS_REQUEST   canonical([])                             "which snapshots do you keep?"
    SNAPSHOTS_RESPONSE  canonical([[height, state_root, [chunk sha256, ...]], ...])  newest first,
                        at most MAX_OFFERS, each at most MAX_SNAPSHOT_CHUNKS chunks
    CHUNK_REQUEST       canonical([height, index])
    CHUNK_RESPONSE      canonical([height, index, chunk bytes])   b"": "I do not have it"

Nothing in an offer is trusted: the joiner checks each chunk against the offer's hash as it
arrives, and the assembled state's root against a header it verified (node/statesync.py). Every
decoder raises `MalformedError` only, which the P2P layer charges to the sender.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ledger import codec
from ledger.codec import Fields, MalformedError, Value
from ledger.hashing import HASH_LEN
from ledger.store.snapshot import MAX_CHUNK_BYTES
from node.p2p.messages import MAX_OFFERS, MAX_OFFERS_BYTES, MAX_SNAPSHOT_CHUNKS


@dataclass(frozen=True, slots=True)
class SnapshotOffer:
    """A snapshot a peer says it keeps: the state at `height` as chunks with these SHA-256."""

    height: int
    state_root: bytes
    chunk_hashes: tuple[bytes, ...]

    def to_fields(self) -> list[Value]:
        return [self.height, self.state_root, list(self.chunk_hashes)]

    @classmethod
    def from_fields(cls, raw: object) -> SnapshotOffer:
        f = Fields(raw, 3, "snapshot_offer")
        height = f.int("height", 1)
        root = f.bytes("state_root", HASH_LEN, exact=True)
        hashes = f.list("chunk_hashes", MAX_SNAPSHOT_CHUNKS)
        if not hashes or not all(type(h) is bytes and len(h) == HASH_LEN for h in hashes):
            raise MalformedError("snapshot_offer.chunk_hashes: 1 or more 32-byte hashes")
        return cls(height, root, tuple(hashes))

    @property
    def key(self) -> bytes:
        """What tells two offers apart: the hash of their canonical fields."""
        return hashlib.sha256(codec.encode(self.to_fields())).digest()


def encode_offers(offers: list[SnapshotOffer]) -> bytes:
    return codec.encode([o.to_fields() for o in offers[:MAX_OFFERS]])


def decode_offers(payload: bytes) -> list[SnapshotOffer]:
    raw = codec.decode(payload, MAX_OFFERS_BYTES)
    if not isinstance(raw, list) or len(raw) > MAX_OFFERS:
        raise MalformedError(f"snapshots: a list of at most {MAX_OFFERS} offers")
    return [SnapshotOffer.from_fields(item) for item in raw]


@dataclass(frozen=True, slots=True)
class ChunkRequest:
    height: int
    index: int

    def encode(self) -> bytes:
        return codec.encode([self.height, self.index])

    @classmethod
    def decode(cls, payload: bytes) -> ChunkRequest:
        f = Fields(codec.decode(payload, 64), 2, "chunk_request")
        return cls(f.int("height", 1), f.int("index", 0, MAX_SNAPSHOT_CHUNKS - 1))


@dataclass(frozen=True, slots=True)
class ChunkResponse:
    height: int
    index: int
    data: bytes

    def encode(self) -> bytes:
        return codec.encode([self.height, self.index, self.data])

    @classmethod
    def decode(cls, payload: bytes) -> ChunkResponse:
        f = Fields(codec.decode(payload, MAX_CHUNK_BYTES + 64), 3, "chunk_response")
        return cls(
            f.int("height", 1),
            f.int("index", 0, MAX_SNAPSHOT_CHUNKS - 1),
            f.bytes("data", MAX_CHUNK_BYTES),
        )

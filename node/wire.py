"""The runner's payloads inside P2P messages, decoded at the boundary with every field bounded.

P2P carries consensus and sync payloads as opaque bytes (node/p2p/messages.py); this module gives
them their shape. Every decoder raises `MalformedError` only, which the P2P layer turns into a
penalty for the sending peer.

    PROPOSAL        canonical(Proposal.to_fields())              consensus.messages.Proposal
    VOTE            canonical(Vote.to_fields())                  ledger.block.Vote
    EVIDENCE        canonical(DuplicateVoteEvidence.to_fields())
    STATUS          canonical([height, last_block_hash, round])  last committed height; b"" at 0;
                                                                 the consensus round at height+1
    BLOCK_REQUEST   canonical([height])
    BLOCK_RESPONSE  canonical([height, block bytes, commit bytes])  stored encodings, served as is
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import msgpack

from consensus.messages import MAX_ROUND, ConsensusMessage, Proposal
from ledger import codec
from ledger.block import MAX_BLOCK_BYTES, Block, Commit, DuplicateVoteEvidence, KnownTxs, Vote
from ledger.codec import Fields, MalformedError
from ledger.hashing import HASH_LEN
from node.p2p.messages import MessageType

MAX_COMMIT_BYTES = 256 * 1024  # 1,000 validators x about 100 bytes, with room


class Net(Protocol):
    """What the runner and block sync need of the P2P layer (`node.p2p.PeerManager`)."""

    def broadcast(
        self, msg_type: MessageType, payload: bytes, exclude: Iterable[bytes] = ()
    ) -> int: ...

    def send(self, peer: bytes, msg_type: MessageType, payload: bytes) -> bool: ...

    def penalize(self, peer: bytes, amount: int, reason: str) -> None: ...


def consensus_payload(message: ConsensusMessage) -> tuple[MessageType, bytes]:
    """The P2P message type and payload of a proposal or a vote."""
    if isinstance(message, Proposal):
        return MessageType.PROPOSAL, encode_proposal(message)
    return MessageType.VOTE, encode_vote(message)


def encode_proposal(proposal: Proposal) -> bytes:
    return proposal.encode()


def peek_height(payload: bytes) -> int:
    """The height of an encoded proposal, read from its first bytes alone, so that a proposal
    for a height nobody waits for is dropped before its block is decoded (issue 14)."""
    unpacker = msgpack.Unpacker(raw=True, strict_map_key=True)
    unpacker.feed(payload[:16])
    try:
        if unpacker.read_array_header() < 1:
            raise MalformedError("consensus message: empty")
        height = unpacker.unpack()
    except (ValueError, msgpack.OutOfData, msgpack.ExtraData) as exc:
        raise MalformedError(f"consensus message: no height ({exc!r})") from None
    if isinstance(height, bool) or not isinstance(height, int) or height < 0:
        raise MalformedError("consensus message: the height is not a natural number")
    return height


def decode_proposal(
    payload: bytes,
    max_bytes: int = MAX_BLOCK_BYTES + MAX_COMMIT_BYTES,
    known: KnownTxs | None = None,
) -> Proposal:
    """`known`: the mempool's txs by hash, reused instead of decoding the block's copies."""
    return Proposal.decode(payload, max_bytes, known)


def encode_vote(vote: Vote) -> bytes:
    return codec.encode(vote.to_fields())


def decode_vote(payload: bytes) -> Vote:
    return Vote.from_fields(codec.decode(payload, 1024))


def encode_evidence(evidence: DuplicateVoteEvidence) -> bytes:
    return codec.encode(evidence.to_fields())


def decode_evidence(payload: bytes) -> DuplicateVoteEvidence:
    evidence = DuplicateVoteEvidence.from_fields(codec.decode(payload, 4096))
    problem = evidence.structural_error()
    if problem:
        raise MalformedError(f"evidence: {problem}")
    return evidence


@dataclass(frozen=True, slots=True)
class Status:
    """What a node tells its peers about itself: the last committed block and its round."""

    height: int
    last_block_hash: bytes
    round: int

    def encode(self) -> bytes:
        return codec.encode([self.height, self.last_block_hash, self.round])

    @classmethod
    def decode(cls, payload: bytes) -> Status:
        f = Fields(codec.decode(payload, 1024), 3, "status")
        height = f.int("height", 0)
        block_hash = f.bytes("last_block_hash", HASH_LEN)
        if len(block_hash) != (0 if height == 0 else HASH_LEN):
            raise MalformedError("status.last_block_hash: 32 bytes, or empty at height 0")
        return cls(height, block_hash, f.int("round", 0, MAX_ROUND))


@dataclass(frozen=True, slots=True)
class BlockRequest:
    height: int

    def encode(self) -> bytes:
        return codec.encode([self.height])

    @classmethod
    def decode(cls, payload: bytes) -> BlockRequest:
        f = Fields(codec.decode(payload, 256), 1, "block_request")
        return cls(f.int("height", 1))


@dataclass(frozen=True, slots=True)
class BlockResponse:
    """A committed block with the commit certificate that finalized it."""

    height: int
    block: Block
    commit: Commit

    @staticmethod
    def encode_stored(height: int, block_bytes: bytes, commit_bytes: bytes) -> bytes:
        return codec.encode([height, block_bytes, commit_bytes])

    @classmethod
    def decode(cls, payload: bytes, max_bytes: int = MAX_BLOCK_BYTES) -> BlockResponse:
        f = Fields(codec.decode(payload, max_bytes + MAX_COMMIT_BYTES), 3, "block_response")
        height = f.int("height", 1)
        block = Block.decode(f.bytes("block", max_bytes), max_bytes)
        commit = Commit.decode(f.bytes("commit", MAX_COMMIT_BYTES))
        if block.header.height != height or commit.height != height:
            raise MalformedError("block_response: block, commit and height disagree")
        if commit.block_hash != block.hash():
            raise MalformedError("block_response: the commit is for another block")
        return cls(height, block, commit)

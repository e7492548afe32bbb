"""Consensus messages: the signed proposal, the step numbers, and the wire/WAL envelope.

Votes are chain data and live in `ledger.block` (`Vote`); the proposal exists only between
validators, so it lives here. A proposal signs

    PROPOSAL_SIGN_TAG + genesis_hash + canonical([height, round, pol_round, block_hash])

The tag differs from the vote tag, so a proposal signature can never be replayed as a vote; the
genesis hash binds the chain id. `pol_round` is the paper's `validRound` (-1 for none): the round
of a proof-of-lock (+2/3 prevotes) for this block that lets locked validators accept it.

`encode_message` / `decode_message` give every consensus message one canonical envelope
`[kind, fields]` for gossip and for the consensus WAL; decoding enforces every bound and raises
`MalformedError` only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, TypeAlias

from ledger import codec
from ledger.block import MAX_BLOCK_BYTES, Block, KnownTxs, Vote
from ledger.codec import Fields, MalformedError
from ledger.keys import SIGNATURE_LEN

PROPOSAL_SIGN_TAG = b"coterie/proposal/v1\x00"
# The wire bound on rounds (as `Vote.from_fields`); the machine enforces the same bound on input.
MAX_ROUND = 2**31
NIL = b""


class Step(IntEnum):
    """Steps of a round, in order; the double-sign guard orders signatures by (h, r, step)."""

    NEW_HEIGHT = 0  # waiting out the block interval before round 0
    PROPOSE = 1
    PREVOTE = 2
    PRECOMMIT = 3


class MessageKind(IntEnum):
    """Stable numbers of the consensus message envelope; a retired number is never reused."""

    PROPOSAL = 1
    VOTE = 2


@dataclass(frozen=True, slots=True)
class Proposal:
    """⟨PROPOSAL, h, r, v, vr⟩ of the paper, signed by the proposer of (h, r)."""

    height: int
    round: int
    pol_round: int  # -1: no proof-of-lock round
    block: Block
    signature: bytes

    @property
    def block_hash(self) -> bytes:
        return self.block.hash()

    @staticmethod
    def sign_bytes_for(
        genesis_hash: bytes, height: int, round_: int, pol_round: int, block_hash: bytes
    ) -> bytes:
        body = codec.encode([height, round_, pol_round, block_hash])
        return PROPOSAL_SIGN_TAG + genesis_hash + body

    def sign_bytes(self, genesis_hash: bytes) -> bytes:
        return self.sign_bytes_for(
            genesis_hash, self.height, self.round, self.pol_round, self.block_hash
        )

    def to_fields(self) -> list[Any]:
        return [self.height, self.round, self.pol_round, self.block.to_fields(), self.signature]

    def encode(self) -> bytes:
        """`codec.encode(self.to_fields())`, spliced around the block's own encoding (which
        reuses each tx's cached bytes) instead of walking every tx's fields."""
        head = codec.encode([self.height, self.round, self.pol_round])[1:]  # without its header
        return b"".join(
            (codec.array_header(5), head, self.block.encode(), codec.encode(self.signature))
        )

    @classmethod
    def decode(
        cls, data: bytes, max_bytes: int = MAX_BLOCK_BYTES, known: KnownTxs | None = None
    ) -> Proposal:
        """Decode a proposal; `known` as for `Block.decode` (txs the node already decoded)."""
        if known is None:
            return cls.from_fields(codec.decode(data, max_bytes))
        parts = codec.split_array(data, 5, 5, max_bytes)
        raw = [codec.decode(part) for part in parts[:3]] + [parts[3], codec.decode(parts[4])]
        return cls._from(raw, lambda block: Block.decode(block, max_bytes, known))

    @classmethod
    def from_fields(cls, raw: object) -> Proposal:
        return cls._from(raw, Block.from_fields)

    @classmethod
    def _from(cls, raw: object, read_block: Callable[[Any], Block]) -> Proposal:
        f = Fields(raw, 5, "proposal")
        height = f.int("height", 1)
        round_ = f.int("round", 0, MAX_ROUND)
        pol_round = f.int("pol_round", -1, MAX_ROUND)
        if pol_round >= round_:
            raise MalformedError("proposal.pol_round: must be below the round")
        block = read_block(f.raw())
        signature = f.bytes("signature", SIGNATURE_LEN, exact=True)
        if block.header.height != height:
            raise MalformedError("proposal: block height differs from the proposal height")
        return cls(height, round_, pol_round, block, signature)


ConsensusMessage: TypeAlias = Proposal | Vote


def encode_message(message: ConsensusMessage) -> bytes:
    if isinstance(message, Proposal):  # spliced: a proposal carries a whole block
        return codec.array_header(2) + codec.encode(int(MessageKind.PROPOSAL)) + message.encode()
    return codec.encode([int(MessageKind.VOTE), message.to_fields()])


def decode_message(data: bytes, max_bytes: int = MAX_BLOCK_BYTES + 4096) -> ConsensusMessage:
    f = Fields(codec.decode(data, max_bytes), 2, "message")
    kind = f.int("kind", 1, max(MessageKind))
    if kind == MessageKind.PROPOSAL:
        return Proposal.from_fields(f.raw())
    return Vote.from_fields(f.raw())

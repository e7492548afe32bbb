"""Blocks, headers, votes, commit certificates and equivocation evidence.

Votes live here rather than in `consensus` because they are chain data: a commit certificate is a
set of precommit signatures that anyone must be able to check against a header, and evidence of
double-signing is two votes that the ledger records. The consensus package signs and counts them.

A vote signs `VOTE_SIGN_TAG + genesis_hash + canonical([type, height, round, block_hash])`; the
genesis hash binds the chain id, so a vote for one chain is never valid on another. A nil vote has
an empty block hash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from ledger import codec
from ledger.codec import Fields, MalformedError
from ledger.hashing import HASH_LEN, digest, tagged_digest
from ledger.keys import ADDRESS_LEN, SIGNATURE_LEN, Address
from ledger.merkle_list import merkle_list_root
from ledger.tx import SignedTx

VOTE_SIGN_TAG = b"coterie/vote/v1\x00"
MAX_VALIDATORS = 1000
# CometBFT's MaxTotalVotingPower (int64 max / 8): proposer priorities then stay inside int64.
MAX_TOTAL_POWER = (2**63 - 1) // 8
MAX_EVIDENCE_PER_BLOCK = 100
MAX_BLOCK_TXS = 100_000
MAX_BLOCK_BYTES = 32 * 1024 * 1024


class VoteType(IntEnum):
    PREVOTE = 1
    PRECOMMIT = 2


@dataclass(frozen=True, slots=True)
class Vote:
    type: VoteType
    height: int
    round: int
    block_hash: bytes  # b"" for nil
    validator: Address
    signature: bytes

    def to_fields(self) -> list[Any]:
        return [
            int(self.type),
            self.height,
            self.round,
            self.block_hash,
            self.validator.raw,
            self.signature,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> Vote:
        f = Fields(raw, 6, "vote")
        vote_type = f.int("type", 1, 2)
        height = f.int("height", 1)
        round_ = f.int("round", 0, 2**31)
        block_hash = f.bytes("block_hash", HASH_LEN)
        if block_hash and len(block_hash) != HASH_LEN:
            raise MalformedError("vote.block_hash: must be empty (nil) or 32 bytes")
        validator = Address(f.bytes("validator", ADDRESS_LEN, exact=True))
        signature = f.bytes("signature", SIGNATURE_LEN, exact=True)
        return cls(VoteType(vote_type), height, round_, block_hash, validator, signature)

    @staticmethod
    def sign_bytes_for(
        genesis_hash: bytes, vote_type: VoteType, height: int, round_: int, block_hash: bytes
    ) -> bytes:
        body = codec.encode([int(vote_type), height, round_, block_hash])
        return VOTE_SIGN_TAG + genesis_hash + body

    def sign_bytes(self, genesis_hash: bytes) -> bytes:
        return self.sign_bytes_for(
            genesis_hash, self.type, self.height, self.round, self.block_hash
        )


@dataclass(frozen=True, slots=True)
class CommitSig:
    validator: Address
    signature: bytes


@dataclass(frozen=True, slots=True)
class Commit:
    """2/3+ of the validator power precommitted `block_hash` at (height, round)."""

    height: int
    round: int
    block_hash: bytes
    signatures: tuple[CommitSig, ...]

    def to_fields(self) -> list[Any]:
        return [
            self.height,
            self.round,
            self.block_hash,
            [[s.validator.raw, s.signature] for s in self.signatures],
        ]

    @classmethod
    def from_fields(cls, raw: object) -> Commit:
        f = Fields(raw, 4, "commit")
        height = f.int("height", 1)
        round_ = f.int("round", 0, 2**31)
        block_hash = f.bytes("block_hash", HASH_LEN, exact=True)
        sigs = []
        for item in f.list("signatures", MAX_VALIDATORS):
            s = Fields(item, 2, "commit_sig")
            sigs.append(
                CommitSig(
                    Address(s.bytes("validator", ADDRESS_LEN, exact=True)),
                    s.bytes("signature", SIGNATURE_LEN, exact=True),
                )
            )
        return cls(height, round_, block_hash, tuple(sigs))

    def encode(self) -> bytes:
        return codec.encode(self.to_fields())

    @classmethod
    def decode(cls, data: bytes) -> Commit:
        return cls.from_fields(codec.decode(data))

    def hash(self) -> bytes:
        return tagged_digest(b"commit", self.encode())

    def vote(self, index: int) -> Vote:
        """The precommit that signature `index` stands for, for checking it."""
        sig = self.signatures[index]
        return Vote(
            VoteType.PRECOMMIT,
            self.height,
            self.round,
            self.block_hash,
            sig.validator,
            sig.signature,
        )


@dataclass(frozen=True, slots=True)
class DuplicateVoteEvidence:
    """Two signed votes by one validator for different blocks at one (height, round, type).

    The pair is canonical: the vote with the smaller block hash comes first, so every honest node
    builds byte-identical evidence for the same two votes.
    """

    vote_a: Vote
    vote_b: Vote

    def to_fields(self) -> list[Any]:
        return [self.vote_a.to_fields(), self.vote_b.to_fields()]

    @classmethod
    def from_fields(cls, raw: object) -> DuplicateVoteEvidence:
        f = Fields(raw, 2, "evidence")
        return cls(Vote.from_fields(f.raw()), Vote.from_fields(f.raw()))

    def hash(self) -> bytes:
        return tagged_digest(b"evidence", codec.encode(self.to_fields()))

    def structural_error(self) -> str | None:
        """Why the two votes are not a double-sign, or None when their fields are one."""
        a, b = self.vote_a, self.vote_b
        if a.validator != b.validator:
            return "votes are from different validators"
        if (a.type, a.height, a.round) != (b.type, b.height, b.round):
            return "votes are for different steps"
        if a.block_hash == b.block_hash:
            return "votes are for the same block"
        if a.block_hash > b.block_hash:
            return "votes are not in canonical order (smaller block hash first)"
        return None

    def offence_key(self) -> bytes:
        """One key per offence (validator, height, round, type), however many pairs prove it."""
        a = self.vote_a
        return (
            a.validator.raw
            + a.height.to_bytes(8, "big")
            + a.round.to_bytes(4, "big")
            + bytes([a.type])
        )


@dataclass(frozen=True, slots=True)
class Header:
    chain_id: str
    height: int
    time_ms: int
    prev_block_hash: bytes
    last_commit_hash: bytes
    tx_root: bytes
    evidence_root: bytes
    state_root: bytes  # after executing this block
    validators_hash: bytes  # the set that signs this block
    next_validators_hash: bytes
    proposer: Address

    def to_fields(self) -> list[Any]:
        return [
            self.chain_id,
            self.height,
            self.time_ms,
            self.prev_block_hash,
            self.last_commit_hash,
            self.tx_root,
            self.evidence_root,
            self.state_root,
            self.validators_hash,
            self.next_validators_hash,
            self.proposer.raw,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> Header:
        f = Fields(raw, 11, "header")
        return cls(
            chain_id=f.str("chain_id", 64),
            height=f.int("height", 1),
            time_ms=f.int("time_ms"),
            prev_block_hash=f.bytes("prev_block_hash", HASH_LEN, exact=True),
            last_commit_hash=f.bytes("last_commit_hash", HASH_LEN, exact=True),
            tx_root=f.bytes("tx_root", HASH_LEN, exact=True),
            evidence_root=f.bytes("evidence_root", HASH_LEN, exact=True),
            state_root=f.bytes("state_root", HASH_LEN, exact=True),
            validators_hash=f.bytes("validators_hash", HASH_LEN, exact=True),
            next_validators_hash=f.bytes("next_validators_hash", HASH_LEN, exact=True),
            proposer=Address(f.bytes("proposer", ADDRESS_LEN, exact=True)),
        )

    def encode(self) -> bytes:
        return codec.encode(self.to_fields())

    def hash(self) -> bytes:
        """The block hash: a block is identified by its header, which commits to the rest."""
        return tagged_digest(b"header", self.encode())


@dataclass(frozen=True, slots=True)
class Block:
    header: Header
    txs: tuple[SignedTx, ...]
    evidence: tuple[DuplicateVoteEvidence, ...]
    last_commit: Commit | None  # None only at height 1
    # lazily filled: a proposal's block is encoded for the WAL, for each peer and for the store
    _encoded: bytes | None = field(default=None, init=False, compare=False, repr=False)

    def to_fields(self) -> list[Any]:
        return [
            self.header.to_fields(),
            [tx.to_fields() for tx in self.txs],
            [e.to_fields() for e in self.evidence],
            self.last_commit.to_fields() if self.last_commit else None,
        ]

    @classmethod
    def from_fields(cls, raw: object) -> Block:
        f = Fields(raw, 4, "block")
        header = Header.from_fields(f.raw())
        txs = tuple(SignedTx.from_fields(t) for t in f.list("txs", MAX_BLOCK_TXS))
        return cls._with_rest(f, header, txs)

    @classmethod
    def _with_rest(cls, f: Fields, header: Header, txs: tuple[SignedTx, ...]) -> Block:
        return cls(header, txs, *_evidence_and_commit(f))

    def encode(self) -> bytes:
        """Canonical bytes, spliced from the parts' own encodings.

        The canonical encoding of an array is its header followed by its items' encodings, so
        each tx's cached bytes are reused instead of walking every tx's fields again.
        """
        encoded = self._encoded
        if encoded is None:
            encoded = self._splice()
            object.__setattr__(self, "_encoded", encoded)
        return encoded

    def _splice(self) -> bytes:
        parts = [
            codec.array_header(4),
            self.header.encode(),
            codec.array_header(len(self.txs)),
            *(tx.encode() for tx in self.txs),
            codec.encode([e.to_fields() for e in self.evidence]),
            codec.encode(self.last_commit.to_fields() if self.last_commit else None),
        ]
        return b"".join(parts)

    @classmethod
    def decode(
        cls, data: bytes, max_bytes: int = MAX_BLOCK_BYTES, known: KnownTxs | None = None
    ) -> Block:
        """Decode a block; with `known`, a tx whose bytes hash to a tx it returns (with exactly
        those bytes) is that object, not decoded again: a proposal carries txs every node already
        decoded into its mempool. Accepts and builds exactly what the plain path does."""
        if known is None:
            return cls.from_fields(codec.decode(data, max_bytes))
        header, txs_bytes, f = _split(data, max_bytes)
        txs = tuple(
            _known_tx(raw, known)
            for raw in codec.split_array(txs_bytes, 0, MAX_BLOCK_TXS, max_bytes)
        )
        return cls._with_rest(f, header, txs)

    def hash(self) -> bytes:
        return self.header.hash()

    def body_error(self) -> str | None:
        """Why the header's roots do not match the body, or None when they do."""
        if self.header.tx_root != tx_root(self.txs):
            return "tx_root does not match the transactions"
        if self.header.evidence_root != merkle_list_root([e.hash() for e in self.evidence]):
            return "evidence_root does not match the evidence"
        expected_commit = self.last_commit.hash() if self.last_commit else bytes(HASH_LEN)
        if self.header.last_commit_hash != expected_commit:
            return "last_commit_hash does not match the last commit"
        return None


@dataclass(frozen=True, slots=True)
class BlockOutline:
    """A block with its txs as hashes: what a listing of a block shows, read without decoding a
    tx (a tx's hash is of its canonical bytes, which a stored block holds as they are)."""

    header: Header
    tx_hashes: tuple[bytes, ...]
    evidence: tuple[DuplicateVoteEvidence, ...]
    last_commit: Commit | None

    @classmethod
    def decode(cls, data: bytes, max_bytes: int = MAX_BLOCK_BYTES) -> BlockOutline:
        """The outline of a block this node stored (its txs' bytes are only delimited)."""
        header, txs_bytes, f = _split(data, max_bytes)
        hashes = tuple(
            digest(raw) for raw in codec.split_array(txs_bytes, 0, MAX_BLOCK_TXS, max_bytes)
        )
        return cls(header, hashes, *_evidence_and_commit(f))


def _evidence_and_commit(
    f: Fields,
) -> tuple[tuple[DuplicateVoteEvidence, ...], Commit | None]:
    """A block's last two fields, read from `f` positioned at the evidence."""
    evidence = tuple(
        DuplicateVoteEvidence.from_fields(e) for e in f.list("evidence", MAX_EVIDENCE_PER_BLOCK)
    )
    commit_raw = f.raw()
    return evidence, None if commit_raw is None else Commit.from_fields(commit_raw)


def _split(data: bytes, max_bytes: int) -> tuple[Header, bytes, Fields]:
    """A block's header (decoded), its txs' array (as bytes), and its fields positioned at the
    evidence: the parts both `Block.decode` with known txs and `BlockOutline` read."""
    header_bytes, txs_bytes, *rest = codec.split_array(data, 4, 4, max_bytes)
    header = Header.from_fields(codec.decode(header_bytes, max_bytes))
    tail = [None, None, *(codec.decode(part, max_bytes) for part in rest)]
    f = Fields(tail, 4, "block")
    f.raw(), f.raw()  # header and txs, read above
    return header, txs_bytes, f


KnownTxs = Callable[[bytes], "SignedTx | None"]
"""tx hash -> a decoded tx the caller holds (a mempool's `get`), or None."""


def _known_tx(raw: bytes, known: KnownTxs) -> SignedTx:
    tx = known(digest(raw))
    if tx is not None and tx.encode() == raw:
        return tx
    return SignedTx.decode(raw, len(raw))


def tx_root(txs: tuple[SignedTx, ...] | list[SignedTx]) -> bytes:
    return merkle_list_root([tx.hash for tx in txs])

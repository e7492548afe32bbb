"""The double-sign guard: the only place a validator key signs consensus messages.

As CometBFT's `FilePV` with its `priv_validator_state.json`: before a signature leaves, the guard
persists (height, round, step, SHA-256 of the sign bytes, signature) through a `SignStateStore`
whose `save` is durable when it returns. A request is then

- refused (`DoubleSignError`) when its (height, round, step) is below the last one signed, or
  equal with different sign bytes: signing it could equivocate;
- answered with the stored signature when it is the identical request again (a WAL replay, or a
  re-send after a restart), without touching the store;
- signed, persisted, and only then returned, when it is above the last one.

Steps order as `Step`: PROPOSE < PREVOTE < PRECOMMIT within a round. Because the guard only ever
moves forward, a validator restarted from a stale data directory stays silent until the chain
passes the last step it signed, instead of signing twice.

Start-up guard: a key whose sign-state is missing is refused (`SignStateMissingError`) unless the
caller says the chain is brand new (`new_chain=True`, e.g. `coterie testnet init`): operators who
wipe a data directory but keep the key are the classic cause of double signing (tendermint #3418).
The state also records the genesis hash, and a state of another chain is refused.

`FileSignStateStore` keeps the state in one of two slots of its file, overwritten in place with
one `fdatasync` (consensus/slots.py): a power cut leaves the old state or the new one, as a
replaced file would, at one flush instead of two plus a directory's. A file of the older format
(the record alone, replaced whole) still loads; the first save rewrites it as slots.
`MemorySignStateStore` is the same contract in memory, for the simulator (its
"disk" survives a simulated crash because the simulator keeps the object).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from consensus import slots
from consensus.errors import (
    DoubleSignError,
    SignStateCorruptError,
    SignStateMissingError,
)
from consensus.messages import Proposal, Step
from ledger import codec
from ledger.block import Block, Vote, VoteType
from ledger.codec import Fields, MalformedError
from ledger.hashing import HASH_LEN, digest
from ledger.keys import SIGNATURE_LEN, Address, PrivateKey

log = logging.getLogger(__name__)

SIGN_STATE_VERSION = 2  # 2 added the lock; a version-1 state (no lock) still loads


@dataclass(frozen=True, slots=True)
class SignState:
    """The last thing signed; height 0 means nothing yet."""

    genesis_hash: bytes
    height: int
    round: int
    step: int
    sign_bytes_hash: bytes  # b"" before the first signature
    signature: bytes  # b"" before the first signature
    # the lock: the last block precommitted (height, round, hash); height 0: none
    lock_height: int = 0
    lock_round: int = 0
    lock_hash: bytes = b""

    @property
    def hrs(self) -> tuple[int, int, int]:
        return (self.height, self.round, self.step)

    @property
    def lock_fields(self) -> tuple[int, int, bytes]:
        return (self.lock_height, self.lock_round, self.lock_hash)

    def lock_at(self, height: int) -> tuple[int, bytes] | None:
        """(round, block hash) of the lock this key announced at `height`, if any."""
        return (self.lock_round, self.lock_hash) if self.lock_height == height else None

    def encode(self) -> bytes:
        return codec.encode(
            [
                SIGN_STATE_VERSION,
                self.genesis_hash,
                self.height,
                self.round,
                self.step,
                self.sign_bytes_hash,
                self.signature,
                self.lock_height,
                self.lock_round,
                self.lock_hash,
            ]
        )

    @classmethod
    def decode(cls, data: bytes) -> SignState:
        raw = codec.decode(data)
        version = raw[0] if isinstance(raw, list) and raw else None
        f = Fields(raw, 7 if version == 1 else 10, "sign_state")
        if f.int("version") not in (1, SIGN_STATE_VERSION):
            raise MalformedError("sign_state: unknown version")
        state = cls(
            genesis_hash=f.bytes("genesis_hash", HASH_LEN, exact=True),
            height=f.int("height"),
            round=f.int("round"),
            step=f.int("step", 0, max(Step)),
            sign_bytes_hash=f.bytes("sign_bytes_hash", HASH_LEN),
            signature=f.bytes("signature", SIGNATURE_LEN),
        )
        if version == 1:
            return state
        return replace(
            state,
            lock_height=f.int("lock_height"),
            lock_round=f.int("lock_round", 0, 2**31),
            lock_hash=f.bytes("lock_hash", HASH_LEN),
        )


class SignStateStore(Protocol):
    """Durable storage of one `SignState`."""

    def load(self) -> SignState | None:
        """The stored state, None when none was ever saved; raises SignStateCorruptError."""
        ...

    def save(self, state: SignState) -> None:
        """Store `state` durably (survives a power cut) before returning; raise on failure."""
        ...


class FileSignStateStore:
    """One small file of two slots, the older overwritten in place (consensus/slots.py), mode
    0600; a file holding the encoded state alone (the format before) loads too."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> SignState | None:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if slots.is_slots_file(data):
            found = slots.newest(data)
            if found is None:
                raise SignStateCorruptError(f"cannot read sign state {self.path}: no valid slot")
            data = found[2]
        try:
            return SignState.decode(data)
        except MalformedError as exc:
            raise SignStateCorruptError(f"cannot read sign state {self.path}: {exc}") from exc

    def save(self, state: SignState) -> None:
        slots.save(self.path, state.encode())


class MemorySignStateStore:
    """The store contract in memory: what was saved is what a restarted signer loads."""

    def __init__(self, state: SignState | None = None) -> None:
        self.state = state
        self.saves = 0

    def load(self) -> SignState | None:
        return self.state

    def save(self, state: SignState) -> None:
        self.state = state
        self.saves += 1


class Signer:
    """Signs proposals and votes for one validator key, never twice for one step."""

    def __init__(
        self,
        key: PrivateKey,
        genesis_hash: bytes,
        store: SignStateStore,
        *,
        new_chain: bool = False,
    ) -> None:
        self._key = key
        self.genesis_hash = genesis_hash
        self._store = store
        state = store.load()
        if state is None:
            if not new_chain:
                raise SignStateMissingError(
                    "a validator key exists but its sign state is missing; refusing to sign. "
                    "Restore the sign state from the data directory this key last ran with, or "
                    "start with new_chain=True only if this chain has never produced a block"
                )
            state = SignState(genesis_hash, 0, 0, 0, b"", b"")
            store.save(state)
        elif state.genesis_hash != genesis_hash:
            raise SignStateCorruptError(
                "the sign state belongs to another chain (genesis hash differs); refusing to sign"
            )
        self._state = state

    @property
    def address(self) -> Address:
        return self._key.address

    @property
    def public_key(self) -> bytes:
        return self._key.public_key

    @property
    def last_signed(self) -> SignState:
        return self._state

    def sign_vote(self, vote_type: VoteType, height: int, round_: int, block_hash: bytes) -> Vote:
        step = Step.PREVOTE if vote_type == VoteType.PREVOTE else Step.PRECOMMIT
        message = Vote.sign_bytes_for(self.genesis_hash, vote_type, height, round_, block_hash)
        locks = vote_type == VoteType.PRECOMMIT and block_hash != b""
        signature = self._sign(height, round_, step, message, locks=locks, block_hash=block_hash)
        return Vote(vote_type, height, round_, block_hash, self.address, signature)

    def sign_proposal(self, height: int, round_: int, pol_round: int, block: Block) -> Proposal:
        message = Proposal.sign_bytes_for(
            self.genesis_hash, height, round_, pol_round, block.hash()
        )
        signature = self._sign(height, round_, Step.PROPOSE, message)
        return Proposal(height, round_, pol_round, block, signature)

    def _sign(
        self,
        height: int,
        round_: int,
        step: Step,
        message: bytes,
        *,
        locks: bool = False,
        block_hash: bytes = b"",
    ) -> bytes:
        if height < 1 or round_ < 0:
            raise ValueError("height must be >= 1 and round >= 0")
        hrs = (height, round_, int(step))
        message_hash = digest(message)
        last = self._state
        if hrs < last.hrs:
            raise DoubleSignError(f"refusing to sign {_fmt(hrs)}: already signed {_fmt(last.hrs)}")
        if hrs == last.hrs:
            if message_hash == last.sign_bytes_hash:
                return last.signature
            raise DoubleSignError(f"refusing to sign different bytes at {_fmt(hrs)}")
        signature = self._key.sign(message)
        state = SignState(
            self.genesis_hash,
            height,
            round_,
            int(step),
            message_hash,
            signature,
            *((height, round_, block_hash) if locks else last.lock_fields),
        )
        self._store.save(state)  # durable before the signature can leave
        self._state = state
        log.debug("signed %s", _fmt(hrs))
        return signature


def _fmt(hrs: tuple[int, int, int]) -> str:
    height, round_, step = hrs
    return f"height {height} round {round_} step {Step(step).name}"

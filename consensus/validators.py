"""Validator sets: immutable snapshots of (address, public key, power, proposer priority).

A set is ordered by address (the canonical order) and never changes: `advance` and `apply_updates`
return new sets (py-evm's clique snapshots follow the same rule). The node derives the set of every
height from the chain alone:

    set(h + 1) = apply_updates(set(h).advance(1), updates taking effect at h + 1)

`hash()` commits to addresses, keys and powers but not to priorities, which are derived state (as
CometBFT's validators hash); it is what `Header.validators_hash` holds. `encode()` includes the
priorities so that the node can store a set and resume the rotation exactly.

Voting thresholds are integer comparisons: a quorum is strictly more than 2/3 of the total power
(`3 * power > 2 * total`), and "f + 1" is strictly more than 1/3 (`3 * power > total`), which
always includes at least one honest validator when faulty power is below 1/3.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from consensus import proposer as rotation
from consensus.errors import ValidatorSetError
from ledger import codec
from ledger.block import MAX_TOTAL_POWER, MAX_VALIDATORS  # caps the ledger enforces too
from ledger.codec import Fields, MalformedError
from ledger.genesis import GenesisValidator
from ledger.hashing import tagged_digest
from ledger.keys import PUBLIC_KEY_LEN, Address

_PRIORITY_BOUND = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Validator:
    address: Address
    public_key: bytes
    power: int
    priority: int = 0

    @classmethod
    def create(cls, public_key: bytes, power: int, priority: int = 0) -> Validator:
        return cls(Address.from_public_key(public_key), public_key, power, priority)


@dataclass(frozen=True, slots=True)
class ValidatorUpdate:
    """Set a validator's power; power 0 removes it, an unknown key with power > 0 adds it."""

    public_key: bytes
    power: int

    @property
    def address(self) -> Address:
        return Address.from_public_key(self.public_key)


@dataclass(frozen=True, slots=True)
class ValidatorSet:
    validators: tuple[Validator, ...]
    total_power: int = field(init=False, compare=False, repr=False)
    _index: dict[bytes, int] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        vals = self.validators
        if not vals:
            raise ValidatorSetError("a validator set needs at least one validator")
        if len(vals) > MAX_VALIDATORS:
            raise ValidatorSetError(f"more than {MAX_VALIDATORS} validators")
        for v in vals:
            if len(v.public_key) != PUBLIC_KEY_LEN:
                raise ValidatorSetError("a validator public key is 32 bytes")
            if v.address != Address.from_public_key(v.public_key):
                raise ValidatorSetError(f"address {v.address} does not match its public key")
            if v.power < 1:
                raise ValidatorSetError(f"validator {v.address} has power {v.power} < 1")
            if abs(v.priority) > _PRIORITY_BOUND:
                raise ValidatorSetError("a proposer priority is outside int64")
        if any(a.address.raw >= b.address.raw for a, b in itertools.pairwise(vals)):
            raise ValidatorSetError("validators must be sorted by address, without duplicates")
        total = sum(v.power for v in vals)
        if total > MAX_TOTAL_POWER:
            raise ValidatorSetError(f"total power {total} exceeds {MAX_TOTAL_POWER}")
        object.__setattr__(self, "total_power", total)
        object.__setattr__(self, "_index", {v.address.raw: i for i, v in enumerate(vals)})

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def create(cls, members: Iterable[tuple[bytes, int]]) -> ValidatorSet:
        """A fresh set (all priorities zero) from (public key, power) pairs in any order."""
        vals = sorted(
            (Validator.create(key, power) for key, power in members), key=lambda v: v.address.raw
        )
        return cls(tuple(vals))

    @classmethod
    def from_genesis(cls, validators: Iterable[GenesisValidator]) -> ValidatorSet:
        return cls.create((v.public_key, v.power) for v in validators)

    # -- lookup ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.validators)

    def __contains__(self, address: object) -> bool:
        return isinstance(address, Address) and address.raw in self._index

    def get(self, address: Address) -> Validator | None:
        i = self._index.get(address.raw)
        return None if i is None else self.validators[i]

    def power_of(self, address: Address) -> int:
        v = self.get(address)
        return 0 if v is None else v.power

    @property
    def powers(self) -> tuple[int, ...]:
        return tuple(v.power for v in self.validators)

    @property
    def priorities(self) -> tuple[int, ...]:
        return tuple(v.priority for v in self.validators)

    # -- thresholds --------------------------------------------------------------------------

    @property
    def quorum_power(self) -> int:
        """The least power that is strictly more than 2/3 of the total."""
        return self.total_power * 2 // 3 + 1

    def has_quorum(self, power: int) -> bool:
        """Strictly more than 2/3 of the total power (+2/3, "2f + 1")."""
        return power * 3 > self.total_power * 2

    def has_one_third(self, power: int) -> bool:
        """Strictly more than 1/3 of the total power ("f + 1": at least one honest validator)."""
        return power * 3 > self.total_power

    # -- proposer rotation -------------------------------------------------------------------

    def rotation(self) -> rotation.ProposerRotation:
        """A cached proposer schedule for every round of this set's height."""
        return rotation.ProposerRotation(self.priorities, self.powers)

    def proposer(self, round_: int = 0) -> Validator:
        """The proposer of `round_` at this set's height (use `rotation()` for many rounds)."""
        return self.validators[self.rotation().proposer_index(round_)]

    def advance(self, steps: int = 1) -> ValidatorSet:
        """The set after `steps` selection steps: `advance(1)` is the next height's rotation."""
        if steps < 0:
            raise ValueError("steps must be >= 0")
        new = rotation.advance(self.priorities, self.powers, steps)
        return ValidatorSet(
            tuple(
                Validator(v.address, v.public_key, v.power, p)
                for v, p in zip(self.validators, new, strict=True)
            )
        )

    # -- encoding ----------------------------------------------------------------------------

    def hash(self) -> bytes:
        """The canonical hash of (address, public key, power) in address order; no priorities."""
        body = codec.encode([[v.address.raw, v.public_key, v.power] for v in self.validators])
        return tagged_digest(b"validators", body)

    def to_fields(self) -> list[Any]:
        return [[v.public_key, v.power, v.priority] for v in self.validators]

    @classmethod
    def from_fields(cls, raw: object) -> ValidatorSet:
        if not isinstance(raw, list):
            raise MalformedError("validator_set: expected an array")
        if len(raw) > MAX_VALIDATORS:
            raise MalformedError(f"validator_set: more than {MAX_VALIDATORS} validators")
        vals = []
        for item in raw:
            f = Fields(item, 3, "validator")
            key = f.bytes("public_key", PUBLIC_KEY_LEN, exact=True)
            power = f.int("power", 1, MAX_TOTAL_POWER)
            priority = f.int("priority", -_PRIORITY_BOUND, _PRIORITY_BOUND)
            vals.append(Validator.create(key, power, priority))
        try:
            return cls(tuple(vals))
        except ValidatorSetError as exc:
            raise MalformedError(f"validator_set: {exc}") from exc

    def encode(self) -> bytes:
        return codec.encode(self.to_fields())

    @classmethod
    def decode(cls, data: bytes) -> ValidatorSet:
        return cls.from_fields(codec.decode(data))


def apply_updates(current: ValidatorSet, updates: Iterable[ValidatorUpdate]) -> ValidatorSet:
    """The set after `updates`, as CometBFT's `UpdateWithChangeSet`; raises ValidatorSetError.

    Changed validators keep their priority; a new validator starts at -1.125 * (total power after
    the updates, before removals), behind everyone, so that joining never jumps the queue; then
    the priorities are rescaled and centred.
    """
    changes: dict[Address, ValidatorUpdate] = {}
    for update in updates:
        if len(update.public_key) != PUBLIC_KEY_LEN:
            raise ValidatorSetError("a validator public key is 32 bytes")
        if update.power < 0:
            raise ValidatorSetError(f"negative power for {update.address}")
        if update.address in changes:
            raise ValidatorSetError(f"validator {update.address} is updated twice")
        if update.power == 0 and update.address not in current:
            raise ValidatorSetError(f"cannot remove {update.address}: not a validator")
        changes[update.address] = update
    total_before_removals = current.total_power + sum(
        u.power - current.power_of(address) for address, u in changes.items() if u.power > 0
    )
    if total_before_removals > MAX_TOTAL_POWER:
        raise ValidatorSetError(f"total power would exceed {MAX_TOTAL_POWER}")
    new_priority = -(total_before_removals + (total_before_removals >> 3))
    merged: dict[Address, Validator] = {v.address: v for v in current.validators}
    for address, u in changes.items():
        old = merged.get(address)
        if u.power == 0:
            del merged[address]
        elif old is None:
            merged[address] = Validator(address, u.public_key, u.power, new_priority)
        else:
            merged[address] = Validator(address, old.public_key, u.power, old.priority)
    if not merged:
        raise ValidatorSetError("the updates would remove every validator")
    ordered = sorted(merged.values(), key=lambda v: v.address.raw)
    powers = tuple(v.power for v in ordered)
    normalized = rotation.normalize(tuple(v.priority for v in ordered), sum(powers))
    return ValidatorSet(
        tuple(
            Validator(v.address, v.public_key, v.power, p)
            for v, p in zip(ordered, normalized, strict=True)
        )
    )


def updates_between(
    current: ValidatorSet, members: Iterable[tuple[bytes, int]]
) -> list[ValidatorUpdate]:
    """The updates that turn `current` into the (public key, power) `members`, in address order.

    The ledger stores the active set as plain records; this turns the next height's records into
    the change set `apply_updates` needs, so priorities carry over.
    """
    wanted = {Address.from_public_key(key): (key, power) for key, power in members}
    updates = [
        ValidatorUpdate(v.public_key, 0) for v in current.validators if v.address not in wanted
    ]
    for address, (key, power) in wanted.items():
        if current.power_of(address) != power:
            updates.append(ValidatorUpdate(key, power))
    return sorted(updates, key=lambda u: u.address.raw)


def next_height_set(current: ValidatorSet, members: Iterable[tuple[bytes, int]]) -> ValidatorSet:
    """The set of height h + 1 from the set of h and the ledger's active set for h + 1.

    In CometBFT's order (state/execution.go `updateState`): the changes first
    (`UpdateWithChangeSet`), then one rotation step (`IncrementProposerPriority(1)`), so a
    newcomer's -1.125 x total priority is rescaled with everyone's before the step."""
    updated = apply_updates(current, updates_between(current, members))
    return updated.advance(1)

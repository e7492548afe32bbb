"""Ballots: their shape per voting method, their storage, and commitments for secret ballots.

A ballot is a list of options, with weights in ppm for the methods that split a vote:
- BINARY: one option of yes/no/abstain/veto, or several with weights summing to 1,000,000
  (Cosmos weighted votes, ADR-037);
- SINGLE: one choice; APPROVAL: a set of choices, each approved with full power;
- RANKED: choices in order of preference, a prefix of a full ranking (for instant runoff);
- WEIGHTED and QUADRATIC: choices with weights summing to 1,000,000.
A secret ballot is first committed as `commitment(...)` and revealed after voting ends (Colony).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger import codec
from ledger.codec import Fields
from ledger.collectives.fieldcodec import u64_list
from ledger.collectives.params import PPM
from ledger.errors import ErrorCode, TxError
from ledger.governance import keys
from ledger.governance.kinds import BinaryOption, VotingMethod
from ledger.hashing import tagged_digest
from ledger.keys import Address
from ledger.state.keys import u64
from ledger.state.view import StateView

MAX_BALLOT_OPTIONS = 32
SALT_LEN = 32
_WEIGHTED = (VotingMethod.WEIGHTED, VotingMethod.QUADRATIC)


@dataclass(frozen=True, slots=True)
class Ballot:
    options: tuple[int, ...]
    weights: tuple[int, ...] = ()

    def to_fields(self) -> list[Any]:
        return [list(self.options), list(self.weights)]

    @classmethod
    def from_fields(cls, raw: object) -> Ballot:
        f = Fields(raw, 2, "ballot")
        return cls(
            u64_list(f, "options", MAX_BALLOT_OPTIONS), u64_list(f, "weights", MAX_BALLOT_OPTIONS)
        )

    def encode(self) -> bytes:
        return codec.encode(self.to_fields())

    @classmethod
    def decode(cls, data: bytes) -> Ballot:
        return cls.from_fields(codec.decode(data))

    def parts(self) -> list[tuple[int, int]]:
        """(option, ppm of the voter's weight) pairs; unweighted options carry full weight."""
        if self.weights:
            return list(zip(self.options, self.weights, strict=True))
        return [(option, PPM) for option in self.options]

    def supports(self, option: int) -> bool:
        return any(o == option and w > 0 for o, w in self.parts())

    @classmethod
    def binary(cls, option: BinaryOption) -> Ballot:
        return cls((int(option),))


def validate(ballot: Ballot, method: VotingMethod, choice_count: int) -> None:
    """Raise `TxError(INVALID_BALLOT)` unless the ballot fits the method and the choices."""
    n = 4 if method is VotingMethod.BINARY else choice_count
    options = ballot.options
    if not options:
        _bad("a ballot needs at least one option")
    if len(set(options)) != len(options):
        _bad("an option is listed twice")
    if any(o >= n for o in options):
        _bad(f"options run from 0 to {n - 1}")
    if ballot.weights:
        if method is not VotingMethod.BINARY and method not in _WEIGHTED:
            _bad(f"{method.name} ballots carry no weights")
        if len(ballot.weights) != len(options) or any(w == 0 for w in ballot.weights):
            _bad("one positive weight per option")
        if sum(ballot.weights) != PPM:
            _bad("weights must sum to 1,000,000")
    elif method in _WEIGHTED:
        _bad(f"{method.name} ballots need weights")
    elif method in (VotingMethod.BINARY, VotingMethod.SINGLE) and len(options) != 1:
        _bad("an unweighted ballot names exactly one option")


def _bad(reason: str) -> None:
    raise TxError(ErrorCode.INVALID_BALLOT, reason)


def commitment(pid: int, voter: Address, ballot: Ballot, salt: bytes) -> bytes:
    """What a secret voter commits to: binds the proposal, the voter, the ballot and a salt."""
    return tagged_digest(b"coterie/ballot", u64(pid) + voter.raw + ballot.encode() + salt)


def get_ballot(view: StateView, pid: int, voter: Address) -> Ballot | None:
    data = view.get(keys.ballot(pid, voter.raw))
    return None if data is None else Ballot.decode(data)


def put_ballot(view: StateView, pid: int, voter: Address, ballot: Ballot) -> None:
    view.put(keys.ballot(pid, voter.raw), ballot.encode())


def ballots(view: StateView, pid: int) -> list[tuple[Address, Ballot]]:
    """Every ballot of a proposal, in voter address order."""
    prefix = keys.BALLOT + u64(pid)
    return [(Address(k[len(prefix) :]), Ballot.decode(v)) for k, v in view.iter_prefix(prefix)]


def clear_votes(view: StateView, pid: int) -> list[Address]:
    """Delete every ballot, commitment and approval of a proposal; returns the ballots' voters."""
    voters = []
    for prefix in (keys.BALLOT, keys.COMMITMENT, keys.APPROVAL):
        full = prefix + u64(pid)
        for key, _ in list(view.iter_prefix(full)):
            view.delete(key)
            if prefix == keys.BALLOT:
                voters.append(Address(key[len(full) :]))
    return voters


def approvals(view: StateView, pid: int) -> list[Address]:
    prefix = keys.APPROVAL + u64(pid)
    return [Address(k[len(prefix) :]) for k, _ in view.iter_prefix(prefix)]

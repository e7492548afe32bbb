"""Verifying a header from a trusted point through the validator-set changes after it (pure).

A trusted point (`Anchor`) is a height and the set that signs the height after it: the genesis
(height 0, the genesis set) or a header an operator trusts (its `next_validators_hash` names the
set). A header of height `target` above it is verified by walking the set changes in between:
for each change first signing at height c, header c - 1 must be signed by 2/3+ of the set
trusted so far and must name the new set as its next one (`next_validators_hash`); only then is
the new set trusted. Header `target` must then be signed by the set trusted for it and name it.
A node that hides a change is caught because the next header names a set the walk does not hold.

The light client (cli/lightclient) runs `check_signed_header` and `check_next_set` on what a node
answers over HTTP; state sync (node/statesync*.py) runs `verify_path` on headers from its peers.
No I/O here: the caller fetches `needed_heights` and hands the signed headers in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from consensus.commit import verify_commit
from consensus.errors import CommitError, HeaderError
from consensus.validators import ValidatorSet
from ledger.block import Commit, Header

SetChange = tuple[int, ValidatorSet]
"""(first height the set signs, the set), as the chain's set history keeps them."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """A trusted point: `height` (0: the genesis) and the set that signs `height + 1`."""

    height: int
    next_set: ValidatorSet


def check_signed_header(
    header: Header,
    commit: Commit,
    validators: ValidatorSet,
    *,
    chain_id: str,
    genesis_hash: bytes,
) -> None:
    """`header` is of this chain, names `validators` (the set trusted for its height) and is
    signed by 2/3+ of their power; raises `HeaderError` saying which check failed."""
    if header.chain_id != chain_id:
        raise HeaderError(
            f"header {header.height} is of chain {header.chain_id!r}, not {chain_id!r}",
            header.height,
            "header",
        )
    if header.validators_hash != validators.hash():
        raise HeaderError(
            f"header {header.height} names validator set {header.validators_hash.hex()[:16]}…, "
            f"but the set trusted for that height is {validators.hash().hex()[:16]}… "
            "(a forged header, or a hidden validator change)",
            header.height,
        )
    try:
        verify_commit(validators, genesis_hash, header.hash(), commit, height=header.height)
    except CommitError as exc:
        raise HeaderError(
            f"the commit of header {header.height} does not verify against the trusted "
            f"validator set: {exc}",
            header.height,
            "header",
        ) from exc


def check_next_set(header: Header, first_height: int, new_set: ValidatorSet) -> None:
    """`new_set`, said to sign from `first_height` = header.height + 1, is the one the verified
    `header` names as its next set."""
    if first_height != header.height + 1 or header.next_validators_hash != new_set.hash():
        raise HeaderError(
            f"the validator set said to sign from height {first_height} does not match the "
            f"next_validators_hash of verified header {header.height}",
            header.height,
            "set",
        )


def _steps(anchor: Anchor, changes: Sequence[SetChange], target: int) -> list[SetChange]:
    """The changes that matter between the anchor and `target`, ascending; `HeaderError` when
    they are out of order."""
    firsts = [first for first, _ in changes]
    if firsts != sorted(set(firsts)):
        raise HeaderError("the validator-set changes are out of order", None, "set")
    return [(first, vs) for first, vs in changes if anchor.height + 1 < first <= target]


def needed_heights(anchor: Anchor, changes: Sequence[SetChange], target: int) -> list[int]:
    """The heights whose signed headers `verify_path` needs, ascending."""
    if target <= anchor.height:
        raise HeaderError(f"height {target} is not above the trusted height {anchor.height}")
    return [first - 1 for first, _ in _steps(anchor, changes, target)] + [target]


def verify_path(
    anchor: Anchor,
    changes: Sequence[SetChange],
    signed: Mapping[int, tuple[Header, Commit]],
    target: int,
    *,
    chain_id: str,
    genesis_hash: bytes,
) -> tuple[Header, ValidatorSet]:
    """Header `target`, verified from `anchor` through `changes` (unverified: each is checked
    against a verified header), with the set that signed it. `signed` holds at least the
    `needed_heights`; raises `HeaderError`."""
    trusted = anchor.next_set
    for height in needed_heights(anchor, changes, target):
        pair = signed.get(height)
        if pair is None:
            raise HeaderError(f"no signed header of height {height}", height, "header")
        header, commit = pair
        if header.height != height:
            raise HeaderError(f"asked for header {height}, got {header.height}", height, "header")
        check_signed_header(header, commit, trusted, chain_id=chain_id, genesis_hash=genesis_hash)
        if height == target:
            return header, trusted
        new_set = next(vs for first, vs in changes if first == height + 1)
        check_next_set(header, height + 1, new_set)
        trusted = new_set
    raise AssertionError("needed_heights ends with the target")  # pragma: no cover

"""State sync: a new node starts from a snapshot of the state instead of replaying every block.

`coterie start --state-sync` on an empty home fetches a snapshot from the node's P2P peers
(node/statesync_peers.py; `--state-sync URL` fetches it over nodes' HTTP APIs instead,
node/statesync_http.py). What is trusted, and how:

1. each chunk is checked against the SHA-256 its offer lists as soon as it arrives; a peer whose
   chunk does not match is refused and banned, and the chunk is fetched from another peer;
2. the header of the snapshot's height H is verified from a trusted point (`anchor`): the
   genesis, walking the validator-set changes up to H (`consensus.headers.verify_path`: each
   change checked against the `next_validators_hash` of a header signed by 2/3+ of the set before
   it), or a block the operator trusts (`--trust-height T --trust-hash X`): block T must have
   that hash and be younger than the chain's trust period, and the set it names as next is the
   one the walk starts from;
3. the state assembled from the chunks must give H's state root
   (`ledger.store.snapshot.restore`), and only then is the store written, with H as its lowest
   block. The node then starts as usual and block-syncs H + 1 onward.

The set changes the walk follows are the chain's own history keys (`node.chain`'s
`validator_set_history_key`), read from the snapshot itself: they are not trusted either, since
each is checked against a verified header, and the root check covers them.

Where this differs from CometBFT: from the genesis there is no trust-period check (the walk
checks every set change as block sync does, and block sync from genesis has none either); the
validator sets come from the snapshot rather than from a light-client RPC.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from consensus.headers import Anchor, SetChange
from consensus.validators import ValidatorSet
from ledger.block import Block
from ledger.codec import MalformedError
from ledger.genesis import Genesis
from node.chain import VALIDATOR_SET_HISTORY

log = logging.getLogger(__name__)


class StateSyncError(RuntimeError):
    """State sync cannot finish (the message says why); nothing was written."""


class BadSnapshotError(StateSyncError):
    """A snapshot whose own content is wrong (its chunks match its offer, but its state does
    not decode or does not give the verified root): every peer that offered it lied."""


@dataclass(frozen=True, slots=True)
class Trust:
    height: int
    block_hash: bytes


def set_changes(items: Sequence[tuple[bytes, bytes]]) -> list[SetChange]:
    """The validator-set changes recorded in a snapshot's state (unverified), ascending."""
    out: list[SetChange] = []
    cut = len(VALIDATOR_SET_HISTORY)
    for key, value in items:
        if key.startswith(VALIDATOR_SET_HISTORY) and len(key) == cut + 8:
            try:
                out.append((int.from_bytes(key[cut:], "big"), ValidatorSet.decode(value)))
            except (MalformedError, ValueError) as exc:
                raise BadSnapshotError(
                    f"a validator set in the snapshot is unreadable: {exc}"
                ) from exc
    return sorted(out, key=lambda change: change[0])


def genesis_anchor(genesis: Genesis) -> Anchor:
    return Anchor(0, ValidatorSet.from_genesis(genesis.validators))


def trusted_anchor(
    genesis: Genesis,
    trust: Trust,
    block: Block,
    changes: Sequence[SetChange],
    *,
    now_ms: int | None = None,
) -> Anchor:
    """The anchor of an operator's trusted block (already fetched, checked here): its hash,
    its age against the trust period, and the set it names as next (from `changes`)."""
    if block.header.height != trust.height or block.hash() != trust.block_hash:
        raise StateSyncError(
            f"block {trust.height} has hash {block.hash().hex()}, not the trusted one"
        )
    now = int(time.time() * 1000) if now_ms is None else now_ms
    period = genesis.params.trust_period_ms
    if now - block.header.time_ms > period:
        raise StateSyncError(
            f"the trusted block {trust.height} is older than the chain's trust period "
            f"({period // 3_600_000} h): give a recent height and hash"
        )
    next_set = genesis_anchor(genesis).next_set
    for first, validators in changes:
        if first <= trust.height + 1:
            next_set = validators
    if next_set.hash() != block.header.next_validators_hash:
        raise BadSnapshotError(
            f"the snapshot's validator set for height {trust.height + 1} is not the one the "
            f"trusted block {trust.height} names"
        )
    return Anchor(trust.height, next_set)

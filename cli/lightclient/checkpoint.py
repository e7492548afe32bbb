"""Start trusting from a checkpoint: a height and block hash the user got from a source they
trust (an operator's published file, a friend's wallet), instead of from the genesis.

The hash is the root of trust, as the genesis file is otherwise: the node must serve a header of
that height with exactly that hash, the validator set it names (and the one it names next) must
hash to the header's `validators_hash` and `next_validators_hash`, and its commit must carry 2/3+
of that set. The checkpoint must be within the chain's trust period and not from the future.
Heights below it can no longer be checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli.lightclient.client import MAX_CLOCK_DRIFT_MS, LightClient
from cli.lightclient.errors import TrustExpiredError, VerificationError
from cli.lightclient.trust import TrustedState, write_atomically
from consensus.commit import verify_commit
from consensus.errors import ConsensusError
from consensus.validators import ValidatorSet

CHECKPOINT_KIND = "coterie_light_checkpoint"


def anchor(client: LightClient, height: int, header_hash: bytes) -> TrustedState:
    """Verify the checkpoint against the node and make it the wallet's trusted state."""
    client.check_chain()
    header, commit = client.signed_header(height)
    if header.hash() != header_hash:
        raise VerificationError(
            f"the node's header {height} has hash {header.hash().hex()[:16]}…, not the "
            f"checkpoint's {header_hash.hex()[:16]}… (another chain, or a fork)"
        )
    if header.chain_id != client.genesis.chain_id:
        raise VerificationError(f"header {height} is of chain {header.chain_id!r}")
    genesis_set = ValidatorSet.from_genesis(client.genesis.validators)
    changes = client.changes(0)
    signing = genesis_set
    for first, validators in changes:
        if first <= height:
            signing = validators
    following = next((vs for first, vs in changes if first == height + 1), signing)
    if signing.hash() != header.validators_hash:
        raise VerificationError(
            f"the validator set the node gives for height {height} is not the one its header names"
        )
    if following.hash() != header.next_validators_hash:
        raise VerificationError(
            f"the validator set the node gives for height {height + 1} is not the one header "
            f"{height} names next"
        )
    try:
        verify_commit(signing, client.genesis_hash, header_hash, commit, height=height)
    except ConsensusError as exc:
        raise VerificationError(f"the commit of header {height} does not verify: {exc}") from exc
    now = client.clock()
    if header.time_ms > now + MAX_CLOCK_DRIFT_MS:
        raise VerificationError(f"header {height} is dated in the future")
    period = client.genesis.params.trust_period_ms
    if now - header.time_ms > period:
        raise TrustExpiredError(
            f"the checkpoint at height {height} is older than the chain's trust period of "
            f"{period // 3_600_000} h: take a more recent one"
        )
    known = client.state.seen_hash(height)
    if known is not None and known != header_hash:
        raise VerificationError(
            f"this wallet verified another header at height {height} ({known.hex()[:16]}…): "
            "the checkpoint conflicts with it (delete the wallet's light state to start over)"
        )
    sets: tuple[tuple[int, ValidatorSet], ...] = ((height, signing),)
    if following != signing:
        sets += ((height + 1, following),)
    state = TrustedState(
        client.genesis.chain_id,
        client.genesis_hash,
        height,
        header_hash,
        sets,
        header.time_ms,
        ((height, header_hash),),
        (header.encode(), commit.encode()),
    )
    client.state = state
    client.store.save(state)
    return state


def checkpoint_json(state: TrustedState) -> dict[str, Any]:
    """What an operator publishes for wallets to start from (`coterie light checkpoint`)."""
    return {
        "kind": CHECKPOINT_KIND,
        "chain_id": state.chain_id,
        "genesis_hash": state.genesis_hash.hex(),
        "height": state.height,
        "header_hash": state.header_hash.hex(),
        "time_ms": state.time_ms,
    }


def write_checkpoint(state: TrustedState, path: Path) -> None:
    write_atomically(path, json.dumps(checkpoint_json(state), indent=1) + "\n")


def read_checkpoint(path: Path, chain_id: str, genesis_hash: bytes) -> tuple[int, bytes]:
    """(height, header hash) of a published checkpoint of this chain."""
    try:
        data = json.loads(path.read_text())
        if data.get("kind") != CHECKPOINT_KIND:
            raise ValueError("not a checkpoint file")
        height, digest = int(data["height"]), bytes.fromhex(data["header_hash"])
        theirs = (str(data["chain_id"]), bytes.fromhex(data["genesis_hash"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise VerificationError(f"cannot read the checkpoint {path}: {exc}") from exc
    if theirs != (chain_id, genesis_hash):
        raise VerificationError(f"the checkpoint {path} is of another chain or genesis")
    if height < 1 or len(digest) != 32:
        raise VerificationError(f"the checkpoint {path} holds no valid height and hash")
    return height, digest

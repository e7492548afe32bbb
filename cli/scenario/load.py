"""The scenario's load: pre-signed txs of several kinds, in cli/bench's order and batches.

Each tx's kind is drawn from the manifest's `mix` with the scenario's seed, so a seed gives the
same load. Kinds:
- `transfer`: 1 unit to the next sender (as cli/bench).
- `deposit`: 1 unit of the native coin into the treasury of the genesis collective
  `scenario-treasury` (written into the genesis when the mix has deposits).
- `vote`: a yes ballot on the next open proposal of the sender's voting collective.
- `split-pay`: 1 unit of the native coin paid into the scenario's split.
Votes and split payments need a setup first (cli.scenario.setup). Senders, nonce-major order and
batching are cli/bench's (`load.sender_keys`, `load.batches`).
"""

from __future__ import annotations

import random
from collections import Counter

from cli.scenario.setup import Prereqs
from ledger.collectives.ids import NATIVE, genesis_collective_id
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.genesis import Genesis, GenesisCollective
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.governance.vote_txs import Vote
from ledger.hashing import digest
from ledger.keys import PrivateKey
from ledger.splits.payloads import SplitPay
from ledger.tx import Payload, Transfer, TxBody
from node.devnet import dev_account_key

TREASURY = "scenario-treasury"
YES = Ballot.binary(BinaryOption.YES)


def genesis_collectives(mix: dict[str, float]) -> tuple[GenesisCollective, ...]:
    """The collectives the load needs in the genesis (one treasury when it deposits)."""
    if mix.get("deposit", 0) <= 0:
        return ()
    return (GenesisCollective(TREASURY, "scenario load", ((dev_account_key(0).address, 1, 0),)),)


def draw(senders: int, total: int, mix: dict[str, float], seed: int) -> list[tuple[int, str]]:
    """(sender, kind) of each of `total` txs in nonce-major order."""
    rng = random.Random(f"coterie-scenario/{seed}/load")
    kinds = sorted(k for k, share in mix.items() if share > 0)
    weights = [mix[k] for k in kinds]
    out: list[tuple[int, str]] = []
    while len(out) < total:  # bounded: each pass adds min(senders, total - len(out)) >= 1
        out += [(i, rng.choices(kinds, weights)[0]) for i in range(min(senders, total - len(out)))]
    return out


def presign(
    genesis: Genesis, keys: list[PrivateKey], plan: list[tuple[int, str]], pre: Prereqs
) -> tuple[list[tuple[int, bytes]], Counter[str]]:
    """The txs of `plan` (from `draw`) encoded as (sender index, tx bytes), and their kinds."""
    ghash = genesis.hash()
    treasury = genesis_collective_id(0)
    out: list[tuple[int, bytes]] = []
    counts: Counter[str] = Counter()
    nonces: Counter[int] = Counter()
    votes: Counter[int] = Counter()
    for i, kind in plan:
        payload: Payload
        if kind == "deposit":
            payload = TreasuryDeposit(treasury, NATIVE, 1)
        elif kind == "vote":
            payload = Vote(pre.proposal_for(i, votes[i]), YES)
            votes[i] += 1
        elif kind == "split-pay":
            assert pre.split_id is not None
            payload = SplitPay(pre.split_id, 1)
        else:
            payload = Transfer(keys[(i + 1) % len(keys)].address, 1)
        body = TxBody(genesis.chain_id, keys[i].public_key, nonces[i], 0, payload)
        out.append((i, body.sign(keys[i], ghash).encode()))
        nonces[i] += 1
        counts[kind] += 1
    return out, counts


def targets(
    signed: list[tuple[int, bytes]], plan: list[tuple[int, str]], pre: Prereqs
) -> dict[str, tuple[str, int]]:
    """Each vote's and split payment's hash: its kind and, for a vote, its proposal (-1 else),
    for the oracle that checks they took effect."""
    out: dict[str, tuple[str, int]] = {}
    votes: Counter[int] = Counter()
    for (i, raw), (_i, kind) in zip(signed, plan, strict=True):
        if kind == "vote":
            out[digest(raw).hex()] = (kind, pre.proposal_for(i, votes[i]))
            votes[i] += 1
        elif kind == "split-pay":
            out[digest(raw).hex()] = (kind, -1)
    return out

"""The scenario's load: pre-signed txs of several kinds, in cli/bench's order and batches.

Each tx's kind is drawn from the manifest's `mix` with the scenario's seed, so a seed gives the
same load. Kinds:
- `transfer`: 1 unit to the next sender (as cli/bench).
- `deposit`: 1 unit of the native coin into the treasury of the genesis collective
  `scenario-treasury` (written into the genesis when the mix has deposits).
Senders, nonce-major order and batching are cli/bench's (`load.sender_keys`, `load.batches`).
"""

from __future__ import annotations

import random
from collections import Counter

from ledger.collectives.ids import NATIVE, genesis_collective_id
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.genesis import Genesis, GenesisCollective
from ledger.keys import PrivateKey
from ledger.tx import Transfer, TxBody
from node.devnet import dev_account_key

TREASURY = "scenario-treasury"


def genesis_collectives(mix: dict[str, float]) -> tuple[GenesisCollective, ...]:
    """The collectives the load needs in the genesis (one treasury when it deposits)."""
    if mix.get("deposit", 0) <= 0:
        return ()
    return (GenesisCollective(TREASURY, "scenario load", ((dev_account_key(0).address, 1, 0),)),)


def presign(
    genesis: Genesis, keys: list[PrivateKey], total: int, mix: dict[str, float], seed: int
) -> tuple[list[tuple[int, bytes]], Counter[str]]:
    """`total` encoded txs as (sender index, tx bytes) in nonce-major order, and their kinds."""
    ghash = genesis.hash()
    rng = random.Random(f"coterie-scenario/{seed}/load")
    kinds = sorted(k for k, share in mix.items() if share > 0)
    weights = [mix[k] for k in kinds]
    treasury = genesis_collective_id(0)
    out: list[tuple[int, bytes]] = []
    counts: Counter[str] = Counter()
    nonce = 0
    while len(out) < total:  # bounded: each pass adds min(len(keys), total - len(out)) >= 1
        for i, key in enumerate(keys[: total - len(out)]):
            kind = rng.choices(kinds, weights)[0]
            payload: Transfer | TreasuryDeposit
            if kind == "deposit":
                payload = TreasuryDeposit(treasury, NATIVE, 1)
            else:
                payload = Transfer(keys[(i + 1) % len(keys)].address, 1)
            body = TxBody(genesis.chain_id, key.public_key, nonce, 0, payload)
            out.append((i, body.sign(key, ghash).encode()))
            counts[kind] += 1
        nonce += 1
    return out, counts

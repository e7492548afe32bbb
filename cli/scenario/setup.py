"""What the load's votes and split payments need, made through real txs before the load starts.

- Votes: a vote is a member's yes ballot on an open signal proposal (no action, no early end, no
  ballot replacement: the default policy), and each member votes once per proposal. So if the
  busiest voter of the load casts `P` votes, every voter needs `P` open proposals. A collective
  has at most 100 founders in the genesis and a proposer at most one live proposal there, so the
  genesis holds `C` voting collectives `scenario-votes-<c>`, each with `P` proposers (setup keys,
  funded in the genesis) and up to `100 - P` load senders as members (sender `i` in collective
  `i // (100 - P)`); at setup each proposer submits one proposal in every collective (its nonces
  0..C-1). Sender `i`'s `k`-th vote goes to proposal `k` of its collective.
- Split payments: at setup one funded setup key creates an immutable split that pays it alone;
  each payment is 1 unit of the native coin into it.
The setup txs are posted to the first node and must all commit (with a success receipt) before
the load is signed: the proposals' ids are read back from the chain, not guessed.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from cli.scenario.state import ScenarioError
from ledger import codec
from ledger.collectives.ids import genesis_collective_id
from ledger.genesis import Genesis, GenesisCollective
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.hashing import digest
from ledger.keys import Address, PrivateKey
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate
from ledger.splits.records import SplitTerms
from ledger.splits.store import split_id_for
from ledger.tx import TxBody
from node.devnet import dev_account_key

MAX_FOUNDERS = 100
MAX_PROPOSALS = 40  # votes by one sender; more would leave under 60 voters per collective
SETUP_S = 60.0
SPLIT_KEY = 900
PROPOSER_KEYS = 1000


class SetupError(ScenarioError):
    """The load's prerequisites could not be made (the message says which)."""


def votes_needed(kinds: list[tuple[int, str]]) -> int:
    """The most votes any one sender casts in the load (`kinds`: (sender, kind) per tx)."""
    per_sender = Counter(sender for sender, kind in kinds if kind == "vote")
    return max(per_sender.values(), default=0)


@dataclass
class Prereqs:
    """The load's targets: the split it pays into, each sender's voting collective and that
    collective's open proposals (ids in vote order)."""

    proposals_per_voter: int = 0
    voters_per_collective: int = 0
    voting_index: int = 0  # the genesis index of the first voting collective
    split_id: bytes | None = None
    proposals: dict[int, list[int]] = field(default_factory=dict)  # collective number -> ids

    @property
    def proposer_keys(self) -> list[PrivateKey]:
        return [dev_account_key(PROPOSER_KEYS + j) for j in range(self.proposals_per_voter)]

    @property
    def split_key(self) -> PrivateKey:
        return dev_account_key(SPLIT_KEY)

    def collectives(self, senders: int) -> int:
        if not self.proposals_per_voter:
            return 0
        return -(-senders // self.voters_per_collective)

    def proposal_for(self, sender: int, k: int) -> int:
        return self.proposals[sender // self.voters_per_collective][k]


def plan(votes: int, splits: bool, voting_index: int) -> Prereqs:
    if votes > MAX_PROPOSALS:
        raise SetupError(
            f"the load's busiest sender casts {votes} votes, at most {MAX_PROPOSALS} are "
            "supported (lower load.mix.vote or the txs per sender)"
        )
    pre = Prereqs(votes, MAX_FOUNDERS - votes, voting_index)
    if splits:
        pre.split_id = split_id_for(pre.split_key.address, 0)
    return pre


def genesis_collectives(pre: Prereqs, senders: list[Address]) -> list[GenesisCollective]:
    proposers = [(k.address, 1, 0) for k in pre.proposer_keys]
    out = []
    for c in range(pre.collectives(len(senders))):
        members = senders[c * pre.voters_per_collective : (c + 1) * pre.voters_per_collective]
        founders = tuple(proposers + [(a, 1, 0) for a in members])
        out.append(GenesisCollective(f"scenario-votes-{c}", "scenario load", founders))
    return out


def funded(pre: Prereqs) -> list[Address]:
    extra = [k.address for k in pre.proposer_keys]
    return extra + ([pre.split_key.address] if pre.split_id is not None else [])


def setup_txs(pre: Prereqs, genesis: Genesis, senders: int) -> list[bytes]:
    ghash = genesis.hash()
    out = []
    if pre.split_id is not None:
        key = pre.split_key
        terms = SplitTerms((Party.account(key.address),), (1,), 1)
        body = TxBody(genesis.chain_id, key.public_key, 0, 0, SplitCreate(None, terms))
        out.append(body.sign(key, ghash).encode())
    for key in pre.proposer_keys:
        for c in range(pre.collectives(senders)):
            cid = genesis_collective_id(pre.voting_index + c)
            payload = ProposalSubmit(cid, (), metadata=f"scenario load {c}")
            body = TxBody(genesis.chain_id, key.public_key, c, 0, payload)
            out.append(body.sign(key, ghash).encode())
    return out


async def make(
    pre: Prereqs, genesis: Genesis, senders: int, session: aiohttp.ClientSession, url: str
) -> None:
    """Post the setup txs to `url`, wait until every one committed with success, then read
    each voting collective's proposals into `pre.proposals`."""
    txs = setup_txs(pre, genesis, senders)
    if not txs:
        return
    async with session.post(
        url + "/v1/txs",
        data=codec.encode_bytes_list(txs),
        headers={"Content-Type": "application/msgpack"},
        timeout=aiohttp.ClientTimeout(10),
    ) as r:
        if r.status >= 300:
            raise SetupError(f"the setup txs were refused: HTTP {r.status} {await r.text()}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETUP_S
    for raw in txs:  # bounded: SETUP_S in all
        tx_hash = digest(raw).hex()
        while True:
            got = await _json(session, f"{url}/v1/txs/{tx_hash}")
            if got is not None and got.get("status") == "committed":
                code = (got.get("result") or {}).get("code")
                if code != "OK":
                    raise SetupError(f"setup tx {tx_hash} committed with code {code}")
                break
            if loop.time() > deadline:
                raise SetupError(f"setup tx {tx_hash} not committed within {SETUP_S:.0f} s")
            await asyncio.sleep(0.25)
    order = {k.address: j for j, k in enumerate(pre.proposer_keys)}
    hrp = genesis.params.address_prefix
    for c in range(pre.collectives(senders)):
        cid = genesis_collective_id(pre.voting_index + c).hex()
        got = await _json(session, f"{url}/v1/collectives/{cid}/proposals?limit=100")
        ids = [-1] * pre.proposals_per_voter
        for p in (got or {}).get("proposals", []):
            j = order.get(Address.parse(hrp, p["proposer"]))
            if j is not None and p.get("status") == "VOTING":
                ids[j] = int(p["id"])
        if -1 in ids:
            raise SetupError(f"collective scenario-votes-{c} lacks an open proposal: {got}")
        pre.proposals[c] = ids


async def _json(session: aiohttp.ClientSession, url: str) -> Any:
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(5)) as r:
            return await r.json() if r.status == 200 else None
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return None

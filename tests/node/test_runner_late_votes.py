"""The production runner turns a late conflicting vote into evidence by the machine's own path.

Regression (issue 18, item 7): the runner turned only late precommits of the commit round into
evidence, while the simulator used the machine's full late-vote path, so the simulator's
evidence figures did not describe the node. Now the runner hands every vote of the previous
height to `ConsensusMachine.on_vote`, as the simulator's driver does; this drives a real runner
(LevelDB chain, mempool, evidence pool, an unconnected `PeerManager`) through height 1 and then
sends it the equivocations that arrive after the decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from consensus.messages import NIL, Proposal
from consensus.timeouts import Timeouts
from ledger.block import Block, Vote, VoteType
from ledger.genesis import ChainParams, Genesis, GenesisValidator
from ledger.keys import PrivateKey
from ledger.store.store import Store
from node.chain import Chain
from node.evidence_pool import EvidencePool
from node.mempool import Mempool
from node.p2p.handshake import Identity
from node.p2p.manager import PeerManager
from node.router import Router
from node.runner import Runner

KEYS = [PrivateKey.from_secret(b"late-vote-validator-%d" % i) for i in range(4)]
GENESIS = Genesis(
    params=ChainParams(chain_id="coterie-late-votes", address_prefix="tcot"),
    genesis_time_ms=1_000,
    balances=(),
    validators=tuple(GenesisValidator(f"v{i}", k.public_key, 1) for i, k in enumerate(KEYS)),
)
BLOCK_TIME_MS = 10_000


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    ours = Store.open(tmp_path / "observer", GENESIS.hash())
    builder = Store.open(tmp_path / "builder", GENESIS.hash())
    yield ours, builder
    ours.close()
    builder.close()


def vote(key: PrivateKey, vote_type: VoteType, round_: int, block_hash: bytes) -> Vote:
    sign_bytes = Vote.sign_bytes_for(GENESIS.hash(), vote_type, 1, round_, block_hash)
    return Vote(vote_type, 1, round_, block_hash, key.address, key.sign(sign_bytes))


def decided_runner(stores: tuple[Store, Store]) -> tuple[Runner, Block]:
    """An observer's runner that decided height 1 on the precommits of v0-v2 (v3 silent)."""
    ours, builder_store = stores
    chain = Chain(ours, GENESIS)
    proposer = next(k for k in KEYS if k.address == chain.validators.proposer(0).address)
    builder = Chain(
        builder_store, GENESIS, proposer_address=proposer.address, clock=lambda: BLOCK_TIME_MS
    )
    block = builder.propose(1, 0)
    assert block is not None
    mempool = Mempool(GENESIS.params, GENESIS.hash(), ours.state)
    identity = Identity(PrivateKey.from_secret(b"late-vote-node"), GENESIS.chain_id, GENESIS.hash())
    net = PeerManager(identity, allowlist=(), handler=Router(mempool))
    runner = Runner(
        chain,
        mempool,
        EvidencePool(chain),
        net,
        timeouts=Timeouts.from_params(GENESIS.params.consensus),
        clock_ms=lambda: BLOCK_TIME_MS,
    )
    runner._start()
    sign_bytes = Proposal.sign_bytes_for(GENESIS.hash(), 1, 0, -1, block.hash())
    runner.on_proposal(None, Proposal(1, 0, -1, block, proposer.sign(sign_bytes)))
    for vote_type in (VoteType.PREVOTE, VoteType.PRECOMMIT):
        for key in KEYS[:3]:
            runner.on_vote(None, vote(key, vote_type, 0, block.hash()))
    assert chain.height == 1 and not runner.failed
    return runner, block


async def test_a_late_conflicting_precommit_or_prevote_becomes_evidence(
    stores: tuple[Store, Store],
) -> None:
    runner, block = decided_runner(stores)
    assert runner.machine.height == 2 and len(runner.evidence) == 0
    # harmless late votes: a copy, a vote of a round nobody voted in, the silent validator's
    runner.on_vote(None, vote(KEYS[1], VoteType.PRECOMMIT, 0, block.hash()))
    runner.on_vote(None, vote(KEYS[1], VoteType.PRECOMMIT, 3, NIL))
    runner.on_vote(None, vote(KEYS[3], VoteType.PRECOMMIT, 0, NIL))
    assert len(runner.evidence) == 0
    # v1 precommitted the block at round 0, and now a nil precommit of the same round arrives
    runner.on_vote(None, vote(KEYS[1], VoteType.PRECOMMIT, 0, NIL))
    # a prevote too: the old runner path only looked at late precommits of the commit round
    runner.on_vote(None, vote(KEYS[2], VoteType.PREVOTE, 0, NIL))
    found = {(e.vote_a.validator, e.vote_a.type) for e in runner.evidence.pending()}
    assert found == {(KEYS[1].address, VoteType.PRECOMMIT), (KEYS[2].address, VoteType.PREVOTE)}
    assert not runner.failed

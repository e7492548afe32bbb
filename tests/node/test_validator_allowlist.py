"""The P2P allowlist follows the validator set: a validator voted in by governance is accepted by
nodes whose config does not list it, signs, and is disconnected once voted out. Real nodes in one
event loop: real sockets on 127.0.0.1, real LevelDB, real WALs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ledger.collectives.ids import VALIDATORS_BODY_ID
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.governance.proposal import Status, proposals_of, require_proposal
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.governance.validator_set import ValidatorUpdate
from ledger.governance.vote_txs import Vote as CastVote
from ledger.keys import Address, PrivateKey
from ledger.state.view import StateView
from ledger.tx import Payload, TxBody
from node.config import ApiConfig, ListenAddress, NodeConfig, P2PConfig, Peer
from node.home import NodeHome, init_home
from node.p2p import CloseCode
from node.ports import free_ports
from node.service import Node
from node.testnet import LocalTestnet

YES = Ballot.binary(BinaryOption.YES)
NOT_ALLOWED = CloseCode.NOT_ALLOWED.name


async def until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


class Governance:
    """The genesis validators' keys, sending governance txs through one node."""

    def __init__(self, node: Node, keys: Sequence[PrivateKey]) -> None:
        self.node, self.keys = node, keys
        self.nonces = [0] * len(keys)

    async def send(self, index: int, payload: Payload) -> None:
        genesis = self.node.genesis
        key = self.keys[index]
        body = TxBody(genesis.chain_id, key.public_key, self.nonces[index], 0, payload)
        self.nonces[index] += 1
        (admission,) = await self.node.submit([body.sign(key, genesis.hash()).encode()])
        assert admission.ok, admission
        tx_hash = admission.tx_hash or b""
        await until(lambda: self.node.store.tx(tx_hash) is not None)

    async def decide(self, update: ValidatorUpdate, voters: Sequence[int]) -> None:
        """Propose `update` to the validators body and vote it through."""
        await self.send(0, ProposalSubmit(VALIDATORS_BODY_ID, (update,)))
        pid = proposals_of(self.view(), VALIDATORS_BODY_ID)[-1]
        for index in voters:
            await self.send(index, CastVote(pid, YES))
        assert require_proposal(self.view(), pid).status is Status.EXECUTED

    def view(self) -> StateView:
        return StateView(self.node.store.state)


def newcomer_home(testnet: LocalTestnet) -> Path:
    """A validator's home on the testnet's chain, listing the four validators as its peers; no
    other node's config lists it."""
    root = testnet.root / "newcomer"
    port = free_ports(1, "127.0.0.1")[0]
    validators = tuple(Peer(n.node_key, n.p2p.host, n.p2p.port) for n in testnet.nodes)
    init_home(
        root,
        validator=True,
        genesis_source=testnet.root / "genesis.json",
        config=NodeConfig(
            moniker="newcomer",
            api=ApiConfig(ListenAddress("127.0.0.1", 0)),
            p2p=P2PConfig(ListenAddress("127.0.0.1", port), validators),
        ),
    )
    return root


def signed_last_block(node: Node, validator: Address) -> bool:
    commit = node.store.commit(node.store.height)
    return commit is not None and any(s.validator == validator for s in commit.signatures)


async def test_a_validator_voted_in_is_accepted_and_signs_and_is_dropped_when_voted_out(
    testnet_dir: LocalTestnet,
) -> None:
    root = newcomer_home(testnet_dir)
    home = NodeHome(root)
    validator_key, node_key = home.load_validator_key(), home.load_node_key().public_key
    nodes = [Node.open(n.home) for n in testnet_dir.nodes]
    newcomer = Node.open(root)
    running = [*nodes, newcomer]
    for node in running:
        await node.start()
    try:
        # not a validator yet: every node refuses it, so it cannot even sync
        await until(lambda: all(n.p2p.stats.handshakes_refused[NOT_ALLOWED] >= 1 for n in nodes))
        assert newcomer.status().peers == 0 and newcomer.store.height == 0
        # the set's node keys are redialed with the short validator backoff, not the newcomer's
        assert nodes[0].p2p.is_validator(nodes[1].node_id)
        assert not nodes[0].p2p.is_validator(newcomer.node_id)
        governance = Governance(nodes[0], [n.home.load_validator_key() for n in nodes])
        await governance.decide(
            ValidatorUpdate(validator_key.public_key, 1, "newcomer", node_key), voters=(0, 1, 2)
        )
        # allowed from the deciding block on, it dials in, syncs and joins the set
        await until(lambda: all(n.p2p.is_connected(newcomer.node_id) for n in nodes))
        await until(lambda: validator_key.address in nodes[0].chain.validators)
        assert all(n.p2p.is_validator(newcomer.node_id) for n in nodes)
        await until(lambda: newcomer.store.height >= nodes[0].store.height - 1)

        # with one of the first four stopped, 4 of 5 must sign: blocks need the newcomer
        await nodes[3].stop()
        running.remove(nodes[3])
        start = nodes[0].store.height
        await until(lambda: nodes[0].store.height >= start + 3)
        await until(lambda: signed_last_block(nodes[0], validator_key.address))

        await governance.decide(ValidatorUpdate(validator_key.public_key, 0), voters=(0, 1, 2))
        await until(lambda: validator_key.address not in nodes[0].chain.validators)
        live = nodes[:3]
        await until(lambda: all(not n.p2p.is_connected(newcomer.node_id) for n in live))
        assert all(newcomer.node_id not in n.p2p.allowlist for n in live)
        assert not any(n.p2p.is_validator(newcomer.node_id) for n in live)
        refused = [n.p2p.stats.handshakes_refused[NOT_ALLOWED] for n in live]
        await until(
            lambda: all(
                n.p2p.stats.handshakes_refused[NOT_ALLOWED] > before
                for n, before in zip(live, refused, strict=True)
            )
        )  # it redials and is refused
        assert newcomer.status().peers == 0
        start = nodes[0].store.height
        await until(lambda: nodes[0].store.height >= start + 2)  # the other three go on
    finally:
        for node in running:
            await node.stop()

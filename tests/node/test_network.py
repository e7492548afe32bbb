"""Four real validators in one event loop: real sockets on 127.0.0.1, real LevelDB, real WALs."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

from consensus.messages import Proposal
from ledger.block import Block, Vote, VoteType
from ledger.genesis import Genesis
from ledger.state.accounts import get_account
from ledger.state.view import StateView
from ledger.tx import SignedTx, Transfer, TxBody
from node.config import ApiConfig, ListenAddress, NodeConfig, P2PConfig, Peer
from node.config_render import render_config
from node.devnet import DEV_BALANCE, dev_account_key
from node.home import NodeHome, init_home
from node.ports import free_ports
from node.service import Node
from node.testnet import LocalTestnet, init_testnet
from node.wire import BlockResponse, Status

ALICE, BOB = dev_account_key(0), dev_account_key(1)


def transfers(genesis: Genesis, count: int, start: int = 0, amount: int = 10) -> list[bytes]:
    return [
        TxBody(genesis.chain_id, ALICE.public_key, n, 1, Transfer(BOB.address, amount))
        .sign(ALICE, genesis.hash())
        .encode()
        for n in range(start, start + count)
    ]


async def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def balance(node: Node, key: bytes) -> int:
    return get_account(StateView(node.store.state), dev_account_key(key[0]).address).balance


async def test_txs_submitted_to_one_node_commit_on_all_with_identical_state(
    network: list[Node],
) -> None:
    genesis = network[0].genesis
    admissions = await network[0].submit(transfers(genesis, 20))
    assert all(a.ok for a in admissions)
    await until(lambda: all(n.store.tx(admissions[-1].tx_hash or b"") for n in network))
    height = min(n.store.height for n in network)
    roots = {n.store.block(height).header.state_root for n in network}  # type: ignore[union-attr]
    assert len(roots) == 1
    for node in network:
        bob = get_account(StateView(node.store.state), BOB.address)
        assert bob.balance == DEV_BALANCE + 20 * 10
        assert len(node.mempool) == 0
    status = network[1].status()
    assert status.peers == 3 and not status.syncing and status.validator is not None
    signing = network[2].signing()
    assert len(signing) == 4
    assert sum(r.last_signed_height >= height - 1 for r in signing.values()) >= 3


async def test_a_node_started_late_catches_up_by_block_sync(testnet_dir: LocalTestnet) -> None:
    nodes = [Node.open(n.home) for n in testnet_dir.nodes]
    for node in nodes[:3]:
        await node.start()
    try:
        await nodes[0].submit(transfers(nodes[0].genesis, 5))
        await until(lambda: min(n.store.height for n in nodes[:3]) >= 6)
        late = nodes[3]
        await late.start()
        await until(lambda: late.store.height >= nodes[0].store.height - 1 >= 6)
        assert late.sync.synced_total >= 1
        same = late.store.height
        assert late.store.block(same) == nodes[0].store.block(same)
        await until(lambda: late.status().step != "syncing")
    finally:
        for node in nodes:
            await node.stop()


async def test_a_restarted_validator_resumes_at_its_height(testnet_dir: LocalTestnet) -> None:
    nodes = [Node.open(n.home) for n in testnet_dir.nodes]
    for node in nodes:
        await node.start()
    try:
        await until(lambda: nodes[3].store.height >= 3)
        await nodes[3].stop()
        stopped_at = nodes[3].store.height
        nodes[3] = Node.open(testnet_dir.nodes[3].home)
        assert nodes[3].store.height == stopped_at
        await nodes[3].start()
        await until(lambda: nodes[3].store.height >= nodes[0].store.height >= stopped_at + 3)
    finally:
        for node in nodes:
            await node.stop()


async def test_without_empty_blocks_heights_wait_for_txs(tmp_path: Path) -> None:
    testnet = init_testnet(
        tmp_path / "t", 4, block_interval_ms=50, timeout_propose_ms=1000, create_empty_blocks=False
    )
    nodes = [Node.open(n.home) for n in testnet.nodes]
    for node in nodes:
        await node.start()
    try:
        await until(lambda: all(n.store.height >= 1 for n in nodes))  # always made
        await asyncio.sleep(1.0)  # then the chain waits
        assert {n.store.height for n in nodes} == {1}
        assert nodes[2].status().step == "new_height"
        await nodes[2].submit(transfers(testnet.genesis, 3))
        await until(lambda: all(n.store.height >= 2 for n in nodes))
        await asyncio.sleep(1.0)
        assert {n.store.height for n in nodes} == {2}
        block = nodes[0].store.block(2)
        assert block is not None and len(block.txs) == 3
    finally:
        for node in nodes:
            await node.stop()


async def test_a_peer_serving_a_tampered_block_is_banned(network: list[Node]) -> None:
    honest, victim = network[0], network[1]
    await until(lambda: victim.store.height >= 1)
    await victim.stop()
    await until(lambda: honest.store.height >= victim.store.height + 2)
    behind = Node.open(victim.home.root)  # not started: we play its peer by hand
    height = behind.store.height + 1
    good, commit = honest.store.block(height), honest.store.commit(height)
    assert good is not None and commit is not None
    # the header (and so the commit) is genuine, the body is not
    extra = SignedTx.decode(transfers(honest.genesis, 1)[0])
    tampered = dataclasses.replace(good, txs=(*good.txs, extra))
    peer = honest.node_id
    try:
        behind.sync.on_status(peer, Status(height + 1, bytes(32), 0))
        assert behind.sync.syncing
        await behind.sync.on_response(peer, BlockResponse(height, tampered, commit))
        await behind.sync.applied()
        assert behind.sync.bad_blocks_total == 1
        assert behind.p2p.scores.ban_remaining(peer) > 0
        assert behind.store.height == height - 1
        other = network[2].node_id
        behind.sync.on_status(other, Status(height + 1, bytes(32), 0))
        await behind.sync.on_response(other, BlockResponse(height, good, commit))
        await behind.sync.applied()
        assert behind.store.height == height and behind.sync.synced_total == 1
    finally:
        behind._close_files()


async def test_a_proposal_naming_another_proposer_is_dropped_and_costs_the_peer(
    testnet_dir: LocalTestnet,
) -> None:
    lonely = Node.open(testnet_dir.nodes[0].home)  # one of four: it can never commit
    await lonely.start()
    try:
        await until(lambda: lonely.runner.machine.validators is not None)
        machine = lonely.runner.machine
        validators = machine.validators
        assert validators is not None
        round_ = next(
            r
            for r in range(machine.round + 1, machine.round + 5)
            if validators.proposer(r).address != lonely.validator
        )
        proposer = validators.proposer(round_).address
        keys = [NodeHome(n.home).load_validator_key() for n in testnet_dir.nodes]
        key = next(k for k in keys if k.address == proposer)
        honest = lonely.chain.propose(1, round_)  # names lonely as proposer: fix that below

        def signed(block: Block) -> Proposal:
            sign_bytes = Proposal.sign_bytes_for(lonely.genesis.hash(), 1, round_, -1, block.hash())
            return Proposal(1, round_, -1, block, key.sign(sign_bytes))

        impostor = next(k.address for k in keys if k.address not in (proposer, lonely.validator))
        forged = Block(dataclasses.replace(honest.header, proposer=impostor), (), (), None)
        relay = bytes(32)
        lonely.runner.on_proposal(relay, signed(forged))
        assert lonely.p2p.scores.score(relay) < 0
        assert forged.hash() not in {m.block_hash for m in _proposals(lonely, round_)}
        genuine = Block(dataclasses.replace(honest.header, proposer=proposer), (), (), None)
        lonely.runner.on_proposal(relay, signed(genuine))
        assert genuine.hash() in {m.block_hash for m in _proposals(lonely, round_)}
    finally:
        await lonely.stop()


def _proposals(node: Node, round_: int) -> list[Proposal]:
    messages = node.runner.machine.round_messages(round_)
    return [m for m in messages if isinstance(m, Proposal)]


async def test_equivocation_becomes_evidence_in_a_block_on_every_node(
    network: list[Node], testnet_dir: LocalTestnet
) -> None:
    cheat = NodeHome(testnet_dir.nodes[3].home).load_validator_key()
    witness = network[0]
    genesis_hash = witness.genesis.hash()

    def double_prevote() -> bool:
        machine = witness.runner.machine
        if machine.decided or machine.validators is None:
            return False
        h, r = machine.height, machine.round
        for block_hash in (b"\x01" * 32, b"\x02" * 32):
            sign_bytes = Vote.sign_bytes_for(genesis_hash, VoteType.PREVOTE, h, r, block_hash)
            vote = Vote(VoteType.PREVOTE, h, r, block_hash, cheat.address, cheat.sign(sign_bytes))
            witness.runner.on_vote(network[3].node_id, vote)
        return len(witness.evidence) > 0

    await until(double_prevote)

    def recorded(node: Node) -> int:
        blocks = [node.store.block(h) for h in range(1, node.store.height + 1)]
        return sum(len(b.evidence) for b in blocks if b is not None)

    await until(lambda: all(recorded(n) == 1 for n in network))
    await until(lambda: all(len(n.evidence) == 0 for n in network))


async def test_a_peer_claiming_blocks_it_never_serves_cannot_keep_us_syncing(
    testnet_dir: LocalTestnet,
) -> None:
    node = Node.open(testnet_dir.nodes[0].home)  # not started: we play its peers by hand
    liar = bytes(32)
    try:
        node.sync.on_status(liar, Status(1000, bytes(32), 0))
        assert node.sync.target_height == 1000
        requests = node.sync._requests
        assert requests and all(r.peer == liar for r in requests.values())
        for request in requests.values():
            request.sent -= 60.0  # long unanswered
        node.sync.pump()
        assert not node.sync.syncing and node.sync.target_height < 1000
        assert node.p2p.scores.score(liar) < 0
    finally:
        node._close_files()


async def test_a_full_node_follows_the_chain_without_signing(testnet_dir: LocalTestnet) -> None:
    port = free_ports(1, "127.0.0.1")[0]
    observer_root = testnet_dir.root / "observer"
    validators = [Peer(n.node_key, n.p2p.host, n.p2p.port) for n in testnet_dir.nodes]
    report = init_home(
        observer_root,
        validator=False,
        genesis_source=testnet_dir.root / "genesis.json",
        config=NodeConfig(
            moniker="observer",
            api=ApiConfig(ListenAddress("127.0.0.1", 0)),
            p2p=P2PConfig(ListenAddress("127.0.0.1", port), tuple(validators)),
        ),
    )
    me = Peer(report.node_key, "127.0.0.1", port)
    for n in testnet_dir.nodes:  # the validators list it as a peer (and so allow it)
        home = NodeHome(n.home)
        config = home.load_config()
        config = dataclasses.replace(
            config, p2p=dataclasses.replace(config.p2p, peers=(*config.p2p.peers, me))
        )
        home.config_file.write_text(render_config(config))
    nodes = [Node.open(n.home) for n in testnet_dir.nodes]
    observer = Node.open(observer_root)
    for node in [*nodes, observer]:
        await node.start()
    try:
        admissions = await observer.submit(transfers(observer.genesis, 3))
        assert all(a.ok for a in admissions)
        await until(lambda: all(n.store.tx(admissions[-1].tx_hash or b"") for n in nodes))
        await until(lambda: observer.store.height >= nodes[0].store.height >= 3)
        assert observer.validator is None and observer.status().peers == 4
        height = observer.store.height
        assert observer.store.block(height) == nodes[1].store.block(height)
        assert not (observer_root / "data" / "cs.wal").exists()
    finally:
        for node in [*nodes, observer]:
            await node.stop()

"""Time for a new node to join a chain whose state holds N accounts: state sync against block
sync, both as real `coterie start` processes over the real P2P layer on 127.0.0.1.

    nice -n 10 .venv/bin/python -m benchmarks.statesync_join --accounts 1000000

1. A one-validator testnet; its chain is built in this process (`node.chain.Chain`, real
   LevelDB, real signatures): every tx a transfer from one of 1,000 funded senders to a new
   address, `--block-txs` per block, until N new accounts exist; a snapshot of the last height
   is cut as a node cuts one (`node.snapshots.SnapshotMaker`).
2. The validator runs as a process (and goes on committing empty blocks); two empty full nodes
   join it one after the other: `coterie start --state-sync` (no URL: from the peer, header
   verified from genesis) and plain `coterie start` (block sync from genesis: every block
   fetched, its commit and tx signatures verified, re-executed). Each is timed from its start
   until its API reports the built height or above.

The machine is shared: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from ledger.block import Block, Commit, CommitSig, Vote, VoteType
from ledger.genesis import Genesis
from ledger.keys import Address, PrivateKey
from ledger.store import Store
from ledger.tx import SignedTx, Transfer, TxBody
from node.chain import Chain
from node.config import ApiConfig, ListenAddress, NodeConfig, P2PConfig, Peer
from node.config_render import render_config
from node.home import NodeHome, init_home
from node.ports import free_ports
from node.snapshots import SnapshotMaker
from node.testnet import LocalTestnetNode, init_testnet
from tests.node.processes import NodeProc, wait_for

SENDERS = 1000


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} (1 / 5 min), {os.cpu_count()} cores, shared"


class Transfers:
    """The tx source of the building chain: transfers to new addresses, senders in turn."""

    def __init__(
        self, genesis: Genesis, senders: list[PrivateKey], total: int, block_txs: int
    ) -> None:
        self.genesis, self.senders, self.total = genesis, senders, total
        self.block_txs = block_txs
        self.ghash = genesis.hash()
        self.made = 0

    def __call__(self, max_txs: int, _max_bytes: int) -> Sequence[SignedTx]:
        out: list[SignedTx] = []
        while self.made < self.total and len(out) < min(max_txs, self.block_txs):
            n = self.made
            key, nonce = self.senders[n % SENDERS], n // SENDERS
            to = Address(hashlib.sha256(b"new account %d" % n).digest()[:20])
            body = TxBody(self.genesis.chain_id, key.public_key, nonce, 0, Transfer(to, 1))
            out.append(body.sign(key, self.ghash))
            self.made += 1
        return out


def sign_commit(genesis: Genesis, key: PrivateKey, block: Block) -> Commit:
    h = block.header
    vote = Vote.sign_bytes_for(genesis.hash(), VoteType.PRECOMMIT, h.height, 0, block.hash())
    return Commit(h.height, 0, block.hash(), (CommitSig(key.address, key.sign(vote)),))


def build(home: NodeHome, accounts: int, block_txs: int) -> int:
    """The validator's chain with `accounts` new accounts, and a snapshot of its last height."""
    genesis = home.load_genesis()
    key = home.load_validator_key()
    senders = [PrivateKey.from_secret(b"join-bench-sender-%d" % i) for i in range(SENDERS)]
    store = Store.open(home.data_dir / "chain", genesis.hash())
    source = Transfers(genesis, senders, accounts, block_txs)
    last = [0]

    def clock() -> int:
        last[0] = max(int(time.time() * 1000), last[0] + 1)
        return last[0]

    chain = Chain(  # signatures are made right above: the joiners verify them
        store, genesis, proposer_address=key.address, txs=source, clock=clock,
        signature_ok=lambda _tx: True,
    )  # fmt: skip
    start = time.perf_counter()
    block: Block | None = None
    commit: Commit | None = None
    while source.made < accounts:
        block = chain.propose(chain.height + 1, 0)
        assert block is not None
        commit = sign_commit(genesis, key, block)
        chain.commit(block, commit)
    assert block is not None and commit is not None
    height = chain.height
    took = time.perf_counter() - start
    print(f"built {height} blocks, {accounts} new accounts in {took:.0f} s", flush=True)
    start = time.perf_counter()
    maker = SnapshotMaker(store, home.data_dir / "snapshots", interval=1, keep=1)
    maker.on_commit(block, commit, None)
    maker.close()
    print(f"snapshot of height {height} cut in {time.perf_counter() - start:.1f} s")
    store.close()
    return height


def joiner(root: Path, net: Path, validator: LocalTestnetNode, name: str) -> NodeProc:
    api, p2p = free_ports(2, "127.0.0.1")
    peer = Peer(validator.node_key, validator.p2p.host, validator.p2p.port)
    report = init_home(
        root / name,
        validator=False,
        genesis_source=net / "genesis.json",
        config=NodeConfig(
            moniker=name,
            api=ApiConfig(ListenAddress("127.0.0.1", api)),
            p2p=P2PConfig(ListenAddress("127.0.0.1", p2p), (peer,)),
        ),
    )
    home = NodeHome(validator.home)  # the validator accepts it
    config = home.load_config()
    peers = (*config.p2p.peers, Peer(report.node_key, "127.0.0.1", p2p))
    config = dataclasses.replace(config, p2p=dataclasses.replace(config.p2p, peers=peers))
    home.config_file.write_text(render_config(config))
    return NodeProc(
        LocalTestnetNode(
            name, root / name, ListenAddress("127.0.0.1", api),
            ListenAddress("127.0.0.1", p2p), report.node_key, b"",
        )
    )  # fmt: skip


def timed_join(node: NodeProc, height: int, extra: tuple[str, ...]) -> float:
    """Seconds from the process's start until its API reports `height`; its height every
    minute meanwhile (a partial rate, should the join stall)."""
    node.extra = extra
    start = time.perf_counter()
    node.start()
    report = start + 60
    try:
        while node.height() < height:
            time.sleep(0.2)
            if time.perf_counter() > report:
                report += 60
                took = time.perf_counter() - start
                print(
                    f"  {node.node.moniker}: height {node.height()} after {took:.0f} s", flush=True
                )
        return time.perf_counter() - start
    finally:
        node.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--block-txs", type=int, default=5000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the homes")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="coterie-join-bench-", dir=args.dir))
    try:
        print(load())
        senders = [
            PrivateKey.from_secret(b"join-bench-sender-%d" % i).address for i in range(SENDERS)
        ]
        testnet = init_testnet(
            root / "net", 1, block_interval_ms=1000, empty_block_interval_ms=1000,
            funded=senders,
        )  # fmt: skip
        validator = testnet.nodes[0]
        height = build(NodeHome(validator.home), args.accounts, args.block_txs)
        state, block = (joiner(root, testnet.root, validator, n) for n in ("state", "block"))
        source = NodeProc(validator)
        source.start()
        try:
            wait_for(lambda: source.height() >= height, 600, "the validator to start")
            print(load())
            took = timed_join(state, height, ("--state-sync",))
            print(f"state sync: joined at height >= {height} in {took:.1f} s; {load()}")
            took = timed_join(block, height, ())
            print(f"block sync: joined at height >= {height} in {took:.1f} s; {load()}")
        finally:
            source.stop()
        for node in (state, block):
            lines = [ln for ln in node.log_text().splitlines() if "state sync:" in ln]
            print(f"{node.node.moniker} log:", *lines[-3:], sep="\n  ")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Fixtures for the light client and `coterie query`: a real chain served by the node's API on
127.0.0.1, a tampering proxy in front of it, and a wallet home holding the chain's genesis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from ledger.collectives.ids import NATIVE
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.content.payloads import ContentAnchor
from ledger.genesis import Genesis
from ledger.governance.core_actions import Mint
from ledger.governance.proposal import proposals_of
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.splits.parties import Party
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import SplitTerms, Tranche
from ledger.splits.store import split_id_for
from ledger.state.view import StateView
from node.api.adapter import mount
from node.service import Node
from node.testnet import LocalTestnet, init_testnet
from tests.cli.lightclient.devchain import (
    ALICE,
    BOB,
    GENESIS_TIME,
    GUILD,
    VALIDATORS,
    DevChain,
    Servers,
    Tamper,
    api_app,
    make_genesis,
    proxy_app,
)


@pytest.fixture
def servers() -> Iterator[Servers]:
    running = Servers()
    yield running
    running.close()


@pytest.fixture
def devchain(
    request: pytest.FixtureRequest, tmp_path: Path, servers: Servers
) -> Iterator[DevChain]:
    """Five committed blocks (a transfer in the second), served at `devchain.url`; dated now,
    unless parametrized (indirect) with {"realtime": False}; {"trust_period_ms": N} sets the
    genesis's trust period."""
    options = getattr(request, "param", {})
    genesis = make_genesis(**{k: v for k, v in options.items() if k == "trust_period_ms"})
    chain = DevChain(tmp_path / "chain.ldb", genesis, realtime=options.get("realtime", True))
    chain.commit()
    chain.commit([chain.transfer(250)])
    chain.blocks(3)
    chain.url = servers.serve(api_app(chain))
    yield chain
    servers.call(chain.close)


@pytest.fixture
def node_url(devchain: DevChain) -> str:
    return devchain.url


@pytest.fixture
def proxy(servers: Servers, node_url: str) -> Callable[[Tamper], str]:
    """Start a proxy in front of the node that rewrites answers with the given function."""

    def start(tamper: Tamper) -> str:
        return servers.serve(proxy_app(node_url, tamper))

    return start


@pytest.fixture
def genesis_file(tmp_path: Path, devchain: DevChain) -> Path:
    path = tmp_path / "genesis.json"
    devchain.genesis.write(path)
    return path


@pytest.fixture
def other_genesis_file(tmp_path: Path) -> Path:
    """A genesis of another chain (same validators, another chain id)."""
    path = tmp_path / "other-genesis.json"
    other: Genesis = make_genesis("coterie-other-chain")
    other.write(path)
    return path


@pytest.fixture
def testnet_dir(tmp_path: Path) -> LocalTestnet:
    """Homes of a 4-validator testnet with fast blocks (nothing started)."""
    return init_testnet(
        tmp_path / "testnet",
        4,
        block_interval_ms=100,
        timeout_propose_ms=1000,
        empty_block_interval_ms=300,
    )


@pytest.fixture
async def network(testnet_dir: LocalTestnet) -> AsyncIterator[list[Node]]:
    """Four real validators (P2P consensus on 127.0.0.1, the API mounted) in this loop."""
    nodes = [Node.open(n.home, api_routes=mount) for n in testnet_dir.nodes]
    for node in nodes:
        await node.start()
    yield nodes
    for node in nodes:
        await node.stop()


LiarRun = Callable[..., Result]


@pytest.fixture
def liar(
    tmp_path: Path, genesis_file: Path, proxy: Callable[[Tamper], str]
) -> Callable[[Tamper], LiarRun]:
    """`liar(tamper)(args)`: run `coterie query ARGS --verify --output json` against a lying
    proxy in front of the real node, with one wallet home shared by every run of the test."""

    def start(tamper: Tamper) -> LiarRun:
        url = proxy(tamper)
        runner = CliRunner(env={"COTERIE_HOME": str(tmp_path / "wallet"), "COTERIE_NODE": url})

        def invoke(args: Sequence[str], *, verify: bool = True, json_out: bool = True) -> Result:
            extra = ["--verify", "--genesis", str(genesis_file)] if verify else []
            extra += ["--output", "json"] if json_out else []
            return runner.invoke(cli, ["query", *args, *extra], catch_exceptions=False)

        return invoke

    return start


@pytest.fixture
def mint_proposal(devchain: DevChain, servers: Servers) -> int:
    """Alice proposes to mint 5 shares to Bob (a TOKENS proposal); returns its id."""
    submit = ProposalSubmit(GUILD, (Mint(0, BOB.address, 5),), metadata="5 shares for Bob")
    servers.call(lambda: devchain.commit([devchain.sign(ALICE, submit)]))
    return max(proposals_of(StateView(devchain.store.state), GUILD))


@dataclass(frozen=True)
class Showcase:
    """One of each record a verified query shows (ids to ask for)."""

    proposal: int
    split: bytes
    content: bytes


@pytest.fixture
def showcase(devchain: DevChain, servers: Servers, mint_proposal: int) -> Showcase:
    """A split (with a tranche, a lock date and a payment), anchored content, a deposit in the
    guild's treasury and the mint proposal, all committed."""
    terms = SplitTerms(
        tuple(sorted((Party.account(BOB.address), Party.account(VALIDATORS[1].address)))),
        (3, 1),
        4,
        locked_until_ms=GENESIS_TIME + 10**9,
    )
    tranche = Tranche(Party.account(VALIDATORS[2].address), 50)
    nonce = devchain.nonces.get(ALICE.public_key, 0)
    create = devchain.sign(ALICE, SplitCreate(Party.account(ALICE.address), terms, (tranche,)))
    split = split_id_for(ALICE.address, nonce)
    content = bytes(range(32))
    anchor = devchain.sign(BOB, ContentAnchor(content, "ipfs://bafy-demo", "video", GUILD))
    servers.call(lambda: devchain.commit([create, anchor]))
    pay = devchain.sign(BOB, SplitPay(split, 400, b"inv-1", "first payout"))
    deposit = devchain.sign(ALICE, TreasuryDeposit(GUILD, NATIVE, 1234, "dues"))
    servers.call(lambda: devchain.commit([pay, deposit]))
    return Showcase(mint_proposal, split, content)

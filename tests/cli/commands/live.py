"""A one-validator chain in a subprocess for the governance command tests, and what they share.

Not a test module (fixtures are in conftest.py). The chain has the four well-known dev accounts
(stored as plaintext keys dev0..dev3 in a wallet home, with the validator's key as `val`) and a
collective "crew" made by dev0 whose policies decide in a minute or at once, so a proposal's
whole life fits in a test: dev0 holds 20 of its 25 shares and passes yes/no votes alone.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cli.main import cli
from cli.wallet.keystore import Keystore
from ledger.collectives.create import CollectiveCreate, Founder
from ledger.collectives.ids import NATIVE, derive_collective_id
from ledger.collectives.model import DEFAULT_CLASSES
from ledger.collectives.params import MINUTE, CollectiveParams
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.governance.kinds import DecisionMethod, ProposalKind
from ledger.governance.policy import Policy
from ledger.keys import PrivateKey
from ledger.tx import Payload, TxBody
from node.home import NodeHome
from node.testnet import init_testnet
from tests.node.processes import NodeProc, http, wait_for

PREFIX = "tcot"
TREASURY_START = 100_000
FAST = Policy(
    early_execution=True,
    grace_period_ms=0,
    voting_period_ms=MINUTE,
    expedited_period_ms=0,
    veto_ppm=0,
)


@dataclass
class Live:
    """The running chain, its wallet home and the collective."""

    node: NodeProc
    home: Path
    genesis_hash: bytes
    chain_id: str
    keys: dict[str, PrivateKey]
    collective: bytes = b""

    @property
    def url(self) -> str:
        return self.node.url

    def address(self, name: str) -> str:
        return self.keys[name].address.to_text(PREFIX)

    def get(self, path: str) -> Any:
        code, body = http(self.url + path, timeout=5.0)
        assert code == 200, (path, code, body)
        return body

    def balance(self, name: str) -> int:
        return int(self.get(f"/v1/accounts/{self.address(name)}")["balance"])

    def proposal(self, pid: int) -> dict[str, Any]:
        return dict(self.get(f"/v1/proposals/{pid}"))

    def newest_proposal(self, collective: bytes | None = None) -> int:
        cid = (collective or self.collective).hex()
        return int(self.get(f"/v1/collectives/{cid}/proposals?limit=1")["proposals"][0]["id"])

    def members(self) -> dict[str, dict[str, Any]]:
        view = self.get(f"/v1/collectives/{self.collective.hex()}")
        return {m["address"]: m for m in view["members"]}

    def wait_status(self, pid: int, status: str, timeout: float = 30.0) -> dict[str, Any]:
        wait_for(lambda: self.proposal(pid)["status"] == status, timeout, f"{pid} {status}")
        return self.proposal(pid)

    def send(self, name: str, payload: Payload) -> None:
        """Sign and send a tx from Python (setup only), and wait for its commit."""
        key = self.keys[name]
        nonce = int(self.get(f"/v1/accounts/{self.address(name)}")["next_nonce"])
        body = TxBody(self.chain_id, key.public_key, nonce, 0, payload)
        signed = body.sign(key, self.genesis_hash)
        code, answer = http(self.url + "/v1/txs", {"txs": [signed.encode().hex()]}, timeout=5.0)
        assert code == 200 and answer["results"][0]["ok"], answer
        tx_hash = signed.hash.hex()

        def done() -> bool:
            status, view = http(f"{self.url}/v1/txs/{tx_hash}", timeout=2.0)
            return status == 200 and view.get("status") == "committed"

        wait_for(done, 30.0, f"tx {tx_hash}")
        result = self.get(f"/v1/txs/{tx_hash}").get("result") or {}
        assert result.get("code", "OK") == "OK", result


def start_live(root: Path) -> Live:
    net = init_testnet(
        root / "net", 1, block_interval_ms=100, timeout_propose_ms=1000, empty_block_interval_ms=300
    )
    node = NodeProc(net.nodes[0])
    node.start()
    try:
        wait_for(lambda: node.height() >= 1, 60.0, "the first block")
    except AssertionError:
        node.stop()
        raise
    home = root / "wallet"
    store = Keystore(home)
    keys = {f"dev{i}": key for i, key in enumerate(net.dev_accounts)}
    keys["val"] = NodeHome(net.nodes[0].home).load_validator_key()
    for name, key in keys.items():
        store.add_plaintext(name, key)
    return Live(node, home, net.genesis.hash(), net.genesis.chain_id, keys)


def make_collective(live: Live) -> bytes:
    dev0, dev1 = live.keys["dev0"].address, live.keys["dev1"].address
    signers = tuple(sorted((dev0, dev1), key=lambda a: a.raw))
    multisig = dataclasses.replace(
        FAST, method=DecisionMethod.MULTISIG, signers=signers, required_approvals=2
    )
    multisig = dataclasses.replace(multisig, early_execution=False)
    secret = dataclasses.replace(
        FAST, early_execution=False, secret_ballot=True, reveal_period_ms=MINUTE
    )
    policies = (
        (int(ProposalKind.ADMIT), FAST),
        (int(ProposalKind.SPEND), FAST),
        (int(ProposalKind.TOKENS), multisig),
        (int(ProposalKind.GOVERNANCE), FAST),
        (int(ProposalKind.SIGNAL), secret),
        (int(ProposalKind.STREAMS), FAST),
        (int(ProposalKind.SPLITS), dataclasses.replace(FAST, threshold_ppm=667_000)),
    )
    params = CollectiveParams(large_spend_ppm=0, max_live_per_proposer=100, sponsor_threshold=10)
    founders = (Founder(dev0, (20, 0)), Founder(dev1, (5, 0)))
    nonce = int(live.get(f"/v1/accounts/{live.address('dev0')}")["next_nonce"])
    live.send(
        "dev0", CollectiveCreate("crew", "test crew", DEFAULT_CLASSES, founders, params, policies)
    )
    cid = derive_collective_id(dev0, nonce)
    live.send("dev2", TreasuryDeposit(cid, NATIVE, TREASURY_START))
    return cid


def node_args(live: Live, *args: str) -> list[str]:
    """A command sent through the live node with a dev key (plaintext, so --insecure-dev)."""
    return [*args, "--home", str(live.home), "--insecure-dev", "--node", live.url, "-y"]


def runner_invoke(runner: CliRunner) -> Callable[[Sequence[str]], Result]:
    def run(args: Sequence[str]) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return run


def wait_seconds_until(ms: int) -> None:
    """Sleep until the wall clock passes `ms` (and a block after it is likely made)."""
    delay = ms / 1000 - time.time() + 1.0
    if delay > 0:
        time.sleep(delay)

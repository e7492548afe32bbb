"""`coterie query --verify` against four real validators reaching consensus over P2P on
127.0.0.1: commits made by the real consensus (whatever round, whichever 2/3+ signed) verify."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner, Result

from cli.main import cli
from node.service import Node
from node.testnet import LocalTestnet


async def _until_height(node: Node, height: int, timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while node.store.height < height:
        assert asyncio.get_running_loop().time() < deadline, "the testnet made no progress"
        await asyncio.sleep(0.1)


async def test_verified_queries_against_a_live_testnet(
    network: list[Node], testnet_dir: LocalTestnet, tmp_path: Path
) -> None:
    await _until_height(network[0], 3)
    first = testnet_dir.nodes[0]
    genesis = first.home / "config" / "genesis.json"
    runner = CliRunner(
        env={"COTERIE_HOME": str(tmp_path / "wallet"), "COTERIE_NODE": first.api_url}
    )
    account = testnet_dir.dev_accounts[0].address.to_text(testnet_dir.genesis.params.address_prefix)

    def query(*args: str) -> Result:
        return runner.invoke(cli, ["query", *args, "--verify", "--genesis", str(genesis),
                                   "--output", "json"], catch_exceptions=False)  # fmt: skip

    for args in (("account", account), ("validators",), ("block",)):
        result = await asyncio.to_thread(query, *args)
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["verified"]["height"] >= 3
    await _until_height(network[0], network[0].store.height + 2)
    later = json.loads((await asyncio.to_thread(query, "account", account)).stdout)
    assert later["verified"]["height"] > data["verified"]["height"]

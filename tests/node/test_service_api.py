"""A real node serving the whole API (`Node.open(home, api_routes=mount)`): what only the
running node knows reaches the API, e.g. the validators' signing counters in /metrics."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp

from node.api.adapter import mount
from node.service import Node
from node.testnet import init_testnet


async def test_signing_counters_reach_metrics_and_validators(tmp_path: Path) -> None:
    net = init_testnet(tmp_path / "net", 1, block_interval_ms=100, empty_block_interval_ms=100)
    node = Node.open(net.nodes[0].home, api_routes=mount)
    await node.start()
    try:
        deadline = time.monotonic() + 30
        while node.store.height < 3:
            assert time.monotonic() < deadline, "no blocks committed"
            await asyncio.sleep(0.05)
        address = net.genesis.validators[0].public_key
        async with aiohttp.ClientSession() as session:
            async with session.get(node.api_url + "/metrics") as response:
                text = await response.text()
            async with session.get(node.api_url + "/v1/validators") as response:
                validators = (await response.json())["validators"]
        assert address  # the set has one validator, this node
        [record] = validators
        assert record["last_signed_height"] >= 2 and record["missed_blocks"] == 0
        label = f'validator="{record["address"]}"'
        assert f"coterie_validator_missed_blocks_total{{{label}}} 0.0" in text
        assert f"coterie_validator_last_signed_height{{{label}}}" in text
    finally:
        await node.stop()


def test_mempool_and_chain_share_the_nodes_signature_cache(tmp_path: Path) -> None:
    """A tx verified at admission is not verified again, on the event loop, when a block that
    holds it is proposed or validated (an empty cache is falsy: it must still be shared)."""
    net = init_testnet(tmp_path / "net", 1)
    node = Node.open(net.nodes[0].home)
    try:
        assert node.mempool.verifier is node.verifier
    finally:
        asyncio.run(node.stop())

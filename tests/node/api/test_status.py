"""GET /v1/status."""

from __future__ import annotations

from tests.node.api.builder import CHAIN_ID, HRP, VALIDATOR, Client, LiveChain


async def test_status_reports_the_committed_tip(chain: LiveChain, client: Client) -> None:
    response = await client.get("/v1/status")
    assert response.status == 200
    body = await response.json()
    last = chain.blocks[-1]
    assert body["chain_id"] == CHAIN_ID
    assert body["genesis_hash"] == chain.genesis.hash().hex()
    assert body["latest_height"] == 5
    assert body["latest_block_hash"] == last.hash().hex()
    assert body["latest_block_time_ms"] == last.header.time_ms
    assert body["state_root"] == last.header.state_root.hex()
    assert body["validator"] == VALIDATOR.address.to_text(HRP)
    assert body["consensus"] == {"height": 6, "round": 0, "step": "propose"}
    assert body["syncing"] is False
    assert body["mempool"] == {"txs": 0, "bytes": 0}

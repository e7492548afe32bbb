"""A pruning node answers heights it no longer keeps with 410 `pruned` (and says which heights it
keeps), and goes on serving recent blocks, the status and proofs at the latest height."""

from __future__ import annotations

from ledger.state import keys
from tests.node.api.builder import ALICE, BOB, Client, LiveChain


async def test_pruned_heights_answer_410_and_recent_ones_are_served(
    chain: LiveChain, client: Client
) -> None:
    chain.store.keep_blocks = 3
    for amount in (1, 2, 3, 4):
        chain.commit([chain.builder.transfer(ALICE, BOB, amount)])
    top, base = chain.store.height, chain.store.base_height
    assert (top, base) == (9, 7)
    response = await client.get("/v1/blocks/2")
    body = await response.json()
    assert response.status == 410, body
    assert body["error"]["code"] == "pruned"
    assert "keeps blocks 7 to 9" in body["error"]["message"]
    assert "archive node" in body["error"]["message"]
    for height in ("7", "9", "latest"):
        assert (await client.get(f"/v1/blocks/{height}")).status == 200
    assert (await client.get("/v1/blocks/99")).status == 404  # the future is not "pruned"
    status = await (await client.get("/v1/status")).json()
    assert (status["earliest_height"], status["latest_height"]) == (7, 9)
    page = await (await client.get("/v1/blocks?limit=10")).json()
    assert [b["height"] for b in page["blocks"]] == [9, 8, 7]
    assert page["next_before"] is None
    proof = await client.get(f"/v1/proofs/{keys.account(ALICE.address.raw).hex()}")
    body = await proof.json()
    assert proof.status == 200 and body["height"] == 9, body

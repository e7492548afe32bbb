"""A collective's splits (owned or paying it) and its anchored content."""

from __future__ import annotations

from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitCreate
from ledger.splits.records import SplitTerms
from ledger.splits.store import split_id_for
from tests.node.api.builder import ALICE, BOB, CONTENT_HASH, GUILD, HRP, Client, LiveChain


async def test_collective_splits_lists_the_splits_that_pay_it(
    chain: LiveChain, client: Client
) -> None:
    empty = await (await client.get(f"/v1/collectives/{GUILD.hex()}/splits")).json()
    assert empty["splits"] == []
    guild = Party(PartyKind.COLLECTIVE, GUILD)
    terms = SplitTerms(tuple(sorted((guild, Party.account(BOB.address)))), (1, 1), 2)
    create = chain.builder.sign(ALICE, SplitCreate(Party.account(ALICE.address), terms))
    chain.commit([create])
    split_id = split_id_for(ALICE.address, create.body.nonce)
    body = await (await client.get(f"/v1/collectives/{GUILD.hex()}/splits")).json()
    [item] = body["splits"]
    assert item["id"] == split_id.hex()
    assert item["roles"] == ["recipient"]
    assert item["owner"] == {"kind": "ACCOUNT", "id": ALICE.address.to_text(HRP)}
    assert item["recipients"] == 2
    assert item["balance"] == 0
    assert body["height"] == chain.store.height


async def test_collective_content_lists_anchors_with_moderation(client: Client) -> None:
    body = await (await client.get(f"/v1/collectives/{GUILD.hex()}/content")).json()
    [item] = body["content"]
    assert item["hash"] == CONTENT_HASH.hex()
    assert item["uri"] == "ipfs://bafy-demo"
    assert item["kind"] == "video"
    assert item["author"] == BOB.address.to_text(HRP)
    assert item["moderation"] is None


async def test_listings_of_an_unknown_collective_are_404(client: Client) -> None:
    for what in ("splits", "content"):
        response = await client.get(f"/v1/collectives/{'ab' * 20}/{what}")
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "not_found"
        bad = await client.get(f"/v1/collectives/xyz/{what}")
        assert bad.status == 400


async def test_search_names_what_a_query_means(chain: LiveChain, client: Client) -> None:
    async def matches(q: str) -> list[dict[str, object]]:
        response = await client.get("/v1/search", params={"q": q})
        assert response.status == 200, await response.text()
        body = await response.json()
        assert body["query"] == q
        return list(body["matches"])

    tx = chain.txs[0]
    assert await matches(tx.hash.hex().upper()) == [
        {"kind": "tx", "id": tx.hash.hex(), "status": "committed"}
    ]
    block = chain.blocks[1]
    assert await matches("0x" + block.hash().hex()) == [
        {"kind": "block", "id": block.hash().hex(), "height": 2}
    ]
    assert await matches("2") == [{"kind": "block", "id": "2", "height": 2}]
    assert await matches("99") == []
    assert await matches(CONTENT_HASH.hex()) == [{"kind": "content", "id": CONTENT_HASH.hex()}]
    assert await matches(chain.split_id.hex()) == [{"kind": "split", "id": chain.split_id.hex()}]
    assert await matches(GUILD.hex()) == [{"kind": "collective", "id": GUILD.hex()}]
    assert await matches("p1") == [{"kind": "proposal", "id": "1"}]
    assert await matches("proposal #7") == []
    alice = ALICE.address.to_text(HRP)
    assert await matches(alice.upper()) == [{"kind": "account", "id": alice}]
    assert await matches(alice[:-1] + ("q" if alice[-1] != "q" else "p")) == []
    assert await matches("   ") == []
    assert await matches("ff" * 32) == []
    too_long = await client.get("/v1/search", params={"q": "x" * 129})
    assert too_long.status == 400
    assert (await client.get("/v1/search")).status == 400

"""POST /v1/txs and GET /v1/txs/{hash} on a live API over a real store."""

from __future__ import annotations

from ledger import codec
from ledger.tx import SignedTx
from tests.node.api.builder import ALICE, BOB, CAROL, HRP, Client, LiveChain

MSGPACK = {"Content-Type": "application/msgpack"}


async def test_one_tx_as_msgpack_is_admitted(chain: LiveChain, client: Client) -> None:
    tx = chain.builder.transfer(ALICE, BOB, 3)
    response = await client.post("/v1/txs", data=tx.encode(), headers=MSGPACK)
    assert response.status == 200
    body = await response.json()
    assert body["accepted"] == 1
    assert body["results"] == [
        {
            "index": 0,
            "ok": True,
            "code": "OK",
            "code_number": 0,
            "tx_hash": tx.hash.hex(),
            "queued": False,
            "reason": "",
        }
    ]
    assert tx.hash in chain.mempool


async def test_batch_as_msgpack_answers_each_tx(chain: LiveChain, client: Client) -> None:
    good = chain.builder.transfer(BOB, ALICE, 1)
    broke = chain.builder.transfer(CAROL, ALICE, 10**12)
    batch = codec.encode_bytes_list([good.encode(), broke.encode(), b"\x01\x02"])
    response = await client.post("/v1/txs", data=batch, headers=MSGPACK)
    body = await response.json()
    assert (body["accepted"], body["rejected"]) == (1, 2)
    codes = [r["code"] for r in body["results"]]
    assert codes == ["OK", "INSUFFICIENT_FUNDS", "MALFORMED"]
    assert body["results"][1]["tx_hash"] == broke.hash.hex()
    assert body["results"][2]["tx_hash"] is None


async def test_batch_as_json_hex(chain: LiveChain, client: Client) -> None:
    txs = [chain.builder.transfer(ALICE, BOB, 1) for _ in range(3)]
    response = await client.post("/v1/txs", json={"txs": [t.encode().hex() for t in txs]})
    body = await response.json()
    assert body["accepted"] == 3
    assert [r["tx_hash"] for r in body["results"]] == [t.hash.hex() for t in txs]


async def test_resubmitting_is_a_duplicate(chain: LiveChain, client: Client) -> None:
    tx = chain.builder.transfer(ALICE, BOB, 2)
    await client.post("/v1/txs", data=tx.encode(), headers=MSGPACK)
    body = await (await client.post("/v1/txs", data=tx.encode(), headers=MSGPACK)).json()
    assert body["results"][0]["code"] == "DUPLICATE"


async def test_committed_tx_by_hash(chain: LiveChain, client: Client) -> None:
    tx = chain.txs[0]
    response = await client.get(f"/v1/txs/{tx.hash.hex()}")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "committed"
    assert (body["height"], body["position"]) == (1, 0)
    assert body["block_hash"] == chain.blocks[0].hash().hex()
    assert body["tx"]["sender"] == ALICE.address.to_text(HRP)
    assert body["tx"]["payload"]["recipient"] == BOB.address.to_text(HRP)
    assert body["tx"]["payload"]["amount"] == 100
    assert body["result"]["code"] == "OK"
    assert body["result"]["events"], "a transfer emits an event"


async def test_tx_as_raw_msgpack(chain: LiveChain, client: Client) -> None:
    tx = chain.txs[2]
    response = await client.get(f"/v1/txs/{tx.hash.hex()}?format=msgpack")
    assert response.content_type == "application/msgpack"
    assert SignedTx.decode(await response.read()) == tx


async def test_pending_tx_by_hash(chain: LiveChain, client: Client) -> None:
    tx = chain.builder.transfer(CAROL, BOB, 4)
    await client.post("/v1/txs", data=tx.encode(), headers=MSGPACK)
    body = await (await client.get(f"/v1/txs/{tx.hash.hex()}")).json()
    assert body["status"] == "pending"
    assert body["height"] is None
    chain.commit([tx])
    body = await (await client.get(f"/v1/txs/{tx.hash.hex()}")).json()
    assert (body["status"], body["height"]) == ("committed", 6)

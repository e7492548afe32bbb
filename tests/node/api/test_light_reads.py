"""Reads served on the node's event loop must not decode whole blocks (a block of 10,000 txs
takes a large part of a second to decode, and consensus shares that loop): status and proofs
use the store's cached last header and commit, a tx is cut out of its block by its index entry,
and block summaries read only the head of each block."""

from __future__ import annotations

import pytest

from ledger.block import Block
from tests.node.api.builder import ALICE, HRP, Client, LiveChain


def _refuse(_data: bytes, _max_bytes: int = 0) -> Block:
    raise AssertionError("a whole block was decoded to answer a small read")


async def test_small_reads_decode_no_block(
    chain: LiveChain, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Block, "decode", _refuse)  # from here on: the chain is built
    last = chain.blocks[-1]
    status = await (await client.get("/v1/status")).json()
    assert status["latest_height"] == last.header.height
    assert status["latest_block_time_ms"] == last.header.time_ms

    tx = chain.txs[2]
    body = await (await client.get(f"/v1/txs/{tx.hash.hex()}")).json()
    assert (body["status"], body["height"]) == ("committed", 3)
    assert body["block_hash"] == chain.blocks[2].hash().hex()
    assert body["tx"]["hash"] == tx.hash.hex()

    address = ALICE.address.to_text(HRP)
    account = await (await client.get(f"/v1/accounts/{address}?proof=true")).json()
    assert account["public_key"] == ALICE.public_key.hex()
    assert account["proof"]["header"]["hash"] == last.hash().hex()
    assert account["proof"]["commit"]["block_hash"] == last.hash().hex()

    history = await (await client.get(f"/v1/accounts/{address}/txs")).json()
    assert history["txs"] and all(item["kind"] is not None for item in history["txs"])
    assert history["txs"][-1]["tx_hash"] == chain.txs[0].hash.hex()

    page = await (await client.get("/v1/blocks?limit=5")).json()
    assert [b["height"] for b in page["blocks"]] == [5, 4, 3, 2, 1]
    assert [b["tx_count"] for b in page["blocks"]] == [len(b.txs) for b in chain.blocks[::-1]]
    assert [b["hash"] for b in page["blocks"]] == [b.hash().hex() for b in chain.blocks[::-1]]


async def test_status_follows_new_commits(chain: LiveChain, client: Client) -> None:
    block = chain.commit()
    status = await (await client.get("/v1/status")).json()
    assert status["latest_height"] == block.header.height
    assert status["latest_block_hash"] == block.hash().hex()
    assert status["latest_block_time_ms"] == block.header.time_ms

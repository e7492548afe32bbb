"""Blocks, accounts (with proofs), history, validators, mempool, genesis."""

from __future__ import annotations

from consensus.commit import verify_commit
from consensus.validators import ValidatorSet
from ledger.block import Block, Commit, Header
from ledger.merkle.flat import FlatProof, verify_proof
from ledger.state import keys
from ledger.state.records import Account
from tests.node.api.builder import (
    ALICE,
    BOB,
    CAROL,
    HRP,
    START_BALANCE,
    VALIDATOR,
    Client,
    LiveChain,
)


async def test_block_by_height_latest_and_hash_agree(chain: LiveChain, client: Client) -> None:
    by_height = await (await client.get("/v1/blocks/1")).json()
    block = chain.blocks[0]
    assert by_height["hash"] == block.hash().hex()
    assert by_height["header"]["proposer"] == VALIDATOR.address.to_text(HRP)
    assert [t["hash"] for t in by_height["txs"]] == [t.hash.hex() for t in block.txs]
    assert by_height["commit"]["block_hash"] == block.hash().hex()
    by_hash = await (await client.get(f"/v1/blocks/by-hash/{block.hash().hex()}")).json()
    assert by_hash == by_height
    latest = await (await client.get("/v1/blocks/latest?txs=hashes")).json()
    assert latest["height"] == len(chain.blocks)
    assert latest["txs"] == [t.hash.hex() for t in chain.blocks[-1].txs]
    hashes_only = await (await client.get("/v1/blocks/1?txs=hashes")).json()
    assert hashes_only == {**by_height, "txs": [t["hash"] for t in by_height["txs"]]}


async def test_block_as_raw_msgpack(chain: LiveChain, client: Client) -> None:
    response = await client.get("/v1/blocks/3", headers={"Accept": "application/msgpack"})
    assert response.content_type == "application/msgpack"
    assert Block.decode(await response.read()) == chain.blocks[2]


async def test_block_list_pages_newest_first(chain: LiveChain, client: Client) -> None:
    page = await (await client.get("/v1/blocks?limit=2")).json()
    assert [b["height"] for b in page["blocks"]] == [5, 4]
    page = await (await client.get(f"/v1/blocks?limit=2&before={page['next_before']}")).json()
    assert [b["height"] for b in page["blocks"]] == [3, 2]
    page = await (await client.get(f"/v1/blocks?limit=2&before={page['next_before']}")).json()
    assert [b["height"] for b in page["blocks"]] == [1]
    assert page["next_before"] is None


async def test_account_balance_and_nonce(chain: LiveChain, client: Client) -> None:
    body = await (await client.get(f"/v1/accounts/{BOB.address.to_text(HRP)}")).json()
    stored = chain.store.state.get(keys.account(BOB.address.raw))
    assert stored is not None
    account = Account.decode(stored)
    assert (body["balance"], body["nonce"]) == (account.balance, account.nonce)
    assert body["balance"] == START_BALANCE + 100 - 7 + 300  # 3/4 of the split payment
    assert body["public_key"] == BOB.public_key.hex()
    assert "proof" not in body


async def test_account_proof_verifies_against_a_signed_header(
    chain: LiveChain, client: Client
) -> None:
    """What a light client does: commit -> header hash -> state root -> value."""
    address = ALICE.address.to_text(HRP)
    body = await (await client.get(f"/v1/accounts/{address}?proof=true")).json()
    bundle = body["proof"]
    header = Header.from_fields(_decode(bundle["header_msgpack"]))
    commit = Commit.decode(bytes.fromhex(bundle["commit_msgpack"]))
    trusted = ValidatorSet.from_genesis(chain.genesis.validators)
    verify_commit(trusted, chain.genesis.hash(), header.hash(), commit)
    assert header.height == bundle["height"] == len(chain.blocks)
    proof = FlatProof.decode(bytes.fromhex(bundle["proof_msgpack"]))
    value = bytes.fromhex(bundle["value"])
    assert verify_proof(header.state_root, keys.account(ALICE.address.raw), value, proof)
    assert Account.decode(value).balance == body["balance"]


async def test_absent_account_has_a_non_inclusion_proof(client: Client) -> None:
    from ledger.keys import PrivateKey

    stranger = PrivateKey.from_secret(b"stranger").address
    body = await (await client.get(f"/v1/accounts/{stranger.to_text(HRP)}?proof=1")).json()
    assert (body["exists"], body["balance"], body["nonce"]) == (False, 0, 0)
    bundle = body["proof"]
    assert bundle["value"] is None
    proof = FlatProof.decode(bytes.fromhex(bundle["proof_msgpack"]))
    root = bytes.fromhex(bundle["header"]["state_root"])
    assert verify_proof(root, keys.account(stranger.raw), None, proof)


async def test_account_history_pages(chain: LiveChain, client: Client) -> None:
    address = CAROL.address.to_text(HRP)
    first = await (await client.get(f"/v1/accounts/{address}/txs?limit=2")).json()
    assert [(t["height"], t["position"]) for t in first["txs"]] == [(5, 1), (3, 0)]
    rest = await (await client.get(f"/v1/accounts/{address}/txs?before={first['next']}")).json()
    assert [(t["height"], t["kind"]) for t in rest["txs"]] == [(1, "TRANSFER")]
    assert rest["next"] is None


async def test_validators_and_mempool(chain: LiveChain, client: Client) -> None:
    body = await (await client.get("/v1/validators")).json()
    assert [v["address"] for v in body["validators"]] == [VALIDATOR.address.to_text(HRP)]
    assert body["validators"][0]["power"] == 10
    assert body["total_power"] == 10
    tx = chain.builder.transfer(ALICE, BOB, 1)
    await chain.mempool.admit(tx.encode())
    stats = await (await client.get("/v1/mempool")).json()
    assert (stats["txs"], stats["bytes"]) == (1, len(tx.encode()))
    assert stats["limits"]["max_txs"] == chain.mempool.limits.max_txs


async def test_genesis(chain: LiveChain, client: Client) -> None:
    body = await (await client.get("/v1/genesis")).json()
    assert body["genesis_hash"] == chain.genesis.hash().hex()
    assert body["genesis"]["chain_id"] == chain.genesis.chain_id


def _decode(hex_text: str) -> object:
    from ledger import codec

    return codec.decode(bytes.fromhex(hex_text))


async def test_next_nonce_counts_pending_txs(chain: LiveChain, client: Client) -> None:
    address = ALICE.address.to_text(HRP)
    before = await (await client.get(f"/v1/accounts/{address}")).json()
    for _ in range(2):
        await chain.mempool.admit(chain.builder.transfer(ALICE, BOB, 1).encode())
    after = await (await client.get(f"/v1/accounts/{address}")).json()
    assert after["nonce"] == before["nonce"]
    assert after["next_nonce"] == before["next_nonce"] + 2

"""Bad input on every endpoint: a clear 4xx in the one JSON error shape, and the node keeps
serving afterwards."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from pytest_aiohttp import AiohttpClient

from ledger import codec
from ledger.keys import PrivateKey
from node.api import create_app
from node.api.limits import MAX_SUBMIT_BYTES, ApiLimits
from tests.node.api.builder import ALICE, HRP, Client, LiveChain

GOOD = ALICE.address.to_text(HRP)
OTHER_CHAIN = ALICE.address.to_text("cot")
TYPO = GOOD[:-1] + ("q" if GOOD[-1] != "q" else "p")
H = "ab" * 32
NOT_HEX = "zz" * 32

BAD_GETS = [
    ("/v1/txs/xyz", 400, "invalid_tx_hash"),
    (f"/v1/txs/{NOT_HEX}", 400, "invalid_tx_hash"),
    (f"/v1/txs/{H}", 404, "not_found"),
    (f"/v1/txs/{H}?format=xml", 400, "invalid_format"),
    ("/v1/blocks/-1", 400, "invalid_height"),
    ("/v1/blocks/99999999999999999999999", 400, "invalid_height"),
    ("/v1/blocks/0", 404, "not_found"),
    ("/v1/blocks/12345", 404, "not_found"),
    ("/v1/blocks/tip", 400, "invalid_height"),
    ("/v1/blocks/1?format=xml", 400, "invalid_format"),
    ("/v1/blocks/1?txs=some", 400, "invalid_txs"),
    ("/v1/blocks?limit=0", 400, "invalid_limit"),
    ("/v1/blocks?limit=-5", 400, "invalid_limit"),
    ("/v1/blocks?limit=1001", 400, "invalid_limit"),
    ("/v1/blocks?limit=99999999999999999999999999", 400, "invalid_limit"),
    ("/v1/blocks?before=abc", 400, "invalid_before"),
    (f"/v1/blocks/by-hash/{H}", 404, "not_found"),
    ("/v1/blocks/by-hash/12", 400, "invalid_block_hash"),
    (f"/v1/accounts/{OTHER_CHAIN}", 400, "wrong_address_prefix"),
    (f"/v1/accounts/{TYPO}", 400, "invalid_address"),
    ("/v1/accounts/hello", 400, "invalid_address"),
    (f"/v1/accounts/{GOOD}?proof=maybe", 400, "invalid_proof"),
    (f"/v1/accounts/{GOOD}/txs?limit=100000", 400, "invalid_limit"),
    (f"/v1/accounts/{GOOD}/txs?before=5", 400, "invalid_before"),
    (f"/v1/accounts/{GOOD}/txs?before=-1:2", 400, "invalid_before"),
    (f"/v1/accounts/{OTHER_CHAIN}/txs", 400, "wrong_address_prefix"),
    ("/v1/validators?proof=2", 400, "invalid_proof"),
    ("/v1/proofs/xyz", 400, "invalid_state_key"),
    ("/v1/proofs/" + "00" * 257, 400, "invalid_state_key"),
    ("/v1/collectives/1234", 400, "invalid_collective_id"),
    ("/v1/collectives/" + "00" * 20, 404, "not_found"),
    ("/v1/collectives/" + "00" * 20 + "/proposals", 404, "not_found"),
    ("/v1/proposals/abc", 400, "invalid_proposal_id"),
    ("/v1/proposals/777", 404, "not_found"),
    ("/v1/proposals/-3", 400, "invalid_proposal_id"),
    ("/v1/splits/beef", 400, "invalid_split_id"),
    (f"/v1/splits/{H}", 404, "not_found"),
    (f"/v1/splits/{H}/payouts?limit=0", 404, "not_found"),
    (f"/v1/content/{NOT_HEX}", 400, "invalid_content_hash"),
    (f"/v1/content/{H}", 404, "not_found"),
    ("/v1/nowhere", 404, "not_found"),
]


@pytest.mark.parametrize(("path", "status", "code"), BAD_GETS)
async def test_bad_get(client: Client, path: str, status: int, code: str) -> None:
    response = await client.get(path)
    body = await response.json()
    assert response.status == status, body
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert (await client.get("/v1/status")).status == 200


MSGPACK = {"Content-Type": "application/msgpack"}
BAD_POSTS: list[tuple[bytes, dict[str, str], int, str]] = [
    (b"", MSGPACK, 400, "empty_body"),
    (b"{", {"Content-Type": "application/json"}, 400, "invalid_json"),
    (b'{"txs": "ab"}', {"Content-Type": "application/json"}, 400, "invalid_body"),
    (b'{"txs": []}', {"Content-Type": "application/json"}, 400, "invalid_batch_size"),
    (b'{"txs": ["ab"], "x": 1}', {"Content-Type": "application/json"}, 400, "invalid_body"),
    (b'{"txs": [7]}', {"Content-Type": "application/json"}, 400, "invalid_tx_hex"),
    (b'{"txs": ["xyz"]}', {"Content-Type": "application/json"}, 400, "invalid_tx_hex"),
    (b"[1, 2]", {"Content-Type": "application/json"}, 400, "invalid_body"),
    (b"\x90", MSGPACK, 400, "empty_batch"),
    (b"hello", {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
]


@pytest.mark.parametrize(("body", "headers", "status", "code"), BAD_POSTS)
async def test_bad_submission(
    client: Client, body: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    response = await client.post("/v1/txs", data=body, headers=headers)
    answer = await response.json()
    assert response.status == status, answer
    assert answer["error"]["code"] == code
    assert (await client.get("/v1/status")).status == 200


async def test_undecodable_msgpack_is_a_per_tx_malformed_answer(client: Client) -> None:
    for body in (b"\xc1", b"\x92\x01", codec.encode_bytes_list([b"\x00", b"\xff" * 10])):
        response = await client.post("/v1/txs", data=body, headers=MSGPACK)
        answer = await response.json()
        assert response.status == 200
        assert {r["code"] for r in answer["results"]} == {"MALFORMED"}


async def test_wrong_chain_and_bad_signature_get_their_codes(client: Client) -> None:
    from ledger.tx import SignedTx, Transfer, TxBody

    key = PrivateKey.from_secret(b"someone")
    wrong_chain = TxBody("other-chain", ALICE.public_key, 0, 0, Transfer(key.address, 1))
    forged = SignedTx(wrong_chain, bytes(64))
    # a sender whose nonce 0 is unused: a used nonce is refused before the signature is checked
    right_chain = TxBody("coterie-api-test", key.public_key, 0, 0, Transfer(ALICE.address, 1))
    unsigned = SignedTx(right_chain, bytes(64))
    batch = codec.encode_bytes_list([forged.encode(), unsigned.encode()])
    answer = await (await client.post("/v1/txs", data=batch, headers=MSGPACK)).json()
    assert [r["code"] for r in answer["results"]] == ["WRONG_CHAIN", "BAD_SIGNATURE"]


async def test_oversized_body_is_refused(client: Client) -> None:
    body = io.BytesIO(b"\x00" * (MAX_SUBMIT_BYTES + 1))
    response = await client.post("/v1/txs", data=body, headers=MSGPACK)
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "body_too_large"
    assert (await client.get("/livez")).status == 200


JSON = {"Content-Type": "application/json"}


async def test_the_json_body_cap_is_the_configured_one(
    chain: LiveChain, aiohttp_client: AiohttpClient
) -> None:
    """`api.max_json_body_bytes` applies to JSON submissions, chunked or not; msgpack keeps its
    own cap."""
    client = await aiohttp_client(create_app(chain.context(), ApiLimits(max_json_body_bytes=1024)))
    body = b'{"txs": ["' + b"00" * 600 + b'"]}'
    response = await client.post("/v1/txs", data=body, headers=JSON)
    assert response.status == 413
    assert "1024 bytes" in (await response.json())["error"]["message"]
    response = await client.post("/v1/txs", data=io.BytesIO(body), headers=JSON)
    assert response.status == 413
    small = await client.post("/v1/txs", data=b'{"txs": ["00"]}', headers=JSON)
    assert small.status != 413


async def test_wrong_method_is_405_with_allow(client: Client) -> None:
    response = await client.delete("/v1/status")
    assert response.status == 405
    assert "GET" in response.headers["Allow"]
    assert (await response.json())["error"]["code"] == "method_not_allowed"


async def test_oversized_chunked_body_is_refused_while_reading(client: Client) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(MAX_SUBMIT_BYTES // (1 << 20) + 1):
            yield b"\x00" * (1 << 20)

    response = await client.post("/v1/txs", data=chunks(), headers=MSGPACK)
    assert response.status == 413
    assert (await client.get("/livez")).status == 200

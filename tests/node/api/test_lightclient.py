"""The light-client endpoints: signed headers, validator-set changes, many proofs at one height."""

from __future__ import annotations

from consensus.commit import verify_commit
from consensus.validators import ValidatorSet
from ledger import codec
from ledger.block import Commit, Header
from ledger.merkle.flat import FlatProof, verify_proof
from ledger.state import keys
from tests.node.api.builder import ALICE, BOB, Client, LiveChain


async def test_a_signed_header_verifies_and_latest_is_the_tip(
    chain: LiveChain, client: Client
) -> None:
    trusted = ValidatorSet.from_genesis(chain.genesis.validators)
    for path, height in (("/v1/commits/2", 2), ("/v1/commits/latest", len(chain.blocks))):
        body = await (await client.get(path)).json()
        header = Header.from_fields(codec.decode(bytes.fromhex(body["header_msgpack"])))
        commit = Commit.decode(bytes.fromhex(body["commit_msgpack"]))
        verify_commit(trusted, chain.genesis.hash(), header.hash(), commit, height=height)
        assert body["height"] == header.height == height
        assert body["header"]["hash"] == header.hash().hex() == body["commit"]["block_hash"]


async def test_heights_without_a_commit_are_404(chain: LiveChain, client: Client) -> None:
    for text in ("0", str(len(chain.blocks) + 1), "99999999999"):
        response = await client.get(f"/v1/commits/{text}")
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "not_found"
    bad = await client.get("/v1/commits/-1")
    assert (await bad.json())["error"]["code"] == "invalid_height"


async def test_many_keys_are_proven_at_one_height(chain: LiveChain, client: Client) -> None:
    wanted = [keys.account(ALICE.address.raw), keys.account(BOB.address.raw), b"\x01absent"]
    response = await client.post("/v1/proofs", json={"keys": [k.hex() for k in wanted]})
    body = await response.json()
    header = Header.from_fields(codec.decode(bytes.fromhex(body["header_msgpack"])))
    assert body["height"] == header.height == len(chain.blocks)
    assert [bytes.fromhex(e["key"]) for e in body["entries"]] == wanted
    for key, entry in zip(wanted, body["entries"], strict=True):
        value = None if entry["value"] is None else bytes.fromhex(entry["value"])
        proof = FlatProof.decode(bytes.fromhex(entry["proof_msgpack"]))
        assert verify_proof(header.state_root, key, value, proof)
    assert body["entries"][2]["value"] is None


async def test_bad_proof_requests_are_400(client: Client) -> None:
    for body, code in (
        ({"keys": []}, "invalid_body"),
        ({"nokeys": 1}, "invalid_body"),
        ({"keys": ["zz"]}, "invalid_state_key"),
        ({"keys": [1]}, "invalid_state_key"),
        ({"keys": ["00" * 257]}, "invalid_state_key"),
        ({"keys": ["01"] * 1001}, "invalid_body"),
    ):
        response = await client.post("/v1/proofs", json=body)
        assert response.status == 400, body
        assert (await response.json())["error"]["code"] == code
    wrong_type = await client.post("/v1/proofs", data=b"{}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status == 415
    not_json = await client.post(
        "/v1/proofs", data=b"{", headers={"Content-Type": "application/json"}
    )
    assert (await not_json.json())["error"]["code"] == "invalid_json"


async def test_validator_set_changes_are_empty_on_a_chain_without_any(client: Client) -> None:
    body = await (await client.get("/v1/validator-sets?after=0")).json()
    assert body == {"latest_height": 5, "changes": [], "next_after": None}
    bad = await client.get("/v1/validator-sets?after=x")
    assert (await bad.json())["error"]["code"] == "invalid_after"

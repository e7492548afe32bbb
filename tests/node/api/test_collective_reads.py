"""Collectives, proposals with live tallies, splits with payouts, content with moderation."""

from __future__ import annotations

from ledger.collectives import keys as col_keys
from ledger.collectives.ids import Asset
from ledger.merkle.flat import FlatProof, verify_proof
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import SplitTerms
from ledger.splits.store import split_id_for
from tests.node.api.builder import (
    ALICE,
    BOB,
    CAROL,
    CONTENT_HASH,
    GUILD,
    HRP,
    Client,
    LiveChain,
)


async def test_collective_members_holdings_and_policies(client: Client) -> None:
    body = await (await client.get(f"/v1/collectives/{GUILD.hex()}")).json()
    assert body["name"] == "Cartridge Keepers"
    assert body["member_count"] == 2
    members = {m["address"]: m["holdings"] for m in body["members"]}
    assert members[ALICE.address.to_text(HRP)] == {"shares": 10, "loot": 0}
    assert members[BOB.address.to_text(HRP)] == {"shares": 5, "loot": 1}
    assert [s["supply"] for s in body["supply"]] == [15, 1]
    kinds = {p["kind"] for p in body["policies"]}
    assert {"ADMIT", "SPEND", "SIGNAL"} <= kinds
    assert all(p["override"] is False for p in body["policies"])
    listed = await (await client.get("/v1/collectives")).json()
    assert GUILD.hex() in [c["id"] for c in listed["collectives"]]


async def test_members_see_the_holder_payouts_they_may_claim(
    chain: LiveChain, client: Client
) -> None:
    shareholders = Party(PartyKind.TOKEN_HOLDERS, Asset(GUILD, 0).raw)
    create = chain.builder.sign(CAROL, SplitCreate(None, SplitTerms((shareholders,), (1,), 1)))
    chain.commit([create])
    split_id = split_id_for(CAROL.address, create.body.nonce)
    chain.commit([chain.builder.sign(CAROL, SplitPay(split_id, 15))])
    body = await (await client.get(f"/v1/collectives/{GUILD.hex()}")).json()
    claimable = {m["address"]: m["claimable"] for m in body["members"]}
    assert claimable[ALICE.address.to_text(HRP)] == [{"class": 0, "asset": "native", "amount": 10}]
    assert claimable[BOB.address.to_text(HRP)] == [{"class": 0, "asset": "native", "amount": 5}]
    assert body["holder_pools"] == [{"class": 0, "asset": "native", "unclaimed": 15}]


async def test_collective_proof(client: Client) -> None:
    body = await (await client.get(f"/v1/collectives/{GUILD.hex()}?proof=true")).json()
    bundle = body["proof"]
    proof = FlatProof.decode(bytes.fromhex(bundle["proof_msgpack"]))
    root = bytes.fromhex(bundle["header"]["state_root"])
    value = bytes.fromhex(bundle["value"])
    assert verify_proof(root, col_keys.collective(GUILD), value, proof)


async def test_proposal_has_a_live_tally_and_a_deadline(client: Client) -> None:
    body = await (await client.get("/v1/proposals/1")).json()
    assert body["status"] == "VOTING"
    assert body["kind"] == "SIGNAL"
    assert body["metadata"] == "restore Earthbound?"
    assert body["proposer"] == ALICE.address.to_text(HRP)
    assert body["live_tally"]["options"] == {"yes": 5, "no": 0, "abstain": 0, "veto": 0}
    assert body["live_tally"]["total_power"] == 15
    assert body["next_deadline"]["what"] == "voting_ends"
    assert body["next_deadline"]["ms"] == body["end_ms"]
    assert "proof" in await (await client.get("/v1/proposals/1?proof=true")).json()
    listed = await (await client.get(f"/v1/collectives/{GUILD.hex()}/proposals")).json()
    assert [p["id"] for p in listed["proposals"]] == [1]


async def test_split_recipients_shares_and_payouts(chain: LiveChain, client: Client) -> None:
    body = await (await client.get(f"/v1/splits/{chain.split_id.hex()}")).json()
    shares = {r["party"]["id"]: r["share"] for r in body["recipients"]}
    assert shares == {BOB.address.to_text(HRP): 3, CAROL.address.to_text(HRP): 1}
    assert body["owner"] == {"kind": "ACCOUNT", "id": ALICE.address.to_text(HRP)}
    assert body["total_shares"] == 4
    payouts = await (await client.get(f"/v1/splits/{chain.split_id.hex()}/payouts")).json()
    [record] = payouts["payouts"]
    assert record["amount"] == 400
    assert record["memo"] == "first payout"
    paid = {p["party"]["id"]: p["amount"] for p in record["payouts"]}
    assert paid == {BOB.address.to_text(HRP): 300, CAROL.address.to_text(HRP): 100}
    proven = await (await client.get(f"/v1/splits/{chain.split_id.hex()}?proof=true")).json()
    assert proven["proof"]["value"] is not None


async def test_content_record_and_moderation_history(client: Client) -> None:
    body = await (await client.get(f"/v1/content/{CONTENT_HASH.hex()}?proof=true")).json()
    assert body["author"] == BOB.address.to_text(HRP)
    assert body["uri"] == "ipfs://bafy-demo"
    assert body["collective"] == GUILD.hex()
    assert body["moderation"] is None
    assert body["moderation_history"] == []
    assert body["proof"]["value"] is not None

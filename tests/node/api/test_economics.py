"""Economics reads: a collective's curation rounds and a member's standing (issue 22)."""

from __future__ import annotations

from tests.node.api.builder import ALICE, GUILD, HRP, Client


async def test_a_collective_without_rounds_lists_none(client: Client) -> None:
    body = await (await client.get(f"/v1/collectives/{GUILD.hex()}/rounds")).json()
    assert body["rounds"] == [] and body["collective"] == GUILD.hex()


async def test_an_unknown_round_is_a_404(client: Client) -> None:
    response = await client.get("/v1/rounds/7")
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "not_found"


async def test_an_unknown_matching_round_is_a_404(client: Client) -> None:
    response = await client.get("/v1/matchings/3")
    assert response.status == 404


async def test_standing_without_a_policy_is_zero(client: Client) -> None:
    address = ALICE.address.to_text(HRP)
    body = await (await client.get(f"/v1/collectives/{GUILD.hex()}/standing/{address}")).json()
    assert body["points"] == 0 and body["micro_points"] == 0 and body["policy"] is None
    assert body["member"] == address


async def test_standing_of_an_unknown_collective_is_a_404(client: Client) -> None:
    address = ALICE.address.to_text(HRP)
    response = await client.get(f"/v1/collectives/{'00' * 20}/standing/{address}")
    assert response.status == 404


async def test_a_collective_without_matching_rounds_lists_none(client: Client) -> None:
    body = await (await client.get(f"/v1/collectives/{GUILD.hex()}/matchings")).json()
    assert body["matchings"] == [] and body["collective"] == GUILD.hex()
    response = await client.get(f"/v1/collectives/{'00' * 20}/matchings")
    assert response.status == 404


async def test_economics_without_a_policy_or_schedule(client: Client) -> None:
    body = await (await client.get(f"/v1/collectives/{GUILD.hex()}/economics")).json()
    assert body["policy"] is None and body["reward_schedule"] is None
    response = await client.get(f"/v1/collectives/{'00' * 20}/economics")
    assert response.status == 404


async def test_standing_says_the_vote_bonus(client: Client) -> None:
    address = ALICE.address.to_text(HRP)
    body = await (await client.get(f"/v1/collectives/{GUILD.hex()}/standing/{address}")).json()
    assert body["vote_bonus"] == 0

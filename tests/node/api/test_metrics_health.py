"""/metrics (parsed by prometheus_client and checked by promtool), /livez and /readyz."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from pytest_aiohttp import AiohttpClient

from node.api import SigningRecord, create_app
from tests.node.api.builder import ALICE, BOB, HRP, VALIDATOR, Client, LiveChain


def _samples(text: str) -> dict[str, list[Sample]]:
    out: dict[str, list[Sample]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append(sample)
    return out


def _value(samples: dict[str, list[Sample]], name: str, **labels: str) -> float:
    for sample in samples[name]:
        if all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    raise AssertionError(f"no sample {name} {labels}")


async def _scrape(client: Client) -> str:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return await response.text()


async def test_metrics_follow_the_chain_and_the_api(chain: LiveChain, client: Client) -> None:
    await client.get("/v1/blocks/1")
    await client.get("/v1/blocks/99")
    await chain.mempool.admit(chain.builder.transfer(ALICE, BOB, 1).encode())
    chain.commit([chain.builder.transfer(BOB, ALICE, 2)])
    samples = _samples(await _scrape(client))
    assert _value(samples, "coterie_chain_height") == 6
    assert _value(samples, "coterie_consensus_height") == 6
    assert _value(samples, "coterie_mempool_txs") == 1
    assert _value(samples, "coterie_blocks_committed_total") == 1
    assert _value(samples, "coterie_txs_committed_total") == 1
    assert _value(samples, "coterie_block_interval_seconds_count") == 1
    assert _value(samples, "coterie_block_interval_seconds_sum") == 1.0
    assert _value(samples, "coterie_validators") == 1
    assert _value(samples, "coterie_syncing") == 0
    route = "/v1/blocks/{height}"
    assert _value(samples, "coterie_api_requests_total", route=route, status="200") == 1
    assert _value(samples, "coterie_api_requests_total", route=route, status="404") == 1
    assert _value(samples, "coterie_api_request_duration_seconds_count", route=route) == 2
    assert _value(samples, "coterie_build_info", chain_id=chain.genesis.chain_id) == 1


async def test_signing_counters_p2p_and_peers_appear(
    chain: LiveChain, aiohttp_client: AiohttpClient
) -> None:
    from node.p2p import MessageType, P2PStats

    stats = P2PStats(peers=2)
    stats.count_in(MessageType.VOTE, 120)
    stats.count_out(MessageType.TXS, 4000)
    ctx = dataclasses.replace(
        chain.context(),
        signing=lambda: {VALIDATOR.address.raw: SigningRecord(5, 2)},
        p2p_stats=lambda: stats,
        peers=lambda: [
            {
                "peer": "ab" * 32,
                "direction": "outbound",
                "queued_messages": 0,
                "queued_bytes": 0,
                "score": 100.0,
            }
        ],
    )
    client = await aiohttp_client(create_app(ctx))
    samples = _samples(await _scrape(client))
    validator = VALIDATOR.address.to_text(HRP)
    assert _value(samples, "coterie_validator_missed_blocks_total", validator=validator) == 2
    assert _value(samples, "coterie_validator_last_signed_height", validator=validator) == 5
    assert _value(samples, "coterie_p2p_messages_total", type="vote", direction="in") == 1
    assert _value(samples, "coterie_p2p_message_bytes_total", type="txs", direction="out") == 4000
    validators = await (await client.get("/v1/validators")).json()
    assert validators["validators"][0]["missed_blocks"] == 2
    peers = await (await client.get("/v1/peers")).json()
    assert (peers["count"], peers["peers"][0]["direction"]) == (1, "outbound")


async def test_promtool_accepts_the_metrics(chain: LiveChain, client: Client) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus; .ci/run installs it)")
    await client.get("/v1/status")
    chain.commit([chain.builder.transfer(ALICE, BOB, 1)])
    text = await _scrape(client)
    checked = subprocess.run(
        [promtool, "check", "metrics"],
        check=False,
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


async def test_livez_and_readyz(chain: LiveChain, client: Client) -> None:
    assert (await (await client.get("/livez")).json()) == {"status": "ok"}
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 200, body
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"store", "consensus", "synced", "peers"}


async def test_readyz_fails_while_far_behind(chain: LiveChain, client: Client) -> None:
    chain.status = dataclasses.replace(chain.status, syncing=True, sync_target_height=50)
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 503
    assert body["checks"]["synced"]["ok"] is False
    assert "45 blocks behind" in body["checks"]["synced"]["detail"]
    chain.status = dataclasses.replace(chain.status, sync_target_height=6)
    assert (await client.get("/readyz")).status == 200


async def test_readyz_fails_when_the_store_is_closed(chain: LiveChain, client: Client) -> None:
    chain.store.close()
    response = await client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["checks"]["store"]["ok"] is False
    assert (await client.get("/livez")).status == 200

"""After the run: every node's chain read back for the oracles, and the measured series."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from typing import Any

import aiohttp

from cli.scenario import oracles, testfault
from cli.scenario.procs import Nodes
from cli.scenario.state import Run
from ledger.keys import Address

FETCH_PARALLEL = 8


async def check_run(
    run: Run, session: aiohttp.ClientSession, urls: list[str], nodes: Nodes
) -> None:
    limit = asyncio.Semaphore(FETCH_PARALLEL)
    assert run.net is not None
    hrp = run.net.genesis.params.address_prefix
    honest = {v.public_key for v in run.net.genesis.validators}
    honest_addresses = {_address(k, hrp) for k in honest}

    async def block(url: str, h: int) -> dict[str, Any] | None:
        async with limit:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError, ValueError):
                async with session.get(
                    f"{url}/v1/blocks/{h}?txs=hashes", timeout=aiohttp.ClientTimeout(10)
                ) as r:
                    if r.status == 200:
                        b = await r.json()
                        return {
                            "hash": b["hash"],
                            "state_root": b["header"]["state_root"],
                            "tx_set": frozenset(b["txs"]),
                            "accused": sorted(_accused(b.get("evidence") or [])),
                        }
        return None

    finals: dict[str, int] = {}
    for i, url in enumerate(urls):
        name = nodes.nodes[i].moniker
        if not nodes.running(i):
            continue
        try:
            async with session.get(url + "/v1/status", timeout=aiohttp.ClientTimeout(5)) as r:
                top = int((await r.json())["latest_height"])
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError):
            continue
        finals[name] = top
        got = await asyncio.gather(*(block(url, h) for h in range(1, top + 1)))
        run.chains[name] = {h: b for h, b in zip(range(1, top + 1), got, strict=True) if b}
    testfault.inject(run, run.test_faults)
    params = run.net.genesis.params.consensus
    moving = None
    if params.create_empty_blocks and all(nodes.running(i) for i in range(len(urls))):
        window = oracles.heal_bound_s(params, 0.0, 0, restarted=False)
        end = max((s[-1][0] for s in run.samples.status.values() if s), default=0.0)
        before = oracles.best_before(run.samples.status, end - window)
        moving = (window, before, run.samples.best())
    for heal in list(run.heals):
        recovered = oracles.recovery(run.samples.status, heal.t, heal.height)
        run.heals[run.heals.index(heal)] = dataclasses.replace(heal, recovered_s=recovered)
    run.verdicts += [
        oracles.agreement(run.chains),
        oracles.durability(run.chains, run.samples.committed),
        oracles.no_evidence(run.chains, honest_addresses),
        oracles.liveness(run.heals, finals, moving),
    ]
    if run.targets:
        run.verdicts.append(await _effects(run, session, urls, nodes, list(finals)))


async def _effects(
    run: Run, session: aiohttp.ClientSession, urls: list[str], nodes: Nodes, names: list[str]
) -> oracles.Verdict:
    """Read each answering node's ballots per proposal and its split's payments."""
    pids = sorted({pid for kind, pid in run.targets.values() if kind == "vote"})
    ballots: dict[str, dict[int, int]] = {}
    payments: dict[str, int] = {}
    for i, url in enumerate(urls):
        name = nodes.nodes[i].moniker
        if name not in names:
            continue
        cast = {}
        for pid in pids:
            got = await _json(session, f"{url}/v1/proposals/{pid}")
            if got is not None:
                cast[pid] = int(got["ballots_cast"])
        ballots[name] = cast
        if run.split_id is not None:
            got = await _json(session, f"{url}/v1/splits/{run.split_id.hex()}")
            payments[name] = int(((got or {}).get("ledger") or {}).get("next_seq", -1))
    if not pids:
        ballots = {}
    return oracles.took_effect(run.targets, set(run.samples.committed), ballots, payments)


async def _json(session: aiohttp.ClientSession, url: str) -> Any:
    with contextlib.suppress(aiohttp.ClientError, TimeoutError, ValueError):
        async with session.get(url, timeout=aiohttp.ClientTimeout(10)) as r:
            return await r.json() if r.status == 200 else None
    return None


def _address(public_key: bytes, hrp: str) -> str:
    return Address.from_public_key(public_key).to_text(hrp)


def _accused(value: Any) -> set[str]:
    """Every `validator` field anywhere in a block's evidence list."""
    found: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "validator" and isinstance(v, str):
                found.add(v)
            else:
                found |= _accused(v)
    elif isinstance(value, list):
        for item in value:
            found |= _accused(item)
    return found


def run_series(run: Run) -> dict[str, Any]:
    """The run's measured series in the shared report shape (cli.scenario.series)."""
    from cli.scenario.series import block_series, tx_series

    m, s = run.manifest, run.samples
    names = {i: f"node{i}" for i in range(m.validators)}
    return {
        "source": "testnet",
        "name": m.name,
        "seed": m.seed,
        "duration_s": m.duration_s,
        "perturbations": run.applied_spans(),
        **tx_series(s.submitted, s.committed),
        "blocks": block_series(list(s.blocks.values())),
        "peers": {
            names[i]: [[round(t, 2), p] for t, _h, p, _r in pts] for i, pts in s.status.items()
        },
        "heights": {
            names[i]: [[round(t, 2), h] for t, h, _p, _r in pts] for i, pts in s.status.items()
        },
        "load": {
            "kinds": dict(run.kinds),
            "acked": len(s.acked),
            "submitted": len(s.submitted),
            "rejected": dict(s.rejected),
            "unanswered": s.unanswered,
            "rebroadcast": s.rebroadcast,
        },
        "heals": [dataclasses.asdict(h) for h in run.heals],
    }

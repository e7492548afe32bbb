"""One scenario run: a testnet in a temporary folder, load and perturbations, oracles, teardown.

Order: write the testnet (genesis funds the load's senders); route P2P through the link proxies
when the manifest partitions or shapes the network; mount the small disks; start every node;
pre-sign the load while they boot; wait until each has committed a block and sees its peers;
then run the load, the timeline and the pollers for `duration_s`, let acknowledged txs commit for
up to `drain_s`, read every node's chain for the oracles, and tear everything down (processes,
proxies, mounts) whatever happened, Ctrl-C and SIGTERM included.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import signal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from cli.bench import load
from cli.scenario import oracles
from cli.scenario.links import Links, Shape
from cli.scenario.manifest import Manifest, Perturbation
from cli.scenario.observe import Samples, follow_blocks, poll_status, submit_load
from cli.scenario.procs import DiskError, Nodes, SmallDisk, wait_gone
from cli.testnet_run import NodeProcess
from ledger.keys import Address
from node.config import LOOPBACK, Peer, load_config
from node.config_render import render_config
from node.ports import free_ports
from node.testnet import LocalTestnet, init_testnet

CHAIN_ID = "coterie-scenario"
READY_S = 120.0
MAX_SENDERS = 500
FETCH_PARALLEL = 8


class ScenarioError(RuntimeError):
    """The scenario could not be run (the testnet did not start, ...)."""


@dataclass
class Run:
    manifest: Manifest
    say: Callable[[str], None]
    samples: Samples = field(default_factory=Samples)
    heals: list[oracles.Heal] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    applied: list[dict[str, Any]] = field(default_factory=list)
    chains: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    verdicts: list[oracles.Verdict] = field(default_factory=list)
    net: LocalTestnet | None = None

    def applied_spans(self) -> list[dict[str, Any]]:
        """The perturbations that ran (not the skipped ones), once each."""
        seen: list[dict[str, Any]] = []
        for entry in self.applied:
            if entry not in seen:
                seen.append(entry)
        return seen


def run_scenario(manifest: Manifest, say: Callable[[str], None]) -> Run:
    """Run `manifest` end to end; the answer holds the samples, the chains and the verdicts."""
    run = Run(manifest, say)
    keys = load.sender_keys(max(1, min(MAX_SENDERS, int(manifest.rate * manifest.duration_s))))
    with tempfile.TemporaryDirectory(prefix="coterie-scenario-") as tmp:
        net = init_testnet(
            Path(tmp) / "net",
            manifest.validators,
            chain_id=CHAIN_ID,
            funded=[k.address for k in keys],
            powers=manifest.powers,
            **manifest.genesis,  # type: ignore[arg-type]
        )
        run.net = net
        nodes = Nodes([NodeProcess(n.moniker, n.home, n.api_url) for n in net.nodes])
        links = _links(manifest, net) if manifest.needs_links else None
        disks = _disks(manifest, net, run)
        if manifest.clock_offset is not None:
            _set_clock(net, *manifest.clock_offset)
            node, ms = manifest.clock_offset
            label = f"clock node{node} {ms:+} ms"
            run.applied.append({"kind": "clock-offset", "label": label, "start": 0.0, "end": None})
        try:
            asyncio.run(_main(run, net, nodes, links, keys))
        except asyncio.CancelledError:  # SIGTERM cancelled the run: torn down below all the same
            raise ScenarioError("stopped by SIGTERM: every node and link was stopped") from None
        finally:
            nodes.stop_all()
            for disk in disks.values():
                disk.unmount()
        mounted = [str(d.data) for d in disks.values() if _is_mounted(d.data)]
        run.verdicts.append(oracles.clean_teardown(wait_gone(nodes.groups), mounted))
    return run


def _links(manifest: Manifest, net: LocalTestnet) -> Links:
    n = manifest.validators
    links = Links(
        [node.p2p.port for node in net.nodes], free_ports(n * (n - 1), LOOPBACK), manifest.seed
    )
    for a, node in enumerate(net.nodes):
        config = load_config(node.home / "config" / "config.toml")
        peers = tuple(
            Peer(other.node_key, LOOPBACK, links.port(a, b))
            for b, other in enumerate(net.nodes)
            if b != a
        )
        config = dataclasses.replace(config, p2p=dataclasses.replace(config.p2p, peers=peers))
        _write_config(node.home, config, net)
    return links


def _set_clock(net: LocalTestnet, node: int, offset_ms: int) -> None:
    home = net.nodes[node].home
    config = load_config(home / "config" / "config.toml")
    testing = dataclasses.replace(config.testing, clock_offset_ms=offset_ms)
    _write_config(home, dataclasses.replace(config, testing=testing), net)


def _write_config(home: Path, config: Any, net: LocalTestnet) -> None:
    (home / "config" / "config.toml").write_text(
        render_config(config, net.genesis.params.consensus)
    )


def _disks(manifest: Manifest, net: LocalTestnet, run: Run) -> dict[int, SmallDisk]:
    disks: dict[int, SmallDisk] = {}
    for p in manifest.perturbations:
        if p.kind != "disk-full" or p.nodes[0] in disks:
            continue
        disk = SmallDisk(net.nodes[p.nodes[0]].home / "data")
        try:
            disk.mount()
        except (DiskError, OSError) as exc:
            run.skipped.append(f"{p.label} skipped: {exc}")
            run.say(f"skipping {p.label}: {exc}")
            continue
        disks[p.nodes[0]] = disk
    return disks


def _is_mounted(path: Path) -> bool:
    with contextlib.suppress(OSError):
        lines = Path("/proc/mounts").read_text().splitlines()
        return any(line.split()[1] == str(path) for line in lines)
    return False


async def _main(
    run: Run, net: LocalTestnet, nodes: Nodes, links: Links | None, keys: list[Any]
) -> None:
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    loop.add_signal_handler(signal.SIGTERM, main.cancel)
    try:
        if links is not None:
            await links.start()
        m = run.manifest
        run.say(f"starting {m.validators} validators")
        for i in range(len(nodes.nodes)):
            nodes.start(i)
        total = int(m.rate * m.duration_s)
        run.say(f"pre-signing {total:,} transfers from {len(keys)} senders")
        batches = load.batches(load.presign(net.genesis, keys, total), len(nodes.nodes), m.batch)
        urls = [n.api_url for n in net.nodes]
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await _wait_ready(session, urls, nodes)
            run.samples = samples = Samples()
            stop = asyncio.Event()
            pollers = [
                asyncio.create_task(poll_status(session, urls, samples, stop)),
                asyncio.create_task(follow_blocks(session, urls, samples, stop)),
            ]
            try:
                run.say(f"running {m.name}: {m.rate:g} tx/s for {m.duration_s:g} s")
                live = lambda i: nodes.running(i) and i not in nodes.paused  # noqa: E731
                await asyncio.gather(
                    submit_load(session, urls, batches, m.rate, samples, live, stop),
                    _timeline(run, nodes, links),
                )
                run.say(f"waiting up to {m.drain_s:g} s for acknowledged txs to commit")
                await _drain(samples, m.drain_s, stop)
                await _await_heals(run, stop)
            finally:
                stop.set()
                await asyncio.gather(*pollers, return_exceptions=True)
            run.say("reading every node's chain for the oracles")
            await _check(run, session, urls, nodes)
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        if links is not None:
            await links.close()


async def _wait_ready(session: aiohttp.ClientSession, urls: list[str], nodes: Nodes) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_S
    while loop.time() < deadline:
        for i, node in enumerate(nodes.nodes):
            if not nodes.running(i):
                raise ScenarioError(f"{node.moniker} exited with code {node.exit_code} at start")
        ready = 0
        for url in urls:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError, ValueError, KeyError):
                async with session.get(url + "/v1/status", timeout=aiohttp.ClientTimeout(1)) as r:
                    s = await r.json()
                if int(s["latest_height"]) >= 1 and int(s["peers"]) >= len(urls) - 1:
                    ready += 1
        if ready == len(urls):
            return
        await asyncio.sleep(0.2)
    raise ScenarioError(f"the validators did not start committing within {READY_S:.0f} s")


async def _timeline(run: Run, nodes: Nodes, links: Links | None) -> None:
    """Each perturbation's start at `at` and its end at `until`, in time order (bounded by the
    manifest's event count), then the end of the run at `duration_s`."""
    m = run.manifest
    steps: list[tuple[float, int, bool, Perturbation]] = []
    for k, p in enumerate(m.perturbations):
        steps.append((p.at, k, True, p))
        if p.until is not None:
            steps.append((p.until, k, False, p))
    steps.sort(key=lambda s: (s[0], s[2]))  # ends before starts at the same instant
    started: dict[int, tuple[float, int]] = {}
    for t, k, begin, p in steps:
        await asyncio.sleep(max(0.0, t - run.samples.now()))
        if any(p.label in s for s in run.skipped):
            continue
        if begin:
            run.say(f"{t:6.1f} s  {p.label}")
            started[k] = (run.samples.now(), run.samples.best())
            _begin(p, nodes, links)
        else:
            run.say(f"{t:6.1f} s  end of {p.label}")
            for i in p.nodes:
                if p.kind != "kill" and not nodes.running(i):
                    note = f"node{i} had exited (code {nodes.nodes[i].exit_code}) during {p.label}"
                    run.say(note)
                    run.notes.append(note)
            restarted = _end(p, nodes, links)
            t0, _h = started.get(k, (t, 0))
            now = run.samples.now()
            bound = oracles.heal_bound_s(_params(run), now - t0, run.samples.round_now(), restarted)
            run.heals.append(oracles.Heal(f"end of {p.label}", now, run.samples.best(), bound))
        run.applied.append({"kind": p.kind, "label": p.label, "start": p.at, "end": p.until})
    await asyncio.sleep(max(0.0, m.duration_s - run.samples.now()))


def _params(run: Run) -> Any:
    assert run.net is not None
    return run.net.genesis.params.consensus


def _begin(p: Perturbation, nodes: Nodes, links: Links | None) -> None:
    if p.kind == "kill":
        for i in p.nodes:
            nodes.kill(i)
    elif p.kind == "pause":
        for i in p.nodes:
            nodes.pause(i)
    elif p.kind == "partition" and links is not None:
        links.partition(p.groups)
    elif p.kind == "netem" and links is not None:
        links.shape(p.nodes, Shape(p.delay_ms, p.jitter_ms, p.loss_pct))
    elif p.kind == "disk-full":
        disk = SmallDisk(nodes.nodes[p.nodes[0]].home / "data", mounted=True)
        disk.fill()


def _end(p: Perturbation, nodes: Nodes, links: Links | None) -> bool:
    """End `p`; answers whether a node process was (re)started."""
    restarted = False
    if p.kind == "kill":
        for i in p.nodes:
            nodes.start(i)
        restarted = True
    elif p.kind == "pause":
        for i in p.nodes:
            nodes.resume(i)
    elif p.kind == "partition" and links is not None:
        links.heal()
    elif p.kind == "netem" and links is not None:
        links.clear_shape()
    elif p.kind == "disk-full":
        i = p.nodes[0]
        SmallDisk(nodes.nodes[i].home / "data", mounted=True).free()
        if not nodes.running(i):  # a node that stopped on a full disk is restarted
            nodes.start(i)
            restarted = True
    return restarted


async def _drain(samples: Samples, seconds: float, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline and not stop.is_set():
        if all(h in samples.committed for h in samples.acked):
            return
        await asyncio.sleep(0.25)


async def _await_heals(run: Run, stop: asyncio.Event) -> None:
    """Keep watching until every heal has recovered or its bound has passed: the liveness
    oracle judges each heal within its bound, so the run must last that long."""
    deadline = max((h.t + h.bound_s for h in run.heals), default=0.0)
    if deadline > run.samples.now():
        run.say(f"watching the heals' recovery for up to {deadline - run.samples.now():.0f} s")
    while run.samples.now() < deadline and not stop.is_set():
        if all(oracles.recovery(run.samples.status, h.t, h.height) is not None for h in run.heals):
            return
        await asyncio.sleep(0.25)


async def _check(run: Run, session: aiohttp.ClientSession, urls: list[str], nodes: Nodes) -> None:
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
    for heal in list(run.heals):
        recovered = oracles.recovery(run.samples.status, heal.t, heal.height)
        run.heals[run.heals.index(heal)] = dataclasses.replace(heal, recovered_s=recovered)
    run.verdicts += [
        oracles.agreement(run.chains),
        oracles.durability(run.chains, run.samples.committed),
        oracles.no_evidence(run.chains, honest_addresses),
        oracles.liveness(run.heals, finals),
    ]


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
            "acked": len(s.acked),
            "submitted": len(s.submitted),
            "rejected": dict(s.rejected),
            "unanswered": s.unanswered,
        },
        "heals": [dataclasses.asdict(h) for h in run.heals],
    }

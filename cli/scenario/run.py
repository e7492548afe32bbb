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
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import aiohttp

from cli.bench import load
from cli.scenario import load as scenario_load
from cli.scenario import oracles, setup, testfault
from cli.scenario.collect import check_run
from cli.scenario.manifest import Manifest
from cli.scenario.network import Fabric, build
from cli.scenario.observe import (
    Samples,
    follow_blocks,
    poll_status,
    rebroadcast,
    submit_load,
)
from cli.scenario.procs import DiskError, Nodes, SmallDisk, wait_gone
from cli.scenario.state import Run, ScenarioError
from cli.scenario.timeline import run_timeline
from cli.testnet_run import NodeProcess
from ledger.hashing import digest
from node.config_parse import load_config
from node.config_render import render_config
from node.testnet import LocalTestnet, init_testnet

CHAIN_ID = "coterie-scenario"
READY_S = 120.0
MAX_SENDERS = 500
FETCH_PARALLEL = 8


def run_scenario(manifest: Manifest, say: Callable[[str], None], network: str = "loopback") -> Run:
    """Run `manifest` end to end on the `network` back-end (cli.scenario.network); the answer
    holds the samples, the chains and the verdicts."""
    run = Run(manifest, say, test_faults=testfault.requested())
    if run.test_faults:
        say(f"test faults on ({testfault.ENV}): {', '.join(run.test_faults)}")
    keys = load.sender_keys(max(1, min(MAX_SENDERS, int(manifest.rate * manifest.duration_s))))
    plan = scenario_load.draw(
        len(keys), int(manifest.rate * manifest.duration_s), manifest.mix, manifest.seed
    )
    treasury = scenario_load.genesis_collectives(manifest.mix)
    pre = setup.plan(setup.votes_needed(plan), manifest.mix.get("split-pay", 0) > 0, len(treasury))
    with tempfile.TemporaryDirectory(prefix="coterie-scenario-") as tmp:
        net = init_testnet(
            Path(tmp) / "net",
            manifest.validators,
            chain_id=CHAIN_ID,
            funded=[k.address for k in keys] + setup.funded(pre),
            powers=manifest.powers,
            collectives=treasury + tuple(setup.genesis_collectives(pre, [k.address for k in keys])),
            **manifest.genesis,  # type: ignore[arg-type]
        )
        fabric, net = build(manifest, net, network, say)
        run.net, run.network = net, fabric.label
        nodes = Nodes(
            [
                NodeProcess(n.moniker, n.home, n.api_url, wrapper=fabric.wrapper(i))
                for i, n in enumerate(net.nodes)
            ]
        )
        disks: dict[int, SmallDisk] = {}
        previous = _handle(signal.SIGTERM, _terminate)
        try:
            if manifest.clock_offset is not None:
                _set_clock(net, *manifest.clock_offset)
                node, ms = manifest.clock_offset
                label = f"clock node{node} {ms:+} ms"
                run.applied.append(
                    {"kind": "clock-offset", "label": label, "start": 0.0, "end": None}
                )
            _disks(manifest, net, run, disks)
            asyncio.run(_main(run, net, nodes, fabric, keys, (plan, pre)))
        except (asyncio.CancelledError, _TerminatedError):  # SIGTERM: torn down below all the same
            raise ScenarioError("stopped by SIGTERM: every node and link was stopped") from None
        finally:  # a second Ctrl-C or SIGTERM must not cut the teardown short (at most ~10 s)
            held = {sig: _handle(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
            nodes.stop_all()
            fabric.teardown()
            for disk in disks.values():
                disk.unmount()
            for sig, handler in held.items():
                _handle(sig, handler)
            _handle(signal.SIGTERM, previous)
        mounted = [str(d.data) for d in disks.values() if _is_mounted(d.data)]
        run.verdicts.append(oracles.clean_teardown(wait_gone(nodes.groups), mounted))
    return run


def _set_clock(net: LocalTestnet, node: int, offset_ms: int) -> None:
    home = net.nodes[node].home
    config = load_config(home / "config" / "config.toml")
    testing = dataclasses.replace(config.testing, clock_offset_ms=offset_ms)
    _write_config(home, dataclasses.replace(config, testing=testing), net)


def _write_config(home: Path, config: Any, net: LocalTestnet) -> None:
    (home / "config" / "config.toml").write_text(
        render_config(config, net.genesis.params.consensus)
    )


class _TerminatedError(Exception):
    """SIGTERM outside the event loop (while the testnet is set up or torn down)."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise _TerminatedError


def _handle(sig: signal.Signals, handler: Any) -> Any:
    """`signal.signal`, where it may be called (the main thread only); the previous handler."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(sig, handler) if handler is not None else None


def _disks(manifest: Manifest, net: LocalTestnet, run: Run, disks: dict[int, SmallDisk]) -> None:
    """Mount the small disks into `disks` (filled in as they mount, for the teardown)."""
    for p in manifest.perturbations:
        if p.kind != "disk-full" or p.nodes[0] in disks:
            continue
        disk = disks[p.nodes[0]] = SmallDisk(net.nodes[p.nodes[0]].home / "data")
        try:
            disk.mount()
        except (DiskError, OSError) as exc:
            if not disk.mounted:
                del disks[p.nodes[0]]
            run.skipped.append(f"{p.label} skipped: {exc}")
            run.say(f"skipping {p.label}: {exc}")


def _is_mounted(path: Path) -> bool:
    with contextlib.suppress(OSError):
        lines = Path("/proc/mounts").read_text().splitlines()
        return any(line.split()[1] == str(path) for line in lines)
    return False


async def _main(  # noqa: PLR0917
    run: Run,
    net: LocalTestnet,
    nodes: Nodes,
    fabric: Fabric,
    keys: list[Any],
    load_plan: tuple[list[tuple[int, str]], setup.Prereqs],
) -> None:
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    loop.add_signal_handler(signal.SIGTERM, main.cancel)
    try:
        await fabric.start()
        m = run.manifest
        run.say(f"starting {m.validators} validators")
        for i in range(len(nodes.nodes)):
            nodes.start(i)
        plan, pre = load_plan
        urls = [n.api_url for n in net.nodes]
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            await _wait_ready(session, urls, nodes)
            if pre.split_id is not None or pre.proposals_per_voter:
                run.say(
                    f"setting up the load: {pre.collectives(len(keys))} voting collectives with "
                    f"{pre.proposals_per_voter} open proposals each"
                    + (", a split" if pre.split_id is not None else "")
                )
                await setup.make(pre, net.genesis, len(keys), session, urls[0])
            run.say(f"pre-signing {len(plan):,} txs from {len(keys)} senders")
            signed, run.kinds = scenario_load.presign(net.genesis, keys, plan, pre)
            run.targets = scenario_load.targets(signed, plan, pre)
            run.split_id = pre.split_id
            batches = load.batches(signed, len(nodes.nodes), m.batch)
            run.samples = samples = Samples()
            stop = asyncio.Event()
            live = lambda i: nodes.running(i) and i not in nodes.paused  # noqa: E731
            raws = {digest(raw).hex(): (sender % len(urls), raw) for sender, raw in signed}
            pollers = [
                asyncio.create_task(poll_status(session, urls, samples, stop)),
                asyncio.create_task(follow_blocks(session, urls, samples, stop)),
                asyncio.create_task(rebroadcast(session, urls, raws, samples, live, stop)),
            ]
            try:
                run.say(f"running {m.name}: {m.rate:g} tx/s for {m.duration_s:g} s")
                await asyncio.gather(
                    submit_load(session, urls, batches, m.rate, samples, live, stop),
                    run_timeline(run, nodes, fabric.network),
                )
                run.say(f"waiting up to {m.drain_s:g} s for the txs sent to commit")
                await _drain(samples, m.drain_s, stop)
                await _await_heals(run, stop)
            finally:
                stop.set()
                await asyncio.gather(*pollers, return_exceptions=True)
            run.say("reading every node's chain for the oracles")
            await check_run(run, session, urls, nodes)
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        await fabric.close()


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


async def _drain(samples: Samples, seconds: float, stop: asyncio.Event) -> None:
    """Until every tx sent (and not refused) is committed, or `seconds` have passed: a tx lost
    with a mempool comes back through `rebroadcast`, so it may still commit here."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline and not stop.is_set():
        if all(h in samples.committed or h in samples.refused for h in samples.submitted):
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

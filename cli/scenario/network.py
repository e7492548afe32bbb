"""Where the scenario's nodes run and how their links are shaped and cut: the network back-end.

- `loopback`: the nodes listen on 127.0.0.1, a port each; the link proxies
  (cli/scenario/links.py) shape and cut the links when the manifest partitions or shapes.
- `netns` with netem: each node in its own namespace at 10.S.0.i:26656 (P2P) and 10.S.1.i:26657
  (API); `tc netem` on each node's interface shapes, blackhole routes cut (cli/scenario/netns.py).
- `netns` without netem: the same namespaces; a manifest that shapes links goes through the link
  proxies, listening on the bridge address in the root namespace; one that only partitions is
  cut by blackhole routes as with netem (routes need no netem).

`auto` takes namespaces with netem where the kernel has it, namespaces with the proxies where it
has namespaces only, and loopback where namespaces are refused (not root); the run says which
and why. `netns` stops the run with the reason where namespaces cannot be made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cli.scenario.links import Links, Network
from cli.scenario.manifest import Manifest
from cli.scenario.netns import API_PORT, P2P_PORT, Namespaces, NetnsError, probe
from cli.scenario.state import ScenarioError
from node.config import LOOPBACK, ListenAddress, Peer
from node.config_parse import load_config
from node.config_render import render_config
from node.ports import free_ports
from node.testnet import LocalTestnet

NETWORKS = ("loopback", "netns", "auto")


@dataclass
class Fabric:
    """The back-end of one run: its label, the proxies and the namespaces it made."""

    label: str
    links: Links | None = None
    spaces: Namespaces | None = None

    @property
    def network(self) -> Network | None:
        """What the timeline shapes and cuts: the proxies when there are any, else the
        namespaces' routes and qdiscs (None on loopback without proxies)."""
        return self.links if self.links is not None else self.spaces

    def wrapper(self, i: int) -> tuple[str, ...]:
        return () if self.spaces is None else self.spaces.wrapper(i)

    async def start(self) -> None:
        if self.links is not None:
            await self.links.start()

    async def close(self) -> None:
        if self.links is not None:
            await self.links.close()

    def teardown(self) -> None:
        """After the nodes stopped: remove the namespaces and bridges (never raises)."""
        if self.spaces is not None:
            self.spaces.close()


def build(
    manifest: Manifest, net: LocalTestnet, network: str, say: Callable[[str], None]
) -> tuple[Fabric, LocalTestnet]:
    """Make the back-end `network` for `net` and write each node's listen addresses and peers
    to its config; answers the back-end and the testnet with the nodes' new addresses."""
    if network not in NETWORKS:
        raise ScenarioError(f"unknown network {network!r} (known: {', '.join(NETWORKS)})")
    if network == "loopback":
        return _loopback(manifest, net, "loopback, link proxies", say), net
    no_netns, no_netem = probe()
    if no_netns is not None:
        if network == "netns":
            raise ScenarioError(f"cannot make network namespaces: {no_netns}")
        say(f"network namespaces refused ({no_netns}): running on 127.0.0.1")
        return _loopback(manifest, net, "loopback, link proxies (no namespaces)", say), net
    spaces = Namespaces(manifest.validators, netem=no_netem is None)
    try:
        spaces.create()
        fabric, net = _namespaced(manifest, net, spaces)
    except (NetnsError, OSError) as exc:
        spaces.close()
        raise ScenarioError(f"cannot set up the namespaces: {exc}") from None
    except BaseException:  # Ctrl-C while they are made: nothing may be left behind
        spaces.close()
        raise
    if no_netem is not None:
        say(f"no tc netem here ({no_netem})")
    say(f"network: {fabric.label}, nodes at 10.{spaces.octet}.0.1-{manifest.validators}")
    return fabric, net


def _loopback(
    manifest: Manifest, net: LocalTestnet, label: str, say: Callable[[str], None]
) -> Fabric:
    if not manifest.needs_links:
        say("network: loopback, direct")
        return Fabric("loopback, direct")
    n = manifest.validators
    links = Links(
        [node.p2p.port for node in net.nodes], free_ports(n * (n - 1), LOOPBACK), manifest.seed
    )
    for a, node in enumerate(net.nodes):
        peers = tuple(
            Peer(other.node_key, LOOPBACK, links.port(a, b))
            for b, other in enumerate(net.nodes)
            if b != a
        )
        _configure(node.home, net, peers=peers)
    say(f"network: {label}")
    return Fabric(label, links=links)


def _namespaced(
    manifest: Manifest, net: LocalTestnet, spaces: Namespaces
) -> tuple[Fabric, LocalTestnet]:
    n = manifest.validators
    shapes = any(p.kind == "netem" for p in manifest.perturbations)
    proxied = shapes and not spaces.netem  # partitions alone are blackhole routes, netem or not
    links = None
    if proxied:
        links = Links(
            [P2P_PORT] * n,
            free_ports(n * (n - 1), LOOPBACK),
            manifest.seed,
            listen_host=spaces.bridge_host,
            targets=[spaces.p2p_host(b) for b in range(n)],
        )
    nodes = []
    for a, node in enumerate(net.nodes):
        peers = tuple(
            Peer(other.node_key, spaces.bridge_host, links.port(a, b))
            if links is not None
            else Peer(other.node_key, spaces.p2p_host(b), P2P_PORT)
            for b, other in enumerate(net.nodes)
            if b != a
        )
        api = ListenAddress(spaces.api_host(a), API_PORT)
        p2p = ListenAddress(spaces.p2p_host(a), P2P_PORT)
        _configure(node.home, net, peers=peers, api=api, p2p=p2p)
        nodes.append(dataclasses.replace(node, api=api, p2p=p2p))
    if proxied:
        label = "network namespaces, link proxies"
    elif shapes:
        label = "network namespaces, tc netem"
    else:
        label = "network namespaces, blackhole routes"
    return Fabric(label, links=links, spaces=spaces), dataclasses.replace(net, nodes=tuple(nodes))


def _configure(
    home: Path,
    net: LocalTestnet,
    peers: tuple[Peer, ...],
    api: ListenAddress | None = None,
    p2p: ListenAddress | None = None,
) -> None:
    """Rewrite one node's `[p2p] peers` (and the P2P and API listen addresses when given)."""
    path = home / "config" / "config.toml"
    config = load_config(path)
    p2p_config = dataclasses.replace(
        config.p2p, peers=peers, listen=p2p if p2p is not None else config.p2p.listen
    )
    api_config = dataclasses.replace(
        config.api, listen=api if api is not None else config.api.listen
    )
    config = dataclasses.replace(config, p2p=p2p_config, api=api_config)
    path.write_text(render_config(config, net.genesis.params.consensus))

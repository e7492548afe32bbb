"""Validators in network namespaces: each node its own network stack, addresses and ports.

    root namespace                                namespace cot-<tag>-<i> (one per node)
    bridge cb<tag>p  10.S.0.254/24  <-- veth -->  p2p  10.S.0.<i+1>   P2P listens here (26656)
    bridge cb<tag>c  10.S.1.254/24  <-- veth -->  ctl  10.S.1.<i+1>   API listens here (26657)

Two interfaces per node: peer traffic goes over `p2p` (shaped and cut), the runner's API calls
over `ctl` (never shaped), so the load and the pollers see the chain, not the shaping. Every node
uses the operator's default ports, as on separate hosts. `S` is a free second octet of 10/8.

Two ways to shape and cut the peer links (`Namespaces.netem`):
- `tc netem` on each node's `p2p` interface (egress: a packet leaving a node waits `delay +-
  jitter` and is dropped with `loss_pct`, so the round trip between two shaped nodes is twice the
  delay and loss is real packet loss that TCP retransmits). A partition is a blackhole route in
  each node's namespace to every address on the other side: packets vanish, open connections
  stall until a timeout notices, as when a real link is cut.
- where the kernel has no netem and the manifest shapes links, the nodes dial each other through
  the user-space link proxies (cli/scenario/links.py) listening on the bridge address in the root
  namespace; partitions alone are still blackhole routes.

Namespaces, bridges and veths are removed by `close` (deleting a namespace deletes its veth end,
which deletes the pair). Creating them needs root (CAP_NET_ADMIN); `probe` says why it cannot.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field

from cli.scenario.links import Shape

P2P_PORT = 26656
API_PORT = 26657
BRIDGE_HOST = 254
OCTETS = range(200, 250)
IP_SECONDS = 10.0


class NetnsError(RuntimeError):
    """A namespace, link, route or qdisc could not be made (the command's answer is the message)."""


def ip(*args: str, netns: str | None = None) -> str:
    """Run `ip ARGS` (inside `netns` when given); answers its output, raises NetnsError."""
    cmd = ["ip", *(("-n", netns) if netns else ()), *args]
    return _run(cmd)


def tc(netns: str, *args: str) -> str:
    return _run(["ip", "netns", "exec", netns, "tc", *args])


def _run(cmd: Sequence[str]) -> str:
    try:
        done = subprocess.run(
            list(cmd), capture_output=True, text=True, check=False, timeout=IP_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NetnsError(f"{' '.join(cmd)}: {exc}") from None
    if done.returncode != 0:
        raise NetnsError(f"{' '.join(cmd)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def probe() -> tuple[str | None, str | None]:
    """(why namespaces cannot be used, why netem cannot be used): None where it works."""
    name = f"cot-probe-{os.getpid()}"
    try:
        ip("netns", "add", name)
    except NetnsError as exc:
        return str(exc), "no namespaces"
    try:
        ip("link", "set", "lo", "up", netns=name)
        tc(name, "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms")
        return None, None
    except NetnsError as exc:
        return None, str(exc)
    finally:
        with contextlib.suppress(NetnsError):
            ip("netns", "del", name)


def _free_octet(skip: set[int]) -> int:
    used = ip("-4", "route", "show") + ip("-4", "addr", "show")
    start = os.getpid() % len(OCTETS)
    for k in range(len(OCTETS)):
        octet = OCTETS[(start + k) % len(OCTETS)]
        if octet not in skip and f"10.{octet}." not in used:
            return octet
    raise NetnsError("no free 10.x.0.0/16 for the namespaces' bridges")


def _shared(octet: int, bridges: tuple[str, ...]) -> bool:
    """True if an interface other than `bridges` also has an address in 10.octet/16 (another
    run picked the same octet at the same moment: the root namespace's routes would be
    ambiguous)."""
    for line in ip("-4", "-o", "addr", "show").splitlines():
        fields = line.split()
        if len(fields) > 3 and fields[3].startswith(f"10.{octet}.") and fields[1] not in bridges:
            return True
    return False


@dataclass
class Namespaces:
    """`count` namespaces on two bridges; `netem` picks how links are shaped and cut."""

    count: int
    netem: bool
    tag: str = field(default_factory=lambda: f"{os.getpid() % 0x10000:04x}")
    octet: int = 0
    made: list[str] = field(default_factory=list)  # namespaces and bridges, for `close`
    blackholes: list[tuple[str, str]] = field(default_factory=list)  # (namespace, address)
    shaped: set[int] = field(default_factory=set)

    def name(self, i: int) -> str:
        return f"cot-{self.tag}-{i}"

    def p2p_host(self, i: int) -> str:
        return f"10.{self.octet}.0.{i + 1}"

    def api_host(self, i: int) -> str:
        return f"10.{self.octet}.1.{i + 1}"

    @property
    def bridge_host(self) -> str:
        """Where the link proxies listen (root namespace, on the P2P bridge)."""
        return f"10.{self.octet}.0.{BRIDGE_HOST}"

    def wrapper(self, i: int) -> tuple[str, ...]:
        """The command prefix that runs a process in node `i`'s namespace."""
        return ("ip", "netns", "exec", self.name(i))

    def create(self) -> None:
        bridges = (f"cb{self.tag}p", f"cb{self.tag}c")
        for bridge in bridges:
            ip("link", "add", bridge, "type", "bridge")
            self.made.append(bridge)
            ip("link", "set", bridge, "up")
        tried: set[int] = set()
        while True:  # bounded: each pass tries a new octet, _free_octet raises when none is left
            self.octet = _free_octet(tried)
            tried.add(self.octet)
            for plane, bridge in enumerate(bridges):
                ip("addr", "add", f"10.{self.octet}.{plane}.{BRIDGE_HOST}/24", "dev", bridge)
            if not _shared(self.octet, bridges):
                break
            for bridge in bridges:
                ip("addr", "flush", "dev", bridge)
        for i in range(self.count):
            ns = self.name(i)
            ip("netns", "add", ns)
            self.made.append(ns)
            ip("link", "set", "lo", "up", netns=ns)
            for plane, inner in enumerate(("p2p", "ctl")):
                outer = f"cv{self.tag}{i}{'pc'[plane]}"
                ip("link", "add", outer, "type", "veth", "peer", "name", inner, "netns", ns)
                ip("link", "set", outer, "master", f"cb{self.tag}{'pc'[plane]}", "up")
                ip("addr", "add", f"10.{self.octet}.{plane}.{i + 1}/24", "dev", inner, netns=ns)
                ip("link", "set", inner, "up", netns=ns)

    def close(self) -> None:
        """Remove every namespace and bridge made (their veths go with them); never raises."""
        for thing in reversed(self.made):
            with contextlib.suppress(NetnsError):
                if thing.startswith("cot-"):
                    ip("netns", "del", thing)
                else:
                    ip("link", "del", thing)
        self.made.clear()

    # -- the scenario's network (cli.scenario.links.Network), when netem shapes it -----------

    def partition(self, groups: tuple[tuple[int, ...], ...]) -> None:
        side = {n: k for k, g in enumerate(groups) for n in g}
        for a in range(self.count):
            for b in range(self.count):
                if a != b and side.get(a, -1) != side.get(b, -2):
                    ip("route", "add", "blackhole", f"{self.p2p_host(b)}/32", netns=self.name(a))
                    self.blackholes.append((self.name(a), self.p2p_host(b)))

    def heal(self) -> None:
        for ns, host in self.blackholes:
            with contextlib.suppress(NetnsError):
                ip("route", "del", "blackhole", f"{host}/32", netns=ns)
        self.blackholes.clear()

    def shape(self, nodes: tuple[int, ...], shape: Shape) -> None:
        args = ["delay", f"{shape.delay_ms}ms"]
        if shape.jitter_ms:
            args.append(f"{shape.jitter_ms}ms")
        if shape.loss_pct:
            args += ["loss", f"{shape.loss_pct:g}%"]
        for i in nodes:
            tc(self.name(i), "qdisc", "replace", "dev", "p2p", "root", "netem", *args)
            self.shaped.add(i)

    def clear_shape(self) -> None:
        for i in sorted(self.shaped):
            with contextlib.suppress(NetnsError):
                tc(self.name(i), "qdisc", "del", "dev", "p2p", "root")
        self.shaped.clear()

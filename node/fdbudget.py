"""The node's file-descriptor budget: how many sockets each port may hold.

At start the soft `RLIMIT_NOFILE` is raised to the hard one (the common 1,024 soft limit is a
default, not a choice). Then the limit is shared out:

    limit = reserved_fds                 the node's own files: LevelDB (its table cache is capped
                                         at ledger.store's MAX_OPEN_FILES), WAL, sign state,
                                         key files, logs, verifier pipes, the event loop
          + 2 * BACKLOG                  sockets accepted in one wake-up before the cap applies
          + outbound peers               our own dials (one per configured peer)
          + API connections + P2P inbound connections (shared pool + reserved pool)

When the configured caps do not fit, they are scaled down together (each keeps at least one
slot) and the node logs at WARNING what it uses; when not even the reserve fits, the node
refuses to start. So a socket flood can fill the caps but never the descriptors the node needs
to write its sign state, WAL or database (issue 14).
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass

from node.config import NodeConfig
from node.netguard import BACKLOG

log = logging.getLogger(__name__)

UNLIMITED_TARGET = 1 << 20  # what "unlimited" becomes (Linux refuses more than nr_open)


def raise_open_file_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = UNLIMITED_TARGET if hard == resource.RLIM_INFINITY else hard
    if soft == resource.RLIM_INFINITY:
        return UNLIMITED_TARGET
    if soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.warning("cannot raise the open-file limit from %d to %d: %s", soft, target, exc)
    return soft


@dataclass(frozen=True, slots=True)
class FdPlan:
    """Socket caps that fit the open-file limit."""

    limit: int
    api_connections: int
    p2p_connections: int
    p2p_reserved: int
    scaled: bool

    @property
    def sockets(self) -> int:
        return self.api_connections + self.p2p_connections + self.p2p_reserved


class FdBudgetError(ValueError):
    """The open-file limit does not leave room for the reserve and one socket per port."""


def plan(
    limit: int,
    *,
    reserved_fds: int,
    outbound: int,
    api_connections: int,
    p2p_connections: int,
    p2p_reserved: int,
) -> FdPlan:
    """Fit the configured caps into `limit` descriptors (see the module docstring)."""
    available = limit - reserved_fds - 2 * BACKLOG - outbound
    wanted = api_connections + p2p_connections + p2p_reserved
    if available < 3:
        raise FdBudgetError(
            f"the open-file limit {limit} leaves no room for sockets after {reserved_fds} "
            f"reserved descriptors (reserved_fds), {2 * BACKLOG} for accept backlogs and "
            f"{outbound} outbound peers: raise the limit (ulimit -n) or lower reserved_fds"
        )
    if wanted <= available:
        return FdPlan(limit, api_connections, p2p_connections, p2p_reserved, scaled=False)
    scale = available / wanted
    p2p = max(1, int(p2p_connections * scale))
    reserved = max(1, int(p2p_reserved * scale)) if p2p_reserved else 0
    if p2p + reserved > available - 1:  # tiny budgets: one slot each, the API keeps one
        p2p, reserved = 1, min(reserved, 1)
    api = max(1, min(api_connections, available - p2p - reserved))
    return FdPlan(limit, api, p2p, reserved, scaled=True)


def plan_for(config: NodeConfig, limit: int) -> FdPlan:
    """The plan for a node's config under `limit`; logs at WARNING when the caps were scaled."""
    budget = plan(
        limit,
        reserved_fds=config.reserved_fds,
        outbound=len(config.p2p.peers),
        api_connections=config.api.max_connections,
        p2p_connections=config.p2p.max_connections,
        p2p_reserved=config.p2p.reserved_connections if config.p2p.peers else 0,
    )
    if budget.scaled:
        log.warning(
            "open-file limit %d: connections capped at %d (API) and %d + %d reserved (peer "
            "port) to keep %d descriptors for the node's files; raise `ulimit -n` for more",
            limit,
            budget.api_connections,
            budget.p2p_connections,
            budget.p2p_reserved,
            config.reserved_fds,
        )
    return budget

"""Binding the node's two aiohttp applications to their ports, and letting go of them.

A port that is taken or cannot be bound is a `NodeStartError` naming the config key; every runner
set up is kept in the caller's list, so `cleanup_sites` releases it even when a later bind fails.
"""

from __future__ import annotations

import contextlib
import errno

from aiohttp import web

from node.config import ApiConfig, ListenAddress, P2PConfig
from node.netguard import AddressSlots, GuardedSite
from node.startup import NodeStartError


async def serve_app(
    sites: list[web.AppRunner],
    app: web.Application,
    section: ApiConfig | P2PConfig,
    name: str,
    slots: AddressSlots,
) -> ListenAddress:
    """Serve `app` on `section.listen` (`name` is the config section, for the error); returns the
    address actually bound (port 0 picks one)."""
    listen, key = section.listen, f"{name}.listen"
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, keepalive_timeout=section.idle_timeout_s
    )
    await runner.setup()
    sites.append(runner)
    site = GuardedSite(runner, listen.host, listen.port, slots)
    try:
        await site.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise NodeStartError(
                f"cannot listen on {listen} ({key}): the port is already in use "
                "(another node running?)"
            ) from exc
        raise NodeStartError(f"cannot listen on {listen} ({key}): {exc.strerror}") from exc
    host, port = runner.addresses[0][:2]
    return ListenAddress(str(host), int(port))


async def cleanup_sites(sites: list[web.AppRunner]) -> None:
    for runner in reversed(sites):
        with contextlib.suppress(Exception):
            await runner.cleanup()
    sites.clear()


def url_host(address: ListenAddress) -> str:
    return f"[{address.host}]" if ":" in address.host else address.host

"""`/livez` (the process answers) and `/readyz` (worth sending traffic to), Kubernetes-style.

Readiness checks, each reported by name so an operator sees which failed:
- `store`: the database answers a read;
- `consensus`: the consensus runner has not stopped on an error;
- `synced`: not syncing, or at most `MAX_LAG` blocks behind the best height peers reported;
- `peers`: a validator of a multi-validator set has at least one peer (alone it cannot commit).
Callers rely on the status code (200 or 503); the body lists the checks either way.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from ledger.state import keys
from ledger.state.validators import active_validators
from ledger.state.view import StateView
from node.api.context import ApiContext
from node.api.keys import CONTEXT

log = logging.getLogger(__name__)

MAX_LAG = 2


async def livez(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def readiness(ctx: ApiContext) -> dict[str, dict[str, Any]]:
    checks: dict[str, dict[str, Any]] = {}
    try:
        ctx.store.state.get(keys.chain_meta(b"height"))
        checks["store"] = {"ok": True, "detail": f"open at height {ctx.store.height}"}
    except Exception as exc:  # plyvel raises RuntimeError on a closed database
        log.warning("readiness: the store does not answer: %s", exc)
        checks["store"] = {"ok": False, "detail": f"the database does not answer: {exc}"}
        return checks
    status = ctx.status()
    checks["consensus"] = {
        "ok": not status.failed,
        "detail": "stopped on an error (see the log)" if status.failed else status.step,
    }
    lag = max(0, status.sync_target_height - ctx.store.height)
    synced = not status.syncing or lag <= MAX_LAG
    checks["synced"] = {
        "ok": synced,
        "detail": f"{lag} blocks behind peers" + (" (syncing)" if status.syncing else ""),
    }
    needs_peers = (
        status.validator is not None and len(active_validators(StateView(ctx.store.state))) > 1
    )
    checks["peers"] = {
        "ok": status.peers > 0 or not needs_peers,
        "detail": f"{status.peers} peers" + ("" if needs_peers else " (none needed)"),
    }
    return checks


async def readyz(request: web.Request) -> web.Response:
    checks = readiness(request.app[CONTEXT])
    ready = all(c["ok"] for c in checks.values())
    return web.json_response(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )

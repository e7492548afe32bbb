"""`GET /v1/snapshots` (manifests of the snapshots this node keeps) and
`GET /v1/snapshots/{height}/chunks/{index}` (one chunk's bytes), for state sync (node/statesync.py).
A node that makes no snapshots lists none."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from node.api.errors import ApiError
from node.snapshots import read_manifest, snapshot_heights

FOLDER = web.AppKey("coterie_snapshots", Path)


async def list_snapshots(request: web.Request) -> web.Response:
    folder = request.app[FOLDER]
    manifests = [read_manifest(folder, h) for h in reversed(snapshot_heights(folder))]
    return web.json_response({"snapshots": manifests})


async def get_chunk(request: web.Request) -> web.Response:
    folder = request.app[FOLDER]
    height, index = request.match_info["height"], request.match_info["index"]
    if not (
        height.isascii() and height.isdigit() and len(height) < 20
        and index.isascii() and index.isdigit() and len(index) < 10
    ):  # fmt: skip
        raise ApiError(400, "invalid_chunk", "height and index are decimal numbers")
    path = folder / str(int(height)) / f"{int(index)}.chunk"
    try:
        data = path.read_bytes()
    except OSError:
        raise ApiError(404, "not_found", f"no chunk {index} of a snapshot at {height}") from None
    return web.Response(body=data, content_type="application/octet-stream")


def add_snapshot_routes(app: web.Application, folder: Path) -> None:
    app[FOLDER] = folder
    app.router.add_get("/v1/snapshots", list_snapshots)
    app.router.add_get("/v1/snapshots/{height}/chunks/{index}", get_chunk)

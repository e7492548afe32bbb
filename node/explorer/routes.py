"""Serving the explorer's files: `/explorer` (the page) and `/explorer/static/*` (its assets).

Every answer carries a strict Content-Security-Policy: scripts, styles and connections only from
the node itself, so chain data can never run as code even if a page forgot to escape it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

log = logging.getLogger(__name__)

EXPLORER_PATH = "/explorer"
STATIC_PATH = EXPLORER_PATH + "/static"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}


def static_dir() -> Path:
    """The folder of the explorer's files (package data of `node.explorer`)."""
    return Path(__file__).resolve().parent / "static"


def _file_response(path: Path) -> web.FileResponse:
    response = web.FileResponse(path)
    response.content_type = _TYPES.get(path.suffix, "application/octet-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def _index(_request: web.Request) -> web.StreamResponse:
    return _file_response(static_dir() / "index.html")


async def _redirect(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPPermanentRedirect(EXPLORER_PATH + "/")


async def _asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if not name.isprintable():  # a NUL byte made Path raise: a 500 with a traceback (issue 14)
        raise web.HTTPNotFound(text="no such explorer file")
    root = static_dir()
    path = (root / name).resolve()
    if path.parent != root or not path.is_file() or path.suffix not in _TYPES:
        raise web.HTTPNotFound(text="no such explorer file")
    return _file_response(path)


def add_explorer_routes(app: web.Application) -> None:
    """Serve the explorer on `app`: `/explorer` redirects to `/explorer/`, the page; assets are
    one flat folder under `/explorer/static/`."""
    r = app.router
    r.add_get(EXPLORER_PATH, _redirect)
    r.add_get(EXPLORER_PATH + "/", _index)
    r.add_get(STATIC_PATH + "/{name}", _asset)
    log.debug("explorer served at %s/ from %s", EXPLORER_PATH, static_dir())

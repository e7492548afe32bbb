"""The explorer's files as the node serves them: the page, its assets, the security headers,
nothing outside the static folder. No browser needed."""

from __future__ import annotations

import re

from aiohttp import web
from pytest_aiohttp import AiohttpClient

from node.api.errors import error_middleware
from node.explorer import EXPLORER_PATH, add_explorer_routes, static_dir


def explorer_app() -> web.Application:
    app = web.Application(middlewares=[error_middleware])
    add_explorer_routes(app)
    return app


async def test_the_page_and_every_asset_it_names_are_served(aiohttp_client: AiohttpClient) -> None:
    client = await aiohttp_client(explorer_app())
    moved = await client.get(EXPLORER_PATH, allow_redirects=False)
    assert moved.status == 308
    assert moved.headers["Location"] == "/explorer/"
    page = await client.get("/explorer/")
    assert page.status == 200
    assert page.content_type == "text/html"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    html = await page.text()
    assets = re.findall(r'(?:src|href)="(static/[^"]+)"', html)
    assert "static/app.js" in assets
    for asset in assets:
        answer = await client.get(f"/explorer/{asset}")
        assert answer.status == 200, asset
        assert answer.headers["Content-Security-Policy"]
    js = await client.get("/explorer/static/app.js")
    assert js.content_type == "text/javascript"
    # every module the app imports is shipped
    for name in static_dir().glob("*.js"):
        for imported in re.findall(r'from "\./([^"]+)"', name.read_text()):
            assert (static_dir() / imported).is_file(), f"{name.name} imports {imported}"


async def test_nothing_outside_the_static_folder(aiohttp_client: AiohttpClient) -> None:
    client = await aiohttp_client(explorer_app())
    for path in (
        "/explorer/static/..%2F__init__.py",
        "/explorer/static/missing.js",
        "/explorer/static/routes.py",
        "/explorer/static/%2e%2e%2froutes.py",
    ):
        answer = await client.get(path)
        assert answer.status == 404, path
        assert (await answer.json())["error"]["code"] == "not_found"


def test_no_page_builds_html_from_strings() -> None:
    """Chain data reaches the page only as text nodes and attributes (dom.js's h())."""
    for name in static_dir().glob("*.js"):
        source = name.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, f"{name.name} uses {sink}"

"""The typed aiohttp application keys the API's handlers share."""

from __future__ import annotations

from aiohttp import web

from node.api.context import ApiContext

CONTEXT = web.AppKey("coterie_api_context", ApiContext)

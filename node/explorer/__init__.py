"""The block explorer: a small single-page app served by the node at `/explorer`, next to the API.

Plain HTML, CSS and JavaScript shipped as package data (`static/`), no build step and nothing
fetched from the internet: the page reads the node's own REST API (`/v1/...`) and follows new
blocks over its WebSocket (`/v1/ws`). docs/explorer.md describes the pages.
"""

from node.explorer.routes import EXPLORER_PATH, add_explorer_routes, static_dir

__all__ = ["EXPLORER_PATH", "add_explorer_routes", "static_dir"]

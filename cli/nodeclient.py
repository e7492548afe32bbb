"""A small HTTP client for a node's API, for the wallet and `coterie testnet start`.

The CLI reaches a node only over its public HTTP API, as any other client would (design.md).
Plain `urllib`: one request at a time is all a command needs, and no event loop is involved.

Exception tree:
    NodeClientError              the request did not give an answer
      NodeUnreachableError       no connection, a timeout, or a reply that is not JSON
      NodeApiError               the node answered with an error (status, code and message)
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

NODE_ENV = "COTERIE_NODE"
DEFAULT_NODE = "http://127.0.0.1:26657"


class NodeClientError(Exception):
    """A request to the node did not give a usable answer."""


class NodeUnreachableError(NodeClientError):
    pass


class NodeApiError(NodeClientError):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"the node refused the request ({status} {code}): {message}")
        self.status = status
        self.code = code


class NodeClient:
    def __init__(self, url: str, timeout: float = 5.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise NodeUnreachableError(f"{url!r} is not an http:// or https:// URL")
        self.url = url.rstrip("/")
        self.timeout = timeout

    def get(self, path: str) -> Any:
        return self._request(urllib.request.Request(self.url + path))

    def post(self, path: str, body: Any) -> Any:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        return self._request(request)

    def _request(self, request: urllib.request.Request) -> Any:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data = response.read()
        except urllib.error.HTTPError as exc:
            raise _api_error(exc) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NodeUnreachableError(f"cannot reach the node at {self.url}: {reason}") from None
        try:
            return json.loads(data)
        except ValueError:
            raise NodeUnreachableError(f"the node at {self.url} did not answer JSON") from None


def _api_error(exc: urllib.error.HTTPError) -> NodeApiError:
    try:
        body = json.loads(exc.read())
        error = body.get("error", body) if isinstance(body, dict) else {}
        code = str(error.get("code", "error"))
        message = str(error.get("message", exc.reason))
    except (ValueError, AttributeError, OSError):
        code, message = "error", str(exc.reason)
    return NodeApiError(exc.code, code, message)

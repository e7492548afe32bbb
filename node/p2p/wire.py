"""The slice of an aiohttp WebSocket the P2P layer uses, so inbound (server) and outbound
(client) sockets are handled by the same code."""

from __future__ import annotations

from typing import Protocol

from aiohttp import WSMessage


class WebSocket(Protocol):
    @property
    def closed(self) -> bool: ...

    async def send_bytes(self, data: bytes, compress: int | None = None) -> None: ...

    async def receive(self, timeout: float | None = None) -> WSMessage: ...

    async def close(self, *, code: int = 1000, message: bytes = b"") -> bool: ...

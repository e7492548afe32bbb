"""One authenticated connection to a peer: its send queues, its writer and its reader.

Send policy (backpressure). Each peer has two bounded queues, drained by one writer task:
- control (proposals, votes, evidence, status, block sync), sent first: these must not be lost
  silently, so when this queue is full (by count or bytes) the peer is too slow to keep up with
  consensus and is disconnected (close code SLOW_PEER, no ban). It reconnects, and what it missed
  it gets back through consensus retransmission and block sync.
- bulk (tx batches): best effort, so when it is full the oldest batch is dropped
  (`stats.dropped_out`) and the newest kept; txs also reach a peer through other peers and blocks.
A frame that the socket does not accept within `send_timeout` also marks the peer slow.

Receiving. The reader awaits the frame handler for each frame before reading the next, so a slow
handler stops reading and TCP flow control slows that peer down instead of buffering without
bound; aiohttp refuses any frame above the transport limit (`max_frame_bytes`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import WebSocketError, WSCloseCode, WSMsgType

from node.p2p.config import P2PConfig
from node.p2p.handshake import CloseCode, Direction
from node.p2p.messages import BULK_TYPES, MessageType
from node.p2p.scoring import Penalty
from node.p2p.session import Session, SessionError
from node.p2p.stats import P2PStats
from node.p2p.tasks import Supervisor
from node.p2p.wire import WebSocket

log = logging.getLogger(__name__)

FrameHandler = Callable[["PeerConnection", bytes], Awaitable[None]]
Violation = Callable[["PeerConnection", int, str], None]
_CLOSED_TYPES: Final = (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)


def close_code_name(code: int | None) -> str:
    if code is None:
        return "NONE"
    for enum in (CloseCode, WSCloseCode):
        try:
            return enum(code).name
        except ValueError:
            continue
    return str(code)


class PeerConnection:
    """A live connection; `run` drives it until it closes, for whatever reason."""

    def __init__(
        self,
        ws: WebSocket,
        peer_id: bytes,
        direction: Direction,
        config: P2PConfig,
        stats: P2PStats,
        *,
        session: Session,
    ) -> None:
        self.ws = ws
        self._session = session
        self.peer_id = peer_id
        self.direction = direction
        self.label = peer_id.hex()[:12]
        self._config = config
        self._stats = stats
        self._control: deque[tuple[MessageType, bytes]] = deque()
        self._control_bytes = 0
        self._bulk: deque[tuple[MessageType, bytes]] = deque()
        self._bulk_bytes = 0
        self._wakeup = asyncio.Event()
        self._close_requested = asyncio.Event()
        self._closed = asyncio.Event()
        self._tasks = Supervisor(f"peer-{self.label}")
        self.close_code: int = CloseCode.GOING_AWAY
        self.close_reason = ""

    @property
    def dialer(self) -> bytes | None:
        """The public key of the side that dialed, or None for our own outbound connection."""
        return self.peer_id if self.direction is Direction.INBOUND else None

    @property
    def is_closing(self) -> bool:
        return self._close_requested.is_set()

    @property
    def queued(self) -> tuple[int, int]:
        """(messages, bytes) waiting to be sent."""
        return (
            len(self._control) + len(self._bulk),
            self._control_bytes + self._bulk_bytes,
        )

    def enqueue(self, msg_type: MessageType, frame: bytes) -> bool:
        """Queue a frame for sending; False when it was not queued (closing or too slow)."""
        if self.is_closing:
            return False
        size = len(frame)
        if msg_type in BULK_TYPES:
            cfg = self._config
            while self._bulk and (
                len(self._bulk) >= cfg.bulk_queue_msgs
                or self._bulk_bytes + size > cfg.bulk_queue_bytes
            ):
                old_type, old = self._bulk.popleft()
                self._bulk_bytes -= len(old)
                self._stats.dropped_out[old_type] += 1
            self._bulk.append((msg_type, frame))
            self._bulk_bytes += size
        else:
            if self._control and (
                len(self._control) >= self._config.control_queue_msgs
                or self._control_bytes + size > self._config.control_queue_bytes
            ):
                self.request_close(CloseCode.SLOW_PEER, "send queue full")
                return False
            self._control.append((msg_type, frame))
            self._control_bytes += size
        self._wakeup.set()
        return True

    def adopt_queues(self, old: PeerConnection) -> None:
        """Take over the frames an older connection to the same peer has not sent yet."""
        self._control.extend(old._control)
        self._control_bytes += old._control_bytes
        self._bulk.extend(old._bulk)
        self._bulk_bytes += old._bulk_bytes
        old._control.clear()
        old._bulk.clear()
        old._control_bytes = old._bulk_bytes = 0
        if self._control or self._bulk:
            self._wakeup.set()

    def request_close(self, code: int, reason: str) -> None:
        """Ask `run` to close the connection; the first reason given is the one reported."""
        if not self.is_closing:
            self.close_code, self.close_reason = code, reason
            self._close_requested.set()

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def run(self, on_frame: FrameHandler, on_violation: Violation) -> None:
        """Read and write until the connection ends, then close the socket."""
        try:
            reader = self._tasks.spawn(self._read_loop(on_frame, on_violation), "reader")
            writer = self._tasks.spawn(self._write_loop(), "writer")
            closer = self._tasks.spawn(self._close_requested.wait(), "close-request")
            await asyncio.wait([reader, writer, closer], return_when=asyncio.FIRST_COMPLETED)
            for task in (reader, writer):
                if task.done() and not task.cancelled() and task.exception() is not None:
                    self.request_close(WSCloseCode.INTERNAL_ERROR, "internal error")
        finally:
            await self._shutdown()

    async def _shutdown(self) -> None:
        try:
            await self._tasks.aclose()
            if not self.ws.closed:
                try:
                    async with asyncio.timeout(self._config.close_timeout):
                        await self.ws.close(
                            code=self.close_code, message=self.close_reason.encode()[:120]
                        )
                except TimeoutError:
                    log.debug("peer %s: close handshake timed out", self.label)
                except (ConnectionError, RuntimeError) as exc:
                    log.debug("peer %s: error while closing: %r", self.label, exc)
        finally:
            self._control.clear()
            self._bulk.clear()
            self._closed.set()

    async def _read_loop(self, on_frame: FrameHandler, on_violation: Violation) -> None:
        while True:
            msg = await self.ws.receive()
            if msg.type is WSMsgType.BINARY:
                try:
                    frame = self._session.open(msg.data)
                except SessionError as error:
                    # not the peer's fault as far as we can tell (someone on the path may have
                    # sent it): the session ends, without a penalty; the peer reconnects
                    self._stats.unauthenticated_in += 1
                    self.request_close(CloseCode.BAD_FRAME, str(error))
                    return
                await on_frame(self, frame)
            elif msg.type in _CLOSED_TYPES:
                code = msg.data if isinstance(msg.data, int) else None
                reason = msg.extra if isinstance(msg.extra, str) else ""
                self.request_close(code or CloseCode.GOING_AWAY, f"closed by peer: {reason}")
                return
            elif msg.type is WSMsgType.ERROR:
                exc = msg.data
                if isinstance(exc, WebSocketError) and exc.code == WSCloseCode.MESSAGE_TOO_BIG:
                    reason = f"frame above the transport limit of {self._config.max_frame_bytes}"
                    on_violation(self, Penalty.FRAME_TOO_LARGE, reason)
                    self.request_close(WSCloseCode.MESSAGE_TOO_BIG, reason)
                else:
                    self.request_close(WSCloseCode.PROTOCOL_ERROR, f"socket error: {exc!r}")
                return
            elif msg.type is WSMsgType.TEXT:
                on_violation(self, Penalty.PROTOCOL, "text frame")
            # PING and PONG are answered by aiohttp (autoping)

    async def _write_loop(self) -> None:
        while True:
            if not self._control and not self._bulk:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            if self._control:
                msg_type, frame = self._control.popleft()
                self._control_bytes -= len(frame)
            else:
                msg_type, frame = self._bulk.popleft()
                self._bulk_bytes -= len(frame)
            try:
                async with asyncio.timeout(self._config.send_timeout):
                    await self.ws.send_bytes(self._session.seal(frame))
            except TimeoutError:
                self.request_close(CloseCode.SLOW_PEER, "send timed out")
                return
            except ConnectionError as exc:
                self.request_close(WSCloseCode.ABNORMAL_CLOSURE, f"send failed: {exc!r}")
                return
            self._stats.count_out(msg_type, len(frame))

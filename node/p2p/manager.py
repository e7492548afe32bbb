"""The peer manager: accepts and dials peers, keeps one connection per peer, routes messages.

Dialing and the handshake are `node.p2p.connector`'s; the frames peers send are routed by
`node.p2p.inbox`. Tasks: one dial loop per configured peer (it also owns and runs its outbound
connection), the tx gossip flusher, and per connection a reader and a writer (see
connection.py); all are referenced by a `Supervisor`. Inbound connections run in aiohttp's
request task for `/p2p`, which aiohttp owns; `stop` closes them and waits for them to end.

Duplicate connections (both sides dialed each other, or a peer redialed after a restart) are
resolved the same way on both sides: between two connections in the same direction the newer
wins (its dialer knows the older one is dead); otherwise the connection dialed by the node with
the smaller public key wins.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Iterable, Sequence
from typing import Any

from aiohttp import web

from node.p2p.budget import PeerBudgets
from node.p2p.config import P2PConfig, PeerAddress
from node.p2p.connection import PeerConnection, close_code_name
from node.p2p.connector import Connector
from node.p2p.gossip import SeenTxs, TxGossip
from node.p2p.handler import PeerHandler
from node.p2p.handshake import CloseCode, Direction, HandshakeError, Identity
from node.p2p.inbox import Inbox
from node.p2p.messages import ENVELOPE_OVERHEAD, SESSION_TYPES, MessageType, encode_frame
from node.p2p.scoring import PeerScores
from node.p2p.session import Session
from node.p2p.stats import P2PStats
from node.p2p.tasks import Supervisor
from node.p2p.wire import WebSocket

log = logging.getLogger(__name__)


class PeerManager:
    def __init__(
        self,
        identity: Identity,
        allowlist: Iterable[bytes],
        handler: PeerHandler,
        *,
        peers: Iterable[PeerAddress] = (),
        config: P2PConfig | None = None,
        rng: random.Random | None = None,
        reserved_hosts: frozenset[str] | None = None,
        validators: Iterable[bytes] = (),
    ) -> None:
        """`reserved_hosts`: where the configured peers connect from (node.netguard's
        `resolve_hosts`); by default their hosts as written. `validators`: the node keys of
        the validator set, redialed within `dial_backoff_validator_max`."""
        self.identity = identity
        self.config = config or P2PConfig()
        self.stats = P2PStats()
        self.scores = PeerScores(
            self.config.ban_score, self.config.ban_seconds, self.config.score_recovery_per_second
        )
        self._allowlist = frozenset(allowlist)
        self._validators = frozenset(validators)
        self._handler = handler
        self._addresses = {a.public_key: a for a in peers}
        self._conns: dict[bytes, PeerConnection] = {}
        self._live: set[PeerConnection] = set()
        self._finished: dict[PeerConnection, asyncio.Event] = {}
        self._tasks = Supervisor("p2p")
        self._running = False
        self._budgets = PeerBudgets(self.config.budget_table())
        self._connector = Connector(
            identity=identity,
            config=self.config,
            stats=self.stats,
            scores=self.scores,
            registry=self,
            rng=rng or random.Random(),
            reserved_hosts=(
                reserved_hosts
                if reserved_hosts is not None
                else frozenset(a.host for a in self._addresses.values())
            ),
        )
        self._gossip = TxGossip(
            seen=SeenTxs(self.config.seen_txs),
            send_frame=self._send_frame,
            max_txs=self.config.tx_batch_max_txs,
            max_bytes=self.config.tx_batch_max_bytes,
            flush_interval=self.config.tx_flush_interval,
            stats=self.stats,
        )
        self._inbox = Inbox(
            self.config,
            self.stats,
            budgets=self._budgets,
            gossip=self._gossip,
            handler=handler,
            penalize=self.penalize,
        )

    # -- lifecycle --------------------------------------------------------------------------

    def attach(self, app: web.Application) -> None:
        """Serve `/p2p` on `app` and tie the manager's life to the app's."""
        app.router.add_get(self.config.path, self.handle_inbound)

        async def lifespan(_app: web.Application) -> Any:
            await self.start()
            yield
            await self.stop()

        async def on_shutdown(_app: web.Application) -> None:
            await self.stop()  # before aiohttp waits for request handlers: ends inbound peers

        app.cleanup_ctx.append(lifespan)
        app.on_shutdown.append(on_shutdown)

    async def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._tasks = Supervisor("p2p")
        await self._connector.open()
        _ = self._tasks.spawn(self._gossip.run(), "tx-gossip")
        for address in self._addresses.values():
            self._spawn_dialer(address)

    def _spawn_dialer(self, address: PeerAddress) -> None:
        if address.public_key not in self._allowlist:
            log.warning("configured peer %s is not in the allowlist: not dialing it", address)
            return
        name = f"dial-{address.public_key.hex()[:12]}"
        _ = self._tasks.spawn(self._connector.dial_loop(address), name)

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        for conn in list(self._live):
            conn.request_close(CloseCode.GOING_AWAY, "node shutting down")
        await self._tasks.aclose()
        for finished in list(self._finished.values()):
            await finished.wait()  # inbound connections, which run in aiohttp's request tasks
        await self._connector.close()

    # -- public API -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    async def handle_inbound(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler of the P2P route (`attach` adds it)."""
        return await self._connector.handle_inbound(request)

    @property
    def peers(self) -> list[bytes]:
        """Public keys of the connected peers."""
        return [p for p, c in self._conns.items() if not c.is_closing]

    def add_peer(self, address: PeerAddress) -> None:
        """Dial this peer from now on (and keep reconnecting to it)."""
        if address.public_key in self._addresses:
            raise ValueError(f"peer {address.public_key.hex()} is already configured")
        self._addresses[address.public_key] = address
        if self._running:
            self._spawn_dialer(address)

    def is_connected(self, peer: bytes) -> bool:
        conn = self._conns.get(peer)
        return conn is not None and not conn.is_closing

    def queued_bytes(self, peer: bytes) -> int:
        """Bytes waiting in the peer's send queues (0 when it is not connected)."""
        conn = self._conns.get(peer)
        return 0 if conn is None else conn.queued[1]

    def send(self, peer: bytes, msg_type: MessageType, payload: bytes) -> bool:
        """Queue a message for one peer; False when it is not connected or too slow."""
        conn = self._conns.get(peer)
        if conn is None:
            return False
        return conn.enqueue(msg_type, self._frame(msg_type, payload))

    def broadcast(
        self, msg_type: MessageType, payload: bytes, exclude: Iterable[bytes] = ()
    ) -> int:
        """Queue a message for every connected peer but `exclude`; returns how many took it."""
        frame = self._frame(msg_type, payload)
        skip = set(exclude)
        conns = [c for p, c in self._conns.items() if p not in skip]
        return sum(conn.enqueue(msg_type, frame) for conn in conns)

    def gossip_txs(self, txs: Sequence[bytes], hashes: Sequence[bytes] | None = None) -> None:
        """Send txs (canonical signed-tx bytes) in batches to every peer not known to hold them;
        `hashes` (their ledger hashes, if the caller has them) saves hashing them again."""
        if hashes is not None and len(hashes) != len(txs):
            raise ValueError("one hash per tx")
        self._gossip.gossip(txs, self.peers, hashes)

    def forget_txs(self, tx_hashes: Iterable[bytes]) -> None:
        """Forget txs, so they are delivered again if a peer resends them (e.g. a tx refused only
        for a nonce gap)."""
        for tx_hash in tx_hashes:
            self._gossip.seen.forget(tx_hash)

    def penalize(self, peer: bytes, amount: int, reason: str) -> None:
        """Lower a peer's score; at the ban score it is disconnected and banned."""
        self.stats.penalties += 1
        if self.scores.penalize(peer, amount, reason):
            self._banned(peer, reason)

    def ban(self, peer: bytes, reason: str, seconds: float | None = None) -> None:
        self.scores.ban(peer, reason, seconds)
        self._banned(peer, reason)

    @property
    def allowlist(self) -> frozenset[bytes]:
        """The node keys allowed to connect."""
        return self._allowlist

    def set_allowlist(self, keys: Iterable[bytes]) -> None:
        """Replace the allowlist (validator-set change); peers no longer in it are disconnected."""
        self._allowlist = frozenset(keys)
        for peer, conn in list(self._conns.items()):
            if peer not in self._allowlist:
                conn.request_close(CloseCode.NOT_ALLOWED, "removed from the allowlist")

    def set_validators(self, keys: Iterable[bytes]) -> None:
        """Replace the validator set's node keys (redialed with the shorter backoff cap)."""
        self._validators = frozenset(keys)

    def is_validator(self, key: bytes) -> bool:
        return key in self._validators

    def peer_info(self) -> list[dict[str, Any]]:
        """One entry per connected peer, for the API and the status line."""
        return [
            {
                "peer": peer.hex(),
                "direction": conn.direction.name.lower(),
                "queued_messages": conn.queued[0],
                "queued_bytes": conn.queued[1],
                "score": self.scores.score(peer),
            }
            for peer, conn in self._conns.items()
        ]

    # -- connections ------------------------------------------------------------------------

    def admit(self, key: bytes) -> None:
        """Refuse, at the handshake, a key that is not allowed or is banned."""
        if key not in self._allowlist:
            raise HandshakeError(
                CloseCode.NOT_ALLOWED, f"node key {key.hex()} is not in the allowlist"
            )
        ban = self.scores.ban_remaining(key)
        if ban > 0:
            raise HandshakeError(
                CloseCode.BANNED, f"node key {key.hex()} is banned for {ban:.0f} more seconds"
            )

    def _prefer(self, new: PeerConnection, old: PeerConnection) -> bool:
        if new.direction is old.direction:
            return True
        ours = self.identity.key.public_key
        new_dialer = new.peer_id if new.direction is Direction.INBOUND else ours
        return new_dialer == min(ours, new.peer_id)

    async def wait_disconnected(self, peer: bytes) -> bool:
        conn = self._conns.get(peer)
        if conn is None:
            return False
        await self._finished[conn].wait()
        return True

    async def run_peer(
        self, ws: WebSocket, peer: bytes, session: Session, direction: Direction
    ) -> None:
        """Register an authenticated connection (resolving duplicates) and run it."""
        if not self._running:
            await self._connector.close_ws(ws, CloseCode.GOING_AWAY, "node shutting down")
            return
        conn = PeerConnection(ws, peer, direction, self.config, self.stats, session=session)
        old = self._conns.get(peer)
        if old is not None and not old.is_closing and not self._prefer(conn, old):
            log.info("peer %s: keeping the existing connection, closing a duplicate", conn.label)
            await self._connector.close_ws(ws, CloseCode.DUPLICATE, "duplicate connection")
            return
        finished = asyncio.Event()
        self._conns[peer] = conn
        self._live.add(conn)
        self._finished[conn] = finished
        self.stats.peers = len(self._conns)
        self.stats.connections_opened += 1
        announced = False
        try:
            if old is not None:
                conn.adopt_queues(old)
                old.request_close(CloseCode.DUPLICATE, "replaced by a newer connection")
                await self._finished[old].wait()
            if conn.is_closing:
                return
            log.info("peer %s connected (%s)", conn.label, direction.name.lower())
            announced = True
            await self._notify(self._handler.on_peer_connected(peer), "on_peer_connected")
            await conn.run(self._inbox.on_frame, self._inbox.on_violation)
        finally:
            if self._conns.get(peer) is conn:
                del self._conns[peer]
                self._gossip.drop_peer(peer)  # budgets stay: a reconnect gets no new burst
            self.stats.peers = len(self._conns)
            self._live.discard(conn)
            self.stats.disconnects[close_code_name(conn.close_code)] += 1
            try:
                if announced:
                    log.info("peer %s disconnected: %s", conn.label, conn.close_reason or "closed")
                    await self._notify(
                        self._handler.on_peer_disconnected(peer), "on_peer_disconnected"
                    )
            finally:
                finished.set()
                del self._finished[conn]

    async def _notify(self, call: Awaitable[None], what: str) -> None:
        try:
            await call
        except Exception:
            log.exception("handler %s failed", what)

    # -- bans -------------------------------------------------------------------------------

    def _banned(self, peer: bytes, reason: str) -> None:
        self.stats.bans += 1
        conn = self._conns.get(peer)
        if conn is not None:
            conn.request_close(CloseCode.BANNED, f"banned: {reason}")

    # -- sending ----------------------------------------------------------------------------

    def _frame(self, msg_type: MessageType, payload: bytes) -> bytes:
        if msg_type in SESSION_TYPES:
            raise ValueError(f"{msg_type.name} is sent by the handshake only")
        if len(payload) > self.config.limits[msg_type]:
            raise ValueError(
                f"{msg_type.name} payload of {len(payload)} bytes exceeds its limit "
                f"{self.config.limits[msg_type]}"
            )
        return encode_frame(msg_type, payload)

    def _send_frame(self, peer: bytes, msg_type: MessageType, frame: bytes) -> bool:
        conn = self._conns.get(peer)
        if conn is None or len(frame) > self.config.limits[msg_type] + ENVELOPE_OVERHEAD:
            return False
        return conn.enqueue(msg_type, frame)

"""The node's composition root: `Node.open(home)` builds every part, `start` binds the ports.

    node = Node.open(Path("~/.coterie").expanduser())   # NodeStartError with a clear message
    await node.start()                                   # API and P2P ports, consensus
    await node.wait()                                    # until stop(), or raises if it failed
    await node.stop()

Parts, all on one event loop: the LevelDB `Store` and the `Chain` (the consensus application),
the `Mempool` with its `SignatureVerifier` workers, the `EvidencePool`, the `PeerManager` (P2P
port; its allowlist follows the validator set's on-chain node keys, see `ChainAllowlist`), the
consensus `Runner` with its WAL and double-sign guard, `BlockSync`, and the `Router` that feeds
peer messages to them. Two aiohttp applications: the P2P one (`/p2p`) and the API one (whatever
`api_routes` mounts: `node.api.adapter.mount` serves the whole API; `/livez` and `/readyz` are
minimal ones of the node's own when the hook does not serve them: node/api_application.py).

API hook (what the REST/WebSocket API and the explorer read; see node/api/):

    node.genesis, node.store, node.chain   committed data: blocks, txs, receipts, state, proofs
    node.mempool                           pending txs and `stats()`
    await node.submit(raw_txs)             admission + gossip of encoded txs -> list[Admission]
    node.p2p.peer_info(), node.p2p.stats   connected peers and gossip counters
    node.status()                          `NodeInfo`: heights, round, step, syncing, peers, ...
    node.signing()                         per validator: last height signed, blocks missed
    node.add_commit_listener(fn)           fn(block, receipts, block_events) after each commit,
                                           for the event hub that feeds WebSocket subscribers
    Node.open(home, api_routes=fn)         fn(app, node) mounts the API on the API application
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from consensus.timeouts import Timeouts
from consensus.wal import WalError
from consensus.wal_file import FileWAL
from consensus.wal_signer import JournaledSigner
from ledger.block import Block, Commit, DuplicateVoteEvidence
from ledger.keys import Address
from ledger.state.events import Event, Receipt
from node import malloc
from node.allowlist import ChainAllowlist
from node.api.context import SigningRecord
from node.api_application import api_application
from node.chain import Chain
from node.chain_types import Executed
from node.evidence_pool import EvidencePool
from node.fdbudget import FdBudgetError, FdPlan, plan_for, raise_open_file_limit
from node.home import NodeHome
from node.listening import cleanup_sites, serve_app, url_host
from node.mempool import Admission, Mempool, SignatureVerifier
from node.mempool.verifier import DEFAULT_WORKERS
from node.netguard import AddressSlots, resolve_hosts
from node.p2p import Identity, P2PConfig, PeerAddress, PeerManager, message_limits
from node.p2p.tasks import Supervisor
from node.router import Router
from node.runner import Runner
from node.runner_status import RunnerFailedError, now_ms
from node.signing import SigningTracker
from node.snapshots import SnapshotMaker, SnapshotServer
from node.startup import NodeStartError, StartupParts, check_wal, open_parts
from node.sync import BlockSync

log = logging.getLogger(__name__)

SYNC_TICK_SECONDS = 0.5
WAL_MAX_BYTES = 4 * 1024 * 1024

ApiRoutes = Callable[[web.Application, "Node"], None]
BlockListener = Callable[[Block, Sequence[Receipt], Sequence[Event]], None]


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """A snapshot of what the node is doing, for /v1/status, /readyz and the testnet status."""

    moniker: str
    node_id: bytes
    validator: Address | None
    height: int  # last committed
    consensus_height: int
    round: int
    step: str
    syncing: bool
    sync_target_height: int
    last_block_time_ms: int
    rounds_total: int
    peers: int
    failed: bool


class Node:
    def __init__(self, parts: StartupParts, *, api_routes: ApiRoutes | None = None) -> None:
        """Prefer `Node.open(home)`; `parts` is what `node.startup.open_parts` returned."""
        self.home, self.config, self.genesis = parts.home, parts.config, parts.genesis
        self.store = parts.store
        self.store.keep_blocks = self.config.storage.keep_blocks or None  # 0: archive
        self.store.keep_states = self.config.storage.keep_states or None
        self._wal: FileWAL | None = None
        self._closed = False
        try:
            signer: JournaledSigner | None = None
            if parts.validator_key is not None:
                try:
                    self._wal = FileWAL(self.home.data_dir / "cs.wal", max_bytes=WAL_MAX_BYTES)
                except WalError as exc:
                    raise NodeStartError(str(exc)) from None
                check_wal(self._wal, self.store.height)
                signer = parts.make_signer(self._wal)
            self._assemble(parts.node_key_identity(), signer, api_routes)
        except BaseException:
            self._close_files()
            raise

    @classmethod
    def open(cls, root: Path, *, api_routes: ApiRoutes | None = None) -> Node:
        """Build a node from its home; raises `NodeStartError` saying what is wrong."""
        return cls(open_parts(NodeHome(root)), api_routes=api_routes)

    def _clock_ms(self) -> int:
        """Consensus time: the system clock (plus the test-only offset of [testing])."""
        return now_ms() + self.config.testing.clock_offset_ms

    def _assemble(
        self, identity: Identity, signer: JournaledSigner | None, api_routes: ApiRoutes | None
    ) -> None:
        genesis, config = self.genesis, self.config
        genesis_hash = genesis.hash()
        params = genesis.params
        processes = config.mempool.verify_processes
        self.verifier = SignatureVerifier(
            genesis_hash,
            config.mempool.verified_cache_size,
            processes or DEFAULT_WORKERS,
            processes=processes > 0,
        )
        self.mempool = Mempool(
            params, genesis_hash, self.store.state, config.mempool, verifier=self.verifier
        )
        self.chain = Chain(
            self.store,
            genesis,
            proposer_address=signer.address if signer else None,
            txs=self.mempool.reap,
            evidence=self._pending_evidence,
            clock=self._clock_ms,
            signature_ok=self.verifier.signature_ok,
            prechecked=self.mempool.holds,
        )
        self.evidence = EvidencePool(self.chain)
        max_block = params.consensus.max_block_bytes
        self.router = Router(
            self.mempool,
            max_block_bytes=max_block,
            snapshots=SnapshotServer(self.home.data_dir / "snapshots"),
        )
        peers = [PeerAddress(p.host, p.port, p.node_key) for p in config.p2p.peers]
        self.allowlist = ChainAllowlist(
            self.store.state, [p.public_key for p in peers], identity.key.public_key
        )
        self.peer_hosts = resolve_hosts(p.host for p in peers)
        self.p2p = PeerManager(
            identity,
            allowlist=self.allowlist.compute(),
            handler=self.router,
            peers=peers,
            config=P2PConfig(
                limits=message_limits(max_block),
                max_pending_handshakes=config.p2p.max_pending_handshakes,
                max_pending_per_address=config.p2p.max_pending_per_address,
                reserved_pending=config.p2p.reserved_connections,
                hello_timeout=config.p2p.hello_timeout_ms / 1000,
                handshake_timeout=config.p2p.handshake_timeout_ms / 1000,
                heartbeat=config.p2p.heartbeat_ms / 1000,
                dial_backoff_max=config.p2p.dial_backoff_max_ms / 1000,
                dial_backoff_validator_max=config.p2p.dial_backoff_validator_max_ms / 1000,
                budgets=config.p2p.budgets.table(max_block),
            ),
            reserved_hosts=self.peer_hosts,
            validators=self.allowlist.validators(),
        )
        timeouts = Timeouts.from_params(config.consensus.apply(params.consensus))
        self.runner = Runner(
            self.chain,
            self.mempool,
            self.evidence,
            self.p2p,
            timeouts=timeouts,
            signer=signer,
            wal=self._wal,
            clock_ms=self._clock_ms,
            start_at_once=config.pacing.start_at_once,
            quiet_start_ms=config.pacing.quiet_start_ms,
            commit_off_loop=True,
        )
        self.sync = BlockSync(self.chain, self.runner, self.p2p, self.verifier, ban=self.p2p.ban)
        self.router.bind(self.runner, self.sync, self.p2p)
        self._signing = SigningTracker()
        self.runner.add_listener(self._track_signing)
        self.runner.add_listener(self._follow_validator_set)
        self.runner.add_listener(self._release_memory)
        self.snapshots: SnapshotMaker | None = None
        if config.statesync.snapshot_interval:
            self.snapshots = SnapshotMaker(
                self.store,
                self.home.data_dir / "snapshots",
                config.statesync.snapshot_interval,
                config.statesync.snapshot_keep,
                config.statesync.snapshot_chunk_bytes,
            )
            self.runner.add_listener(self.snapshots.on_commit)
        self.validator = signer.address if signer else None
        self.node_id = identity.key.public_key
        self._tasks = Supervisor("node")
        self._sites: list[web.AppRunner] = []
        self._done: asyncio.Future[None] | None = None

        def mount(app: web.Application) -> None:
            if api_routes is not None:
                api_routes(app, self)

        self.api_app, self.api_gate = api_application(config.api, mount, self.ready)
        self.p2p_app = web.Application()
        self.p2p.attach(self.p2p_app)
        self.api_url = ""
        self.p2p_address = ""
        self.fd_plan: FdPlan | None = None

    def _pending_evidence(self) -> list[DuplicateVoteEvidence]:
        return self.evidence.pending()

    # -- the API hook ------------------------------------------------------------------------

    async def submit(self, raw_txs: Sequence[bytes]) -> list[Admission]:
        return await self.router.submit(raw_txs)

    def add_commit_listener(self, listener: BlockListener) -> None:
        def on_commit(block: Block, _commit: Commit, executed: Executed) -> None:
            result = executed.result
            listener(block, result.receipts, result.block_events)

        self.runner.add_listener(on_commit)

    def add_evidence(self, evidence: DuplicateVoteEvidence) -> bool:
        """Evidence submitted over the API (a light client's fork report): the pool verifies
        it and the runner gossips it when new; True when it is pending now."""
        self.runner.on_evidence(b"", evidence)
        return self.evidence.knows(evidence)

    def signing(self) -> dict[bytes, SigningRecord]:
        """Per validator of the current set: last height signed and blocks missed."""
        return self._signing.snapshot()

    def _track_signing(self, block: Block, commit: Commit, _executed: Executed) -> None:
        if self.chain.last_validators is not None:
            self._signing.record(commit, self.chain.last_validators)

    def _release_memory(self, _block: Block, _commit: Commit, _executed: Executed) -> None:
        """Once the commit's callback has returned and the block's buffers are freed, give
        their pages back to the kernel (node/malloc.py)."""
        try:
            asyncio.get_running_loop().call_soon(malloc.release_free_memory)
        except RuntimeError:  # no loop (a synchronous caller): now
            malloc.release_free_memory()

    def _follow_validator_set(self, _block: Block, _commit: Commit, _executed: Executed) -> None:
        self.allowlist.refresh(self.p2p)

    def status(self) -> NodeInfo:
        runner = self.runner.status()
        return NodeInfo(
            moniker=self.config.moniker,
            node_id=self.node_id,
            validator=self.validator,
            height=runner.height,
            consensus_height=runner.height + 1,
            round=runner.round,
            step="syncing" if self.sync.syncing else runner.step,
            syncing=self.sync.syncing,
            sync_target_height=self.sync.target_height,
            last_block_time_ms=runner.last_block_time_ms,
            rounds_total=runner.rounds_total,
            peers=len(self.p2p.peers),
            failed=self.runner.failed,
        )

    def ready(self) -> tuple[bool, str]:
        info = self.status()
        if info.failed:
            return False, "consensus stopped"
        if info.syncing:
            return False, f"syncing: at {info.height} of {info.sync_target_height}"
        if self.config.p2p.peers and info.peers == 0:
            return False, "no peer connected"
        return True, "ready"

    # -- running -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind the API and P2P ports, then start consensus and sync."""
        self._done = asyncio.get_running_loop().create_future()
        budget = self._plan_fds()
        config = self.config
        api_slots = AddressSlots(
            budget.api_connections, config.api.max_connections_per_address, name="API connections"
        )
        p2p_slots = AddressSlots(
            budget.p2p_connections,
            config.p2p.max_connections_per_address,
            reserved=self.peer_hosts,
            reserved_total=budget.p2p_reserved,
            name="peer-port connections",
            evict_when_full=True,
        )
        self.api_slots, self.p2p_slots = api_slots, p2p_slots
        try:
            api = await serve_app(self._sites, self.api_app, config.api, "api", api_slots)
            p2p = await serve_app(self._sites, self.p2p_app, config.p2p, "p2p", p2p_slots)
        except BaseException:
            await cleanup_sites(self._sites)
            raise
        self.api_url = f"http://{url_host(api)}:{api.port}"
        self.p2p_address = str(p2p)
        self.verifier.start()
        runner_task = self._tasks.spawn(self.runner.run(), "consensus")
        runner_task.add_done_callback(self._runner_done)
        _ = self._tasks.spawn(self._sync_loop(), "sync")
        log.info(
            "node %s started at height %d: api %s, p2p %s",
            self.config.moniker,
            self.chain.height,
            self.api_url,
            self.p2p_address,
        )

    def _plan_fds(self) -> FdPlan:
        """Raise the open-file limit and fit the connection caps into it (node/fdbudget.py)."""
        try:
            self.fd_plan = plan_for(self.config, raise_open_file_limit())
        except FdBudgetError as exc:
            raise NodeStartError(str(exc)) from None
        return self.fd_plan

    async def _sync_loop(self) -> None:
        while True:
            await asyncio.sleep(SYNC_TICK_SECONDS)
            self.sync.pump()

    def _runner_done(self, task: asyncio.Task[None]) -> None:
        if self._done is None or self._done.done():
            return
        if task.cancelled():
            self._done.set_result(None)
        elif task.exception() is not None:
            self._done.set_exception(RunnerFailedError(str(task.exception())))

    async def wait(self) -> None:
        """Until `stop()` is called; raises `RunnerFailedError` if consensus failed."""
        if self._done is None:
            raise RuntimeError("the node is not started")
        await asyncio.shield(self._done)

    async def stop(self) -> None:
        await self.sync.stop()  # no synced block is committed once the runner is gone
        await self._tasks.aclose()
        await cleanup_sites(self._sites)
        if self._done is not None and not self._done.done():
            self._done.set_result(None)
        self._close_files()
        log.info("node %s stopped at height %d", self.config.moniker, self.store.height)

    def _close_files(self) -> None:
        if self._closed:
            return
        self._closed = True
        runner = getattr(self, "runner", None)
        if runner is not None:
            runner.halt()  # no timer may write the WAL once it is closed
        sync = getattr(self, "sync", None)
        if sync is not None:
            sync.close()  # before the verifier its pending checks run on
        verifier = getattr(self, "verifier", None)
        if verifier is not None:
            verifier.close()
        if self._wal is not None:
            self._wal.close()
            self._wal = None
        snapshots = getattr(self, "snapshots", None)
        if snapshots is not None:
            snapshots.close()  # its thread reads a database snapshot: before the store closes
        self.store.close()


__all__ = ["Node", "NodeInfo", "NodeStartError"]

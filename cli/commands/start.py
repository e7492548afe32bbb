"""`coterie start`: run one node from its home until Ctrl-C or SIGTERM.

Everything that can be checked before binding a port is checked first (node.startup), and each
problem is one clear line: a missing home or genesis, a database of another chain or in use, a
validator key without its sign state, a port that is taken. On SIGINT or SIGTERM the node stops
cleanly (consensus, peers, API, then the database); if consensus itself fails (for example the
disk refuses a write) the command exits with an error instead of running on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import click

from cli.errors import CliError
from cli.options import HOME_ENV
from ledger.store import Store
from ledger.upgrades import UpgradeError
from node.api.adapter import mount
from node.collector import settle_after_startup
from node.home import NodeHome
from node.logs import configure_logging
from node.p2p import PeerAddress
from node.runner_status import RunnerFailedError
from node.service import Node
from node.startup import NodeStartError, open_parts
from node.statesync import StateSyncError, Trust
from node.statesync_http import state_sync
from node.statesync_peers import state_sync_from_peers

log = logging.getLogger(__name__)

DEFAULT_HOME = "~/.coterie"
PEERS = "peers"  # --state-sync given without a URL


@click.command(name="start")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=HOME_ENV,
    default=DEFAULT_HOME,
    show_default=True,
    help=f"Node home (config/, data/). Env: {HOME_ENV}.",
)
@click.option(
    "--state-sync",
    "state_sync_urls",
    multiple=True,
    is_flag=False,
    flag_value=PEERS,
    metavar="[URL]",
    help="On an empty home: start from a snapshot of the state fetched from the P2P peers "
    "(no URL), or from these nodes' APIs (a URL, repeatable).",
)
@click.option(
    "--trust-height",
    type=click.IntRange(min=1),
    help="With --state-sync: a height you trust (else the header is verified from genesis).",
)
@click.option(
    "--trust-hash", help="With --state-sync: the hex hash of the block at --trust-height."
)
def start(
    home: Path, state_sync_urls: tuple[str, ...], trust_height: int | None, trust_hash: str | None
) -> None:
    """Run the node of HOME: consensus, peers, API. Stops cleanly on Ctrl-C or SIGTERM."""
    root = home.expanduser()
    config = NodeHome(root).load_config()
    configure_logging(config.log)
    banned: dict[bytes, str] = {}
    if state_sync_urls:
        trust = _trust(trust_height, trust_hash)
        urls = [u for u in state_sync_urls if u != PEERS]
        if urls:
            _state_sync_http(NodeHome(root), urls, trust)
        else:
            banned = _state_sync_peers(NodeHome(root), trust)
    try:
        asyncio.run(run_node(root, banned))
    except RunnerFailedError as exc:
        if isinstance(exc.__cause__, UpgradeError):  # the one line an operator must see
            raise CliError(str(exc.__cause__)) from exc
        raise CliError(f"the node stopped: {exc}; see the log above") from exc


def _trust(height: int | None, block_hash: str | None) -> Trust | None:
    if height is None and block_hash is None:
        return None
    if height is None or block_hash is None:
        raise CliError("--trust-height and --trust-hash go together (a block you trust)")
    try:
        return Trust(height, bytes.fromhex(block_hash.removeprefix("0x")))
    except ValueError:
        raise CliError("--trust-hash is the block's hash in hex") from None


def _state_sync_http(home: NodeHome, urls: list[str], trust: Trust | None) -> None:
    """Restore an empty home from nodes' HTTP APIs (node/statesync_http.py)."""
    if trust is None:
        raise CliError("--state-sync URL needs --trust-height and --trust-hash (a block you trust)")
    with _empty_store(home) as store:
        if store is not None:
            height = state_sync(store, home.load_genesis(), urls, trust)
            click.echo(f"state sync: restored height {height}", err=True)


def _state_sync_peers(home: NodeHome, trust: Trust | None) -> dict[bytes, str]:
    """Restore an empty home from the P2P peers (node/statesync_peers.py); returns the peers
    banned meanwhile, which the node keeps banned."""
    try:
        parts = open_parts(home)
    except NodeStartError as exc:
        raise CliError(str(exc)) from exc
    parts.store.close()
    peers = [PeerAddress(p.host, p.port, p.node_key) for p in parts.config.p2p.peers]
    if not peers:
        raise CliError("--state-sync without a URL needs [p2p] peers in config.toml")
    with _empty_store(home) as store:
        if store is None:
            return {}
        identity = parts.node_key_identity()
        height, banned = asyncio.run(
            state_sync_from_peers(store, parts.genesis, identity, peers, trust)
        )
        click.echo(f"state sync: restored height {height}", err=True)
        return banned


@contextlib.contextmanager
def _empty_store(home: NodeHome) -> Iterator[Store | None]:
    """The home's store when it is empty (None: it holds blocks, state sync is skipped)."""
    store = Store.open(home.data_dir / "chain", home.load_genesis().hash())
    try:
        if store.initialized:
            log.info("state sync skipped: the home already holds height %d", store.height)
            yield None
        else:
            yield store
    except StateSyncError as exc:
        raise CliError(f"state sync failed: {exc}") from exc
    finally:
        store.close()


async def run_node(root: Path, banned: dict[bytes, str] | None = None) -> None:
    """Open, start and run the node until a signal; always stop it. `banned`: peers refused
    from the start (those state sync banned), for the configured ban time."""
    node = Node.open(root, api_routes=mount)
    for peer, reason in (banned or {}).items():
        node.p2p.ban(peer, reason)
    settle_after_startup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await node.start()
        click.echo(
            f"{node.config.moniker}: api {node.api_url}  p2p {node.p2p_address}  "
            f"height {node.store.height}",
            err=True,
        )
        waiter = asyncio.ensure_future(node.wait())
        stopper = asyncio.ensure_future(stop.wait())
        try:
            done, _ = await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            stopper.cancel()
        if waiter in done and not waiter.cancelled():
            waiter.result()  # raises RunnerFailedError when consensus failed
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await node.stop()

"""`coterie start`: run one node from its home until Ctrl-C or SIGTERM.

Everything that can be checked before binding a port is checked first (node.startup), and each
problem is one clear line: a missing home or genesis, a database of another chain or in use, a
validator key without its sign state, a port that is taken. On SIGINT or SIGTERM the node stops
cleanly (consensus, peers, API, then the database); if consensus itself fails (for example the
disk refuses a write) the command exits with an error instead of running on.
"""

from __future__ import annotations

import asyncio
import logging
import signal
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
from node.runner_status import RunnerFailedError
from node.service import Node
from node.statesync import StateSyncError, Trust, state_sync

log = logging.getLogger(__name__)

DEFAULT_HOME = "~/.coterie"


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
    metavar="URL",
    help="On an empty home: start from a snapshot served by these nodes' APIs (repeatable).",
)
@click.option("--trust-height", type=click.IntRange(min=1), help="With --state-sync.")
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
    if state_sync_urls:
        _state_sync(NodeHome(root), list(state_sync_urls), trust_height, trust_hash)
    try:
        asyncio.run(run_node(root))
    except RunnerFailedError as exc:
        if isinstance(exc.__cause__, UpgradeError):  # the one line an operator must see
            raise CliError(str(exc.__cause__)) from exc
        raise CliError(f"the node stopped: {exc}; see the log above") from exc


def _state_sync(
    home: NodeHome, urls: list[str], trust_height: int | None, trust_hash: str | None
) -> None:
    """Restore an empty home from a snapshot (node/statesync.py); a home with blocks skips it."""
    if trust_height is None or trust_hash is None:
        raise CliError("--state-sync needs --trust-height and --trust-hash (a block you trust)")
    try:
        trusted = Trust(trust_height, bytes.fromhex(trust_hash.removeprefix("0x")))
    except ValueError:
        raise CliError("--trust-hash is the block's hash in hex") from None
    genesis = home.load_genesis()
    store = Store.open(home.data_dir / "chain", genesis.hash())
    try:
        if store.initialized:
            log.info("state sync skipped: the home already holds height %d", store.height)
            return
        height = state_sync(store, genesis, urls, trusted)
        click.echo(f"state sync: restored height {height}", err=True)
    except StateSyncError as exc:
        raise CliError(f"state sync failed: {exc}") from exc
    finally:
        store.close()


async def run_node(root: Path) -> None:
    """Open, start and run the node until a signal; always stop it."""
    node = Node.open(root, api_routes=mount)
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

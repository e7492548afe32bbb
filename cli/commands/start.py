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
from ledger.upgrades import UpgradeError
from node.api.adapter import mount
from node.collector import settle_after_startup
from node.home import NodeHome
from node.logs import configure_logging
from node.runner_status import RunnerFailedError
from node.service import Node

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
def start(home: Path) -> None:
    """Run the node of HOME: consensus, peers, API. Stops cleanly on Ctrl-C or SIGTERM."""
    root = home.expanduser()
    config = NodeHome(root).load_config()
    configure_logging(config.log)
    try:
        asyncio.run(run_node(root))
    except RunnerFailedError as exc:
        if isinstance(exc.__cause__, UpgradeError):  # the one line an operator must see
            raise CliError(str(exc.__cause__)) from exc
        raise CliError(f"the node stopped: {exc}; see the log above") from exc


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

"""`coterie testnet init` and `coterie testnet start`: a local multi-validator chain.

`init` writes the node homes (node.testnet) and a dev keyring: the funded dev accounts' keys as
plaintext keys `dev0` .. `dev3` in `DIR/keys`, usable by the wallet with `--home DIR
--insecure-dev`. They are the well-known dev keys: anyone can spend from them, on this chain only.
`start` runs every node as its own process (cli.testnet_run) until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import click

from cli.errors import CoterieGroup
from cli.nodeclient import NodeClient, NodeClientError, NodeUnreachableError
from cli.options import emit, open_keystore, output_option
from cli.testnet_run import NodeProcess, Supervisor
from node.testnet import MAX_VALIDATORS, TESTNET_CHAIN_ID, LocalTestnet, init_testnet, load_manifest

EXPLORER_PATH = "/explorer"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@click.group(cls=CoterieGroup)
def testnet() -> None:
    """A local testnet: several validators on this machine, on 127.0.0.1."""


@testnet.command(name="init")
@click.option(
    "--validators",
    type=click.IntRange(1, MAX_VALIDATORS),
    default=4,
    show_default=True,
    help="How many validators (each a node home).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="A new (or empty) folder for the testnet.",
)
@click.option("--chain-id", default=TESTNET_CHAIN_ID, show_default=True)
@click.option(
    "--block-interval-ms",
    type=click.IntRange(1, 600_000),
    help="Wait between a block and the next height (genesis default 1000).",
)
@click.option(
    "--timeout-propose-ms",
    type=click.IntRange(1, 600_000),
    help="How long validators wait for a proposal (genesis default 3000).",
)
@output_option
def init_cmd(
    *,
    validators: int,
    out: Path,
    chain_id: str,
    block_interval_ms: int | None,
    timeout_propose_ms: int | None,
    output: str,
) -> None:
    """Write the homes of a local testnet, a shared genesis with funded dev accounts, and a dev
    keyring the wallet can use."""
    root = out.expanduser().resolve()
    net = init_testnet(
        root,
        validators,
        chain_id=chain_id,
        block_interval_ms=block_interval_ms,
        timeout_propose_ms=timeout_propose_ms,
        empty_block_interval_ms=block_interval_ms,
    )
    store = open_keystore(root)
    for index, key in enumerate(net.dev_accounts):
        store.add_plaintext(f"dev{index}", key)
    data = net.to_json()
    emit(output, data, _init_text(net, data))


def _init_text(net: LocalTestnet, data: dict[str, Any]) -> str:
    lines = [
        f"testnet of {plural(len(net.nodes), 'validator')} in {net.root}",
        f"chain id      {data['chain_id']}",
        f"genesis hash  {data['genesis_hash']}",
    ]
    lines += [f"  {n['moniker']}  api {n['api_url']}  p2p {n['p2p']}" for n in data["nodes"]]
    lines.append(f"dev keyring   {net.root / 'keys'} (plaintext: use --insecure-dev)")
    lines += _dev_lines(data)
    lines.append(f"start it with: {coterie_command()} testnet start {shlex.quote(str(net.root))}")
    return "\n".join(lines)


def _dev_lines(data: dict[str, Any]) -> list[str]:
    lines = ["funded dev accounts (well-known keys: anyone can spend from them)"]
    lines += [f"  {a['name']}  {a['address']}  seed {a['seed']}" for a in data["dev_accounts"]]
    return lines


@testnet.command(name="start")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
def start_cmd(folder: Path) -> None:
    """Run every node of the testnet in FOLDER as its own process; Ctrl-C stops them all."""
    root = folder.expanduser().resolve()
    data = load_manifest(root)
    nodes = [NodeProcess(n["moniker"], Path(n["home"]), n["api_url"]) for n in data["nodes"]]
    click.echo("\n".join(start_text(data, root, nodes)))
    raise SystemExit(Supervisor(nodes).run())


def start_text(data: dict[str, Any], root: Path, nodes: list[NodeProcess]) -> list[str]:
    """The banner of `testnet start`: nodes, dev accounts (once), and a transfer that works
    when pasted into this shell (the wallet by its full path when `coterie` is not on PATH)."""
    lines = [f"testnet {data['chain_id']} ({plural(len(nodes), 'validator')}) from {root}"]
    lines += [
        f"  {node.moniker}  api {node.api_url}  explorer {node.api_url}{EXPLORER_PATH}  "
        f"log {node.home / 'node.log'}"
        for node in nodes
    ]
    lines += _dev_lines(data)
    lines.append(
        f"send coin: {coterie_command()} tx transfer --home {shlex.quote(str(root))} "
        f"--insecure-dev --from dev0 --to {data['dev_accounts'][1]['address']} "
        f"--amount 1000 --node {nodes[0].api_url}"
    )
    lines.append("Ctrl-C stops every node.")
    return lines


def coterie_command() -> str:
    """How this shell runs the wallet: `coterie` when PATH finds this one, else its full path
    (after `make devnet` the wallet is in the repository's .venv/bin, not on PATH)."""
    beside = Path(sys.executable).parent / "coterie"
    found = shutil.which("coterie")
    if found is not None and beside.exists() and Path(found).resolve() == beside.resolve():
        return "coterie"
    if beside.exists():
        return shlex.quote(str(beside.absolute()))
    return f"{shlex.quote(sys.executable)} -m cli"


@testnet.command(name="env")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--wait",
    type=click.FloatRange(0, 600),
    default=0,
    help="Wait up to SECONDS for the first node to commit a block (it may still be starting).",
)
def env_cmd(folder: Path, wait: float) -> None:
    """Print shell exports that point the wallet at the testnet in FOLDER: its first node
    (COTERIE_NODE) and its dev keyring (COTERIE_HOME). Use: eval "$(coterie testnet env DIR)"."""
    root = folder.expanduser().resolve()
    data = load_manifest(root)
    if wait:
        _wait_for_blocks(NodeClient(data["nodes"][0]["api_url"], timeout=2.0), wait)
    click.echo(f"export COTERIE_NODE={shlex.quote(data['nodes'][0]['api_url'])}")
    click.echo(f"export COTERIE_HOME={shlex.quote(str(root))}")


def _wait_for_blocks(client: NodeClient, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if int(client.get("/v1/status").get("latest_height", 0)) >= 1:
                return
        except NodeClientError:
            pass
        if time.monotonic() >= deadline:
            raise NodeUnreachableError(f"{client.url} committed no block in {seconds:g} s")
        time.sleep(0.3)

"""What every tx-building command shares: common options, the body, and where the tx goes.

A command for a tx kind adds its own payload options to `tx_options`, builds a `TxBuilder` from
the common ones, parses addresses with it, and hands its payload to `TxBuilder.finish`, which
writes an unsigned tx file (`--generate-only`) or hands the body to `cli.sending.Sender`: summary,
`Confirm? [y/N]` (unless `-y`), sign, send to a node (`--node URL` or `COTERIE_NODE`), wait for the
commit; or, with `--dry-run`, only the node's stateful check. With a node, the chain id, genesis
hash, address prefix and native coin's name come from the node's status and the nonce from the
sender's account (pending txs counted) unless given. `describe` (cli.summary) is the human
summary; it walks payload dataclasses, so a new kind needs no code here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from cli.broadcast import ChainInfo, collective_names, next_nonce
from cli.nodeclient import DEFAULT_NODE, NODE_ENV, NodeClient
from cli.options import (
    address_options,
    keyring_options,
    load_genesis,
    open_keystore,
    output_option,
    resolve_prefix,
    write_output,
)
from cli.refs import Resolver
from cli.sending import Sender
from cli.summary import DEFAULT_COIN, Names, describe
from cli.wallet.keystore import KeyInfo, Keystore
from cli.wallet.txfile import checked_body, dumps, unsigned_document
from ledger.codec import U64_MAX
from ledger.collectives.ids import Asset
from ledger.keys import Address
from ledger.tx import Payload, TxBody

__all__ = ["AMOUNT", "POSITIVE_AMOUNT", "TxBuilder", "describe", "node_options", "tx_options"]

F = TypeVar("F", bound=Callable[..., Any])

AMOUNT = click.IntRange(0, U64_MAX)
POSITIVE_AMOUNT = click.IntRange(1, U64_MAX)


def node_options(f: F) -> F:
    """--node, --wait/--no-wait, --timeout, --dry-run, -y and --output: how a tx is sent."""
    options = [
        click.option(
            "--node",
            "node_url",
            envvar=NODE_ENV,
            default=DEFAULT_NODE,
            show_default=True,
            help=f"The node to send the tx to. Env: {NODE_ENV}.",
        ),
        click.option(
            "--wait/--no-wait", default=True, show_default=True, help="Wait for the commit."
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0, 3600),
            default=30.0,
            show_default=True,
            help="Seconds to wait for the commit.",
        ),
        click.option(
            "--dry-run",
            is_flag=True,
            help="Check the tx against the node's state (and pending txs); send nothing.",
        ),
        click.option("-y", "--yes", is_flag=True, help="Send without asking for confirmation."),
        click.option(
            "-q",
            "--quiet",
            is_flag=True,
            help="Print only the id of what the tx created (else its hash): for $(...) in scripts.",
        ),
        output_option,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def tx_options(f: F) -> F:
    """The options every tx-building command takes besides its payload."""
    options = [
        click.option("--from", "sender", required=True, metavar="NAME", help="Sender key name."),
        click.option(
            "--nonce", type=AMOUNT, help="The sender's next nonce (default: asked of the node)."
        ),
        click.option("--fee", type=AMOUNT, default=0, show_default=True, help="Fee offered."),
        click.option("--chain-id", help="Chain id (or taken from --genesis)."),
        click.option(
            "--generate-only", is_flag=True, help="Write the unsigned tx instead of sending it."
        ),
        click.option(
            "--out",
            type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
            help="With --generate-only: write the tx file here (default: stdout).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return keyring_options(address_options(node_options(f)))


@dataclass(frozen=True, slots=True)
class TxBuilder:
    sender: KeyInfo
    chain_id: str
    nonce: int
    fee: int
    prefix: str
    generate_only: bool
    out: Path | None
    send: Sender | None  # None with --generate-only
    store: Keystore | None = None

    @classmethod
    def from_options(
        cls,
        *,
        sender: str,
        nonce: int | None,
        fee: int,
        chain_id: str | None,
        home: Path,
        prefix: str | None,
        genesis_path: Path | None,
        generate_only: bool,
        out: Path | None,
        node_url: str,
        wait: bool,
        timeout: float,
        output: str,
        insecure_dev: bool,
        password_file: Path | None,
        yes: bool = False,
        dry_run: bool = False,
        quiet: bool = False,
    ) -> TxBuilder:
        genesis = load_genesis(genesis_path)
        if genesis is not None:
            if chain_id is not None and chain_id != genesis.chain_id:
                raise click.UsageError(
                    f"--chain-id {chain_id!r} differs from the genesis chain id "
                    f"{genesis.chain_id!r}"
                )
            chain_id = genesis.chain_id
        store = open_keystore(home)
        info = store.info(sender)
        if generate_only:
            if dry_run:
                raise click.UsageError("--dry-run checks with a node: drop --generate-only")
            if chain_id is None:
                raise click.UsageError("give --chain-id ID or --genesis FILE")
            if nonce is None:
                raise click.UsageError("with --generate-only, give --nonce")
            prefix = resolve_prefix(prefix, genesis)
            return cls(info, chain_id, nonce, fee, prefix, True, out, None, store)
        client = NodeClient(node_url)
        chain = ChainInfo.fetch(client)
        if chain_id is not None and chain_id != chain.chain_id:
            raise click.UsageError(
                f"the node at {node_url} serves chain {chain.chain_id!r}, not {chain_id!r}"
            )
        if genesis is not None and genesis.hash() != chain.genesis_hash:
            raise click.UsageError(f"the node at {node_url} serves another genesis than --genesis")
        prefix = resolve_prefix(prefix, genesis, chain.address_prefix)
        auto_nonce = nonce is None
        if nonce is None:
            nonce = next_nonce(client, info.address.to_text(chain.address_prefix))
        names = Names(chain.native_coin, collective_names(client))
        send = Sender(
            client,
            chain,
            store,
            wait,
            timeout,
            output,
            insecure_dev,
            password_file,
            yes=yes,
            dry_run=dry_run,
            quiet=quiet,
            auto_nonce=auto_nonce,
            names=names,
        )
        return cls(info, chain.chain_id, nonce, fee, prefix, False, out, send, store)

    def address(self, text: str) -> Address:
        """An address of this chain, or the address of the stored key named `text`;
        `AddressError` on a wrong prefix or checksum."""
        return self.refs().account(text)

    def refs(self) -> Resolver:
        """Reads accounts (addresses or key names), collectives (ids or names), classes, assets."""
        client = None if self.send is None else self.send.client
        native = DEFAULT_COIN if self.send is None else self.send.chain.native_coin
        store = self.store if self.store is not None else open_keystore(Path("."))
        return Resolver(self.prefix, store, client, native)

    def asset(self, value: Asset | str) -> Asset:
        """An asset parsed offline, or `COLLECTIVE/CLASS` by name, resolved through the node."""
        return value if isinstance(value, Asset) else self.refs().asset(value)

    def body(self, payload: Payload) -> TxBody:
        body = TxBody(self.chain_id, self.sender.public_key, self.nonce, self.fee, payload)
        return checked_body(body)

    def finish(self, payload: Payload) -> None:
        body = self.body(payload)
        if self.send is None:
            write_output(self.out, dumps(unsigned_document(body, self.prefix)), "unsigned tx")
            return
        self.send.send(self.sender, body, self.prefix)

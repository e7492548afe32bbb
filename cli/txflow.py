"""What every tx-building command shares: common options, the body, and where the tx goes.

A command for a tx kind (today `tx transfer`; with issue 7 every kind) adds its own payload options
to `tx_options`, builds a `TxBuilder` from the common ones, parses addresses with it, and hands its
payload to `TxBuilder.finish`, which writes an unsigned tx file (`--generate-only`) or signs it
and sends it to a node (`--node URL` or `COTERIE_NODE`), waiting for the commit unless told not
to (cli.broadcast). With a node, the chain id, genesis hash and address prefix come from the
node's status and the nonce from the sender's account (pending txs counted) unless given.
`describe` is the human summary shown before signing and by `tx show`; it walks payload
dataclasses, so a new kind needs no code here.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from cli.broadcast import ChainInfo, next_nonce, submit, wait_committed
from cli.nodeclient import DEFAULT_NODE, NODE_ENV, NodeClient
from cli.options import (
    address_options,
    emit,
    keyring_options,
    load_genesis,
    open_keystore,
    output_option,
    resolve_prefix,
    warn,
    write_output,
)
from cli.passwords import existing_password
from cli.wallet.keystore import KeyInfo, Keystore
from cli.wallet.txfile import checked_body, dumps, render_value, unsigned_document
from ledger.codec import U64_MAX
from ledger.keys import Address
from ledger.tx import Payload, TxBody

F = TypeVar("F", bound=Callable[..., Any])

AMOUNT = click.IntRange(0, U64_MAX)
POSITIVE_AMOUNT = click.IntRange(1, U64_MAX)
_LABEL_WIDTH = 12


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
        output_option,
    ]
    for option in reversed(options):
        f = option(f)
    return keyring_options(address_options(f))


@dataclass(frozen=True, slots=True)
class TxBuilder:
    sender: KeyInfo
    chain_id: str
    nonce: int
    fee: int
    prefix: str
    generate_only: bool
    out: Path | None
    send: SendOptions | None  # None with --generate-only

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
            if chain_id is None:
                raise click.UsageError("give --chain-id ID or --genesis FILE")
            if nonce is None:
                raise click.UsageError("with --generate-only, give --nonce")
            prefix = resolve_prefix(prefix, genesis)
            return cls(info, chain_id, nonce, fee, prefix, True, out, None)
        client = NodeClient(node_url)
        chain = ChainInfo.fetch(client)
        if chain_id is not None and chain_id != chain.chain_id:
            raise click.UsageError(
                f"the node at {node_url} serves chain {chain.chain_id!r}, not {chain_id!r}"
            )
        if genesis is not None and genesis.hash() != chain.genesis_hash:
            raise click.UsageError(f"the node at {node_url} serves another genesis than --genesis")
        prefix = resolve_prefix(prefix, genesis, chain.address_prefix)
        if nonce is None:
            nonce = next_nonce(client, info.address.to_text(chain.address_prefix))
        send = SendOptions(client, chain, store, wait, timeout, output, insecure_dev, password_file)
        return cls(info, chain.chain_id, nonce, fee, prefix, False, out, send)

    def address(self, text: str) -> Address:
        """Parse an address of this chain; `AddressError` on a wrong prefix or checksum."""
        return Address.parse(self.prefix, text)

    def body(self, payload: Payload) -> TxBody:
        body = TxBody(self.chain_id, self.sender.public_key, self.nonce, self.fee, payload)
        return checked_body(body)

    def finish(self, payload: Payload) -> None:
        body = self.body(payload)
        if self.send is None:
            write_output(self.out, dumps(unsigned_document(body, self.prefix)), "unsigned tx")
            return
        self.send.sign_and_send(self.sender, body, self.prefix)


@dataclass(frozen=True, slots=True)
class SendOptions:
    """Everything needed to sign a body and send it to a node."""

    client: NodeClient
    chain: ChainInfo
    store: Keystore
    wait: bool
    timeout: float
    output: str
    insecure_dev: bool
    password_file: Path | None

    def sign_and_send(self, sender: KeyInfo, body: TxBody, prefix: str) -> None:
        if not sender.encrypted:
            warn(f"WARNING: signing with the UNENCRYPTED development key {sender.name!r}")
        password = existing_password(sender.name, self.password_file)
        key = self.store.unlock(sender.name, password, allow_plaintext=self.insecure_dev)
        signed = body.sign(key, self.chain.genesis_hash)
        for line in describe(body, prefix):
            warn("  " + line)
        submit(self.client, signed)
        data: dict[str, Any] = {"tx_hash": signed.hash.hex(), "status": "pending"}
        text = [f"sent tx {signed.hash.hex()} to {self.client.url}"]
        if self.wait:
            view = wait_committed(self.client, signed.hash, self.timeout)
            data = {"tx_hash": signed.hash.hex(), **view}
            result = view.get("result") or {}
            text.append(
                f"committed at height {view.get('height')} "
                f"(block {str(view.get('block_hash', ''))[:16]}), result {result.get('code', 'OK')}"
            )
        emit(self.output, data, "\n".join(text))


def _text(value: str) -> str:
    """A string quoted and with control or invisible characters escaped: no terminal tricks."""
    escaped = ("\\" + c if c in '"\\' else c if c.isprintable() else ascii(c)[1:-1] for c in value)
    return '"' + "".join(escaped) + '"'


def _describe_value(name: str, value: Any, prefix: str, indent: str) -> list[str]:
    label = f"{indent}{name}".ljust(_LABEL_WIDTH - 1) + " "
    if isinstance(value, Address):
        return [label + value.to_text(prefix)]
    if isinstance(value, str):
        return [label + _text(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        lines = [f"{indent}{name}"]
        for field in dataclasses.fields(value):
            lines += _describe_value(field.name, getattr(value, field.name), prefix, indent + "  ")
        return lines
    return [label + json.dumps(render_value(value, prefix), ensure_ascii=True)]


def describe(body: TxBody, prefix: str) -> list[str]:
    """Lines for a person: every field of the body, payload fields indented."""
    lines = [
        f"kind        {body.kind.name.lower()} ({int(body.kind)})",
        f"chain id    {_text(body.chain_id)}",
        f"sender      {body.sender_address.to_text(prefix)}",
        f"public key  {body.sender.hex()}",
        f"nonce       {body.nonce}",
        f"fee         {body.fee}",
    ]
    return lines + _describe_value("payload", body.payload, prefix, "")

"""What every tx-building command shares: common options, the body, and where the tx goes.

A command for a tx kind (today `tx transfer`; with issue 7 every kind) adds its own payload options
to `tx_options`, builds a `TxBuilder` from the common ones, parses addresses with it, and hands its
payload to `TxBuilder.finish`, which writes an unsigned tx file (`--generate-only`) or, once the
node exists, signs and broadcasts. `describe` is the human summary shown before signing and by
`tx show`; it walks payload dataclasses, so a new kind needs no code here.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from cli.errors import UnavailableError
from cli.options import (
    address_options,
    home_option,
    load_genesis,
    open_keystore,
    resolve_prefix,
    write_output,
)
from cli.wallet.keystore import KeyInfo
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
        click.option("--nonce", type=AMOUNT, required=True, help="The sender's next nonce."),
        click.option("--fee", type=AMOUNT, default=0, show_default=True, help="Fee offered."),
        click.option("--chain-id", help="Chain id (or taken from --genesis)."),
        click.option(
            "--generate-only", is_flag=True, help="Write the unsigned tx instead of sending it."
        ),
        click.option(
            "--out",
            type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
            help="Write the tx file here (default: stdout).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return home_option(address_options(f))


@dataclass(frozen=True, slots=True)
class TxBuilder:
    sender: KeyInfo
    chain_id: str
    nonce: int
    fee: int
    prefix: str
    generate_only: bool
    out: Path | None

    @classmethod
    def from_options(
        cls,
        *,
        sender: str,
        nonce: int,
        fee: int,
        chain_id: str | None,
        home: Path,
        prefix: str | None,
        genesis_path: Path | None,
        generate_only: bool,
        out: Path | None,
    ) -> TxBuilder:
        genesis = load_genesis(genesis_path)
        if genesis is not None:
            if chain_id is not None and chain_id != genesis.chain_id:
                raise click.UsageError(
                    f"--chain-id {chain_id!r} differs from the genesis chain id "
                    f"{genesis.chain_id!r}"
                )
            chain_id = genesis.chain_id
        if chain_id is None:
            raise click.UsageError("give --chain-id ID or --genesis FILE")
        info = open_keystore(home).info(sender)
        return cls(info, chain_id, nonce, fee, resolve_prefix(prefix, genesis), generate_only, out)

    def address(self, text: str) -> Address:
        """Parse an address of this chain; `AddressError` on a wrong prefix or checksum."""
        return Address.parse(self.prefix, text)

    def body(self, payload: Payload) -> TxBody:
        body = TxBody(self.chain_id, self.sender.public_key, self.nonce, self.fee, payload)
        return checked_body(body)

    def finish(self, payload: Payload) -> None:
        body = self.body(payload)
        if not self.generate_only:
            raise UnavailableError(
                "broadcasting arrives with the node; for now use --generate-only, then "
                "`coterie tx sign FILE` (and submit the signed tx once a node runs)"
            )
        write_output(self.out, dumps(unsigned_document(body, self.prefix)), "unsigned tx")


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

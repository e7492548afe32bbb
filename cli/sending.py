"""Signing and sending a tx through a node: confirmation, nonce races, the wait and the result.

`Sender.send` is the one path every tx command takes once its body is built: show the summary,
ask `Confirm? [y/N]` (never when stdin is not a terminal: then `-y` is required), unlock the key,
sign, submit, and wait for the commit with a progress indicator. When the node says the nonce was
taken meanwhile (`BAD_NONCE`, `NONCE_IN_POOL`: another tx of the same account got there first),
it asks the node for the next nonce and signs again, at most `MAX_NONCE_RETRIES` times, but only
when the nonce was not given by hand. `--dry-run` runs the node's stateful check instead
(`POST /v1/txs/check`) and sends nothing; it needs no password.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from cli.broadcast import (
    ChainInfo,
    TxNotCommittedError,
    TxRefusedError,
    check,
    next_nonce,
    submit,
    wait_committed,
)
from cli.nodeclient import NodeClient
from cli.options import emit, warn
from cli.passwords import existing_password
from cli.reasons import NONCE_RACES, explain
from cli.summary import Names, describe, event_attributes
from cli.wallet.keystore import KeyInfo, Keystore
from ledger.collectives.ids import derive_collective_id
from ledger.keys import PrivateKey
from ledger.splits.store import split_id_for
from ledger.tx import SignedTx, TxBody, TxKind

MAX_NONCE_RETRIES = 3
_SPINNER = "|/-\\"


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def confirm(yes: bool, question: str = "Confirm?") -> None:
    """Ask `question [y/N]` unless `yes`; without a terminal to ask on, refuse clearly."""
    if yes:
        return
    if not stdin_is_tty():
        raise click.UsageError(
            "standard input is not a terminal, so there is no one to confirm: add -y (--yes)"
        )
    click.confirm(question, abort=True, err=True)


class Progress:
    """A one-line indicator on stderr while waiting, drawn only when stderr is a terminal."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.enabled = sys.stderr.isatty()
        self.ticks = 0

    def __call__(self, elapsed: float) -> None:
        if not self.enabled:
            return
        frame = _SPINNER[self.ticks % len(_SPINNER)]
        self.ticks += 1
        click.echo(f"\r{frame} {self.what} {elapsed:5.1f} s", err=True, nl=False)

    def done(self) -> None:
        if self.enabled and self.ticks:
            click.echo("\r" + " " * (len(self.what) + 12) + "\r", err=True, nl=False)


def derived_ids(body: TxBody) -> dict[str, str]:
    """Ids the tx creates that can be computed before it commits (shown with the result)."""
    if body.kind is TxKind.COLLECTIVE_CREATE:
        return {"collective_id": derive_collective_id(body.sender_address, body.nonce).hex()}
    if body.kind is TxKind.SPLIT_CREATE:
        return {"split_id": split_id_for(body.sender_address, body.nonce).hex()}
    return {}


def result_lines(view: dict[str, Any], names: Names | None = None) -> list[str]:
    result = view.get("result") or {}
    lines = [
        f"committed at height {view.get('height')} "
        f"(block {view.get('block_hash', '')}), result {result.get('code', 'OK')}"
    ]
    for event in result.get("events", []):
        shown = event_attributes(event.get("attributes", {}), names or Names())
        attributes = " ".join(f"{k}={v}" for k, v in shown.items())
        lines.append(f"  event {event.get('kind')} {attributes}".rstrip())
    return lines


@dataclass(frozen=True, slots=True)
class Sender:
    """Everything needed to check, sign and send a body through a node."""

    client: NodeClient
    chain: ChainInfo
    store: Keystore
    wait: bool
    timeout: float
    output: str
    insecure_dev: bool
    password_file: Path | None
    yes: bool = False
    dry_run: bool = False
    quiet: bool = False
    auto_nonce: bool = False
    names: Names = dataclasses.field(default_factory=Names)

    def summary(self, body: TxBody, prefix: str) -> None:
        if self.quiet:
            return
        warn(f"Transaction for {self.client.url} (chain {self.chain.chain_id}):")
        for line in describe(body, prefix, self.names):
            warn("  " + line)

    def send(self, sender: KeyInfo, body: TxBody, prefix: str) -> None:
        self.summary(body, prefix)
        if self.dry_run:
            self.dry(body)
            return
        confirm(self.yes)
        if not sender.encrypted:
            warn(f"WARNING: signing with the UNENCRYPTED development key {sender.name!r}")
        password = existing_password(sender.name, self.password_file)
        key = self.store.unlock(sender.name, password, allow_plaintext=self.insecure_dev)
        signed = self.submit_racing(key, body, prefix)
        self.finish(signed, derived_ids(signed.body))

    def dry(self, body: TxBody) -> None:
        answer = check(self.client, body)
        events = answer.get("events", [])
        data = {"dry_run": True, "ok": True, "events": events, **derived_ids(body)}
        lines = ["dry run: OK, the node would accept this tx now (nothing was sent)"]
        lines += [f"{k.replace('_', ' ')}  {v}" for k, v in derived_ids(body).items()]
        emit(self.output, data, "\n".join(lines))

    def submit_racing(self, key: PrivateKey, body: TxBody, prefix: str) -> SignedTx:
        """Sign and submit; on a nonce race, take the node's next nonce and sign again."""
        for attempt in range(MAX_NONCE_RETRIES + 1):
            signed = body.sign(key, self.chain.genesis_hash)
            try:
                submit(self.client, signed)
                return signed
            except TxRefusedError as exc:
                if exc.code not in NONCE_RACES or not self.auto_nonce:
                    raise
                if attempt == MAX_NONCE_RETRIES:
                    raise TxRefusedError(
                        exc.code, f"still racing after {MAX_NONCE_RETRIES} retries: {exc.reason}"
                    ) from exc
                address = body.sender_address.to_text(self.chain.address_prefix)
                nonce = max(next_nonce(self.client, address), body.nonce + 1)
                warn(f"note: nonce {body.nonce} was taken ({explain(exc.code)}); using {nonce}")
                body = dataclasses.replace(body, nonce=nonce)
        raise AssertionError("unreachable")

    def finish(self, signed: SignedTx, extra: dict[str, str]) -> None:
        """Report a submitted tx, waiting for its commit unless told not to."""
        tx_hash = signed.hash.hex()
        data: dict[str, Any] = {"tx_hash": tx_hash, "status": "pending", **extra}
        text = [f"sent tx {tx_hash} to {self.client.url}"]
        text += [f"{k.replace('_', ' ')}  {v}" for k, v in extra.items()]
        if self.wait:
            progress = Progress("waiting for the commit")
            try:
                view = wait_committed(self.client, signed.hash, self.timeout, progress)
            finally:
                progress.done()
            data = {"tx_hash": tx_hash, **extra, **view}
            code = (view.get("result") or {}).get("code", "OK")
            if code != "OK":
                raise TxNotCommittedError(
                    f"tx {tx_hash} was included at height {view.get('height')} but failed: "
                    f"{code} ({explain(code)})"
                )
            text += result_lines(view, self.names)
        if self.quiet:
            click.echo(next(iter(extra.values()), tx_hash))
            return
        emit(self.output, data, "\n".join(text))


def broadcast_file(sending: Sender, signed: SignedTx, prefix: str, claimed: bytes | None) -> None:
    """Send a tx signed elsewhere (`tx broadcast FILE`): no key, no password, no retry."""
    if signed.body.chain_id != sending.chain.chain_id:
        raise TxRefusedError(
            "WRONG_CHAIN", f"the tx is for {signed.body.chain_id!r}", "the tx cannot go there"
        )
    if claimed is not None and claimed != sending.chain.genesis_hash:
        raise TxRefusedError(
            "BAD_SIGNATURE", "it was signed for another genesis", "the tx cannot go there"
        )
    sending.summary(signed.body, prefix)
    if sending.dry_run:
        check(sending.client, signed)
        emit(sending.output, {"dry_run": True, "ok": True}, "dry run: OK (nothing was sent)")
        return
    submit(sending.client, signed)
    sending.finish(signed, derived_ids(signed.body))

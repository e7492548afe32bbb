"""The "next release" for the upgrade tests: this software plus one registered upgrade.

Run as `python -m tests.node.upgrade_release start --home HOME`: it registers `v2-test`, whose
migration reads and rewrites state (it counts the accounts and records the state version), then
runs the same CLI. Not a test module: tests/node/test_upgrades.py starts it as a process.
"""

from __future__ import annotations

from ledger.state import keys
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.view import StateView
from ledger.upgrades import register_upgrade

NAME = "v2-test"
VERSION_KEY = keys.chain_meta(b"state_version")
ACCOUNTS_KEY = keys.chain_meta(b"accounts_at_v2")


def migrate(view: StateView, ctx: BlockContext) -> list[Event]:
    accounts = sum(1 for _ in view.iter_prefix(keys.ACCOUNT))
    view.put(VERSION_KEY, b"2")
    view.put(ACCOUNTS_KEY, keys.u64(accounts))
    return [Event.of("state_migrated", version=2, accounts=accounts)]


def register() -> None:
    register_upgrade(NAME, migrate)


if __name__ == "__main__":
    register()
    from cli.main import cli

    cli()

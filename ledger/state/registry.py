"""Imports every handler module so that its handlers and hooks are registered.

The set of tx kinds a node executes is exactly what this module imports: add new handler modules
here. Import `ledger.state.registry` (or `ledger.state.machine`) before executing blocks.
"""

from __future__ import annotations

from ledger.collectives import (
    create,
    delegation,
    exit,
    membership,
    token_transfer,
    treasury_deposit,
)
from ledger.content import handlers as content_handlers
from ledger.governance import (
    core_actions,
    lifecycle,
    process_txs,
    proposal_txs,
    roles,
    validator_set,
    vote_txs,
)
from ledger.splits import handlers as split_handlers
from ledger.state import transfer, validators

HANDLER_MODULES = (
    transfer,
    validators,
    create,
    token_transfer,
    treasury_deposit,
    membership,
    exit,
    delegation,
    proposal_txs,
    vote_txs,
    process_txs,
    lifecycle,
    core_actions,
    roles,
    validator_set,
    split_handlers,
    content_handlers,
)

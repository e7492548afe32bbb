"""Imports every handler module so that its handlers and hooks are registered.

The set of tx kinds a node executes is exactly what this module imports: add new handler modules
here. Import `ledger.state.registry` (or `ledger.state.machine`) before executing blocks.
"""

from __future__ import annotations

from ledger.state import transfer, validators

HANDLER_MODULES = (transfer, validators)

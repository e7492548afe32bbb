"""The ledger state machine: typed state, tx handlers and block execution."""

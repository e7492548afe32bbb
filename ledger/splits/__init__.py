"""Revenue splits: shares agreed in advance, paid out exactly and automatically.

`distribution` is the pure arithmetic; `parties` names who can be paid; `records` and `payloads`
are the stored and signed shapes; `store`, `graph`, `consent`, `payments` and `admin` are the
state rules; `handlers` wires them to tx kinds. docs/splits.md states every rule.
"""

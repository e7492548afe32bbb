"""Software upgrades by governance (as Cosmos SDK x/upgrade): plans in state, migrations in code.

- `plan`: the `UpgradePlan` (name, height, info) the governing body votes (ledger.governance.
  upgrade_action), stored under one chain-meta key, and the record of upgrades applied;
- `registry`: the upgrades this software knows, each with its state migration;
- `gate`: what a node does at a height: go on, halt (old software at the upgrade height), refuse
  (new software before it), and the begin-block hook that runs the migration exactly there.
"""

from ledger.upgrades.gate import (
    UpgradeError,
    UpgradeNeededError,
    UpgradeTooEarlyError,
    check_height,
)
from ledger.upgrades.plan import UpgradePlan, applied_height, read_plan
from ledger.upgrades.registry import Upgrade, known_upgrades, register_upgrade

__all__ = [
    "Upgrade",
    "UpgradeError",
    "UpgradeNeededError",
    "UpgradePlan",
    "UpgradeTooEarlyError",
    "applied_height",
    "check_height",
    "known_upgrades",
    "read_plan",
    "register_upgrade",
]

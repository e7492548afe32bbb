"""What a node does at each height with respect to the upgrade plan (pure: state in, verdict out).

- Old software at the plan's height (the plan's name is not among `known_upgrades()`):
  `UpgradeNeededError`, and the node halts before executing anything of that height (Cosmos
  panics in BeginBlock; we stop the consensus runner, which stops the node with exit status 1).
- New software (it knows the planned upgrade) below the plan's height: `UpgradeTooEarlyError`;
  it would apply blocks the old rules made with rules that start only at the height (cosmovisor's
  "binary updated before trigger"). A chain with no plan naming the upgrade runs the new software
  from any height: nothing tells it apart from a chain that started with it.
- At the plan's height, new software: the begin-block hook `apply_planned_upgrade` runs the
  migration first in the block, records `upgrade/done/<name>` and drops the plan.
"""

from __future__ import annotations

from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.handlers import register_begin_block
from ledger.state.keys import u64
from ledger.state.reader import StateReader
from ledger.state.view import StateView
from ledger.upgrades.plan import PLAN_KEY, done_key, read_plan
from ledger.upgrades.registry import known_upgrades


class UpgradeError(RuntimeError):
    """This software must not execute this height (the message is the one line to show)."""


class UpgradeNeededError(UpgradeError):
    pass


class UpgradeTooEarlyError(UpgradeError):
    pass


def check_height(state: StateReader, height: int) -> None:
    """Raise if this software must not execute block `height` on top of `state`."""
    plan = read_plan(state)
    if plan is None:
        return
    known = plan.name in known_upgrades()
    if height == plan.height and not known:
        raise UpgradeNeededError(
            f"UPGRADE NEEDED: the chain voted {plan.describe()} and this software does not "
            f"know it; halting before height {height}. Install the release that registers "
            f"{plan.name!r}, then start the node again (docs/operating.md, 'Upgrades')"
        )
    if height < plan.height and known:
        raise UpgradeTooEarlyError(
            f"this software applies upgrade {plan.name!r} at height {plan.height}, and the "
            f"chain is at height {height - 1}: it must not run before the upgrade. Run the "
            "previous release until it halts at the upgrade height (docs/operating.md, "
            "'Upgrades')"
        )


def apply_planned_upgrade(view: StateView, ctx: BlockContext) -> list[Event]:
    plan = read_plan(view)
    if plan is None or plan.height != ctx.height:
        return []
    upgrade = known_upgrades().get(plan.name)
    if upgrade is None:  # check_height stops a node before this; never execute without it
        raise UpgradeNeededError(f"upgrade {plan.name!r} at height {ctx.height} is unknown")
    events = upgrade.migrate(view, ctx)
    view.put(done_key(plan.name), u64(ctx.height))
    view.delete(PLAN_KEY)
    return [*events, Event.of("upgrade_applied", name=plan.name, height=ctx.height)]


register_begin_block("upgrades", apply_planned_upgrade)

"""The upgrade gate: old software halts at the plan's height, new software refuses to run before
it, the migration runs exactly once at the height; a plan is only ever a valid one."""

from __future__ import annotations

import dataclasses

import pytest

from ledger.errors import TxError
from ledger.genesis import ChainParams
from ledger.governance.actions import ActionRun
from ledger.governance.upgrade_action import UpgradePlanAction
from ledger.hashing import ZERO_HASH
from ledger.keys import Address
from ledger.state.context import BlockContext
from ledger.state.events import Event
from ledger.state.reader import MemoryState
from ledger.state.view import StateView
from ledger.upgrades import (
    UpgradeNeededError,
    UpgradePlan,
    UpgradeTooEarlyError,
    applied_height,
    check_height,
    read_plan,
    register_upgrade,
)
from ledger.upgrades.gate import apply_planned_upgrade
from ledger.upgrades.plan import PLAN_KEY
from ledger.upgrades.registry import _KNOWN

KNOWN = "gate-test-known"
MARK = b"\xfe" + b"migrated"


def _migrate(view: StateView, ctx: BlockContext) -> list[Event]:
    view.put(MARK, ctx.height.to_bytes(8, "big"))
    return []


if KNOWN not in _KNOWN:
    register_upgrade(KNOWN, _migrate)


def _state(plan: UpgradePlan | None) -> MemoryState:
    return MemoryState({PLAN_KEY: plan.encode()} if plan else {})


def _ctx(height: int) -> BlockContext:
    params = ChainParams(chain_id="upgrade-test", address_prefix="tcot")
    return BlockContext(params, ZERO_HASH, height, 1_000 * height, Address(bytes(20)))


def test_old_software_halts_exactly_at_the_height_with_one_line() -> None:
    state = _state(UpgradePlan("not-in-this-release", 10, "get v9"))
    check_height(state, 9)
    with pytest.raises(UpgradeNeededError) as halted:
        check_height(state, 10)
    line = str(halted.value)
    assert "\n" not in line
    assert "'not-in-this-release' at height 10 (get v9)" in line


def test_new_software_refuses_heights_before_its_upgrade_and_runs_from_it() -> None:
    state = _state(UpgradePlan(KNOWN, 10))
    with pytest.raises(UpgradeTooEarlyError, match="must not run before the upgrade"):
        check_height(state, 9)
    check_height(state, 10)
    check_height(_state(None), 5)  # no plan: any software runs


def test_the_migration_runs_once_exactly_at_the_height() -> None:
    state = _state(UpgradePlan(KNOWN, 10))
    for height in (8, 9):
        view = StateView(state)
        assert apply_planned_upgrade(view, _ctx(height)) == []
        assert view.changes() == {}
    view = StateView(state)
    events = apply_planned_upgrade(view, _ctx(10))
    assert [e.kind for e in events] == ["upgrade_applied"]
    state.apply(view.changes())
    assert state.get(MARK) == (10).to_bytes(8, "big")
    assert read_plan(state) is None and applied_height(state, KNOWN) == 10
    view = StateView(state)
    assert apply_planned_upgrade(view, _ctx(11)) == [] and view.changes() == {}


@pytest.mark.parametrize(
    ("name", "height", "info"),
    [("", 5, ""), ("Upper", 5, ""), ("a" * 65, 5, ""), ("ok", 0, ""), ("ok", 5, "x" * 1025)],
)
def test_a_bad_plan_is_refused(name: str, height: int, info: str) -> None:
    with pytest.raises(TxError):
        UpgradePlanAction(name, height, info).check()


def test_a_plan_must_be_ahead_and_voted_by_the_governing_body() -> None:
    from ledger.collectives.ids import VALIDATORS_BODY_ID

    action = UpgradePlanAction("v2", 10)
    body = ActionRun(VALIDATORS_BODY_ID, 1, Address(bytes(20)))
    other = dataclasses.replace(body, collective_id=b"\x01" * len(VALIDATORS_BODY_ID))
    view = StateView(MemoryState())
    with pytest.raises(TxError, match="governing body"):
        action.execute(view, _ctx(5), other)
    with pytest.raises(TxError, match="not ahead"):
        action.execute(view, _ctx(10), body)
    assert view.changes() == {}
    action.execute(view, _ctx(5), body)
    assert UpgradePlan.decode(view.changes()[PLAN_KEY]) == UpgradePlan("v2", 10)

"""The shipped alert rules and dashboard (ops/): valid PromQL, unit-tested alerts, and no series a
node does not export (a renamed metric would otherwise silence an alert without anyone noticing)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families
from pytest_aiohttp import AiohttpClient

from node.api import SigningRecord, create_app
from node.api.metrics_ops import quorum_peers_needed
from tests.node.api.builder import ALICE, BOB, VALIDATOR, LiveChain

OPS = Path(__file__).resolve().parents[3] / "ops"
RULES = OPS / "prometheus" / "coterie-rules.yml"
RULE_TESTS = OPS / "prometheus" / "coterie-rules.test.yml"
DASHBOARD = OPS / "grafana" / "coterie-dashboard.json"
SERIES = re.compile(r"\bcoterie_[a-z_]+\b")


def _promtool() -> str:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus; .ci/run installs it)")
    return promtool


def _run(*args: str, cwd: Path) -> None:
    done = subprocess.run(args, cwd=cwd, check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def _dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_promtool_checks_the_rules_and_their_unit_tests_pass() -> None:
    promtool = _promtool()
    _run(promtool, "check", "rules", str(RULES), cwd=RULES.parent)
    _run(promtool, "test", "rules", RULE_TESTS.name, cwd=RULES.parent)


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool has no expression checker: each query becomes a recording rule it checks."""
    promtool = _promtool()
    lines = ["groups:", "  - name: dashboard", "    rules:"]
    for number, expr in enumerate(_dashboard_exprs()):
        lines += [f"      - record: dashboard:q{number}", f"        expr: {json.dumps(expr)}"]
    rules = tmp_path / "dashboard-rules.yml"
    rules.write_text("\n".join(lines) + "\n")
    _run(promtool, "check", "rules", str(rules), cwd=tmp_path)


async def test_rules_and_dashboard_name_only_series_a_node_exports(
    chain: LiveChain, aiohttp_client: AiohttpClient
) -> None:
    ctx = dataclasses.replace(
        chain.context(), signing=lambda: {VALIDATOR.address.raw: SigningRecord(5, 2)}
    )
    client = await aiohttp_client(create_app(ctx))
    chain.commit([chain.builder.transfer(ALICE, BOB, 1)])
    pending = chain.builder.transfer(ALICE, BOB, 2).encode()
    await chain.mempool.admit(pending)
    await chain.mempool.admit(pending)  # refused (already pending): the refusals family appears
    await client.get("/v1/status")
    text = await (await client.get("/metrics")).text()
    exported = {
        sample.name for family in text_string_to_metric_families(text) for sample in family.samples
    }
    wanted = set(SERIES.findall(RULES.read_text()))
    for expr in _dashboard_exprs():
        wanted |= set(SERIES.findall(expr))
    assert wanted, "no series found: the pattern no longer matches the files"
    missing = wanted - exported
    assert not missing, f"series the node does not export: {sorted(missing)}"


def test_quorum_peers_needed_examples() -> None:
    assert quorum_peers_needed([10, 10, 10, 10], 10) == 2  # 30 of 40 > 2/3
    assert quorum_peers_needed([10], 10) == 0
    assert quorum_peers_needed([10, 10, 10, 10], None) == 1
    assert quorum_peers_needed([70, 10, 10, 10], 70) == 0  # 70 of 100 alone
    assert quorum_peers_needed([70, 10, 10, 10], 10) == 1  # with the 70 one: 80
    assert quorum_peers_needed([], None) == 0


@given(st.lists(st.integers(1, 1000), min_size=1, max_size=12), st.data())
def test_quorum_peers_needed_is_the_fewest_that_reach_quorum(
    powers: list[int], data: st.DataObject
) -> None:
    own = data.draw(st.sampled_from(powers))
    needed = quorum_peers_needed(powers, own)
    others = sorted(powers, reverse=True)
    others.remove(own)
    total = sum(powers)
    assert (own + sum(others[:needed])) * 3 > total * 2  # enough: every peer up gives 2/3+
    if needed:  # and no smaller count of any peers could be
        assert (own + sum(others[: needed - 1])) * 3 <= total * 2

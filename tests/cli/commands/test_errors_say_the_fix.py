"""Issue 15: every error a member meets names what is allowed or what to do, against a live
one-validator chain (the module's `live` fixture); nothing is signed before the wallet knows the
chain would take it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from click.testing import Result

from cli.errors import ExitCode
from ledger.collectives.create import CollectiveCreate, Founder
from ledger.collectives.ids import derive_collective_id
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.params import CollectiveParams
from tests.cli.commands.live import Live, node_args
from tests.cli.helpers import fails

Run = Callable[[Sequence[str]], Result]
GEN = ["--chain-id", "coterie-test", "--nonce", "0", "--generate-only"]
NOWHERE = "http://127.0.0.1:9"


def _policy(run: Run, live: Live, *args: str) -> Result:
    cid = live.collective.hex()
    base = ["proposal", "submit", "policy", "--collective", cid, "--kind", "spend"]
    return run([*base, *args, "--from", "dev0", "--home", str(live.home), *GEN])


def test_a_policy_error_names_the_allowed_range_once(run: Run, live: Live) -> None:
    result = _policy(run, live, "--voting-period", "1s")
    fails(result, ExitCode.INVALID_INPUT, "voting_period_ms must be from 1 minute to 365 days")
    assert "invalid policy: invalid policy" not in result.output


def test_a_short_voting_period_says_to_turn_off_the_expedited_path(run: Run, live: Live) -> None:
    result = _policy(run, live, "--voting-period", "1h")
    fails(result, ExitCode.INVALID_INPUT, "--expedited-period 0", "shorter than the voting")


def test_collective_create_checks_its_policy_before_signing(run: Run, live: Live) -> None:
    nonce = live.get(f"/v1/accounts/{live.address('dev3')}")["next_nonce"]
    create = [
        "collective", "create", "--from", "dev3", "--name", "too quick",
        "--policy", "spend:voting_period_ms=1h",
    ]  # fmt: skip
    result = run(node_args(live, *create))
    fails(result, ExitCode.INVALID_INPUT, "expedited_period_ms=0")
    assert "sent tx" not in result.output
    assert live.get(f"/v1/accounts/{live.address('dev3')}")["next_nonce"] == nonce


def test_a_missing_collective_is_not_an_unreachable_node(run: Run, live: Live) -> None:
    missing = run(["query", "collective", "00" * 20, "--node", live.url])
    fails(missing, ExitCode.NOT_FOUND, "not_found")
    by_name = run(["query", "collective", "no such crew", "--node", live.url])
    fails(by_name, ExitCode.NOT_FOUND, "no collective named 'no such crew'", "exact name")
    down = run(["query", "collective", "00" * 20, "--node", NOWHERE])
    fails(down, ExitCode.UNAVAILABLE, "cannot reach the node")
    assert ExitCode.NOT_FOUND != ExitCode.UNAVAILABLE


def test_query_collective_takes_the_name_the_tx_commands_take(run: Run, live: Live) -> None:
    result = run(["query", "collective", "crew", "--node", live.url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("id:") and live.collective.hex() in result.output.split()[1]
    assert "native" not in result.output and "COT" in result.output  # the coin by its name


def test_accept_asset_takes_a_class_name(run: Run, live: Live) -> None:
    """`--asset zine/credits` as treasury deposit and docs/cli.md take it, not only `ID/1`."""
    nonce = int(live.get(f"/v1/accounts/{live.address('dev1')}")["next_nonce"])
    founders = (Founder(live.keys["dev1"].address, (5, 5)),)
    classes = (
        TokenClass("shares", ClassKind.SHARES),
        TokenClass("credits", ClassKind.LOOT, True, False),
    )
    live.send("dev1", CollectiveCreate("zine", "", classes, founders, CollectiveParams()))
    zine = derive_collective_id(live.keys["dev1"].address, nonce).hex()
    cid = live.collective.hex()
    submit = ["proposal", "submit", "accept-asset", "--collective", cid, "--asset"]
    for given in ("zine/credits", f"{zine}/credits"):
        result = run(node_args(live, *submit, given, "--from", "dev0"))
        assert result.exit_code == 0, result.output
        action = live.proposal(live.newest_proposal())["actions"][0]
        assert action["asset"] == {"collective": zine, "token_class": 1}
    unknown = run(node_args(live, *submit, "zine/loot", "--from", "dev0"))
    fails(unknown, ExitCode.INVALID_INPUT, "no token class 'loot'", "classes: shares, credits")

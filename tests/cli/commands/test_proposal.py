"""`coterie proposal ...` against a live one-validator chain: each path commits and the change
shows in the API; bad input is a clean click error."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from cli.errors import ExitCode
from ledger.collectives.ids import VALIDATORS_BODY_ID
from tests.cli.commands.live import Live, node_args, wait_seconds_until
from tests.cli.helpers import fails

Run = Callable[[Sequence[str]], Result]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def submit(run: Run, live: Live, sender: str, kind: str, *args: str) -> int:
    cid = live.collective.hex()
    ok(
        run(
            node_args(
                live, "proposal", "submit", kind, "--from", sender, "--collective", cid, *args
            )
        )
    )
    return live.newest_proposal()


def test_spend_passes_on_a_yes_vote_and_pays(run: Run, live: Live) -> None:
    before = live.balance("dev3")
    pid = submit(
        run, live, "dev0", "spend", "--to", live.address("dev3"), "--amount", "1234",
        "--memo", "gear", "--title", "buy gear",
    )  # fmt: skip
    view = live.proposal(pid)
    assert (view["kind"], view["status"], view["metadata"]) == ("SPEND", "VOTING", "buy gear")
    result = ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "dev0")))
    assert "ballot: yes" in result.output
    live.wait_status(pid, "EXECUTED")
    assert live.balance("dev3") == before + 1234


def test_sponsor_then_cancel(run: Run, live: Live) -> None:
    pid = submit(run, live, "dev1", "poll", "--choice", "red", "--choice", "blue")
    assert live.proposal(pid)["status"] == "SUBMITTED"  # dev1's 5 shares are below the threshold
    ok(run(node_args(live, "proposal", "sponsor", str(pid), "--from", "dev0")))
    assert live.proposal(pid)["status"] == "VOTING"
    assert live.proposal(pid)["choices"] == ["red", "blue"]
    wrong = run(node_args(live, "proposal", "vote", str(pid), "yes", "5", "--from", "dev0"))
    fails(wrong, ExitCode.INVALID_INPUT, "does not fit proposal", "options run from 0 to 1")
    missing = run(node_args(live, "proposal", "vote", "99999", "yes", "--from", "dev0"))
    fails(missing, ExitCode.INVALID_INPUT, "the node knows no proposal 99999")
    ok(run(node_args(live, "proposal", "cancel", str(pid), "--from", "dev1")))
    assert live.proposal(pid)["status"] == "CANCELLED"


def test_process_too_early_is_a_clear_refusal(run: Run, live: Live) -> None:
    pid = submit(run, live, "dev0", "expel", "--member", live.address("dev1"))
    result = run(node_args(live, "proposal", "process", str(pid), "--from", "dev2"))
    fails(result, ExitCode.TX_FAILED, "INVALID_STATE")
    ok(run(node_args(live, "proposal", "cancel", str(pid), "--from", "dev0")))


def test_multisig_approvals_mint_and_a_rejection_opens(run: Run, live: Live) -> None:
    dev1 = live.address("dev1")
    pid = submit(run, live, "dev0", "mint", "--to", dev1, "--class", "1", "--amount", "7")
    ok(run(node_args(live, "proposal", "approve", str(pid), "--from", "dev0")))
    assert live.proposal(pid)["status"] == "VOTING"
    ok(run(node_args(live, "proposal", "approve", str(pid), "--from", "dev1")))
    live.wait_status(pid, "EXECUTED")
    assert live.members()[dev1]["holdings"]["loot"] == 7

    other = submit(run, live, "dev0", "burn", "--holder", dev1, "--class", "1", "--amount", "1")
    ok(run(node_args(live, "proposal", "reject", str(other), "--from", "dev1")))
    rejection = live.newest_proposal()
    assert rejection > other
    assert live.proposal(rejection)["actions"] == []


def test_admit_and_role_proposals(run: Run, live: Live) -> None:
    dev3 = live.address("dev3")
    pid = submit(run, live, "dev0", "admit", "--applicant", dev3, "--grant", "0=2")
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "dev0")))
    live.wait_status(pid, "EXECUTED")
    assert live.members()[dev3]["holdings"]["shares"] == 2

    pid = submit(
        run, live, "dev0", "role-set", "--role", "governor", "--holder", dev3, "--until", "+30d"
    )
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes=100%", "--from", "dev0")))
    live.wait_status(pid, "EXECUTED")


def test_policy_and_params_changes_start_from_the_current_ones(run: Run, live: Live) -> None:
    pid = submit(
        run, live, "dev0", "policy", "--kind", "expel", "--quorum", "40%", "--voting-period", "2d"
    )
    action = live.proposal(pid)["actions"][0]
    assert action["policy"]["quorum_ppm"] == 400_000
    assert action["policy"]["voting_period_ms"] == 2 * 86_400_000
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "dev0")))
    live.wait_status(pid, "EXECUTED")

    pid = submit(run, live, "dev0", "params", "--set", "proposal_deposit=3", "--set", "dues=1")
    params = live.proposal(pid)["actions"][0]["params"]
    assert (params["proposal_deposit"], params["dues"], params["max_live_per_proposer"]) == (
        3,
        1,
        100,
    )
    ok(run(node_args(live, "proposal", "cancel", str(pid), "--from", "dev0")))


@pytest.mark.parametrize(
    ("kind", "args", "proposal_kind"),
    [
        ("distribute", ["--holders-of", "CREW/0", "--amount", "10"], "SPEND"),
        ("accept-asset", ["--asset", VALIDATORS_BODY_ID.hex() + "/0", "--remove"], "GOVERNANCE"),
        ("role-revoke", ["--role", "moderator", "--holder", "dev1"], "GOVERNANCE"),
        ("role-lock", ["--role", "treasurer"], "GOVERNANCE"),
        ("allowance", ["--member", "dev1", "--amount", "5", "--period", "30d"], "ALLOWANCE"),
        ("allocate", ["--budget", "10", "--choice", "art=dev1", "--choice", "docs=dev2"],
         "ALLOCATION"),
        ("split-create", ["--recipient", "dev1=2", "--recipient", "dev2=1"], "SPLITS"),
    ],
)  # fmt: skip
def test_every_other_action_kind_reaches_the_chain(
    run: Run, live: Live, kind: str, args: list[str], proposal_kind: str
) -> None:
    names = {n: live.address(n) for n in ("dev1", "dev2")}
    fixed = []
    for arg in args:
        left, sep, right = arg.partition("=")
        text = f"{names.get(left, left)}{sep}{names.get(right, right)}" if sep else arg
        fixed.append(names.get(text, text.replace("CREW", live.collective.hex())))
    pid = submit(run, live, "dev0", kind, *fixed)
    view = live.proposal(pid)
    assert view["kind"] == proposal_kind
    assert len(view["actions"]) == 1
    ok(run(node_args(live, "proposal", "cancel", str(pid), "--from", "dev0")))


@pytest.mark.slow
def test_secret_ballot_commit_then_reveal(run: Run, live: Live) -> None:
    pid = submit(run, live, "dev0", "signal", "--title", "secret")
    ok(run(node_args(live, "proposal", "commit", str(pid), "yes", "--from", "dev0")))
    # a second commit is refused (this policy keeps first votes) but its salt is kept beside
    # the first, and reveal finds the one the chain holds
    again = run(node_args(live, "proposal", "commit", str(pid), "no", "--from", "dev0"))
    fails(again, ExitCode.TX_FAILED, "ALREADY_VOTED")
    stored = list((live.home / "ballots").glob(f"*-{pid}-{live.address('dev0')}.json"))
    assert len(stored) == 1
    entries = json.loads(stored[0].read_text())["ballots"]
    assert [e["options"] for e in entries] == [[0], [1]]
    assert live.proposal(pid)["ballots_cast"] == 1  # the commitment abstains until revealed
    early = run(node_args(live, "proposal", "reveal", str(pid), "--from", "dev0"))
    fails(early, ExitCode.TX_FAILED, "VOTING_CLOSED")
    wait_seconds_until(int(live.proposal(pid)["end_ms"]))
    ok(run(node_args(live, "proposal", "reveal", str(pid), "--from", "dev0")))
    live.wait_status(pid, "EXECUTED", timeout=90.0)
    assert live.proposal(pid)["tally"][0] == 20


def test_reveal_without_a_commit_is_a_clear_error(run: Run, live: Live) -> None:
    result = run(node_args(live, "proposal", "reveal", "999", "--from", "dev2"))
    fails(result, ExitCode.INVALID_INPUT, "no committed ballot for proposal 999")


GEN = ["--chain-id", "coterie-test", "--nonce", "0", "--generate-only"]
CID = "00" * 20


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["vote", "1", "maybe"], "not a whole number"),
        (["vote", "1", "yes=60%", "no=30%"], "not 100%"),
        (["vote", "1", "yes", "yes"], "listed twice"),
        (["vote", "1", "yes=60%", "no"], "for every option or for none"),
        (["submit", "spend", "--collective", "zz", "--to", "x", "--amount", "1"], "not hex"),
        (["submit", "spend", "--collective", CID, "--to", "tcot1xyz", "--amount", "1"], "address"),
        (["submit", "spend", "--collective", CID, "--to", "x", "--amount", "0"], "--amount"),
        (["submit", "policy", "--collective", CID, "--kind", "spend", "--quorum", "120%"], "100%"),
        (["submit", "policy", "--collective", CID, "--kind", "spend", "--voting-period", "1s"],
         "voting_period_ms"),
        (["submit", "stream", "--collective", CID, "--to", "x", "--total", "5",
          "--interval", "3s", "--duration", "10s"], "whole number of intervals"),
        (["submit", "params", "--collective", CID, "--set", "dues=1"], "needs a node"),
        (["submit", "poll", "--collective", CID, "--choice", "only"], "2 to 32"),
        (["submit", "moderate", "--collective", CID, "--content", "00" * 32,
          "--decision", "label"], "needs a label"),
        (["submit", "validator", "--power", "00" * 32 + "=0"], "at least 1"),
        (["submit", "role-set", "--collective", CID, "--role", "governor", "--holder", "x",
          "--until", "tomorrow"], "not a date"),
    ],
)  # fmt: skip
def test_bad_input_is_a_clear_error(
    run: Run, live: Live, args: list[str], words: str, tmp_path: Path
) -> None:
    fixed = [a if a != "x" else live.address("dev1") for a in args]
    result = run(["proposal", *fixed, "--from", "dev0", "--home", str(live.home), *GEN])
    assert result.exit_code in (ExitCode.USAGE, ExitCode.INVALID_INPUT), result.output
    assert "Traceback" not in result.output
    assert words in result.output, result.output

"""`coterie proposal submit` for a collective's economics against a live chain (issue 22): a
reputation policy that weighs votes, a funded spend's work accepted (its recipient earns the
points `member standing` then shows), a reward schedule the API reports, and clear refusals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from cli.errors import ExitCode
from tests.cli.commands.live import Live, node_args

Run = Callable[[Sequence[str]], Result]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def passed(run: Run, live: Live, kind: str, *args: str) -> int:
    """dev0 (20 of 25 shares) submits and votes yes; returns the executed proposal's id."""
    cid = live.collective.hex()
    ok(
        run(
            node_args(
                live, "proposal", "submit", kind, "--collective", cid, *args, "--from", "dev0"
            )
        )
    )
    pid = live.newest_proposal()
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "dev0")))
    live.wait_status(pid, "EXECUTED")
    return pid


def test_an_accepted_deliverable_earns_its_recipient_standing(run: Run, live: Live) -> None:
    cid = live.collective.hex()
    policy_args = ["--deliverable-accepted", "30", "--half-life", "90d", "--daily-cap", "100"]
    weight_args = ["--vote-weight-ppm", "100000", "--max-vote-bonus", "2"]
    passed(run, live, "reputation-policy", *policy_args, *weight_args)
    policy = live.get(f"/v1/collectives/{cid}/economics")["policy"]
    assert (policy["deliverable_accepted"], policy["max_vote_bonus"]) == (30, 2)
    spend = passed(run, live, "spend", "--to", live.address("dev1"), "--amount", "50")
    passed(run, live, "accept-deliverable", "--spend", str(spend))
    query = ["--node", live.url, "--home", str(live.home)]
    standing = ok(run(["member", "standing", live.address("dev1"), "--collective", cid, *query]))
    assert "29 points" in standing.output or "30 points" in standing.output  # decay since
    assert "extra voting shares" in standing.output
    again = run(node_args(live, "proposal", "submit", "accept-deliverable", "--collective", cid,
                          "--spend", str(spend), "--from", "dev0"))  # fmt: skip
    assert again.exit_code == ExitCode.TX_FAILED and "DELIVERABLE_ACCEPTED" in again.output


def test_a_reward_schedule_is_reported_and_stopped(run: Run, live: Live) -> None:
    cid = live.collective.hex()
    passed(run, live, "reward-schedule", "--budget", "60", "--period", "7d")
    schedule = live.get(f"/v1/collectives/{cid}/economics")["reward_schedule"]
    assert (schedule["budget"], schedule["period_s"]) == (60, 7 * 24 * 3600)
    passed(run, live, "reward-schedule", "--stop")
    assert live.get(f"/v1/collectives/{cid}/economics")["reward_schedule"] is None


GEN = ["--chain-id", "coterie-test", "--nonce", "0", "--generate-only"]
CID = "00" * 20


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["reputation-policy", "--half-life", "10m", "--daily-cap", "5"], "half-life"),
        (["reputation-policy", "--half-life", "1d", "--daily-cap", "5", "--vote-weight-ppm", "5"],
         "needs a bonus cap"),
        (["reward-schedule", "--budget", "5", "--period", "1h"], "1 day to 366 days"),
        (["reward-schedule", "--budget", "5", "--stop"], "--stop alone"),
        (["accept-deliverable"], "--spend PROPOSAL or --stream ID"),
        (["accept-deliverable", "--spend", "1", "--stream", "2"], "--stream ID"),
        (["role-gate", "--role", "nobody", "--min-points", "5"], "nobody"),
    ],
)  # fmt: skip
def test_bad_input_is_a_clear_error(
    run: Run, live: Live, args: list[str], words: str, tmp_path: Path
) -> None:
    result = run(["proposal", "submit", *args, "--collective", CID, "--from", "dev0",
                  "--home", str(live.home), *GEN])  # fmt: skip
    assert result.exit_code in (ExitCode.USAGE, ExitCode.INVALID_INPUT), result.output
    assert "Traceback" not in result.output
    assert words in result.output, result.output

"""`coterie sim`: prints the seed, derived options and a summary; exits 7 on a violation."""

from __future__ import annotations

import logging
import re

from click.testing import CliRunner

from cli.main import cli


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["sim", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_a_run_prints_seed_options_summary_and_the_replay_command() -> None:
    code, out = invoke(
        "--validators", "4", "--byzantine", "1", "--seed", "42", "--heights", "6",
        "--faults", "partition,crash,double-vote",
    )  # fmt: skip
    assert code == 0, out
    assert out.startswith("seed 42\noptions derived from the seed:\n")
    assert "byzantine  v" in out and "double-vote" in out
    for label in ("heights", "rounds", "latency", "messages", "evidence"):
        assert re.search(rf"^  {label} ", out, re.MULTILINE), label
    assert "result: ok" in out
    replay = (
        "replay: coterie sim --validators 4 --byzantine 1 --seed 42 --heights 6 "
        "--faults crash,double-vote,partition"
    )
    assert replay in out


def test_the_same_seed_gives_the_same_run() -> None:
    args = ("--validators", "4", "--seed", "7", "--heights", "5", "--faults", "drop,reorder")
    first, second = invoke(*args)[1], invoke(*args)[1]
    strip = lambda text: re.sub(r"wall time .*", "", text)  # noqa: E731
    assert strip(first) == strip(second)


def test_a_violation_exits_7_and_says_how_to_replay() -> None:
    # two of four validators (more than f) split the honest ones with twin blocks and votes
    code, out = invoke(
        "--validators", "4", "--byzantine", "2", "--seed", "1", "--heights", "8",
        "--faults", "equivocate,double-vote",
    )  # fmt: skip
    assert code == 7, out
    assert "more Byzantine power than tolerated" in out
    assert "result: VIOLATION\n  fork at " in out
    assert out.rstrip().endswith(
        "replay: coterie sim --validators 4 --byzantine 2 --seed 1 --heights 8 "
        "--faults double-vote,equivocate"
    )


def test_several_seeds_print_one_line_each() -> None:
    level = logging.getLogger("consensus").level
    code, out = invoke("--validators", "4", "--seed", "10", "--seeds", "3", "--heights", "3")
    assert logging.getLogger("consensus").level == level  # quieted only while it ran
    assert code == 0, out
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "seed 10",
        "seed 11",
        "seed 12",
    ]


def test_seeds_mode_notes_runs_with_more_than_f_byzantine() -> None:
    code, out = invoke(
        "--validators", "4", "--byzantine", "2", "--seed", "1", "--seeds", "2",
        "--heights", "4", "--faults", "equivocate,double-vote",
    )  # fmt: skip
    assert out.count("note: more Byzantine power than tolerated") == 2, out
    assert code in (0, 7)


def test_bad_options_are_usage_errors() -> None:
    code, out = invoke("--faults", "partition,meteor")
    assert code == 2 and "unknown faults: meteor" in out
    code, out = invoke("--validators", "3", "--byzantine", "4")
    assert code == 3 and "cannot exceed" in out

"""A member votes on what the wallet shows: every field of a proposal shown next to "verified"
is the proven record's, and a verified list of proposals is complete (issue 20, item 1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ledger.governance.proposal_txs import ProposalSubmit
from tests.cli.lightclient.conftest import LiarRun
from tests.cli.lightclient.devchain import BOB, GUILD, VALIDATORS, DevChain, Servers, Tamper

Liar = Callable[[Tamper], LiarRun]


def _refused(result: Any, *words: str) -> str:
    assert result.exit_code == 9, result.output
    line = result.output.strip()
    assert "\n" not in line and line.startswith("Error: verification failed:"), line
    assert "Traceback" not in result.output
    for word in words:
        assert word in line, line
    return str(line)


def _on_proposal(change: Callable[[dict[str, Any]], None]) -> Tamper:
    def tamper(path: str, data: Any) -> Any:
        if path.startswith("/v1/proposals/"):
            change(data)
        if path.endswith("/proposals") and data.get("proposals"):
            change(data["proposals"][0])
        return data

    return tamper


def test_an_inflated_mint_shown_as_verified_is_refused(liar: Liar, mint_proposal: int) -> None:
    def inflate(p: dict[str, Any]) -> None:
        p["actions"][0]["amount"] = 5_000_000
        p["actions"][0]["to"] = VALIDATORS[0].address.to_text("tcot")

    run = liar(_on_proposal(inflate))
    _refused(run(["proposal", str(mint_proposal)]), "actions")
    _refused(run(["proposals", GUILD.hex()]), "actions")


def test_a_mint_shown_as_a_spend_is_refused(liar: Liar, mint_proposal: int) -> None:
    def respend(p: dict[str, Any]) -> None:
        p["kind"] = "SPEND"

    run = liar(_on_proposal(respend))
    _refused(run(["proposal", str(mint_proposal)]), "kind")
    _refused(run(["proposals", GUILD.hex()]), "kind")


@pytest.mark.parametrize(
    ("field", "lie"),
    [("final", True), ("next_deadline", {"what": "voting_ends", "ms": 1})],
)
def test_final_and_the_next_deadline_are_proven(
    liar: Liar, mint_proposal: int, field: str, lie: Any
) -> None:
    run = liar(_on_proposal(lambda p: p.__setitem__(field, lie)))
    _refused(run(["proposal", str(mint_proposal)]), field)


def test_what_only_the_node_counts_is_marked_unverified(liar: Liar, mint_proposal: int) -> None:
    run = liar(lambda _path, data: data)
    result = run(["proposal", str(mint_proposal)])
    assert result.exit_code == 0, result.output
    note = json.loads(result.stdout)["verified"]
    assert {"ballots_cast", "live_tally"} <= set(note["unverified"])
    assert "actions" not in note["unverified"] and "kind" not in note["unverified"]
    text = run(["proposal", str(mint_proposal)], json_out=False)
    assert "unverified (the node's word): ballots_cast" in text.stdout


def test_an_emptied_proposal_list_is_refused(liar: Liar, mint_proposal: int) -> None:
    def empty(path: str, data: Any) -> Any:
        if path.endswith("/proposals"):
            data["proposals"] = []
        return data

    _refused(liar(empty)(["proposals", GUILD.hex()]), f"proposal {mint_proposal}", "missing")


def test_a_proposal_list_with_one_left_out_is_refused(
    liar: Liar, mint_proposal: int, devchain: DevChain, servers: Servers
) -> None:
    second = ProposalSubmit(GUILD, (), metadata="a poll")
    servers.call(lambda: devchain.commit([devchain.sign(BOB, second)]))

    def drop_newest(path: str, data: Any) -> Any:
        if path.endswith("/proposals"):
            data["proposals"] = data["proposals"][1:]
        return data

    _refused(liar(drop_newest)(["proposals", GUILD.hex()]), "missing")
    honest = liar(lambda _p, d: d)(["proposals", GUILD.hex()])
    assert honest.exit_code == 0, honest.output
    data = json.loads(honest.stdout)
    assert [p["id"] for p in data["proposals"]] == [mint_proposal + 1, mint_proposal]
    assert "proposals" not in data["verified"]["unverified"]


def test_a_proven_empty_list_says_so_with_its_verified_line(liar: Liar) -> None:
    result = liar(lambda _p, d: d)(["proposals", GUILD.hex()], json_out=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("no proposals") and "verified:" in result.stdout

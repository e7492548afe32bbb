"""A second header at a height the wallet already verified, signed by 2/3+ of the validators,
is a fork: refused (exit 10) and reported as evidence anyone can check (issue 20, item 3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli.main import cli
from consensus.evidence import verify_evidence
from consensus.validators import ValidatorSet
from ledger.block import DuplicateVoteEvidence
from ledger.codec import decode
from tests.cli.lightclient.conftest import LiarRun
from tests.cli.lightclient.devchain import ALICE, DevChain, Tamper, make_genesis
from tests.cli.lightclient.lies import honest, one_line, resigned

Liar = Callable[[Tamper], LiarRun]
ALICE_TEXT = ALICE.address.to_text("tcot")


def _fork_at_5(path: str, data: Any) -> Any:
    """Proofs and the commit of height 5 from another block 5: another state root, signed by
    every validator."""
    if path in ("/v1/proofs", "/v1/commits/5") or path.startswith("/v1/accounts/"):
        target = data.get("proof", data)
        if target.get("height") == 5:
            resigned(target, state_root=bytes(range(32)))
    return data


def test_a_second_signed_header_at_the_trusted_height_is_a_fork(liar: Liar, tmp_path: Path) -> None:
    first = liar(honest)(["account", ALICE_TEXT])
    assert json.loads(first.stdout)["verified"]["height"] == 5
    result = liar(_fork_at_5)(["account", ALICE_TEXT])
    one_line(result, 10, "FORK at height 5", "the evidence is in")
    report_path = Path(result.output.strip().rsplit(" ", 1)[-1])
    report = json.loads(report_path.read_text())
    assert report["height"] == 5 and len(report["duplicate_votes"]) == 4
    genesis = make_genesis()
    validators = ValidatorSet.from_genesis(genesis.validators)
    for item in report["duplicate_votes"]:
        evidence = DuplicateVoteEvidence.from_fields(
            decode(bytes.fromhex(item["evidence_msgpack"]))
        )
        verify_evidence(validators, genesis.hash(), evidence)  # any node's pool accepts it
    printed = CliRunner().invoke(cli, ["light", "evidence", str(report_path)])
    assert printed.exit_code == 0 and "double signers:" in printed.stdout
    assert "4" in printed.stdout.split("double signers:")[1].splitlines()[0]


def test_a_witness_with_another_signed_header_reveals_the_fork(
    liar: Liar, proxy: Callable[[Tamper], str], devchain: DevChain
) -> None:
    run = liar(honest)
    lying_witness = proxy(_fork_at_5)
    result = run(["account", ALICE_TEXT, "--witness", lying_witness])
    one_line(result, 10, "FORK at height 5", lying_witness)
    agreeing = run(["account", ALICE_TEXT, "--witness", devchain.url])
    assert agreeing.exit_code == 0, agreeing.output


def test_a_witness_whose_header_does_not_verify_is_refused(
    liar: Liar, proxy: Callable[[Tamper], str]
) -> None:
    def unsigned(path: str, data: Any) -> Any:
        if path == "/v1/commits/5":
            data["commit_msgpack"] = json.loads(json.dumps(data))["commit_msgpack"][:-8] + "00" * 4
        return data

    result = liar(honest)(["account", ALICE_TEXT, "--witness", proxy(unsigned)])
    one_line(result, 9, "a faulty witness")

"""A second header at a height the wallet already verified, signed by 2/3+ of the validators,
is a fork: refused (exit 12) and reported as evidence anyone can check (issue 20, item 3)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli.lightclient.fork import SignedHeader, fork_report
from cli.main import cli
from consensus.evidence import verify_evidence
from consensus.validators import ValidatorSet
from ledger.block import Commit, CommitSig, DuplicateVoteEvidence, Vote, VoteType
from ledger.codec import decode
from node.home import NodeHome
from node.keyfile import VALIDATOR_KEY, load_key_file
from node.service import Node
from node.testnet import LocalTestnet
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
    one_line(result, 12, "FORK at height 5", "the evidence is in")
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
    one_line(result, 12, "FORK at height 5", lying_witness)
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


async def test_a_fork_report_submitted_to_a_live_network_is_recorded_in_a_block(
    network: list[Node], testnet_dir: LocalTestnet, tmp_path: Path
) -> None:
    """Validators that signed two blocks of one height: the wallet's report is evidence the
    chain takes (POST /v1/evidence, the pool, a block)."""
    node = network[0]
    while node.store.height < 3:
        await asyncio.sleep(0.05)
    height = 2
    block, commit = node.store.block(height), node.store.commit(height)
    assert block is not None and commit is not None
    keys = [
        load_key_file(NodeHome(n.home).validator_key_file, VALIDATOR_KEY) for n in testnet_dir.nodes
    ]
    forged = dataclasses.replace(block.header, state_root=bytes(range(32)))
    message = Vote.sign_bytes_for(
        node.genesis.hash(), VoteType.PRECOMMIT, height, commit.round, forged.hash()
    )
    sigs = sorted(
        (CommitSig(k.address, k.sign(message)) for k in keys), key=lambda s: s.validator.raw
    )
    other = Commit(height, commit.round, forged.hash(), tuple(sigs))
    validators = ValidatorSet.from_genesis(node.genesis.validators)
    report = fork_report(
        chain_id=node.genesis.chain_id,
        genesis_hash=node.genesis.hash(),
        hrp=node.genesis.params.address_prefix,
        validators=validators,
        trusted_hash=block.hash(),
        trusted=SignedHeader(block.header, commit, "wallet"),
        conflicting=SignedHeader(forged, other, "liar"),
    )
    assert len(report["duplicate_votes"]) == len(commit.signatures)
    path = tmp_path / "fork.json"
    path.write_text(json.dumps(report))
    args = ["light", "evidence", str(path), "--submit", "--node", testnet_dir.nodes[0].api_url]
    result = await asyncio.to_thread(CliRunner().invoke, cli, args)
    assert result.exit_code == 0, result.output
    assert f"{len(commit.signatures)} of {len(commit.signatures)} accepted" in result.stdout
    start = node.store.height
    async with asyncio.timeout(60):
        while not any(
            (b := node.store.block(h)) is not None and b.evidence
            for h in range(start, node.store.height + 1)
        ):
            await asyncio.sleep(0.1)


def test_a_witness_refuses_heights_the_chain_has_not_reached(
    liar: Liar, devchain: DevChain
) -> None:
    """Keys of 2/3+ of the set sign a header 100 heights ahead, dated now: only a witness can
    tell that the chain is not there."""

    def ahead(path: str, data: Any) -> Any:
        if path.startswith("/v1/accounts/"):
            proof = data["proof"]
            resigned(proof, height=proof["height"] + 100, time_ms=int(time.time() * 1000))
        return data

    result = liar(ahead)(["account", ALICE_TEXT, "--witness", devchain.url])
    one_line(result, 9, "far below the node's 105")

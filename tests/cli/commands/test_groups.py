"""`coterie split|stream|content|moderate|validator ...` against a live one-validator chain."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from cli.errors import ExitCode
from ledger.collectives.ids import VALIDATORS_BODY_ID
from tests.cli.commands.live import Live, node_args
from tests.node.processes import wait_for

Run = Callable[[Sequence[str]], Result]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def passed(run: Run, live: Live, kind: str, *args: str) -> int:
    """Submit a proposal from dev0 in the crew, vote yes, and wait for its execution."""
    cid = live.collective.hex()
    submit = ["proposal", "submit", kind, "--from", "dev0", "--collective", cid, *args]
    ok(run(node_args(live, *submit)))
    pid = live.newest_proposal()
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "dev0")))
    live.wait_status(pid, "EXECUTED")
    return pid


def test_split_create_pay_update_with_consent_and_hand_over(run: Run, live: Live) -> None:
    dev1, dev2, dev3 = (live.address(n) for n in ("dev1", "dev2", "dev3"))
    result = ok(
        run(node_args(live, "split", "create", "--recipient", f"{dev1}=3",
                      "--recipient", f"{dev2}=1", "--from", "dev0"))
    )  # fmt: skip
    assert "75.00%" in result.output and "25.00%" in result.output
    match = re.search(r"split id: ([0-9a-f]{64})", result.output)
    assert match, result.output
    split_id = match.group(1)
    view = live.get(f"/v1/splits/{split_id}")
    assert {r["party"]["id"]: r["share"] for r in view["recipients"]} == {dev1: 3, dev2: 1}

    before = live.balance("dev1"), live.balance("dev2")
    ok(run(node_args(live, "split", "pay", "--split", split_id, "--amount", "400",
                     "--invoice", "inv-1", "--from", "dev3")))  # fmt: skip
    assert (live.balance("dev1"), live.balance("dev2")) == (before[0] + 300, before[1] + 100)

    terms = ["--recipient", f"{dev1}=1", "--recipient", f"{dev2}=1", "--recipient", f"{dev3}=1"]
    refused = run(node_args(live, "split", "update", "--split", split_id, *terms, "--from", "dev0"))
    assert refused.exit_code == ExitCode.TX_FAILED, refused.output  # dev1's cut needs consent
    consent = ok(
        run(["split", "consent", "--split", split_id, "--version", "0", "--chain-id",
             live.chain_id, *terms, "--from", "dev1", "--home", str(live.home), "--insecure-dev"])
    )  # fmt: skip
    signature = consent.stdout.strip()
    ok(run(node_args(live, "split", "update", "--split", split_id, *terms,
                     "--consent", signature, "--from", "dev0")))  # fmt: skip
    view = live.get(f"/v1/splits/{split_id}")
    assert view["version"] == 1 and len(view["recipients"]) == 3

    ok(run(node_args(live, "split", "update", "--split", split_id,
                     "--propose-owner", dev1, "--from", "dev0")))  # fmt: skip
    ok(run(node_args(live, "split", "accept-ownership", "--split", split_id, "--from", "dev1")))
    assert live.get(f"/v1/splits/{split_id}")["owner"]["id"] == dev1

    # dev1 hands it to the crew, which accepts by proposal; then only proposals change it
    cid = live.collective.hex()
    ok(run(node_args(live, "split", "update", "--split", split_id,
                     "--propose-owner", f"collective:{cid}", "--from", "dev1")))  # fmt: skip
    passed(run, live, "split-accept", "--split", split_id)
    assert live.get(f"/v1/splits/{split_id}")["owner"] == {"kind": "COLLECTIVE", "id": cid}
    update = ["proposal", "submit", "split-update", "--collective", cid, "--split", split_id,
              "--keeper-fee", "1%", "--from", "dev0"]  # fmt: skip
    ok(run(node_args(live, *update)))
    action = live.proposal(live.newest_proposal())["actions"][0]
    current = live.get(f"/v1/splits/{split_id}")["version"]  # every owner step counts
    assert (action["version"], action["terms"]["fee_ppm"]) == (current, 10_000)


def test_accruing_split_is_distributed_by_a_keeper(run: Run, live: Live) -> None:
    dev1 = live.address("dev1")
    result = ok(
        run(node_args(live, "split", "create", "--recipient", f"{dev1}=1", "--mode", "accrue",
                      "--immutable", "--from", "dev2"))
    )  # fmt: skip
    split_id = re.search(r"split id: ([0-9a-f]{64})", result.output).group(1)  # type: ignore[union-attr]
    ok(
        run(
            node_args(live, "split", "pay", "--split", split_id, "--amount", "50", "--from", "dev3")
        )
    )
    assert live.get(f"/v1/splits/{split_id}")["balance"] == 50
    before = live.balance("dev1")
    ok(run(node_args(live, "split", "distribute", "--split", split_id, "--from", "dev2")))
    assert live.balance("dev1") == before + 50


def test_stream_created_by_proposal_is_claimed(run: Run, live: Live) -> None:
    cid = live.collective.hex()
    ok(run(node_args(live, "stream", "create", "--collective", cid, "--to", live.address("dev3"),
                     "--per-interval", "10", "--interval", "1s", "--duration", "3s",
                     "--from", "dev0")))  # fmt: skip
    pid = live.newest_proposal()
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "dev0")))
    live.wait_status(pid, "EXECUTED")
    time.sleep(4)
    before = live.balance("dev3")
    ok(run(node_args(live, "stream", "claim", "1", "--from", "dev3")))
    assert live.balance("dev3") == before + 30
    again = run(node_args(live, "stream", "claim", "1", "--from", "dev3"))
    assert again.exit_code == ExitCode.TX_FAILED and "NOTHING_TO_CLAIM" in again.output
    ok(run(node_args(live, "stream", "cancel", "--collective", cid, "--stream", "1",
                     "--from", "dev0")))  # fmt: skip
    pid = live.newest_proposal()
    assert live.proposal(pid)["kind"] == "STREAMS"
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "dev0")))
    live.wait_status(pid, "EXECUTED")


def test_content_anchor_and_moderation(run: Run, live: Live, tmp_path: Path) -> None:
    media = tmp_path / "episode1.txt"
    media.write_text("episode one")
    digest = hashlib.sha256(b"episode one").hexdigest()
    ok(run(node_args(live, "content", "anchor", "--file", str(media), "--uri", "ipfs://bafy-ep1",
                     "--kind", "video", "--collective", live.collective.hex(),
                     "--from", "dev1")))  # fmt: skip
    view = live.get(f"/v1/content/{digest}")
    assert (view["author"], view["uri"], view["moderation"]) == (
        live.address("dev1"),
        "ipfs://bafy-ep1",
        None,
    )
    act = [
        "moderate", "act", "--collective", live.collective.hex(), "--content", digest,
        "--decision", "hide", "--reason-uri", "https://example.org/why", "--from", "dev0",
    ]  # fmt: skip
    refused = run(node_args(live, *act))
    assert refused.exit_code == ExitCode.TX_FAILED and "UNAUTHORIZED" in refused.output
    passed(run, live, "role-set", "--role", "moderator", "--holder", live.address("dev0"))
    ok(run(node_args(live, *act)))
    view = live.get(f"/v1/content/{digest}")
    assert view["moderation"]["action"] == "HIDE"
    assert len(view["moderation_history"]) == 1
    ok(run(node_args(live, "moderate", "propose", "--collective", live.collective.hex(),
                     "--content", digest, "--decision", "label", "--label", "spoilers",
                     "--from", "dev1")))  # fmt: skip
    assert live.proposal(live.newest_proposal())["kind"] == "MODERATION"


def test_validator_power_change_by_the_validators_body(run: Run, live: Live) -> None:
    key = live.keys["val"].public_key.hex()
    ok(run(node_args(live, "validator", "propose", "--power", f"{key}=3", "--from", "val")))
    pid = live.newest_proposal(VALIDATORS_BODY_ID)
    assert live.proposal(pid)["kind"] == "VALIDATORS"
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "val")))
    live.wait_status(pid, "EXECUTED")

    def powered() -> bool:
        validators = live.get("/v1/validators")["validators"]
        return [v["power"] for v in validators] == [3]

    wait_for(powered, 30.0, "the new power")


def test_a_new_validator_is_proposed_with_its_node_key(run: Run, live: Live) -> None:
    newcomer, node_key = "ab" * 32, "cd" * 32
    result = ok(run(node_args(live, "validator", "propose", "--add", f"{newcomer}=1,newcomer",
                              "--node-key", node_key, "--dry-run", "--from", "val")))  # fmt: skip
    assert f"(newcomer), node key {node_key}" in result.output


NEW, OTHER, NODE = "ab" * 32, "ef" * 32, "cd" * 32


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["split", "create", "--recipient", "x=0"], "shares must be at least 1"),
        (["split", "create", "--recipient", "x"], "PARTY=SHARES"),
        (["split", "create", "--recipient", "x=1", "--recipient", "x=2"], "listed twice"),
        (["split", "create", "--recipient", "x=1", "--keeper-fee", "150%"], "100%"),
        (["split", "create", "--recipient", "bogus:ab=1"], "a party is an address"),
        (["split", "create", "--recipient", "x=1", "--immutable", "--owner", "x"], "exclude"),
        (["split", "update", "--split", "00" * 32, "--recipient", "x=1"], "--version"),
        (["split", "pay", "--split", "abc", "--amount", "5"], "split id"),
        (["content", "anchor", "--uri", "u", "--kind", "k"], "--hash or --file"),
        (["moderate", "act", "--collective", "00" * 20, "--content", "00" * 32,
          "--decision", "erase"], "erase"),
        (["stream", "claim", "-1"], "-1"),
        (["validator", "propose", "--remove", "abcd"], "public key"),
        (["validator", "propose", "--add", f"{NEW}=1"], "give its node key with --node-key"),
        (["validator", "propose", "--add", f"{NEW}=1", "--node-key", "abcd"], "a node key is 32"),
        (["validator", "propose", "--add", f"{NEW}=1", "--node-key", NEW], "not its consensus"),
        (["validator", "propose", "--add", f"{NEW}=1", "--add", f"{OTHER}=1",
          "--node-key", NODE], "write PUBLIC_KEY=NODE_KEY"),
        (["validator", "propose", "--remove", NEW, "--node-key", f"{NEW}={NODE}"],
         "no --add or --power names"),
        (["validator", "propose", "--add", f"{NEW}=1", "--node-key", f"{NEW}={NODE}",
          "--node-key", f"{NEW}={OTHER}"], "two node keys"),
    ],
)  # fmt: skip
def test_bad_input_is_a_clear_error(run: Run, live: Live, args: list[str], words: str) -> None:
    fixed = [a.replace("x", live.address("dev1")) if a.startswith("x") else a for a in args]
    gen = ["--chain-id", live.chain_id, "--nonce", "0", "--generate-only"]
    result = run([*fixed, "--from", "dev0", "--home", str(live.home), *gen])
    assert result.exit_code in (ExitCode.USAGE, ExitCode.INVALID_INPUT), result.output
    assert "Traceback" not in result.output
    assert words in result.output, result.output


def test_curation_round_pays_the_endorsed_creator(run: Run, live: Live, tmp_path: Path) -> None:
    """`round open` (a proposal), `content endorse`, `round show` with live weights, the payout in
    the block that closes the round, and `member standing` (issue 22)."""
    cid = live.collective.hex()
    ok(run(node_args(live, "round", "open", "--collective", cid, "--budget", "300",
                     "--period", "8s", "--from", "dev0")))  # fmt: skip
    pid = live.newest_proposal()
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "dev0")))
    live.wait_status(pid, "EXECUTED")
    rid = live.get(f"/v1/collectives/{cid}/rounds")["rounds"][-1]["id"]
    media = tmp_path / "zine.txt"
    media.write_text("issue one of the zine")
    ok(run(node_args(live, "content", "anchor", "--file", str(media), "--uri", "ipfs://zine-1",
                     "--kind", "post", "--collective", cid, "--from", "dev1")))  # fmt: skip
    own = run(
        node_args(live, "content", "endorse", str(rid), "--file", str(media), "--from", "dev1")
    )
    assert own.exit_code == ExitCode.TX_FAILED and "SELF_ENDORSEMENT" in own.output
    ok(run(node_args(live, "content", "endorse", str(rid), "--file", str(media), "--from", "dev0")))
    query = ["--node", live.url, "--home", str(live.home)]
    shown = ok(run(["round", "show", str(rid), *query]))
    assert f"would pay 300 to {live.address('dev1')}" in shown.output
    before = live.balance("dev1")
    wait_for(lambda: live.get(f"/v1/rounds/{rid}")["status"] == "PAID", 30, "the round's close")
    assert live.balance("dev1") == before + 300
    standing = ok(run(["member", "standing", live.address("dev1"), "--collective", cid, *query]))
    assert "0 points" in standing.output and "no reputation policy" in standing.output


def test_matching_round_pays_contributions_and_the_match(run: Run, live: Live) -> None:
    """`matching open` (a proposal) and `matching contribute`: two members give to dev3's
    initiative, so it draws the whole pool (cap 100 %) on top of their 70 (issue 22)."""
    cid = live.collective.hex()
    ok(run(node_args(live, "matching", "open", "--collective", cid, "--pool", "500",
                     "--period", "6s", "--initiative", f"{live.address('dev3')}=a zine",
                     "--from", "dev0")))  # fmt: skip
    pid = live.newest_proposal()
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "dev0")))
    live.wait_status(pid, "EXECUTED")
    own = run(
        node_args(live, "matching", "contribute", "1", "0", "--amount", "5", "--from", "dev3")
    )
    assert own.exit_code == ExitCode.TX_FAILED and "NOT_MEMBER" in own.output
    before = live.balance("dev3")
    ok(run(node_args(live, "matching", "contribute", "1", "0", "--amount", "40", "--from", "dev0")))
    ok(run(node_args(live, "matching", "contribute", "1", "0", "--amount", "30", "--from", "dev1")))
    wait_for(lambda: live.balance("dev3") == before + 570, 30, "the matching round's payout")
    [zine] = live.get("/v1/matchings/1")["initiatives"]
    assert (zine["contributors"], zine["contributed"]) == (2, 70)
    [listed] = live.get(f"/v1/collectives/{cid}/matchings")["matchings"]
    assert listed["id"] == 1 and listed["status"] == "SETTLED" and listed["matched"] == 500
    query = ["--node", live.url, "--home", str(live.home)]
    shown = ok(run(["matching", "show", "1", *query]))
    assert "a zine: 70 from 2 contributors" in shown.output and "SETTLED" in shown.output


def test_round_close_ends_a_round_early_and_pays_it_now(
    run: Run, live: Live, tmp_path: Path
) -> None:
    """`round close` (a proposal) settles a round long before its end, by the endorsements so
    far; a second close of the settled round is refused (issue 22)."""
    cid = live.collective.hex()
    ok(run(node_args(live, "round", "open", "--collective", cid, "--budget", "200",
                     "--period", "1d", "--from", "dev0")))  # fmt: skip
    pid = live.newest_proposal()
    ok(run(node_args(live, "proposal", "vote", str(pid), "yes", "--from", "dev0")))
    live.wait_status(pid, "EXECUTED")
    rid = live.get(f"/v1/collectives/{cid}/rounds")["rounds"][-1]["id"]
    media = tmp_path / "comic.txt"
    media.write_text("a comic strip")
    ok(run(node_args(live, "content", "anchor", "--file", str(media), "--uri", "ipfs://comic",
                     "--kind", "post", "--collective", cid, "--from", "dev1")))  # fmt: skip
    ok(run(node_args(live, "content", "endorse", str(rid), "--file", str(media), "--from", "dev0")))
    before = live.balance("dev1")
    ok(run(node_args(live, "round", "close", str(rid), "--collective", cid, "--from", "dev0")))
    close = live.newest_proposal()
    ok(run(node_args(live, "proposal", "vote", str(close), "yes", "--from", "dev0")))
    live.wait_status(close, "EXECUTED")
    record = live.get(f"/v1/rounds/{rid}")
    assert record["status"] == "PAID" and record["paid"] == 200
    assert live.balance("dev1") == before + 200
    again = run(node_args(live, "round", "close", str(rid), "--collective", cid, "--from", "dev0"))
    assert again.exit_code == ExitCode.TX_FAILED and "ROUND_NOT_OPEN" in again.output

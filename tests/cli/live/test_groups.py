"""`collective`, `member` and `treasury` commands against a live node: each tx commits, and the
node's API shows the state it should."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cli.errors import ExitCode
from tests.cli.helpers import LiveWallet, fails

pytestmark = pytest.mark.slow


def _collective(live: LiveWallet, cid: str) -> Any:
    return live.devnet.get(f"/v1/collectives/{cid}")


def _member(view: Any, address: str) -> Any:
    return next((m for m in view["members"] if m["address"] == address), None)


def _address(live: LiveWallet, name: str) -> str:
    result = live.run("keys", "show", name, "--output", "json")
    return str(json.loads(result.stdout)["address"])


def test_a_collective_from_creation_to_exit(live: LiveWallet) -> None:
    dev0, dev1 = _address(live, "dev0"), _address(live, "dev1")
    made = live.ok(
        "collective", "create", "--from", "dev0", "--name", "Synth Guild",
        "--metadata", "modular synth makers", "--class", "shares:shares",
        "--class", "loot:loot:transferable", "--founder", "dev0=100,40", "--founder", "dev1=50",
        "--param", "membership_term_ms=30d", "--param", "dues=5",
        "--policy", "spend:voting_period_ms=2m,expedited_period_ms=0,quorum_ppm=20%",
    )  # fmt: skip
    cid = made["collective_id"]
    assert made["result"]["code"] == "OK"
    view = _collective(live, cid)
    assert view["name"] == "Synth Guild" and view["member_count"] == 2
    assert _member(view, dev0)["holdings"] == {"shares": 100, "loot": 40}
    assert _member(view, dev1)["holdings"] == {"shares": 50, "loot": 0}
    assert view["params"]["dues"] == 5
    spend_policy = next(p for p in view["policies"] if p["kind"] == "SPEND")
    assert spend_policy["policy"]["quorum_ppm"] == 200_000

    # anyone pays into the treasury: the name works in place of the id
    live.ok(
        "treasury", "deposit", "--from", "dev2", "--collective", "Synth Guild",
        "--amount", "900", "--memo", "brand deal", "--invoice", "INV-7",
    )  # fmt: skip
    assert _collective(live, cid)["treasury"][0]["amount"] == 900

    # tokens move between members; votes are lent
    live.ok(
        "member", "transfer", "--from", "dev0", "--collective", cid, "--class", "loot",
        "--to", "dev1", "--amount", "10",
    )  # fmt: skip
    assert _member(_collective(live, cid), dev1)["holdings"]["loot"] == 10
    lent = live.ok("member", "delegate", "--from", "dev1", "--collective", cid, "--to", "dev0=50%")
    assert lent["result"]["code"] == "OK"

    # renewal pays the dues into the treasury and extends the term
    before = _member(_collective(live, cid), dev1)["expires_ms"]
    live.ok("member", "renew", "--from", "dev1", "--collective", cid)
    after = _collective(live, cid)
    assert _member(after, dev1)["expires_ms"] > before
    assert after["treasury"][0]["amount"] == 905

    # an application opens an admission proposal; withdrawing it refunds the tribute
    dev3 = _address(live, "dev3")
    balance = live.balance(dev3)
    applied = live.ok(
        "member", "apply", "--from", "dev3", "--collective", cid, "--request", "shares=10",
        "--tribute", "25", "--statement", "I build filters",
    )  # fmt: skip
    proposals = live.devnet.get(f"/v1/collectives/{cid}/proposals")["proposals"]
    proposal = proposals[0]
    assert proposal["status"] == "SUBMITTED" and proposal["proposer"] == dev3
    assert live.balance(dev3) == balance - 25
    assert applied["result"]["code"] == "OK"
    live.ok("member", "withdraw", str(proposal["id"]), "--from", "dev3")
    assert live.devnet.get(f"/v1/proposals/{proposal['id']}")["status"] == "CANCELLED"
    assert live.balance(dev3) == balance

    # ragequit: burn all loot for a fair share of the treasury (905 x 10/(150+40) = 47)
    balance = live.balance(dev1)
    live.ok("member", "ragequit", "--from", "dev1", "--collective", cid, "--burn", "loot=10")
    assert live.balance(dev1) == balance + 905 * 10 // 190
    assert _member(_collective(live, cid), dev1)["holdings"]["loot"] == 0


def test_refusals_are_explained(live: LiveWallet) -> None:
    made = live.ok("collective", "create", "--from", "dev2", "--name", "Zine Club")
    cid = made["collective_id"]
    dev3 = _address(live, "dev3")
    kick = live.run(
        "member", "ragekick", "--from", "dev3", "--collective", cid, "--member", dev3, "--dry-run"
    )
    fails(kick, ExitCode.TX_FAILED, "NOT_MEMBER", "not a member")
    spend = live.run(
        "treasury", "spend", "--from", "dev2", "--collective", cid, "--to", "dev3",
        "--amount", "5", "--dry-run",
    )  # fmt: skip
    fails(spend, ExitCode.TX_FAILED, "NOT_FOUND")
    claim = live.run(
        "treasury", "claim", "--from", "dev2", "--holders-of", f"{cid}/0", "--dry-run"
    )  # fmt: skip
    fails(claim, ExitCode.TX_FAILED, "NOTHING_TO_CLAIM")
    fails(
        live.run("member", "renew", "--from", "dev2", "--collective", "No Such Club", "-y"),
        ExitCode.NOT_FOUND,  # not there (10), neither bad input (3) nor a node down (6)
        "no collective named",
    )
    gold = live.run(
        "member", "transfer", "--from", "dev2", "--collective", cid, "--class", "gold",
        "--to", "dev3", "--amount", "1", "-y",
    )  # fmt: skip
    fails(gold, ExitCode.INVALID_INPUT, "no token class 'gold'")
    fails(
        live.run("collective", "create", "--from", "dev2", "--name", "X", "--param", "foo=1"),
        ExitCode.USAGE,
        "unknown setting 'foo'",
    )


def test_generate_only_works_offline_with_ids(live: LiveWallet) -> None:
    cid = "ab" * 20
    result = live.run(
        "treasury", "deposit", "--from", "dev0", "--collective", cid, "--amount", "3",
        "--nonce", "0", "--chain-id", live.devnet.genesis.chain_id, "--generate-only",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert '"kind": "treasury_deposit"' in result.stdout
    offline = live.run(
        "treasury", "deposit", "--from", "dev0", "--collective", "Synth Guild", "--amount", "3",
        "--nonce", "0", "--chain-id", live.devnet.genesis.chain_id, "--generate-only",
    )  # fmt: skip
    fails(offline, ExitCode.USAGE, "offline")
    claim = live.run(
        "treasury", "claim", "--from", "dev0", "--holders-of", f"{cid}/1",
        "--nonce", "0", "--chain-id", live.devnet.genesis.chain_id, "--generate-only",
    )  # fmt: skip
    assert claim.exit_code == 0, claim.output
    assert '"kind": "holder_claim"' in claim.stdout

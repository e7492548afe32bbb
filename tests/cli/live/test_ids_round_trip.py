"""Every id the wallet prints can be pasted back (issue 15): a collective's story is walked on
the live devnet with text and JSON output, every id found in what the commands printed
(account, collective, proposal, split, stream, content, asset, tx, block) is fed to the `query`
command of its kind, which must take it, and so are the ids those queries print. The explorer's
links for the same ids must match one of its routes and open a page whose API call answers."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.cli.helpers import LiveWallet
from tests.cli.live.ids import in_json, in_text, query_args

pytestmark = pytest.mark.slow

FAST = "voting_period_ms=1m,expedited_period_ms=0,grace_period_ms=0,early_execution=yes,veto_ppm=0"
ROUTES_JS = Path(__file__).resolve().parents[3] / "node" / "explorer" / "static" / "app.js"
# the explorer page of each kind of id, and the API call that page makes first
EXPLORER = {
    "account": ("/account/{}", "/v1/accounts/{}"),
    "collective": ("/collective/{}", "/v1/collectives/{}"),
    "proposal": ("/proposal/{}", "/v1/proposals/{}"),
    "split": ("/split/{}", "/v1/splits/{}"),
    "content": ("/content/{}", "/v1/content/{}"),
    "tx": ("/tx/{}", "/v1/txs/{}"),
    "block": ("/block/{}", "/v1/blocks/{}"),
}


class Walk:
    """Runs commands and keeps every id their outputs named."""

    def __init__(self, live: LiveWallet) -> None:
        self.live = live
        self.ids: set[tuple[str, str]] = set()
        self.json_ids: set[tuple[str, str]] = set()

    def text(self, *args: str) -> str:
        result = self.live.run(*args, *_yes(args))
        assert result.exit_code == 0, result.output
        self.ids |= set(in_text(result.output))
        return result.output

    def json(self, *args: str) -> Any:
        result = self.live.run(*args, "--output", "json", *_yes(args))
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        found = set(in_json(data))
        self.ids |= found
        self.json_ids |= found
        return data

    def query(self, args: list[str]) -> Result:
        return self.live.run(*args)


def _yes(args: tuple[str, ...]) -> list[str]:
    return [] if args[0] == "query" else ["-y"]


def _address(live: LiveWallet, name: str) -> str:
    return str(json.loads(live.run("keys", "show", name, "--output", "json").stdout)["address"])


def _story(walk: Walk, dev: dict[str, str]) -> str:
    """A collective's life: transfers, creation, deposits, a split paid, content anchored and
    moderated by proposal, a spend and a stream passed; returns the collective's id."""
    walk.text("tx", "transfer", "--from", "dev0", "--to", "dev1", "--amount", "5")
    walk.json("tx", "transfer", "--from", "dev0", "--to", dev["dev1"], "--amount", "6")
    made = walk.json(
        "collective", "create", "--from", "dev0", "--name", "Walk Guild",
        "--founder", "dev0=20", "--founder", "dev1=5",
        "--policy", f"spend:{FAST}", "--policy", f"streams:{FAST}",
        "--policy", f"spend_large:{FAST}",  # a stream over 10 % of the treasury escalates
        "--policy", f"moderation:method=vote,quorum_ppm=20%,{FAST}",
        "--policy", f"governance:{FAST}",
    )  # fmt: skip
    cid = str(made["collective_id"])
    walk.text(
        "collective", "create", "--from", "dev1", "--name", "Walk Zine",
        "--class", "shares:shares", "--class", "credits:loot:transferable:open",
        "--founder", "dev1=10,50",
    )  # fmt: skip
    deposit = walk.text(
        "treasury", "deposit", "--from", "dev2", "--collective", "Walk Guild",
        "--amount", "500", "--invoice", "brand-2026-001",
    )  # fmt: skip
    assert "invoice_ref=brand-2026-001" in deposit and "6272616e" not in deposit
    assert f"collective={cid}" in deposit and "asset=native" in deposit
    walk.json("treasury", "deposit", "--from", "dev3", "--collective", cid, "--amount", "7")
    split = walk.json(
        "split", "create", "--from", "dev0", "--recipient", f"{dev['dev0']}=3",
        "--recipient", f"{dev['dev1']}=1",
    )  # fmt: skip
    sid = str(split["split_id"])
    paid = walk.text(
        "split", "pay", "--from", "dev2", "--split", sid, "--amount", "400",
        "--invoice", "brand-2026-002",
    )  # fmt: skip
    assert '"brand-2026-002"' in paid and "invoice_ref=brand-2026-002" in paid  # as typed
    walk.text("query", "split", sid)
    content = hashlib.sha256(b"walk clip").hexdigest()
    walk.json(
        "content", "anchor", "--from", "dev1", "--hash", content, "--uri", "ipfs://walk-clip",
        "--kind", "video", "--collective", cid,
    )  # fmt: skip
    for kind, args in (
        ("spend", ["--to", dev["dev2"], "--amount", "10"]),
        ("moderate", ["--content", content, "--decision", "hide", "--reason-uri", "ipfs://why"]),
        ("stream", ["--to", dev["dev1"], "--total", "60", "--interval", "1m", "--duration", "2m"]),
        ("accept-asset", ["--asset", "Walk Zine/credits"]),
    ):
        walk.text("proposal", "submit", kind, "--from", "dev0", "--collective", cid, *args)
        pid = walk.live.devnet.get(f"/v1/collectives/{cid}/proposals?limit=1")["proposals"][0]
        walk.json("proposal", "vote", str(pid["id"]), "yes", "--from", "dev0")
        walk.text("query", "proposal", str(pid["id"]))
        walk.json("query", "proposal", str(pid["id"]))
    token = walk.text(
        "treasury", "deposit", "--from", "dev1", "--collective", cid,
        "--asset", "Walk Zine/credits", "--amount", "5",
    )  # fmt: skip
    assert re.search(r"asset=[0-9a-f]{40}/credits ", token), token  # the class by name
    genesis = walk.live.home / "genesis.json"
    walk.live.devnet.genesis.write(genesis)
    verified = walk.json("query", "collective", cid, "--verify", "--genesis", str(genesis))
    assert [s["total"] for s in verified["streams"]] == [60]  # the stream the proposal made
    assets = [t["asset"] for t in verified["treasury"]]
    assert any(re.fullmatch(r"[0-9a-f]{40}/1", a) for a in assets), assets  # id/class, proven
    walk.text("query", "proposals", "Walk Guild")
    walk.json("query", "proposals", cid)
    history = walk.text("query", "content", content)
    assert re.search(rf"HIDE by collective {cid}, proposal \d+", history), history
    return cid


def test_every_printed_id_goes_back_into_its_query(live: LiveWallet) -> None:
    walk = Walk(live)
    dev = {name: _address(live, name) for name in ("dev0", "dev1", "dev2", "dev3")}
    cid = _story(walk, dev)
    kinds = {kind for kind, _ in walk.ids}
    wanted = {"account", "collective", "proposal", "split", "content", "asset", "tx", "block"}
    assert wanted <= kinds, wanted - kinds
    tried: set[tuple[str, str]] = set()
    refused: list[str] = []
    for _round in range(2):  # the ids the queries print are pasted back too
        for kind, value in sorted(walk.ids - tried):
            tried.add((kind, value))
            args = query_args(kind, value, cid)
            result = walk.query(args)
            if result.exit_code not in (0, 8) or (kind != "asset" and result.exit_code):
                refused.append(f"{' '.join(args)} -> {result.exit_code}: {result.output[-200:]}")
                continue
            walk.ids |= set(in_text(result.output))
            if kind != "asset":
                as_json = walk.query([*args, "--output", "json"])
                walk.ids |= set(in_json(json.loads(as_json.stdout)))
    assert not refused, "\n".join(refused)
    assert len(tried) >= 30, len(tried)
    streams = sorted(value for kind, value in tried if kind == "stream")
    assert streams, "no stream id was printed"
    genesis = str(live.home / "genesis.json")
    proven = walk.json("query", "stream", streams[0], "--verify", "--genesis", genesis)
    assert proven["verified"] and proven["total"] == 60
    _explorer_links(live, walk.json_ids | {("block", v) for k, v in tried if k == "block"})


def _explorer_links(live: LiveWallet, ids: set[tuple[str, str]]) -> None:
    """Each id the API's answers hold has an explorer page (a route of app.js) whose data the
    API serves: a collective id printed as an address would open an empty account page."""
    routes = [
        re.compile(m.replace("\\/", "/"))
        for m in re.findall(r"\[/(\^.*?\$)/, \w+\.\w+", ROUTES_JS.read_text())
    ]
    assert len(routes) >= 8
    checked = 0
    for kind, value in sorted(ids):
        if kind not in EXPLORER:
            continue
        page, api = EXPLORER[kind]
        if kind == "block" and not value.isdigit():
            api = "/v1/blocks/by-hash/{}"  # as the block page asks for a hash
        path = page.format(value)
        assert any(r.fullmatch(path) for r in routes), f"no explorer page for {path}"
        answer = live.devnet.get(api.format(value))
        assert answer, (kind, value)
        checked += 1
    assert checked >= 10

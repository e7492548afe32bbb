"""The explorer in a real headless chromium against a live 4-validator testnet: every page
renders the chain's real data, live updates arrive over the WebSocket, a vote sent with the CLI
moves a proposal's tally, search finds a tx, and no page logs a JavaScript error.

`COTERIE_EXPLORER_SCREENSHOTS=docs/explorer` also writes the screenshots of docs/explorer.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from cli.main import cli as coterie_cli
from cli.wallet import txfile
from ledger.governance.ballots import Ballot
from ledger.governance.kinds import BinaryOption
from ledger.governance.vote_txs import Vote
from ledger.keys import Address
from ledger.tx import TxBody
from node.devnet import dev_account_key
from tests.node.explorer.seed import (
    COLLECTIVE_NAME,
    EVIL_MEMO,
    MATCHING_PURPOSE,
    PROPOSAL_TEXT,
    Seeded,
)
from tests.node.processes import Cluster, committed, http, wait_for

if TYPE_CHECKING:
    from tests.node.explorer.browser import Tab

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("explorer")]

Devnet = tuple[Cluster, Seeded]


def expect_text(tab: Tab, selector: str, pattern: str) -> None:
    """Wait (the page may still be updating live) until `selector`'s text matches `pattern`."""
    locator = tab.page.locator(selector)
    wait_for(
        lambda: re.search(pattern, locator.inner_text()) is not None,
        30,
        f"{selector} to show {pattern!r} (it shows {locator.inner_text()!r})",
    )


def test_dashboard_shows_the_live_chain(tab: Tab, devnet: Devnet) -> None:
    page = tab.open("/")
    expect_text(tab, "#card-validators .value", r"^[34] / 4$")
    first = int(tab.text("#card-height .value").replace(",", ""))
    assert first >= 2
    # the chart has one bar per block interval, each with its tooltip
    assert page.locator("#interval-chart rect.bar").count() >= 2
    assert page.locator("#interval-chart polyline.rate-line").count() == 1
    assert "tx/s" in tab.text("#card-tx-rate .value")
    # the height follows new blocks over the WebSocket, without a reload
    page.wait_for_selector('#live[data-state="live"]')
    wait_for(
        lambda: int(tab.text("#card-height .value").replace(",", "")) > first + 1,
        30,
        "the dashboard's height to follow new blocks",
    )
    # the latest blocks, ten at most: a young chain has fewer than ten
    wait_for(
        lambda: (
            page.locator("#latest-blocks tbody tr").count()
            == min(10, int(tab.text("#card-height .value").replace(",", "")))
        ),
        30,
        "the latest-blocks table to list the last ten blocks (or all, on a young chain)",
    )
    tab.screenshot("dashboard")
    assert tab.errors == []


def test_blocks_block_and_tx_pages_show_committed_data(tab: Tab, devnet: Devnet) -> None:
    cluster, seeded = devnet
    node = cluster.nodes[0]
    code, tx = http(f"{node.url}/v1/txs/{seeded.transfer}")
    assert code == 200
    height = tx["height"]
    page = tab.open("/blocks")
    rows = page.locator("#blocks-table tbody tr").count()
    assert min(25, height) <= rows <= 25
    tab.screenshot("blocks")

    tab.open(f"/block/{height}")
    assert tab.text("#block-hash") == tx["block_hash"]
    assert tab.text("#block-tx-count") == "2"
    assert page.locator(f'#block-txs a[href="#/tx/{seeded.transfer}"]').count() == 1
    tab.screenshot("block")

    page.locator(f'#block-txs a[href="#/tx/{seeded.transfer}"]').click()
    tab.wait_page(f"/tx/{seeded.transfer}")
    assert tab.text("#tx-hash") == seeded.transfer
    assert tab.text("#tx-status") == "committed"
    assert "TRANSFER" in tab.text("#tx-kind")
    payload = tab.text("#tx-payload")
    assert "1,000" in payload
    assert "first" in payload
    tab.screenshot("tx")

    # chain data is text, never markup: an HTML memo shows as written and runs nothing
    tab.open(f"/tx/{seeded.evil}")
    assert EVIL_MEMO in tab.text("#tx-payload")
    assert page.locator("#tx-payload img, #tx-payload script").count() == 0
    assert page.title() == "Coterie explorer"
    assert tab.errors == []


def test_search_finds_a_tx_a_block_and_an_account(tab: Tab, devnet: Devnet) -> None:
    _, seeded = devnet
    page = tab.open("/")
    for query, route in (
        (seeded.transfer.upper(), f"/tx/{seeded.transfer}"),
        ("1", "/block/1"),
        (seeded.member, f"/account/{seeded.member}"),
        (seeded.collective, f"/collective/{seeded.collective}"),
        (f"p{seeded.proposal}", f"/proposal/{seeded.proposal}"),
    ):
        page.fill("#search-input", query)
        page.press("#search-input", "Enter")
        tab.wait_page(route)
    assert tab.text("#proposal-metadata") == PROPOSAL_TEXT
    page.fill("#search-input", "f" * 64)
    page.press("#search-input", "Enter")
    page.wait_for_selector("#search-none")
    assert tab.errors == []


def test_validators_page_shows_signing(tab: Tab, devnet: Devnet) -> None:
    page = tab.open("/validators")
    assert page.locator("#validators-table tbody tr").count() == 4
    expect_text(tab, '#validators-table tr[data-validator="node0"]', r"online")
    row = tab.text('#validators-table tr[data-validator="node1"]')
    assert re.search(r"tcot1\S+\s+1\s", row), row  # address, power 1
    tab.screenshot("validators")
    assert tab.errors == []


def test_collective_split_and_account_pages(tab: Tab, devnet: Devnet) -> None:
    cluster, seeded = devnet
    page = tab.open(f"/collective/{seeded.collective}")
    assert tab.text("#collective-name") == COLLECTIVE_NAME
    assert tab.text("#collective-member-count") == "2"
    members = tab.text("#collective-members")
    assert "10" in members
    assert page.locator(f'#collective-members a[href="#/account/{seeded.member}"]').count() == 1
    # 5,000 deposited + 100 from the split - 500 for the matching round's pool
    assert "4,600" in tab.text("#collective-treasury")
    assert PROPOSAL_TEXT in tab.text("#collective-proposals")
    assert page.locator(f'#collective-splits a[href="#/split/{seeded.split}"]').count() == 1
    assert "ipfs://bafy-earthbound" in tab.text("#collective-content")
    assert "No curation rounds yet." in tab.text("#collective-rounds")
    matchings = tab.text("#collective-matchings")  # open: 70 from 2, the whole pool as match
    assert f"{MATCHING_PURPOSE}: 70 by 2 (match now 500)" in matchings, matchings
    assert "none: no act earns standing" in tab.text("main")
    tab.screenshot("collective")

    page.locator(f'#collective-splits a[href="#/split/{seeded.split}"]').click()
    tab.wait_page(f"/split/{seeded.split}")
    assert "75.0%" in tab.text("#split-recipients")
    payouts = tab.text("#split-payouts")
    assert "400" in payouts
    assert "brand deal" in payouts
    tab.screenshot("split")

    tab.open(f"/account/{seeded.payer}")
    code, account = http(f"{cluster.nodes[0].url}/v1/accounts/{seeded.payer}")
    assert code == 200
    expect_text(tab, "#account-balance", f"^{account['balance']:,}$")
    assert "SPLIT_PAY" in tab.text("#account-txs")
    tab.screenshot("account")
    assert tab.errors == []


def coterie(*args: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert run.returncode == 0, f"coterie {' '.join(args)}: {run.stderr}"
    return run.stdout


def cli_vote(cluster: Cluster, key_name: str, key_index: int, proposal: int) -> str:
    """A YES ballot from the wallet CLI with the testnet's dev keyring, sent to node1: `coterie
    proposal vote` where the wallet has it, else an unsigned Vote signed with `coterie tx sign`
    and sent with `coterie tx broadcast`. Answers the tx hash."""
    root = cluster.testnet.root
    genesis = cluster.testnet.genesis
    node = cluster.nodes[1]
    if "proposal" in coterie_cli.commands:
        out = coterie(
            *("proposal", "vote", str(proposal), "yes", "--from", key_name, "--home", str(root)),
            *("--insecure-dev", "--node", node.url, "--no-wait", "--yes", "--output", "json"),
        )
        return str(json.loads(out)["tx_hash"])
    key = dev_account_key(key_index)
    prefix = genesis.params.address_prefix
    address = Address.from_public_key(key.public_key).to_text(prefix)
    code, account = http(f"{node.url}/v1/accounts/{address}")
    assert code == 200, account
    body = TxBody(
        genesis.chain_id,
        key.public_key,
        int(account["next_nonce"]),
        0,
        Vote(proposal, Ballot.binary(BinaryOption.YES)),
    )
    unsigned = root / f"vote-{proposal}.json"
    signed = root / f"vote-{proposal}.signed.json"
    unsigned.write_text(txfile.dumps(txfile.unsigned_document(body, prefix)))
    genesis_file = cluster.nodes[0].node.home / "config" / "genesis.json"
    coterie(
        *("tx", "sign", str(unsigned), "--from", key_name, "--home", str(root)),
        *("--insecure-dev", "--genesis", str(genesis_file), "--yes", "--out", str(signed)),
    )
    coterie("tx", "broadcast", str(signed), "--node", node.url, "--no-wait", "--yes")
    tx = txfile.parse(signed.read_text()).signed
    assert tx is not None
    return tx.hash.hex()


def test_a_cli_vote_moves_the_live_tally(tab: Tab, devnet: Devnet) -> None:
    cluster, seeded = devnet
    page = tab.open(f"/proposal/{seeded.proposal}")
    assert tab.text("#proposal-status") == "VOTING"
    assert tab.text('[data-option-count="yes"]').startswith("0 ")
    assert tab.text("#ballots-cast") == "0"
    page.wait_for_selector('#live[data-state="live"]')
    vote = cli_vote(cluster, "dev1", 1, seeded.proposal)
    # no reload: the page refreshes the proposal when the block with the vote arrives
    expect_text(tab, '[data-option-count="yes"]', r"^5 \(33\.3%\)$")
    assert tab.text("#ballots-cast") == "1"
    assert committed(cluster.nodes[0], vote)
    assert "Voting ends" in tab.text("#timeline")
    tab.screenshot("proposal")
    assert tab.errors == []


def test_event_attributes_link_to_the_pages_of_their_ids(tab: Tab, devnet: Devnet) -> None:
    """Issue 15: a tx's events name the collective by its id and link its page (it was shown as
    an address, linking an empty account page)."""
    cluster, seeded = devnet
    code, listed = http(f"{cluster.nodes[0].url}/v1/accounts/{seeded.founder}/txs?limit=100")
    assert code == 200
    made = next(t for t in listed["txs"] if t["kind"] == "COLLECTIVE_CREATE")
    page = tab.open(f"/tx/{made['tx_hash']}")
    link = page.locator(f'a[href="#/collective/{seeded.collective}"]')
    assert link.count() >= 1
    as_address = Address(bytes.fromhex(seeded.collective)).to_text("tcot")
    assert page.locator(f'a[href="#/account/{as_address}"]').count() == 0
    link.first.click()
    tab.wait_page(f"/collective/{seeded.collective}")
    assert tab.text("#collective-name") == COLLECTIVE_NAME
    assert tab.errors == []


def test_moderation_history_names_who_decided_and_links_the_proposal(
    tab: Tab, devnet: Devnet
) -> None:
    """Issue 15: the content page shows the decision's actor (the collective, by proposal), the
    proposal by number with its link, and the reason."""
    _, seeded = devnet
    page = tab.open(f"/content/{seeded.content}")
    history = tab.text("main")
    assert "HIDE" in history and "ipfs://why-hidden" in history
    assert page.locator(f'main a[href="#/proposal/{seeded.moderation}"]').count() == 1
    assert page.locator(f'main a[href="#/collective/{seeded.collective}"]').count() >= 1
    assert tab.errors == []

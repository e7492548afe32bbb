"""The summary speaks a member's language: token names, percentages, UTC dates, collective names."""

from __future__ import annotations

from cli.summary import (
    CollectiveNames,
    Names,
    describe,
    duration,
    event_attributes,
    percent,
    utc_date,
)
from ledger.collectives.create import CollectiveCreate, Founder
from ledger.collectives.delegation import Delegate
from ledger.collectives.exit import Ragequit
from ledger.collectives.ids import Asset
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.params import CollectiveParams
from ledger.collectives.token_transfer import TokenTransfer
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.keys import Address, PrivateKey
from ledger.tx import TxBody
from tests.cli.helpers import ALICE_SEED, CHAIN_ID

ALICE = PrivateKey(ALICE_SEED)
BOB = Address(bytes([7]) * 20)
GUILD = bytes([9]) * 20


def _names() -> Names:
    known = {GUILD: CollectiveNames("Synth Guild", ("shares", "loot"))}
    return Names("COT", known.get)


def _lines(payload: object) -> list[str]:
    body = TxBody(CHAIN_ID, ALICE.public_key, 0, 2, payload)  # type: ignore[arg-type]
    return describe(body, "tcot", _names())


def test_formats() -> None:
    assert percent(334_000) == "33.4 %" and percent(1_000_000) == "100 %"
    assert utc_date(1_767_225_600_000) == "2026-01-01 00:00:00 UTC"
    assert duration(3 * 86_400_000 + 3_600_000) == "3 d 1 h" and duration(90_000) == "1 min 30 s"


def test_amounts_carry_the_token_name_and_collectives_their_name() -> None:
    lines = _lines(TokenTransfer(GUILD, 1, BOB, 40))
    assert "fee         2 COT" in lines
    assert f'  collective "Synth Guild" ({GUILD.hex()})' in lines
    assert "  amount    40 Synth Guild/loot" in lines
    deposit = _lines(TreasuryDeposit(GUILD, Asset(), 500, "brand deal"))
    assert "  amount    500 COT" in deposit and "  asset     COT" in deposit
    quit_lines = _lines(Ragequit(GUILD, ((0, 10), (1, 5))))
    assert "  burns     10 shares, 5 loot" in quit_lines


def test_shares_as_percentages_and_classes_by_name() -> None:
    delegate = _lines(Delegate(GUILD, 0, ((BOB, 250_000),)))
    assert f"  splits    {BOB.to_text('tcot')} 25 %" in delegate
    create = CollectiveCreate(
        "Zine Club",
        "",
        (TokenClass("votes", ClassKind.SHARES), TokenClass("badge", ClassKind.BADGE)),
        (Founder(ALICE.address, (100, 1)),),
        CollectiveParams(),
    )
    lines = _lines(create)
    assert "      holdings 100 votes, 1 badge" in lines
    assert "    submission_period_ms 7 d" in lines
    assert "    min_retention_ppm 66.6667 %" in lines


def test_offline_ids_are_hex() -> None:
    body = TxBody(CHAIN_ID, ALICE.public_key, 0, 0, TokenTransfer(GUILD, 0, BOB, 1))
    lines = describe(body, "tcot")
    assert f"  collective {GUILD.hex()}" in lines
    assert f"  amount    1 {GUILD.hex()}/class 0" in lines


def test_split_pay_confirm_shows_the_invoice_as_typed() -> None:
    """The member approves `brand-2026-001`, not the hex of it (issue 15)."""
    lines = _lines(TreasuryDeposit(GUILD, Asset(), 500, "deal", b"brand-2026-001"))
    assert '  invoice_ref "brand-2026-001"' in lines
    assert not any("6272616e" in line for line in lines)


def test_result_events_name_token_classes() -> None:
    shown = event_attributes(
        {"collective": GUILD.hex(), "token_class": 1, "asset": f"{GUILD.hex()}/0"}, _names()
    )
    assert shown["token_class"] == "loot" and shown["asset"] == f"{GUILD.hex()}/shares"

"""Treasury deposits, the credit/debit helpers, and which assets a vault accepts."""

from __future__ import annotations

import pytest

from ledger.codec import U64_MAX
from ledger.collectives import treasury
from ledger.collectives.holdings import holding
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.model import ClassKind, TokenClass
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode, TxError
from ledger.splits.parties import Party
from ledger.state.accounts import get_account
from ledger.treasury.invoices import DepositRecord, receipts_for_invoice
from tests.ledger.conftest import ALICE, BOB, CAROL, START_BALANCE, Chain

OPEN_LOOT = (
    TokenClass("shares", ClassKind.SHARES),
    TokenClass("fan-token", ClassKind.LOOT, transferable=True, members_only=False),
)


def test_anyone_deposits_native_coin_with_a_memo_and_invoice(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    receipt = chain.send(CAROL, TreasuryDeposit(cid, NATIVE, 250, "brand deal", b"INV-7"))
    assert treasury.balance(chain.view, cid, NATIVE) == 250
    assert get_account(chain.view, CAROL.address).balance == START_BALANCE - 250
    event = receipt.events[0]
    assert event.get("invoice_ref") == b"INV-7" and event.get("memo") == "brand deal"


def test_another_collectives_open_token_can_be_deposited(chain: Chain) -> None:
    fans = chain.create_collective(BOB, [(BOB, (1, 100))], classes=OPEN_LOOT)
    guild = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    token = Asset(fans, 1)
    assert chain.reject(BOB, TreasuryDeposit(guild, token, 40)) is ErrorCode.ASSET_NOT_ACCEPTED
    chain.accept(guild, token)
    chain.send(BOB, TreasuryDeposit(guild, token, 40))
    assert treasury.balance(chain.view, guild, token) == 40
    assert holding(chain.view, fans, 1, BOB.address) == 60
    assert treasury.balances(chain.view, guild) == [(token, 40)]


def test_deposits_that_vaults_cannot_hold_are_refused(chain: Chain) -> None:
    fans = chain.create_collective(BOB, [(BOB, (1, 100))], classes=OPEN_LOOT)
    guild = chain.create_collective(ALICE, [(ALICE, (5, 0))])
    assert chain.reject(BOB, TreasuryDeposit(guild, Asset(fans, 0), 1)) is (
        ErrorCode.NOT_TRANSFERABLE
    )
    assert chain.reject(BOB, TreasuryDeposit(fans, Asset(fans, 1), 1)) is ErrorCode.INVALID_STATE
    assert chain.reject(BOB, TreasuryDeposit(guild, NATIVE, 0)) is ErrorCode.ZERO_AMOUNT
    assert chain.reject(BOB, TreasuryDeposit(guild, NATIVE, START_BALANCE + 1)) is (
        ErrorCode.INSUFFICIENT_FUNDS
    )
    assert chain.reject(BOB, TreasuryDeposit(bytes(20), NATIVE, 1)) is ErrorCode.NOT_FOUND


def test_credit_and_debit_conserve_and_check(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    treasury.deposit(chain.view, chain.height, cid, payer=BOB.address, asset=NATIVE, amount=90)
    treasury.pay_out(chain.view, chain.height, cid, to=CAROL.address, asset=NATIVE, amount=30)
    assert treasury.balance(chain.view, cid, NATIVE) == 60
    accounts = [get_account(chain.view, k.address).balance for k in (BOB, CAROL)]
    assert accounts == [START_BALANCE - 90, START_BALANCE + 30]
    with pytest.raises(TxError) as info:
        treasury.debit(chain.view, cid, NATIVE, 61)
    assert info.value.code is ErrorCode.INSUFFICIENT_FUNDS
    treasury.debit(chain.view, cid, NATIVE, 60)
    assert treasury.balances(chain.view, cid) == []


def test_a_treasury_holds_a_bounded_number_of_tokens(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    for i in range(treasury.MAX_TREASURY_ASSETS):
        treasury.credit(chain.view, cid, Asset(i.to_bytes(20, "big"), 0), 1)
    treasury.credit(chain.view, cid, NATIVE, 1)  # the native coin is always welcome
    with pytest.raises(TxError) as info:
        treasury.credit(chain.view, cid, Asset(b"\xff" * 20, 0), 1)
    assert info.value.code is ErrorCode.LIMIT_REACHED


def test_a_single_unit_goes_in_and_out_of_a_treasury(chain: Chain) -> None:
    """The smallest payment counts like any other: one unit in, one unit out, nothing lost."""
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    treasury.deposit(chain.view, chain.height, cid, payer=BOB.address, asset=NATIVE, amount=3)
    treasury.pay_out(chain.view, chain.height, cid, to=CAROL.address, asset=NATIVE, amount=1)
    assert treasury.balance(chain.view, cid, NATIVE) == 2
    assert get_account(chain.view, CAROL.address).balance == START_BALANCE + 1
    treasury.debit(chain.view, cid, NATIVE, 1)
    treasury.credit(chain.view, cid, NATIVE, 1)
    assert treasury.balance(chain.view, cid, NATIVE) == 2


def test_a_deposit_receipt_and_its_invoice_record_say_who_paid_what_for_which_invoice(
    chain: Chain,
) -> None:
    """With an invoice reference the deposit is numbered (0, 1, ...) and kept in the invoice
    index with every detail; without one it is neither numbered nor indexed."""
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    chain.send(CAROL, TreasuryDeposit(cid, NATIVE, 5, "no invoice"))
    for seq, amount in enumerate((250, 40)):
        receipt = chain.send(CAROL, TreasuryDeposit(cid, NATIVE, amount, "brand deal", b"INV-7"))
        assert [(e.kind, dict(e.attributes)) for e in receipt.events] == [
            (
                "treasury_deposit",
                {
                    "collective": cid,
                    "payer": CAROL.address.raw,
                    "asset": NATIVE.raw,
                    "amount": amount,
                    "memo": "brand deal",
                    "invoice_ref": b"INV-7",
                    "receipt": seq,
                },
            )
        ]
    records = receipts_for_invoice(chain.view, cid, b"INV-7")
    assert records == [
        DepositRecord(
            seq,
            Party.account(CAROL.address),
            NATIVE,
            amount,
            b"INV-7",
            "brand deal",
            chain.height,
            chain.time_ms,
        )
        for seq, amount in enumerate((250, 40))
    ]
    assert receipts_for_invoice(chain.view, cid, b"") == []


def test_a_treasury_balance_reaches_u64_max_and_never_holds_its_own_token(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    treasury.credit(chain.view, cid, NATIVE, U64_MAX - 1)
    treasury.credit(chain.view, cid, NATIVE, 1)
    assert treasury.balance(chain.view, cid, NATIVE) == U64_MAX
    for asset, code in ((NATIVE, ErrorCode.OVERFLOW), (Asset(cid, 1), ErrorCode.INVALID_STATE)):
        with pytest.raises(TxError) as info:
            treasury.credit(chain.view, cid, asset, 1)
        assert info.value.code is code


def test_a_vault_refuses_a_transferable_class_kept_for_members(chain: Chain) -> None:
    """Members-only is enough to keep a class out of every vault, transferable or not."""
    guarded = (
        TokenClass("shares", ClassKind.SHARES),
        TokenClass("club-loot", ClassKind.LOOT, transferable=True, members_only=True),
    )
    club = chain.create_collective(BOB, [(BOB, (1, 100))], classes=guarded)
    guild = chain.create_collective(ALICE, [(ALICE, (1, 0))])
    chain.accept(guild, Asset(club, 1))
    assert chain.reject(BOB, TreasuryDeposit(guild, Asset(club, 1), 1)) is (
        ErrorCode.NOT_TRANSFERABLE
    )

"""The human summary of a tx: every field shown, nothing a memo can hide."""

from __future__ import annotations

from cli.txflow import describe
from ledger.keys import Address, PrivateKey
from ledger.tx import Transfer, TxBody
from tests.cli.helpers import ALICE_SEED, CHAIN_ID

ALICE = PrivateKey(ALICE_SEED)
BOB = Address(bytes([7]) * 20)


def test_describe_shows_every_field() -> None:
    body = TxBody(CHAIN_ID, ALICE.public_key, 4, 9, Transfer(BOB, 1234, "for the mic"))
    assert describe(body, "tcot") == [
        "kind        transfer (1)",
        f'chain id    "{CHAIN_ID}"',
        f"sender      {ALICE.address.to_text('tcot')}",
        f"public key  {ALICE.public_key.hex()}",
        "nonce       4",
        "fee         9 coin",
        "payload",
        f"  recipient {BOB.to_text('tcot')}",
        "  amount    1234 coin",
        '  memo      "for the mic"',
    ]


def test_a_memo_cannot_forge_lines_or_escape_codes() -> None:
    memo = 'ok"\n  amount    1\x1b[2J\u202e'
    body = TxBody(CHAIN_ID, ALICE.public_key, 0, 0, Transfer(BOB, 5, memo))
    lines = describe(body, "tcot")
    assert lines[-1] == '  memo      "ok\\"\\n  amount    1\\x1b[2J\\u202e"'
    assert all("\x1b" not in line and "\n" not in line for line in lines)

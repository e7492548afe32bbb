"""Holder payouts through the per-unit index: a payment to a class costs the same whatever the
holder count, nothing starves on rounding, and units that arrive after a payment get none of it."""

from __future__ import annotations

from ledger.collectives import tokens
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.store import require_collective
from ledger.collectives.token_transfer import TokenTransfer
from ledger.errors import ErrorCode
from ledger.keys import Address, PrivateKey
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import SplitTerms
from ledger.splits.store import split_id_for
from ledger.treasury.holder_claim import HolderClaim
from ledger.treasury.holders import claimable
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, Chain
from tests.ledger.treasury.conftest import CLASSES, balance, terms

LOOT = 1


def loot_split(chain: Chain, cid: bytes) -> bytes:
    """A split that pays everything to the holders of the collective's loot."""
    holders = Party(PartyKind.TOKEN_HOLDERS, Asset(cid, LOOT).raw)
    split_terms: SplitTerms = terms([(holders, 1)])
    split_id = split_id_for(DAVE.address, chain.nonces.get(DAVE.public_key, 0))
    chain.send(DAVE, SplitCreate(None, split_terms))
    return split_id


def received(chain: Chain, key: PrivateKey, cid: bytes) -> int:
    """What `key` gets out of the loot holders' payouts: claimed now (0 if nothing is due)."""
    before = balance(chain, key)
    outcome = chain.attempt(key, HolderClaim(Asset(cid, LOOT)))
    assert not isinstance(outcome, ErrorCode) or outcome is ErrorCode.NOTHING_TO_CLAIM
    return balance(chain, key) - before


def test_a_one_percent_holder_gets_its_five_units_of_500_one_unit_royalties(
    chain: Chain,
) -> None:
    cid = chain.create_collective(
        ALICE, [(ALICE, (1, 99, 0)), (CAROL, (1, 1, 0))], classes=CLASSES, name="99 to 1"
    )
    sid = loot_split(chain, cid)
    for _ in range(500):
        chain.send(ERIN, SplitPay(sid, 1))
    assert received(chain, CAROL, cid) == 5
    assert received(chain, ALICE, cid) == 495


def test_dusting_a_class_past_10000_holders_does_not_block_its_payments(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 20_000, 0))], classes=CLASSES, name="dust")
    collective = require_collective(chain.view, cid)
    sid = loot_split(chain, cid)
    chain.send(ALICE, TokenTransfer(cid, LOOT, BOB.address, 1))
    for n in range(10_000):  # what 10,000 one-unit transfers leave behind
        dust = Address((n + 1).to_bytes(20, "big"))
        tokens.debit_holding(
            chain.view, chain.height, cid, collective, token_class=LOOT, holder=ALICE.address,
            amount=1,
        )  # fmt: skip
        tokens.credit_holding(
            chain.view, chain.height, cid, collective, token_class=LOOT, to=dust, amount=1
        )
    chain.next_block()
    receipt = chain.send(ERIN, SplitPay(sid, 20_000))
    assert any(e.kind == "holders_paid" for e in receipt.events)
    assert received(chain, BOB, cid) == 1
    assert received(chain, ALICE, cid) == 9_999
    assert claimable(chain.view, Asset(cid, LOOT), Address((7).to_bytes(20, "big"))) == [
        (NATIVE, 1)
    ]


def test_units_bought_after_a_payment_collect_nothing_of_it(chain: Chain) -> None:
    cid = chain.create_collective(
        ALICE, [(ALICE, (1, 50, 0)), (CAROL, (1, 50, 0))], classes=CLASSES, name="record date"
    )
    sid = loot_split(chain, cid)
    chain.send(ERIN, SplitPay(sid, 1_000))
    chain.send(CAROL, TokenTransfer(cid, LOOT, BOB.address, 50))  # Carol sells after the payment
    assert received(chain, BOB, cid) == 0
    assert received(chain, CAROL, cid) == 500  # what her units earned stays hers
    chain.send(ERIN, SplitPay(sid, 100))
    assert (received(chain, ALICE, cid), received(chain, BOB, cid)) == (550, 50)
    assert received(chain, CAROL, cid) == 0


def test_a_claim_with_nothing_due_is_refused_and_changes_nothing(chain: Chain) -> None:
    cid = chain.create_collective(ALICE, [(ALICE, (1, 3, 0))], classes=CLASSES, name="idle")
    assert chain.reject(ALICE, HolderClaim(Asset(cid, LOOT))) is ErrorCode.NOTHING_TO_CLAIM
    assert chain.reject(BOB, HolderClaim(Asset(cid, 9))) is ErrorCode.NOT_FOUND

"""The deposit whitelist (AcceptAsset) and the invoice index of treasury receipts."""

from __future__ import annotations

import pytest

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE, Asset
from ledger.collectives.treasury_deposit import TreasuryDeposit
from ledger.errors import ErrorCode, TxError
from ledger.governance.actions_treasury import AcceptAsset
from ledger.governance.proposal import Status
from ledger.governance.proposal_txs import ProposalSubmit
from ledger.splits.parties import Party
from ledger.treasury.accepted import accepted_assets, check_acceptable, is_accepted
from ledger.treasury.invoices import invoice_total, receipts_for_invoice
from tests.ledger.conftest import ALICE, BOB, DAVE, ERIN, Chain
from tests.ledger.treasury.conftest import CLASSES, Coop, enact, proposal


def fan_token(chain: Chain) -> Asset:
    fans = chain.create_collective(DAVE, [(DAVE, (1, 500, 0))], classes=CLASSES, name="fans")
    return Asset(fans, 1)


def test_a_token_is_deposited_only_after_the_collective_accepts_it(coop: Coop) -> None:
    chain = coop.chain
    token = fan_token(chain)
    assert chain.reject(DAVE, TreasuryDeposit(coop.cid, token, 50)) is ErrorCode.ASSET_NOT_ACCEPTED
    pid, events = enact(coop, [AcceptAsset(token)])
    assert proposal(coop, pid).status is Status.EXECUTED
    assert "asset_accepted" in [e.kind for e in events]
    assert is_accepted(chain.view, coop.cid, token)
    assert accepted_assets(chain.view, coop.cid) == [token]
    chain.send(DAVE, TreasuryDeposit(coop.cid, token, 50))
    assert treasury.balance(chain.view, coop.cid, token) == 50
    enact(coop, [AcceptAsset(token, accepted=False)])
    assert chain.reject(DAVE, TreasuryDeposit(coop.cid, token, 5)) is ErrorCode.ASSET_NOT_ACCEPTED
    assert treasury.balance(chain.view, coop.cid, token) == 50  # what it holds stays


def test_what_cannot_be_accepted_is_refused_at_submission(coop: Coop) -> None:
    chain = coop.chain
    token = fan_token(chain)
    badge = Asset(token.collective, 2)  # never transferable
    assert chain.reject(BOB, _submit(coop, AcceptAsset(badge))) is ErrorCode.NOT_TRANSFERABLE
    own = Asset(coop.cid, 1)
    assert chain.reject(BOB, _submit(coop, AcceptAsset(own))) is ErrorCode.INVALID_ACTION
    assert chain.reject(BOB, _submit(coop, AcceptAsset(NATIVE))) is ErrorCode.INVALID_ACTION
    ghost = Asset(bytes(20), 1)
    assert chain.reject(BOB, _submit(coop, AcceptAsset(ghost))) is ErrorCode.NOT_FOUND
    assert is_accepted(chain.view, coop.cid, NATIVE)


def _submit(coop: Coop, action: AcceptAsset) -> ProposalSubmit:
    return ProposalSubmit(coop.cid, (action,))


def test_receipts_with_an_invoice_are_indexed_by_it(coop: Coop) -> None:
    chain = coop.chain
    receipt = chain.send(ERIN, TreasuryDeposit(coop.cid, NATIVE, 700, "half up front", b"INV-42"))
    assert receipt.events[0].get("receipt") == 0
    chain.send(ERIN, TreasuryDeposit(coop.cid, NATIVE, 10, "tip"))  # no invoice: not indexed
    chain.send(DAVE, TreasuryDeposit(coop.cid, NATIVE, 300, "the rest", b"INV-42"))
    chain.send(DAVE, TreasuryDeposit(coop.cid, NATIVE, 99, "another deal", b"INV-43"))
    found = receipts_for_invoice(chain.view, coop.cid, b"INV-42")
    assert [(r.seq, r.payer, r.amount, r.memo) for r in found] == [
        (0, Party.account(ERIN.address), 700, "half up front"),
        (1, Party.account(DAVE.address), 300, "the rest"),
    ]
    assert found[0].height == chain.height and found[0].asset == NATIVE
    assert found[0].time_ms == chain.time_ms
    assert invoice_total(chain.view, coop.cid, b"INV-42", NATIVE) == 1_000
    assert receipts_for_invoice(chain.view, coop.cid, b"INV-44") == []


def test_a_treasury_refuses_its_own_collectives_tokens_and_the_native_coin_needs_no_vote(
    coop: Coop,
) -> None:
    """A deposit of the collective's own (transferable) loot is refused as a state the treasury
    must never reach; `check_acceptable` refuses to whitelist the native coin on its own."""
    chain = coop.chain
    own_loot = Asset(coop.cid, 1)
    assert chain.reject(ALICE, TreasuryDeposit(coop.cid, own_loot, 1)) is ErrorCode.INVALID_STATE
    with pytest.raises(TxError) as native:
        check_acceptable(chain.view, coop.cid, NATIVE)
    assert native.value.code is ErrorCode.INVALID_ACTION

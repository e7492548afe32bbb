"""Holder distributions: the TOKEN_HOLDERS and COLLECTIVE split sinks and the
HolderDistribution proposal action, paid into the class's pool and claimed by each holder."""

from __future__ import annotations

from ledger.collectives import treasury
from ledger.collectives.ids import NATIVE, Asset
from ledger.errors import ErrorCode
from ledger.governance.actions_treasury import HolderDistribution
from ledger.governance.core_actions import Burn
from ledger.governance.proposal import Status
from ledger.keys import PrivateKey
from ledger.splits.parties import Party, PartyKind
from ledger.splits.payloads import SplitCreate, SplitPay
from ledger.splits.records import SplitTerms
from ledger.splits.store import split_id_for
from ledger.treasury.holder_claim import HolderClaim
from ledger.treasury.invoices import receipts_for_invoice
from tests.ledger.conftest import ALICE, BOB, CAROL, DAVE, ERIN, Chain
from tests.ledger.treasury.conftest import (
    FUNDS,
    Coop,
    balance,
    enact,
    kinds,
    proposal,
    terms,
)


def holders_of(coop: Coop, token_class: int) -> Party:
    return Party(PartyKind.TOKEN_HOLDERS, Asset(coop.cid, token_class).raw)


def claim(chain: Chain, keys: tuple[PrivateKey, ...], token_class: Asset) -> None:
    for key in keys:
        chain.send(key, HolderClaim(token_class))


def split(chain: Chain, creator: PrivateKey, split_terms: SplitTerms) -> bytes:
    split_id = split_id_for(creator.address, chain.nonces.get(creator.public_key, 0))
    chain.send(creator, SplitCreate(None, split_terms))
    return split_id


def test_a_split_pays_token_holders_pro_rata_to_the_last_unit(coop: Coop) -> None:
    chain = coop.chain
    loot = holders_of(coop, 1)  # Alice 4, Carol 2
    sid = split(chain, DAVE, terms([(DAVE, 1), (loot, 3)]))
    before = {k: balance(chain, k) for k in (ALICE, CAROL, DAVE)}
    receipt = chain.send(ERIN, SplitPay(sid, 400))
    paid = [e for e in receipt.events if e.kind == "holders_paid"]
    assert paid[0].get("units") == 6 and paid[0].get("amount") == 300
    assert balance(chain, ALICE) == before[ALICE]  # nothing moves until claimed
    claim(chain, (ALICE, CAROL), Asset(coop.cid, 1))
    got = {k: balance(chain, k) - before[k] for k in before}
    assert got == {DAVE: 100, ALICE: 200, CAROL: 100}
    chain.send(ERIN, SplitPay(sid, 4))  # 3 to holders: 2 and 1
    claim(chain, (ALICE, CAROL), Asset(coop.cid, 1))
    assert balance(chain, ALICE) - before[ALICE] == 202
    assert balance(chain, CAROL) - before[CAROL] == 101


def test_an_empty_class_pays_its_collectives_treasury_instead(coop: Coop) -> None:
    chain = coop.chain
    fans = chain.create_collective(DAVE, [(DAVE, (1, 0))], name="no loot yet")
    empty = Party(PartyKind.TOKEN_HOLDERS, Asset(fans, 1).raw)
    sid = split(chain, DAVE, terms([(empty, 1)]))
    chain.send(ERIN, SplitPay(sid, 77, b"INV-9"))
    assert treasury.balance(chain.view, fans, NATIVE) == 77
    assert receipts_for_invoice(chain.view, fans, b"INV-9")[0].payer == Party.split(sid)


def test_a_split_pays_a_collective_treasury_and_indexes_the_invoice(coop: Coop) -> None:
    chain = coop.chain
    guild = Party(PartyKind.COLLECTIVE, coop.cid)
    sid = split(chain, DAVE, terms([(DAVE, 1), (guild, 1)]))
    receipt = chain.send(ERIN, SplitPay(sid, 1_001, b"BRAND-7", "spring campaign"))
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS + 500
    deposit = next(e for e in receipt.events if e.kind == "treasury_deposit")
    assert deposit.get("invoice_ref") == b"BRAND-7" and deposit.get("receipt") == 0
    (record,) = receipts_for_invoice(chain.view, coop.cid, b"BRAND-7")
    assert (record.payer, record.amount, record.memo) == (Party.split(sid), 500, "spring campaign")


def test_parties_that_do_not_exist_are_refused(coop: Coop) -> None:
    chain = coop.chain
    bad = [
        Party(PartyKind.TOKEN_HOLDERS, Asset(coop.cid, 7).raw),  # no such class
        Party(PartyKind.TOKEN_HOLDERS, Asset(coop.cid, 3).raw),  # one past its last class
        Party(PartyKind.TOKEN_HOLDERS, Asset(bytes(20), 1).raw),  # no such collective
        Party(PartyKind.TOKEN_HOLDERS, b"\x01" * 5),  # not a token
        Party(PartyKind.COLLECTIVE, bytes(20)),
    ]
    for party in bad:
        assert chain.reject(DAVE, SplitCreate(None, terms([(party, 1)]))) is ErrorCode.NOT_FOUND


def test_a_proposal_distributes_treasury_funds_to_the_holders(coop: Coop) -> None:
    chain = coop.chain
    before = {k: balance(chain, k) for k in (ALICE, BOB, CAROL)}
    pid, events = enact(coop, [HolderDistribution(Asset(coop.cid, 0), NATIVE, 2_500, "dividend")])
    assert proposal(coop, pid).status is Status.EXECUTED
    claim(chain, (ALICE, BOB, CAROL), Asset(coop.cid, 0))
    got = {k: balance(chain, k) - before[k] for k in before}
    assert got == {ALICE: 1_000, BOB: 1_000, CAROL: 500}  # shares 10, 10, 5
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS - 2_500
    assert "holders_paid" in kinds(events)


def test_a_distribution_to_nobody_does_not_execute(coop: Coop) -> None:
    chain = coop.chain
    enact(coop, [Burn(1, ALICE.address, 4), Burn(1, CAROL.address, 2)])
    pid, events = enact(coop, [HolderDistribution(Asset(coop.cid, 1), NATIVE, 10)])
    failed = [e for e in events if e.kind == "proposal_execution_failed"]
    assert failed and failed[0].get("code") == ErrorCode.NO_HOLDERS
    assert proposal(coop, pid).status is Status.EXPIRED
    assert treasury.balance(chain.view, coop.cid, NATIVE) == FUNDS
